package nn

import (
	"math"

	G "gorgonia.org/gorgonia"

	"latentlab/model/nn/op"
)

// Layer is one layer of a model with every view of it the rest of latentlab
// needs: its parameters, its op in a training graph, and its float32 pass
// for snapshots. Trainers, optimizers, snapshots and checkpoints loop over
// layers and their parameters and never name a layer kind.
type Layer interface {
	// Name is the prefix of the layer's parameter names ("encoder.0").
	Name() string
	// In and Out are the widths of one input row and one output row, with
	// any spatial shape flattened.
	In() int
	Out() int
	// Params lists the layer's parameters in a fixed order: their names
	// (which are also their checkpoint tensor names), shapes,
	// initialisation and whether weight decay applies.
	Params() []Param
	// Apply adds the layer to a training graph: its output for the rows
	// of x, times mask where mask is not nil (inverted dropout), building
	// only the gradients needs asks for.
	Apply(g *Graph, x *G.Node, needs GradNeeds, mask *G.Node) *G.Node
	// Forward sets y (n x Out) to the layer's output for the n rows of x
	// (n x In), in float32, with w the parameters' values in Params order
	// as Bind returns them. tmp is scratch the layer may use, and grow.
	Forward(w [][]float32, y, x []float32, n int, tmp *[]float32)
}

// Finisher is a layer with its own last pass of a snapshot: Forward into
// float64, through the logistic sigmoid when sigmoid is set. Layers
// without one go through Forward and a conversion (see Finish).
type Finisher interface {
	Finish(w [][]float32, dst []float64, x []float32, n int, sigmoid bool, tmp *[]float32)
}

// Halver is a layer with a half-precision pass for the one-point decode a
// drag shows (Snapshot.Preview).
type Halver interface {
	// Half returns the layer's weights rounded to half precision, or nil
	// where the CPU lacks the half-precision loops.
	Half(w [][]float32) Half
}

// Half is a layer with its weights in half precision, for one row at a
// time.
type Half interface {
	// Forward is Layer.Forward for one row.
	Forward(y, x []float32)
	// Finish is Finisher.Finish for one row, through the sigmoid.
	Finish(dst []float64, x []float32, tmp *[]float32)
}

// Binder is a layer whose float32 passes (Forward, Finish, Half, Back)
// take its weights in a form of their own, made once when a snapshot binds
// them rather than on every pass.
type Binder interface {
	// Bind returns the weights the float32 passes take, from w, the
	// parameters' values in Params order. It may keep w's slices.
	Bind(w [][]float32) [][]float32
}

// Bind returns the parameters' values w as l's float32 passes take them:
// l.Bind(w) for a Binder, w itself for any other layer.
func Bind(l Layer, w [][]float32) [][]float32 {
	if b, ok := l.(Binder); ok {
		return b.Bind(w)
	}
	return w
}

// Backer is a layer whose float32 pass has an input gradient, for the
// optimisations that run through a snapshot's own forward pass (inverting
// a generator). Back sets dx (n x In) to the gradient with respect to the
// layer's input of a function whose gradient with respect to the layer's
// output is dy, with y the n rows Forward wrote and w as for Forward. It
// may overwrite dy; tmp is scratch the layer may use, and grow.
type Backer interface {
	Back(w [][]float32, dx, dy, y []float32, n int, tmp *[]float32)
}

// GradNeeds says which gradients of a layer a graph needs.
type GradNeeds struct {
	Input   bool // the gradient with respect to x (false for a first layer fed with data)
	Weights bool // the gradients with respect to the parameters (false for weights another step trains)
}

// The gradient needs of the training graphs' layer stacks.
var (
	TrainFromData = GradNeeds{Input: false, Weights: true} // weights trained, input is data
	TrainAll      = GradNeeds{Input: true, Weights: true}  // weights trained, input computed from trained weights
	PassThrough   = GradNeeds{Input: true, Weights: false} // another step's weights, a gradient flows through
	ForwardOnly   = GradNeeds{}                            // no gradient at all
)

// Activation is a layer's non-linearity, given by its negative slope:
// act(v) = v for v > 0 and slope*v otherwise.
type Activation float64

// The activations of latentlab's models.
const (
	ReLU      Activation = 0
	LeakyReLU Activation = 0.2 // the GAN's (Radford et al. 2016)
	Linear    Activation = 1
)

// Back multiplies dy by the activation's derivative at the outputs y: 1
// where y > 0, the slope elsewhere (act(v) > 0 exactly where v > 0).
func (a Activation) Back(dy, y []float32) {
	if a == Linear {
		return
	}
	slope := float32(a)
	for i, v := range y {
		if v <= 0 {
			dy[i] *= slope
		}
	}
}

// Stack applies layers to x in turn; masks[i], where present and not nil,
// multiplies layer i's output (inverted dropout). Past the first layer,
// what flows back feeds the layers before it, so each later layer also
// needs its input's gradient when the stack trains weights.
func Stack(g *Graph, x *G.Node, layers []Layer, masks []*G.Node, needs GradNeeds) *G.Node {
	for i, l := range layers {
		var mask *G.Node
		if i < len(masks) {
			mask = masks[i]
		}
		n := needs
		if i > 0 {
			n.Input = n.Input || n.Weights
		}
		x = l.Apply(g, x, n, mask)
	}
	return x
}

// Finish runs l as the last layer of a snapshot's pass: its own Finish
// where it has one, else Forward and a conversion to float64 (through the
// sigmoid when sigmoid is set).
func Finish(l Layer, w [][]float32, dst []float64, x []float32, n int, sigmoid bool, tmp *[]float32) {
	if f, ok := l.(Finisher); ok {
		f.Finish(w, dst, x, n, sigmoid, tmp)
		return
	}
	y := make([]float32, n*l.Out())
	l.Forward(w, y, x, n, tmp)
	to64(dst, y, sigmoid)
}

// to64 converts y to float64, through the sigmoid if sigmoid is set.
func to64(dst []float64, y []float32, sigmoid bool) {
	for i, v := range y {
		dst[i] = float64(v)
		if sigmoid {
			dst[i] = Sigmoid(dst[i])
		}
	}
}

// Sigmoid is the logistic function 1 / (1 + math.Exp(-x)), computed without
// overflow for large |x|.
func Sigmoid(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}

// Grow returns s resized to n elements, reallocated if it is too small.
func Grow[T op.Float](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}

// Softplus is log(1 + exp(x)), computed without overflow.
func Softplus(x float64) float64 {
	return math.Max(x, 0) + math.Log1p(math.Exp(-math.Abs(x)))
}
