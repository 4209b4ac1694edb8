package infer

import (
	"fmt"

	"gonum.org/v1/gonum/mat"

	"latentlab/model"
)

// DecoderFeatures returns the output of the decoder's first depth layers
// for each row of z (n x LatentDim): the activations GANSpace takes its
// principal components of (Härkönen et al. 2020).
func (s *Snapshot) DecoderFeatures(z *mat.Dense, depth int) (*mat.Dense, error) {
	if err := s.checkLatentColumns(z); err != nil {
		return nil, err
	}
	if depth < 1 || depth >= len(s.decoder) {
		return nil, fmt.Errorf("infer: decoder features after %d layers: the %s's decoder has %d", depth, s.config.Kind, len(s.decoder))
	}
	stages := s.decoder[:depth]
	cols := stages[depth-1].layer.Out()
	rows, _ := z.Dims()
	out := mat.NewDense(rows, cols, nil)
	data := out.RawMatrix().Data
	s.batch(z, false, stages, func(_ *forwardScratch, r0, n int, h []float32) {
		for i, v := range h[:n*cols] {
			data[r0*cols+i] = float64(v)
		}
	})
	return out, nil
}

// FeatureDepth is how many decoder layers DecoderFeatures takes for a
// generator's GANSpace directions: its first hidden layer, after its
// activation (a convolutional generator's first dense layer is linear,
// its batch norm applies the ReLU).
func (s *Snapshot) FeatureDepth() int {
	if s.config.Arch == model.ArchConv {
		return 2
	}
	return 1
}
