package safetensors

import (
	"bytes"
	"encoding/binary"
	"math"
	"testing"
)

// halfValue is the value of the finite half h straight from the binary16
// definition in IEEE 754-2008 (section 3.4), computed in float64
// independently of halfToFloat32.
func halfValue(h uint16) float64 {
	exp := int(h>>10) & 0x1f
	frac := float64(h & 0x3ff)
	v := math.Ldexp(frac, -24) // Subnormal: 2^-14 · frac/2^10.
	if exp != 0 {
		v = math.Ldexp(1024+frac, exp-25) // 2^(exp-15) · (1 + frac/2^10).
	}
	if h&0x8000 != 0 {
		v = -v
	}
	return v
}

func TestHalfToFloat32_KnownValues(t *testing.T) {
	tests := []struct {
		h    uint16
		want float32
	}{
		{0x0000, 0},
		{0x8000, float32(math.Copysign(0, -1))},
		{0x0001, 0x1p-24},   // Smallest subnormal.
		{0x03ff, 0x3ffp-24}, // Largest subnormal.
		{0x0400, 0x1p-14},   // Smallest normal.
		{0x3555, 0x1.554p-2},
		{0x3c00, 1},
		{0x3c01, 1 + 0x1p-10},
		{0xc000, -2},
		{0x7bff, 65504}, // Largest finite.
		{0xfbff, -65504},
		{0x7c00, float32(math.Inf(1))},
		{0xfc00, float32(math.Inf(-1))},
		{0x7e00, math.Float32frombits(0x7fc00000)}, // Quiet NaN.
		{0x7c01, math.Float32frombits(0x7f802000)}, // Signalling NaN, payload kept.
		{0xffff, math.Float32frombits(0xffffe000)},
	}
	for _, tt := range tests {
		if got := halfToFloat32(tt.h); math.Float32bits(got) != math.Float32bits(tt.want) {
			t.Errorf("halfToFloat32(%#04x) = %v (%#08x), want %v (%#08x)", tt.h, got, math.Float32bits(got), tt.want, math.Float32bits(tt.want))
		}
	}
}

