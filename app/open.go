package app

import (
	"fmt"
	"strings"

	"latentlab/model"
	"latentlab/model/checkpoint"
	"latentlab/model/infra/safetensors"
	"latentlab/model/pytorch"
)

// OpenModel loads the model file at path into the session of its kind and
// returns the kind: a latentlab checkpoint, or a PyTorch state_dict in
// PyTorch's layout with its description in the metadata (as `latentlab
// export --torch` and the companion in cmd/latentlab-torch write them), or
// a shipped model named as pretrained:NAME (see Pretrained). A
// file that does not load, is of a kind the lab has no session for, or was
// trained on other data changes nothing.
func (l *Lab) OpenModel(path string) (model.Kind, error) {
	ck, err := readModel(path)
	if err != nil {
		return "", err
	}
	s, ok := l.sessions[ck.Config.Kind]
	if !ok {
		return "", fmt.Errorf("%s holds a model of kind %s; the app explores %v", path, ck.Config.Kind, Kinds)
	}
	return ck.Config.Kind, s.Open(path, ck)
}

// readModel reads the model file at path, a latentlab checkpoint or a
// PyTorch state_dict, or the shipped model path names as pretrained:NAME.
func readModel(path string) (*checkpoint.Checkpoint, error) {
	if strings.HasPrefix(path, PretrainedPrefix) {
		return LoadCheckpoint(path)
	}
	f, err := safetensors.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if f.Metadata["format"] == checkpoint.Format {
		return checkpoint.FromFile(f, path)
	}
	return fromTorch(path, f)
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
