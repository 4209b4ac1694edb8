package kernel

import (
	"math"
	"math/rand/v2"
	"testing"
)

// softplus64 and sigmoid64 are the float64 definitions the kernels approximate.
func softplus64(l float64) float64 { return math.Max(l, 0) + math.Log1p(math.Exp(-math.Abs(l))) }
func sigmoid64(l float64) float64  { return 1 / (1 + math.Exp(-l)) }

// logitsAndTargets draws rows x cols logits over a wide range (including
// values whose exp overflows float32) and targets in [0, 1].
func logitsAndTargets(rows, cols int) (l, t []float32) {
	rng := rand.New(rand.NewPCG(5, 6))
	l, t = make([]float32, rows*cols), make([]float32, rows*cols)
	for i := range l {
		l[i] = float32(rng.NormFloat64() * 8)
		t[i] = float32(rng.Float64())
	}
	l[0], l[1], l[2] = 100, -100, 0
	return l, t
}

func TestBCERows_MatchesFloat64Definition(t *testing.T) {
	for _, cols := range []int{1, 7, 8, 13, 784} { // vector widths and tails
		rows := 5
		l, tg := logitsAndTargets(rows, cols)
		out := make([]float32, rows)
		BCERows(l, tg, rows, cols, out)
		for r := 0; r < rows; r++ {
			want, mag := 0.0, 0.0
			for j := 0; j < cols; j++ {
				x, y := float64(l[r*cols+j]), float64(tg[r*cols+j])
				want += softplus64(x) - y*x
				mag += math.Abs(softplus64(x)) + math.Abs(y*x)
			}
			if diff := math.Abs(float64(out[r]) - want); diff > 1e-5*mag+1e-6 {
				t.Errorf("cols %d row %d: got %v, want %v (|diff| %g)", cols, r, out[r], want, diff)
			}
		}
	}
}

func TestBCEGrad_MatchesFloat64DefinitionAndFiniteDifferences(t *testing.T) {
	rows, cols := 3, 21
	l, tg := logitsAndTargets(rows, cols)
	up := []float32{1, -0.5, 2}
	out := make([]float32, rows*cols)
	BCEGrad(l, tg, up, rows, cols, out)
	for i := range out {
		want := float64(up[i/cols]) * (sigmoid64(float64(l[i])) - float64(tg[i]))
		if math.Abs(float64(out[i])-want) > 1e-6*math.Abs(want)+1e-7 {
			t.Fatalf("element %d (logit %v): got %v, want %v", i, l[i], out[i], want)
		}
	}
	// The gradient is the derivative of BCERows: check one element of each row by central differences.
	for r := 0; r < rows; r++ {
		i := r*cols + 4
		l[i] = 0.3
		BCEGrad(l, tg, up, rows, cols, out)
		h := float32(1e-2)
		plus, minus := make([]float32, rows), make([]float32, rows)
		l[i] += h
		BCERows(l, tg, rows, cols, plus)
		l[i] -= 2 * h
		BCERows(l, tg, rows, cols, minus)
		l[i] += h
		fd := float64(up[r]) * float64(plus[r]-minus[r]) / float64(2*h)
		if math.Abs(float64(out[i])-fd) > 2e-3 {
			t.Errorf("row %d: gradient %v, finite difference %v", r, out[i], fd)
		}
	}
}

func TestBiasActAndActGrad(t *testing.T) {
	xw := []float32{-2, -0.5, 0, 1, 3, -4}
	bias := []float32{1, 1, -1}
	for _, mask := range [][]float32{nil, {2, 0, 2, 0, 2, 2}} {
		for _, slope := range []float32{0, 0.2, 1} {
			out := make([]float32, 6)
			BiasAct(xw, bias, mask, 2, 3, slope, out)
			grad := []float32{1, 2, 3, 4, 5, 6}
			dx := make([]float32, 6)
			ActGrad(out, grad, mask, slope, dx)
			for i, x := range xw {
				v := x + bias[i%3]
				want, wantGrad := v, grad[i]
				if v <= 0 {
					want, wantGrad = slope*v, slope*grad[i]
				}
				if mask != nil {
					want, wantGrad = want*mask[i], wantGrad*mask[i]
				}
				if out[i] != want || dx[i] != wantGrad {
					t.Errorf("mask %v slope %v, element %d: out %v grad %v, want %v %v", mask != nil, slope, i, out[i], dx[i], want, wantGrad)
				}
			}
		}
	}
}

func TestColSums(t *testing.T) {
	out := make([]float32, 3)
	ColSums([]float32{1, 2, 3, 10, 20, 30}, 2, 3, out)
	if out[0] != 11 || out[1] != 22 || out[2] != 33 {
		t.Fatalf("got %v, want [11 22 33]", out)
	}
}

func TestShapeMismatchPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("BCERows with a short target did not panic")
		}
	}()
	BCERows(make([]float32, 6), make([]float32, 5), 2, 3, make([]float32, 2))
}

func TestCentredSigmoidAndGrad(t *testing.T) {
	l, _ := logitsAndTargets(1, 37)
	l = append(l, 20, -30, 60) // saturated: the gradient is tiny but not 0
	out, dl := make([]float32, len(l)), make([]float32, len(l))
	CentredSigmoid(l, out)
	grad := make([]float32, len(l))
	for i := range grad {
		grad[i] = float32(i%5) - 2.5
	}
	CentredSigmoidGrad(l, grad, dl)
	for i, x := range l {
		s := sigmoid64(float64(x))
		if want := 2*s - 1; math.Abs(float64(out[i])-want) > 1e-6 {
			t.Errorf("logit %v: got %v, want %v", x, out[i], want)
		}
		e := math.Exp(-math.Abs(float64(x)))
		want := float64(grad[i]) * 2 * e / ((1 + e) * (1 + e))
		if math.Abs(float64(dl[i])-want) > 1e-5*math.Abs(want)+1e-40 { // float32 keeps 1e-40 only as a subnormal
			t.Errorf("logit %v: gradient %v, want %v", x, dl[i], want)
		}
	}
}

func TestDropoutMask_DropsTheFractionAndMatchesTheGoVersion(t *testing.T) {
	const n = 100001 // odd: the last entry uses half a draw
	p := 0.3
	drop := uint32(p * (1 << 32))
	out := make([]float32, n)
	DropoutMask(out, drop, float32(1/(1-p)), 42)
	want := make([]float64, n)
	DropoutMask64(want, drop, 1/(1-p), 42)
	zeros := 0
	for i, v := range out {
		if float64(v) != float64(float32(want[i])) {
			t.Fatalf("entry %d: C %v, Go %v", i, v, want[i])
		}
		if v == 0 {
			zeros++
		}
	}
	// The standard error of the fraction over 100,001 entries is 0.0014.
	if frac := float64(zeros) / n; math.Abs(frac-p) > 0.01 {
		t.Errorf("dropped %.4f, want %.2f", frac, p)
	}
	other := make([]float32, n)
	DropoutMask(other, drop, float32(1/(1-p)), 43)
	same := 0
	for i := range out {
		if out[i] == other[i] {
			same++
		}
	}
	if same == n {
		t.Error("two seeds gave the same mask")
	}
}
