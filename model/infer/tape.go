package infer

import (
	"fmt"

	"latentlab/model/nn"
)

// tape is a decoder's float32 forward pass over a few rows that keeps
// every layer's output, so that a gradient can run back through the layers
// (nn.Backer) to z: reverse-mode differentiation of the snapshot's own
// pass, with no graph. It is for one goroutine.
type tape struct {
	stages []stage
	n, d   int
	z      []float32   // the rows of z
	outs   [][]float32 // outs[i]: stage i's output, n x Out
	grad   [2][]float32
	tmp    []float32
}

// newTape returns a tape for n rows through the snapshot's decoder, or an
// error if a layer of it has no input gradient.
func (s *Snapshot) newTape(n int) (*tape, error) {
	t := &tape{stages: s.decoder, n: n, d: s.LatentDim(), z: make([]float32, n*s.LatentDim())}
	for _, st := range s.decoder {
		if _, ok := st.layer.(nn.Backer); !ok {
			return nil, fmt.Errorf("infer: the %s's layer %s has no input gradient", s.config.Kind, st.layer.Name())
		}
		t.outs = append(t.outs, make([]float32, n*st.layer.Out()))
	}
	return t, nil
}

// forward runs the rows z (n x d) through the decoder and returns the
// last layer's output, the pixels' logits (n x Pixels), which the tape
// keeps until the next forward.
func (t *tape) forward(z []float64) []float32 {
	for i, v := range z {
		t.z[i] = float32(v)
	}
	x := t.z
	for i, st := range t.stages {
		st.layer.Forward(st.w, t.outs[i], x, t.n, &t.tmp)
		x = t.outs[i]
	}
	return x
}

// back returns the gradient with respect to z (n x d) of a function whose
// gradient with respect to the last forward's logits is dLogits, which it
// overwrites. The result is the tape's until the next back.
func (t *tape) back(dLogits []float32) []float32 {
	dy := dLogits
	for i := len(t.stages) - 1; i >= 0; i-- {
		st := t.stages[i]
		in := t.d * t.n
		if i > 0 {
			in = len(t.outs[i-1])
		}
		dx := nn.Grow(t.grad[i%2], in)
		t.grad[i%2] = dx
		st.layer.(nn.Backer).Back(st.w, dx, dy, t.outs[i], t.n, &t.tmp)
		dy = dx
	}
	return dy
}
