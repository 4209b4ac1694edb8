package train

import (
	"fmt"
	"maps"
	"slices"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"latentlab/model/nn"
)

// input names a value a step graph reads, set by the trainer before each
// run.
type input string

// The inputs of the training graphs. Dropout masks are named by maskInput.
const (
	inX        input = "x"         // images, pixels in [0, 1]
	inXCentred input = "x_centred" // images, pixels in [-1, 1] (the discriminator's)
	inW        input = "w"         // row weights: 1/n for the n real rows, 0 for padding
	inY        input = "y"         // one-hot labels (classifier)
	inZ        input = "z"         // draws of the prior (GAN)
	inEps      input = "eps"       // draws of N(0, I) for the reparameterisation (VAE)
	inBeta     input = "beta"      // the KL weight in force (VAE)
)

// maskPrefix starts the name of every dropout mask input.
const maskPrefix = "mask."

// maskInput names the dropout mask of hidden layer i of a stack.
func maskInput(stack string, i int) input { return input(fmt.Sprintf("%s%s.%d", maskPrefix, stack, i)) }

// output names a value a step graph copies out after each run.
type output string

// The outputs of the training graphs.
const (
	outLoss      output = "loss"       // the cost the step minimises
	outRecon     output = "recon"      // AE, VAE: the reconstruction term
	outKL        output = "kl"         // VAE: the KL term
	outRealLogit output = "real_logit" // GAN discriminator step: D's logits of real images
	outFakeLogit output = "fake_logit" // GAN discriminator step: D's logits of G(z)
)

// stepGraph is one compiled training graph: its inputs, the cost whose
// gradient it computes, the parameters it trains and named outputs to read
// after a run. One goroutine owns it. Inputs and outputs are looked up by
// typed names, and a name the graph lacks panics: it is a programmer's
// error, never a zero loss.
type stepGraph struct {
	g          *nn.Graph
	vm         G.VM
	batch      int
	cost       *G.Node
	names      []string                // the trained parameters, in order
	grads      []*tensor.Dense         // their gradients after a run, handed over by the graph's sink
	inputs     map[input]*G.Node       // every declared input
	outputs    map[output]*G.Value     // copies of node values, made by read instructions during a run
	buffers    map[input]*tensor.Dense // one reusable tensor per non-scalar input
	inputOrder []input                 // names of buffers, sorted; fixed at compile
}

// newStepGraph returns an empty step graph over params for batches of
// batch rows.
func newStepGraph(dt tensor.Dtype, params *nn.ParamSet, batch int) *stepGraph {
	return &stepGraph{g: nn.NewGraph(dt, params), batch: batch, inputs: map[input]*G.Node{}, outputs: map[output]*G.Value{}}
}

// input declares a value the trainer sets before each run: a scalar with
// no shape, else a tensor of the shape.
func (s *stepGraph) input(name input, shape ...int) *G.Node {
	var n *G.Node
	if len(shape) == 0 {
		n = G.NewScalar(s.g.Expr, s.g.Dtype, G.WithName(string(name)))
	} else {
		n = G.NewTensor(s.g.Expr, s.g.Dtype, len(shape), G.WithShape(shape...), G.WithName(string(name)))
	}
	s.inputs[name] = n
	return n
}

// dropoutMasks declares one mask input per hidden layer of a stack when
// p > 0: entries 0 or 1/(1-p) (inverted dropout).
func (s *stepGraph) dropoutMasks(stack string, layers []nn.Layer, p float64) []*G.Node {
	if p <= 0 {
		return nil
	}
	masks := make([]*G.Node, len(layers)-1)
	for i := range masks {
		masks[i] = s.input(maskInput(stack, i), s.batch, layers[i].Out())
	}
	return masks
}

