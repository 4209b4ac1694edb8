// Package checkpoint reads and writes latentlab's checkpoints: safetensors
// files of a model's config, weights, optimizer moments and training state,
// which any safetensors reader (PyTorch's included) opens.
//
// The weights are F32 tensors named by their layers' parameters
// ("<layer>.weight" [in, out] and "<layer>.bias" [out] for a dense layer),
// the optimizer's moments "optimizer.m.<param>" and "optimizer.v.<param>"
// (and, where a GAN's generator parameter holds the average of its
// weights, the weights training goes on from, "optimizer.w.<param>"),
// and the metadata holds "format" = "latentlab-checkpoint",
// "format_version", "config" (the model.Config as JSON) and "state" (the
// train.State as JSON). Nothing here names a layer kind: the tensors a
// config implies are its architecture's parameters.
//
// A weights-only checkpoint may store its tensors as F16 (IEEE 754
// binary16) instead, at half the size, with metadata "precision" =
// "float16" (SaveWeightsHalf); F16 tensors load as float32, and anything
// that reads a checkpoint treats them as F32 ones.
package checkpoint

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"

	"gorgonia.org/tensor"

	"latentlab/model"
	"latentlab/model/dataset"
	"latentlab/model/infer"
	"latentlab/model/infra/safefile"
	"latentlab/model/infra/safetensors"
	"latentlab/model/kernel"
	"latentlab/model/measure"
	"latentlab/model/nn"
	"latentlab/model/train"
)

// The format a checkpoint's metadata names, and the newest version this
// code reads and writes. Version 2 holds a decoder that up-samples by
// transposed convolutions, which readers of version 1 would build
// otherwise; every other checkpoint is written as version 1, so that they
// still read it.
const (
	Format  = "latentlab-checkpoint"
	Version = 2
)

// versionOf returns the oldest format version that holds a model
// configured by c.
func versionOf(c model.Config) int {
	if c.UpsampleOf() == model.UpsampleTransposed {
		return 2
	}
	return 1
}

// Checkpoint is a loaded checkpoint file: a model's config, training state
// and tensors, checked for shapes and finiteness.
type Checkpoint struct {
	Config  model.Config
	state   train.State
	source  *dataset.Source // nil in checkpoints written before sources were recorded
	tensors map[string]*safetensors.Tensor
	// weightsOnly is set for files without optimizer state.
	weightsOnly bool
}

// Source returns the data the model was trained on, and false for a
// checkpoint that does not record it (written by an older latentlab).
func (ck *Checkpoint) Source() (dataset.Source, bool) {
	if ck.source == nil {
		return dataset.Source{}, false
	}
	return *ck.source, true
}

// Step returns the number of training steps the checkpoint was taken at.
func (ck *Checkpoint) Step() int64 { return ck.state.Step }

// Epoch returns the number of completed epochs.
func (ck *Checkpoint) Epoch() int { return ck.state.Epoch }

// TrainSeconds returns the training time spent on the weights.
func (ck *Checkpoint) TrainSeconds() float64 { return ck.state.TrainSeconds }

// Samples returns the number of training images seen.
func (ck *Checkpoint) Samples() int64 { return ck.state.Samples }

// Stats returns the checkpoint's training counts.
func (ck *Checkpoint) Stats() measure.TrainStats {
	return measure.TrainStats{Epochs: ck.state.Epoch, Steps: ck.state.Step, TrainSeconds: ck.state.TrainSeconds, Samples: ck.state.Samples}
}

// Save writes the trainer's config, state, weights and optimizer moments,
// and the source of the data it trains on, to path atomically: a temporary
// file in the same directory is written, synced and renamed over path, so a
// crash mid-save leaves the old file intact. It waits for the current
// training step to finish.
func Save(t *train.Trainer, src dataset.Source, path string) error {
	cfg, st, tensors := t.Save()
	f := &safetensors.File{Metadata: metadata(cfg, st, &src)}
	for _, s := range tensors {
		f.Tensors = append(f.Tensors, safetensors.Tensor{Name: s.Name, DType: safetensors.F32, Shape: s.Shape, F32: s.Data})
	}
	if err := write(path, f); err != nil {
		return fmt.Errorf("checkpoint: save %s: %w", cfg.Kind, err)
	}
	return nil
}

