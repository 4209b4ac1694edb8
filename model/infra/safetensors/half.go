package safetensors

import "math"

// Conversions between float32 and IEEE 754-2008 binary16 ("half"), the
// element type F16: 1 sign bit, 5 exponent bits with bias 15 and 10
// fraction bits. A normal half with biased exponent e in [1, 30] and
// fraction f is (-1)^s · 2^(e-15) · (1 + f/2^10); a subnormal (e = 0) is
// (-1)^s · 2^-14 · f/2^10, so the smallest positive half is 2^-24 and the
// largest finite one is 2^15 · (2 - 2^-10) = 65504. e = 31 encodes ±Inf
// (f = 0) and NaN (f ≠ 0).
const (
	halfSignMask = 0x8000
	halfExpMask  = 0x7c00 // Also the bits of +Inf.
	halfFracMask = 0x03ff
	halfQuietNaN = 0x0200 // The fraction bit that marks a quiet NaN.
)

// halfToFloat32 widens the binary16 value h to float32. Every half is a
// float32, so the conversion is exact: zeros and infinities keep their
// sign, subnormals become normal float32s, and a NaN's fraction (payload
// and quiet bit) moves into the top fraction bits of the float32 NaN.
func halfToFloat32(h uint16) float32 {
	sign := uint32(h&halfSignMask) << 16
	exp := uint32(h&halfExpMask) >> 10
	frac := uint32(h & halfFracMask)
	switch {
	case exp == 0x1f: // ±Inf and NaN.
		return math.Float32frombits(sign | 0x7f800000 | frac<<13)
	case exp != 0: // Normal: rebias the exponent from 15 to 127.
		return math.Float32frombits(sign | (exp+127-15)<<23 | frac<<13)
	case frac == 0: // ±0.
		return math.Float32frombits(sign)
	}
	// Subnormal: frac · 2^-24, a product of an integer below 2^10 and a
	// power of two, both exact in float32.
	v := float32(frac) * 0x1p-24
	if sign != 0 {
		v = -v
	}
	return v
}

// float32ToHalf narrows f to binary16, rounding to nearest with ties to
// even as IEEE 754-2008 (section 4.3.1) prescribes, and reports whether the
// result is faithful: ok is false when f is finite but its magnitude rounds
// beyond 65504, that is |f| ≥ 65520 = 2^15 · (2 - 2^-11), the midpoint
// between 65504 and 2^16, a tie that goes to the even 2^16. h is then the
// infinity that IEEE rounding would give. NaN narrows to a NaN that keeps the top 10 fraction
// bits of f (quieted if they are all zero), and ±Inf to ±Inf, both with
// ok true; so halfToFloat32 followed by float32ToHalf returns every half
// bit pattern unchanged.
func float32ToHalf(f float32) (h uint16, ok bool) {
	b := math.Float32bits(f)
	sign := uint16(b>>16) & halfSignMask
	exp := int(b>>23) & 0xff
	frac := b & 0x7fffff
	if exp == 0xff {
		if frac == 0 {
			return sign | halfExpMask, true
		}
		nan := uint16(frac>>13) & halfFracMask
		if nan == 0 {
			nan = halfQuietNaN
		}
		return sign | halfExpMask | nan, true
	}
	// f = sig · 2^(exp-150) with the 24-bit significand sig (for float32
	// subnormals, exp = 0, the value is below 2^-126 and rounds to zero
	// below, whatever sig is).
	sig := frac | 0x800000
	e := exp - 127 // Unbiased exponent of f.
	switch {
	case e > 15:
		return sign | halfExpMask, false
	case e >= -14:
		// Normal range: keep 10 of the 23 fraction bits. Rounding
		// acts on the combined exponent and fraction field, so a
		// fraction that rounds up past 0x3ff carries into the next
		// exponent, and from 2^15 · (2 - 2^-11) on into infinity.
		v := uint32(e+15)<<10 | frac>>13
		v = roundShifted(v, frac, 13)
		if v >= halfExpMask {
			return sign | halfExpMask, false
		}
		return sign | uint16(v), true
	case e >= -25:
		// Subnormal range: the half fraction is f / 2^-24 =
		// sig · 2^(e+1), that is sig shifted right by -(e+1) in
		// [14, 24] bits. A result of 0x400 is the smallest normal
		// half, whose bits it already is.
		shift := uint(-(e + 1))
		return sign | uint16(roundShifted(sig>>shift, sig, shift)), true
	}
	// |f| < 2^-25, below half the smallest subnormal: ±0.
	return sign, true
}

// roundShifted rounds q = x >> shift, where shift is in [1, 31], to
// nearest with ties to even, looking at the bits of x that the shift
// dropped.
func roundShifted(q, x uint32, shift uint) uint32 {
	rest := x & (1<<shift - 1)
	half := uint32(1) << (shift - 1)
	if rest > half || rest == half && q&1 == 1 {
		q++
	}
	return q
}
