package measure

import (
	"context"
	"fmt"
	"math"
	"sort"

	"gonum.org/v1/gonum/mat"

	"latentlab/model/dataset"
	"latentlab/model/infer"
	"latentlab/model/nn/op"
)

// Neighbour is an image of a set near a query: its index, label and
// Euclidean distance (in pixels, or in the classifier's features).
type Neighbour struct {
	Index    int     `json:"index"`
	Label    uint8   `json:"label"`
	Distance float64 `json:"distance"`
}

// NearestByPixels returns the k images of set nearest x (pixels in [0, 1])
// in Euclidean distance over the pixels, nearest first: what a model's
// digit would be if it copied its training set.
func NearestByPixels(x []float64, set *dataset.Set, k int) ([]Neighbour, error) {
	if len(x) != set.Dim() {
		return nil, fmt.Errorf("measure: nearest images: the query has %d pixels, the set's images %d", len(x), set.Dim())
	}
	d := make([]float64, set.Len())
	op.Parallel(set.Len(), set.Dim(), func(lo, hi int) {
		for i := lo; i < hi; i++ {
			var sum float64
			for j, b := range set.Image(i) {
				diff := float64(dataset.PixelValue(b)) - x[j]
				sum += diff * diff
			}
			d[i] = math.Sqrt(sum)
		}
	})
	return smallest(d, set.Labels, k), nil
}

// FeatureIndex holds the digit classifier's features (its last hidden
// layer) of every image of a set, in float32, for nearest neighbours as
// the classifier sees them: near in features means alike in shape, not in
// where each pixel of ink lies.
type FeatureIndex struct {
	clf    *infer.Snapshot
	dim    int
	feats  []float32
	labels []uint8
}

// featureBatch is how many images a FeatureIndex classifies at once.
const featureBatch = 1000

// NewFeatureIndex classifies every image of set with clf, stopping with
// ctx's error when ctx ends.
func NewFeatureIndex(ctx context.Context, clf *infer.Snapshot, set *dataset.Set) (*FeatureIndex, error) {
	f := &FeatureIndex{clf: clf, labels: set.Labels}
	for start := 0; start < set.Len(); start += featureBatch {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		end := min(start+featureBatch, set.Len())
		_, feats, err := clf.Classify(set.Matrix(start, end))
		if err != nil {
			return nil, err
		}
		_, f.dim = feats.Dims()
		for _, v := range feats.RawMatrix().Data {
			f.feats = append(f.feats, float32(v))
		}
	}
	return f, nil
}

// Nearest returns the k indexed images whose features are nearest x's.
func (f *FeatureIndex) Nearest(x []float64, k int) ([]Neighbour, error) {
	_, q, err := f.clf.Classify(mat.NewDense(1, len(x), x))
	if err != nil {
		return nil, err
	}
	query := q.RawRowView(0)
	n := len(f.labels)
	d := make([]float64, n)
	op.Parallel(n, f.dim, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			var sum float64
			for j, v := range f.feats[i*f.dim : (i+1)*f.dim] {
				diff := float64(v) - query[j]
				sum += diff * diff
			}
			d[i] = math.Sqrt(sum)
		}
	})
	return smallest(d, f.labels, k), nil
}

// smallest returns the k entries of d with the smallest values, smallest
// first.
func smallest(d []float64, labels []uint8, k int) []Neighbour {
	idx := make([]int, len(d))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return d[idx[a]] < d[idx[b]] })
	out := make([]Neighbour, 0, k)
	for _, i := range idx[:min(k, len(idx))] {
		out = append(out, Neighbour{Index: i, Label: labels[i], Distance: d[i]})
	}
	return out
}
