package app

import (
	"fmt"
	"os"
	"path/filepath"

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
	if f.Metadata["format"] == checkpoint.Format {
		return l.loadInto(path)
	}
	desc, err := pytorch.ReadDescription(f)
	if err != nil {
		return "", fmt.Errorf("%s is neither a latentlab checkpoint nor a PyTorch model of latentlab's: %w", path, err)
	}
	cfg, weights, err := pytorch.Import(f, desc)
	if err != nil {
		return "", fmt.Errorf("%s: %w", path, err)
	}
	dir, err := os.MkdirTemp("", "latentlab-import-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(dir)
	ck := filepath.Join(dir, string(cfg.Kind)+".safetensors")
	if err := checkpoint.WriteWeights(ck, cfg, weights, desc.Data, "imported from PyTorch: "+path); err != nil {
		return "", err
	}
	s, ok := l.sessions[cfg.Kind]
	if !ok {
		return "", fmt.Errorf("%s holds a model of kind %s; the app explores %v", path, cfg.Kind, Kinds)
	}
	return cfg.Kind, s.LoadCheckpoint(ck)
}

// loadInto loads the latentlab checkpoint at path into the session of the
// kind its metadata names.
func (l *Lab) loadInto(path string) (model.Kind, error) {
	ck, err := checkpoint.Load(path)
	if err != nil {
		return "", err
	}
	s, ok := l.sessions[ck.Config.Kind]
	if !ok {
		return "", fmt.Errorf("%s holds a model of kind %s; the app explores %v", path, ck.Config.Kind, Kinds)
	}
	return ck.Config.Kind, s.LoadCheckpoint(path)
}
