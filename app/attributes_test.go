package app

import (
	"context"
	"testing"

	"gonum.org/v1/gonum/mat"

	"latentlab/model"
	"latentlab/model/infer"
	"latentlab/model/measure"
)

// Moving a digit's point towards another class raises the classifier's
// probability of that class for what the model draws there: the shipped
// VAE by its centroids, the shipped GAN by its regression directions.
func TestAttributes_TowardsRaisesTheClass(t *testing.T) {
	m := embeddedMNIST(t)
	mon := monitorOf(t, m)
	clf := mon.Classifier()
	for _, name := range []string{"vae-mlp", "gan-mlp"} {
		s := shipped(t, name)
		a, err := measure.ClassAttributes(s, clf, m.Test.Head(2000), 1)
		if err != nil {
			t.Fatal(err)
		}
		raised, tried := 0, 0
		var meanBefore, meanAfter float64
		for i := range 20 {
			x := m.Test.Matrix(i, i+1).RawRowView(0)
			from := int(m.Test.Labels[i])
			to := (from + 3) % model.Classes
			z := make([]float64, s.LatentDim())
			if s.HasEncoder() {
				z, _, _ = s.Encode(x)
			} else {
				inv, err := s.Invert(x, infer.InvertOptions{Seed: uint64(i)})
				if err != nil {
					t.Fatal(err)
				}
				z = inv.Z
			}
			step := 1.0
			if a.Method == "regression" {
				step = 2
			}
			moved, err := a.Towards(z, from, to, step)
			if err != nil {
				t.Fatal(err)
			}
			pBefore, pAfter := classProb(t, s, clf, z, to), classProb(t, s, clf, moved, to)
			tried++
			meanBefore += pBefore / 20
			meanAfter += pAfter / 20
			if pAfter > pBefore {
				raised++
			}
		}
		t.Logf("%s (%s): p(target) rose for %d of %d digits, from %.3f to %.3f on average", name, a.Method, raised, tried, meanBefore, meanAfter)
		if raised < tried*7/10 || meanAfter < meanBefore+0.3 {
			t.Errorf("%s: towards the target class raised its probability for only %d of %d digits, from %.3f to %.3f on average", name, raised, tried, meanBefore, meanAfter)
		}
	}
	if _, err := (measure.Attributes{}).Towards([]float64{0, 0}, 1, 2, 1); err == nil {
		t.Error("no attributes: no error")
	}
}

// classProb returns the classifier's probability of class k for what s
// draws at z.
func classProb(t *testing.T, s, clf *infer.Snapshot, z []float64, k int) float64 {
	t.Helper()
	img, err := s.Decode(z)
	if err != nil {
		t.Fatal(err)
	}
	probs, _, err := clf.Classify(mat.NewDense(1, len(img), img))
	if err != nil {
		t.Fatal(err)
	}
	return probs.At(0, k)
}

// A training digit's nearest neighbour is itself, at distance 0, in pixels
// and in the classifier's features; the digits nearest in features share
// the query's label far more often than chance.
func TestNearest_FindsTheDigitAndItsKind(t *testing.T) {
	m := embeddedMNIST(t)
	mon := monitorOf(t, m)
	train := m.Train.Head(10000)
	index, err := measure.NewFeatureIndex(context.Background(), mon.Classifier(), train)
	if err != nil {
		t.Fatal(err)
	}
	same := 0
	for _, i := range []int{0, 17, 4242, 9999} {
		x := train.Matrix(i, i+1).RawRowView(0)
		byPixels, err := measure.NearestByPixels(x, train, 5)
		if err != nil {
			t.Fatal(err)
		}
		byFeatures, err := index.Nearest(x, 5)
		if err != nil {
			t.Fatal(err)
		}
		if byPixels[0].Index != i || byPixels[0].Distance != 0 || byFeatures[0].Index != i || byFeatures[0].Distance > 1e-4 {
			t.Fatalf("digit %d: nearest %+v in pixels, %+v in features", i, byPixels[0], byFeatures[0])
		}
		for _, n := range byFeatures[1:] {
			if n.Label == train.Labels[i] {
				same++
			}
		}
	}
	if same < 14 {
		t.Fatalf("%d of 16 feature neighbours share their query's label", same)
	}
	if _, err := measure.NearestByPixels([]float64{1, 2}, train, 3); err == nil {
		t.Fatal("a 2-pixel query: no error")
	}
}
