package app

import (
	"bytes"
	"strings"

	"latentlab/assets"
	"latentlab/model/checkpoint"
)

// PretrainedPrefix marks, where a checkpoint file is expected, one of the
// models shipped in assets/pretrained: "pretrained:vae-conv".
const PretrainedPrefix = "pretrained:"

// Pretrained lists the shipped models as LoadCheckpoint and OpenModel take
// them ("pretrained:ae-conv", ...), sorted.
func Pretrained() []string {
	var specs []string
	for _, name := range assets.PretrainedNames() {
		specs = append(specs, PretrainedPrefix+name)
	}
	return specs
}

// LoadCheckpoint loads the checkpoint at path, or the shipped model that
// path names as pretrained:NAME.
func LoadCheckpoint(path string) (*checkpoint.Checkpoint, error) {
	name, ok := strings.CutPrefix(path, PretrainedPrefix)
	if !ok {
		return checkpoint.Load(path)
	}
	b, err := assets.Pretrained(name)
	if err != nil {
		return nil, err
	}
	return checkpoint.Read(bytes.NewReader(b), int64(len(b)), path)
}
