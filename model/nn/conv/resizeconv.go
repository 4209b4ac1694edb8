package conv

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"latentlab/model/nn"
	"latentlab/model/nn/op"
)

// ResizeConv2D doubles an image's sides by nearest-neighbour resizing and
// then convolves it with a 3x3 kernel, padding 1: the resize-then-convolve
// up-sampling of Odena et al. (2016), "Deconvolution and checkerboard
// artifacts", as torch.nn.Upsample(scale_factor=2) followed by
// torch.nn.Conv2d(InC, OutC, 3, padding=1). Its parameters are that
// convolution's, W [OutC, InC, 3, 3] and b [OutC], named "<Name>.weight"
// and "<Name>.bias".
//
// It runs as the one 4x4 stride-2 transposed convolution (padding 1) the
// two are equal to. Along each side, the output pixel 2i reads input
// pixels i-1 (kernel tap 0) and i (taps 1 and 2), and 2i+1 reads i (taps 0
// and 1) and i+1 (tap 2), so the transposed kernel's four taps are the 3x3
// kernel's taps summed as expandTaps says. That costs 16 products per
// input pixel against the 36 of convolving the resized image, and no
// resized image is ever written.
type ResizeConv2D struct {
	Label     string
	InC, H, W int // input channels, height and width
	OutC      int // output channels
	Act       nn.Activation
}

var (
	_ nn.Layer  = ResizeConv2D{}
	_ nn.Backer = ResizeConv2D{}
	_ nn.Binder = ResizeConv2D{}
)

// expandTaps lists, for each of the transposed kernel's four taps along
// one side, the 3x3 kernel's taps it sums (see ResizeConv2D).
var expandTaps = [4][]int{{2}, {1, 2}, {0, 1}, {0}}

// Name returns the layer's name, the prefix of its parameter names.
func (l ResizeConv2D) Name() string { return l.Label }

// In returns the width of an input row, InC*H*W.
func (l ResizeConv2D) In() int { return l.InC * l.H * l.W }

// Out returns the width of an output row, OutC*2H*2W.
func (l ResizeConv2D) Out() int { return 4 * l.OutC * l.H * l.W }

// convolution is the 3x3 convolution of the resized image, whose
// parameters l has.
func (l ResizeConv2D) convolution() Conv2D {
	return Conv2D{Label: l.Label, InC: l.InC, H: 2 * l.H, W: 2 * l.W, OutC: l.OutC, K: 3, Stride: 1, Pad: 1, Act: l.Act}
}

// transposed is the transposed convolution l runs as, with the kernel
// expandKernel makes.
func (l ResizeConv2D) transposed() ConvTranspose2D {
	return ConvTranspose2D{Label: l.Label, InC: l.InC, H: l.H, W: l.W, OutC: l.OutC, K: 4, Stride: 2, Pad: 1, Act: l.Act}
}

// Params returns the 3x3 convolution's kernel (decayed) and bias,
// initialised as torch.nn.Conv2d initialises them.
func (l ResizeConv2D) Params() []nn.Param { return l.convolution().Params() }

// Apply adds act(conv(resize(x)) + b), times mask if it is not nil, to g:
// the kernel's expansion, then the transposed convolution as one op.
func (l ResizeConv2D) Apply(g *nn.Graph, x *G.Node, needs nn.GradNeeds, mask *G.Node) *G.Node {
	expand := kernelOp{op.NewBase(fmt.Sprintf("ExpandKernel(%+v)", l), op.Sig(4, 4)), l, true}
	in := G.Nodes{x, G.Must(G.ApplyOp(expand, g.Param(l.Label+".weight"))), g.Param(l.Label + ".bias")}
	if mask != nil {
		in = append(in, mask)
	}
	return applyConv(g, fmt.Sprintf("ResizeConv2D(%+v)", l), l.transposed().adjoint(), true, in, needs, mask != nil)
}

// Bind returns the transposed convolution's kernel and the bias, the
// weights Forward and Back take, from the parameters' values w.
func (l ResizeConv2D) Bind(w [][]float32) [][]float32 {
	k := make([]float32, 16*l.InC*l.OutC)
	expandKernel(l.InC, l.OutC, w[0], k)
	return [][]float32{k, w[1]}
}

// Forward sets y = act(conv(resize(x)) + b) for the n images x, with w
// from Bind.
func (l ResizeConv2D) Forward(w [][]float32, y, x []float32, n int, tmp *[]float32) {
	l.transposed().Forward(w, y, x, n, tmp)
}

