package model

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"

	"gorgonia.org/tensor"

	"latentlab/model/dataset"
	"latentlab/model/safefile"
	"latentlab/model/safetensors"
)

// Checkpoint files are safetensors files: the weights as F32 tensors named
// "<layer>.weight" ([in, out]) and "<layer>.bias" ([out]), the optimizer's
// moments as "optimizer.m.<param>" and "optimizer.v.<param>", and in the
// metadata "format" = checkpointFormat, "format_version", "config" (the
// Config as JSON) and "state" (trainState as JSON). Any safetensors reader
// (PyTorch's included) opens them.
const (
	checkpointFormat  = "latentlab-checkpoint"
	checkpointVersion = 1
)

// trainState is the training progress saved in a checkpoint.
type trainState struct {
	Step           int64            `json:"step"`
	Epoch          int              `json:"epoch"`
	Batch          int              `json:"batch"`
	OptimizerSteps map[string]int64 `json:"optimizer_steps"`
	BestValLoss    *float64         `json:"best_val_loss,omitempty"`
	BadEpochs      int              `json:"bad_epochs"`
	Stopped        bool             `json:"stopped"`
	TrainSeconds   float64          `json:"train_seconds"`
	Samples        int64            `json:"samples"`
}

// Checkpoint is a loaded checkpoint file: a model's config, training state
// and weights, checked for shapes and finiteness.
type Checkpoint struct {
	Config  Config
	state   trainState
	tensors map[string]*safetensors.Tensor
}

// Step returns the number of training steps the checkpoint was taken at.
func (c *Checkpoint) Step() int64 { return c.state.Step }

// Epoch returns the number of completed epochs.
func (c *Checkpoint) Epoch() int { return c.state.Epoch }

// TrainSeconds returns the training time spent on the weights.
func (c *Checkpoint) TrainSeconds() float64 { return c.state.TrainSeconds }

// Samples returns the number of training images seen.
func (c *Checkpoint) Samples() int64 { return c.state.Samples }

// SaveCheckpoint writes the trainer's config, state, weights and optimizer
// moments to path atomically: a temporary file in the same directory is
// written, synced and renamed over path, so a crash mid-save leaves the old
// file intact. It waits for the current training step to finish.
func (t *Trainer) SaveCheckpoint(path string) error {
	t.mu.Lock()
	f, kind := t.checkpointFile(), t.cfg.Kind
	t.mu.Unlock()
	if err := writeCheckpointFile(path, f); err != nil {
		return fmt.Errorf("model: save %s checkpoint: %w", kind, err)
	}
	return nil
}

// checkpointFile gathers everything into a safetensors.File. Called with
// t.mu held.
func (t *Trainer) checkpointFile() *safetensors.File {
	st := trainState{Step: t.step, Epoch: t.epoch, Batch: t.batch, BadEpochs: t.badEpochs, Stopped: t.stopped,
		OptimizerSteps: map[string]int64{}, TrainSeconds: t.trainSeconds, Samples: t.samples}
	if !math.IsInf(t.bestVal, 0) {
		v := t.bestVal
		st.BestValLoss = &v
	}
	f := &safetensors.File{Metadata: map[string]string{}}
	for _, name := range t.params.names {
		f.Tensors = append(f.Tensors, f32Tensor(name, t.params.tensors[name]))
	}
	for role, o := range t.optimizers() {
		st.OptimizerSteps[role] = o.steps
		for _, name := range t.params.names {
			if m, ok := o.m[name]; ok {
				f.Tensors = append(f.Tensors, f32Tensor("optimizer.m."+name, m), f32Tensor("optimizer.v."+name, o.v[name]))
			}
		}
	}
	f.Metadata = checkpointMetadata(t.cfg, st)
	return f
}

// checkpointMetadata is the safetensors metadata of every checkpoint.
func checkpointMetadata(c Config, st trainState) map[string]string {
	cfg, _ := json.Marshal(c) // a Config and a trainState always marshal
	state, _ := json.Marshal(st)
	return map[string]string{
		"format":         checkpointFormat,
		"format_version": strconv.Itoa(checkpointVersion),
		"config":         string(cfg),
		"state":          string(state),
		"weight_layout":  "weight [in, out] (the transpose of torch.nn.Linear.weight), bias [out]",
	}
}

