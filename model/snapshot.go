package model

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"
)

// layer is one dense layer of a Snapshot: y = x·W + b with W [in, out].
type layer struct {
	W *mat.Dense
	B []float64
}

// Snapshot is an immutable copy of a model's weights at one training step,
// with a plain gonum forward pass. Any goroutine may read it while training
// goes on; nothing in it changes after it is published.
type Snapshot struct {
	config  Config
	step    int64
	epoch   int
	encoder []layer // AE and VAE hidden layers
	heads   []layer // AE: code; VAE: mean, log-variance
	decoder []layer // decoder or generator: hidden layers, then pixel logits
	critic  []layer // GAN discriminator
	classes []layer // classifier
}

// ErrNoEncoder is returned when a GAN is asked to encode an image.
var ErrNoEncoder = errors.New("model: a GAN has no encoder")

func newSnapshot(c Config, p *paramSet, step int64, epoch int) *Snapshot {
	a := archOf(c)
	copyLayers := func(ls []layerSpec) []layer {
		out := make([]layer, len(ls))
		for i, l := range ls {
			out[i] = layer{W: mat.NewDense(l.In, l.Out, p.float64s(l.weight())), B: p.float64s(l.bias())}
		}
		return out
	}
	c.Hidden = append([]int(nil), c.Hidden...)
	return &Snapshot{config: c, step: step, epoch: epoch,
		encoder: copyLayers(a.Encoder), heads: copyLayers(a.Heads),
		decoder: copyLayers(a.Decoder), critic: copyLayers(a.Critic), classes: copyLayers(a.Classes)}
}

// Config returns the configuration of the run the weights come from.
func (s *Snapshot) Config() Config {
	c := s.config
	c.Hidden = append([]int(nil), c.Hidden...)
	return c
}

// Kind returns the model family.
func (s *Snapshot) Kind() Kind { return s.config.Kind }

// LatentDim returns the dimension of z.
func (s *Snapshot) LatentDim() int { return s.config.LatentDim }

// Pixels returns the number of pixels of a decoded image (rows*cols).
func (s *Snapshot) Pixels() int { return s.config.ImageRows * s.config.ImageCols }

// Step returns the training step the weights were taken at.
func (s *Snapshot) Step() int64 { return s.step }

// Epoch returns the number of completed epochs when the weights were taken.
func (s *Snapshot) Epoch() int { return s.epoch }

// HasEncoder reports whether the model maps images to latent codes.
func (s *Snapshot) HasEncoder() bool { return len(s.heads) > 0 }

// forward applies layers to the rows of x; hidden layers use the model's
// activation and the last layer is linear.
func (s *Snapshot) forward(x *mat.Dense, layers []layer, linearLast bool) *mat.Dense {
	slope := s.hiddenSlope()
	for i, l := range layers {
		var y mat.Dense
		y.Mul(x, l.W)
		raw := y.RawMatrix()
		last := linearLast && i == len(layers)-1
		for r := 0; r < raw.Rows; r++ {
			row := raw.Data[r*raw.Stride : r*raw.Stride+raw.Cols]
			for j, b := range l.B {
				v := row[j] + b
				if !last && v < 0 {
					v *= slope
				}
				row[j] = v
			}
		}
		x = &y
	}
	return x
}

// DecodeLogits maps each row of z (n x LatentDim) to pixel logits (n x Pixels).
func (s *Snapshot) DecodeLogits(z *mat.Dense) (*mat.Dense, error) {
	if _, c := z.Dims(); c != s.config.LatentDim {
		return nil, fmt.Errorf("model: decode: z has %d columns, the %s has latent dimension %d", c, s.config.Kind, s.config.LatentDim)
	}
	return s.forward(z, s.decoder, true), nil
}

// DecodeBatch maps each row of z (n x LatentDim) to an image with pixels in
// [0, 1] (n x Pixels): the decoder of an AE or VAE, the generator of a GAN.
func (s *Snapshot) DecodeBatch(z *mat.Dense) (*mat.Dense, error) {
	y, err := s.DecodeLogits(z)
	if err != nil {
		return nil, err
	}
	raw := y.RawMatrix()
	for i := range raw.Data {
		raw.Data[i] = sigmoid(raw.Data[i])
	}
	return y, nil
}

