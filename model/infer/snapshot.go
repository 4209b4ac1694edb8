package infer

import (
	"errors"
	"fmt"
	"slices"
	"sync"

	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"

	"latentlab/model"
	"latentlab/model/infra/openblas"
	"latentlab/model/nn"
)

// stage is one layer of a Snapshot with its weights, in float32 like the
// weights training produces, in the order of the layer's Params.
type stage struct {
	layer nn.Layer
	w     [][]float32
}

// Snapshot is an immutable copy of a model's weights at one training step,
// with a float32 forward pass of its own through each layer's Forward
// (OpenBLAS's sgemm for batches, package kernel's serial loop for a single
// row) and, for Preview, a copy of the decoder in half precision. Any
// goroutine may read it while training goes on; nothing in it changes
// after it is published. Results are float64 and agree with the training
// graphs within float32 rounding.
type Snapshot struct {
	config  model.Config
	step    int64
	epoch   int
	encoder []stage   // AE and VAE hidden layers
	heads   []stage   // AE: code; VAE: mean, log-variance
	decoder []stage   // decoder or generator: hidden layers, then pixel logits
	critic  []stage   // GAN discriminator
	classes []stage   // classifier
	preview []nn.Half // decoder in half precision, for Preview; nil where a layer or the CPU has none
}

// ErrNoEncoder is returned when a GAN is asked to encode an image.
var ErrNoEncoder = errors.New("infer: a GAN has no encoder")

// ErrNoDecoder is returned when the classifier is asked to decode.
var ErrNoDecoder = errors.New("infer: the classifier has no decoder")

// Weights gives a copy of a parameter's values by name, in float32: an
// *nn.ParamSet, or a trainer's view of one with averaged weights in place.
type Weights interface {
	Float32s(name string) []float32
}

// New takes a Snapshot of the weights p of a model configured by c, at a
// training step and epoch: p returns copies, so its weights may change
// afterwards.
func New(c model.Config, p Weights, step int64, epoch int) *Snapshot {
	openblas.Install() // a snapshot loaded from a checkpoint has had no trainer to do it
	a := model.ArchitectureOf(c)
	c.Hidden = slices.Clone(c.Hidden)
	s := &Snapshot{config: c, step: step, epoch: epoch,
		encoder: bind(a.Encoder, p), heads: bind(a.Heads, p),
		decoder: bind(a.Decoder, p), critic: bind(a.Critic, p), classes: bind(a.Classes, p)}
	s.preview = previewStages(s.decoder)
	return s
}

// bind gives each layer copies of its weights from p, as its float32
// passes take them (nn.Bind).
func bind(ls []nn.Layer, p Weights) []stage {
	out := make([]stage, len(ls))
	for i, l := range ls {
		var w [][]float32
		for _, prm := range l.Params() {
			w = append(w, p.Float32s(prm.Name))
		}
		out[i] = stage{layer: l, w: nn.Bind(l, w)}
	}
	return out
}

// model.Config returns the configuration of the run the weights come from.
func (s *Snapshot) Config() model.Config {
	c := s.config
	c.Hidden = slices.Clone(c.Hidden)
	return c
}

// Kind returns the model family.
func (s *Snapshot) Kind() model.Kind { return s.config.Kind }

// LatentDim returns the dimension of z.
func (s *Snapshot) LatentDim() int { return s.config.LatentDim }

// Pixels returns the number of pixels of a decoded image (rows*cols).
func (s *Snapshot) Pixels() int { return s.config.ImageRows * s.config.ImageCols }

// Step returns the training step the weights were taken at.
func (s *Snapshot) Step() int64 { return s.step }

// Epoch returns the number of completed epochs when the weights were taken.
func (s *Snapshot) Epoch() int { return s.epoch }

// HasDiscriminator reports whether the model is a GAN with its
// discriminator.
func (s *Snapshot) HasDiscriminator() bool { return len(s.critic) > 0 }

// HasEncoder reports whether the model maps images to latent codes.
func (s *Snapshot) HasEncoder() bool { return len(s.heads) > 0 }

// forwardChunk is the most rows a batch forward pass takes at once, and
// forwardBudget the most values a row's widest layer may take in a chunk:
// together they bound a pass's scratch memory to a few MB, for the dense
// models (1024 rows) and the convolutional ones alike (83 rows of the
// DCGAN's 64 channels of 14x14, whose convolutions' frames then take
// about 11 MB; at 4x the budget a pass held about 65 MB, several passes
// run at once in the app, and a pad's 400 images decoded no faster:
// BenchmarkSnapshot_DecodeBatch).
const (
	forwardChunk  = 1024
	forwardBudget = 1 << 20
)

