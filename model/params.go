package model

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gorgonia.org/tensor"
)

// layerSpec is one fully connected layer: weight [In, Out] and bias [Out].
type layerSpec struct {
	Name    string
	In, Out int
}

func (l layerSpec) weight() string { return l.Name + ".weight" }
func (l layerSpec) bias() string   { return l.Name + ".bias" }

// architecture lists a model's layers by role. The decoder of an AE or VAE
// and the generator of a GAN share the role Decoder; its last layer emits
// logits of the pixels.
type architecture struct {
	Encoder []layerSpec // hidden layers of the encoder (AE, VAE)
	Heads   []layerSpec // AE: the code; VAE: mean then log-variance
	Decoder []layerSpec // hidden layers then the pixel logits
	Critic  []layerSpec // GAN discriminator: hidden layers then one logit
	Classes []layerSpec // classifier: hidden layers then one logit per class
}

func (a architecture) all() []layerSpec {
	var out []layerSpec
	for _, part := range [][]layerSpec{a.Encoder, a.Heads, a.Decoder, a.Critic, a.Classes} {
		out = append(out, part...)
	}
	return out
}

// archOf derives the layers from a Config (784-512-256-z-256-512-784 for the
// default AE and VAE).
func archOf(c Config) architecture {
	pixels := c.ImageRows * c.ImageCols
	chain := func(prefix string, in int, widths []int, out int) []layerSpec {
		var ls []layerSpec
		for i, w := range widths {
			ls = append(ls, layerSpec{fmt.Sprintf("%s.%d", prefix, i), in, w})
			in = w
		}
		return append(ls, layerSpec{prefix + ".out", in, out})
	}
	reversed := make([]int, len(c.Hidden))
	for i, h := range c.Hidden {
		reversed[len(c.Hidden)-1-i] = h
	}
	var a architecture
	last := c.Hidden[len(c.Hidden)-1]
	switch c.Kind {
	case KindAE, KindVAE:
		enc := chain("encoder", pixels, c.Hidden, 0)
		a.Encoder = enc[:len(enc)-1]
		if c.Kind == KindAE {
			a.Heads = []layerSpec{{"encoder.code", last, c.LatentDim}}
		} else {
			a.Heads = []layerSpec{{"encoder.mu", last, c.LatentDim}, {"encoder.logvar", last, c.LatentDim}}
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

// paramSet holds a model's weights as tensors of one dtype, by name, in a
// fixed order. The tensors are shared with the graphs that train them.
type paramSet struct {
	names   []string
	tensors map[string]*tensor.Dense
}

// newParamSet allocates the parameters of arch and initialises them as
// PyTorch's nn.Linear does: weights and biases ~ U(-1/sqrt(in), 1/sqrt(in)).
func newParamSet(a architecture, dt tensor.Dtype, seed uint64) *paramSet {
	rng := rand.New(rand.NewPCG(seed, 0x1417))
	p := &paramSet{tensors: map[string]*tensor.Dense{}}
	for _, l := range a.all() {
		bound := 1 / math.Sqrt(float64(l.In))
		p.add(l.weight(), dt, []int{l.In, l.Out}, rng, bound)
		p.add(l.bias(), dt, []int{l.Out}, rng, bound)
	}
	return p
}

func (p *paramSet) add(name string, dt tensor.Dtype, shape []int, rng *rand.Rand, bound float64) {
	n := 1
	for _, s := range shape {
		n *= s
	}
	var t *tensor.Dense
	switch dt {
	case tensor.Float64:
		data := make([]float64, n)
		for i := range data {
			data[i] = (2*rng.Float64() - 1) * bound
		}
		t = tensor.New(tensor.WithShape(shape...), tensor.WithBacking(data))
	default:
		data := make([]float32, n)
		for i := range data {
			data[i] = float32((2*rng.Float64() - 1) * bound)
		}
		t = tensor.New(tensor.WithShape(shape...), tensor.WithBacking(data))
	}
	p.names = append(p.names, name)
	p.tensors[name] = t
}

// float64s returns a copy of the named parameter as float64.
func (p *paramSet) float64s(name string) []float64 {
	return toFloat64s(p.tensors[name])
}

// float32s returns a copy of the named parameter as float32.
func (p *paramSet) float32s(name string) []float32 {
	return toFloat32s(p.tensors[name])
}

// count returns the number of scalar parameters.
func (p *paramSet) count() int {
	n := 0
	for _, t := range p.tensors {
		n += t.Shape().TotalSize()
	}
	return n
}

func toFloat64s(t *tensor.Dense) []float64 {
	switch d := t.Data().(type) {
	case []float64:
		return append([]float64(nil), d...)
	case []float32:
		out := make([]float64, len(d))
		for i, v := range d {
			out[i] = float64(v)
		}
		return out
	}
	panic(fmt.Sprintf("model: unsupported tensor data %T", t.Data()))
}

func toFloat32s(t *tensor.Dense) []float32 {
	switch d := t.Data().(type) {
	case []float32:
		return append([]float32(nil), d...)
	case []float64:
		out := make([]float32, len(d))
		for i, v := range d {
			out[i] = float32(v)
		}
		return out
	}
	panic(fmt.Sprintf("model: unsupported tensor data %T", t.Data()))
}

// setFloat64s overwrites t's values with src (converted to t's dtype).
func setFloat64s(t *tensor.Dense, src []float64) {
	switch d := t.Data().(type) {
	case []float64:
		copy(d, src)
	case []float32:
		for i, v := range src {
			d[i] = float32(v)
		}
	default:
		panic(fmt.Sprintf("model: unsupported tensor data %T", t.Data()))
	}
}
