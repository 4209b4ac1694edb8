// Package op is the kit latentlab's fused gorgonia ops are built from: a
// Base that gives an op its name, hash, type and shape checks from a
// Signature, keeps its output tensor from run to run and dispatches on the
// dtype once (EachFloat), so that an op file holds only its arithmetic.
package op

import (
	"errors"
	"fmt"
	"hash"
	"hash/fnv"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Base holds what the fused ops share: hashing by name (which includes
// any parameter), the arity, type and shape checks of their Signature, no
// in-place writes, no pointers returned, no second derivative (the ops that
// have a first derivative override DiffWRT and SymDiff), and an output
// tensor kept from run to run.
type Base struct {
	name string
	sig  Signature
	out  *outputCache
}

// Signature is an op's inputs' ranks and its output's rank, 0 for a scalar.
type Signature struct {
	In  []int
	Out int
}

// sig is the Signature of an op with inputs of ranks in and an output of
// rank out.
func Sig(out int, in ...int) Signature { return Signature{In: in, Out: out} }

// NewBase returns the shared part of an op named name with Signature s
// (one per node).
func NewBase(name string, s Signature) Base { return Base{name, s, new(outputCache)} }

// Arity is the number of inputs.
func (o Base) Arity() int { return len(o.sig.In) }

// Type is the function from the inputs' types to the output's, all of one
// element type.
func (o Base) Type() hm.Type {
	a := hm.TypeVariable('a')
	of := func(rank int) hm.Type {
		if rank == 0 {
			return a
		}
		return G.TensorType{Dims: rank, Of: a}
	}
	ts := make([]hm.Type, 0, len(o.sig.In)+1)
	for _, r := range o.sig.In {
		ts = append(ts, of(r))
	}
	return hm.NewFnType(append(ts, of(o.sig.Out))...)
}

// InferShape checks the inputs against the Signature, as element-wise and
// row-weighted ops take them: every matrix shaped like input 0 and every
// vector one entry per row of it. The output is a scalar, or shaped like
// input 0. Ops of other shapes override it.
func (o Base) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s, err := Shapes(o.name, in, o.sig.In...)
	if err != nil {
		return nil, err
	}
	for i, r := range o.sig.In {
		if (r == 2 && !s[i].Eq(s[0])) || (r == 1 && s[i][0] != s[0][0]) {
			return nil, fmt.Errorf("%s: input %d has shape %v, input 0 %v", o.name, i, s[i], s[0])
		}
	}
	if o.sig.Out == 0 {
		return tensor.ScalarShape(), nil
	}
	return s[0].Clone(), nil
}

// outputCache is the tensor an op node writes its output to when the tape
// machine offers none (its register is empty, as after stepGraph.reset).
// Without it every run would allocate (and fault in) fresh memory for every
// output. Reusing one tensor per node across runs is safe: the machine's
// register plan is the same in every run, so a tensor is written by the
// same instructions in the same order each time. Within a run, other ops
// write to it only where gorgonia lets them work in place, which it does
// only once the value is dead.
type outputCache struct{ t *tensor.Dense }

func (o Base) String() string        { return o.name }
func (o Base) WriteHash(h hash.Hash) { fmt.Fprint(h, o.name) }
func (o Base) Hashcode() uint32      { h := fnv.New32a(); o.WriteHash(h); return h.Sum32() }
func (o Base) ReturnsPtr() bool      { return false }

// CallsExtern is false: the tape machine would otherwise insert an
// instruction that allocates the op's output afresh in every run.
func (o Base) CallsExtern() bool    { return false }
func (o Base) OverwritesInput() int { return -1 }
func (o Base) DiffWRT(n int) []bool { return make([]bool, n) }
func (o Base) SymDiff(G.Nodes, *G.Node, *G.Node) (G.Nodes, error) {
	return nil, fmt.Errorf("%s has no second derivative", o.name)
}

// shapes returns the input shapes, checking their count and ranks.
func Shapes(op string, in []G.DimSizer, ranks ...int) ([]tensor.Shape, error) {
	if len(in) != len(ranks) {
		return nil, fmt.Errorf("%s: %d inputs, want %d", op, len(in), len(ranks))
	}
	out := make([]tensor.Shape, len(in))
	for i, d := range in {
		if ranks[i] == 0 {
			continue // a scalar
		}
		s, ok := d.(tensor.Shape)
		if !ok || len(s) != ranks[i] {
			return nil, fmt.Errorf("%s: input %d has shape %v, want rank %d", op, i, d, ranks[i])
		}
		out[i] = s
	}
	return out, nil
}

// denses returns the values as dense tensors of one dtype.
func Denses(op string, vs []G.Value, n int) ([]*tensor.Dense, error) {
	if len(vs) != n {
		return nil, fmt.Errorf("%s: %d inputs, want %d", op, len(vs), n)
	}
	out := make([]*tensor.Dense, n)
	for i, v := range vs {
		d, ok := v.(*tensor.Dense)
		if !ok {
			return nil, fmt.Errorf("%s: input %d is %T, not a dense tensor", op, i, v)
		}
		if i > 0 && d.Dtype() != out[0].Dtype() {
			return nil, fmt.Errorf("%s: input %d is %v, input 0 is %v", op, i, d.Dtype(), out[0].Dtype())
		}
		out[i] = d
	}
	return out, nil
}

// newLike allocates a tensor of dtype dt and the given shape.
func newLike(dt tensor.Dtype, shape ...int) *tensor.Dense {
	return tensor.New(tensor.Of(dt), tensor.WithShape(shape...))
}

// DoLikeFirst runs the op's UsePreallocDo on the node's cached output,
// shaped like input 0 (UsePreallocDo checks the inputs).
func (o Base) DoLikeFirst(p G.UsePreallocDoer, vs []G.Value) (G.Value, error) {
	if len(vs) == 0 {
		return nil, fmt.Errorf("%s: no inputs", o.name)
	}
	t, ok := vs[0].(*tensor.Dense)
	if !ok {
		return nil, fmt.Errorf("%s: input 0 is %T, not a dense tensor", o.name, vs[0])
	}
	return o.DoWith(p, t.Dtype(), t.Shape(), vs)
}

// tensorsAndGrad splits a gradient op's inputs into n dense tensors of one
// dtype and the scalar gradient that follows them.
func TensorsAndGrad(op string, vs []G.Value, n int) ([]*tensor.Dense, float64, error) {
	if len(vs) != n+1 {
		return nil, 0, fmt.Errorf("%s: %d inputs, want %d", op, len(vs), n+1)
	}
	ts, err := Denses(op, vs[:n], n)
	if err != nil {
		return nil, 0, err
	}
	switch g := vs[n].Data().(type) {
	case float32:
		return ts, float64(g), nil
	case float64:
		return ts, g, nil
	}
	return nil, 0, fmt.Errorf("%s: the upstream gradient is %T, not a scalar", op, vs[n].Data())
}

// newScalar returns v as a scalar value of dtype dt.
func NewScalar(dt tensor.Dtype, v float64) G.Value {
	if dt == tensor.Float32 {
		return G.NewF32(float32(v))
	}
	return G.NewF64(v)
}

// DoWith runs the op's UsePreallocDo on the node's cached output tensor,
// allocating it the first time (or if the dtype or shape changed).
func (o Base) DoWith(p G.UsePreallocDoer, dt tensor.Dtype, shape tensor.Shape, vs []G.Value) (G.Value, error) {
	if o.out == nil {
		return p.UsePreallocDo(newLike(dt, shape...), vs...)
	}
	if t := o.out.t; t == nil || t.Dtype() != dt || !t.Shape().Eq(shape) {
		o.out.t = newLike(dt, shape...)
	}
	return p.UsePreallocDo(o.out.t, vs...)
}

// target returns prealloc as a dense tensor of the wanted dtype and size.
func Target(op string, prealloc G.Value, dt tensor.Dtype, shape ...int) (*tensor.Dense, error) {
	d, ok := prealloc.(*tensor.Dense)
	if !ok || d.Dtype() != dt || !d.Shape().Eq(tensor.Shape(shape)) {
		return nil, fmt.Errorf("%s: preallocated value does not fit (want %v %v)", op, dt, shape)
	}
	return d, nil
}

// ErrDtype is returned for tensors that are neither float32 nor float64.
var ErrDtype = errors.New("op: fused ops take float32 or float64 tensors")

// float is the element type of a graph's tensors: float32 to train,
// float64 for gradient checks against finite differences.
type Float interface{ float32 | float64 }

// eachFloat calls f32 or f64 on the data of ts (one dtype, checked by
// denses): the one place an op's float32 and float64 paths part.
func EachFloat(ts []*tensor.Dense, f32 func(d [][]float32), f64 func(d [][]float64)) error {
	switch ts[0].Dtype() {
	case tensor.Float32:
		f32(DataOf[float32](ts))
	case tensor.Float64:
		f64(DataOf[float64](ts))
	default:
		return ErrDtype
	}
	return nil
}

// dataOf returns the backing slices of ts as T slices.
func DataOf[T Float](ts []*tensor.Dense) [][]T {
	out := make([][]T, len(ts))
	for i, t := range ts {
		out[i] = t.Data().([]T)
	}
	return out
}

// Run checks the n inputs of vs, takes the output tensor of the shape
// shape gives for them (prealloc) and hands f32 or f64 the inputs' data
// followed by the output's: the UsePreallocDo of most ops.
func (o Base) Run(prealloc G.Value, vs []G.Value, shape func(ts []*tensor.Dense) tensor.Shape, f32 func(d [][]float32), f64 func(d [][]float64)) (G.Value, error) {
	ts, err := Denses(o.name, vs, o.Arity())
	if err != nil {
		return nil, err
	}
	out, err := Target(o.name, prealloc, ts[0].Dtype(), shape(ts)...)
	if err != nil {
		return nil, err
	}
	if err := EachFloat(append(ts, out), f32, f64); err != nil {
		return nil, err
	}
	return out, nil
}

// DoShaped is the Do of an op whose output has the shape shape gives for
// its inputs: p's UsePreallocDo on the node's kept output tensor.
func (o Base) DoShaped(p G.UsePreallocDoer, vs []G.Value, shape func(ts []*tensor.Dense) tensor.Shape) (G.Value, error) {
	ts, err := Denses(o.name, vs, o.Arity())
	if err != nil {
		return nil, err
	}
	return o.DoWith(p, ts[0].Dtype(), shape(ts), vs)
}

// elementwise runs an op whose output is shaped like its first input: it
// checks the n inputs, takes the output tensor and hands f32 or f64 the
// inputs' data followed by the output's.
func (o Base) Elementwise(prealloc G.Value, vs []G.Value, n int, f32 func(d [][]float32), f64 func(d [][]float64)) (G.Value, error) {
	if len(vs) != n {
		return nil, fmt.Errorf("%s: %d inputs, want %d", o.name, len(vs), n)
	}
	return o.Run(prealloc, vs, func(ts []*tensor.Dense) tensor.Shape { return ts[0].Shape() }, f32, f64)
}

// ElementwiseGrad is elementwise for a gradient op whose last input is the
// scalar upstream gradient g, which f32 and f64 receive as well.
func (o Base) ElementwiseGrad(prealloc G.Value, vs []G.Value, n int, f32 func(d [][]float32, g float64), f64 func(d [][]float64, g float64)) (G.Value, error) {
	ts, g, err := TensorsAndGrad(o.name, vs, n)
	if err != nil {
		return nil, err
	}
	out, err := Target(o.name, prealloc, ts[0].Dtype(), ts[0].Shape()...)
	if err != nil {
		return nil, err
	}
	err = EachFloat(append(ts, out), func(d [][]float32) { f32(d, g) }, func(d [][]float64) { f64(d, g) })
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ScalarSum runs an op whose output is a scalar sum over its n inputs:
// f32 or f64 compute it, in float64, from the inputs' data.
func (o Base) ScalarSum(vs []G.Value, n int, f32 func(d [][]float32) float64, f64 func(d [][]float64) float64) (G.Value, error) {
	ts, err := Denses(o.name, vs, n)
	if err != nil {
		return nil, err
	}
	var sum float64
	if err := EachFloat(ts, func(d [][]float32) { sum = f32(d) }, func(d [][]float64) { sum = f64(d) }); err != nil {
		return nil, err
	}
	return NewScalar(ts[0].Dtype(), sum), nil
}

// Inputs returns the ranks of the op's inputs.
func (o Base) Inputs() []int { return o.sig.In }

// Gemm sets c = op(a)·op(b) + beta c for row-major, contiguous
// matrices: op(a) m x k, op(b) k x n, c m x n.
func Gemm[T Float](transA, transB bool, m, n, k int, a, b, c []T, beta T) {
	lda, ldb := k, n
	if transA {
		lda = m
	}
	if transB {
		ldb = k
	}
	GemmStrided(transA, transB, m, n, k, a, lda, b, ldb, c, n, beta)
}

// GemmStrided is Gemm for row-major matrices whose rows lie lda, ldb and
// ldc elements apart: views into larger buffers.
func GemmStrided[T Float](transA, transB bool, m, n, k int, a []T, lda int, b []T, ldb int, c []T, ldc int, beta T) {
	tr := func(t bool) blas.Transpose {
		if t {
			return blas.Trans
		}
		return blas.NoTrans
	}
	ar, ac := m, k
	if transA {
		ar, ac = k, m
	}
	br, bc := k, n
	if transB {
		br, bc = n, k
	}
	switch cd := any(c).(type) {
	case []float32:
		blas32.Gemm(tr(transA), tr(transB), 1,
			blas32.General{Rows: ar, Cols: ac, Stride: lda, Data: any(a).([]float32)},
			blas32.General{Rows: br, Cols: bc, Stride: ldb, Data: any(b).([]float32)}, float32(beta),
			blas32.General{Rows: m, Cols: n, Stride: ldc, Data: cd})
	case []float64:
		blas64.Gemm(tr(transA), tr(transB), 1,
			blas64.General{Rows: ar, Cols: ac, Stride: lda, Data: any(a).([]float64)},
			blas64.General{Rows: br, Cols: bc, Stride: ldb, Data: any(b).([]float64)}, float64(beta),
			blas64.General{Rows: m, Cols: n, Stride: ldc, Data: cd})
	}
}
