// Package kernel holds latentlab's fused float32 loops, written in C so the
// compiler vectorises them (AVX2 where the CPU has it, SSE2 otherwise;
// the snapshot's forward loops also have AVX-512 clones), each replacing
// several passes over memory with one:
//   - the optimizers' in-place updates and a scan for NaN or Inf, which
//     compute exactly the bits of the plain float32 loops (kernel.c);
//   - the training graphs' element-wise work: bias and activation, its
//     gradient, column sums, the binary cross-entropy and its gradient, the
//     GAN's centred sigmoid and dropout masks (elementwise.c);
//   - the snapshot's forward pass (forward.c), with a dense layer whose
//     weights are in half precision for the decode a drag shows (F16C with
//     AVX-512 or AVX2; half.go).
//
// Every loop has a plain C version that any C compiler builds for any
// architecture; the x86 paths, GCC's function clones and glibc's libmvec
// are used only where portable.h finds them.
//
// The transcendental loops use glibc's libmvec (expf, log1pf, within 4
// ulp) on AVX2 CPUs and scalar libm elsewhere, so their results can differ
// in the last bits between an AVX2 machine and one without it.
package kernel

/*
#cgo CFLAGS: -O3
#cgo LDFLAGS: -lm
#cgo linux,amd64 LDFLAGS: -lmvec
#include "kernel.h"
*/
import "C"

import "unsafe"

// ptr returns the address of s's first element, or nil for an empty slice.
func ptr(s []float32) *C.float {
	if len(s) == 0 {
		return nil
	}
	return (*C.float)(unsafe.Pointer(&s[0]))
}

// FirstNonFinite returns the index of the first NaN or ±Inf in x, or -1.
func FirstNonFinite(x []float32) int {
	if len(x) == 0 {
		return -1
	}
	return int(C.ll_first_nonfinite(ptr(x), C.long(len(x))))
}

// AdamHyper holds one Adam step's constants: Step is lr / (1 - b1^t) and
// InvBC2 is 1 / (1 - b2^t), the bias corrections folded in.
type AdamHyper struct {
	Step, Beta1, Beta2, InvBC2, Eps, WeightDecay float32
}

// Adam applies one Adam step to w in place with gradient g (plus
// WeightDecay*w), updating the moments m and v. It reports
// whether every new weight is finite. All four slices must have w's length.
func Adam(h AdamHyper, w, g, m, v []float32) bool {
	n := checkLens(w, g, m, v)
	return C.ll_adam(ptr(w), ptr(g), ptr(m), ptr(v), C.long(n), C.float(h.Step), C.float(h.Beta1),
		C.float(h.Beta2), C.float(h.InvBC2), C.float(h.Eps), C.float(h.WeightDecay)) != 0
}

// RMSProp applies one RMSProp step to w in place, updating v, and reports whether every new weight is finite.
func RMSProp(lr, beta2, eps, weightDecay float32, w, g, v []float32) bool {
	n := checkLens(w, g, v)
	return C.ll_rmsprop(ptr(w), ptr(g), ptr(v), C.long(n), C.float(lr), C.float(beta2), C.float(eps),
		C.float(weightDecay)) != 0
}

// SGD applies one step of SGD with momentum (as PyTorch: m = momentum*m + g;
// w -= lr*m) to w in place, and reports whether every new weight is finite.
func SGD(lr, momentum, weightDecay float32, w, g, m []float32) bool {
	n := checkLens(w, g, m)
	return C.ll_sgd(ptr(w), ptr(g), ptr(m), C.long(n), C.float(lr), C.float(momentum), C.float(weightDecay)) != 0
}

// checkLens returns the common length of the slices, and panics if they
// differ: that is a programming error that would otherwise write out of
// bounds in C.
func checkLens(s ...[]float32) int {
	n := len(s[0])
	for _, x := range s[1:] {
		if len(x) != n {
			panic("kernel: slices of different lengths")
		}
	}
	return n
}
