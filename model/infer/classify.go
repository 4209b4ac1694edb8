package infer

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// Classify returns, for each row of x (images with pixels in [0, 1]), the
// class probabilities p(y|x) (n x Classes) and the activations of the last
// hidden layer, the features the Fréchet distance compares.
func (s *Snapshot) Classify(x *mat.Dense) (probs, features *mat.Dense, err error) {
	if len(s.classes) == 0 {
		return nil, nil, fmt.Errorf("infer: the %s is not a classifier", s.Kind())
	}
	if _, c := x.Dims(); c != s.Pixels() {
		return nil, nil, fmt.Errorf("infer: classify: images have %d pixels, the classifier expects %d", c, s.Pixels())
	}
	rows, _ := x.Dims()
	body, last := s.classes[:len(s.classes)-1], s.classes[len(s.classes)-1]
	features = mat.NewDense(rows, body[len(body)-1].layer.Out(), nil)
	probs = mat.NewDense(rows, last.layer.Out(), nil)
	feat, prob := features.RawMatrix(), probs.RawMatrix()
	s.batch(x, false, body, func(sc *forwardScratch, r0, n int, h []float32) {
		for i, v := range h {
			feat.Data[r0*feat.Cols+i] = float64(v)
		}
		finish(sc, last, prob.Data[r0*prob.Cols:(r0+n)*prob.Cols], h, n, false)
	})
	for r := 0; r < rows; r++ {
		softmaxInPlace(prob.Data[r*prob.Cols : (r+1)*prob.Cols])
	}
	return probs, features, nil
}

// softmaxInPlace turns logits into probabilities, stably.
func softmaxInPlace(v []float64) {
	m := math.Inf(-1)
	for _, x := range v {
		m = math.Max(m, x)
	}
	sum := 0.0
	for i, x := range v {
		v[i] = math.Exp(x - m)
		sum += v[i]
	}
	for i := range v {
		v[i] /= sum
	}
}

// Label returns the classifier's most probable class for the image x
// (pixels in [0, 1]) and its probability.
func (s *Snapshot) Label(x []float64) (label int, p float64, err error) {
	probs, _, err := s.Classify(mat.NewDense(1, len(x), x))
	if err != nil {
		return 0, 0, err
	}
	row := probs.RawRowView(0)
	label = floats.MaxIdx(row)
	return label, row[label], nil
}