func TestFloat32ToHalf_KnownValues(t *testing.T) {
	tests := []struct {
		name   string
		f      float32
		want   uint16
		wantOK bool
	}{
		{"zero", 0, 0x0000, true},
		{"negative zero", float32(math.Copysign(0, -1)), 0x8000, true},
		{"one", 1, 0x3c00, true},
		{"minus two", -2, 0xc000, true},
		{"largest half", 65504, 0x7bff, true},
		{"smallest normal", 0x1p-14, 0x0400, true},
		{"smallest subnormal 2^-24", 0x1p-24, 0x0001, true},
		{"0.1 rounds down", 0.1, 0x2e66, true},
		{"1/3 rounds down", 1.0 / 3, 0x3555, true},
		// Ties go to the even neighbour.
		{"2^-25 ties to 0", 0x1p-25, 0x0000, true},
		{"-2^-25 ties to -0", -0x1p-25, 0x8000, true},
		{"3·2^-25 ties to 0x0002", 3 * 0x1p-25, 0x0002, true},
		{"1+2^-11 ties to 1", 1 + 0x1p-11, 0x3c00, true},
		{"1+3·2^-11 ties up to 0x3c02", 1 + 3*0x1p-11, 0x3c02, true},
		// Just off a tie, rounding goes to the nearer neighbour.
		{"just above 2^-25", math.Nextafter32(0x1p-25, 1), 0x0001, true},
		{"just above 1+2^-11", math.Nextafter32(1+0x1p-11, 2), 0x3c01, true},
		{"below half the smallest subnormal", 0x1p-26, 0x0000, true},
		{"smallest float32 subnormal", math.SmallestNonzeroFloat32, 0x0000, true},
		{"negative float32 subnormal", -math.SmallestNonzeroFloat32, 0x8000, true},
		// Rounding up carries into the next exponent.
		{"largest subnormal carries into the smallest normal", 0x1p-14 - 0x1p-25, 0x0400, true},
		{"2-2^-11 carries into 2", 2 - 0x1p-11, 0x4000, true},
		{"65519.996 rounds to 65504", 65519.996, 0x7bff, true},
		// Finite values rounding beyond 65504 overflow.
		{"65520 overflows", 65520, 0x7c00, false},
		{"-65520 overflows", -65520, 0xfc00, false},
		{"2^16 overflows", 65536, 0x7c00, false},
		{"largest float32 overflows", math.MaxFloat32, 0x7c00, false},
		// Infinities and NaNs stay what they are.
		{"+Inf", float32(math.Inf(1)), 0x7c00, true},
		{"-Inf", float32(math.Inf(-1)), 0xfc00, true},
		{"quiet NaN", float32(math.NaN()), 0x7e00, true},
		{"NaN payload in the low bits only is quieted", math.Float32frombits(0x7f800001), 0x7e00, true},
		{"negative NaN keeps its top payload bits", math.Float32frombits(0xffc02000), 0xfe01, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := float32ToHalf(tt.f)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("float32ToHalf(%v) = %#04x, %v; want %#04x, %v", tt.f, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestHalf_RoundTripAllBits(t *testing.T) {
	for i := range 1 << 16 {
		h := uint16(i)
		f := halfToFloat32(h)
		isNaN := h&0x7c00 == 0x7c00 && h&0x3ff != 0
		isInf := h&0x7fff == 0x7c00
		switch {
		case isNaN:
			if !math.IsNaN(float64(f)) {
				t.Fatalf("halfToFloat32(%#04x) = %v, want NaN", h, f)
			}
		case isInf:
			if !math.IsInf(float64(f), 0) || math.Signbit(float64(f)) != (h&0x8000 != 0) {
				t.Fatalf("halfToFloat32(%#04x) = %v, want an infinity of sign %d", h, f, h>>15)
			}
		default:
			if want := halfValue(h); float64(f) != want || math.Signbit(float64(f)) != math.Signbit(want) {
				t.Fatalf("halfToFloat32(%#04x) = %v, want %v", h, f, want)
			}
		}
		back, ok := float32ToHalf(f)
		if back != h || !ok {
			t.Fatalf("float32ToHalf(halfToFloat32(%#04x) = %v) = %#04x, %v; want %#04x, true", h, f, back, ok, h)
		}
	}
}

// TestFloat32ToHalf_TiesToEven checks rounding at every boundary: for each
// pair of neighbouring positive halves (subnormal, normal, and across every
// exponent), their midpoint, exact in float32 since it needs 12 significant
// bits, goes to the one with an even fraction, and the float32s on either
// side of it to the nearer half. The same holds for negative values.
func TestFloat32ToHalf_TiesToEven(t *testing.T) {
	for h := uint16(0); h < 0x7bff; h++ {
		lo, hi := halfToFloat32(h), halfToFloat32(h+1)
		mid := float32((float64(lo) + float64(hi)) / 2)
		even := h
		if h&1 == 1 {
			even = h + 1
		}
		for _, c := range []struct {
			f    float32
			want uint16
		}{
			{mid, even},
			{math.Nextafter32(mid, 0), h},
			{math.Nextafter32(mid, 1e6), h + 1},
		} {
			for _, sign := range []uint16{0, 0x8000} {
				f := c.f
				if sign != 0 {
					f = -f
				}
				if got, ok := float32ToHalf(f); got != sign|c.want || !ok {
					t.Fatalf("float32ToHalf(%v) = %#04x, %v; want %#04x, true (between %#04x and %#04x)", f, got, ok, sign|c.want, sign|h, sign|(h+1))
				}
			}
		}
	}
	// Above the largest half, the midpoint to 2^16 is where overflow
	// begins.
	if got, ok := float32ToHalf(math.Nextafter32(65520, 0)); got != 0x7bff || !ok {
		t.Errorf("float32ToHalf(just below 65520) = %#04x, %v; want 0x7bff, true", got, ok)
	}
	if _, ok := float32ToHalf(65520); ok {
		t.Errorf("float32ToHalf(65520) reports no overflow")
	}
}

func TestWriteRead_F16Narrows(t *testing.T) {
	in := []float32{
		0.1, 1 + 0x1p-11, 1 + 3*0x1p-11, 3 * 0x1p-25,
		0x1p-25, -65519, 0x1p-14 - 0x1p-25, float32(math.Inf(-1)),
		float32(math.NaN()), 1e-30, -1.0 / 3, 0.5,
	}
	want := []uint16{
		0x2e66, 0x3c00, 0x3c02, 0x0002,
		0x0000, 0xfbff, 0x0400, 0xfc00,
		0x7e00, 0x0000, 0xb555, 0x3800,
	}
	f := &File{
		Metadata: map[string]string{"precision": "float16"},
		Tensors: []Tensor{
			{Name: "before", DType: F32, Shape: []int{1}, F32: []float32{0.1}},
			{Name: "h", DType: F16, Shape: []int{3, 4}, F32: in},
		},
	}
	data := mustWrite(t, f)
	// The F16 tensor takes 2 bytes per element after the F32 one's 4.
	headerEnd := 8 + int(binary.LittleEndian.Uint64(data))
	if got, want := len(data)-headerEnd, 4+2*len(in); got != want {
		t.Fatalf("data buffer is %d bytes, want %d", got, want)
	}
	for i, w := range want {
		if got := binary.LittleEndian.Uint16(data[headerEnd+4+2*i:]); got != w {
			t.Errorf("element %d (%v) stored as %#04x, want %#04x", i, in[i], got, w)
		}
	}
	back, err := readBytes(data)
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	h, _ := back.Tensor("h")
	if h.DType != F16 || len(h.F64) != 0 || len(h.I64) != 0 {
		t.Fatalf("read back dtype %s with %d F64 and %d I64 elements, want F16 in F32 only", h.DType, len(h.F64), len(h.I64))
	}
	for i, w := range want {
		if got := math.Float32bits(h.F32[i]); got != math.Float32bits(halfToFloat32(w)) {
			t.Errorf("element %d: wrote %v, read back %v, want %v", i, in[i], h.F32[i], halfToFloat32(w))
		}
	}
	if b, _ := back.Tensor("before"); b.DType != F32 || b.F32[0] != 0.1 {
		t.Errorf("F32 tensor read back as %s %v", b.DType, b.F32)
	}
	// The narrowed values are halves: writing them again is lossless.
	if again := mustWrite(t, back); !bytes.Equal(again, data) {
		t.Errorf("re-written file differs from the original encoding")
	}
}
