package kernel

import (
	"math"
	"math/rand/v2"
	"testing"
)

// halfValue decodes a half's bits (IEEE binary16) to float64.
func halfValue(h uint16) float64 {
	sign := 1.0
	if h&0x8000 != 0 {
		sign = -1
	}
	exp, frac := int(h>>10&0x1f), float64(h&0x3ff)
	switch exp {
	case 0:
		return sign * math.Ldexp(frac, -24)
	case 0x1f:
		if frac != 0 {
			return math.NaN()
		}
		return sign * math.Inf(1)
	}
	return sign * math.Ldexp(1+frac/1024, exp-15)
}

func skipWithoutHalf(t *testing.T) {
	t.Helper()
	if !HalfSupported() {
		t.Skip("this CPU has no AVX-512")
	}
}

// ToHalf rounds to the nearest half with ties to even, into subnormals and
// to ±Inf beyond 65504, in the vector body and in the tail alike.
func TestToHalf_RoundsToNearestEven(t *testing.T) {
	skipWithoutHalf(t)
	cases := []struct {
		in   float32
		want uint16
	}{
		{1, 0x3c00},
		{-2, 0xc000},
		{1 + 0x1p-11, 0x3c00},   // a tie: to the even 1
		{1 + 3*0x1p-11, 0x3c02}, // a tie: to the even 1+2^-9
		{1 + 0x1p-11 + 0x1p-20, 0x3c01},
		{0.1, 0x2e66},
		{65504, 0x7bff},
		{65520, 0x7c00}, // halfway to 2^16 rounds to Inf
		{1e5, 0x7c00},
		{-1e5, 0xfc00},
		{0x1p-24, 0x0001}, // the smallest subnormal
		{0x1p-26, 0x0000},
		{0, 0},
	}
	src := make([]float32, 2*len(cases)+3) // past 16: the tail loop too
	for i, c := range cases {
		src[i], src[len(cases)+3+i] = c.in, c.in
	}
	dst := make([]uint16, len(src))
	ToHalf(dst, src, 1)
	for i, c := range cases {
		for _, j := range []int{i, len(cases) + 3 + i} {
			if dst[j] != c.want {
				t.Errorf("ToHalf(%v) at %d = %#04x (%v), want %#04x (%v)", c.in, j, dst[j], halfValue(dst[j]), c.want, halfValue(c.want))
			}
		}
	}
	ToHalf(dst[:1], []float32{8}, 0.25)
	if dst[0] != 0x4000 {
		t.Errorf("ToHalf(8, invScale 1/4) = %#04x, want 2 (0x4000)", dst[0])
	}
}

// HalfScale brings the largest magnitude into [2^14, 2^15) by a power of
// two whose inverse stays finite.
func TestHalfScale(t *testing.T) {
	for _, m := range []float32{1, 0.037, 3e5, 65504, 1e-3, math.MaxFloat32} {
		s := HalfScale(m)
		if frac, _ := math.Frexp(float64(s)); frac != 0.5 {
			t.Errorf("HalfScale(%v) = %v, not a power of two", m, s)
		}
		if q := float64(m) / float64(s); q < 1<<14 || q >= 1<<15 {
			t.Errorf("HalfScale(%v) = %v: max/scale = %v, outside [2^14, 2^15)", m, s, q)
		}
	}
	for _, m := range []float32{0, float32(math.NaN()), float32(math.Inf(1))} {
		if s := HalfScale(m); s != 1 {
			t.Errorf("HalfScale(%v) = %v, want 1", m, s)
		}
	}
	if s := HalfScale(math.SmallestNonzeroFloat32); s != 0x1p-126 || math.IsInf(float64(1/s), 0) {
		t.Errorf("HalfScale(smallest float32) = %v, want 2^-126", s)
	}
}

func TestMaxAbs(t *testing.T) {
	x := []float32{0.5, -3, 2, 1}
	for range 20 {
		x = append(x, 0.25)
	}
	if got := MaxAbs(x); got != 3 {
		t.Errorf("MaxAbs = %v, want 3", got)
	}
	x[21] = float32(math.NaN())
	if got := MaxAbs(x); !math.IsNaN(float64(got)) {
		t.Errorf("MaxAbs with a NaN = %v, want NaN", got)
	}
	x[21] = float32(math.Inf(-1))
	if got := MaxAbs(x); !math.IsNaN(float64(got)) {
		t.Errorf("MaxAbs with -Inf = %v, want NaN", got)
	}
	if got := MaxAbs(nil); got != 0 {
		t.Errorf("MaxAbs(nil) = %v, want 0", got)
	}
}

