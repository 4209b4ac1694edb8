package model

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// graphBuilder adds nodes to one gorgonia graph of one dtype. Parameter nodes
// are bound to the tensors of a shared paramSet, so several graphs (the GAN's
// discriminator and generator steps) train the same weights. Shapes come from
// a validated Config, so a shape error here is a programmer error: builders
// panic through G.Must and build() turns that into an error.
type graphBuilder struct {
	g      *G.ExprGraph
	dt     tensor.Dtype
	params *paramSet
	nodes  map[string]*G.Node
	inputs map[string]*G.Node
}

func newGraphBuilder(dt tensor.Dtype, params *paramSet) *graphBuilder {
	return &graphBuilder{g: G.NewGraph(), dt: dt, params: params, nodes: map[string]*G.Node{}, inputs: map[string]*G.Node{}}
}

// param returns the node of a named parameter in this graph.
func (b *graphBuilder) param(name string) *G.Node {
	if n, ok := b.nodes[name]; ok {
		return n
	}
	t, ok := b.params.tensors[name]
	if !ok {
		panic(fmt.Sprintf("model: no parameter %q", name))
	}
	var n *G.Node
	if t.Dims() == 1 {
		n = G.NewVector(b.g, b.dt, G.WithShape(t.Shape()...), G.WithName(name), G.WithValue(t))
	} else {
		n = G.NewMatrix(b.g, b.dt, G.WithShape(t.Shape()...), G.WithName(name), G.WithValue(t))
	}
	b.nodes[name] = n
	return n
}

// input declares a value the trainer sets before each run.
func (b *graphBuilder) input(name string, shape ...int) *G.Node {
	var n *G.Node
	switch len(shape) {
	case 0:
		n = G.NewScalar(b.g, b.dt, G.WithName(name))
	case 1:
		n = G.NewVector(b.g, b.dt, G.WithShape(shape...), G.WithName(name))
	default:
		n = G.NewMatrix(b.g, b.dt, G.WithShape(shape...), G.WithName(name))
	}
	b.inputs[name] = n
	return n
}

// activation is a layer's non-linearity, given by its negative slope:
// act(v) = v for v > 0 and slope*v otherwise.
type activation float64

const (
	relu      activation = 0
	leakyReLU activation = 0.2 // the GAN's (Radford et al. 2016)
	linear    activation = 1
)

// leakySlope is the GAN's LeakyReLU slope as a number, for the snapshot's
// forward pass.
const leakySlope = float64(leakyReLU)

// dense is act(x·W + b), times the dropout mask if mask is not nil, as one
// fused op, building only the gradients that needs asks for.
func (b *graphBuilder) dense(x *G.Node, l layerSpec, act activation, needs gradNeeds, mask *G.Node) *G.Node {
	return fusedDense(x, b.param(l.weight()), b.param(l.bias()), float64(act), needs, mask)
}

// mlp runs x through layers: every layer but the last is followed by act
// and, where masks[i] is not nil, multiplied by the dropout mask masks[i]
// (entries 0 or 1/(1-p): inverted dropout). The last layer is linear.
// needs says whether the graph needs the gradient with respect to x and
// trains the layers' weights.
func (b *graphBuilder) mlp(x *G.Node, layers []layerSpec, act activation, masks []*G.Node, needs gradNeeds) *G.Node {
	last := len(layers) - 1
	h := b.hidden(x, layers[:last], act, masks, needs)
	return b.dense(h, layers[last], linear, layerNeeds(needs, last), nil)
}

// hidden runs x through layers, each followed by act and, where masks[i]
// is not nil, the dropout mask masks[i]; needs is as for mlp.
func (b *graphBuilder) hidden(x *G.Node, layers []layerSpec, act activation, masks []*G.Node, needs gradNeeds) *G.Node {
	for i, l := range layers {
		var mask *G.Node
		if i < len(masks) {
			mask = masks[i]
		}
		x = b.dense(x, l, act, layerNeeds(needs, i), mask)
	}
	return x
}

// layerNeeds is what layer i of a stack needs when the stack needs needs:
// past the first layer, what flows back feeds the layers before it.
func layerNeeds(needs gradNeeds, i int) gradNeeds {
	if i > 0 {
		needs.input = needs.input || needs.weights
	}
	return needs
}

// Gradient needs of the graphs' layer stacks.
var (
	trainFromData = gradNeeds{input: false, weights: true} // weights trained, input is data
	trainAll      = gradNeeds{input: true, weights: true}  // weights trained, input computed from trained weights
	passThrough   = gradNeeds{input: true, weights: false} // another step's weights, a gradient flows through
	forwardOnly   = gradNeeds{}                            // no gradient at all
)

// dropoutMasks declares one mask input per hidden layer when p > 0.
func (b *graphBuilder) dropoutMasks(prefix string, batch int, layers []layerSpec, p float64) []*G.Node {
	if p <= 0 {
		return nil
	}
	masks := make([]*G.Node, len(layers)-1)
	for i := range masks {
		masks[i] = b.input(fmt.Sprintf("mask.%s.%d", prefix, i), batch, layers[i].Out)
	}
	return masks
}

// weightedSum is sum_i w_i v_i for a per-row vector v and row weights w.
func weightedSum(v, w *G.Node) *G.Node {
	return G.Must(G.Sum(G.Must(G.HadamardProd(v, w))))
}

// build runs f and turns a builder panic into an error.
func build(what string, f func()) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("model: build %s graph: %v", what, r)
		}
	}()
	f()
	return nil
}