// writeCheckpointFile writes f to path atomically.
func writeCheckpointFile(path string, f *safetensors.File) error {
	return safefile.WriteFile(path, func(w io.Writer) error { return safetensors.Write(w, f) })
}

// optimizers names the trainer's optimizers by role.
func (t *Trainer) optimizers() map[string]*optimizer {
	if t.cfg.Kind == KindGAN {
		return map[string]*optimizer{"discriminator": t.optD, "generator": t.optG}
	}
	return map[string]*optimizer{"model": t.opt}
}

func f32Tensor(name string, t *tensor.Dense) safetensors.Tensor {
	out := safetensors.Tensor{Name: name, DType: safetensors.F32, Shape: append([]int(nil), t.Shape()...)}
	switch d := t.Data().(type) {
	case []float32:
		out.F32 = append([]float32(nil), d...)
	case []float64:
		out.F32 = make([]float32, len(d))
		for i, v := range d {
			out.F32[i] = float32(v)
		}
	}
	return out
}

// LoadCheckpoint reads and checks a checkpoint: its format and version, its
// config, and that every tensor the config implies is there with the right
// shape and only finite values. Errors name the file and what does not fit.
func LoadCheckpoint(path string) (*Checkpoint, error) {
	f, err := safetensors.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("model: load checkpoint %s: %w", path, err)
	}
	ck, err := checkpointFrom(f)
	if err != nil {
		return nil, fmt.Errorf("model: load checkpoint %s: %w", path, err)
	}
	return ck, nil
}

// ReadCheckpoint reads a checkpoint from r (size bytes), such as weights
// embedded in the binary; name is used in errors.
func ReadCheckpoint(r io.ReaderAt, size int64, name string) (*Checkpoint, error) {
	f, err := safetensors.Read(r, size)
	if err != nil {
		return nil, fmt.Errorf("model: read checkpoint %s: %w", name, err)
	}
	ck, err := checkpointFrom(f)
	if err != nil {
		return nil, fmt.Errorf("model: read checkpoint %s: %w", name, err)
	}
	return ck, nil
}

