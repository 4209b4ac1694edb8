package train

import (
	"errors"
	"math"
	"slices"
	"testing"

	"gonum.org/v1/gonum/mat"

	"latentlab/model"
	"latentlab/model/dataset"
	"latentlab/model/infer"
	"latentlab/model/kernel"
)

// Preview, the half-precision decode for the screen, stays within
// infer.PreviewTolerance of Decode for trained default-sized models, at points
// from the prior and at three times their distance (the pads' reach);
// where the CPU runs the half loops it really is a different computation,
// not Decode again.
func TestSnapshot_PreviewWithinToleranceOfDecode(t *testing.T) {
	m := mnist(t)
	for _, kind := range []model.Kind{model.KindAE, model.KindVAE, model.KindGAN} {
		t.Run(string(kind), func(t *testing.T) {
			cfg := model.DefaultConfig(kind)
			cfg.Epochs = 2
			tr, err := NewTrainer(cfg, m.Train.Head(6400), nil)
			if err != nil {
				t.Fatal(err)
			}
			defer tr.Close()
			collect(t, tr)
			s := tr.Snapshot()
			z := infer.SamplePrior(100, cfg.LatentDim, 11)
			worst, differs := 0.0, false
			for i := range 200 {
				zi := slices.Clone(z.RawRowView(i % 100))
				if i >= 100 {
					for j := range zi {
						zi[j] *= 3 // out in the tails of the prior
					}
				}
				want, err := s.Decode(zi)
				if err != nil {
					t.Fatal(err)
				}
				got, err := s.Preview(zi)
				if err != nil {
					t.Fatal(err)
				}
				for j := range want {
					d := math.Abs(got[j] - want[j])
					worst = max(worst, d)
					differs = differs || d != 0
				}
			}
			t.Logf("%s: largest pixel difference %.2e (tolerance %.2e)", kind, worst, infer.PreviewTolerance)
			if worst > infer.PreviewTolerance {
				t.Errorf("Preview is %v from Decode, beyond %v", worst, infer.PreviewTolerance)
			}
			if kernel.HalfSupported() && !differs {
				t.Error("Preview equals Decode everywhere: the half-precision path did not run")
			}
		})
	}
}

func TestSnapshot_PreviewChangesWithZAndRejectsBadInput(t *testing.T) {
	tr, err := NewTrainer(smallConfig(model.KindVAE, 28, 28), dataset.Noise(8, 28, 28, 5), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	s := tr.Snapshot()
	a, err := s.Preview([]float64{0, 0})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := s.Preview([]float64{2, -1})
	moved := 0.0
	for i := range a {
		moved = max(moved, math.Abs(a[i]-b[i]))
		if a[i] < 0 || a[i] > 1 {
			t.Fatalf("pixel %d = %v, outside [0, 1]", i, a[i])
		}
	}
	if moved < 1e-4 {
		t.Errorf("moving z changed no pixel by more than %v", moved)
	}
	for _, bad := range [][]float64{{1}, {1, 2, 3}, {math.NaN(), 0}, {0, math.Inf(1)}} {
		if _, err := s.Preview(bad); err == nil {
			t.Errorf("Preview(%v) gave no error", bad)
		}
	}
}

// The classifier has no decoder: asking it to decode is an error, not a
// panic.
func TestSnapshot_ClassifierRefusesToDecode(t *testing.T) {
	tr, err := NewTrainer(model.DefaultConfig(model.KindClassifier), dataset.Noise(256, 28, 28, 6), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	s := tr.Snapshot()
	z := make([]float64, s.LatentDim())
	zs := mat.NewDense(2, s.LatentDim(), nil)
	if _, err := s.Decode(z); !errors.Is(err, infer.ErrNoDecoder) {
		t.Errorf("Decode: %v, want infer.ErrNoDecoder", err)
	}
	if _, err := s.Preview(z); !errors.Is(err, infer.ErrNoDecoder) {
		t.Errorf("Preview: %v, want infer.ErrNoDecoder", err)
	}
	if _, err := s.DecodeBatch(zs); !errors.Is(err, infer.ErrNoDecoder) {
		t.Errorf("DecodeBatch: %v, want infer.ErrNoDecoder", err)
	}
	if _, err := s.DecodeLogits(zs); !errors.Is(err, infer.ErrNoDecoder) {
		t.Errorf("DecodeLogits: %v, want infer.ErrNoDecoder", err)
	}
	if _, err := s.Manifold(infer.PriorPlane(s.LatentDim(), 0, 1), 3); !errors.Is(err, infer.ErrNoDecoder) {
		t.Errorf("Manifold: %v, want infer.ErrNoDecoder", err)
	}
}
