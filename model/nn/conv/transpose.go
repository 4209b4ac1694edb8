package conv

import (
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"

	"latentlab/model/nn"
)

// ConvTranspose2D is a 2-D transposed convolution, act(Wᵀ * x + b): the
// adjoint of the convolution that maps its output back to its input
// (Dumoulin & Visin 2016, "A guide to convolution arithmetic for deep
// learning", section 4). With a 4x4 kernel and stride 2 it doubles an
// image's sides and learns its own up-sampling, as DCGAN's generator does
// (Radford et al. 2016). Images are stored one per row as [channels,
// height, width]; the kernel W is [InC, OutC, K, K] and the bias b
// [OutC], named "<Name>.weight" and "<Name>.bias" in PyTorch's own layout
// (that of torch.nn.ConvTranspose2d). The output is (H-1) Stride - 2 Pad
// + K high, and as wide by the same rule. It runs as the shifted products
// of Conv2D with input and output swapped.
type ConvTranspose2D struct {
	Label       string
	InC, H, W   int // input channels, height and width
	OutC, K     int // output channels, kernel size (K x K)
	Stride, Pad int
	Act         nn.Activation
}

var (
	_ nn.Layer  = ConvTranspose2D{}
	_ nn.Backer = ConvTranspose2D{}
)

// Name returns the layer's name, the prefix of its parameter names.
func (l ConvTranspose2D) Name() string { return l.Label }

// OutH is the output's height, (H - 1) Stride - 2 Pad + K.
func (l ConvTranspose2D) OutH() int { return (l.H-1)*l.Stride - 2*l.Pad + l.K }

// OutW is the output's width, (W - 1) Stride - 2 Pad + K.
func (l ConvTranspose2D) OutW() int { return (l.W-1)*l.Stride - 2*l.Pad + l.K }

// In returns the width of an input row, InC*H*W.
func (l ConvTranspose2D) In() int { return l.InC * l.H * l.W }

// Out returns the width of an output row, OutC*OutH*OutW.
func (l ConvTranspose2D) Out() int { return l.OutC * l.OutH() * l.OutW() }

// adjoint returns the convolution whose transpose l is: from l's output
// back to its input, with l's kernel as its own ([InC, OutC, K, K] is
// Conv2D's [out, in, K, K] from l's output's channels to its input's).
func (l ConvTranspose2D) adjoint() Conv2D {
	return Conv2D{Label: l.Label, InC: l.OutC, H: l.OutH(), W: l.OutW(), OutC: l.InC, K: l.K,
		Stride: l.Stride, Pad: l.Pad, Act: l.Act}
}

// Params returns the kernel (decayed) and the bias, both initialised as
// PyTorch's nn.ConvTranspose2d does: U(-1/sqrt(fan_in), 1/sqrt(fan_in)),
// with fan_in = OutC*K*K (PyTorch reads the fan-in off the kernel's second
// dimension).
func (l ConvTranspose2D) Params() []nn.Param {
	init := nn.Uniform(1 / math.Sqrt(float64(l.OutC*l.K*l.K)))
	return []nn.Param{
		{Name: l.Label + ".weight", Shape: []int{l.InC, l.OutC, l.K, l.K}, Init: init, Decay: true},
		{Name: l.Label + ".bias", Shape: []int{l.OutC}, Init: init},
	}
}

// Apply adds act(Wᵀ * x + b), times mask if it is not nil, to g as one op.
func (l ConvTranspose2D) Apply(g *nn.Graph, x *G.Node, needs nn.GradNeeds, mask *G.Node) *G.Node {
	in := G.Nodes{x, g.Param(l.Label + ".weight"), g.Param(l.Label + ".bias")}
	if mask != nil {
		in = append(in, mask)
	}
	return applyConv(g, fmt.Sprintf("ConvTranspose2D(%+v)", l), l.adjoint(), true, in, needs, mask != nil)
}

// Forward sets y = act(Wᵀ * x + b) for the n images x, with its scratch
// buffers carved out of *tmp.
func (l ConvTranspose2D) Forward(w [][]float32, y, x []float32, n int, tmp *[]float32) {
	c := l.adjoint()
	shiftGradInput(c, c.scratch(n, tmp), x, w[0], y, n)
	biasAct(y, w[1], nil, l.OutH()*l.OutW(), float32(l.Act))
}

// Back sets dx to the gradient for the n images of dy ⊙ act'(y) through
// the transposed convolution (the convolution itself), overwriting dy.
func (l ConvTranspose2D) Back(w [][]float32, dx, dy, y []float32, n int, tmp *[]float32) {
	l.Act.Back(dy, y)
	c := l.adjoint()
	shiftProduct(c, c.scratch(n, tmp), w[0], dy, dx, n)
}
