package measure

import (
	"fmt"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"latentlab/model"
	"latentlab/model/dataset"
	"latentlab/model/infer"
)

// Attributes are the directions of a model's latent space that lead from
// one digit class to another.
type Attributes struct {
	// Method is "centroids" (AE, VAE: the mean code of each class's test
	// digits) or "regression" (GAN: each class's probability under the
	// digit classifier regressed on z over samples of the prior).
	Method string
	// Vectors holds one point (centroids) or direction (regression) per
	// class; nil where a class has no digit.
	Vectors [model.Classes][]float64
}

// attributeSamples is how many prior points a GAN's regression takes.
const attributeSamples = 1000

// ClassAttributes returns the class attributes of s's latent space: for an
// AE or VAE the centroids of set's codes by label (White 2016, "Sampling
// generative networks": attribute vectors as differences of means); for
// a GAN the least-squares regression, with an intercept, of each class's
// probability under clf on z over attributeSamples prior points, whose
// coefficients point where that class grows (seed draws the points).
func ClassAttributes(s *infer.Snapshot, clf *infer.Snapshot, set *dataset.Set, seed uint64) (Attributes, error) {
	d := s.LatentDim()
	if s.HasEncoder() {
		codes, err := infer.EncodeSet(s, set)
		if err != nil {
			return Attributes{}, err
		}
		a := Attributes{Method: "centroids"}
		var counts [model.Classes]int
		for i, l := range set.Labels {
			if int(l) >= model.Classes {
				continue
			}
			if a.Vectors[l] == nil {
				a.Vectors[l] = make([]float64, d)
			}
			floats.Add(a.Vectors[l], codes.RawRowView(i))
			counts[l]++
		}
		for k, v := range a.Vectors {
			if v != nil {
				floats.Scale(1/float64(counts[k]), v)
			}
		}
		return a, nil
	}
	if clf == nil {
		return Attributes{}, fmt.Errorf("measure: class attributes of a %s need the digit classifier", s.Kind())
	}
	z := infer.SamplePrior(attributeSamples, d, seed)
	images, err := s.DecodeBatch(z)
	if err != nil {
		return Attributes{}, err
	}
	probs, _, err := clf.Classify(images)
	if err != nil {
		return Attributes{}, err
	}
	// [z 1] w = p, solved for all classes at once by QR.
	design := mat.NewDense(attributeSamples, d+1, nil)
	for i := range attributeSamples {
		copy(design.RawRowView(i), z.RawRowView(i))
		design.Set(i, d, 1)
	}
	var coef mat.Dense
	if err := coef.Solve(design, probs); err != nil {
		return Attributes{}, fmt.Errorf("measure: class attributes: %w", err)
	}
	a := Attributes{Method: "regression"}
	for k := range model.Classes {
		a.Vectors[k] = mat.Col(nil, k, coef.Slice(0, d, 0, model.Classes))
	}
	return a, nil
}

// Towards returns z moved towards class to from class from: by step times
// centroid(to) - centroid(from) (centroids), or by step prior standard
// deviations along the unit vector of w_to - w_from (regression).
func (a Attributes) Towards(z []float64, from, to int, step float64) ([]float64, error) {
	if from < 0 || to < 0 || from >= model.Classes || to >= model.Classes {
		return nil, fmt.Errorf("measure: towards class %d from %d", to, from)
	}
	if a.Vectors[from] == nil || a.Vectors[to] == nil {
		return nil, fmt.Errorf("measure: no digit of class %d or %d to find the way", from, to)
	}
	if len(z) != len(a.Vectors[to]) {
		return nil, fmt.Errorf("measure: a point of %d dimensions in a latent space of %d", len(z), len(a.Vectors[to]))
	}
	dir := floats.SubTo(make([]float64, len(z)), a.Vectors[to], a.Vectors[from])
	if a.Method == "regression" {
		if n := floats.Norm(dir, 2); n > 0 {
			floats.Scale(1/n, dir)
		}
	}
	out := append([]float64(nil), z...)
	floats.AddScaled(out, step, dir)
	return out, nil
}
