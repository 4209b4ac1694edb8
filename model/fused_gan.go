package model

import (
	"fmt"
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
	return shapeOfFirst(o.String(), in, 1, 2)
}

func (o centredSigmoidOp) Do(vs ...G.Value) (G.Value, error) { return o.doLikeFirst(o, vs) }

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
	return shapeOfFirst(o.String(), in, 2, 2, 2)
}

func (o centredSigmoidGradOp) Do(vs ...G.Value) (G.Value, error) { return o.doLikeFirst(o, vs) }

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

// fusedWeightedBCE returns sum_i w_i sum_j [softplus(l_ij) - t l_ij]: the
// binary cross-entropy of sigmoid(logits) against the constant target t,
// weighted per row. It replaces the GAN losses' chains of softplus,
// product, difference and sums (and their gradients) with one op.
func fusedWeightedBCE(logits, w *G.Node, t float64) *G.Node {
	return G.Must(G.ApplyOp(weightedBCEOp{newOpBase(fmt.Sprintf("WeightedBCE(%g)", t)), t}, logits, w))
}

type weightedBCEOp struct {
	opBase
	target float64
}

func (o weightedBCEOp) Arity() int { return 2 }
func (o weightedBCEOp) Type() hm.Type {
	return hm.NewFnType(matrixType, vectorType, hm.TypeVariable('a'))
}
func (o weightedBCEOp) DiffWRT(int) []bool { return []bool{true, false} }

func (o weightedBCEOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s, err := shapes(o.String(), in, 2, 1)
	if err != nil {
		return nil, err
	}
	if s[0][0] != s[1][0] {
		return nil, fmt.Errorf("%s: logits %v, row weights %v", o, s[0], s[1])
	}
	return tensor.ScalarShape(), nil
}

func (o weightedBCEOp) Do(vs ...G.Value) (G.Value, error) {
	ts, err := denses(o.String(), vs, 2)
	if err != nil {
		return nil, err
	}
	cols := ts[0].Shape()[1]
	var sum float64
	switch ts[0].Dtype() {
	case tensor.Float32:
		sum = weightedBCE(ts[0].Data().([]float32), ts[1].Data().([]float32), cols, o.target)
	case tensor.Float64:
		sum = weightedBCE(ts[0].Data().([]float64), ts[1].Data().([]float64), cols, o.target)
	default:
		return nil, errDtype
	}
	return newScalar(ts[0].Dtype(), sum), nil
}

// weightedBCE is sum_ij w_i [softplus(l_ij) - t l_ij], in float64.
func weightedBCE[T float](l, w []T, cols int, t float64) float64 {
	sum := 0.0
	for i, v := range l {
		x := float64(v)
		sum += float64(w[i/cols]) * (softplus(x) - t*x)
	}
	return sum
}

// SymDiff: d/dl_ij = g w_i (sigmoid(l_ij) - t).
func (o weightedBCEOp) SymDiff(in G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	d, err := G.ApplyOp(weightedBCEGradOp{newOpBase(fmt.Sprintf("WeightedBCEGrad(%g)", o.target)), o.target},
		in[0], in[1], grad)
	if err != nil {
		return nil, err
	}
	return G.Nodes{d, nil}, nil
}

// weightedBCEGradOp is weightedBCEOp's gradient with respect to the logits.
type weightedBCEGradOp struct {
	opBase
	target float64
}

func (o weightedBCEGradOp) Arity() int { return 3 }
func (o weightedBCEGradOp) Type() hm.Type {
	return hm.NewFnType(matrixType, vectorType, hm.TypeVariable('a'), matrixType)
}

func (o weightedBCEGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	return shapeOfFirst(o.String(), in, 3, 2, 1)
}

func (o weightedBCEGradOp) Do(vs ...G.Value) (G.Value, error) { return o.doLikeFirst(o, vs) }

func (o weightedBCEGradOp) UsePreallocDo(prealloc G.Value, vs ...G.Value) (G.Value, error) {
	ts, g, err := tensorsAndGrad(o.String(), vs, 2)
	if err != nil {
		return nil, err
	}
	out, err := target(o.String(), prealloc, ts[0].Dtype(), ts[0].Shape()...)
	if err != nil {
		return nil, err
	}
	cols := ts[0].Shape()[1]
	switch ts[0].Dtype() {
	case tensor.Float32:
		weightedBCEGrad(ts[0].Data().([]float32), ts[1].Data().([]float32), cols, g, o.target, out.Data().([]float32))
	case tensor.Float64:
		weightedBCEGrad(ts[0].Data().([]float64), ts[1].Data().([]float64), cols, g, o.target, out.Data().([]float64))
	default:
		return nil, errDtype
	}
	return out, nil
}

// weightedBCEGrad sets out_ij = g w_i (sigmoid(l_ij) - t), computed in
// float64.
func weightedBCEGrad[T float](l, w []T, cols int, g, t float64, out []T) {
	for i, v := range l {
		out[i] = T(g * float64(w[i/cols]) * (1/(1+math.Exp(-float64(v))) - t))
	}
}
