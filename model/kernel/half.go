package kernel

/*
#include "forward.h"
*/
import "C"

import (
	"math"
	"os"
	"sync"
	"unsafe"
)

// Half precision (IEEE binary16) weights for a decode meant for the screen:
// see forward.c. A half has an 11-bit significand, a relative rounding
// error of at most 2^-11 (4.9e-4).

// The half paths, as forward.c numbers them.
const (
	halfNone   = 0
	halfAVX2   = 1
	halfAVX512 = 2
	halfNEON   = 3
)

// HalfEnv names the environment variable that caps the half path: "avx2"
// runs the AVX2 loops on a CPU with AVX-512 too (to measure what an AVX2
// machine gets), "off" turns half precision off. Both paths compute the
// same bits.
const HalfEnv = "LATENTLAB_HALF"

var halfPath = sync.OnceValue(func() int { return capHalfPath(int(C.ll_half_best()), os.Getenv(HalfEnv)) })

// capHalfPath is the CPU's best path, lowered to what the setting allows.
func capHalfPath(best int, setting string) int {
	switch setting {
	case "off":
		return halfNone
	case "avx2":
		if best == halfAVX512 {
			return halfAVX2
		}
	}
	return best
}

// HalfSupported reports whether ToHalf and DenseHalf run here: they need
// F16C with AVX2 or AVX-512, or arm64 (and LATENTLAB_HALF not "off").
func HalfSupported() bool { return halfPath() != halfNone }

// HalfPath names the loops ToHalf and DenseHalf run: "avx512", "avx2",
// "neon", or "none" where HalfSupported is false.
func HalfPath() string {
	return [...]string{halfNone: "none", halfAVX2: "avx2", halfAVX512: "avx512", halfNEON: "neon"}[halfPath()]
}

// MaxAbs returns the largest |x_i|, 0 for an empty x, and NaN if x holds
// NaN or ±Inf.
func MaxAbs(x []float32) float32 {
	if len(x) == 0 {
		return 0
	}
	return float32(C.ll_max_abs(ptr(x), C.long(len(x))))
}

// HalfScale returns the power of two by which ToHalf should divide values
// whose largest magnitude is maxAbs: it brings that largest one into
// [2^14, 2^15), well inside a half's range (65504), so that none becomes
// ±Inf and small ones keep their precision. It is 1 for 0, and never so
// small that its inverse overflows float32.
func HalfScale(maxAbs float32) float32 {
	if maxAbs == 0 || !IsFinite(maxAbs) {
		return 1
	}
	e := max(math.Ilogb(float64(maxAbs))-14, -126)
	return float32(math.Ldexp(1, e))
}

// ToHalf sets dst_i to src_i * invScale rounded to the nearest half (ties to
// even), as its bits; from ±65520 (halfway past the largest half, 65504)
// on, that is ±Inf. It panics unless HalfSupported, or if the lengths
// differ.
func ToHalf(dst []uint16, src []float32, invScale float32) {
	mustHalf("ToHalf")
	toHalf(halfPath(), dst, src, invScale)
}

// toHalf is ToHalf on the given path.
func toHalf(path int, dst []uint16, src []float32, invScale float32) {
	forwardLen("ToHalf", "dst", len(dst), len(src))
	if len(src) == 0 {
		return
	}
	C.ll_to_half(C.int(path), ptr(src), C.long(len(src)), C.float(invScale), ptr16(dst))
}

// DenseHalf is Dense with the weights in half precision: w holds W/scale,
// as ToHalf made it with invScale = 1/scale, and y = bias + scale*(x·w),
// then act as in Dense. The products and sums are float32. It panics
// unless HalfSupported, or if the shapes disagree.
func DenseHalf(y, x []float32, w []uint16, scale float32, bias []float32, act bool, slope float32) {
	mustHalf("DenseHalf")
	denseHalf(halfPath(), y, x, w, scale, bias, act, slope)
}

// denseHalf is DenseHalf on the given path.
func denseHalf(path int, y, x []float32, w []uint16, scale float32, bias []float32, act bool, slope float32) {
	b, a, ok := denseArgs("DenseHalf", y, x, len(w), bias, act)
	if !ok {
		return
	}
	var wp *C.uint16_t
	if len(w) > 0 {
		wp = ptr16(w)
	}
	C.ll_dense_vec_half(C.int(path), ptr(x), C.long(len(x)), wp, C.long(len(y)), C.float(scale), b, a,
		C.float(slope), ptr(y))
}

func ptr16(s []uint16) *C.uint16_t { return (*C.uint16_t)(unsafe.Pointer(&s[0])) }

// mustHalf panics unless the CPU runs the half-precision loops: calling
// them elsewhere is a programming error.
func mustHalf(fn string) {
	if !HalfSupported() {
		panic("kernel." + fn + ": no half path here (it needs F16C with AVX2 or AVX-512, or arm64); check HalfSupported first")
	}
}
