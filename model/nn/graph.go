package nn

import (
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Graph is one gorgonia graph of one dtype whose parameter nodes are bound
// to the tensors of a shared ParamSet, so that several graphs (the GAN's
// discriminator and generator steps) train the same weights. Shapes come
// from a validated configuration, so a shape error while building is a
// programmer's error: builders panic through G.Must.
type Graph struct {
	Expr   *G.ExprGraph
	Dtype  tensor.Dtype
	Params *ParamSet
	// RowWeights is the batch's row weights (1/n for the n real rows, 0
	// for padding), for layers whose statistics run over the batch
	// (BatchNorm). The step graph sets it before it applies any layer.
	RowWeights *G.Node
	nodes      map[string]*G.Node
	shared     map[string]any
}

// NewGraph returns an empty graph of dtype dt over params.
func NewGraph(dt tensor.Dtype, params *ParamSet) *Graph {
	return &Graph{Expr: G.NewGraph(), Dtype: dt, Params: params, nodes: map[string]*G.Node{}}
}

// Shared returns what the graph holds under key, made by make on first
// use: scratch memory that every op of a layer kind in this graph can
// share, since one goroutine runs a graph's ops one after another.
func (g *Graph) Shared(key string, make func() any) any {
	if g.shared == nil {
		g.shared = map[string]any{}
	}
	v, ok := g.shared[key]
	if !ok {
		v = make()
		g.shared[key] = v
	}
	return v
}

// Param returns the node of a named parameter in this graph, bound to the
// parameter's tensor.
func (g *Graph) Param(name string) *G.Node {
	if n, ok := g.nodes[name]; ok {
		return n
	}
	t := g.Params.Tensor(name)
	n := G.NewTensor(g.Expr, g.Dtype, t.Dims(), G.WithShape(t.Shape()...), G.WithName(name), G.WithValue(t))
	g.nodes[name] = n
	return n
}
