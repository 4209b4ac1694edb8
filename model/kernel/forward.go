package kernel

/*
#cgo CFLAGS: -O3
#include "forward.h"
*/
import "C"

import (
	"fmt"
	"unsafe"
)

// Loops of the float32 forward pass that package model's Snapshot runs to
// decode and encode: see forward.c.

// Dense sets y = bias + x·W for one vector x, where W is the len(x) x
// len(y) row-major matrix w, and then, if act, applies the hidden
// activation act(v) = v for v > 0, slope*v otherwise (ReLU for slope 0,
// LeakyReLU for 0 < slope < 1). bias may be nil (zero). Rows of W whose
// x_i is zero are skipped, so a layer after a ReLU reads about half of W.
// It runs on the calling goroutine's thread only.
func Dense(y, x, w, bias []float32, act bool, slope float32) {
	b, a, ok := denseArgs("Dense", y, x, len(w), bias, act)
	if !ok {
		return
	}
	C.ll_dense_vec(ptr(x), C.long(len(x)), ptr(w), C.long(len(y)), b, a, C.float(slope), ptr(y))
}

// denseArgs checks the lengths of a one-vector dense layer's arguments
// (panicking on a mismatch) and returns the bias pointer (nil for no bias)
// and the activation flag for C; ok is false when y is empty and there is
// nothing to do.
func denseArgs(fn string, y, x []float32, wLen int, bias []float32, act bool) (b *C.float, a C.int, ok bool) {
	forwardLen(fn, "w", wLen, len(x)*len(y))
	if bias != nil {
		forwardLen(fn, "bias", len(bias), len(y))
		b = ptr(bias)
	}
	if act {
		a = 1
	}
	return b, a, len(y) > 0
}

// BiasActRows sets x = act(x + bias) in place for each of the rows of the
// rows x cols matrix x, with act as in Dense.
func BiasActRows(x []float32, rows, cols int, bias []float32, slope float32) {
	forwardLen("BiasActRows", "x", len(x), rows*cols)
	forwardLen("BiasActRows", "bias", len(bias), cols)
	if rows*cols == 0 {
		return
	}
	C.ll_bias_act_rows(ptr(x), C.long(rows), C.long(cols), ptr(bias), C.float(slope))
}

// BiasSigmoid64 sets dst = sigmoid(x + bias) = 1 / (1 + exp(-(x + bias)))
// for each of the rows of the rows x cols matrix x, as float64. The
// sigmoid is computed in float32 within 3 ulp (a relative error below
// 4e-7) wherever the result is a normal float32, and is 0 below that
// (x + bias < -87); NaN stays NaN.
func BiasSigmoid64(dst []float64, x []float32, rows, cols int, bias []float32) {
	if rows64Args("BiasSigmoid64", dst, x, rows, cols, bias) {
		C.ll_bias_sigmoid_f64(ptr(x), C.long(rows), C.long(cols), ptr(bias), ptr64(dst))
	}
}

// Bias64 sets dst = x + bias for each of the rows of the rows x cols
// matrix x, as float64.
func Bias64(dst []float64, x []float32, rows, cols int, bias []float32) {
	if rows64Args("Bias64", dst, x, rows, cols, bias) {
		C.ll_bias_f64(ptr(x), C.long(rows), C.long(cols), ptr(bias), ptr64(dst))
	}
}

// rows64Args checks the lengths of a pass over the rows x cols matrix x with
// a bias per column into the float64 dst (panicking on a mismatch), and
// reports whether there is anything to do.
func rows64Args(fn string, dst []float64, x []float32, rows, cols int, bias []float32) bool {
	forwardLen(fn, "x", len(x), rows*cols)
	forwardLen(fn, "dst", len(dst), rows*cols)
	forwardLen(fn, "bias", len(bias), cols)
	return rows*cols > 0
}

func ptr64(s []float64) *C.double { return (*C.double)(unsafe.Pointer(&s[0])) }

// forwardLen panics unless a slice has the length the shapes ask for: a
// mismatch is a programming error that would otherwise read or write out
// of bounds in C.
func forwardLen(fn, name string, got, want int) {
	if got != want {
		panic(fmt.Sprintf("kernel.%s: %s has %d elements, want %d", fn, name, got, want))
	}
}
