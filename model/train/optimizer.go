package train

import (
	"fmt"
	"math"

	"gorgonia.org/tensor"

	"latentlab/model"
	"latentlab/model/kernel"
	"latentlab/model/nn"
)

// optimizer updates parameters in place from the gradients left by a graph
// run. It keeps its moments in the parameters' dtype so that nothing is
// cloned per step, and exposes them for checkpoints.
//
//	Adam (Kingma & Ba 2015): m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2;
//	                         w -= lr mhat / (sqrt(vhat) + 1e-8)
//	RMSProp (Tieleman & Hinton 2012): v = b2 v + (1-b2) g^2; w -= lr g / (sqrt(v) + 1e-8)
//	SGD with momentum (as PyTorch): m = b1 m + g; w -= lr m
//
// Weight decay adds wd*w to the gradient of every parameter whose layer
// asks for it (nn.Param.Decay: weights, not biases).
type optimizer struct {
	rule        model.Optimizer
	beta1       float64
	beta2       float64
	weightDecay float64
	steps       int64                    // updates made, for Adam's bias correction
	m, v        map[string]*tensor.Dense // first and second moments by parameter name
	decay       map[string]bool          // whether weight decay applies, by parameter name
}

const optimizerEpsilon = 1e-8

func newOptimizer(c model.Config, p *nn.ParamSet, names []string) *optimizer {
	o := &optimizer{rule: c.Optimizer, beta1: c.Beta1, beta2: c.Beta2, weightDecay: c.WeightDecay,
		m: map[string]*tensor.Dense{}, v: map[string]*tensor.Dense{}, decay: map[string]bool{}}
	for _, spec := range p.Specs() {
		o.decay[spec.Name] = spec.Decay
	}
	for _, name := range names {
		t := p.Tensor(name)
		o.m[name] = tensor.New(tensor.Of(t.Dtype()), tensor.WithShape(t.Shape().Clone()...))
		o.v[name] = tensor.New(tensor.Of(t.Dtype()), tensor.WithShape(t.Shape().Clone()...))
	}
	return o
}

// step applies one update with learning rate lr to the parameters trained
// by s. It checks every gradient first: if one is NaN or Inf, nothing is
// changed and the error names the parameter. It returns an error too if an
// update leaves a weight that is not finite. The gradients are the graph's
// own tensors of the latest run (see gradSinkOp); nothing accumulates in
// them, so they need no zeroing.
func (o *optimizer) step(s *stepGraph, lr float64) error {
	for i, name := range s.names {
		g, err := s.gradient(i)
		if err != nil {
			return err
		}
		if j := firstNonFinite(g); j >= 0 { // before any weight changes
			return fmt.Errorf("gradient of %s is not finite at element %d", name, j)
		}
	}
	o.steps++
	bc1 := 1 - math.Pow(o.beta1, float64(o.steps))
	bc2 := 1 - math.Pow(o.beta2, float64(o.steps))
	h := hyper{rule: o.rule, lr: lr, b1: o.beta1, b2: o.beta2, bc1: bc1, bc2: bc2}
	var bad []string
	for i, name := range s.names {
		w := s.g.Params.Tensor(name)
		h.wd = 0
		if o.decay[name] {
			h.wd = o.weightDecay
		}
		var ok bool
		switch wd := w.Data().(type) {
		case []float32: // the training dtype: one fused, vectorised pass
			ok = updateFloat32(h, wd, s.grads[i].Data().([]float32), o.m[name].Data().([]float32), o.v[name].Data().([]float32))
		case []float64: // gradient checks against finite differences
			ok = update(h, wd, s.grads[i].Data().([]float64), o.m[name].Data().([]float64), o.v[name].Data().([]float64))
		}
		if !ok {
			bad = append(bad, name)
		}
	}
	if len(bad) > 0 {
		return fmt.Errorf("update left non-finite weights in %v (learning rate %g too high?)", bad, lr)
	}
	return nil
}

type hyper struct {
	rule                     model.Optimizer
	lr, b1, b2, bc1, bc2, wd float64
}

// updateFloat32 applies one step of h.rule to w in place with package
// kernel's fused loops (the same arithmetic as update) and reports whether
// every new weight is finite.
func updateFloat32(h hyper, w, g, m, v []float32) bool {
	switch h.rule {
	case model.Adam:
		return kernel.Adam(kernel.AdamHyper{Step: float32(h.lr / h.bc1), Beta1: float32(h.b1), Beta2: float32(h.b2),
			InvBC2: float32(1 / h.bc2), Eps: optimizerEpsilon, WeightDecay: float32(h.wd)}, w, g, m, v)
	case model.RMSProp:
		return kernel.RMSProp(float32(h.lr), float32(h.b2), optimizerEpsilon, float32(h.wd), w, g, v)
	default:
		return kernel.SGD(float32(h.lr), float32(h.b1), float32(h.wd), w, g, m)
	}
}

// update applies one step of h.rule to w in place and reports whether every
// new weight is finite.
func update[T float32 | float64](h hyper, w, g, m, v []T) bool {
	lr, b1, b2, wd := T(h.lr), T(h.b1), T(h.b2), T(h.wd)
	eps := T(optimizerEpsilon)
	switch h.rule {
	case model.Adam:
		stepSize := T(h.lr / h.bc1)
		invBC2 := T(1 / h.bc2)
		for i := range w {
			gi := g[i] + wd*w[i]
			m[i] = b1*m[i] + (1-b1)*gi
			v[i] = b2*v[i] + (1-b2)*gi*gi
			w[i] -= stepSize * m[i] / (T(math.Sqrt(float64(v[i]*invBC2))) + eps)
		}
	case model.RMSProp:
		for i := range w {
			gi := g[i] + wd*w[i]
			v[i] = b2*v[i] + (1-b2)*gi*gi
			w[i] -= lr * gi / (T(math.Sqrt(float64(v[i]))) + eps)
		}
	default: // SGD with momentum
		for i := range w {
			gi := g[i] + wd*w[i]
			m[i] = b1*m[i] + gi
			w[i] -= lr * m[i]
		}
	}
	return kernel.FirstNonFiniteOf(w) < 0
}

// firstNonFinite returns the index of the first NaN or Inf in a float32 or
// float64 tensor, or -1.
func firstNonFinite(t *tensor.Dense) int {
	switch d := t.Data().(type) {
	case []float32:
		return kernel.FirstNonFiniteOf(d)
	case []float64:
		return kernel.FirstNonFiniteOf(d)
	}
	return -1
}
