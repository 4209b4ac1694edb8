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
// torch.nn.Conv2d). The batch runs as a few products in the installed
// BLAS straight over the padded images (shift.go).
type Conv2D struct {
	Label       string
	InC, H, W   int // input channels, height and width
	OutC, K     int // output channels, kernel size (K x K)
	Stride, Pad int
	Act         nn.Activation
}

var (
	_ nn.Layer  = Conv2D{}
	_ nn.Backer = Conv2D{}
)

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

// patch is the number of inputs one output pixel reads: InC*K*K.
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
	in := G.Nodes{x, g.Param(l.Label + ".weight"), g.Param(l.Label + ".bias")}
	if mask != nil {
		in = append(in, mask)
	}
	return applyConv(g, fmt.Sprintf("Conv2D(%+v)", l), l, false, in, needs, mask != nil)
}

// applyConv adds the convolution l, or its transpose, to g as one op on
// in = x, W, b[, mask], named after the layer it is.
func applyConv(g *nn.Graph, layer string, l Conv2D, transposed bool, in G.Nodes, needs nn.GradNeeds, masked bool) *G.Node {
	signature := op.Sig(2, 2, 4, 1)
	if masked {
		signature.In = append(signature.In, 2)
	}
	scratch := g.Shared("conv", func() any { return new(convBuffers) }).(*convBuffers)
	o := convOp{op.NewBase(fmt.Sprintf("%s(%t,%t,%t)", layer, needs.Input, needs.Weights, masked), signature), l, transposed, needs, masked, scratch}
	return G.Must(G.ApplyOp(o, in...))
}

// Forward sets y = act(W * x + b) for the n images x, with its scratch
// buffers carved out of *tmp.
func (l Conv2D) Forward(w [][]float32, y, x []float32, n int, tmp *[]float32) {
	shiftProduct(l, l.scratch(n, tmp), w[0], x, y, n)
	biasAct(y, w[1], nil, l.OutH()*l.OutW(), float32(l.Act))
}

// scratch carves the buffers of the shifted products of n images out of
// *tmp.
func (l Conv2D) scratch(n int, tmp *[]float32) *convScratch[float32] {
	a, b, c := l.shiftSizes(n)
	*tmp = nn.Grow(*tmp, a+b+c)
	t := *tmp
	return &convScratch[float32]{in: t[:a:a], out: t[a : a+b : a+b], taps: t[a+b : a+b+c : a+b+c]}
}

// Back sets dx to the gradient for the n images of dy ⊙ act'(y) through
// the convolution (its transpose by the shifted products), overwriting dy.
func (l Conv2D) Back(w [][]float32, dx, dy, y []float32, n int, tmp *[]float32) {
	l.Act.Back(dy, y)
	shiftGradInput(l, l.scratch(n, tmp), dy, w[0], dx, n)
}

// convScratch holds batch-sized buffers from run to run: the framed
// inputs, the framed outputs and the taps' kernels (see shift.go), and the
// layer and number of images whose frames in holds, zero around them (the
// zero value: none known).
type convScratch[T op.Float] struct {
	in, out, taps []T
	framed        framedFor
}

// framedFor names a layout of framed inputs: the layer and the batch size.
type framedFor struct {
	l Conv2D
	n int
}

// size returns the layout of n images, with the buffers grown to fit it.
func (sc *convScratch[T]) size(l Conv2D, n int) frame {
	in, out, taps := l.shiftSizes(n)
	sc.in, sc.out, sc.taps = nn.Grow(sc.in, in), nn.Grow(sc.out, out), nn.Grow(sc.taps, taps)
	return l.frame(n)
}

// biasAct adds the channel bias b to each plane of spatial values in y (one
// plane per channel, images one after another), applies the activation of
// slope (at most 1, so that act(v) = max(v, slope v)) and multiplies by
// mask where it is not nil.
func biasAct[T op.Float](y, b, mask []T, spatial int, slope T) {
	op.Parallel(len(y)/spatial, spatial, func(lo, hi int) {
		for p := lo; p < hi; p++ {
			plane, bias := y[p*spatial:][:spatial], b[p%len(b)]
			if mask == nil {
				for i, v := range plane {
					v += bias
					plane[i] = max(v, slope*v)
				}
				continue
			}
			m := mask[p*spatial:][:spatial]
			for i, v := range plane {
				v += bias
				plane[i] = max(v, slope*v) * m[i]
			}
		}
	})
}

// convOp computes act(W * x + b) for a batch of images, or when transposed
// act(Wᵀ * x + b) with l the convolution it is the transpose of, times an
// inverted-dropout mask when masked.
type convOp struct {
	op.Base
	l          Conv2D
	transposed bool
	needs      nn.GradNeeds
	masked     bool
	scratch    *convBuffers
}

// dims returns the widths of the op's input and output rows, its output
// channels and the size of one output plane.
func (o convOp) dims() (in, out, channels, plane int) {
	if o.transposed {
		return o.l.Out(), o.l.In(), o.l.InC, o.l.H * o.l.W
	}
	return o.l.In(), o.l.Out(), o.l.OutC, o.l.OutH() * o.l.OutW()
}

