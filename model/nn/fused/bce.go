package fused

import (
	"fmt"
	"latentlab/model/nn"
	"latentlab/model/nn/op"
	"math"

	G "gorgonia.org/gorgonia"
)

// WeightedBCE returns sum_i w_i sum_j [softplus(l_ij) - t l_ij]: the binary
// cross-entropy of sigmoid(logits) against the constant target t, weighted
// per row. The GAN's losses are made of it (Goodfellow et al. 2014): the
// discriminator's BCE(t, D(x)) + BCE(0, D(G(z))) and the generator's
// non-saturating BCE(1, D(G(z))) = softplus(-D(G(z))).
func WeightedBCE(logits, w *G.Node, t float64) *G.Node {
	return G.Must(G.ApplyOp(weightedBCEOp{op.NewBase(fmt.Sprintf("WeightedBCE(%g)", t), op.Sig(0, 2, 1)), t}, logits, w))
}

type weightedBCEOp struct {
	op.Base
	target float64
}

func (o weightedBCEOp) DiffWRT(int) []bool { return []bool{true, false} }

func (o weightedBCEOp) Do(vs ...G.Value) (G.Value, error) {
	return o.ScalarSum(vs, 2,
		func(d [][]float32) float64 { return weightedBCE(d[0], d[1], o.target) },
		func(d [][]float64) float64 { return weightedBCE(d[0], d[1], o.target) })
}

// weightedBCE is sum_ij w_i [softplus(l_ij) - t l_ij], in float64.
func weightedBCE[T op.Float](l, w []T, t float64) float64 {
	cols := len(l) / len(w)
	sum := 0.0
	for i, v := range l {
		x := float64(v)
		sum += float64(w[i/cols]) * (nn.Softplus(x) - t*x)
	}
	return sum
}

// SymDiff: d/dl_ij = g w_i (sigmoid(l_ij) - t).
func (o weightedBCEOp) SymDiff(in G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	d, err := G.ApplyOp(weightedBCEGradOp{op.NewBase(fmt.Sprintf("WeightedBCEGrad(%g)", o.target), op.Sig(2, 2, 1, 0)), o.target},
		in[0], in[1], grad)
	if err != nil {
		return nil, err
	}
	return G.Nodes{d, nil}, nil
}

// weightedBCEGradOp is weightedBCEOp's gradient with respect to the logits.
type weightedBCEGradOp struct {
	op.Base
	target float64
}

func (o weightedBCEGradOp) Do(vs ...G.Value) (G.Value, error) { return o.DoLikeFirst(o, vs) }

func (o weightedBCEGradOp) UsePreallocDo(prealloc G.Value, vs ...G.Value) (G.Value, error) {
	return o.ElementwiseGrad(prealloc, vs, 2,
		func(d [][]float32, g float64) { weightedBCEGrad(d[0], d[1], g, o.target, d[2]) },
		func(d [][]float64, g float64) { weightedBCEGrad(d[0], d[1], g, o.target, d[2]) })
}

// weightedBCEGrad sets out_ij = g w_i (sigmoid(l_ij) - t), computed in
// float64.
func weightedBCEGrad[T op.Float](l, w []T, g, t float64, out []T) {
	cols := len(l) / len(w)
	for i, v := range l {
		out[i] = T(g * float64(w[i/cols]) * (1/(1+math.Exp(-float64(v))) - t))
	}
}
