package kernel

/*
#include "kernel.h"
*/
import "C"

import "fmt"

// BCERows writes to out, for each row r of the rows x cols matrices logits
// and target, the binary cross-entropy of sigmoid(logits) against target
// summed over the row: sum_j softplus(l_rj) - t_rj l_rj, with softplus(l) =
// max(l, 0) + log1p(exp(-|l|)), which cannot overflow.
func BCERows(logits, target []float32, rows, cols int, out []float32) {
	mustShape("BCERows", rows, cols, logits, target)
	mustLen("BCERows", rows, out)
	if rows*cols == 0 {
		return
	}
	C.ll_bce_rows(ptr(logits), ptr(target), C.long(rows), C.long(cols), ptr(out))
}

// BCEGrad writes to out the gradient of BCERows with respect to the logits,
// scaled per row by upstream: out_rj = upstream_r (sigmoid(l_rj) - t_rj).
func BCEGrad(logits, target, upstream []float32, rows, cols int, out []float32) {
	mustShape("BCEGrad", rows, cols, logits, target, out)
	mustLen("BCEGrad", rows, upstream)
	if rows*cols == 0 {
		return
	}
	C.ll_bce_grad(ptr(logits), ptr(target), ptr(upstream), C.long(rows), C.long(cols), ptr(out))
}

// BiasAct writes act(xw_rj + bias_j) * mask_rj to out, where act(v) is v
// for v > 0 and slope*v otherwise (ReLU for slope 0, LeakyReLU for 0 <
// slope < 1, the identity for slope 1) and mask is an inverted-dropout mask
// of entries 0 or 1/(1-p), or nil for none. out may be xw itself.
func BiasAct(xw, bias, mask []float32, rows, cols int, slope float32, out []float32) {
	mustShape("BiasAct", rows, cols, xw, out)
	mustLen("BiasAct", cols, bias)
	if mask != nil {
		mustShape("BiasAct", rows, cols, mask)
	}
	if rows*cols == 0 {
		return
	}
	C.ll_bias_act(ptr(xw), ptr(bias), ptr(mask), C.long(rows), C.long(cols), C.float(slope), ptr(out))
}

// ActGrad writes to dx the gradient through BiasAct's activation and mask
// (nil for none), from its output out and the gradient grad of the loss
// with respect to out. Since mask entries are 0 or positive, out > 0 exactly
// where the activation's input was positive and the entry was kept.
func ActGrad(out, grad, mask []float32, slope float32, dx []float32) {
	mustShape("ActGrad", 1, len(out), out, grad, dx)
	if mask != nil {
		mustShape("ActGrad", 1, len(out), mask)
	}
	if len(out) == 0 {
		return
	}
	C.ll_act_grad(ptr(out), ptr(grad), ptr(mask), C.long(len(out)), C.float(slope), ptr(dx))
}

// ColSums writes the column sums of the rows x cols matrix x to out.
func ColSums(x []float32, rows, cols int, out []float32) {
	mustShape("ColSums", rows, cols, x)
	mustLen("ColSums", cols, out)
	if cols == 0 {
		return
	}
	C.ll_col_sums(ptr(x), C.long(rows), C.long(cols), ptr(out))
}

// CentredSigmoid writes 2 sigmoid(l) - 1 to out: pixels in [-1, 1] from
// logits, as the GAN's discriminator reads them.
func CentredSigmoid(l, out []float32) {
	mustShape("CentredSigmoid", 1, len(l), l, out)
	if len(l) == 0 {
		return
	}
	C.ll_centred_sigmoid(ptr(l), C.long(len(l)), ptr(out))
}

// CentredSigmoidGrad writes to dl the gradient through CentredSigmoid at
// the logits l, given the gradient grad with respect to its output:
// dl = grad 2 sigmoid(l) (1 - sigmoid(l)), computed from exp(-|l|) so that
// it stays accurate (not 0) where the sigmoid saturates.
func CentredSigmoidGrad(l, grad, dl []float32) {
	mustShape("CentredSigmoidGrad", 1, len(l), l, grad, dl)
	if len(l) == 0 {
		return
	}
	C.ll_centred_sigmoid_grad(ptr(l), ptr(grad), C.long(len(l)), ptr(dl))
}

// DropoutMask fills out with an inverted-dropout mask: each entry is 0 when
// its 32 random bits fall below dropBelow (p * 2^32 for a drop probability
// p) and keep (1/(1-p)) otherwise. The bits come from splitmix64 seeded
// with seed, two entries per 64-bit draw; DropoutMask64 computes the same
// mask in Go.
func DropoutMask(out []float32, dropBelow uint32, keep float32, seed uint64) {
	if len(out) == 0 {
		return
	}
	C.ll_dropout_mask(ptr(out), C.long(len(out)), C.uint(dropBelow), C.float(keep), C.ulonglong(seed))
}

// DropoutMask64 is DropoutMask for float64 masks, in Go.
func DropoutMask64(out []float64, dropBelow uint32, keep float64, seed uint64) {
	state, bits := seed, uint64(0)
	for i := range out {
		if i%2 == 0 {
			state += 0x9E3779B97F4A7C15
			z := state
			z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
			z = (z ^ (z >> 27)) * 0x94D049BB133111EB
			bits = z ^ (z >> 31)
		} else {
			bits >>= 32
		}
		out[i] = keep
		if uint32(bits) < dropBelow {
			out[i] = 0
		}
	}
}

// mustShape panics unless every slice holds rows*cols elements: a mismatch
// is a programming error that would otherwise read or write out of bounds
// in C.
func mustShape(fn string, rows, cols int, s ...[]float32) {
	for _, x := range s {
		if len(x) != rows*cols {
			panic(fmt.Sprintf("kernel.%s: slice of %d elements for a %dx%d matrix", fn, len(x), rows, cols))
		}
	}
}

// mustLen panics unless s has n elements.
func mustLen(fn string, n int, s []float32) {
	if len(s) != n {
		panic(fmt.Sprintf("kernel.%s: slice of %d elements, want %d", fn, len(s), n))
	}
}