// convBuffers are the scratch buffers of every convolution op in a graph,
// one set per dtype, kept from run to run: one goroutine runs a graph's ops
// one after another, and none needs them once it has run.
type convBuffers struct {
	f32 convScratch[float32]
	f64 convScratch[float64]
}

func (o convOp) DiffWRT(int) []bool {
	return []bool{o.needs.Input, o.needs.Weights, o.needs.Weights, false}[:o.Arity()]
}

func (o convOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s, err := op.Shapes(o.String(), in, o.Inputs()...)
	if err != nil {
		return nil, err
	}
	inW, outW, channels, _ := o.dims()
	out := tensor.Shape{s[0][0], outW}
	wantW := tensor.Shape{o.l.OutC, o.l.InC, o.l.K, o.l.K}
	if s[0][1] != inW || !s[1].Eq(wantW) || s[2][0] != channels || (o.masked && !s[3].Eq(out)) {
		return nil, fmt.Errorf("%s: x %v, W %v (want %v), b %v, mask %v", o, s[0], s[1], wantW, s[2], s[3:])
	}
	return out, nil
}

// outShape is the output's shape for the inputs ts.
func (o convOp) outShape(ts []*tensor.Dense) tensor.Shape {
	_, out, _, _ := o.dims()
	return tensor.Shape{ts[0].Shape()[0], out}
}

func (o convOp) Do(vs ...G.Value) (G.Value, error) { return o.DoShaped(o, vs, o.outShape) }

func (o convOp) UsePreallocDo(prealloc G.Value, vs ...G.Value) (G.Value, error) {
	n := vs[0].Shape()[0]
	return o.Run(prealloc, vs, o.outShape,
		func(d [][]float32) { convForward(o, &o.scratch.f32, d, n) },
		func(d [][]float64) { convForward(o, &o.scratch.f64, d, n) })
}

// convForward runs o on d = x, W, b[, mask], out.
func convForward[T op.Float](o convOp, sc *convScratch[T], d [][]T, n int) {
	x, w, b, out := d[0], d[1], d[2], d[len(d)-1]
	var mask []T
	if o.masked {
		mask = d[3]
	}
	if o.transposed {
		shiftGradInput(o.l, sc, x, w, out, n)
	} else {
		shiftProduct(o.l, sc, w, x, out, n)
	}
	_, _, _, plane := o.dims()
	biasAct(out, b, mask, plane, T(o.l.Act))
}

// SymDiff returns the gradients the layer was built to need: with d the
// gradient through the activation and mask, dx = Wᵀ * d (the transposed
// convolution), dW = the correlation of d with x, and db the sums of d per
// channel; for the transposed op, dx = W * d and dW the correlation of x
// with d.
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
	gradOf := func(name string, what int, sig op.Signature, args ...*G.Node) (*G.Node, error) {
		return G.ApplyOp(convGradOp{op.NewBase(fmt.Sprintf("%s(%+v,%t)", name, o.l, o.transposed), sig), o, what}, args...)
	}
	if o.needs.Input {
		if out[0], err = gradOf("ConvGradInput", gradInput, op.Sig(2, 2, 4), d, in[1]); err != nil {
			return nil, err
		}
	}
	if o.needs.Weights {
		if out[1], err = gradOf("ConvGradWeight", gradWeight, op.Sig(4, 2, 2), in[0], d); err != nil {
			return nil, err
		}
		if out[2], err = gradOf("ConvGradBias", gradBias, op.Sig(1, 2), d); err != nil {
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

// convGradOp is one of a convOp's gradients.
type convGradOp struct {
	op.Base
	of   convOp
	what int
}

func (o convGradOp) shape(rows int) tensor.Shape {
	in, _, channels, _ := o.of.dims()
	l := o.of.l
	switch o.what {
	case gradInput:
		return tensor.Shape{rows, in}
	case gradWeight:
		return tensor.Shape{l.OutC, l.InC, l.K, l.K}
	}
	return tensor.Shape{channels}
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
		func(d [][]float32) { convGrad(o.of, o.what, &o.of.scratch.f32, d, n) },
		func(d [][]float64) { convGrad(o.of, o.what, &o.of.scratch.f64, d, n) })
}

// convGrad computes o's gradient what from d (its inputs, then the output)
// for n images: dx and dW by the shifted products of shift.go, with the
// roles of input and output swapped for a transposed op, and db as the
// sums of the output gradient's planes.
func convGrad[T op.Float](o convOp, what int, sc *convScratch[T], d [][]T, n int) {
	out := d[len(d)-1]
	switch {
	case what == gradInput && o.transposed:
		shiftProduct(o.l, sc, d[1], d[0], out, n)
	case what == gradInput:
		shiftGradInput(o.l, sc, d[0], d[1], out, n)
	case what == gradWeight && o.transposed:
		shiftGradWeight(o.l, sc, d[1], d[0], out, n)
	case what == gradWeight:
		shiftGradWeight(o.l, sc, d[0], d[1], out, n)
	case what == gradBias:
		_, _, channels, plane := o.dims()
		clear(out)
		for p := 0; p*plane < len(d[0]); p++ {
			var sum T
			for _, v := range d[0][p*plane:][:plane] {
				sum += v
			}
			out[p%channels] += sum
		}
	}
}
