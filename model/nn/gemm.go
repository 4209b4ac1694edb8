package nn

import (
	"fmt"
	"latentlab/model/nn/op"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// gemmOp is the matrix product op(a)·op(b), where op transposes its
// argument when the flag says so.
type gemmOp struct {
	op.Base
	transA, transB bool
}

func newGemmOp(transA, transB bool) gemmOp {
	return gemmOp{op.NewBase(fmt.Sprintf("Gemm(%t,%t)", transA, transB), op.Sig(2, 2, 2)), transA, transB}
}

// productShape is the shape of op(a)·op(b), or an error if they do not fit.
func (o gemmOp) productShape(a, b tensor.Shape) (tensor.Shape, error) {
	m, k := a[0], a[1]
	if o.transA {
		m, k = k, m
	}
	k2, n := b[0], b[1]
	if o.transB {
		k2, n = n, k2
	}
	if k != k2 {
		return nil, fmt.Errorf("%s: %v times %v", o, a, b)
	}
	return tensor.Shape{m, n}, nil
}

func (o gemmOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s, err := op.Shapes(o.String(), in, 2, 2)
	if err != nil {
		return nil, err
	}
	return o.productShape(s[0], s[1])
}

// operands returns the two factors and the shape of their product.
func (o gemmOp) operands(vs []G.Value) ([]*tensor.Dense, tensor.Shape, error) {
	ts, err := op.Denses(o.String(), vs, 2)
	if err != nil {
		return nil, nil, err
	}
	shape, err := o.productShape(ts[0].Shape(), ts[1].Shape())
	return ts, shape, err
}

func (o gemmOp) Do(vs ...G.Value) (G.Value, error) {
	ts, shape, err := o.operands(vs)
	if err != nil {
		return nil, err
	}
	return o.DoWith(o, ts[0].Dtype(), shape, vs)
}

func (o gemmOp) UsePreallocDo(prealloc G.Value, vs ...G.Value) (G.Value, error) {
	ts, shape, err := o.operands(vs)
	if err != nil {
		return nil, err
	}
	out, err := op.Target(o.String(), prealloc, ts[0].Dtype(), shape...)
	if err != nil {
		return nil, err
	}
	return out, gemm(o.transA, o.transB, ts[0], ts[1], out)
}

// gemm writes op(a)·op(b) to c (row-major, contiguous) through the
// installed BLAS: OpenBLAS's sgemm for training.
func gemm(transA, transB bool, a, b, c *tensor.Dense) error {
	tr := func(t bool) blas.Transpose {
		if t {
			return blas.Trans
		}
		return blas.NoTrans
	}
	ar, ac, br, bc := a.Shape()[0], a.Shape()[1], b.Shape()[0], b.Shape()[1]
	cr, cc := c.Shape()[0], c.Shape()[1]
	switch ad := a.Data().(type) {
	case []float32:
		blas32.Gemm(tr(transA), tr(transB), 1,
			blas32.General{Rows: ar, Cols: ac, Stride: ac, Data: ad},
			blas32.General{Rows: br, Cols: bc, Stride: bc, Data: b.Data().([]float32)}, 0,
			blas32.General{Rows: cr, Cols: cc, Stride: cc, Data: c.Data().([]float32)})
	case []float64:
		blas64.Gemm(tr(transA), tr(transB), 1,
			blas64.General{Rows: ar, Cols: ac, Stride: ac, Data: ad},
			blas64.General{Rows: br, Cols: bc, Stride: bc, Data: b.Data().([]float64)}, 0,
			blas64.General{Rows: cr, Cols: cc, Stride: cc, Data: c.Data().([]float64)})
	default:
		return op.ErrDtype
	}
	return nil
}
