package infer

import (
	"fmt"

	"latentlab/model/kernel"
	"latentlab/model/nn"
)

// PreviewTolerance bounds how far a Preview pixel may lie from Decode's for
// z within ±3σ of the prior in every coordinate, as far as the pads reach:
// one 8-bit grey level. Tested on models after two epochs; after ten
// (seed 1) the largest difference was 0.8e-3 (AE), 2.4e-3 (VAE, z = 20)
// and 3.2e-3 (GAN) over 2000 points at ±3σ, the mean 2e-5. It grows with
// |z|: at ±6σ the GAN's reached 6.8e-3.
const PreviewTolerance = 1.0 / 255

// previewStages returns the decoder's layers in half precision, or nil
// where a layer has no half-precision pass or the CPU lacks the loops
// (kernel.HalfSupported), or there is no decoder (the classifier). A
// snapshot makes them when it is taken (about 0.15 ms for the default
// sizes, on top of about 0.3 ms to copy the weights), so that no drag waits
// for them.
func previewStages(decoder []stage) []nn.Half {
	if len(decoder) == 0 {
		return nil
	}
	out := make([]nn.Half, len(decoder))
	for i, st := range decoder {
		h, ok := st.layer.(nn.Halver)
		if !ok {
			return nil
		}
		if out[i] = h.Half(st.w); out[i] == nil {
			return nil
		}
	}
	return out
}

// Preview maps one latent vector to an image for the screen: Decode with
// the weights rounded to half precision (the sums stay float32), which on
// CPUs with F16C and AVX2 or AVX-512 takes about half Decode's time, and within
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
	sc.in = nn.Grow(sc.in, len(z))
	for i, v := range z {
		sc.in[i] = float32(v)
	}
	x := sc.in
	last := len(layers) - 1
	for i, l := range layers[:last] {
		sc.a = nn.Grow(sc.a, s.decoder[i].layer.Out())
		l.Forward(sc.a, x)
		x = sc.a
		sc.a, sc.b = sc.b, sc.a
	}
	pixels := make([]float64, s.decoder[last].layer.Out())
	layers[last].Finish(pixels, x, &sc.tmp)
	return pixels, nil
}

// checkLatent returns an error unless the snapshot decodes and z is one
// finite latent vector of its dimension.
func (s *Snapshot) checkLatent(z []float64) error {
	if len(s.decoder) == 0 {
		return ErrNoDecoder
	}
	if len(z) != s.config.LatentDim {
		return fmt.Errorf("infer: decode: z has %d values, the %s has latent dimension %d", len(z), s.config.Kind, s.config.LatentDim)
	}
	for i, v := range z {
		if !kernel.IsFinite(v) {
			return fmt.Errorf("infer: decode: z[%d] = %v is not finite", i, v)
		}
	}
	return nil
}