// compile adds the gradient of cost with respect to the named parameters and
// creates the tape machine.
func (s *stepGraph) compile(cost *G.Node, learn []string) error {
	s.cost = cost
	s.names = learn
	params := make(G.Nodes, len(learn))
	for i, name := range learn {
		params[i] = s.g.Param(name)
	}
	grads, err := G.Grad(cost, params...)
	if err != nil {
		return fmt.Errorf("train: gradient: %w", err)
	}
	if _, err := nn.GradSink(cost, grads, &s.grads); err != nil {
		return fmt.Errorf("train: gradient sink: %w", err)
	}
	s.buffers = map[input]*tensor.Dense{}
	for name, n := range s.inputs {
		if n.IsScalar() {
			continue
		}
		s.buffers[name] = tensor.New(tensor.Of(s.g.Dtype), tensor.WithShape(n.Shape().Clone()...))
	}
	s.inputOrder = slices.Sorted(maps.Keys(s.buffers))
	s.vm = G.NewTapeMachine(s.g.Expr)
	return nil
}

// has reports whether the graph reads the named input.
func (s *stepGraph) has(name input) bool { _, ok := s.inputs[name]; return ok }

// buffer returns the reusable tensor behind a non-scalar input.
func (s *stepGraph) buffer(name input) *tensor.Dense {
	t, ok := s.buffers[name]
	if !ok {
		panic(fmt.Sprintf("train: the step graph has no tensor input %q", name))
	}
	return t
}

// setScalar sets a scalar input.
func (s *stepGraph) setScalar(name input, v float64) error {
	n, ok := s.inputs[name]
	if !ok || !n.IsScalar() {
		panic(fmt.Sprintf("train: the step graph has no scalar input %q", name))
	}
	var val any = v
	if s.g.Dtype == tensor.Float32 {
		val = float32(v)
	}
	return G.Let(n, val)
}

// run binds the input buffers, runs forward and backward, and leaves the
// outputs and the gradients (see gradient) in place until the next run.
func (s *stepGraph) run() error {
	for name, t := range s.buffers {
		if err := G.Let(s.inputs[name], t); err != nil {
			return fmt.Errorf("train: set input %s: %w", name, err)
		}
	}
	if err := s.vm.RunAll(); err != nil {
		return fmt.Errorf("train: run graph: %w", err)
	}
	return nil
}

// reset readies the machine for the next run.
func (s *stepGraph) reset() { s.vm.Reset() }

// output asks for a copy of n's value after each run, under name. Reading
// a node's value directly is unsafe: the tape machine reuses memory.
func (s *stepGraph) output(name output, n *G.Node) {
	v := new(G.Value)
	G.Read(n, v)
	s.outputs[name] = v
}

// value returns the named output's value after a run.
func (s *stepGraph) value(name output) G.Value {
	v, ok := s.outputs[name]
	if !ok {
		panic(fmt.Sprintf("train: the step graph has no output %q", name))
	}
	if *v == nil {
		panic(fmt.Sprintf("train: output %q read before the graph ran", name))
	}
	return *v
}

// scalar reads a scalar output after a run.
func (s *stepGraph) scalar(name output) float64 {
	switch v := s.value(name).Data().(type) {
	case float32:
		return float64(v)
	case float64:
		return v
	}
	panic(fmt.Sprintf("train: output %q is not a scalar", name))
}

// values reads a tensor output after a run, as float64.
func (s *stepGraph) values(name output) []float64 {
	t, ok := s.value(name).(*tensor.Dense)
	if !ok {
		panic(fmt.Sprintf("train: output %q is not a dense tensor", name))
	}
	return nn.Float64s(t)
}

// gradient returns the gradient tensor of learnable i after a run, valid
// until the next run. The optimizer may overwrite it.
func (s *stepGraph) gradient(i int) (*tensor.Dense, error) {
	if i >= len(s.grads) {
		return nil, fmt.Errorf("train: gradient of %s: the graph has not run", s.names[i])
	}
	return s.grads[i], nil
}

func (s *stepGraph) close() {
	if s.vm != nil {
		s.vm.Close()
	}
}
