package conv

import (
	"latentlab/model/internal/layertest"
	"latentlab/model/nn"
	"math"
	"math/rand/v2"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

func TestBatchNorm_Gradients(t *testing.T) {
	layertest.Check(t, BatchNorm{Label: "bn", C: 3, Spatial: 4, Act: nn.ReLU}, 4)
	layertest.Check(t, BatchNorm{Label: "bn", C: 5, Spatial: 1, Act: nn.LeakyReLU}, 5)
}

// A training run normalises with the batch's statistics over its real rows
// and moves the running ones towards them (PyTorch's update, unbiased
// variance); the snapshot's pass normalises with the running ones.
func TestBatchNorm_StatisticsTrainingAndInference(t *testing.T) {
	l := BatchNorm{Label: "bn", C: 2, Spatial: 3, Act: nn.Linear}
	params := nn.NewParamSet([]nn.Layer{l}, tensor.Float64, 1)
	rows := 4
	rng := rand.New(rand.NewPCG(2, 3))
	xs := make([]float64, rows*l.In())
	for i := range xs {
		xs[i] = 3*rng.NormFloat64() + 1
	}
	g := nn.NewGraph(tensor.Float64, params)
	x := G.NewMatrix(g.Expr, tensor.Float64, G.WithShape(rows, l.In()), G.WithName("x"), G.WithValue(tensor.New(tensor.WithShape(rows, l.In()), tensor.WithBacking(xs))))
	g.RowWeights = G.NewVector(g.Expr, tensor.Float64, G.WithShape(rows), G.WithName("w"),
		G.WithValue(tensor.New(tensor.WithShape(rows), tensor.WithBacking([]float64{1.0 / 3, 1.0 / 3, 1.0 / 3, 0}))))
	var y G.Value
	G.Read(l.Apply(g, x, nn.ForwardOnly, nil), &y)
	vm := G.NewTapeMachine(g.Expr)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	out := y.Data().([]float64)
	runMean := params.Tensor("bn.running_mean").Data().([]float64)
	runVar := params.Tensor("bn.running_var").Data().([]float64)
	for c := range l.C {
		// The statistics of the 3 real rows' 3 values of channel c.
		var vals []float64
		for r := range 3 {
			vals = append(vals, xs[r*l.In()+c*l.Spatial:][:l.Spatial]...)
		}
		mean, ss := 0.0, 0.0
		for _, v := range vals {
			mean += v / 9
		}
		for _, v := range vals {
			ss += (v - mean) * (v - mean)
		}
		for r := range 3 {
			for s := range l.Spatial {
				i := r*l.In() + c*l.Spatial + s
				if want := (xs[i] - mean) / math.Sqrt(ss/9+BatchNormEps); math.Abs(out[i]-want) > 1e-9 {
					t.Fatalf("channel %d, row %d: %v, want %v", c, r, out[i], want)
				}
			}
		}
		if want := 0.1 * mean; math.Abs(runMean[c]-want) > 1e-12 {
			t.Errorf("running mean %v, want %v", runMean[c], want)
		}
		if want := 0.9 + 0.1*ss/8; math.Abs(runVar[c]-want) > 1e-12 {
			t.Errorf("running variance %v, want %v (unbiased)", runVar[c], want)
		}
	}
	// Inference with the running statistics.
	w := [][]float32{params.Float32s("bn.weight"), params.Float32s("bn.bias"), params.Float32s("bn.running_mean"), params.Float32s("bn.running_var")}
	x32 := make([]float32, l.In())
	for i := range x32 {
		x32[i] = float32(xs[i])
	}
	got := make([]float32, l.In())
	l.Forward(w, got, x32, 1, nil)
	for i, v := range got {
		c := i / l.Spatial
		want := (xs[i] - runMean[c]) / math.Sqrt(runVar[c]+BatchNormEps)
		if math.Abs(float64(v)-want) > 1e-5 {
			t.Fatalf("inference %d: %v, want %v", i, v, want)
		}
	}
}

// The input gradient of the snapshot's pass (running statistics) agrees
// with central finite differences of that pass, away from the activation's
// kink.
func TestBatchNorm_BackIsTheInferenceGradient(t *testing.T) {
	l := BatchNorm{Label: "bn", C: 3, Spatial: 4, Act: nn.LeakyReLU}
	rng := rand.New(rand.NewPCG(8, 9))
	normal := func(n int, mean, sd float64) []float32 {
		s := make([]float32, n)
		for i := range s {
			s[i] = float32(mean + sd*rng.NormFloat64())
		}
		return s
	}
	variance := normal(l.C, 0, 1)
	for i, v := range variance {
		variance[i] = 0.5 + v*v
	}
	w := [][]float32{normal(l.C, 1, 0.5), normal(l.C, 0, 0.5), normal(l.C, 0, 1), variance}
	const rows = 2
	x, dy := normal(rows*l.In(), 0, 2), normal(rows*l.In(), 0, 1)
	y := make([]float32, len(x))
	l.Forward(w, y, x, rows, nil)
	dx := make([]float32, len(x))
	l.Back(w, dx, append([]float32(nil), dy...), y, rows, nil)
	const h = 1e-2
	checked := 0
	for i := range x {
		if math.Abs(float64(y[i])) < 0.05 {
			continue // x ± h may cross the kink
		}
		orig := x[i]
		x[i] = orig + h
		l.Forward(w, y, x, rows, nil)
		up := float64(y[i])
		x[i] = orig - h
		l.Forward(w, y, x, rows, nil)
		down := float64(y[i])
		x[i] = orig
		if want := float64(dy[i]) * (up - down) / (2 * h); math.Abs(float64(dx[i])-want) > 1e-3*math.Max(1, math.Abs(want)) {
			t.Fatalf("input %d: Back gives %v, finite differences %v", i, dx[i], want)
		}
		checked++
	}
	if checked < len(x)/2 {
		t.Fatalf("only %d of %d inputs checked", checked, len(x))
	}
}
