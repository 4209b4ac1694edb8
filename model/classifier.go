package model

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"

	"latentlab/model/dataset"
	"latentlab/model/kernel"
)

// Classify returns, for each row of x (images with pixels in [0, 1]), the
// class probabilities p(y|x) (n x Classes) and the activations of the last
// hidden layer, the features the Fréchet distance compares.
func (s *Snapshot) Classify(x *mat.Dense) (probs, features *mat.Dense, err error) {
	if len(s.classes) == 0 {
		return nil, nil, fmt.Errorf("model: the %s is not a classifier", s.Kind())
	}
	if _, c := x.Dims(); c != s.Pixels() {
		return nil, nil, fmt.Errorf("model: classify: images have %d pixels, the classifier expects %d", c, s.Pixels())
	}
	rows, _ := x.Dims()
	hidden, last := s.classes[:len(s.classes)-1], s.classes[len(s.classes)-1]
	features = mat.NewDense(rows, hidden[len(hidden)-1].Out, nil)
	probs = mat.NewDense(rows, last.Out, nil)
	feat, prob := features.RawMatrix(), probs.RawMatrix()
	s.batch(x, false, hidden, func(sc *forwardScratch, r0, n int, h []float32) {
		for i, v := range h {
			feat.Data[r0*feat.Cols+i] = float64(v)
		}
		kernel.Bias64(prob.Data[r0*prob.Cols:(r0+n)*prob.Cols], productRows(sc, h, n, last), n, last.Out, last.B)
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

// EvaluateClassifier returns the mean cross-entropy (nats) and the accuracy
// of the classifier on set.
func (s *Snapshot) EvaluateClassifier(set *dataset.Set) (crossEntropy, accuracy float64, err error) {
	if set == nil || set.Len() == 0 {
		return 0, 0, fmt.Errorf("model: evaluate classifier: no images")
	}
	correct := 0
	for start := 0; start < set.Len(); start += evalBatch {
		end := min(start+evalBatch, set.Len())
		probs, _, err := s.Classify(ImageMatrix(set, start, end))
		if err != nil {
			return 0, 0, err
		}
		for i := start; i < end; i++ {
			row := probs.RawRowView(i - start)
			label := int(set.Labels[i])
			crossEntropy -= math.Log(math.Max(row[label], 1e-300))
			if argmax(row) == label {
				correct++
			}
		}
	}
	n := float64(set.Len())
	return crossEntropy / n, float64(correct) / n, nil
}

// ImageMatrix copies images [start, end) of set into a matrix of float64
// pixels, one image per row: the input of the snapshot's forward passes.
func ImageMatrix(set *dataset.Set, start, end int) *mat.Dense {
	d := set.Dim()
	x := mat.NewDense(end-start, d, nil)
	raw := x.RawMatrix().Data
	for i, v := range set.Pixels[start*d : end*d] {
		raw[i] = float64(v)
	}
	return x
}

func argmax(v []float64) int {
	best := 0
	for i, x := range v {
		if x > v[best] {
			best = i
		}
	}
	return best
}
