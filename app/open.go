package app

import (
	"fmt"

	"latentlab/model"
	"latentlab/model/checkpoint"
	"latentlab/model/infra/safetensors"
	"latentlab/model/pytorch"
)

// OpenModel loads the model file at path into the session of its kind and
// returns the kind: a latentlab checkpoint, or a PyTorch state_dict in
// PyTorch's layout with its description in the metadata (as `latentlab
// export --torch` and the companion in cmd/latentlab-torch write them). A
// file that does not load, is of a kind the lab has no session for, or was
// trained on other data changes nothing.
func (l *Lab) OpenModel(path string) (model.Kind, error) {
	f, err := safetensors.ReadFile(path)
	if err != nil {
		return "", err
	}
	var ck *checkpoint.Checkpoint
	if f.Metadata["format"] == checkpoint.Format {
		ck, err = checkpoint.FromFile(f, path)
	} else {
		ck, err = fromTorch(path, f)
	}
	if err != nil {
		return "", err
	}
	s, ok := l.sessions[ck.Config.Kind]
	if !ok {
		return "", fmt.Errorf("%s holds a model of kind %s; the app explores %v", path, ck.Config.Kind, Kinds)
	}
	return ck.Config.Kind, s.Open(path, ck)
}

// fromTorch turns a PyTorch state_dict of one of latentlab's architectures,
// read from path, into a weights-only checkpoint in memory.
func fromTorch(path string, f *safetensors.File) (*checkpoint.Checkpoint, error) {
	desc, err := pytorch.ReadDescription(f)
	if err != nil {
		return nil, fmt.Errorf("%s is neither a latentlab checkpoint nor a PyTorch model of latentlab's: %w", path, err)
	}
	cfg, weights, err := pytorch.Import(f, desc)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return checkpoint.FromWeights(path, cfg, weights, desc.Data, "imported from PyTorch: "+path)
}