// Decode maps one latent vector to one image with pixels in [0, 1].
func (s *Snapshot) Decode(z []float64) ([]float64, error) {
	if len(z) != s.config.LatentDim {
		return nil, fmt.Errorf("model: decode: z has %d values, the %s has latent dimension %d", len(z), s.config.Kind, s.config.LatentDim)
	}
	for i, v := range z {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("model: decode: z[%d] = %v is not finite", i, v)
		}
	}
	x := z
	for i, l := range s.decoder {
		x = s.layerVec(x, l, i < len(s.decoder)-1)
	}
	for i, v := range x {
		x[i] = sigmoid(v)
	}
	return x, nil
}

// layerVec is one layer applied to one vector, on the calling goroutine:
// y = x·W + b as a sum of rows of W (each a contiguous axpy), then the
// activation if hidden. Decoding one point this way spawns no goroutines,
// so it stays fast on a busy UI goroutine.
func (s *Snapshot) layerVec(x []float64, l layer, hidden bool) []float64 {
	raw := l.W.RawMatrix()
	y := append([]float64(nil), l.B...)
	yv := blas64.Vector{N: raw.Cols, Inc: 1, Data: y}
	for i, xi := range x {
		if xi == 0 {
			continue
		}
		row := blas64.Vector{N: raw.Cols, Inc: 1, Data: raw.Data[i*raw.Stride : i*raw.Stride+raw.Cols]}
		blas64.Axpy(xi, row, yv)
	}
	if hidden {
		slope := s.hiddenSlope()
		for j, v := range y {
			if v < 0 {
				y[j] = v * slope
			}
		}
	}
	return y
}

// EncodeBatch maps each row of x (n x Pixels, values in [0, 1]) to the mean
// of q(z|x) and, for a VAE, its log-variance (nil for an AE). A GAN returns
// ErrNoEncoder.
func (s *Snapshot) EncodeBatch(x *mat.Dense) (mean, logVar *mat.Dense, err error) {
	if !s.HasEncoder() {
		return nil, nil, ErrNoEncoder
	}
	if _, c := x.Dims(); c != s.Pixels() {
		return nil, nil, fmt.Errorf("model: encode: images have %d pixels, the %s expects %d", c, s.config.Kind, s.Pixels())
	}
	h := s.forward(x, s.encoder, false)
	mean = s.forward(h, s.heads[:1], true)
	if len(s.heads) > 1 {
		logVar = s.forward(h, s.heads[1:], true)
	}
	return mean, logVar, nil
}

// Encode maps one image to its code (AE) or the mean and log-variance of
// q(z|x) (VAE; logVar is nil for an AE).
func (s *Snapshot) Encode(x []float64) (mean, logVar []float64, err error) {
	if len(x) != s.Pixels() {
		return nil, nil, fmt.Errorf("model: encode: image has %d pixels, the %s expects %d", len(x), s.config.Kind, s.Pixels())
	}
	m, lv, err := s.EncodeBatch(mat.NewDense(1, len(x), append([]float64(nil), x...)))
	if err != nil {
		return nil, nil, err
	}
	if lv != nil {
		logVar = lv.RawRowView(0)
	}
	return m.RawRowView(0), logVar, nil
}

// Discriminate returns the GAN discriminator's logit for each row of x.
func (s *Snapshot) Discriminate(x *mat.Dense) ([]float64, error) {
	if len(s.critic) == 0 {
		return nil, fmt.Errorf("model: the %s has no discriminator", s.config.Kind)
	}
	if _, c := x.Dims(); c != s.Pixels() {
		return nil, fmt.Errorf("model: discriminate: images have %d pixels, expected %d", c, s.Pixels())
	}
	centred := mat.DenseCopyOf(x)
	raw := centred.RawMatrix().Data
	for i, v := range raw {
		raw[i] = 2*v - 1 // the discriminator reads [-1, 1]
	}
	y := s.forward(centred, s.critic, true)
	return mat.Col(nil, 0, y), nil
}

func sigmoid(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}

// softplus is log(1 + exp(x)), computed without overflow.
func softplus(x float64) float64 {
	return math.Max(x, 0) + math.Log1p(math.Exp(-math.Abs(x)))
}

// hiddenSlope is the negative slope of the hidden layers' activation: 0 for
// the ReLU of the AE, VAE and classifier, 0.2 for the GAN's LeakyReLU.
func (s *Snapshot) hiddenSlope() float64 {
	if s.config.Kind == KindGAN {
		return leakySlope
	}
	return 0
}
