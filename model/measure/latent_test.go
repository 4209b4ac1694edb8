package measure_test

import (
	"context"
	"math"
	"strings"
	"testing"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"latentlab/model"
	"latentlab/model/checkpoint"
	"latentlab/model/infer"
	"latentlab/model/internal/testkit"
	"latentlab/model/measure"
	"latentlab/model/train"
)

// trained returns a snapshot of a small model of kind trained for steps
// steps on MNIST, its weights passed through edit first (nil: none).
func trained(t *testing.T, kind model.Kind, latent, steps int, edit func(map[string][]float32)) *infer.Snapshot {
	t.Helper()
	cfg := model.DefaultConfig(kind)
	cfg.Hidden, cfg.LatentDim, cfg.Epochs = []int{64}, latent, 1000
	if kind == model.KindGAN {
		cfg.Hidden = []int{64, 128}
	}
	tr, err := train.NewTrainer(cfg, testkit.MNIST(t).Train.Head(4096), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	ctx, cancel := context.WithCancel(context.Background())
	n := 0
	tr.Train(ctx, func(e train.Event) {
		if e.Kind == train.EventStep {
			if n++; n >= steps {
				cancel()
			}
		}
	})
	c, _, tensors := tr.Save()
	weights := map[string][]float32{}
	for _, ts := range tensors {
		if !strings.HasPrefix(ts.Name, train.MomentPrefixes[0]) && !strings.HasPrefix(ts.Name, train.MomentPrefixes[1]) {
			weights[ts.Name] = ts.Data
		}
	}
	if edit != nil {
		edit(weights)
	}
	ck, err := checkpoint.FromWeights("test", c, weights, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	return ck.Snapshot()
}

// plantedInactive is the latent dimension trainedVAE makes unused.
const plantedInactive = 2

// trainedVAE returns a VAE with 6 latent dimensions whose dimension
// plantedInactive is unused: its posterior is the prior whatever the
// image, and the decoder does not read it.
func trainedVAE(t *testing.T) *infer.Snapshot {
	const d, hidden = 6, 64
	return trained(t, model.KindVAE, d, 300, func(w map[string][]float32) {
		for _, head := range []string{"encoder.mu", "encoder.logvar"} {
			for i := range hidden {
				w[head+".weight"][i*d+plantedInactive] = 0 // [In, Out]
			}
			w[head+".bias"][plantedInactive] = 0
		}
		clear(w["decoder.0.weight"][plantedInactive*hidden : (plantedInactive+1)*hidden])
	})
}

// A VAE's unused dimension has no KL and no activity, comes last, and its
// traversal row is constant, while the most used dimension's row changes;
// every row's points differ from the base along its own dimension only.
func TestUseOfDimensions_InactiveDimensionAndTraversals(t *testing.T) {
	s := trainedVAE(t)
	test := testkit.MNIST(t).Test.Head(1000)
	use, err := measure.UseOfDimensions(s, test)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("KL per dimension %.3f, activity %.3f, order %v", use.KL, use.Activity, use.Order)
	if use.KL[plantedInactive] > 1e-9 || use.Activity[plantedInactive] > 1e-12 || use.Active[plantedInactive] {
		t.Fatalf("the unused dimension has KL %v, activity %v", use.KL[plantedInactive], use.Activity[plantedInactive])
	}
	if use.Order[len(use.Order)-1] != plantedInactive || use.ActiveCount() < 1 || use.KL[use.Order[0]] < 0.1 {
		t.Fatalf("order %v, %d active, most used KL %v", use.Order, use.ActiveCount(), use.KL[use.Order[0]])
	}
	rows := measure.AxisRows(s, &use)
	base := []float64{0.3, -0.2, 0.5, 0.1, -0.4, 0.2}
	const steps = 7
	z, err := measure.TraversalPoints(s.LatentDim(), base, rows, steps)
	if err != nil {
		t.Fatal(err)
	}
	for r, row := range rows {
		dim := use.Order[r]
		for i := range steps {
			for j, v := range z.RawRowView(r*steps + i) {
				if j != dim && v != base[j] {
					t.Fatalf("row %s moves dimension %d", row.Name, j)
				}
			}
		}
	}
	images, err := measure.Traversal(s, base, rows, steps)
	if err != nil {
		t.Fatal(err)
	}
	change := func(r int) float64 {
		return floats.Distance(images.RawRowView(r*steps), images.RawRowView(r*steps+steps-1), math.Inf(1))
	}
	if last := len(rows) - 1; !rows[last].Inactive || change(last) > 1e-6 {
		t.Errorf("the unused dimension's row (inactive %v) changes its image by %v", rows[last].Inactive, change(last))
	}
	if change(0) < 0.1 {
		t.Errorf("the most used dimension's row changes its image by only %v", change(0))
	}
	if _, err := measure.Traversal(s, base[:3], rows, steps); err == nil {
		t.Error("a base of the wrong dimension: no error")
	}
}

// The principal directions of a VAE's codes leave out its unused
// dimension and explain less and less; a GAN's GANSpace directions are
// unit vectors along which its images change.
func TestPrincipalDirections(t *testing.T) {
	s := trainedVAE(t)
	test := testkit.MNIST(t).Test.Head(1000)
	dirs, err := measure.PrincipalDirections(s, test, 3, 1)
	if err != nil {
		t.Fatal(err)
	}
	for j, v := range dirs.Vectors {
		if math.Abs(v[plantedInactive]) > 1e-6 || math.Abs(floats.Norm(v, 2)-1) > 1e-9 {
			t.Errorf("direction %d = %v: along the unused dimension, or not unit", j, v)
		}
		if j > 0 && dirs.Explained[j] > dirs.Explained[j-1] {
			t.Errorf("explained variance rises: %v", dirs.Explained)
		}
	}
	gan := trained(t, model.KindGAN, 8, 150, nil)
	gdirs, err := measure.PrincipalDirections(gan, nil, 4, 1)
	if err != nil {
		t.Fatal(err)
	}
	if gdirs.Method != "ganspace" || len(gdirs.Vectors) != 4 {
		t.Fatalf("%s, %d directions", gdirs.Method, len(gdirs.Vectors))
	}
	images, err := measure.Traversal(gan, make([]float64, 8), measure.DirectionRows(gdirs), 5)
	if err != nil {
		t.Fatal(err)
	}
	for r := range 4 {
		if math.Abs(floats.Norm(gdirs.Vectors[r], 2)-1) > 1e-9 {
			t.Errorf("GANSpace direction %d is not unit", r)
		}
		if d := floats.Distance(images.RawRowView(r*5), images.RawRowView(r*5+4), 2); d < 0.5 {
			t.Errorf("GANSpace direction %d changes the image by only %v", r, d)
		}
	}
}

// UseOfCodes on one encoding pass gives what the definition gives image by
// image: the mean over images of each dimension's KL to N(0, 1), and the
// variance of the posterior means (within float32's precision: one image
// at a time takes other BLAS paths than a batch); and refuses
// log-variances of another shape.
func TestUseOfCodes_IsTheDefinition(t *testing.T) {
	s := trainedVAE(t)
	test := testkit.MNIST(t).Test.Head(300)
	means, logVars, err := infer.EncodeSetWithLogVar(s, test)
	if err != nil {
		t.Fatal(err)
	}
	use, err := measure.UseOfCodes(means, logVars)
	if err != nil {
		t.Fatal(err)
	}
	d := s.LatentDim()
	kl, sum, sumSq := make([]float64, d), make([]float64, d), make([]float64, d)
	for i := range test.Len() {
		m, lv, err := s.Encode(test.Matrix(i, i+1).RawRowView(0))
		if err != nil {
			t.Fatal(err)
		}
		for j := range d {
			kl[j] += 0.5 * (m[j]*m[j] + math.Exp(lv[j]) - lv[j] - 1)
			sum[j] += m[j]
			sumSq[j] += m[j] * m[j]
		}
	}
	n := float64(test.Len())
	for j := range d {
		activity := (sumSq[j] - sum[j]*sum[j]/n) / (n - 1)
		if math.Abs(use.KL[j]-kl[j]/n) > 1e-6*(1+kl[j]/n) || math.Abs(use.Activity[j]-activity) > 1e-6*(1+activity) {
			t.Errorf("dimension %d: KL %v, activity %v; by the definition %v, %v", j, use.KL[j], use.Activity[j], kl[j]/n, activity)
		}
	}
	if _, err := measure.UseOfCodes(means, mat.NewDense(2, d, nil)); err == nil {
		t.Error("log-variances of 2 rows for 300 means were taken")
	}
}