// DenseHalf computes bias + scale*(x·W) with the half weights it is given,
// in float32: against float64 arithmetic on the same (decoded) weights it
// is off by no more than float32 rounding of the sums, for shapes with and
// without a tail past 16 columns, with zero inputs skipped and one to three
// rows left over.
func TestDenseHalf_MatchesFloat64(t *testing.T) {
	skipWithoutHalf(t)
	rng := rand.New(rand.NewPCG(7, 8))
	for _, shape := range [][2]int{{4, 16}, {13, 37}, {30, 784}, {1, 5}, {7, 0}} {
		for _, act := range []bool{false, true} {
			k, n := shape[0], shape[1]
			x, w, bias := randomDense(rng, k, n)
			scale := HalfScale(MaxAbs(w))
			h := make([]uint16, len(w))
			ToHalf(h, w, 1/scale)
			y := make([]float32, n)
			DenseHalf(y, x, h, scale, bias, act, 0.2)
			for j := range n {
				sum, mag := float64(bias[j]), math.Abs(float64(bias[j]))
				for i := range k {
					p := float64(x[i]) * halfValue(h[i*n+j]) * float64(scale)
					sum += p
					mag += math.Abs(p)
				}
				if act && sum <= 0 {
					sum *= float64(float32(0.2))
				}
				if tol := 1e-6 * (1 + mag); math.Abs(float64(y[j])-sum) > tol {
					t.Fatalf("k=%d n=%d act=%v: y[%d] = %v, want %v within %v", k, n, act, j, y[j], sum, tol)
				}
				// And each half weight is the float32 one rounded: within
				// 2^-11 of it relatively, or half the smallest subnormal.
				for i := range k {
					if d := math.Abs(halfValue(h[i*n+j])*float64(scale) - float64(w[i*n+j])); d > 0x1p-11*math.Abs(float64(w[i*n+j]))+0x1p-25*float64(scale) {
						t.Fatalf("weight %d,%d: half %v, float32 %v", i, j, halfValue(h[i*n+j])*float64(scale), w[i*n+j])
					}
				}
			}
		}
	}
}

// An infinite half weight in a row left over after the groups of four gives
// ±Inf in its column, as Dense does, not NaN.
func TestDenseHalf_LeftoverRowKeepsInf(t *testing.T) {
	skipWithoutHalf(t)
	const n = 17
	for _, k := range []int{1, 5} {
		x := make([]float32, k)
		for i := range x {
			x[i] = 1
		}
		w := make([]uint16, k*n)
		w[(k-1)*n+16] = 0x7c00 // +Inf in the last row, past the vector body
		w[(k-1)*n+3] = 0xfc00  // -Inf in the last row, inside it
		y := make([]float32, n)
		DenseHalf(y, x, w, 1, nil, false, 0)
		if !math.IsInf(float64(y[16]), 1) || !math.IsInf(float64(y[3]), -1) || y[0] != 0 {
			t.Errorf("k=%d: y[16] = %v, y[3] = %v, y[0] = %v; want +Inf, -Inf, 0", k, y[16], y[3], y[0])
		}
	}
}

// The AVX2 path computes the same bits as the AVX-512 one: conversions, and
// dense layers of shapes with tails past 8 and 16 columns, inputs skipped,
// one to three rows left over.
func TestHalfPaths_SameBits(t *testing.T) {
	if halfPath() != halfAVX512 {
		t.Skipf("half path here is %s; both paths need AVX-512", HalfPath())
	}
	rng := rand.New(rand.NewPCG(9, 10))
	for _, shape := range [][2]int{{4, 16}, {13, 37}, {30, 784}, {6, 9}, {2, 7}} {
		k, n := shape[0], shape[1]
		x, w, bias := randomDense(rng, k, n)
		scale := HalfScale(MaxAbs(w))
		h512, h256 := make([]uint16, len(w)), make([]uint16, len(w))
		toHalf(halfAVX512, h512, w, 1/scale)
		toHalf(halfAVX2, h256, w, 1/scale)
		for i := range h512 {
			if h512[i] != h256[i] {
				t.Fatalf("k=%d n=%d: ToHalf(%v) = %#04x with AVX-512, %#04x with AVX2", k, n, w[i], h512[i], h256[i])
			}
		}
		for _, act := range []bool{false, true} {
			y512, y256 := make([]float32, n), make([]float32, n)
			denseHalf(halfAVX512, y512, x, h512, scale, bias, act, 0.2)
			denseHalf(halfAVX2, y256, x, h512, scale, bias, act, 0.2)
			for j := range y512 {
				if math.Float32bits(y512[j]) != math.Float32bits(y256[j]) {
					t.Fatalf("k=%d n=%d act=%v: y[%d] = %v with AVX-512, %v with AVX2", k, n, act, j, y512[j], y256[j])
				}
			}
		}
	}
}