// chunkRows returns how many rows of a pass through stages go at once.
func chunkRows(stages []stage) int {
	widest := 1
	for _, st := range stages {
		widest = max(widest, st.layer.In(), st.layer.Out())
	}
	return max(1, min(forwardChunk, forwardBudget/widest))
}

// forwardScratch holds a forward pass's float32 buffers: the input rows,
// two for the layers' outputs in turn, and one the layers may use. Snapshots
// are read from many goroutines at once, so each pass takes its own from
// forwardPool.
type forwardScratch struct{ in, a, b, tmp []float32 }

var forwardPool = sync.Pool{New: func() any { return new(forwardScratch) }}

// hidden applies stages to the n rows of sc.in (n x stages[0].In) and
// returns their output, which is one of sc's buffers.
func hidden(sc *forwardScratch, n int, stages []stage) []float32 {
	x := sc.in
	for _, st := range stages {
		sc.a = nn.Grow(sc.a, n*st.layer.Out())
		st.layer.Forward(st.w, sc.a, x, n, &sc.tmp)
		x = sc.a
		sc.a, sc.b = sc.b, sc.a
	}
	return x
}

// finish runs st as the last layer of a pass over the n rows x, into the
// float64 dst, through the sigmoid if sigmoid is set.
func finish(sc *forwardScratch, st stage, dst []float64, x []float32, n int, sigmoid bool) {
	nn.Finish(st.layer, st.w, dst, x, n, sigmoid, &sc.tmp)
}

// rowsF32 copies rows [r0, r0+n) of x into sc.in as float32, as 2v-1 if
// centre (the discriminator's [-1, 1] input).
func rowsF32(sc *forwardScratch, x blas64.General, r0, n int, centre bool) {
	sc.in = nn.Grow(sc.in, n*x.Cols)
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
// chunkRows rows and hands each chunk's output (n x width) to out with
// the chunk's first row.
func (s *Snapshot) batch(x *mat.Dense, centre bool, stages []stage, out func(sc *forwardScratch, r0, n int, h []float32)) {
	raw := x.RawMatrix()
	sc := forwardPool.Get().(*forwardScratch)
	defer forwardPool.Put(sc)
	chunk := chunkRows(stages)
	for r0 := 0; r0 < raw.Rows; r0 += chunk {
		n := min(chunk, raw.Rows-r0)
		rowsF32(sc, raw, r0, n, centre)
		out(sc, r0, n, hidden(sc, n, stages))
	}
}

// decodeRows runs the decoder over the rows of x and returns the pixels
// (sigmoid of the logits) if pixels, else the logits.
func (s *Snapshot) decodeRows(x *mat.Dense, pixels bool) *mat.Dense {
	last := s.decoder[len(s.decoder)-1]
	cols := last.layer.Out()
	out := mat.NewDense(x.RawMatrix().Rows, cols, nil)
	data := out.RawMatrix().Data
	s.batch(x, false, s.decoder[:len(s.decoder)-1], func(sc *forwardScratch, r0, n int, h []float32) {
		finish(sc, last, data[r0*cols:(r0+n)*cols], h, n, pixels)
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
		return fmt.Errorf("infer: decode: z has %d columns, the %s has latent dimension %d", c, s.config.Kind, s.config.LatentDim)
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
		return nil, nil, fmt.Errorf("infer: encode: images have %d pixels, the %s expects %d", c, s.config.Kind, s.Pixels())
	}
	outs := make([]*mat.Dense, len(s.heads))
	for i, head := range s.heads {
		outs[i] = mat.NewDense(rows, head.layer.Out(), nil)
	}
	s.batch(x, false, s.encoder, func(sc *forwardScratch, r0, n int, h []float32) {
		for i, head := range s.heads {
			cols := head.layer.Out()
			finish(sc, head, outs[i].RawMatrix().Data[r0*cols:(r0+n)*cols], h, n, false)
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
		return nil, nil, fmt.Errorf("infer: encode: image has %d pixels, the %s expects %d", len(x), s.config.Kind, s.Pixels())
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
		return nil, fmt.Errorf("infer: the %s has no discriminator", s.config.Kind)
	}
	rows, c := x.Dims()
	if c != s.Pixels() {
		return nil, fmt.Errorf("infer: discriminate: images have %d pixels, expected %d", c, s.Pixels())
	}
	last := s.critic[len(s.critic)-1]
	cols := last.layer.Out()
	out := make([]float64, rows*cols)
	// The discriminator reads pixels in [-1, 1].
	s.batch(x, true, s.critic[:len(s.critic)-1], func(sc *forwardScratch, r0, n int, h []float32) {
		finish(sc, last, out[r0*cols:(r0+n)*cols], h, n, false)
	})
	return out, nil
}
