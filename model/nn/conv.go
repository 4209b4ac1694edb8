package nn

import (
	"fmt"
	"latentlab/model/nn/op"
	"math"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"
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
	Act         Activation
}

var _ Layer = Conv2D{}

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
func (l Conv2D) Params() []Param {
	init := Uniform(1 / math.Sqrt(float64(l.patch())))
	return []Param{
		{Name: l.Label + ".weight", Shape: []int{l.OutC, l.InC, l.K, l.K}, Init: init, Decay: true},
		{Name: l.Label + ".bias", Shape: []int{l.OutC}, Init: init},
	}
}

// Apply adds act(W * x + b), times mask if it is not nil, to g as one op.
func (l Conv2D) Apply(g *Graph, x *G.Node, needs GradNeeds, mask *G.Node) *G.Node {
	signature := op.Sig(2, 2, 4, 1)
	in := G.Nodes{x, g.Param(l.Label + ".weight"), g.Param(l.Label + ".bias")}
	if mask != nil {
		signature.In = append(signature.In, 2)
		in = append(in, mask)
	}
	op := convOp{op.NewBase(fmt.Sprintf("Conv2D(%+v,%t,%t,%t)", l, needs.Input, needs.Weights, mask != nil), signature), l, needs, mask != nil}
	return G.Must(G.ApplyOp(op, in...))
}

// Forward sets y = act(W * x + b) for the n images x.
func (l Conv2D) Forward(w [][]float32, y, x []float32, n int, tmp *[]float32) {
	*tmp = Grow(*tmp, l.patch()*l.OutH()*l.OutW())
	for i := range n {
		l.image(w[0], y[i*l.Out():(i+1)*l.Out()], x[i*l.In():(i+1)*l.In()], *tmp)
	}
	biasAct(y, w[1], nil, l.OutH()*l.OutW(), float32(l.Act))
}

// image sets y = W * x (no bias) for one image, through cols.
func (l Conv2D) image(w, y, x, cols []float32) {
	im2col(x, l, cols)
	gemmSlices(false, false, l.OutC, l.OutH()*l.OutW(), l.patch(), w, cols, y, 0)
}

// im2col lays out x (one image, [InC, H, W]) as the columns of a
// (InC*K*K) x (OutH*OutW) matrix: column p holds the patch output pixel p
// reads, zero where it falls in the padding.
func im2col[T op.Float](x []T, l Conv2D, cols []T) {
	oh, ow := l.OutH(), l.OutW()
	for c := range l.InC {
		for ki := range l.K {
			for kj := range l.K {
				row := cols[((c*l.K+ki)*l.K+kj)*oh*ow:][:oh*ow]
				for oi := range oh {
					i := oi*l.Stride + ki - l.Pad
					for oj := range ow {
						j := oj*l.Stride + kj - l.Pad
						if i < 0 || i >= l.H || j < 0 || j >= l.W {
							row[oi*ow+oj] = 0
						} else {
							row[oi*ow+oj] = x[(c*l.H+i)*l.W+j]
						}
					}
				}
			}
		}
	}
}

