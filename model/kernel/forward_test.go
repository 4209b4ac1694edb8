package kernel

import (
	"math"
	"math/rand/v2"
	"testing"
)

// sigmoidReference is 1 / (1 + exp(-x)) in float64 through math.Exp,
// written so that neither branch overflows.
func sigmoidReference(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}

// sigmoidInputs spans the float32 line: every 1/64 over [-110, 110] (the
// whole range where the result leaves 0 and 1), powers of ten from 1e-30 to
// 1e30 and their negatives, the edges of the normal range of the result
// (near -87.3) and of float32, and random normals.
func sigmoidInputs() []float32 {
	var xs []float32
	for i := -110 * 64; i <= 110*64; i++ {
		xs = append(xs, float32(i)/64)
	}
	for e := -30; e <= 30; e++ {
		v := float32(math.Pow(10, float64(e)))
		xs = append(xs, v, -v)
	}
	xs = append(xs, 0, float32(math.Copysign(0, -1)), -86.99, -87, -87.01, -87.33, -87.34, -88, -103.9, -104,
		16.63, 16.64, 17.33, 88.72, 88.73, math.MaxFloat32, -math.MaxFloat32, math.SmallestNonzeroFloat32)
	rng := rand.New(rand.NewPCG(3, 4))
	for range 10000 {
		xs = append(xs, float32(rng.NormFloat64()*20))
	}
	return xs
}

// The sigmoid has a relative error below 4e-7 (3 ulp of float32 at worst)
// against math.Exp wherever the true value is a normal float32 (at or
// above 2^-126, x > -87.34), and an absolute error below 2^-126 beneath
// that; NaN stays NaN and ±Inf go to 1 and 0.
func TestBiasSigmoid64_MatchesMathExp(t *testing.T) {
	const (
		relTol    = 4e-7
		smallestN = 0x1p-126 // smallest normal float32
	)
	xs := sigmoidInputs()
	got := make([]float64, len(xs))
	BiasSigmoid64(got, xs, 1, len(xs), make([]float32, len(xs)))
	worst, worstX := 0.0, float32(0)
	for i, x := range xs {
		want := sigmoidReference(float64(x))
		if want < smallestN {
			if math.Abs(got[i]-want) > smallestN {
				t.Errorf("sigmoid(%v) = %v, want %v within %v", x, got[i], want, smallestN)
			}
			continue
		}
		rel := math.Abs(got[i]-want) / want
		if rel > worst {
			worst, worstX = rel, x
		}
		if !(rel <= relTol) {
			t.Errorf("sigmoid(%v) = %v, want %v: relative error %.3g above %v", x, got[i], want, rel, relTol)
		}
	}
	t.Logf("worst relative error %.3g at x = %v over %d inputs", worst, worstX, len(xs))

	special := []float32{float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1))}
	out := make([]float64, len(special))
	BiasSigmoid64(out, special, 1, len(special), make([]float32, len(special)))
	if !math.IsNaN(out[0]) || out[1] != 1 || out[2] != 0 {
		t.Errorf("sigmoid(NaN, +Inf, -Inf) = %v, want [NaN 1 0]", out)
	}
}

func TestBiasSigmoid64_AddsTheBiasToEachRow(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, cols := range []int{1, 7, 8, 9, 37} { // tails shorter than a vector, and none
		const rows = 3
		x, bias := forwardRandoms(rng, rows*cols, 4), forwardRandoms(rng, cols, 4)
		got := make([]float64, rows*cols)
		BiasSigmoid64(got, x, rows, cols, bias)
		lin := make([]float64, rows*cols)
		Bias64(lin, x, rows, cols, bias)
		for i := range got {
			v := x[i] + bias[i%cols] // in float32, as the kernel adds
			if lin[i] != float64(v) {
				t.Fatalf("cols=%d, i=%d: Bias64 gave %v, want %v", cols, i, lin[i], v)
			}
			want := sigmoidReference(float64(v))
			if math.Abs(got[i]-want) > 4e-7*want {
				t.Fatalf("cols=%d, i=%d: sigmoid(%v) = %v, want %v", cols, i, v, got[i], want)
			}
		}
	}
}

func TestBiasActRows_MatchesThePlainLoopBitForBit(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, slope := range []float32{0, 0.2} {
		for _, cols := range []int{1, 7, 8, 9, 37} {
			const rows = 3
			x, bias := forwardRandoms(rng, rows*cols, 1), forwardRandoms(rng, cols, 1)
			want := make([]float32, len(x))
			for i, v := range x {
				v += bias[i%cols]
				if !(v > 0) {
					v *= slope
				}
				want[i] = v
			}
			BiasActRows(x, rows, cols, bias, slope)
			for i := range x {
				if x[i] != want[i] {
					t.Fatalf("slope=%v cols=%d i=%d: %v, want %v", slope, cols, i, x[i], want[i])
				}
			}
		}
	}
}

// Dense agrees with the product in float64 within float32 rounding: each
// of the k terms and the bias is rounded once or twice, so the error is a
// few ulp of the sum of their magnitudes.
func TestDense_MatchesTheProductInFloat64(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for _, k := range []int{0, 1, 3, 4, 5, 9, 300} {
		for _, n := range []int{1, 7, 8, 33} {
			for _, c := range []struct {
				bias, act bool
				slope     float32
			}{{false, false, 0}, {true, false, 0}, {true, true, 0}, {true, true, 0.2}} {
				x, w := forwardRandoms(rng, k, 1), forwardRandoms(rng, k*n, 1)
				for i := range x {
					if i%3 == 0 {
						x[i] = 0 // rows that are skipped
					}
				}
				var bias []float32
				if c.bias {
					bias = forwardRandoms(rng, n, 1)
				}
				y := forwardRandoms(rng, n, 1) // overwritten
				Dense(y, x, w, bias, c.act, c.slope)
				for j := 0; j < n; j++ {
					want, mag := 0.0, 0.0
					if bias != nil {
						want, mag = float64(bias[j]), math.Abs(float64(bias[j]))
					}
					for i := 0; i < k; i++ {
						term := float64(x[i]) * float64(w[i*n+j])
						want += term
						mag += math.Abs(term)
					}
					tol := 4 * 0x1p-24 * mag
					if c.act && want < 0 {
						want *= float64(c.slope)
						tol *= float64(c.slope)
					}
					if math.Abs(float64(y[j])-want) > tol {
						t.Fatalf("k=%d n=%d %+v: y[%d] = %v, want %v within %v", k, n, c, j, y[j], want, tol)
					}
				}
			}
		}
	}
}

func forwardRandoms(rng *rand.Rand, n int, scale float64) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(rng.NormFloat64() * scale)
	}
	return s
}