func TestCapHalfPath(t *testing.T) {
	for _, c := range []struct {
		best    int
		setting string
		want    int
	}{
		{halfAVX512, "", halfAVX512}, {halfAVX512, "avx2", halfAVX2}, {halfAVX512, "off", halfNone},
		{halfAVX2, "", halfAVX2}, {halfAVX2, "avx2", halfAVX2}, {halfNone, "avx2", halfNone},
		{halfAVX512, "bogus", halfAVX512}, {halfNEON, "avx2", halfNEON}, {halfNEON, "off", halfNone},
	} {
		if got := capHalfPath(c.best, c.setting); got != c.want {
			t.Errorf("capHalfPath(%d, %q) = %d, want %d", c.best, c.setting, got, c.want)
		}
	}
}

// DenseHalf computes exactly the float32 operations of its definition, in
// its order (groups of four non-zero inputs, then the rest one at a time;
// no fused multiply-add), on every path: the bits a Go reference that
// rounds after every operation computes, so that AVX-512, AVX2 and arm64
// agree.
func TestDenseHalf_BitsOfTheReferenceOrder(t *testing.T) {
	skipWithoutHalf(t)
	rng := rand.New(rand.NewPCG(11, 12))
	for _, shape := range [][2]int{{4, 16}, {13, 37}, {30, 784}, {6, 9}} {
		k, n := shape[0], shape[1]
		x, w, bias := randomDense(rng, k, n)
		scale := HalfScale(MaxAbs(w))
		h := make([]uint16, len(w))
		ToHalf(h, w, 1/scale)
		hw := func(i, j int) float32 { return float32(halfValue(h[i*n+j])) }
		var rows []int
		for i, v := range x {
			if v != 0 {
				rows = append(rows, i)
			}
		}
		want := make([]float32, n)
		r := 0
		for ; r+4 <= len(rows); r += 4 {
			i0, i1, i2, i3 := rows[r], rows[r+1], rows[r+2], rows[r+3]
			for j := range want {
				left := float32(float32(x[i0]*hw(i0, j)) + float32(x[i1]*hw(i1, j)))
				right := float32(float32(x[i2]*hw(i2, j)) + float32(x[i3]*hw(i3, j)))
				want[j] = float32(want[j] + float32(left+right))
			}
		}
		for ; r < len(rows); r++ {
			for j := range want {
				want[j] = float32(want[j] + float32(x[rows[r]]*hw(rows[r], j)))
			}
		}
		for j := range want {
			v := float32(float32(scale*want[j]) + bias[j])
			if !(v > 0) {
				v = float32(0.2) * v
			}
			want[j] = v
		}
		y := make([]float32, n)
		DenseHalf(y, x, h, scale, bias, true, 0.2)
		for j := range y {
			if math.Float32bits(y[j]) != math.Float32bits(want[j]) {
				t.Fatalf("k=%d n=%d on %s: y[%d] = %v, the reference order gives %v", k, n, HalfPath(), j, y[j], want[j])
			}
		}
	}
}

// randomDense returns a dense layer's input (k values, a third of them 0,
// as after a ReLU), weights (k x n) and bias (n), drawn from rng.
func randomDense(rng *rand.Rand, k, n int) (x, w, bias []float32) {
	x, w, bias = make([]float32, k), make([]float32, k*n), make([]float32, n)
	for i := range x {
		if rng.IntN(3) > 0 {
			x[i] = float32(rng.NormFloat64())
		}
	}
	for i := range w {
		w[i] = float32(rng.NormFloat64() * 0.05)
	}
	for i := range bias {
		bias[i] = float32(rng.NormFloat64() * 0.1)
	}
	return x, w, bias
}
