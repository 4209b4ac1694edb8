package fused

import (
	"math"

	G "gorgonia.org/gorgonia"

	"latentlab/model/kernel"
	"latentlab/model/nn/op"
)

// CentredSigmoid returns 2 sigmoid(l) - 1: the generator's logits as pixels
// centred to [-1, 1], as the discriminator reads them (the tanh outputs of
// Radford et al. 2016 are the same function of 2l), in one pass instead of
// a sigmoid, a product and a difference and their gradients.
func CentredSigmoid(l *G.Node) *G.Node {
	return G.Must(G.ApplyOp(centredSigmoidOp{op.NewBase("CentredSigmoid", op.Sig(2, 2))}, l))
}

type centredSigmoidOp struct{ op.Base }

func (o centredSigmoidOp) DiffWRT(int) []bool { return []bool{true} }

func (o centredSigmoidOp) Do(vs ...G.Value) (G.Value, error) { return o.DoLikeFirst(o, vs) }

func (o centredSigmoidOp) UsePreallocDo(prealloc G.Value, vs ...G.Value) (G.Value, error) {
	return o.Elementwise(prealloc, vs, 1,
		func(d [][]float32) { kernel.CentredSigmoid(d[0], d[1]) },
		func(d [][]float64) {
			for i, l := range d[0] {
				d[1][i] = 2/(1+math.Exp(-l)) - 1
			}
		})
}

// SymDiff: dc/dl = 2 sigmoid(l) (1 - sigmoid(l)), taken from the logits
// (from the output c it would be (1 - c^2) / 2, which rounds to 0 once c
// rounds to ±1).
func (o centredSigmoidOp) SymDiff(in G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	d, err := G.ApplyOp(centredSigmoidGradOp{op.NewBase("CentredSigmoidGrad", op.Sig(2, 2, 2))}, in[0], grad)
	if err != nil {
		return nil, err
	}
	return G.Nodes{d}, nil
}

// centredSigmoidGradOp is centredSigmoidOp's gradient: its inputs are the
// logits and the gradient with respect to the output.
type centredSigmoidGradOp struct{ op.Base }

func (o centredSigmoidGradOp) Do(vs ...G.Value) (G.Value, error) { return o.DoLikeFirst(o, vs) }

func (o centredSigmoidGradOp) UsePreallocDo(prealloc G.Value, vs ...G.Value) (G.Value, error) {
	return o.Elementwise(prealloc, vs, 2,
		func(d [][]float32) { kernel.CentredSigmoidGrad(d[0], d[1], d[2]) },
		func(d [][]float64) {
			for i, l := range d[0] {
				e := math.Exp(-math.Abs(l))
				d[2][i] = d[1][i] * 2 * e / ((1 + e) * (1 + e))
			}
		})
}
