package fused

import (
	"math"

	G "gorgonia.org/gorgonia"

	"latentlab/model/kernel"
	"latentlab/model/nn"
	"latentlab/model/nn/op"
)

// WeightedRecon returns sum_i w_i sum_j [softplus(l_ij) - x_ij l_ij]: the
// summed binary cross-entropy of sigmoid(logits) against the images x,
// weighted per row, the reconstruction term of the AE's and VAE's losses
// (Kingma & Welling 2014, appendix C.1). In float32 the rows go through
// package kernel's vectorised cross-entropy.
func WeightedRecon(logits, x, w *G.Node) *G.Node {
	return G.Must(G.ApplyOp(weightedReconOp{op.NewBase("WeightedRecon", op.Sig(0, 2, 2, 1))}, logits, x, w))
}

type weightedReconOp struct{ op.Base }

func (o weightedReconOp) DiffWRT(int) []bool { return []bool{true, false, false} }

func (o weightedReconOp) Do(vs ...G.Value) (G.Value, error) {
	return o.ScalarSum(vs, 3, func(d [][]float32) float64 {
		l, x, w := d[0], d[1], d[2]
		rows := len(w)
		perRow := make([]float32, rows)
		kernel.BCERows(l, x, rows, len(l)/rows, perRow)
		sum := 0.0
		for r, wr := range w {
			sum += float64(wr) * float64(perRow[r])
		}
		return sum
	}, func(d [][]float64) float64 {
		l, x, w := d[0], d[1], d[2]
		cols := len(l) / len(w)
		sum := 0.0
		for i, v := range l {
			sum += w[i/cols] * (nn.Softplus(v) - x[i]*v)
		}
		return sum
	})
}

// SymDiff: d/dl_ij = g w_i (sigmoid(l_ij) - x_ij).
func (o weightedReconOp) SymDiff(in G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	d, err := G.ApplyOp(weightedReconGradOp{op.NewBase("WeightedReconGrad", op.Sig(2, 2, 2, 1, 0))}, in[0], in[1], in[2], grad)
	if err != nil {
		return nil, err
	}
	return G.Nodes{d, nil, nil}, nil
}

// weightedReconGradOp is weightedReconOp's gradient with respect to the
// logits, from (logits, x, w, g).
type weightedReconGradOp struct{ op.Base }

func (o weightedReconGradOp) Do(vs ...G.Value) (G.Value, error) { return o.DoLikeFirst(o, vs) }

func (o weightedReconGradOp) UsePreallocDo(prealloc G.Value, vs ...G.Value) (G.Value, error) {
	return o.ElementwiseGrad(prealloc, vs, 3, func(d [][]float32, g float64) {
		l, x, w, out := d[0], d[1], d[2], d[3]
		up := make([]float32, len(w))
		for r, wr := range w {
			up[r] = float32(g * float64(wr))
		}
		kernel.BCEGrad(l, x, up, len(w), len(l)/len(w), out)
	}, func(d [][]float64, g float64) {
		l, x, w, out := d[0], d[1], d[2], d[3]
		cols := len(l) / len(w)
		for i, v := range l {
			out[i] = g * w[i/cols] * (1/(1+math.Exp(-v)) - x[i])
		}
	})
}
