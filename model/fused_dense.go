package model

import (
	"fmt"

	"github.com/chewxy/hm"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"latentlab/model/kernel"
)

// The fused dense layer: act(x·W + b) as one op, whose gradient builds only
// the products a graph needs. gorgonia's own product always builds both
// gradients, which wastes a whole matrix product per first layer (the
// gradient with respect to the images) and, in the GAN's generator step,
// the discriminator's weight gradients.

// gradNeeds says which gradients of a dense layer a graph needs.
type gradNeeds struct {
	input   bool // the gradient with respect to x (false for a first layer fed with data)
	weights bool // the gradients with respect to W and b (false for weights another step trains)
}

// fusedDense returns act(x·W + b), times the dropout mask if mask is not
// nil.
func fusedDense(x, w, b *G.Node, slope float64, needs gradNeeds, mask *G.Node) *G.Node {
	op := denseOp{newOpBase(fmt.Sprintf("Dense(%g,%t,%t,%t)", slope, needs.input, needs.weights, mask != nil)),
		slope, needs, mask != nil}
	in := G.Nodes{x, w, b}
	if mask != nil {
		in = append(in, mask)
	}
	return G.Must(G.ApplyOp(op, in...))
}

// denseOp computes act(x·W + b) with act(v) = v for v > 0, slope*v
// otherwise, and with masked, times an inverted-dropout mask (a fourth
// input of entries 0 or 1/(1-p)).
type denseOp struct {
	opBase
	slope  float64
	needs  gradNeeds
	masked bool
}

func (o denseOp) Arity() int {
	if o.masked {
		return 4
	}
	return 3
}

func (o denseOp) Type() hm.Type {
	if o.masked {
		return hm.NewFnType(matrixType, matrixType, vectorType, matrixType, matrixType)
	}
	return hm.NewFnType(matrixType, matrixType, vectorType, matrixType)
}

func (o denseOp) DiffWRT(int) []bool {
	return []bool{o.needs.input, o.needs.weights, o.needs.weights, false}[:o.Arity()]
}

func (o denseOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	ranks := []int{2, 2, 1, 2}[:o.Arity()]
	s, err := shapes(o.String(), in, ranks...)
	if err != nil {
		return nil, err
	}
	out := tensor.Shape{s[0][0], s[1][1]}
	if s[0][1] != s[1][0] || s[1][1] != s[2][0] || (o.masked && !s[3].Eq(out)) {
		return nil, fmt.Errorf("%s: x %v, W %v, b %v, mask %v", o, s[0], s[1], s[2], s[3:])
	}
	return out, nil
}

func (o denseOp) Do(vs ...G.Value) (G.Value, error) {
	ts, err := denses(o.String(), vs, o.Arity())
	if err != nil {
		return nil, err
	}
	return o.doWith(o, ts[0].Dtype(), tensor.Shape{ts[0].Shape()[0], ts[1].Shape()[1]}, vs)
}

func (o denseOp) UsePreallocDo(prealloc G.Value, vs ...G.Value) (G.Value, error) {
	ts, err := denses(o.String(), vs, o.Arity())
	if err != nil {
		return nil, err
	}
	x, w, b := ts[0], ts[1], ts[2]
	var mask *tensor.Dense
	if o.masked {
		mask = ts[3]
	}
	rows, cols := x.Shape()[0], w.Shape()[1]
	out, err := target(o.String(), prealloc, x.Dtype(), rows, cols)
	if err != nil {
		return nil, err
	}
	if err := gemm(false, false, x, w, out); err != nil {
		return nil, err
	}
	switch od := out.Data().(type) {
	case []float32:
		var md []float32
		if mask != nil {
			md = mask.Data().([]float32)
		}
		kernel.BiasAct(od, b.Data().([]float32), md, rows, cols, float32(o.slope), od)
	case []float64:
		bd := b.Data().([]float64)
		var md []float64
		if mask != nil {
			md = mask.Data().([]float64)
		}
		for i, v := range od {
			v += bd[i%cols]
			if v <= 0 {
				v *= o.slope
			}
			if md != nil {
				v *= md[i]
			}
			od[i] = v
		}
	}
	return out, nil
}

