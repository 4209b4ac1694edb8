package model

import (
	"fmt"
	"slices"

	"latentlab/model/nn"
)

// Architecture lists a model's layers by role. The decoder of an AE or VAE
// and the generator of a GAN share the role Decoder; its last layer emits
// the pixels' logits.
type Architecture struct {
	Encoder []nn.Layer // hidden layers of the encoder (AE, VAE)
	Heads   []nn.Layer // AE: the code; VAE: mean, then log-variance
	Decoder []nn.Layer // decoder or generator: hidden layers, then the pixel logits
	Critic  []nn.Layer // GAN discriminator: hidden layers, then one logit
	Classes []nn.Layer // classifier: hidden layers, then one logit per class
}

// Layers returns every layer, role by role in the order above: the order
// of initialisation and of checkpoints.
func (a Architecture) Layers() []nn.Layer {
	return slices.Concat(a.Encoder, a.Heads, a.Decoder, a.Critic, a.Classes)
}

// ArchitectureOf derives the layers from a validated Config: for the
// default AE and VAE 784-512-256-z-256-512-784 with ReLU hidden layers;
// for the GAN a generator z-256-512-784 and a discriminator 784-512-256-1
// with LeakyReLU(0.2) hidden layers (Radford et al. 2016). A decoder-only
// Config (Parts) has the decoder or generator alone.
func ArchitectureOf(c Config) Architecture {
	pixels := c.ImageRows * c.ImageCols
	act := nn.ReLU
	if c.Kind == KindGAN {
		act = nn.LeakyReLU
	}
	dense := func(name string, in, out int, a nn.Activation) nn.Layer {
		return nn.Dense{Label: name, Inputs: in, Outputs: out, Act: a}
	}
	// chain is hidden layers of the given widths, then a linear layer to out.
	chain := func(prefix string, in int, widths []int, out int) []nn.Layer {
		var ls []nn.Layer
		for i, w := range widths {
			ls = append(ls, dense(fmt.Sprintf("%s.%d", prefix, i), in, w, act))
			in = w
		}
		return append(ls, dense(prefix+".out", in, out, nn.Linear))
	}
	reversed := slices.Clone(c.Hidden)
	slices.Reverse(reversed)
	var a Architecture
	last := c.Hidden[len(c.Hidden)-1]
	switch c.Kind {
	case KindAE, KindVAE:
		enc := chain("encoder", pixels, c.Hidden, 0)
		a.Encoder = enc[:len(enc)-1]
		if c.Kind == KindAE {
			a.Heads = []nn.Layer{dense("encoder.code", last, c.LatentDim, nn.Linear)}
		} else {
			a.Heads = []nn.Layer{dense("encoder.mu", last, c.LatentDim, nn.Linear), dense("encoder.logvar", last, c.LatentDim, nn.Linear)}
		}
		a.Decoder = chain("decoder", c.LatentDim, reversed, pixels)
	case KindGAN:
		a.Decoder = chain("generator", c.LatentDim, c.Hidden, pixels)
		a.Critic = chain("discriminator", pixels, reversed, 1)
	case KindClassifier:
		a.Classes = chain("classifier", pixels, c.Hidden, Classes)
	}
	if c.Parts == PartsDecoder {
		a.Encoder, a.Heads, a.Critic = nil, nil, nil
	}
	return a
}