// metadata is the safetensors metadata of every checkpoint.
func metadata(c model.Config, st train.State, src *dataset.Source) map[string]string {
	cfg, _ := json.Marshal(c) // a Config, a State and a Source always marshal
	state, _ := json.Marshal(st)
	md := map[string]string{
		"format":         Format,
		"format_version": strconv.Itoa(versionOf(c)),
		"config":         string(cfg),
		"state":          string(state),
		"weight_layout":  "weight [in, out] (the transpose of torch.nn.Linear.weight), bias [out]",
	}
	if src != nil {
		data, _ := json.Marshal(src)
		md["data"] = string(data)
	}
	return md
}

// write writes f to path atomically.
func write(path string, f *safetensors.File) error {
	return safefile.WriteFile(path, func(w io.Writer) error { return safetensors.Write(w, f) })
}

// Load reads and checks a checkpoint: its format and version, its config,
// and that every parameter the config implies is there with the right
// shape and only finite values. Errors name the file and what does not fit.
func Load(path string) (*Checkpoint, error) {
	f, err := safetensors.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("checkpoint: load %s: %w", path, err)
	}
	ck, err := from(f)
	if err != nil {
		return nil, fmt.Errorf("checkpoint: load %s: %w", path, err)
	}
	return ck, nil
}

// Read reads a checkpoint from r (size bytes), such as weights embedded in
// the binary; name is used in errors.
func Read(r io.ReaderAt, size int64, name string) (*Checkpoint, error) {
	f, err := safetensors.Read(r, size)
	if err != nil {
		return nil, fmt.Errorf("checkpoint: read %s: %w", name, err)
	}
	return FromFile(f, name)
}

