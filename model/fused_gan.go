package model

import (
	"math"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"latentlab/model/kernel"
)

// The GAN's fused output op: the generator's logits to pixels centred to
// [-1, 1] (2 sigmoid(l) - 1), as the discriminator reads them, in one pass
// instead of a sigmoid, a product and a difference and their gradients.

// fusedCentredSigmoid returns 2 sigmoid(l) - 1.
func fusedCentredSigmoid(l *G.Node) *G.Node {
	return G.Must(G.ApplyOp(centredSigmoidOp{newOpBase("CentredSigmoid")}, l))
}

type centredSigmoidOp struct{ opBase }

func (o centredSigmoidOp) Arity() int         { return 1 }
func (o centredSigmoidOp) Type() hm.Type      { return hm.NewFnType(matrixType, matrixType) }
func (o centredSigmoidOp) DiffWRT(int) []bool { return []bool{true} }

func (o centredSigmoidOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s, err := shapes(o.String(), in, 2)
	if err != nil {
		return nil, err
	}
	return s[0].Clone(), nil
}

func (o centredSigmoidOp) Do(vs ...G.Value) (G.Value, error) {
	ts, err := denses(o.String(), vs, 1)
	if err != nil {
		return nil, err
	}
	return o.doWith(o, ts[0].Dtype(), ts[0].Shape(), vs)
}

func (o centredSigmoidOp) UsePreallocDo(prealloc G.Value, vs ...G.Value) (G.Value, error) {
	ts, err := denses(o.String(), vs, 1)
	if err != nil {
		return nil, err
	}
	out, err := target(o.String(), prealloc, ts[0].Dtype(), ts[0].Shape()...)
	if err != nil {
		return nil, err
	}
	switch ld := ts[0].Data().(type) {
	case []float32:
		kernel.CentredSigmoid(ld, out.Data().([]float32))
	case []float64:
		od := out.Data().([]float64)
		for i, l := range ld {
			od[i] = 2/(1+math.Exp(-l)) - 1
		}
	default:
		return nil, errDtype
	}
	return out, nil
}

// SymDiff: dc/dl = 2 sigmoid(l) (1 - sigmoid(l)), taken from the logits
// (from the output c it would be (1 - c^2) / 2, which rounds to 0 once c
// rounds to ±1).
func (o centredSigmoidOp) SymDiff(in G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	d, err := G.ApplyOp(centredSigmoidGradOp{newOpBase("CentredSigmoidGrad")}, in[0], grad)
	if err != nil {
		return nil, err
	}
	return G.Nodes{d}, nil
}

// centredSigmoidGradOp is centredSigmoidOp's gradient: its inputs are the
// logits and the gradient with respect to the output.
type centredSigmoidGradOp struct{ opBase }

func (o centredSigmoidGradOp) Arity() int    { return 2 }
func (o centredSigmoidGradOp) Type() hm.Type { return hm.NewFnType(matrixType, matrixType, matrixType) }

func (o centredSigmoidGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s, err := shapes(o.String(), in, 2, 2)
	if err != nil {
		return nil, err
	}
	return s[0].Clone(), nil
}

func (o centredSigmoidGradOp) Do(vs ...G.Value) (G.Value, error) {
	ts, err := denses(o.String(), vs, 2)
	if err != nil {
		return nil, err
	}
	return o.doWith(o, ts[0].Dtype(), ts[0].Shape(), vs)
}

func (o centredSigmoidGradOp) UsePreallocDo(prealloc G.Value, vs ...G.Value) (G.Value, error) {
	ts, err := denses(o.String(), vs, 2)
	if err != nil {
		return nil, err
	}
	out, err := target(o.String(), prealloc, ts[0].Dtype(), ts[0].Shape()...)
	if err != nil {
		return nil, err
	}
	switch ld := ts[0].Data().(type) {
	case []float32:
		kernel.CentredSigmoidGrad(ld, ts[1].Data().([]float32), out.Data().([]float32))
	case []float64:
		gd, od := ts[1].Data().([]float64), out.Data().([]float64)
		for i, l := range ld {
			e := math.Exp(-math.Abs(l))
			od[i] = gd[i] * 2 * e / ((1 + e) * (1 + e))
		}
	default:
		return nil, errDtype
	}
	return out, nil
}
