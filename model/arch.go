package model

import (
	"fmt"
	"slices"

	"latentlab/model/nn"
	"latentlab/model/nn/conv"
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
	if c.Conv() {
		a = convArchitecture(c)
	} else {
		a = mlpArchitecture(c, pixels, act, dense, chain, reversed)
	}
	if c.Parts == PartsDecoder {
		a.Encoder, a.Heads, a.Critic = nil, nil, nil
	}
	return a
}

// mlpArchitecture is ArchitectureOf for fully connected models.
func mlpArchitecture(c Config, pixels int, act nn.Activation, dense func(string, int, int, nn.Activation) nn.Layer,
	chain func(string, int, []int, int) []nn.Layer, reversed []int) Architecture {
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
	return a
}

// convArchitecture is ArchitectureOf for convolutional models on H x W
// images (sides divisible by 4), as torch.nn modules would name them:
//
//	AE, VAE (channels c1, c2 = Hidden, by default 32, 64) encoder: conv
//	  4x4 stride 2 to H/2 x W/2 x c1, ReLU; conv 4x4 stride 2 to
//	  H/4 x W/4 x c2, ReLU; dense heads to the code, or to the mean and
//	  log-variance. Decoder: dense to c2 x H/4 x W/4, ReLU; resize x2 and
//	  conv 3x3 to c1 channels, ReLU; resize x2 and conv 3x3 to one channel:
//	  the pixels' logits.
//	GAN (DCGAN, Radford et al. 2016, for 28x28; c1, c2 = Hidden, by
//	  default 64, 128): generator dense to c2 x H/4 x W/4, batch norm,
//	  ReLU; resize x2 and conv 3x3 to c1 channels, batch norm, ReLU; resize
//	  x2 and conv 3x3 to the pixels' logits. Discriminator: conv 4x4
//	  stride 2 to c1 channels, LeakyReLU 0.2; conv 4x4 stride 2 to c2
//	  channels, batch norm, LeakyReLU; dense to one logit.
//
// Up-sampling resizes then convolves (Odena et al. 2016), which leaves no
// checkerboard pattern. Each resize and the convolution after it are one
// layer (conv.ResizeConv2D) named after the convolution: the resizes
// ("decoder.1", "generator.2") hold no parameters and count only in the
// numbering, as torch.nn.Sequential would number them. With
// UpsampleTransposed each resize and 3x3 convolution is one 4x4 transposed
// convolution of stride 2 instead, with a kernel of its own that spans the
// resize and convolution as a special case (the one ResizeConv2D runs as),
// at the same cost. The layers then count on without the resizes (the
// VAE's "decoder.1" is the first transposed convolution, the GAN's
// "generator.2" and "generator.3" are the first transposed convolution
// and the second batch norm).
func convArchitecture(c Config) Architecture {
	h, w := c.ImageRows, c.ImageCols
	h2, w2, h4, w4 := h/2, w/2, h/4, w/4
	c1, c2 := c.Hidden[0], c.Hidden[1]
	down := func(name string, inC, ih, iw, outC int, act nn.Activation) nn.Layer {
		return conv.Conv2D{Label: name, InC: inC, H: ih, W: iw, OutC: outC, K: 4, Stride: 2, Pad: 1, Act: act}
	}
	resize := func(name string, inC, ih, iw, outC int, act nn.Activation) nn.Layer {
		return conv.ResizeConv2D{Label: name, InC: inC, H: ih, W: iw, OutC: outC, Act: act}
	}
	upConv := func(name string, inC, ih, iw, outC int, act nn.Activation) nn.Layer {
		return conv.ConvTranspose2D{Label: name, InC: inC, H: ih, W: iw, OutC: outC, K: 4, Stride: 2, Pad: 1, Act: act}
	}
	transposed := c.UpsampleOf() == UpsampleTransposed
	dense := func(name string, in, out int, act nn.Activation) nn.Layer {
		return nn.Dense{Label: name, Inputs: in, Outputs: out, Act: act}
	}
	var a Architecture
	switch c.Kind {
	case KindAE, KindVAE:
		a.Encoder = []nn.Layer{down("encoder.0", 1, h, w, c1, nn.ReLU), down("encoder.1", c1, h2, w2, c2, nn.ReLU)}
		flat := c2 * h4 * w4
		if c.Kind == KindAE {
			a.Heads = []nn.Layer{dense("encoder.code", flat, c.LatentDim, nn.Linear)}
		} else {
			a.Heads = []nn.Layer{dense("encoder.mu", flat, c.LatentDim, nn.Linear), dense("encoder.logvar", flat, c.LatentDim, nn.Linear)}
		}
		if transposed {
			a.Decoder = []nn.Layer{dense("decoder.0", c.LatentDim, flat, nn.ReLU),
				upConv("decoder.1", c2, h4, w4, c1, nn.ReLU), upConv("decoder.out", c1, h2, w2, 1, nn.Linear)}
		} else {
			a.Decoder = []nn.Layer{dense("decoder.0", c.LatentDim, flat, nn.ReLU),
				resize("decoder.2", c2, h4, w4, c1, nn.ReLU), resize("decoder.out", c1, h2, w2, 1, nn.Linear)}
		}
	case KindGAN:
		if transposed {
			a.Decoder = []nn.Layer{dense("generator.0", c.LatentDim, c2*h4*w4, nn.Linear),
				conv.BatchNorm{Label: "generator.1", C: c2, Spatial: h4 * w4, Act: nn.ReLU},
				upConv("generator.2", c2, h4, w4, c1, nn.Linear),
				conv.BatchNorm{Label: "generator.3", C: c1, Spatial: h2 * w2, Act: nn.ReLU},
				upConv("generator.out", c1, h2, w2, 1, nn.Linear)}
		} else {
			a.Decoder = []nn.Layer{dense("generator.0", c.LatentDim, c2*h4*w4, nn.Linear),
				conv.BatchNorm{Label: "generator.1", C: c2, Spatial: h4 * w4, Act: nn.ReLU},
				resize("generator.3", c2, h4, w4, c1, nn.Linear),
				conv.BatchNorm{Label: "generator.4", C: c1, Spatial: h2 * w2, Act: nn.ReLU},
				resize("generator.out", c1, h2, w2, 1, nn.Linear)}
		}
		a.Critic = []nn.Layer{down("discriminator.0", 1, h, w, c1, nn.LeakyReLU),
			down("discriminator.1", c1, h2, w2, c2, nn.Linear),
			conv.BatchNorm{Label: "discriminator.2", C: c2, Spatial: h4 * w4, Act: nn.LeakyReLU},
			dense("discriminator.out", c2*h4*w4, 1, nn.Linear)}
	}
	return a
}
