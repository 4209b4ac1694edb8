package train

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"latentlab/model"
	"latentlab/model/nn"
	"latentlab/model/nn/fused"
)

// build runs f and turns a builder's panic into an error.
func build(what string, f func()) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("train: build %s graph: %v", what, r)
		}
	}()
	f()
	return nil
}

// paramNames lists the parameters of layers, in order.
func paramNames(layers ...[]nn.Layer) []string {
	var out []string
	for _, ls := range layers {
		for _, l := range ls {
			for _, p := range l.Params() {
				if !p.Buffer { // running statistics are updated by their op, not trained
					out = append(out, p.Name)
				}
			}
		}
	}
	return out
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
func buildAutoencoderStep(c model.Config, a model.Architecture, p *nn.ParamSet, dt tensor.Dtype, batch int) (*stepGraph, error) {
	s := newStepGraph(dt, p, batch)
	pixels := c.ImageRows * c.ImageCols
	var cost *G.Node
	err := build(string(c.Kind), func() {
		x := s.input(inX, batch, pixels)
		w := s.input(inW, batch)
		s.g.RowWeights = w
		encMasks := s.dropoutMasks("encoder", append(a.Encoder, a.Heads[0]), c.Dropout)
		decMasks := s.dropoutMasks("decoder", a.Decoder, c.Dropout)
		h := nn.Stack(s.g, x, a.Encoder, encMasks, nn.TrainFromData)

		var z, kl *G.Node
		if len(a.Heads) == 1 { // AE: the code
			z = a.Heads[0].Apply(s.g, h, nn.TrainAll, nil)
		} else { // VAE: the mean and log-variance of q(z|x)
			mu := a.Heads[0].Apply(s.g, h, nn.TrainAll, nil)
			logvar := a.Heads[1].Apply(s.g, h, nn.TrainAll, nil)
			eps := s.input(inEps, batch, c.LatentDim)
			z = fused.Reparam(mu, logvar, eps)
			kl = fused.WeightedKL(mu, logvar, w)
			s.output(outKL, kl)
		}
		logits := nn.Stack(s.g, z, a.Decoder, decMasks, nn.TrainAll)
		cost = fused.WeightedRecon(logits, x, w)
		s.output(outRecon, cost)
		if kl != nil {
			beta := s.input(inBeta)
			cost = G.Must(G.Add(cost, G.Must(G.Mul(beta, kl))))
		}
		s.output(outLoss, cost)
	})
	if err != nil {
		return nil, err
	}
	return s, s.compile(cost, paramNames(a.Encoder, a.Heads, a.Decoder))
}

// buildGANSteps builds the GAN's two training graphs over shared weights
// (Goodfellow et al. 2014). The discriminator step minimises
// sum_i w_i [BCE(t, D(x_i)) + BCE(0, D(G(z_i)))] with real target t = 1 -
// label smoothing; the generator step minimises the non-saturating loss
// sum_i w_i BCE(1, D(G(z_i))) = sum_i w_i softplus(-D(G(z_i))).
func buildGANSteps(c model.Config, a model.Architecture, p *nn.ParamSet, dt tensor.Dtype, batch int) (disc, gen *stepGraph, err error) {
	pixels := c.ImageRows * c.ImageCols

	disc = newStepGraph(dt, p, batch)
	var dCost *G.Node
	err = build("gan discriminator", func() {
		// The discriminator reads pixels centred to [-1, 1]: centred inputs
		// keep its first layer from learning the offset instead of the digits
		// (the tanh-output GANs of Radford et al. 2016 feed it [-1, 1] too).
		x := disc.input(inXCentred, batch, pixels)
		w := disc.input(inW, batch)
		disc.g.RowWeights = w
		z := disc.input(inZ, batch, c.LatentDim)
		fake := fused.CentredSigmoid(nn.Stack(disc.g, z, a.Decoder, nil, nn.ForwardOnly))
		realLogit := nn.Stack(disc.g, x, a.Critic, disc.dropoutMasks("real", a.Critic, c.Dropout), nn.TrainFromData)
		fakeLogit := nn.Stack(disc.g, fake, a.Critic, disc.dropoutMasks("fake", a.Critic, c.Dropout), nn.TrainFromData)
		// BCE(t, l) = softplus(l) - t*l with the scalar target t.
		dCost = G.Must(G.Add(fused.WeightedBCE(realLogit, w, 1-c.LabelSmoothing), fused.WeightedBCE(fakeLogit, w, 0)))
		disc.output(outLoss, dCost)
		disc.output(outRealLogit, realLogit)
		disc.output(outFakeLogit, fakeLogit)
	})
	if err != nil {
		return nil, nil, err
	}
	if err = disc.compile(dCost, paramNames(a.Critic)); err != nil {
		return nil, nil, err
	}

	gen = newStepGraph(dt, p, batch)
	var gCost *G.Node
	err = build("gan generator", func() {
		w := gen.input(inW, batch)
		gen.g.RowWeights = w
		z := gen.input(inZ, batch, c.LatentDim)
		fake := fused.CentredSigmoid(nn.Stack(gen.g, z, a.Decoder, nil, nn.TrainFromData))
		logit := nn.Stack(gen.g, fake, a.Critic, gen.dropoutMasks("fake", a.Critic, c.Dropout), nn.PassThrough)
		gCost = fused.WeightedBCE(logit, w, 1) // softplus(-l) = BCE(1, l)
		gen.output(outLoss, gCost)
	})
	if err != nil {
		disc.close()
		return nil, nil, err
	}
	if err = gen.compile(gCost, paramNames(a.Decoder)); err != nil {
		disc.close()
		return nil, nil, err
	}
	return disc, gen, nil
}

// buildClassifierStep builds the classifier's training graph: an MLP with
// ReLU hidden layers and the softmax cross-entropy
// sum_i w_i [logsumexp_j l_ij - sum_j y_ij l_ij] for one-hot labels y.
func buildClassifierStep(c model.Config, a model.Architecture, p *nn.ParamSet, dt tensor.Dtype, batch int) (*stepGraph, error) {
	s := newStepGraph(dt, p, batch)
	pixels := c.ImageRows * c.ImageCols
	var cost *G.Node
	err := build("classifier", func() {
		x := s.input(inX, batch, pixels)
		y := s.input(inY, batch, model.Classes)
		w := s.input(inW, batch)
		s.g.RowWeights = w
		logits := nn.Stack(s.g, x, a.Classes, s.dropoutMasks("classifier", a.Classes, c.Dropout), nn.TrainFromData)
		// logsumexp_j l_ij = m_i + log sum_j exp(l_ij - m_i), m_i = max_j l_ij.
		// (gorgonia's LogSumExp does not broadcast the max.)
		m := G.Must(G.Max(logits, 1))
		shifted := G.Must(G.BroadcastSub(logits, m, nil, []byte{1}))
		lse := G.Must(G.Add(m, G.Must(G.Log(G.Must(G.Sum(G.Must(G.Exp(shifted)), 1))))))
		picked := G.Must(G.Sum(G.Must(G.HadamardProd(y, logits)), 1))
		cost = G.Must(G.Sum(G.Must(G.HadamardProd(G.Must(G.Sub(lse, picked)), w))))
		s.output(outLoss, cost)
	})
	if err != nil {
		return nil, err
	}
	return s, s.compile(cost, paramNames(a.Classes))
}
