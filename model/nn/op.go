package nn

import (
	"errors"
	"fmt"
	"hash"
	"hash/fnv"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// What every fused op shares: hashing by name, an output tensor kept from
// run to run, the checks of input shapes and values, and one dispatch on
// the dtype (see eachFloat).

// opBase holds what the fused ops share: hashing by name (which includes
// any parameter), the arity, type and shape checks of their signature, no
// in-place writes, no pointers returned, no second derivative (the ops that
// have a first derivative override DiffWRT and SymDiff), and an output
// tensor kept from run to run.
type opBase struct {
	name string
	sig  signature
	out  *outputCache
}

// signature is an op's inputs' ranks and its output's rank, 0 for a scalar.
type signature struct {
	in  []int
	out int
}

// sig is the signature of an op with inputs of ranks in and an output of
// rank out.
func sig(out int, in ...int) signature { return signature{in: in, out: out} }

// newOpBase returns the shared part of an op named name with signature s
// (one per node).
func newOpBase(name string, s signature) opBase { return opBase{name, s, new(outputCache)} }

// Arity is the number of inputs.
func (o opBase) Arity() int { return len(o.sig.in) }

// Type is the function from the inputs' types to the output's, all of one
// element type.
func (o opBase) Type() hm.Type {
	a := hm.TypeVariable('a')
	of := func(rank int) hm.Type {
		if rank == 0 {
			return a
		}
		return G.TensorType{Dims: rank, Of: a}
	}
	ts := make([]hm.Type, 0, len(o.sig.in)+1)
	for _, r := range o.sig.in {
		ts = append(ts, of(r))
	}
	return hm.NewFnType(append(ts, of(o.sig.out))...)
}

// InferShape checks the inputs against the signature, as element-wise and
// row-weighted ops take them: every matrix shaped like input 0 and every
// vector one entry per row of it. The output is a scalar, or shaped like
// input 0. Ops of other shapes override it.
func (o opBase) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s, err := shapes(o.name, in, o.sig.in...)
	if err != nil {
		return nil, err
	}
	for i, r := range o.sig.in {
		if (r == 2 && !s[i].Eq(s[0])) || (r == 1 && s[i][0] != s[0][0]) {
			return nil, fmt.Errorf("%s: input %d has shape %v, input 0 %v", o.name, i, s[i], s[0])
		}
	}
	if o.sig.out == 0 {
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

func (o opBase) String() string        { return o.name }
func (o opBase) WriteHash(h hash.Hash) { fmt.Fprint(h, o.name) }
func (o opBase) Hashcode() uint32      { h := fnv.New32a(); o.WriteHash(h); return h.Sum32() }
func (o opBase) ReturnsPtr() bool      { return false }

// CallsExtern is false: the tape machine would otherwise insert an
// instruction that allocates the op's output afresh in every run.
func (o opBase) CallsExtern() bool    { return false }
func (o opBase) OverwritesInput() int { return -1 }
func (o opBase) DiffWRT(n int) []bool { return make([]bool, n) }
func (o opBase) SymDiff(G.Nodes, *G.Node, *G.Node) (G.Nodes, error) {
	return nil, fmt.Errorf("%s has no second derivative", o.name)
}

// shapes returns the input shapes, checking their count and ranks.
func shapes(op string, in []G.DimSizer, ranks ...int) ([]tensor.Shape, error) {
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
func denses(op string, vs []G.Value, n int) ([]*tensor.Dense, error) {
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

// doLikeFirst runs the op's UsePreallocDo on the node's cached output,
// shaped like input 0 (UsePreallocDo checks the inputs).
func (o opBase) doLikeFirst(p G.UsePreallocDoer, vs []G.Value) (G.Value, error) {
	if len(vs) == 0 {
		return nil, fmt.Errorf("%s: no inputs", o.name)
	}
	t, ok := vs[0].(*tensor.Dense)
	if !ok {
		return nil, fmt.Errorf("%s: input 0 is %T, not a dense tensor", o.name, vs[0])
	}
	return o.doWith(p, t.Dtype(), t.Shape(), vs)
}

// tensorsAndGrad splits a gradient op's inputs into n dense tensors of one
// dtype and the scalar gradient that follows them.
func tensorsAndGrad(op string, vs []G.Value, n int) ([]*tensor.Dense, float64, error) {
	if len(vs) != n+1 {
		return nil, 0, fmt.Errorf("%s: %d inputs, want %d", op, len(vs), n+1)
	}
	ts, err := denses(op, vs[:n], n)
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
func newScalar(dt tensor.Dtype, v float64) G.Value {
	if dt == tensor.Float32 {
		return G.NewF32(float32(v))
	}
	return G.NewF64(v)
}

// doWith runs the op's UsePreallocDo on the node's cached output tensor,
// allocating it the first time (or if the dtype or shape changed).
func (o opBase) doWith(p G.UsePreallocDoer, dt tensor.Dtype, shape tensor.Shape, vs []G.Value) (G.Value, error) {
	if o.out == nil {
		return p.UsePreallocDo(newLike(dt, shape...), vs...)
	}
	if t := o.out.t; t == nil || t.Dtype() != dt || !t.Shape().Eq(shape) {
		o.out.t = newLike(dt, shape...)
	}
	return p.UsePreallocDo(o.out.t, vs...)
}

// target returns prealloc as a dense tensor of the wanted dtype and size.
func target(op string, prealloc G.Value, dt tensor.Dtype, shape ...int) (*tensor.Dense, error) {
	d, ok := prealloc.(*tensor.Dense)
	if !ok || d.Dtype() != dt || !d.Shape().Eq(tensor.Shape(shape)) {
		return nil, fmt.Errorf("%s: preallocated value does not fit (want %v %v)", op, dt, shape)
	}
	return d, nil
}

// errDtype is returned for tensors that are neither float32 nor float64.
var errDtype = errors.New("nn: fused ops take float32 or float64 tensors")

// float is the element type of a graph's tensors: float32 to train,
// float64 for gradient checks against finite differences.
type float interface{ float32 | float64 }

// eachFloat calls f32 or f64 on the data of ts (one dtype, checked by
// denses): the one place an op's float32 and float64 paths part.
func eachFloat(ts []*tensor.Dense, f32 func(d [][]float32), f64 func(d [][]float64)) error {
	switch ts[0].Dtype() {
	case tensor.Float32:
		f32(dataOf[float32](ts))
	case tensor.Float64:
		f64(dataOf[float64](ts))
	default:
		return errDtype
	}
	return nil
}

// dataOf returns the backing slices of ts as T slices.
func dataOf[T float](ts []*tensor.Dense) [][]T {
	out := make([][]T, len(ts))
	for i, t := range ts {
		out[i] = t.Data().([]T)
	}
	return out
}

// elementwise runs an op whose output is shaped like its first input: it
// checks the n inputs, takes the output tensor and hands f32 or f64 the
// inputs' data followed by the output's.
func (o opBase) elementwise(prealloc G.Value, vs []G.Value, n int, f32 func(d [][]float32), f64 func(d [][]float64)) (G.Value, error) {
	ts, err := denses(o.name, vs, n)
	if err != nil {
		return nil, err
	}
	out, err := target(o.name, prealloc, ts[0].Dtype(), ts[0].Shape()...)
	if err != nil {
		return nil, err
	}
	if err := eachFloat(append(ts, out), f32, f64); err != nil {
		return nil, err
	}
	return out, nil
}

// elementwiseGrad is elementwise for a gradient op whose last input is the
// scalar upstream gradient g, which f32 and f64 receive as well.
func (o opBase) elementwiseGrad(prealloc G.Value, vs []G.Value, n int, f32 func(d [][]float32, g float64), f64 func(d [][]float64, g float64)) (G.Value, error) {
	ts, g, err := tensorsAndGrad(o.name, vs, n)
	if err != nil {
		return nil, err
	}
	out, err := target(o.name, prealloc, ts[0].Dtype(), ts[0].Shape()...)
	if err != nil {
		return nil, err
	}
	err = eachFloat(append(ts, out), func(d [][]float32) { f32(d, g) }, func(d [][]float64) { f64(d, g) })
	if err != nil {
		return nil, err
	}
	return out, nil
}

// scalarSum runs an op whose output is a scalar sum over its n inputs:
// f32 or f64 compute it, in float64, from the inputs' data.
func (o opBase) scalarSum(vs []G.Value, n int, f32 func(d [][]float32) float64, f64 func(d [][]float64) float64) (G.Value, error) {
	ts, err := denses(o.name, vs, n)
	if err != nil {
		return nil, err
	}
	var sum float64
	if err := eachFloat(ts, func(d [][]float32) { sum = f32(d) }, func(d [][]float64) { sum = f64(d) }); err != nil {
		return nil, err
	}
	return newScalar(ts[0].Dtype(), sum), nil
}