// Back sets dx to the gradient for the n images of dy ⊙ act'(y), with w
// from Bind, overwriting dy.
func (l ResizeConv2D) Back(w [][]float32, dx, dy, y []float32, n int, tmp *[]float32) {
	l.transposed().Back(w, dx, dy, y, n, tmp)
}

// expandKernel sets k4 ([inC, outC, 4, 4], the transposed convolution's)
// from the 3x3 kernel k3 ([outC, inC, 3, 3]), summing its taps as
// expandTaps says along each side.
func expandKernel[T op.Float](inC, outC int, k3, k4 []T) {
	for o := range outC {
		for c := range inC {
			src, dst := k3[(o*inC+c)*9:][:9], k4[(c*outC+o)*16:][:16]
			var rows [4][3]T // the taps summed along the height
			for t, us := range expandTaps {
				for _, u := range us {
					for v := range 3 {
						rows[t][v] += src[u*3+v]
					}
				}
			}
			for t := range 4 {
				for s, vs := range expandTaps {
					var sum T
					for _, v := range vs {
						sum += rows[t][v]
					}
					dst[t*4+s] = sum
				}
			}
		}
	}
}

// contractKernel sets k3 ([outC, inC, 3, 3]) to the gradient of a
// function of expandKernel's k4 with respect to its k3, given the gradient
// d4 with respect to k4: expandKernel's transpose, each 3x3 tap the sum of
// the transposed taps it feeds.
func contractKernel[T op.Float](inC, outC int, d4, k3 []T) {
	for o := range outC {
		for c := range inC {
			src, dst := d4[(c*outC+o)*16:][:16], k3[(o*inC+c)*9:][:9]
			var rows [4][3]T
			for t := range 4 {
				for s, vs := range expandTaps {
					for _, v := range vs {
						rows[t][v] += src[t*4+s]
					}
				}
			}
			clear(dst)
			for t, us := range expandTaps {
				for _, u := range us {
					for v := range 3 {
						dst[u*3+v] += rows[t][v]
					}
				}
			}
		}
	}
}

// kernelOp is expandKernel in a training graph, or when !expand its
// transpose contractKernel, the expansion's gradient.
type kernelOp struct {
	op.Base
	l      ResizeConv2D
	expand bool
}

func (o kernelOp) DiffWRT(int) []bool { return []bool{o.expand} }

// shapes returns the op's input and output shapes: the 3x3 kernel's and
// the transposed kernel's, the other way round for the contraction.
func (o kernelOp) shapes() (in, out tensor.Shape) {
	k3, k4 := tensor.Shape{o.l.OutC, o.l.InC, 3, 3}, tensor.Shape{o.l.InC, o.l.OutC, 4, 4}
	if o.expand {
		return k3, k4
	}
	return k4, k3
}

// outShape is the op's output shape, whatever its input.
func (o kernelOp) outShape([]*tensor.Dense) tensor.Shape {
	_, out := o.shapes()
	return out
}

func (o kernelOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s, err := op.Shapes(o.String(), in, 4)
	if err != nil {
		return nil, err
	}
	want, out := o.shapes()
	if !s[0].Eq(want) {
		return nil, fmt.Errorf("%s: kernel %v, want %v", o, s[0], want)
	}
	return out, nil
}

func (o kernelOp) Do(vs ...G.Value) (G.Value, error) { return o.DoShaped(o, vs, o.outShape) }

func (o kernelOp) UsePreallocDo(prealloc G.Value, vs ...G.Value) (G.Value, error) {
	return o.Run(prealloc, vs, o.outShape,
		func(d [][]float32) { runKernelOp(o, d[0], d[1]) },
		func(d [][]float64) { runKernelOp(o, d[0], d[1]) })
}

// runKernelOp sets out to o's output for the kernel in.
func runKernelOp[T op.Float](o kernelOp, in, out []T) {
	if o.expand {
		expandKernel(o.l.InC, o.l.OutC, in, out)
	} else {
		contractKernel(o.l.InC, o.l.OutC, in, out)
	}
}

// SymDiff: the gradient with respect to the 3x3 kernel is the transpose of
// the expansion applied to the transposed kernel's gradient.
func (o kernelOp) SymDiff(_ G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	contract := kernelOp{op.NewBase(fmt.Sprintf("ContractKernel(%+v)", o.l), op.Sig(4, 4)), o.l, false}
	d, err := G.ApplyOp(contract, grad)
	return G.Nodes{d}, err
}
