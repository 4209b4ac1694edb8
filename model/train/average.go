package train

import (
	"slices"

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
// Progressive GAN). Only the training goroutine touches it.
type average struct {
	names   []string             // the averaged parameters, in order
	values  map[string][]float32 // their averages, in float32 as checkpoints keep them, so a resumed run goes on exactly
	updates int64                // updates folded in, for the warm-up
}

// newAverage starts an average of the named parameters of p at their
// current values.
func newAverage(p *nn.ParamSet, names []string) *average {
	a := &average{names: slices.Clone(names), values: map[string][]float32{}}
	for _, name := range names {
		a.values[name] = p.Float32s(name)
	}
	return a
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
	}
	return w.params.Float32s(name)
}
