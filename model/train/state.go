package train

import (
	"fmt"
	"maps"
	"math"
	"slices"

	"gorgonia.org/tensor"

	"latentlab/model"
	"latentlab/model/dataset"
	"latentlab/model/nn"
)

// State is a trainer's progress besides its weights, as checkpoints keep
// it (as JSON).
type State struct {
	Step           int64            `json:"step"`
	Epoch          int              `json:"epoch"`
	Batch          int              `json:"batch"`
	OptimizerSteps map[string]int64 `json:"optimizer_steps"`
	BestValLoss    *float64         `json:"best_val_loss,omitempty"`
	BadEpochs      int              `json:"bad_epochs"`
	Stopped        bool             `json:"stopped"`
	TrainSeconds   float64          `json:"train_seconds"`
	Samples        int64            `json:"samples"`
	AverageUpdates int64            `json:"average_updates,omitempty"` // updates folded into the generator's average
}

// Tensor is a named float32 tensor of a saved trainer.
type Tensor struct {
	Name  string
	Shape []int
	Data  []float32
}

// MomentPrefixes start the names of the optimizers' saved moments:
// "optimizer.m.<param>" and "optimizer.v.<param>".
var MomentPrefixes = [2]string{"optimizer.m.", "optimizer.v."}

// WeightsPrefix starts the name of a saved weight that training goes on
// from where the parameter itself holds its average (a GAN's generator
// with Config.GeneratorAverage): "optimizer.w.<param>". Like the moments,
// it is optimizer state: whoever decodes reads the parameter.
const WeightsPrefix = "optimizer.w."

// StatePrefixes start the names of every kind of saved optimizer state
// of a parameter: its moments and the weights behind its average.
var StatePrefixes = [3]string{MomentPrefixes[0], MomentPrefixes[1], WeightsPrefix}

// Save returns a copy of everything needed to resume the trainer exactly:
// its config, its state, and its tensors (the parameters in order, the
// generator's averaged ones as their average; then each optimizer's
// moments, and the weights behind the averages). It waits for the current
// step to finish.
func (t *Trainer) Save() (model.Config, State, []Tensor) {
	t.mu.Lock()
	defer t.mu.Unlock()
	st := State{Step: t.step, Epoch: t.epoch, Batch: t.batch, BadEpochs: t.badEpochs, Stopped: t.stopped,
		OptimizerSteps: map[string]int64{}, TrainSeconds: t.trainSeconds, Samples: t.samples}
	if !math.IsInf(t.bestVal, 0) {
		v := t.bestVal
		st.BestValLoss = &v
	}
	var out []Tensor
	if t.avg != nil && t.avg.statsDue(t.step, true) {
		t.avg.recalibrate(t.cfg, t.params, t.step)
	}
	weights := averagedWeights{t.params, t.avg}
	for _, p := range t.params.Specs() {
		out = append(out, Tensor{Name: p.Name, Shape: slices.Clone(p.Shape), Data: weights.Float32s(p.Name)})
	}
	opts := t.optimizers()
	for _, role := range slices.Sorted(maps.Keys(opts)) {
		o := opts[role]
		st.OptimizerSteps[role] = o.steps
		for _, p := range t.params.Specs() {
			if m, ok := o.m[p.Name]; ok {
				out = append(out, tensorOf(MomentPrefixes[0]+p.Name, m), tensorOf(MomentPrefixes[1]+p.Name, o.v[p.Name]))
			}
		}
	}
	if t.avg != nil {
		st.AverageUpdates = t.avg.updates
		for _, name := range t.avg.savedBehind() {
			out = append(out, tensorOf(WeightsPrefix+name, t.params.Tensor(name)))
		}
	}
	return t.cfg, st, out
}

func tensorOf(name string, t *tensor.Dense) Tensor {
	return Tensor{Name: name, Shape: slices.Clone(t.Shape()), Data: nn.Float32s(t)}
}

// optimizers names the trainer's optimizers by role.
func (t *Trainer) optimizers() map[string]*optimizer {
	if t.cfg.Kind == model.KindGAN {
		return map[string]*optimizer{"discriminator": t.optD, "generator": t.optG}
	}
	return map[string]*optimizer{"model": t.opt}
}

// Restore rebuilds a trainer from what Save returned (tensors by name), to
// go on training on train (and validate on val) exactly where it stopped.
// The data must have the config's image size; every parameter and moment
// must be there with its shape. With freshOptimizer, the optimizers' moments
// are not read and start from zero: weights saved without them train on,
// though not as the run that made them would have.
func Restore(cfg model.Config, st State, tensors map[string]Tensor, train, val *dataset.Set, freshOptimizer bool) (*Trainer, error) {
	if train != nil && (train.Rows != cfg.ImageRows || train.Cols != cfg.ImageCols) {
		return nil, fmt.Errorf("train: the model was trained on %dx%d images; this data has %dx%d", cfg.ImageRows, cfg.ImageCols, train.Rows, train.Cols)
	}
	t, err := NewTrainer(cfg, train, val)
	if err != nil {
		return nil, err
	}
	set := func(what, name string, dst *tensor.Dense) error { return setSaved(tensors, what, name, dst) }
	for _, p := range t.params.Specs() {
		if err := set("parameter", p.Name, t.params.Tensor(p.Name)); err != nil {
			t.Close()
			return nil, err
		}
	}
	if err := t.restoreAverage(st, tensors, freshOptimizer); err != nil {
		t.Close()
		return nil, err
	}
	for role, o := range t.optimizers() {
		if freshOptimizer {
			break
		}
		o.steps = st.OptimizerSteps[role]
		for name := range o.m {
			if err := set("optimizer state", MomentPrefixes[0]+name, o.m[name]); err != nil {
				t.Close()
				return nil, err
			}
			if err := set("optimizer state", MomentPrefixes[1]+name, o.v[name]); err != nil {
				t.Close()
				return nil, err
			}
		}
	}
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

// setSaved sets dst to the saved tensor name, which must be there with
// dst's shape; what names it in the error.
func setSaved(tensors map[string]Tensor, what, name string, dst *tensor.Dense) error {
	src, ok := tensors[name]
	if !ok || !slices.Equal(src.Shape, dst.Shape()) || len(src.Data) != dst.Shape().TotalSize() {
		return fmt.Errorf("train: saved %s %s is missing or has the wrong shape (want %v)", what, name, dst.Shape())
	}
	nn.SetValues(dst, src.Data)
	return nil
}

// restoreAverage reads the generator's average back: the saved parameters
// are the average (with its own batch norm statistics), and the weights
// and running statistics behind it are under WeightsPrefix. When
// those are missing (weights alone, or a run saved before averaging was on),
// training goes on from the saved parameters and the average starts there.
func (t *Trainer) restoreAverage(st State, tensors map[string]Tensor, freshOptimizer bool) error {
	if t.avg == nil {
		return nil
	}
	t.avg = newAverage(t.params, t.avg.names, t.avg.buffers) // the saved parameters
	if freshOptimizer {
		return nil
	}
	for _, name := range t.avg.names {
		if _, ok := tensors[WeightsPrefix+name]; !ok {
			return nil
		}
	}
	for _, name := range t.avg.savedBehind() {
		if _, ok := tensors[WeightsPrefix+name]; !ok && slices.Contains(t.avg.buffers, name) {
			continue // saved before the average had statistics of its own
		}
		if err := setSaved(tensors, "weights", WeightsPrefix+name, t.params.Tensor(name)); err != nil {
			return err
		}
	}
	t.avg.updates = st.AverageUpdates
	return nil
}
