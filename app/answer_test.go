package app

import (
	"testing"

	"latentlab/assets"
	"latentlab/model/dataset"
	"latentlab/model/infer"
)

// embeddedMNIST loads the embedded MNIST.
func embeddedMNIST(t testing.TB) *dataset.MNIST {
	t.Helper()
	m, err := dataset.Load(assets.MNIST())
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// monitorOf returns the shipped classifier's monitor of m's test digits.
func monitorOf(t testing.TB, m *dataset.MNIST) *Monitor {
	t.Helper()
	mon, err := NewMonitor(m.Test, m.Source)
	if err != nil {
		t.Fatal(err)
	}
	return mon
}

// testDigits returns the first n test digits as float64 pixels.
func testDigits(t testing.TB, n int) [][]float64 {
	t.Helper()
	m := embeddedMNIST(t)
	x := m.Test.Matrix(0, n)
	out := make([][]float64, n)
	for i := range out {
		out[i] = x.RawRowView(i)
	}
	return out
}

// shipped returns the snapshot of a shipped model.
func shipped(t testing.TB, name string) *infer.Snapshot {
	t.Helper()
	ck, err := LoadCheckpoint(PretrainedPrefix + name)
	if err != nil {
		t.Fatal(err)
	}
	return ck.Snapshot()
}

// The shipped GANs, inverted on real test digits, draw images far nearer
// those digits than the images at random points are.
func TestAnswer_ShippedGANsFindTestDigits(t *testing.T) {
	digits := testDigits(t, 8)
	for _, name := range []string{"gan-mlp", "gan-conv"} {
		s := shipped(t, name)
		var found, random float64
		for i, x := range digits {
			a, err := Answer(s, x, uint64(i+1))
			if err != nil {
				t.Fatal(err)
			}
			found += a.Distance / float64(len(digits))
			random += a.RandomDistance / float64(len(digits))
		}
		t.Logf("%s: mean distance to 8 test digits %.2f, at random points %.2f", name, found, random)
		if found > 0.6*random {
			t.Errorf("%s: inverted images are %.2f from the test digits on average, random ones %.2f", name, found, random)
		}
	}
}

// BenchmarkAnswer is what the Draw tab and latentlab encode wait for: one
// digit answered by each shipped model (a GAN's inversion included).
func BenchmarkAnswer(b *testing.B) {
	x := testDigits(b, 1)[0]
	for _, name := range assets.PretrainedNames() {
		s := shipped(b, name)
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if _, err := Answer(s, x, 1); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
