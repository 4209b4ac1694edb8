package kernel

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func randoms(rng *rand.Rand, n int, scale float32) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(rng.NormFloat64()) * scale
	}
	return s
}

func clone(s []float32) []float32 { return slices.Clone(s) }

// adamReference is Adam written plainly in Go, in the same float32 order.
// Every product is converted explicitly, which keeps Go from fusing it into
// an FMA (as it may with GOAMD64=v3): the kernels never fuse.
func adamReference(h AdamHyper, w, g, m, v []float32) {
	for i := range w {
		gi := g[i] + float32(h.WeightDecay*w[i])
		m[i] = float32(h.Beta1*m[i]) + float32((1-h.Beta1)*gi)
		v[i] = float32(h.Beta2*v[i]) + float32(float32((1-h.Beta2)*gi)*gi)
		w[i] -= float32(h.Step*m[i]) / (float32(math.Sqrt(float64(v[i]*h.InvBC2))) + h.Eps)
	}
}

func TestAdam_MatchesThePlainLoopBitForBit(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	h := AdamHyper{Step: 1e-3 / 0.1, Beta1: 0.9, Beta2: 0.999, InvBC2: 1 / 0.001, Eps: 1e-8, WeightDecay: 1e-4}
	for _, n := range []int{0, 1, 7, 8, 9, 1000, 4099} { // tails shorter than a vector, and none
		w, g, m, v := randoms(rng, n, 1), randoms(rng, n, 0.1), randoms(rng, n, 0.01), randoms(rng, n, 0)
		for i := range v {
			v[i] = float32(rng.Float64()) * 1e-3
		}
		ww, wg, wm, wv := clone(w), clone(g), clone(m), clone(v)
		adamReference(h, ww, wg, wm, wv)
		if !Adam(h, w, g, m, v) {
			t.Fatalf("n=%d: finite update reported as not finite", n)
		}
		for i := range w {
			if w[i] != ww[i] || m[i] != wm[i] || v[i] != wv[i] {
				t.Fatalf("n=%d, i=%d: w,m,v = %v,%v,%v; want %v,%v,%v", n, i, w[i], m[i], v[i], ww[i], wm[i], wv[i])
			}
		}
	}
}

func TestOptimizers_ReportNonFiniteWeights(t *testing.T) {
	for _, at := range []int{0, 5, 8, 13} { // in the vector part and in the tail
		for _, bad := range []float32{float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1))} {
			n := 14
			g := make([]float32, n)
			g[at] = bad
			w, m, v := make([]float32, n), make([]float32, n), make([]float32, n)
			if Adam(AdamHyper{Step: 1, Beta1: 0.9, Beta2: 0.999, InvBC2: 1, Eps: 1e-8}, w, clone(g), m, v) {
				t.Errorf("Adam with gradient %v at %d reported finite weights", bad, at)
			}
			w, v = make([]float32, n), make([]float32, n)
			if RMSProp(0.1, 0.9, 1e-8, 0, w, clone(g), v) {
				t.Errorf("RMSProp with gradient %v at %d reported finite weights", bad, at)
			}
			w, m = make([]float32, n), make([]float32, n)
			if SGD(0.1, 0.9, 0, w, clone(g), m) {
				t.Errorf("SGD with gradient %v at %d reported finite weights", bad, at)
			}
		}
	}
}

func TestRMSPropAndSGD_MatchThePlainLoops(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	n := 1001
	w, g, v := randoms(rng, n, 1), randoms(rng, n, 0.1), make([]float32, n)
	ww, wg, wv := clone(w), clone(g), clone(v)
	var lr, b2, eps, wd float32 = 0.01, 0.9, 1e-8, 1e-3
	for i := range ww { // explicit conversions: no FMA fusion (see adamReference)
		gi := wg[i] + float32(wd*ww[i])
		wv[i] = float32(b2*wv[i]) + float32(float32((1-b2)*gi)*gi)
		ww[i] -= float32(lr*gi) / (float32(math.Sqrt(float64(wv[i]))) + eps)
	}
	RMSProp(lr, b2, eps, wd, w, g, v)
	for i := range w {
		if w[i] != ww[i] || v[i] != wv[i] {
			t.Fatalf("RMSProp i=%d: w,v = %v,%v; want %v,%v", i, w[i], v[i], ww[i], wv[i])
		}
	}
	w, g, m := randoms(rng, n, 1), randoms(rng, n, 0.1), randoms(rng, n, 0.1)
	ww, wg, wm := clone(w), clone(g), clone(m)
	for i := range ww { // explicit conversions: no FMA fusion (see adamReference)
		gi := wg[i] + float32(wd*ww[i])
		wm[i] = float32(0.9*wm[i]) + gi
		ww[i] -= float32(lr * wm[i])
	}
	SGD(lr, 0.9, wd, w, g, m)
	for i := range w {
		if w[i] != ww[i] || m[i] != wm[i] {
			t.Fatalf("SGD i=%d: w,m = %v,%v; want %v,%v", i, w[i], m[i], ww[i], wm[i])
		}
	}
}

func TestFirstNonFinite(t *testing.T) {
	x := make([]float32, 10000)
	if got := FirstNonFinite(x); got != -1 {
		t.Fatalf("all zeros: got %d, want -1", got)
	}
	if got := FirstNonFinite(nil); got != -1 {
		t.Fatalf("empty: got %d, want -1", got)
	}
	x[9000] = float32(math.Inf(-1))
	x[5000] = float32(math.NaN())
	if got := FirstNonFinite(x); got != 5000 {
		t.Fatalf("got %d, want 5000", got)
	}
	x[5000] = math.MaxFloat32 // the largest finite value is finite
	if got := FirstNonFinite(x); got != 9000 {
		t.Fatalf("got %d, want 9000", got)
	}
}

func TestMismatchedLengthsPanic(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("Adam with slices of different lengths did not panic")
		}
	}()
	Adam(AdamHyper{}, make([]float32, 3), make([]float32, 2), make([]float32, 3), make([]float32, 3))
}