// col2im adds the columns cols (as im2col lays them out) back into the
// image dx, summing where patches overlap: im2col's adjoint.
func col2im[T op.Float](cols []T, l Conv2D, dx []T) {
	oh, ow := l.OutH(), l.OutW()
	for c := range l.InC {
		for ki := range l.K {
			for kj := range l.K {
				row := cols[((c*l.K+ki)*l.K+kj)*oh*ow:][:oh*ow]
				for oi := range oh {
					i := oi*l.Stride + ki - l.Pad
					if i < 0 || i >= l.H {
						continue
					}
					for oj := range ow {
						if j := oj*l.Stride + kj - l.Pad; j >= 0 && j < l.W {
							dx[(c*l.H+i)*l.W+j] += row[oi*ow+oj]
						}
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

// gemmSlices sets c = op(a)·op(b) + beta c for row-major, contiguous
// matrices: op(a) m x k, op(b) k x n, c m x n.
func gemmSlices[T op.Float](transA, transB bool, m, n, k int, a, b, c []T, beta T) {
	tr := func(t bool) blas.Transpose {
		if t {
			return blas.Trans
		}
		return blas.NoTrans
	}
	ar, ac := m, k
	if transA {
		ar, ac = k, m
	}
	br, bc := k, n
	if transB {
		br, bc = n, k
	}
	switch cd := any(c).(type) {
	case []float32:
		blas32.Gemm(tr(transA), tr(transB), 1,
			blas32.General{Rows: ar, Cols: ac, Stride: ac, Data: any(a).([]float32)},
			blas32.General{Rows: br, Cols: bc, Stride: bc, Data: any(b).([]float32)}, float32(beta),
			blas32.General{Rows: m, Cols: n, Stride: n, Data: cd})
	case []float64:
		blas64.Gemm(tr(transA), tr(transB), 1,
			blas64.General{Rows: ar, Cols: ac, Stride: ac, Data: any(a).([]float64)},
			blas64.General{Rows: br, Cols: bc, Stride: bc, Data: any(b).([]float64)}, float64(beta),
			blas64.General{Rows: m, Cols: n, Stride: n, Data: cd})
	}
}

// convOp computes act(W * x + b) for a batch of images, times an
// inverted-dropout mask when masked.
type convOp struct {
	op.Base
	l      Conv2D
	needs  GradNeeds
	masked bool
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

func (o convOp) Do(vs ...G.Value) (G.Value, error) {
	ts, err := op.Denses(o.String(), vs, o.Arity())
	if err != nil {
		return nil, err
	}
	return o.DoWith(o, ts[0].Dtype(), tensor.Shape{ts[0].Shape()[0], o.l.Out()}, vs)
}

func (o convOp) UsePreallocDo(prealloc G.Value, vs ...G.Value) (G.Value, error) {
	ts, err := op.Denses(o.String(), vs, o.Arity())
	if err != nil {
		return nil, err
	}
	n := ts[0].Shape()[0]
	out, err := op.Target(o.String(), prealloc, ts[0].Dtype(), n, o.l.Out())
	if err != nil {
		return nil, err
	}
	err = op.EachFloat(append(ts, out), func(d [][]float32) { convForward(o.l, d, o.masked, n) },
		func(d [][]float64) { convForward(o.l, d, o.masked, n) })
	return out, err
}

// convForward runs the op on d = x, W, b[, mask], out.
func convForward[T op.Float](l Conv2D, d [][]T, masked bool, n int) {
	x, w, b, out := d[0], d[1], d[2], d[len(d)-1]
	var mask []T
	if masked {
		mask = d[3]
	}
	cols := make([]T, l.patch()*l.OutH()*l.OutW())
	for i := range n {
		im2col(x[i*l.In():(i+1)*l.In()], l, cols)
		gemmSlices(false, false, l.OutC, l.OutH()*l.OutW(), l.patch(), w, cols, out[i*l.Out():(i+1)*l.Out()], 0)
	}
	biasAct(out, b, mask, l.OutH()*l.OutW(), T(l.Act))
}

// SymDiff returns the gradients the layer was built to need: with d the
// gradient through the activation and mask, dx = col2im(Wᵀ·d) per image,
// dW = sum over images of d·im2col(x)ᵀ and db the sums of d per channel.
func (o convOp) SymDiff(in G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	d := grad
	if o.l.Act != Linear || o.masked {
		signature := op.Sig(2, 2, 2)
		args := G.Nodes{output, grad}
		if o.masked {
			signature.In = append(signature.In, 2)
			args = append(args, in[3])
		}
		op := actGradOp{op.NewBase(fmt.Sprintf("ActGrad(%g,%t)", float64(o.l.Act), o.masked), signature), float64(o.l.Act), o.masked}
		var err error
		if d, err = G.ApplyOp(op, args...); err != nil {
			return nil, err
		}
	}
	out := make(G.Nodes, o.Arity())
	var err error
	if o.needs.Input {
		if out[0], err = G.ApplyOp(convGradOp{op.NewBase(fmt.Sprintf("Conv2DGradInput(%+v)", o.l), op.Sig(2, 2, 4)), o.l, gradInput}, d, in[1]); err != nil {
			return nil, err
		}
	}
	if o.needs.Weights {
		if out[1], err = G.ApplyOp(convGradOp{op.NewBase(fmt.Sprintf("Conv2DGradWeight(%+v)", o.l), op.Sig(4, 2, 2)), o.l, gradWeight}, in[0], d); err != nil {
			return nil, err
		}
		if out[2], err = G.ApplyOp(convGradOp{op.NewBase(fmt.Sprintf("Conv2DGradBias(%+v)", o.l), op.Sig(1, 2)), o.l, gradBias}, d); err != nil {
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
	l    Conv2D
	what int
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

func (o convGradOp) Do(vs ...G.Value) (G.Value, error) {
	ts, err := op.Denses(o.String(), vs, o.Arity())
	if err != nil {
		return nil, err
	}
	return o.DoWith(o, ts[0].Dtype(), o.shape(ts[0].Shape()[0]), vs)
}

func (o convGradOp) UsePreallocDo(prealloc G.Value, vs ...G.Value) (G.Value, error) {
	ts, err := op.Denses(o.String(), vs, o.Arity())
	if err != nil {
		return nil, err
	}
	n := ts[0].Shape()[0]
	out, err := op.Target(o.String(), prealloc, ts[0].Dtype(), o.shape(n)...)
	if err != nil {
		return nil, err
	}
	err = op.EachFloat(append(ts, out), func(d [][]float32) { convGrad(o.l, o.what, d, n) },
		func(d [][]float64) { convGrad(o.l, o.what, d, n) })
	return out, err
}

// convGrad computes the gradient what from d (its inputs, then the output)
// for n images.
func convGrad[T op.Float](l Conv2D, what int, d [][]T, n int) {
	out := d[len(d)-1]
	clear(out)
	spatial := l.OutH() * l.OutW()
	switch what {
	case gradInput:
		dOut, w := d[0], d[1]
		cols := make([]T, l.patch()*spatial)
		for i := range n {
			gemmSlices(true, false, l.patch(), spatial, l.OutC, w, dOut[i*l.Out():(i+1)*l.Out()], cols, 0)
			col2im(cols, l, out[i*l.In():(i+1)*l.In()])
		}
	case gradWeight:
		x, dOut := d[0], d[1]
		cols := make([]T, l.patch()*spatial)
		for i := range n {
			im2col(x[i*l.In():(i+1)*l.In()], l, cols)
			gemmSlices(false, true, l.OutC, l.patch(), spatial, dOut[i*l.Out():(i+1)*l.Out()], cols, out, 1)
		}
	case gradBias:
		for i, v := range d[0] {
			out[(i/spatial)%l.OutC] += v
		}
	}
}