func from(f *safetensors.File) (*Checkpoint, error) {
	md := f.Metadata
	if md["format"] != Format {
		return nil, fmt.Errorf("not a latentlab checkpoint (metadata format = %q, want %q)", md["format"], Format)
	}
	v, err := strconv.Atoi(md["format_version"])
	if err != nil || v < 1 {
		return nil, fmt.Errorf("format_version = %q is not a positive integer", md["format_version"])
	}
	if v > Version {
		return nil, fmt.Errorf("format_version %d is newer than this latentlab reads (%d); update latentlab", v, Version)
	}
	ck := &Checkpoint{tensors: map[string]*safetensors.Tensor{}}
	if err := json.Unmarshal([]byte(md["config"]), &ck.Config); err != nil {
		return nil, fmt.Errorf("metadata config is not valid JSON: %w", err)
	}
	if err := ck.Config.Validate(); err != nil {
		return nil, fmt.Errorf("metadata config: %w", err)
	}
	if err := json.Unmarshal([]byte(md["state"]), &ck.state); err != nil {
		return nil, fmt.Errorf("metadata state is not valid JSON: %w", err)
	}
	if data, ok := md["data"]; ok {
		var src dataset.Source
		if err := json.Unmarshal([]byte(data), &src); err != nil {
			return nil, fmt.Errorf("metadata data is not valid JSON: %w", err)
		}
		if src.Rows != ck.Config.ImageRows || src.Cols != ck.Config.ImageCols || src.Validation < 0 {
			return nil, fmt.Errorf("metadata data says %dx%d images (%d held out), the config %dx%d",
				src.Rows, src.Cols, src.Validation, ck.Config.ImageRows, ck.Config.ImageCols)
		}
		ck.source = &src
	}
	if ck.state.Step < 0 || ck.state.Epoch < 0 || ck.state.Batch < 0 {
		return nil, fmt.Errorf("metadata state has negative counters (step %d, epoch %d, batch %d)", ck.state.Step, ck.state.Epoch, ck.state.Batch)
	}
	for i := range f.Tensors {
		ck.tensors[f.Tensors[i].Name] = &f.Tensors[i]
	}
	ck.weightsOnly = md["weights_only"] == "true"
	// Every parameter must be there, F32 or F16, with its shape and
	// finite values; every other tensor must be an optimizer moment of
	// one of them, checked the same way.
	var errs []error
	shapes := map[string][]int{}
	for _, p := range ck.params() {
		shapes[p.Name] = p.Shape
		if err := ck.checkTensor(p.Name, p.Shape); err != nil {
			errs = append(errs, err)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(ck.tensors)) {
		if _, ok := shapes[name]; ok {
			continue
		}
		param, ok := momentOf(name)
		if shape, known := shapes[param]; ok && known {
			if err := ck.checkTensor(name, shape); err != nil {
				errs = append(errs, err)
			}
			continue
		}
		errs = append(errs, fmt.Errorf("tensor %s is neither a parameter nor an optimizer moment of this config", name))
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("weights do not fit the %s config (latent_dim %d, hidden %v): %w", ck.Config.Kind, ck.Config.LatentDim, ck.Config.Hidden, errors.Join(errs...))
	}
	return ck, nil
}

// momentOf returns the parameter whose optimizer state (a moment, or the
// weights behind an average) name is, and whether name is such state.
func momentOf(name string) (string, bool) {
	for _, prefix := range train.StatePrefixes {
		if param, ok := strings.CutPrefix(name, prefix); ok {
			return param, true
		}
	}
	return "", false
}

// params lists the parameters the checkpoint's config implies, in order.
func (ck *Checkpoint) params() []nn.Param {
	var out []nn.Param
	for _, l := range model.ArchitectureOf(ck.Config).Layers() {
		out = append(out, l.Params()...)
	}
	return out
}

func (ck *Checkpoint) checkTensor(name string, shape []int) error {
	t, ok := ck.tensors[name]
	if !ok {
		return fmt.Errorf("tensor %s is missing", name)
	}
	if !isFloat32(t) {
		return fmt.Errorf("tensor %s has dtype %s, want F32 or F16", name, t.DType)
	}
	if !slices.Equal(t.Shape, shape) {
		return fmt.Errorf("tensor %s has shape %v, want %v", name, t.Shape, shape)
	}
	if i := kernel.FirstNonFiniteOf(t.F32); i >= 0 {
		return fmt.Errorf("tensor %s has a non-finite value %v at element %d", name, t.F32[i], i)
	}
	return nil
}

// Snapshot returns the checkpoint's weights as a Snapshot for decoding and
// evaluation.
func (ck *Checkpoint) Snapshot() *infer.Snapshot {
	values := map[string][]float32{}
	for _, p := range ck.params() {
		values[p.Name] = ck.tensors[p.Name].F32
	}
	p, err := nn.ParamSetOf(model.ArchitectureOf(ck.Config).Layers(), tensor.Float32, values)
	if err != nil {
		panic(err) // from checked every parameter's shape
	}
	return infer.New(ck.Config, p, ck.state.Step, ck.state.Epoch)
}

// WeightsOnly reports whether the checkpoint holds no optimizer state
// (SaveWeights, WriteWeights): it explores and evaluates, and trains on
// from fresh optimizer moments, but cannot resume a run exactly.
func (ck *Checkpoint) WeightsOnly() bool { return ck.weightsOnly }

// Trainer rebuilds a trainer from the checkpoint, with its weights,
// optimizer moments and progress, to go on training on train (and validate
// on val). The data must have the checkpoint's image size. A weights-only
// checkpoint's optimizers start from fresh moments.
func (ck *Checkpoint) Trainer(trainSet, val *dataset.Set) (*train.Trainer, error) {
	tensors := map[string]train.Tensor{}
	for name, t := range ck.tensors {
		if isFloat32(t) {
			tensors[name] = train.Tensor{Name: name, Shape: t.Shape, Data: t.F32}
		}
	}
	t, err := train.Restore(ck.Config, ck.state, tensors, trainSet, val, ck.weightsOnly)
	if err != nil {
		return nil, fmt.Errorf("checkpoint: %w", err)
	}
	return t, nil
}

// SaveWeights writes the checkpoint without its optimizer moments: a third
// of the size, enough to decode, evaluate and classify, not to resume
// training exactly. The tensors are F32 (a checkpoint loaded from F16
// tensors is written back exactly, at full size). The write is atomic.
func (ck *Checkpoint) SaveWeights(path string) error {
	if err := ck.saveWeights(path, safetensors.F32); err != nil {
		return fmt.Errorf("checkpoint: save weights %s: %w", path, err)
	}
	return nil
}

// SaveWeightsHalf writes the checkpoint as SaveWeights does, with every
// tensor stored as F16 (IEEE 754 binary16) and metadata "precision" =
// "float16": half the size of SaveWeights' file, for shipping pretrained
// weights. Each weight w is rounded to the nearest half, ties to even, so
// it changes by at most 2^-11·|w| (2^-25 below 2^-14, where halves are
// subnormal); a weight of magnitude 65520 or more, which would round to
// infinity, is an error naming the tensor and the element. The write is
// atomic.
func (ck *Checkpoint) SaveWeightsHalf(path string) error {
	if err := ck.saveWeights(path, safetensors.F16); err != nil {
		return fmt.Errorf("checkpoint: save half-precision weights %s: %w", path, err)
	}
	return nil
}

// saveWeights writes the weights-only checkpoint with tensors of dtype,
// F32 or F16, atomically.
func (ck *Checkpoint) saveWeights(path string, dtype safetensors.DType) error {
	f := &safetensors.File{Metadata: metadata(ck.Config, ck.state, ck.source)}
	f.Metadata["weights_only"] = "true"
	if dtype == safetensors.F16 {
		f.Metadata["precision"] = "float16"
	}
	for _, p := range ck.params() {
		t := ck.tensors[p.Name]
		f.Tensors = append(f.Tensors, safetensors.Tensor{Name: t.Name, DType: dtype, Shape: t.Shape, F32: t.F32})
	}
	return write(path, f)
}

// isFloat32 reports whether t's values are float32s in t.F32: stored as
// F32, or as F16 and widened on reading.
func isFloat32(t *safetensors.Tensor) bool {
	return t.DType == safetensors.F32 || t.DType == safetensors.F16
}

// Weights returns a copy of the checkpoint's parameters by name, in the
// layout latentlab keeps them (a dense layer's weight [in, out]).
func (ck *Checkpoint) Weights() map[string][]float32 {
	out := map[string][]float32{}
	for _, p := range ck.params() {
		out[p.Name] = slices.Clone(ck.tensors[p.Name].F32)
	}
	return out
}

// WriteWeights writes a weights-only checkpoint of a model configured by
// cfg (validated), at step 0, from its parameters by name: every parameter
// cfg implies must be there with its size and finite values. src, if not
// nil, records the data it was trained on; note, if not empty, says in the
// metadata where the weights came from. The write is atomic.
func WriteWeights(path string, cfg model.Config, weights map[string][]float32, src *dataset.Source, note string) error {
	f, err := weightsFile(cfg, weights, src, note, train.State{})
	if err == nil {
		err = write(path, f)
	}
	if err != nil {
		return fmt.Errorf("checkpoint: write %s: %w", path, err)
	}
	return nil
}

// FromWeights is the checkpoint WriteWeights would write, in memory, checked
// as Load checks a file; name is used in errors.
func FromWeights(name string, cfg model.Config, weights map[string][]float32, src *dataset.Source, note string) (*Checkpoint, error) {
	f, err := weightsFile(cfg, weights, src, note, train.State{})
	if err != nil {
		return nil, fmt.Errorf("checkpoint: %s: %w", name, err)
	}
	return FromFile(f, name)
}

// FromFile reads the checkpoint in a safetensors file already read; name
// is used in errors.
func FromFile(f *safetensors.File, name string) (*Checkpoint, error) {
	ck, err := from(f)
	if err != nil {
		return nil, fmt.Errorf("checkpoint: read %s: %w", name, err)
	}
	return ck, nil
}

// DecoderOnly returns the checkpoint's decoder (AE, VAE) or generator
// (GAN) alone, weights only, at the step and epoch it was trained to: what
// exploring and measuring samples need.
func (ck *Checkpoint) DecoderOnly() (*Checkpoint, error) {
	cfg := ck.Config
	cfg.Parts = model.PartsDecoder
	keep := map[string][]float32{}
	for _, l := range model.ArchitectureOf(cfg).Layers() {
		for _, p := range l.Params() {
			if t, ok := ck.tensors[p.Name]; ok {
				keep[p.Name] = t.F32
			}
		}
	}
	note := fmt.Sprintf("the decoder of a %s at epoch %d, step %d", ck.Config.Kind, ck.state.Epoch, ck.state.Step)
	f, err := weightsFile(cfg, keep, ck.source, note, ck.state)
	if err != nil {
		return nil, fmt.Errorf("checkpoint: decoder alone: %w", err)
	}
	return FromFile(f, "decoder alone")
}

// weightsFile is the safetensors file of a weights-only checkpoint (see
// WriteWeights) at the training state st.
func weightsFile(cfg model.Config, weights map[string][]float32, src *dataset.Source, note string, st train.State) (*safetensors.File, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	st.OptimizerSteps = map[string]int64{} // weights only
	f := &safetensors.File{Metadata: metadata(cfg, st, src)}
	f.Metadata["weights_only"] = "true"
	if note != "" {
		f.Metadata["origin"] = note
	}
	for _, l := range model.ArchitectureOf(cfg).Layers() {
		for _, p := range l.Params() {
			w, ok := weights[p.Name]
			if !ok || len(w) != p.Size() {
				return nil, fmt.Errorf("parameter %s has %d values, want %d", p.Name, len(w), p.Size())
			}
			if i := kernel.FirstNonFiniteOf(w); i >= 0 {
				return nil, fmt.Errorf("parameter %s has a non-finite value %v at element %d", p.Name, w[i], i)
			}
			f.Tensors = append(f.Tensors, safetensors.Tensor{Name: p.Name, DType: safetensors.F32, Shape: slices.Clone(p.Shape), F32: w})
		}
	}
	return f, nil
}
