package model

import (
	"fmt"
	"math"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"latentlab/model/kernel"
)

// The fused binary cross-entropy op and its gradient.

// bceRowsOp sums each row's binary cross-entropy of sigmoid(logits)
// against the target.
type bceRowsOp struct{ opBase }

func (o bceRowsOp) Arity() int         { return 2 }
func (o bceRowsOp) Type() hm.Type      { return hm.NewFnType(matrixType, matrixType, vectorType) }
func (o bceRowsOp) DiffWRT(int) []bool { return []bool{true, false} }

func (o bceRowsOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s, err := shapes(o.String(), in, 2, 2)
	if err != nil {
		return nil, err
	}
	if !s[0].Eq(s[1]) {
		return nil, fmt.Errorf("%s: logits %v, targets %v", o, s[0], s[1])
	}
	return tensor.Shape{s[0][0]}, nil
}

func (o bceRowsOp) Do(vs ...G.Value) (G.Value, error) {
	ts, err := denses(o.String(), vs, 2)
	if err != nil {
		return nil, err
	}
	return o.doWith(o, ts[0].Dtype(), tensor.Shape{ts[0].Shape()[0]}, vs)
}

func (o bceRowsOp) UsePreallocDo(prealloc G.Value, vs ...G.Value) (G.Value, error) {
	ts, err := denses(o.String(), vs, 2)
	if err != nil {
		return nil, err
	}
	rows, cols := ts[0].Shape()[0], ts[0].Shape()[1]
	out, err := target(o.String(), prealloc, ts[0].Dtype(), rows)
	if err != nil {
		return nil, err
	}
	switch ld := ts[0].Data().(type) {
	case []float32:
		kernel.BCERows(ld, ts[1].Data().([]float32), rows, cols, out.Data().([]float32))
	case []float64:
		td, od := ts[1].Data().([]float64), out.Data().([]float64)
		clear(od)
		for i, l := range ld {
			od[i/cols] += math.Max(l, 0) + math.Log1p(math.Exp(-math.Abs(l))) - td[i]*l
		}
	default:
		return nil, errDtype
	}
	return out, nil
}

func (o bceRowsOp) SymDiff(in G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	dl, err := G.ApplyOp(bceGradOp{newOpBase("BCEGrad")}, in[0], in[1], grad)
	if err != nil {
		return nil, err
	}
	return G.Nodes{dl, nil}, nil
}

// bceGradOp is bceRowsOp's gradient with respect to the logits.
type bceGradOp struct{ opBase }

func (o bceGradOp) Arity() int { return 3 }
func (o bceGradOp) Type() hm.Type {
	return hm.NewFnType(matrixType, matrixType, vectorType, matrixType)
}

func (o bceGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s, err := shapes(o.String(), in, 2, 2, 1)
	if err != nil {
		return nil, err
	}
	return s[0].Clone(), nil
}

func (o bceGradOp) Do(vs ...G.Value) (G.Value, error) {
	ts, err := denses(o.String(), vs, 3)
	if err != nil {
		return nil, err
	}
	return o.doWith(o, ts[0].Dtype(), ts[0].Shape(), vs)
}

func (o bceGradOp) UsePreallocDo(prealloc G.Value, vs ...G.Value) (G.Value, error) {
	ts, err := denses(o.String(), vs, 3)
	if err != nil {
		return nil, err
	}
	rows, cols := ts[0].Shape()[0], ts[0].Shape()[1]
	out, err := target(o.String(), prealloc, ts[0].Dtype(), rows, cols)
	if err != nil {
		return nil, err
	}
	switch ld := ts[0].Data().(type) {
	case []float32:
		kernel.BCEGrad(ld, ts[1].Data().([]float32), ts[2].Data().([]float32), rows, cols, out.Data().([]float32))
	case []float64:
		td, gd, od := ts[1].Data().([]float64), ts[2].Data().([]float64), out.Data().([]float64)
		for i, l := range ld {
			od[i] = gd[i/cols] * (1/(1+math.Exp(-l)) - td[i])
		}
	default:
		return nil, errDtype
	}
	return out, nil
}
