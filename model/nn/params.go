package nn

import (
	"fmt"
	"latentlab/model/nn/op"
	"math/rand/v2"

	"gorgonia.org/tensor"
)

// Param describes one parameter of a layer.
type Param struct {
	Name  string // checkpoint tensor name, "<layer>.<role>"
	Shape []int
	Init  Init // draws each element at initialisation
	Decay bool // weight decay applies (weights, not biases)
	// TorchTransposed says that PyTorch holds the parameter transposed
	// (torch.nn.Linear.weight is [out, in], ours [in, out]); otherwise
	// its layout is PyTorch's.
	TorchTransposed bool
	// Buffer marks state that the layer's training op updates itself
	// (BatchNorm's running statistics): saved and used for inference, not
	// trained by the optimizer.
	Buffer bool
}

// Size returns the number of scalars in the parameter.
func (p Param) Size() int {
	n := 1
	for _, s := range p.Shape {
		n *= s
	}
	return n
}

// Init draws one element of a parameter.
type Init func(rng *rand.Rand) float64

// Uniform draws from U(-bound, bound), as PyTorch initialises nn.Linear
// and nn.Conv2d with bound = 1/sqrt(fan_in).
func Uniform(bound float64) Init {
	return func(rng *rand.Rand) float64 { return (2*rng.Float64() - 1) * bound }
}

// Const gives every element the value v.
func Const(v float64) Init { return func(*rand.Rand) float64 { return v } }

// ParamSet holds a model's parameters as tensors of one dtype, by name, in
// a fixed order. The tensors are shared with the graphs that train them.
type ParamSet struct {
	specs   []Param
	tensors map[string]*tensor.Dense
}

// NewParamSet allocates the parameters of layers in dtype dt and draws
// their initial values, layer by layer and parameter by parameter in
// order, from a source seeded by seed.
func NewParamSet(layers []Layer, dt tensor.Dtype, seed uint64) *ParamSet {
	rng := rand.New(rand.NewPCG(seed, 0x1417))
	return newParamSet(layers, dt, func(p Param, dst []float64) {
		for i := range dst {
			dst[i] = p.Init(rng)
		}
	})
}

// ParamSetOf builds the parameters of layers in dtype dt from values, which
// must hold every parameter by name with its size (checkpoints check this
// first).
func ParamSetOf(layers []Layer, dt tensor.Dtype, values map[string][]float32) (*ParamSet, error) {
	for _, l := range layers {
		for _, p := range l.Params() {
			if len(values[p.Name]) != p.Size() {
				return nil, fmt.Errorf("nn: parameter %s has %d values, want %d", p.Name, len(values[p.Name]), p.Size())
			}
		}
	}
	return newParamSet(layers, dt, func(p Param, dst []float64) {
		for i, v := range values[p.Name] {
			dst[i] = float64(v)
		}
	}), nil
}

func newParamSet(layers []Layer, dt tensor.Dtype, fill func(Param, []float64)) *ParamSet {
	s := &ParamSet{tensors: map[string]*tensor.Dense{}}
	for _, l := range layers {
		for _, p := range l.Params() {
			vals := make([]float64, p.Size())
			fill(p, vals)
			t := tensor.New(tensor.Of(dt), tensor.WithShape(p.Shape...))
			SetValues(t, vals)
			s.specs = append(s.specs, p)
			s.tensors[p.Name] = t
		}
	}
	return s
}

// Specs returns the parameters' descriptions in order.
func (s *ParamSet) Specs() []Param { return s.specs }

// Tensor returns the named parameter's tensor; it panics on a name the set
// does not hold, which is a programmer's error.
func (s *ParamSet) Tensor(name string) *tensor.Dense {
	t, ok := s.tensors[name]
	if !ok {
		panic(fmt.Sprintf("nn: no parameter %q", name))
	}
	return t
}

// Float32s returns a copy of the named parameter as float32.
func (s *ParamSet) Float32s(name string) []float32 { return Float32s(s.Tensor(name)) }

// Count returns the number of scalar parameters.
func (s *ParamSet) Count() int {
	n := 0
	for _, p := range s.specs {
		n += p.Size()
	}
	return n
}

// Float64s returns a copy of t's values as float64.
func Float64s(t *tensor.Dense) []float64 { return convert[float64](t) }

// Float32s returns a copy of t's values as float32.
func Float32s(t *tensor.Dense) []float32 { return convert[float32](t) }

func convert[T op.Float](t *tensor.Dense) []T {
	switch d := t.Data().(type) {
	case []float32:
		return convertSlice[T](d)
	case []float64:
		return convertSlice[T](d)
	}
	panic(fmt.Sprintf("nn: unsupported tensor data %T", t.Data()))
}

func convertSlice[T, S op.Float](src []S) []T {
	out := make([]T, len(src))
	setConverted(out, src)
	return out
}

// SetValues overwrites t's values with src, converted to t's dtype.
func SetValues[S op.Float](t *tensor.Dense, src []S) {
	switch d := t.Data().(type) {
	case []float64:
		setConverted(d, src)
	case []float32:
		setConverted(d, src)
	default:
		panic(fmt.Sprintf("nn: unsupported tensor data %T", t.Data()))
	}
}

func setConverted[T, S op.Float](dst []T, src []S) {
	for i, v := range src {
		dst[i] = T(v)
	}
}
