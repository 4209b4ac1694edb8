package train

import (
	"slices"

	"latentlab/model"
	"latentlab/model/infer"
	"latentlab/model/nn"
)

// averageWarmup sets how fast the average's decay rises to the configured
// one: after n updates it is at most (1+n)/(averageWarmup+n), as in
// TensorFlow's ExponentialMovingAverage with num_updates, so that the
// first updates do not hold on to the random initial weights.
const averageWarmup = 10

// average is an exponential moving average of some parameters: for a GAN,
// the generator's weights, averaged over its updates. Decoding with the
// average instead of the last weights gives samples of markedly better
// quality at no cost to training (Yazıcı et al. 2019, "The Unusual
// Effectiveness of Averaging in GAN Training"; Karras et al. 2018 use it in
// Progressive GAN). It is touched under the trainer's lock.
//
// The generator's batch norm layers keep running statistics of the last
// weights, which do not fit their average: the average gets its own,
// recomputed over a pass of the averaged generator (nn.Recalibrator) every
// recalibrateEvery steps, and whenever it is saved.
type average struct {
	names   []string             // the averaged parameters, in order
	values  map[string][]float32 // their averages, in float32 as checkpoints keep them, so a resumed run goes on exactly
	updates int64                // updates folded in, for the warm-up

	buffers   []string             // the generator's running statistics, which the average has its own of
	stats     map[string][]float32 // the average's statistics; nil until first recalibrated
	statsStep int64                // the step they were computed at
}

// The average's recalibration: over a pass of recalibrationRows draws from
// the prior, every recalibrateEvery steps. The average moves slowly (a
// decay of 0.999 spans 1,000 steps), and so do its statistics, except at
// the start of a run, where they are recomputed each time the step count
// has doubled (steps 1, 2, 4, ... 256). For the
// DCGAN's generator a pass takes about as long as two training steps
// (infer's BenchmarkPopulationStatistics), under 0.5% of training; its
// 256 x 7 x 7 and 256 x 14 x 14 values per channel pin each mean and
// variance down to about 1%.
const (
	recalibrateEvery  = 500
	recalibrationRows = 256
)

// newAverage starts an average of the named parameters of p at their
// current values, with its own copy of the buffers' statistics.
func newAverage(p *nn.ParamSet, names, buffers []string) *average {
	a := &average{names: slices.Clone(names), values: map[string][]float32{}, buffers: slices.Clone(buffers)}
	for _, name := range names {
		a.values[name] = p.Float32s(name)
	}
	return a
}

// recalibratedBuffers names the running statistics of the generator's
// Recalibrator layers (batch norm) in the architecture c implies.
func recalibratedBuffers(c model.Config) []string {
	var out []string
	for _, l := range model.ArchitectureOf(c).Decoder {
		if _, ok := l.(nn.Recalibrator); ok {
			for _, prm := range l.Params() {
				if prm.Buffer {
					out = append(out, prm.Name)
				}
			}
		}
	}
	return out
}

// savedBehind names what a checkpoint saves behind the average, for
// training to go on from: the weights the average replaces in its
// parameters, and the running statistics its own statistics replace.
func (a *average) savedBehind() []string { return slices.Concat(a.names, a.buffers) }

// statsDue says whether the average's statistics are to be recomputed at
// step: never computed, recalibrateEvery steps old, the step count doubled
// since (early in a run), or last needs the statistics of this very step
// (the end of training, a save).
func (a *average) statsDue(step int64, last bool) bool {
	if len(a.buffers) == 0 {
		return false
	}
	age := step - a.statsStep
	return a.stats == nil || age >= min(recalibrateEvery, max(a.statsStep, 1)) || (last && age != 0)
}

// recalibrate recomputes the average's statistics at step, over
// recalibrationRows draws seeded by the run's seed and the step, so that a
// run and its resumption save the same ones.
func (a *average) recalibrate(c model.Config, p *nn.ParamSet, step int64) {
	a.stats = infer.PopulationStatistics(c, averagedWeights{p, a}, recalibrationRows, c.Seed^(uint64(step)*0x9e3779b97f4a7c15))
	a.statsStep = step
}

// update folds the parameters' current values into the average:
// avg = d avg + (1 - d) w, with d the smaller of decay and the warm-up's
// (1+n)/(averageWarmup+n) after n updates.
func (a *average) update(p *nn.ParamSet, decay float64) {
	n := float64(a.updates)
	d := min(decay, (1+n)/(averageWarmup+n))
	for _, name := range a.names {
		avg := a.values[name]
		switch w := p.Tensor(name).Data().(type) {
		case []float32:
			for i, v := range w {
				avg[i] = float32(float64(avg[i]) + (1-d)*(float64(v)-float64(avg[i])))
			}
		case []float64:
			for i, v := range w {
				avg[i] = float32(float64(avg[i]) + (1-d)*(v-float64(avg[i])))
			}
		}
	}
	a.updates++
}

// averagedWeights reads a ParamSet's weights with the averaged ones in
// place of theirs: what a Snapshot and a checkpoint's parameters hold.
type averagedWeights struct {
	params *nn.ParamSet
	avg    *average // nil: the weights as they are
}

// Float32s returns a copy of the named parameter's average if it is
// averaged, else of its value.
func (w averagedWeights) Float32s(name string) []float32 {
	if w.avg != nil {
		if v, ok := w.avg.values[name]; ok {
			return slices.Clone(v)
		}
		if v, ok := w.avg.stats[name]; ok {
			return slices.Clone(v)
		}
	}
	return w.params.Float32s(name)
}
