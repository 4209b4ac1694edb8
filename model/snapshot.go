package model

import (
	"errors"
	"fmt"
	"math"
	"sync"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"

	"latentlab/model/kernel"
	"latentlab/model/openblas"
)

// layer is one dense layer of a Snapshot: y = x·W + b with W [In, Out],
// row-major, in float32 like the weights training produces.
type layer struct {
	In, Out int
	W, B    []float32
}

// Snapshot is an immutable copy of a model's weights at one training step,
// with a float32 forward pass of its own: OpenBLAS's sgemm for batches,
// package kernel's serial loop for a single row, and package kernel's
// vectorised bias, activation and sigmoid passes; and, for Preview, a copy
// of the decoder in half precision. Any goroutine may read it
// while training goes on; nothing in it changes after it is published.
// Results are float64 and agree with the training graphs within float32
// rounding.
type Snapshot struct {
	config  Config
	step    int64
	epoch   int
	encoder []layer     // AE and VAE hidden layers
	heads   []layer     // AE: code; VAE: mean, log-variance
	decoder []layer     // decoder or generator: hidden layers, then pixel logits
	critic  []layer     // GAN discriminator
	classes []layer     // classifier
	preview []halfLayer // decoder in half precision, for Preview; nil without AVX-512
}

// ErrNoEncoder is returned when a GAN is asked to encode an image.
var ErrNoEncoder = errors.New("model: a GAN has no encoder")

// ErrNoDecoder is returned when the classifier is asked to decode.
var ErrNoDecoder = errors.New("model: the classifier has no decoder")

