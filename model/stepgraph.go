package model

import (
	"fmt"
	"maps"
	"slices"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// stepGraph is one compiled training graph: its inputs, the cost whose
// gradient it computes, the parameters it trains and named outputs to read
// after a run. One goroutine owns it.
type stepGraph struct {
	b          *graphBuilder
	vm         G.VM
	batch      int
	cost       *G.Node
	names      []string                 // the trained parameters, in order
	grads      []*tensor.Dense          // their gradients after a run, handed over by the graph's sink
	outputs    map[string]*G.Value      // copies of node values, made by read instructions during a run
	buffers    map[string]*tensor.Dense // one reusable tensor per non-scalar input
	inputOrder []string                 // names of buffers, sorted; fixed at compile

	// intermediates says whether outputs also holds the values only tests
	// read (see intermediate).
	intermediates bool
}

// compile adds the gradient of cost with respect to the named parameters and
// creates the tape machine.
func (s *stepGraph) compile(cost *G.Node, learn []string) error {
	s.cost = cost
	s.names = learn
	params := make(G.Nodes, len(learn))
	for i, name := range learn {
		params[i] = s.b.param(name)
	}
	grads, err := G.Grad(cost, params...)
	if err != nil {
		return fmt.Errorf("model: gradient: %w", err)
	}
	if _, err := newGradSink(cost, grads, &s.grads); err != nil {
		return fmt.Errorf("model: gradient sink: %w", err)
	}
	s.buffers = map[string]*tensor.Dense{}
	for name, n := range s.b.inputs {
		if n.IsScalar() {
			continue
		}
		s.buffers[name] = tensor.New(tensor.Of(s.b.dt), tensor.WithShape(n.Shape().Clone()...))
	}
	s.inputOrder = slices.Sorted(maps.Keys(s.buffers))
	s.vm = G.NewTapeMachine(s.b.g)
	return nil
}

// buffer returns the reusable tensor behind a non-scalar input, or nil if
// the graph has no such input.
func (s *stepGraph) buffer(name string) *tensor.Dense { return s.buffers[name] }

// setScalar sets a scalar input.
func (s *stepGraph) setScalar(name string, v float64) error {
	n, ok := s.b.inputs[name]
	if !ok {
		return nil
	}
	var val any = v
	if s.b.dt == tensor.Float32 {
		val = float32(v)
	}
	return G.Let(n, val)
}

// run binds the input buffers, runs forward and backward, and leaves the
// outputs and the gradients (see gradient) in place until the next run.
func (s *stepGraph) run() error {
	for name, t := range s.buffers {
		if err := G.Let(s.b.inputs[name], t); err != nil {
			return fmt.Errorf("model: set input %s: %w", name, err)
		}
	}
	if err := s.vm.RunAll(); err != nil {
		return fmt.Errorf("model: run graph: %w", err)
	}
	return nil
}

// reset readies the machine for the next run.
func (s *stepGraph) reset() { s.vm.Reset() }

// output asks for a copy of n's value after each run, under name. Reading
// a node's value directly is unsafe: the tape machine reuses memory.
func (s *stepGraph) output(name string, n *G.Node) {
	v := new(G.Value)
	G.Read(n, v)
	s.outputs[name] = v
}

// intermediate is output for a value only tests read (codes, logits,
// generated images): registered only when the graph keeps intermediates,
// since each copy is a pass over a batch on every run.
func (s *stepGraph) intermediate(name string, n *G.Node) {
	if s.intermediates {
		s.output(name, n)
	}
}

// scalar reads a scalar output after a run.
func (s *stepGraph) scalar(name string) float64 {
	v := s.outputs[name]
	if v == nil || *v == nil {
		return 0
	}
	switch v := (*v).Data().(type) {
	case float32:
		return float64(v)
	case float64:
		return v
	}
	return 0
}

// values reads a tensor output after a run, as float64.
func (s *stepGraph) values(name string) []float64 {
	v := s.outputs[name]
	if v == nil || *v == nil {
		return nil
	}
	t, ok := (*v).(*tensor.Dense)
	if !ok {
		return nil
	}
	return toFloat64s(t)
}

// gradient returns the gradient tensor of learnable i after a run, valid
// until the next run. The optimizer may overwrite it.
func (s *stepGraph) gradient(i int) (*tensor.Dense, error) {
	if i >= len(s.grads) {
		return nil, fmt.Errorf("model: gradient of %s: the graph has not run", s.names[i])
	}
	return s.grads[i], nil
}

func (s *stepGraph) close() {
	if s.vm != nil {
		s.vm.Close()
	}
}

// buildAutoencoderStep builds the training graph of an AE or a VAE for a
// fixed batch size.
//
// AE:  loss = sum_i w_i BCE(x_i, dec(enc(x_i))).
// VAE: loss = sum_i w_i [BCE(x_i, dec(z_i)) + beta * KL(q(z|x_i) || N(0, I))],
// z_i = mu_i + exp(logvar_i / 2) * eps_i (the reparameterisation trick) and
// KL = -1/2 sum_j (1 + logvar_j - mu_j^2 - exp(logvar_j)) (Kingma & Welling
// 2014, appendix B). Row weights w_i are 1/n for the n real rows of a batch
// and 0 for padding, so the last partial batch of an epoch is used.
func buildAutoencoderStep(c Config, a architecture, p *paramSet, dt tensor.Dtype, batch int, intermediates bool) (*stepGraph, error) {
	b := newGraphBuilder(dt, p)
	s := &stepGraph{b: b, batch: batch, outputs: map[string]*G.Value{}, intermediates: intermediates}
	pixels := c.ImageRows * c.ImageCols
	var cost, kl *G.Node
	err := build(string(c.Kind), func() {
		x := b.input("x", batch, pixels)
		w := b.input("w", batch)
		encMasks := b.dropoutMasks("encoder", batch, append(a.Encoder, a.Heads[0]), c.Dropout)
		decMasks := b.dropoutMasks("decoder", batch, a.Decoder, c.Dropout)
		h := b.hidden(x, a.Encoder, relu, encMasks, trainFromData)

		var z *G.Node
		if c.Kind == KindAE {
			z = b.dense(h, a.Heads[0], linear, trainAll, nil)
		} else {
			mu := b.dense(h, a.Heads[0], linear, trainAll, nil)
			logvar := b.dense(h, a.Heads[1], linear, trainAll, nil)
			eps := b.input("eps", batch, c.LatentDim)
			z = fusedReparam(mu, logvar, eps)
			kl = fusedWeightedKL(mu, logvar, w)
			s.output("kl", kl)
		}
		logits := b.mlp(z, a.Decoder, relu, decMasks, trainAll)
		s.intermediate("z", z)
		s.intermediate("logits", logits)
		cost = fusedWeightedRecon(logits, x, w)
		s.output("recon", cost)
		if c.Kind == KindVAE {
			beta := b.input("beta")
			cost = G.Must(G.Add(cost, G.Must(G.Mul(beta, kl))))
		}
		s.output("loss", cost)
	})
	if err != nil {
		return nil, err
	}
	var learn []string
	for _, l := range append(append(append([]layerSpec{}, a.Encoder...), a.Heads...), a.Decoder...) {
		learn = append(learn, l.weight(), l.bias())
	}
	return s, s.compile(cost, learn)
}

// buildGANSteps builds the GAN's two training graphs over shared weights
// (Goodfellow et al. 2014). The discriminator step minimises
// sum_i w_i [BCE(t, D(x_i)) + BCE(0, D(G(z_i)))] with real target t = 1 -
// label smoothing; the generator step minimises the non-saturating loss
// sum_i w_i BCE(1, D(G(z_i))) = sum_i w_i softplus(-D(G(z_i))).
func buildGANSteps(c Config, a architecture, p *paramSet, dt tensor.Dtype, batch int, intermediates bool) (disc, gen *stepGraph, err error) {
	pixels := c.ImageRows * c.ImageCols
	names := func(ls []layerSpec) []string {
		var out []string
		for _, l := range ls {
			out = append(out, l.weight(), l.bias())
		}
		return out
	}

	db := newGraphBuilder(dt, p)
	disc = &stepGraph{b: db, batch: batch, outputs: map[string]*G.Value{}, intermediates: intermediates}
	var dCost *G.Node
	err = build("gan discriminator", func() {
		// The discriminator reads pixels centred to [-1, 1]: centred inputs
		// keep its first layer from learning the offset instead of the digits
		// (the tanh-output GANs of Radford et al. 2016 feed it [-1, 1] too).
		x := db.input("x_centred", batch, pixels)
		w := db.input("w", batch)
		z := db.input("z", batch, c.LatentDim)
		fake := fusedCentredSigmoid(db.mlp(z, a.Decoder, leakyReLU, nil, forwardOnly))
		realLogit := db.mlp(x, a.Critic, leakyReLU, db.dropoutMasks("real", batch, a.Critic, c.Dropout), trainFromData)
		fakeLogit := db.mlp(fake, a.Critic, leakyReLU, db.dropoutMasks("fake", batch, a.Critic, c.Dropout), trainFromData)
		// BCE(t, l) = softplus(l) - t*l with the scalar target t.
		dCost = G.Must(G.Add(fusedWeightedBCE(realLogit, w, 1-c.LabelSmoothing), fusedWeightedBCE(fakeLogit, w, 0)))
		disc.output("loss", dCost)
		disc.intermediate("fake_centred", fake)
		disc.output("real_logit", realLogit)
		disc.output("fake_logit", fakeLogit)
	})
	if err != nil {
		return nil, nil, err
	}
	if err = disc.compile(dCost, names(a.Critic)); err != nil {
		return nil, nil, err
	}

	gb := newGraphBuilder(dt, p)
	gen = &stepGraph{b: gb, batch: batch, outputs: map[string]*G.Value{}, intermediates: intermediates}
	var gCost *G.Node
	err = build("gan generator", func() {
		w := gb.input("w", batch)
		z := gb.input("z", batch, c.LatentDim)
		fakeLogits := gb.mlp(z, a.Decoder, leakyReLU, nil, trainFromData)
		fake := fusedCentredSigmoid(fakeLogits)
		logit := gb.mlp(fake, a.Critic, leakyReLU, gb.dropoutMasks("fake", batch, a.Critic, c.Dropout), passThrough)
		gCost = fusedWeightedBCE(logit, w, 1) // softplus(-l) = BCE(1, l)
		gen.output("loss", gCost)
		gen.intermediate("fake_logit", logit)
		gen.intermediate("fake_centred", fake)
	})
	if err != nil {
		disc.close()
		return nil, nil, err
	}
	if err = gen.compile(gCost, names(a.Decoder)); err != nil {
		disc.close()
		return nil, nil, err
	}
	return disc, gen, nil
}

// sortedInputs returns the names of the non-scalar inputs in a fixed order,
// so that random draws fill them reproducibly.
func (s *stepGraph) sortedInputs() []string { return s.inputOrder }

// buildClassifierStep builds the classifier's training graph: an MLP with
// ReLU hidden layers and the softmax cross-entropy
// sum_i w_i [logsumexp_j l_ij - sum_j y_ij l_ij] for one-hot labels y.
func buildClassifierStep(c Config, a architecture, p *paramSet, dt tensor.Dtype, batch int, intermediates bool) (*stepGraph, error) {
	b := newGraphBuilder(dt, p)
	s := &stepGraph{b: b, batch: batch, outputs: map[string]*G.Value{}, intermediates: intermediates}
	pixels := c.ImageRows * c.ImageCols
	var cost *G.Node
	err := build("classifier", func() {
		x := b.input("x", batch, pixels)
		y := b.input("y", batch, Classes)
		w := b.input("w", batch)
		logits := b.mlp(x, a.Classes, relu, b.dropoutMasks("classifier", batch, a.Classes, c.Dropout), trainFromData)
		// logsumexp_j l_ij = m_i + log sum_j exp(l_ij - m_i), m_i = max_j l_ij.
		// (gorgonia's LogSumExp does not broadcast the max.)
		m := G.Must(G.Max(logits, 1))
		shifted := G.Must(G.BroadcastSub(logits, m, nil, []byte{1}))
		lse := G.Must(G.Add(m, G.Must(G.Log(G.Must(G.Sum(G.Must(G.Exp(shifted)), 1))))))
		picked := G.Must(G.Sum(G.Must(G.HadamardProd(y, logits)), 1))
		cost = weightedSum(G.Must(G.Sub(lse, picked)), w)
		s.output("loss", cost)
		s.intermediate("logits", logits)
	})
	if err != nil {
		return nil, err
	}
	var learn []string
	for _, l := range a.Classes {
		learn = append(learn, l.weight(), l.bias())
	}
	return s, s.compile(cost, learn)
}