// SymDiff returns the gradients the layer was built to need (nil for the
// others): with d = grad through the activation, dx = d·Wᵀ, dW = xᵀ·d and
// db = the column sums of d.
func (o denseOp) SymDiff(in G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	d := grad
	if o.slope != 1 || o.masked {
		args := G.Nodes{output, grad}
		if o.masked {
			args = append(args, in[3])
		}
		op := actGradOp{newOpBase(fmt.Sprintf("ActGrad(%g,%t)", o.slope, o.masked)), o.slope, o.masked}
		var err error
		if d, err = G.ApplyOp(op, args...); err != nil {
			return nil, err
		}
	}
	out := make(G.Nodes, o.Arity())
	var err error
	if o.needs.input {
		if out[0], err = G.ApplyOp(newGemmOp(false, true), d, in[1]); err != nil {
			return nil, err
		}
	}
	if o.needs.weights {
		if out[1], err = G.ApplyOp(newGemmOp(true, false), in[0], d); err != nil {
			return nil, err
		}
		if out[2], err = G.ApplyOp(colSumsOp{newOpBase("ColSums")}, d); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// gemmOp is the matrix product op(a)·op(b), where op transposes its
// argument when the flag says so.
type gemmOp struct {
	opBase
	transA, transB bool
}

func newGemmOp(transA, transB bool) gemmOp {
	return gemmOp{newOpBase(fmt.Sprintf("Gemm(%t,%t)", transA, transB)), transA, transB}
}

func (o gemmOp) Arity() int    { return 2 }
func (o gemmOp) Type() hm.Type { return hm.NewFnType(matrixType, matrixType, matrixType) }

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
	s, err := shapes(o.String(), in, 2, 2)
	if err != nil {
		return nil, err
	}
	return o.productShape(s[0], s[1])
}

func (o gemmOp) Do(vs ...G.Value) (G.Value, error) {
	ts, err := denses(o.String(), vs, 2)
	if err != nil {
		return nil, err
	}
	shape, err := o.productShape(ts[0].Shape(), ts[1].Shape())
	if err != nil {
		return nil, err
	}
	return o.doWith(o, ts[0].Dtype(), shape, vs)
}

func (o gemmOp) UsePreallocDo(prealloc G.Value, vs ...G.Value) (G.Value, error) {
	ts, err := denses(o.String(), vs, 2)
	if err != nil {
		return nil, err
	}
	shape, err := o.productShape(ts[0].Shape(), ts[1].Shape())
	if err != nil {
		return nil, err
	}
	out, err := target(o.String(), prealloc, ts[0].Dtype(), shape...)
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
		return errDtype
	}
	return nil
}

// actGradOp is the gradient through denseOp's activation and mask: its
// inputs are the layer's output, the gradient with respect to it and, when
// masked, the mask.
type actGradOp struct {
	opBase
	slope  float64
	masked bool
}

func (o actGradOp) Arity() int {
	if o.masked {
		return 3
	}
	return 2
}

func (o actGradOp) Type() hm.Type {
	if o.masked {
		return hm.NewFnType(matrixType, matrixType, matrixType, matrixType)
	}
	return hm.NewFnType(matrixType, matrixType, matrixType)
}

func (o actGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	return shapeOfFirst(o.String(), in, o.Arity(), []int{2, 2, 2}[:o.Arity()]...)
}

func (o actGradOp) Do(vs ...G.Value) (G.Value, error) { return o.doLikeFirst(o, vs) }

func (o actGradOp) UsePreallocDo(prealloc G.Value, vs ...G.Value) (G.Value, error) {
	ts, err := denses(o.String(), vs, o.Arity())
	if err != nil {
		return nil, err
	}
	out, err := target(o.String(), prealloc, ts[0].Dtype(), ts[0].Shape()...)
	if err != nil {
		return nil, err
	}
	switch od := ts[0].Data().(type) {
	case []float32:
		var md []float32
		if o.masked {
			md = ts[2].Data().([]float32)
		}
		kernel.ActGrad(od, ts[1].Data().([]float32), md, float32(o.slope), out.Data().([]float32))
	case []float64:
		gd, dx := ts[1].Data().([]float64), out.Data().([]float64)
		var md []float64
		if o.masked {
			md = ts[2].Data().([]float64)
		}
		for i, v := range od {
			dx[i] = gd[i]
			if v <= 0 {
				dx[i] *= o.slope
			}
			if md != nil {
				dx[i] *= md[i]
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
	return o.doWith(o, ts[0].Dtype(), tensor.Shape{ts[0].Shape()[1]}, vs)
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
