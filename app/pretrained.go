package app

import (
	"bytes"
	"fmt"
	"maps"
	"slices"
	"strings"

	"latentlab/assets"
	"latentlab/model"
	"latentlab/model/checkpoint"
	"latentlab/model/dataset"
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

// DecoderOnly returns ck's decoder (AE, VAE) or generator (GAN) alone, as a
// weights-only checkpoint: what exploring and measuring samples need.
func DecoderOnly(ck *checkpoint.Checkpoint, name string) (*checkpoint.Checkpoint, error) {
	cfg := ck.Config
	cfg.Parts = model.PartsDecoder
	all := ck.Weights()
	keep := map[string][]float32{}
	for _, l := range model.ArchitectureOf(cfg).Layers() {
		for _, p := range l.Params() {
			w, ok := all[p.Name]
			if !ok {
				return nil, fmt.Errorf("%s: no tensor %s among %v", name, p.Name, slices.Sorted(maps.Keys(all)))
			}
			keep[p.Name] = w
		}
	}
	var src *dataset.Source
	if s, ok := ck.Source(); ok {
		src = &s
	}
	return checkpoint.FromWeights(name, cfg, keep, src, fmt.Sprintf("the %s of %s (epoch %d, step %d)", decoderWord(cfg.Kind), name, ck.Epoch(), ck.Step()))
}

// decoderWord names a kind's decoding part.
func decoderWord(k model.Kind) string {
	if k == model.KindGAN {
		return "generator"
	}
	return "decoder"
}