func newSnapshot(c Config, p *paramSet, step int64, epoch int) *Snapshot {
	openblas.Install() // a snapshot loaded from a checkpoint has had no trainer to do it
	a := archOf(c)
	copyLayers := func(ls []layerSpec) []layer {
		out := make([]layer, len(ls))
		for i, l := range ls {
			out[i] = layer{In: l.In, Out: l.Out, W: p.float32s(l.weight()), B: p.float32s(l.bias())}
		}
		return out
	}
	c.Hidden = append([]int(nil), c.Hidden...)
	s := &Snapshot{config: c, step: step, epoch: epoch,
		encoder: copyLayers(a.Encoder), heads: copyLayers(a.Heads),
		decoder: copyLayers(a.Decoder), critic: copyLayers(a.Critic), classes: copyLayers(a.Classes)}
	s.preview = previewLayers(s.decoder)
	return s
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

// forwardChunk is the most rows a batch forward pass takes at once, which
// bounds its scratch memory (a few MB for the default widths).
const forwardChunk = 1024

// forwardScratch holds a forward pass's float32 buffers: the input rows,
// and two for the layers' outputs in turn. Snapshots are read from many
// goroutines at once, so each pass takes its own from forwardPool.
type forwardScratch struct{ in, a, b []float32 }

var forwardPool = sync.Pool{New: func() any { return new(forwardScratch) }}

// growF32 returns s resized to n elements, reallocated if it is too small.
func growF32(s []float32, n int) []float32 {
	if cap(s) < n {
		return make([]float32, n)
	}
	return s[:n]
}

// mulRows sets y (n x l.Out) = x·W for the n x l.In rows x. One row goes
// through kernel.Dense on the calling goroutine's thread, which skips the
// rows of W that zero inputs (after a ReLU, about half) would multiply: a
// single decode, the UI's, neither waits for OpenBLAS's thread pool, which
// training shares, nor reads more of W than it needs. More rows go through
// OpenBLAS's sgemm.
func mulRows(y, x []float32, n int, l layer) {
	if n == 1 {
		kernel.Dense(y, x, l.W, nil, false, 0)
		return
	}
	blas32.Gemm(blas.NoTrans, blas.NoTrans, 1,
		blas32.General{Rows: n, Cols: l.In, Stride: l.In, Data: x},
		blas32.General{Rows: l.In, Cols: l.Out, Stride: l.Out, Data: l.W}, 0,
		blas32.General{Rows: n, Cols: l.Out, Stride: l.Out, Data: y})
}

// hidden applies layers, each followed by the hidden activation, to the n
// rows of sc.in (n x layers[0].In) and returns their output, which is one
// of sc's buffers.
func (s *Snapshot) hidden(sc *forwardScratch, n int, layers []layer) []float32 {
	slope := float32(s.hiddenSlope())
	x := sc.in
	for _, l := range layers {
		sc.a = growF32(sc.a, n*l.Out)
		y := sc.a
		if n == 1 {
			kernel.Dense(y, x, l.W, l.B, true, slope) // bias and activation in the same pass
		} else {
			mulRows(y, x, n, l)
			kernel.BiasActRows(y, n, l.Out, l.B, slope)
		}
		x = y
		sc.a, sc.b = sc.b, sc.a
	}
	return x
}

// productRows returns x·W (n x l.Out, without the bias) for the n rows x,
// in whichever of sc's output buffers x is not.
func productRows(sc *forwardScratch, x []float32, n int, l layer) []float32 {
	buf := &sc.a
	if len(x) > 0 && len(sc.a) > 0 && &x[0] == &sc.a[0] {
		buf = &sc.b
	}
	*buf = growF32(*buf, n*l.Out)
	mulRows(*buf, x, n, l)
	return *buf
}

// rowsF32 copies rows [r0, r0+n) of x into sc.in as float32, as 2v-1 if
// centre (the discriminator's [-1, 1] input).
func rowsF32(sc *forwardScratch, x blas64.General, r0, n int, centre bool) {
	sc.in = growF32(sc.in, n*x.Cols)
	for r := 0; r < n; r++ {
		src := x.Data[(r0+r)*x.Stride : (r0+r)*x.Stride+x.Cols]
		dst := sc.in[r*x.Cols : (r+1)*x.Cols]
		if centre {
			for j, v := range src {
				dst[j] = float32(2*v - 1)
			}
		} else {
			for j, v := range src {
				dst[j] = float32(v)
			}
		}
	}
}

// batch runs the rows of x through the hidden layers in chunks of at most
// forwardChunk rows and hands each chunk's output (n x width) to out with
// the chunk's first row.
func (s *Snapshot) batch(x *mat.Dense, centre bool, hidden []layer, out func(sc *forwardScratch, r0, n int, h []float32)) {
	raw := x.RawMatrix()
	sc := forwardPool.Get().(*forwardScratch)
	defer forwardPool.Put(sc)
	for r0 := 0; r0 < raw.Rows; r0 += forwardChunk {
		n := min(forwardChunk, raw.Rows-r0)
		rowsF32(sc, raw, r0, n, centre)
		out(sc, r0, n, s.hidden(sc, n, hidden))
	}
}

// decodeRows runs the decoder over the rows of x and returns the pixels
// (sigmoid of the logits) if pixels, else the logits.
func (s *Snapshot) decodeRows(x *mat.Dense, pixels bool) *mat.Dense {
	last := s.decoder[len(s.decoder)-1]
	out := mat.NewDense(x.RawMatrix().Rows, last.Out, nil)
	data := out.RawMatrix().Data
	s.batch(x, false, s.decoder[:len(s.decoder)-1], func(sc *forwardScratch, r0, n int, h []float32) {
		logits := productRows(sc, h, n, last)
		dst := data[r0*last.Out : (r0+n)*last.Out]
		if pixels {
			kernel.BiasSigmoid64(dst, logits, n, last.Out, last.B)
		} else {
			kernel.Bias64(dst, logits, n, last.Out, last.B)
		}
	})
	return out
}

// DecodeLogits maps each row of z (n x LatentDim) to pixel logits (n x Pixels).
func (s *Snapshot) DecodeLogits(z *mat.Dense) (*mat.Dense, error) {
	if err := s.checkLatentColumns(z); err != nil {
		return nil, err
	}
	return s.decodeRows(z, false), nil
}

// DecodeBatch maps each row of z (n x LatentDim) to an image with pixels in
// [0, 1] (n x Pixels): the decoder of an AE or VAE, the generator of a GAN.
func (s *Snapshot) DecodeBatch(z *mat.Dense) (*mat.Dense, error) {
	if err := s.checkLatentColumns(z); err != nil {
		return nil, err
	}
	return s.decodeRows(z, true), nil
}

// checkLatentColumns returns an error unless the snapshot decodes and z's
// rows are latent vectors of its dimension.
func (s *Snapshot) checkLatentColumns(z *mat.Dense) error {
	if len(s.decoder) == 0 {
		return ErrNoDecoder
	}
	if _, c := z.Dims(); c != s.config.LatentDim {
		return fmt.Errorf("model: decode: z has %d columns, the %s has latent dimension %d", c, s.config.Kind, s.config.LatentDim)
	}
	return nil
}

// Decode maps one latent vector to one image with pixels in [0, 1]. It
// computes exactly what DecodeBatch computes for a one-row z, on the
// calling goroutine and without waiting for OpenBLAS (see mulRows).
func (s *Snapshot) Decode(z []float64) ([]float64, error) {
	if err := s.checkLatent(z); err != nil {
		return nil, err
	}
	return s.decodeRows(latentRow(z), true).RawRowView(0), nil
}

// latentRow is z as a one-row matrix (sharing z's storage).
func latentRow(z []float64) *mat.Dense { return mat.NewDense(1, len(z), z) }

// EncodeBatch maps each row of x (n x Pixels, values in [0, 1]) to the mean
// of q(z|x) and, for a VAE, its log-variance (nil for an AE). A GAN returns
// ErrNoEncoder.
func (s *Snapshot) EncodeBatch(x *mat.Dense) (mean, logVar *mat.Dense, err error) {
	if !s.HasEncoder() {
		return nil, nil, ErrNoEncoder
	}
	rows, c := x.Dims()
	if c != s.Pixels() {
		return nil, nil, fmt.Errorf("model: encode: images have %d pixels, the %s expects %d", c, s.config.Kind, s.Pixels())
	}
	outs := make([]*mat.Dense, len(s.heads))
	for i, head := range s.heads {
		outs[i] = mat.NewDense(rows, head.Out, nil)
	}
	s.batch(x, false, s.encoder, func(sc *forwardScratch, r0, n int, h []float32) {
		for i, head := range s.heads {
			dst := outs[i].RawMatrix().Data[r0*head.Out : (r0+n)*head.Out]
			kernel.Bias64(dst, productRows(sc, h, n, head), n, head.Out, head.B)
		}
	})
	mean = outs[0]
	if len(outs) > 1 {
		logVar = outs[1]
	}
	return mean, logVar, nil
}

// Encode maps one image to its code (AE) or the mean and log-variance of
// q(z|x) (VAE; logVar is nil for an AE).
func (s *Snapshot) Encode(x []float64) (mean, logVar []float64, err error) {
	if len(x) != s.Pixels() {
		return nil, nil, fmt.Errorf("model: encode: image has %d pixels, the %s expects %d", len(x), s.config.Kind, s.Pixels())
	}
	m, lv, err := s.EncodeBatch(mat.NewDense(1, len(x), x))
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
	rows, c := x.Dims()
	if c != s.Pixels() {
		return nil, fmt.Errorf("model: discriminate: images have %d pixels, expected %d", c, s.Pixels())
	}
	last := s.critic[len(s.critic)-1]
	out := make([]float64, rows*last.Out)
	// The discriminator reads pixels in [-1, 1].
	s.batch(x, true, s.critic[:len(s.critic)-1], func(sc *forwardScratch, r0, n int, h []float32) {
		kernel.Bias64(out[r0*last.Out:(r0+n)*last.Out], productRows(sc, h, n, last), n, last.Out, last.B)
	})
	return out, nil
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
