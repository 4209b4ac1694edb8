package conv

import (
	"fmt"
	"latentlab/model/nn"
	"latentlab/model/nn/op"
	"math"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Conv2D is a 2-D convolution, act(W * x + b), over images stored one per
// row as [channels, height, width] (row-major, as PyTorch's NCHW). The
// kernel W is [OutC, InC, K, K] and the bias b [OutC], named
// "<Name>.weight" and "<Name>.bias" in PyTorch's own layout (that of
// torch.nn.Conv2d). Each image goes through im2col and one product in the
// installed BLAS (Chellapilla et al. 2006, "High performance convolutional
// neural networks for document processing").
type Conv2D struct {
	Label       string
	InC, H, W   int // input channels, height and width
	OutC, K     int // output channels, kernel size (K x K)
	Stride, Pad int
	Act         nn.Activation
}

var _ nn.Layer = Conv2D{}

// Name returns the layer's name, the prefix of its parameter names.
func (l Conv2D) Name() string { return l.Label }

// OutH and OutW are the output's height and width:
// (H + 2 Pad - K) / Stride + 1.
func (l Conv2D) OutH() int { return (l.H+2*l.Pad-l.K)/l.Stride + 1 }

// OutW is the output's width.
func (l Conv2D) OutW() int { return (l.W+2*l.Pad-l.K)/l.Stride + 1 }

// In returns the width of an input row, InC*H*W.
func (l Conv2D) In() int { return l.InC * l.H * l.W }

// Out returns the width of an output row, OutC*OutH*OutW.
func (l Conv2D) Out() int { return l.OutC * l.OutH() * l.OutW() }

// patch is the length of one column of im2col: InC*K*K.
func (l Conv2D) patch() int { return l.InC * l.K * l.K }

// Params returns the kernel (decayed) and the bias, both initialised as
// PyTorch's nn.Conv2d does: U(-1/sqrt(fan_in), 1/sqrt(fan_in)), fan_in =
// InC*K*K.
func (l Conv2D) Params() []nn.Param {
	init := nn.Uniform(1 / math.Sqrt(float64(l.patch())))
	return []nn.Param{
		{Name: l.Label + ".weight", Shape: []int{l.OutC, l.InC, l.K, l.K}, Init: init, Decay: true},
		{Name: l.Label + ".bias", Shape: []int{l.OutC}, Init: init},
	}
}

// Apply adds act(W * x + b), times mask if it is not nil, to g as one op.
func (l Conv2D) Apply(g *nn.Graph, x *G.Node, needs nn.GradNeeds, mask *G.Node) *G.Node {
	signature := op.Sig(2, 2, 4, 1)
	in := G.Nodes{x, g.Param(l.Label + ".weight"), g.Param(l.Label + ".bias")}
	if mask != nil {
		signature.In = append(signature.In, 2)
		in = append(in, mask)
	}
	op := convOp{op.NewBase(fmt.Sprintf("Conv2D(%+v,%t,%t,%t)", l, needs.Input, needs.Weights, mask != nil), signature), l, needs, mask != nil, new(convBuffers)}
	return G.Must(G.ApplyOp(op, in...))
}

// Forward sets y = act(W * x + b) for the n images x.
func (l Conv2D) Forward(w [][]float32, y, x []float32, n int, tmp *[]float32) {
	sc := convScratch[float32]{cols: *tmp}
	convProduct(l, &sc, w[0], x, y, n)
	*tmp = sc.cols
	biasAct(y, w[1], nil, l.OutH()*l.OutW(), float32(l.Act))
}

// convScratch holds a convolution's batch-sized buffers from run to run.
type convScratch[T op.Float] struct{ cols, prod []T }

// grow returns s resized to n elements, reallocated if it is too small.
func grow[T op.Float](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}

// convProduct sets out (n images of [OutC, OutH*OutW]) = W * x without
// the bias: im2col of every image side by side, one product, and the
// result's columns put back image by image.
func convProduct[T op.Float](l Conv2D, sc *convScratch[T], w, x, out []T, n int) {
	ohw := l.OutH() * l.OutW()
	ld := n * ohw
	sc.cols = grow(sc.cols, l.patch()*ld)
	for i := range n {
		im2col(x[i*l.In():(i+1)*l.In()], l, sc.cols[i*ohw:], ld)
	}
	if n == 1 {
		op.Gemm(false, false, l.OutC, ohw, l.patch(), w, sc.cols, out, 0)
		return
	}
	sc.prod = grow(sc.prod, l.OutC*ld)
	op.Gemm(false, false, l.OutC, ld, l.patch(), w, sc.cols, sc.prod, 0)
	for o := range l.OutC {
		for i := range n {
			copy(out[(i*l.OutC+o)*ohw:][:ohw], sc.prod[o*ld+i*ohw:][:ohw])
		}
	}
}

// im2col lays out x (one image, [InC, H, W]) as the columns of a
// (InC*K*K) x (OutH*OutW) matrix whose rows lie ld apart in cols: column p
// holds the patch output pixel p reads, zero where it falls in the padding.
// Several images side by side (ld = n*OutH*OutW) make one product of the
// whole batch.
func im2col[T op.Float](x []T, l Conv2D, cols []T, ld int) {
	oh, ow := l.OutH(), l.OutW()
	for c := range l.InC {
		for ki := range l.K {
			for kj := range l.K {
				row := cols[((c*l.K+ki)*l.K+kj)*ld:]
				lo, hi := l.validCols(kj)
				for oi := range oh {
					dst := row[oi*ow : (oi+1)*ow]
					i := oi*l.Stride + ki - l.Pad
					if i < 0 || i >= l.H || lo >= hi {
						clear(dst)
						continue
					}
					src := x[(c*l.H+i)*l.W : (c*l.H+i+1)*l.W]
					clear(dst[:lo])
					clear(dst[hi:])
					if l.Stride == 1 {
						copy(dst[lo:hi], src[lo+kj-l.Pad:hi+kj-l.Pad])
						continue
					}
					for oj := lo; oj < hi; oj++ {
						dst[oj] = src[oj*l.Stride+kj-l.Pad]
					}
				}
			}
		}
	}
}

// validCols returns the output columns [lo, hi) whose input column for
// kernel column kj lies inside the image.
func (l Conv2D) validCols(kj int) (lo, hi int) {
	// j = oj*Stride + kj - Pad must be in [0, W).
	for lo = 0; lo < l.OutW() && lo*l.Stride+kj-l.Pad < 0; lo++ {
	}
	for hi = l.OutW(); hi > lo && (hi-1)*l.Stride+kj-l.Pad >= l.W; hi-- {
	}
	return lo, hi
}

// col2im adds the columns cols (laid out as im2col lays them, rows ld
// apart) back into the image dx, summing where patches overlap: im2col's
// adjoint.
func col2im[T op.Float](cols []T, l Conv2D, dx []T, ld int) {
	oh, ow := l.OutH(), l.OutW()
	for c := range l.InC {
		for ki := range l.K {
			for kj := range l.K {
				row := cols[((c*l.K+ki)*l.K+kj)*ld:]
				lo, hi := l.validCols(kj)
				for oi := range oh {
					i := oi*l.Stride + ki - l.Pad
					if i < 0 || i >= l.H {
						continue
					}
					src := row[oi*ow : (oi+1)*ow]
					dst := dx[(c*l.H+i)*l.W : (c*l.H+i+1)*l.W]
					for oj := lo; oj < hi; oj++ {
						dst[oj*l.Stride+kj-l.Pad] += src[oj]
					}
				}
			}
		}
	}
}

// biasAct adds the channel bias b to each plane of spatial values in y (one
// plane per channel, images one after another), applies the activation of
// slope and multiplies by mask where it is not nil.
func biasAct[T op.Float](y, b, mask []T, spatial int, slope T) {
	for i := range y {
		v := y[i] + b[(i/spatial)%len(b)]
		if v <= 0 {
			v *= slope
		}
		if mask != nil {
			v *= mask[i]
		}
		y[i] = v
	}
}

// convOp computes act(W * x + b) for a batch of images, times an
// inverted-dropout mask when masked.
type convOp struct {
	op.Base
	l       Conv2D
	needs   nn.GradNeeds
	masked  bool
	scratch *convBuffers
}

// convBuffers are a node's scratch buffers, one set per dtype, kept from
// run to run (one goroutine runs a graph).
type convBuffers struct {
	f32 convScratch[float32]
	f64 convScratch[float64]
	d32 []float32 // the gradient's columns, image blocks side by side
	d64 []float64
}

func (o convOp) DiffWRT(int) []bool {
	return []bool{o.needs.Input, o.needs.Weights, o.needs.Weights, false}[:o.Arity()]
}

func (o convOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s, err := op.Shapes(o.String(), in, o.Inputs()...)
	if err != nil {
		return nil, err
	}
	out := tensor.Shape{s[0][0], o.l.Out()}
	wantW := tensor.Shape{o.l.OutC, o.l.InC, o.l.K, o.l.K}
	if s[0][1] != o.l.In() || !s[1].Eq(wantW) || s[2][0] != o.l.OutC || (o.masked && !s[3].Eq(out)) {
		return nil, fmt.Errorf("%s: x %v, W %v (want %v), b %v, mask %v", o, s[0], s[1], wantW, s[2], s[3:])
	}
	return out, nil
}

// outShape is the output's shape for the inputs ts.
func (o convOp) outShape(ts []*tensor.Dense) tensor.Shape {
	return tensor.Shape{ts[0].Shape()[0], o.l.Out()}
}

func (o convOp) Do(vs ...G.Value) (G.Value, error) { return o.DoShaped(o, vs, o.outShape) }

func (o convOp) UsePreallocDo(prealloc G.Value, vs ...G.Value) (G.Value, error) {
	n := vs[0].Shape()[0]
	return o.Run(prealloc, vs, o.outShape,
		func(d [][]float32) { convForward(o.l, &o.scratch.f32, d, o.masked, n) },
		func(d [][]float64) { convForward(o.l, &o.scratch.f64, d, o.masked, n) })
}

// convForward runs the op on d = x, W, b[, mask], out.
func convForward[T op.Float](l Conv2D, sc *convScratch[T], d [][]T, masked bool, n int) {
	x, w, b, out := d[0], d[1], d[2], d[len(d)-1]
	var mask []T
	if masked {
		mask = d[3]
	}
	convProduct(l, sc, w, x, out, n)
	biasAct(out, b, mask, l.OutH()*l.OutW(), T(l.Act))
}

// SymDiff returns the gradients the layer was built to need: with d the
// gradient through the activation and mask, dx = col2im(Wᵀ·d) per image,
// dW = sum over images of d·im2col(x)ᵀ and db the sums of d per channel.
func (o convOp) SymDiff(in G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	d := grad
	if o.l.Act != nn.Linear || o.masked {
		var mask *G.Node
		if o.masked {
			mask = in[3]
		}
		var err error
		if d, err = nn.ActGrad(output, grad, mask, float64(o.l.Act)); err != nil {
			return nil, err
		}
	}
	out := make(G.Nodes, o.Arity())
	var err error
	if o.needs.Input {
		if out[0], err = G.ApplyOp(convGradOp{op.NewBase(fmt.Sprintf("Conv2DGradInput(%+v)", o.l), op.Sig(2, 2, 4)), o.l, gradInput, new(convBuffers)}, d, in[1]); err != nil {
			return nil, err
		}
	}
	if o.needs.Weights {
		if out[1], err = G.ApplyOp(convGradOp{op.NewBase(fmt.Sprintf("Conv2DGradWeight(%+v)", o.l), op.Sig(4, 2, 2)), o.l, gradWeight, new(convBuffers)}, in[0], d); err != nil {
			return nil, err
		}
		if out[2], err = G.ApplyOp(convGradOp{op.NewBase(fmt.Sprintf("Conv2DGradBias(%+v)", o.l), op.Sig(1, 2)), o.l, gradBias, new(convBuffers)}, d); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// The gradients a convGradOp computes.
const (
	gradInput  = iota // from (d, W): the gradient with respect to the images
	gradWeight        // from (x, d): with respect to the kernel
	gradBias          // from (d): with respect to the bias
)

// convGradOp is one of convOp's gradients.
type convGradOp struct {
	op.Base
	l       Conv2D
	what    int
	scratch *convBuffers
}

func (o convGradOp) shape(rows int) tensor.Shape {
	switch o.what {
	case gradInput:
		return tensor.Shape{rows, o.l.In()}
	case gradWeight:
		return tensor.Shape{o.l.OutC, o.l.InC, o.l.K, o.l.K}
	}
	return tensor.Shape{o.l.OutC}
}

func (o convGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s, err := op.Shapes(o.String(), in, o.Inputs()...)
	if err != nil {
		return nil, err
	}
	return o.shape(s[0][0]), nil
}

func (o convGradOp) outShape(ts []*tensor.Dense) tensor.Shape { return o.shape(ts[0].Shape()[0]) }

func (o convGradOp) Do(vs ...G.Value) (G.Value, error) { return o.DoShaped(o, vs, o.outShape) }

func (o convGradOp) UsePreallocDo(prealloc G.Value, vs ...G.Value) (G.Value, error) {
	n := vs[0].Shape()[0]
	return o.Run(prealloc, vs, o.outShape,
		func(d [][]float32) { convGrad(o.l, o.what, &o.scratch.f32, &o.scratch.d32, d, n) },
		func(d [][]float64) { convGrad(o.l, o.what, &o.scratch.f64, &o.scratch.d64, d, n) })
}

// convGrad computes the gradient what from d (its inputs, then the output)
// for n images, with the images' columns side by side so that each
// gradient is one product: dx from Wᵀ·dY and col2im, dW = dY·colsᵀ.
func convGrad[T op.Float](l Conv2D, what int, sc *convScratch[T], dcols *[]T, d [][]T, n int) {
	out := d[len(d)-1]
	clear(out)
	ohw := l.OutH() * l.OutW()
	ld := n * ohw
	// gather lays dOut ([n][OutC][ohw]) out as [OutC][n*ohw].
	gather := func(dOut []T) []T {
		sc.prod = grow(sc.prod, l.OutC*ld)
		for o := range l.OutC {
			for i := range n {
				copy(sc.prod[o*ld+i*ohw:][:ohw], dOut[(i*l.OutC+o)*ohw:][:ohw])
			}
		}
		return sc.prod
	}
	switch what {
	case gradInput:
		dY, w := gather(d[0]), d[1]
		*dcols = grow(*dcols, l.patch()*ld)
		op.Gemm(true, false, l.patch(), ld, l.OutC, w, dY, *dcols, 0)
		for i := range n {
			col2im((*dcols)[i*ohw:], l, out[i*l.In():(i+1)*l.In()], ld)
		}
	case gradWeight:
		x, dY := d[0], gather(d[1])
		sc.cols = grow(sc.cols, l.patch()*ld)
		for i := range n {
			im2col(x[i*l.In():(i+1)*l.In()], l, sc.cols[i*ohw:], ld)
		}
		op.Gemm(false, true, l.OutC, l.patch(), ld, dY, sc.cols, out, 0)
	case gradBias:
		for i, v := range d[0] {
			out[(i/ohw)%l.OutC] += v
		}
	}
}
