package model

import (
	"fmt"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"latentlab/model/kernel"
)

// The fused dense-layer ops: bias plus activation, and its gradients.

// newBiasActOp returns the op act(x + b) for the given negative slope.
func newBiasActOp(slope float64) biasActOp {
	return biasActOp{opBase{fmt.Sprintf("BiasAct(%g)", slope)}, slope}
}

// biasActOp computes act(x + b) with act(v) = v for v > 0, slope*v otherwise.
type biasActOp struct {
	opBase
	slope float64
}

func (o biasActOp) Arity() int         { return 2 }
func (o biasActOp) Type() hm.Type      { return hm.NewFnType(matrixType, vectorType, matrixType) }
func (o biasActOp) DiffWRT(int) []bool { return []bool{true, true} }

func (o biasActOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s, err := shapes(o.String(), in, 2, 1)
	if err != nil {
		return nil, err
	}
	if s[0][1] != s[1][0] {
		return nil, fmt.Errorf("%s: %v plus a bias of %v", o, s[0], s[1])
	}
	return s[0].Clone(), nil
}

func (o biasActOp) Do(vs ...G.Value) (G.Value, error) {
	ts, err := denses(o.String(), vs, 2)
	if err != nil {
		return nil, err
	}
	return doWith(o, ts[0].Dtype(), ts[0].Shape(), vs)
}

func (o biasActOp) UsePreallocDo(prealloc G.Value, vs ...G.Value) (G.Value, error) {
	ts, err := denses(o.String(), vs, 2)
	if err != nil {
		return nil, err
	}
	x, b := ts[0], ts[1]
	rows, cols := x.Shape()[0], x.Shape()[1]
	out, err := target(o.String(), prealloc, x.Dtype(), rows*cols)
	if err != nil {
		return nil, err
	}
	switch xd := x.Data().(type) {
	case []float32:
		kernel.BiasAct(xd, b.Data().([]float32), rows, cols, float32(o.slope), out.Data().([]float32))
	case []float64:
		bd, od := b.Data().([]float64), out.Data().([]float64)
		for i, v := range xd {
			v += bd[i%cols]
			if v <= 0 {
				v *= o.slope
			}
			od[i] = v
		}
	default:
		return nil, errDtype
	}
	return out, nil
}

func (o biasActOp) SymDiff(in G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	dx := grad
	if o.slope != 1 {
		var err error
		if dx, err = G.ApplyOp(actGradOp{opBase{fmt.Sprintf("ActGrad(%g)", o.slope)}, o.slope}, output, grad); err != nil {
			return nil, err
		}
	}
	db, err := G.ApplyOp(colSumsOp{opBase{"ColSums"}}, dx)
	if err != nil {
		return nil, err
	}
	return G.Nodes{dx, db}, nil
}

// actGradOp is the gradient through biasActOp's activation.
type actGradOp struct {
	opBase
	slope float64
}

func (o actGradOp) Arity() int    { return 2 }
func (o actGradOp) Type() hm.Type { return hm.NewFnType(matrixType, matrixType, matrixType) }

func (o actGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s, err := shapes(o.String(), in, 2, 2)
	if err != nil {
		return nil, err
	}
	return s[0].Clone(), nil
}

func (o actGradOp) Do(vs ...G.Value) (G.Value, error) {
	ts, err := denses(o.String(), vs, 2)
	if err != nil {
		return nil, err
	}
	return doWith(o, ts[0].Dtype(), ts[0].Shape(), vs)
}

func (o actGradOp) UsePreallocDo(prealloc G.Value, vs ...G.Value) (G.Value, error) {
	ts, err := denses(o.String(), vs, 2)
	if err != nil {
		return nil, err
	}
	out, err := target(o.String(), prealloc, ts[0].Dtype(), ts[0].Size())
	if err != nil {
		return nil, err
	}
	switch od := ts[0].Data().(type) {
	case []float32:
		kernel.ActGrad(od, ts[1].Data().([]float32), float32(o.slope), out.Data().([]float32))
	case []float64:
		gd, dx := ts[1].Data().([]float64), out.Data().([]float64)
		for i, v := range od {
			dx[i] = gd[i]
			if v <= 0 {
				dx[i] *= o.slope
			}
		}
	default:
		return nil, errDtype
	}
	return out, nil
}

// colSumsOp sums a matrix over its rows: the gradient of a broadcast bias.
type colSumsOp struct{ opBase }

func (o colSumsOp) Arity() int    { return 1 }
func (o colSumsOp) Type() hm.Type { return hm.NewFnType(matrixType, vectorType) }

func (o colSumsOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s, err := shapes(o.String(), in, 2)
	if err != nil {
		return nil, err
	}
	return tensor.Shape{s[0][1]}, nil
}

func (o colSumsOp) Do(vs ...G.Value) (G.Value, error) {
	ts, err := denses(o.String(), vs, 1)
	if err != nil {
		return nil, err
	}
	return doWith(o, ts[0].Dtype(), tensor.Shape{ts[0].Shape()[1]}, vs)
}

func (o colSumsOp) UsePreallocDo(prealloc G.Value, vs ...G.Value) (G.Value, error) {
	ts, err := denses(o.String(), vs, 1)
	if err != nil {
		return nil, err
	}
	rows, cols := ts[0].Shape()[0], ts[0].Shape()[1]
	out, err := target(o.String(), prealloc, ts[0].Dtype(), cols)
	if err != nil {
		return nil, err
	}
	switch xd := ts[0].Data().(type) {
	case []float32:
		kernel.ColSums(xd, rows, cols, out.Data().([]float32))
	case []float64:
		od := out.Data().([]float64)
		clear(od)
		for i, v := range xd {
			od[i%cols] += v
		}
	default:
		return nil, errDtype
	}
	return out, nil
}