func checkpointFrom(f *safetensors.File) (*Checkpoint, error) {
	md := f.Metadata
	if md["format"] != checkpointFormat {
		return nil, fmt.Errorf("not a latentlab checkpoint (metadata format = %q, want %q)", md["format"], checkpointFormat)
	}
	v, err := strconv.Atoi(md["format_version"])
	if err != nil || v < 1 {
		return nil, fmt.Errorf("format_version = %q is not a positive integer", md["format_version"])
	}
	if v > checkpointVersion {
		return nil, fmt.Errorf("format_version %d is newer than this latentlab reads (%d); update latentlab", v, checkpointVersion)
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
	if ck.state.Step < 0 || ck.state.Epoch < 0 || ck.state.Batch < 0 {
		return nil, fmt.Errorf("metadata state has negative counters (step %d, epoch %d, batch %d)", ck.state.Step, ck.state.Epoch, ck.state.Batch)
	}
	for i := range f.Tensors {
		ck.tensors[f.Tensors[i].Name] = &f.Tensors[i]
	}
	// Every parameter must be there, F32, with its shape and finite values.
	var errs []error
	for _, l := range archOf(ck.Config).all() {
		for _, want := range []struct {
			name  string
			shape []int
		}{{l.weight(), []int{l.In, l.Out}}, {l.bias(), []int{l.Out}}} {
			if err := ck.checkTensor(want.name, want.shape); err != nil {
				errs = append(errs, err)
			}
		}
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("weights do not fit the %s config (latent_dim %d, hidden %v): %w", ck.Config.Kind, ck.Config.LatentDim, ck.Config.Hidden, errors.Join(errs...))
	}
	return ck, nil
}

func (ck *Checkpoint) checkTensor(name string, shape []int) error {
	t, ok := ck.tensors[name]
	if !ok {
		return fmt.Errorf("tensor %s is missing", name)
	}
	if t.DType != safetensors.F32 {
		return fmt.Errorf("tensor %s has dtype %s, want F32", name, t.DType)
	}
	if !equalShape(t.Shape, shape) {
		return fmt.Errorf("tensor %s has shape %v, want %v", name, t.Shape, shape)
	}
	for i, x := range t.F32 {
		if x-x != 0 {
			return fmt.Errorf("tensor %s has a non-finite value %v at element %d", name, x, i)
		}
	}
	return nil
}

func equalShape(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// Snapshot returns the checkpoint's weights as a Snapshot for decoding and
// evaluation.
func (ck *Checkpoint) Snapshot() *Snapshot {
	p := ck.paramSet(tensor.Float64)
	return newSnapshot(ck.Config, p, ck.state.Step, ck.state.Epoch)
}

func (ck *Checkpoint) paramSet(dt tensor.Dtype) *paramSet {
	p := &paramSet{tensors: map[string]*tensor.Dense{}}
	for _, l := range archOf(ck.Config).all() {
		for _, name := range []string{l.weight(), l.bias()} {
			src := ck.tensors[name]
			t := tensor.New(tensor.Of(dt), tensor.WithShape(src.Shape...))
			setFloat64s(t, float32sTo64(src.F32))
			p.names = append(p.names, name)
			p.tensors[name] = t
		}
	}
	return p
}

func float32sTo64(src []float32) []float64 {
	out := make([]float64, len(src))
	for i, v := range src {
		out[i] = float64(v)
	}
	return out
}

// NewTrainerFromCheckpoint rebuilds a trainer from a checkpoint, with its
// weights, optimizer moments and progress, to go on training on train (and
// validate on val). The data must have the checkpoint's image size.
func NewTrainerFromCheckpoint(ck *Checkpoint, train, val *dataset.Set) (*Trainer, error) {
	if train != nil && (train.Rows != ck.Config.ImageRows || train.Cols != ck.Config.ImageCols) {
		return nil, fmt.Errorf("model: checkpoint was trained on %dx%d images; this data has %dx%d", ck.Config.ImageRows, ck.Config.ImageCols, train.Rows, train.Cols)
	}
	t, err := NewTrainer(ck.Config, train, val)
	if err != nil {
		return nil, err
	}
	for _, name := range t.params.names {
		setFloat64s(t.params.tensors[name], float32sTo64(ck.tensors[name].F32))
	}
	for role, o := range t.optimizers() {
		o.steps = ck.state.OptimizerSteps[role]
		for name := range o.m {
			for prefix, dst := range map[string]*tensor.Dense{"optimizer.m.": o.m[name], "optimizer.v.": o.v[name]} {
				src, ok := ck.tensors[prefix+name]
				if !ok || src.DType != safetensors.F32 || !equalShape(src.Shape, dst.Shape()) {
					t.Close()
					return nil, fmt.Errorf("model: checkpoint optimizer state %s%s is missing or has the wrong shape", prefix, name)
				}
				setFloat64s(dst, float32sTo64(src.F32))
			}
		}
	}
	st := ck.state
	if st.Batch >= t.batches() {
		st.Batch = 0
	}
	t.step, t.epoch, t.batch, t.badEpochs, t.stopped = st.Step, st.Epoch, st.Batch, st.BadEpochs, st.Stopped
	t.trainSeconds, t.samples = st.TrainSeconds, st.Samples
	if st.BestValLoss != nil {
		t.bestVal = *st.BestValLoss
	}
	t.publish()
	t.setProgress(Event{Model: t.cfg.Kind, Step: t.step, Epoch: t.epoch, Batch: t.batch, Batches: t.batches()})
	return t, nil
}

// SaveWeights writes the checkpoint without its optimizer moments: a third
// of the size, enough to decode, evaluate and classify, not to resume
// training exactly. The write is atomic.
func (ck *Checkpoint) SaveWeights(path string) error {
	f := &safetensors.File{Metadata: checkpointMetadata(ck.Config, ck.state)}
	f.Metadata["weights_only"] = "true"
	for _, l := range archOf(ck.Config).all() {
		for _, name := range []string{l.weight(), l.bias()} {
			f.Tensors = append(f.Tensors, *ck.tensors[name])
		}
	}
	if err := writeCheckpointFile(path, f); err != nil {
		return fmt.Errorf("model: save weights %s: %w", path, err)
	}
	return nil
}
