package conv

import "latentlab/model/nn/op"

// A convolution runs as a sum of plain matrix products over the images
// themselves, with no patch matrix (im2col) K*K times their size to write
// and read again.
//
// Stride 1: with every image padded into a frame of (H+2P) x (W+2P) pixels
// and the frames of a batch laid side by side, channel after channel, the
// input pixel that kernel tap (u, v) reads for output pixel p is
// p + u*(W+2P) + v: one offset for the whole batch. So W * x is the sum
// over the K*K taps of W[:, :, u, v] times the frames shifted by that
// offset, and the gradients are the same products transposed. This is the
// kn2row family of Vasudevan, Anderson and Gregg (2017), "Parallel multi
// channel convolution using general matrix multiplication", with the
// shift applied to the input's view instead of the outputs.
//
// Stride s > 1 becomes stride 1 by space-to-depth: the padded image split
// into its s*s phases (pixels (s i + a, s j + b) for each a, b < s) is an
// image of s*s times the channels and 1/s the size, on which the kernel is
// one of ceil(K/s) x ceil(K/s) taps, W[o, c, s p + a, s q + b] for the
// phase channel (c, a, b) at tap (p, q), zero where s p + a reaches K.

// frame is the layout of a batch for the shifted products: the phase
// images of every image padded, one frame each, side by side.
type frame struct {
	s    int // the stride
	taps int // taps per side, ceil(K/s)
	inC  int // channels of the phase images, InC*s*s
	hp   int // a frame's rows, ceil((H+2P)/s)
	wp   int // a frame's row, ceil((W+2P)/s)
	size int // one frame, hp*wp
	cols int // the batch's frames side by side, n*size
	ld   int // one channel's row: cols and a tail the last taps read
}

// frame returns the layout of n images.
func (l Conv2D) frame(n int) frame {
	s := l.Stride
	f := frame{s: s, taps: (l.K + s - 1) / s, inC: l.InC * s * s,
		hp: (l.H + 2*l.Pad + s - 1) / s, wp: (l.W + 2*l.Pad + s - 1) / s}
	f.size = f.hp * f.wp
	f.cols = n * f.size
	f.ld = f.cols + f.offset(f.taps*f.taps-1)
	return f
}

// offset returns how far tap t (p = t/taps, q = t%taps) reads from the
// output pixel's own place in a frame.
func (f frame) offset(t int) int { return (t/f.taps)*f.wp + t%f.taps }

// tapSize is the length of one tap's kernel, OutC x the phase channels.
func (f frame) tapSize(l Conv2D) int { return l.OutC * f.inC }

// shiftSizes returns the lengths of the scratch buffers the shifted
// products of n images need: the framed inputs (or input gradients), the
// framed outputs (or output gradients) and the taps' kernels.
func (l Conv2D) shiftSizes(n int) (inputs, outputs, taps int) {
	f := l.frame(n)
	return f.inC * f.ld, l.OutC * f.cols, f.taps * f.taps * f.tapSize(l)
}

// span returns the frame columns [lo, hi) of phase b whose image column,
// s*j + b - P, lies inside the image.
func (l Conv2D) span(f frame, b int) (lo, hi int) {
	for lo = 0; lo < f.wp && f.s*lo+b-l.Pad < 0; lo++ {
	}
	for hi = f.wp; hi > lo && f.s*(hi-1)+b-l.Pad >= l.W; hi-- {
	}
	return lo, hi
}

// eachRow calls fn for every image row of images [lo, hi) that lands in a
// frame: image i, channel c, row r of that channel, and the phase channel,
// frame row and phase column b it lands in, with the span of frame columns
// it fills.
func (l Conv2D) eachRow(f frame, lo, hi int, fn func(i, c, r, pc, fr, lo, hi, b int)) {
	for b := range f.s {
		jlo, jhi := l.span(f, b)
		if jlo >= jhi {
			continue
		}
		for i := lo; i < hi; i++ {
			for c := range l.InC {
				for fr := range f.hp {
					for a := range f.s {
						if r := f.s*fr + a - l.Pad; r >= 0 && r < l.H {
							fn(i, c, r, (c*f.s+a)*f.s+b, fr, jlo, jhi, b)
						}
					}
				}
			}
		}
	}
}

