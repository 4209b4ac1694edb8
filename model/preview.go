package model

import (
	"fmt"
	"math"

	"latentlab/model/kernel"
)

// PreviewTolerance bounds how far a Preview pixel may lie from Decode's for
// z within ±3σ of the prior in every coordinate, as far as the pads reach:
// one 8-bit grey level. Tested on models after two epochs; after ten
// (seed 1) the largest difference was 0.8e-3 (AE), 2.4e-3 (VAE, z = 20)
// and 3.2e-3 (GAN) over 2000 points at ±3σ, the mean 2e-5. It grows with
// |z|: at ±6σ the GAN's reached 6.8e-3.
const PreviewTolerance = 1.0 / 255

// halfLayer is a layer with its weights in half precision: W holds the
// float32 weights divided by Scale, a power of two (kernel.HalfScale).
type halfLayer struct {
	W     []uint16
	Scale float32
	B     []float32
}

// previewLayers returns decoder with its weights in half precision, or nil
// where the CPU lacks the half-precision loops (kernel.HalfSupported) or
// there is no decoder (the classifier). A snapshot makes them when it is
// taken (about 0.15 ms for the default sizes, on top of about 0.3 ms to
// copy the weights), so that no drag waits for them.
func previewLayers(decoder []layer) []halfLayer {
	if !kernel.HalfSupported() || len(decoder) == 0 {
		return nil
	}
	out := make([]halfLayer, len(decoder))
	for i, l := range decoder {
		scale := kernel.HalfScale(kernel.MaxAbs(l.W))
		w := make([]uint16, len(l.W))
		kernel.ToHalf(w, l.W, 1/scale)
		out[i] = halfLayer{W: w, Scale: scale, B: l.B}
	}
	return out
}

// Preview maps one latent vector to an image for the screen: Decode with
// the weights rounded to half precision (the sums stay float32), which on
// CPUs with AVX-512 takes about half Decode's time, and within
// PreviewTolerance of it. Elsewhere Preview is Decode. Metrics use Decode
// and the batch passes, never this.
func (s *Snapshot) Preview(z []float64) ([]float64, error) {
	if err := s.checkLatent(z); err != nil {
		return nil, err
	}
	layers := s.preview
	if layers == nil {
		return s.decodeRows(latentRow(z), true).RawRowView(0), nil
	}
	sc := forwardPool.Get().(*forwardScratch)
	defer forwardPool.Put(sc)
	sc.in = growF32(sc.in, len(z))
	for i, v := range z {
		sc.in[i] = float32(v)
	}
	slope := float32(s.hiddenSlope())
	x := sc.in
	for i, l := range layers {
		last := i == len(layers)-1
		sc.a = growF32(sc.a, s.decoder[i].Out)
		bias := l.B
		if last {
			bias = nil // added by BiasSigmoid64 below
		}
		kernel.DenseHalf(sc.a, x, l.W, l.Scale, bias, !last, slope)
		x = sc.a
		sc.a, sc.b = sc.b, sc.a
	}
	pixels := make([]float64, len(x))
	kernel.BiasSigmoid64(pixels, x, 1, len(x), layers[len(layers)-1].B)
	return pixels, nil
}

// checkLatent returns an error unless the snapshot decodes and z is one
// finite latent vector of its dimension.
func (s *Snapshot) checkLatent(z []float64) error {
	if len(s.decoder) == 0 {
		return ErrNoDecoder
	}
	if len(z) != s.config.LatentDim {
		return fmt.Errorf("model: decode: z has %d values, the %s has latent dimension %d", len(z), s.config.Kind, s.config.LatentDim)
	}
	for i, v := range z {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("model: decode: z[%d] = %v is not finite", i, v)
		}
	}
	return nil
}