// toInputFrames lays the n images x ([InC, H, W] each) out in xp as the
// phase channels' rows of ld values, every phase image inside its frame,
// zero around it. With clean, xp already holds zeros around the images'
// places (it was laid out for as many images before), which are not
// cleared again.
func toInputFrames[T op.Float](l Conv2D, x, xp []T, f frame, clean bool) {
	if !clean {
		for pc := range f.inC {
			clear(xp[pc*f.ld+f.cols : (pc+1)*f.ld])
		}
	}
	op.Parallel(f.cols/f.size, f.inC*f.size, func(lo, hi int) {
		if !clean {
			for pc := range f.inC {
				clear(xp[pc*f.ld+lo*f.size : pc*f.ld+hi*f.size])
			}
		}
		l.eachRow(f, lo, hi, func(i, c, r, pc, fr, lo, hi, b int) {
			src := x[i*l.In()+(c*l.H+r)*l.W:][:l.W]
			dst := xp[pc*f.ld+i*f.size+fr*f.wp:][:f.wp]
			if f.s == 1 {
				copy(dst[lo:hi], src[lo+b-l.Pad:])
				return
			}
			for j := lo; j < hi; j++ {
				dst[j] = src[f.s*j+b-l.Pad]
			}
		})
	})
}

// fromInputFrames sets the n images dx ([InC, H, W] each) to their pixels'
// places in the frames xp, toInputFrames' adjoint: every pixel has exactly
// one place.
func fromInputFrames[T op.Float](l Conv2D, xp, dx []T, f frame) {
	op.Parallel(f.cols/f.size, f.inC*f.size, func(lo, hi int) {
		l.eachRow(f, lo, hi, func(i, c, r, pc, fr, lo, hi, b int) {
			dst := dx[i*l.In()+(c*l.H+r)*l.W:][:l.W]
			src := xp[pc*f.ld+i*f.size+fr*f.wp:][:f.wp]
			if f.s == 1 {
				copy(dst[lo+b-l.Pad:], src[lo:hi])
				return
			}
			for j := lo; j < hi; j++ {
				dst[f.s*j+b-l.Pad] = src[j]
			}
		})
	})
}

// toOutputFrames lays the n outputs y ([OutC, OutH, OutW] each) out in yp
// as OutC rows of cols values, each output pixel at its place in the
// frame, zero elsewhere.
func toOutputFrames[T op.Float](l Conv2D, y, yp []T, f frame) {
	oh, ow := l.OutH(), l.OutW()
	op.Parallel(f.cols/f.size, l.OutC*f.size, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			for o := range l.OutC {
				src := y[(i*l.OutC+o)*oh*ow:]
				dst := yp[o*f.cols+i*f.size:][:f.size]
				clear(dst)
				for r := range oh {
					copy(dst[r*f.wp:][:ow], src[r*ow:][:ow])
				}
			}
		}
	})
}

// fromOutputFrames sets the n outputs y to the output pixels' places in
// yp, toOutputFrames' adjoint.
func fromOutputFrames[T op.Float](l Conv2D, yp, y []T, f frame) {
	oh, ow := l.OutH(), l.OutW()
	op.Parallel(f.cols/f.size, l.OutC*oh*ow, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			for o := range l.OutC {
				dst := y[(i*l.OutC+o)*oh*ow:]
				src := yp[o*f.cols+i*f.size:]
				for r := range oh {
					copy(dst[r*ow:][:ow], src[r*f.wp:][:ow])
				}
			}
		}
	})
}

// eachTap calls fn with the place of every kernel weight W[o, c, u, v] in
// the taps' matrices: tap t's matrix is OutC x the phase channels.
func (l Conv2D) eachTap(f frame, fn func(w, wk int)) {
	for o := range l.OutC {
		for c := range l.InC {
			for u := range l.K {
				for v := range l.K {
					t := (u/f.s)*f.taps + v/f.s
					pc := (c*f.s+u%f.s)*f.s + v%f.s
					fn(((o*l.InC+c)*l.K+u)*l.K+v, (t*l.OutC+o)*f.inC+pc)
				}
			}
		}
	}
}

// toTaps lays the kernel w ([OutC, InC, K, K]) out in wk as the taps'
// matrices, zero where a tap reaches past the kernel.
func toTaps[T op.Float](l Conv2D, w, wk []T, f frame) {
	clear(wk)
	l.eachTap(f, func(iw, iwk int) { wk[iwk] = w[iw] })
}

// fromTaps sets the kernel w from the taps' matrices wk.
func fromTaps[T op.Float](l Conv2D, wk, w []T, f frame) {
	l.eachTap(f, func(iw, iwk int) { w[iw] = wk[iwk] })
}

// frameInputs lays the n images x out in sc.in (see toInputFrames) and
// returns their layout, with every buffer sized for it.
func (sc *convScratch[T]) frameInputs(l Conv2D, x []T, n int) frame {
	f := sc.size(l, n)
	toInputFrames(l, x, sc.in, f, sc.framed == framedFor{l, n})
	sc.framed = framedFor{l, n}
	return f
}

// shiftProduct sets out (n images of [OutC, OutH*OutW]) = W * x without
// the bias.
func shiftProduct[T op.Float](l Conv2D, sc *convScratch[T], w, x, out []T, n int) {
	f := sc.frameInputs(l, x, n)
	toTaps(l, w, sc.taps, f)
	for t := range f.taps * f.taps {
		beta := T(1)
		if t == 0 {
			beta = 0
		}
		op.GemmStrided(false, false, l.OutC, f.cols, f.inC, sc.taps[t*f.tapSize(l):], f.inC,
			sc.in[f.offset(t):], f.ld, sc.out, f.cols, beta)
	}
	fromOutputFrames(l, sc.out, out, f)
}

// shiftGradInput sets dx (n images) to the gradient of W * x with respect
// to x for the output gradient dY: each tap's Wᵀ · dY added back where the
// tap read.
func shiftGradInput[T op.Float](l Conv2D, sc *convScratch[T], dY, w, dx []T, n int) {
	f := sc.size(l, n)
	toOutputFrames(l, dY, sc.out, f)
	toTaps(l, w, sc.taps, f)
	sc.framed = framedFor{} // the products below write all over sc.in
	op.Parallel(f.inC, f.ld, func(lo, hi int) { clear(sc.in[lo*f.ld : hi*f.ld]) })
	for t := range f.taps * f.taps {
		op.GemmStrided(true, false, f.inC, f.cols, l.OutC, sc.taps[t*f.tapSize(l):], f.inC,
			sc.out, f.cols, sc.in[f.offset(t):], f.ld, 1)
	}
	fromInputFrames(l, sc.in, dx, f)
}

// shiftGradWeight sets dW to the gradient of W * x with respect to W for
// the output gradient dY: for each tap, dY times the shifted frames
// transposed.
func shiftGradWeight[T op.Float](l Conv2D, sc *convScratch[T], x, dY, dW []T, n int) {
	f := sc.frameInputs(l, x, n)
	toOutputFrames(l, dY, sc.out, f)
	for t := range f.taps * f.taps {
		op.GemmStrided(false, true, l.OutC, f.inC, f.cols, sc.out, f.cols,
			sc.in[f.offset(t):], f.ld, sc.taps[t*f.tapSize(l):], f.inC, 0)
	}
	fromTaps(l, sc.taps, dW, f)
}
