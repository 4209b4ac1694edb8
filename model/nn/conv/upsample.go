package conv

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"latentlab/model/nn"
	"latentlab/model/nn/op"
)

// Upsample doubles the height and width of images stored one per row as
// [channels, height, width], repeating each pixel over a 2x2 block
// (nearest neighbour). Followed by a Conv2D it is the resize-then-convolve
// up-sampling of Odena et al. (2016), "Deconvolution and checkerboard
// artifacts", an alternative to a transposed convolution. It has no
// parameters.
type Upsample struct {
	Label   string
	C, H, W int // channels, input height and width
}

var (
	_ nn.Layer  = Upsample{}
	_ nn.Backer = Upsample{}
)

// Name returns the layer's name.
func (l Upsample) Name() string { return l.Label }

// In returns the width of an input row, C*H*W.
func (l Upsample) In() int { return l.C * l.H * l.W }

// Out returns the width of an output row, C*2H*2W.
func (l Upsample) Out() int { return 4 * l.In() }

// Params returns none.
func (l Upsample) Params() []nn.Param { return nil }

// Apply adds the up-sampling to g, times mask if it is not nil.
func (l Upsample) Apply(g *nn.Graph, x *G.Node, needs nn.GradNeeds, mask *G.Node) *G.Node {
	signature := op.Sig(2, 2)
	in := G.Nodes{x}
	if mask != nil {
		signature.In = append(signature.In, 2)
		in = append(in, mask)
	}
	o := upsampleOp{op.NewBase(fmt.Sprintf("Upsample(%+v,%t,%t)", l, needs.Input, mask != nil), signature), l, needs.Input, mask != nil}
	return G.Must(G.ApplyOp(o, in...))
}

// Forward sets y to the n images x up-sampled.
func (l Upsample) Forward(_ [][]float32, y, x []float32, n int, _ *[]float32) {
	upsample(l, x, y, nil, n)
}

// Back sets dx to the sums of dy over each 2x2 block, the transpose of
// the resize.
func (l Upsample) Back(_ [][]float32, dx, dy, _ []float32, n int, _ *[]float32) {
	upsampleGrad(l, dy, nil, dx, n)
}

// upsample sets y to the n images x up-sampled, times mask if it is not
// nil.
func upsample[T op.Float](l Upsample, x, y, mask []T, n int) {
	hw := l.H * l.W
	op.Parallel(n*l.C, 4*hw, func(lo, hi int) {
		for p := lo; p < hi; p++ { // one plane of one image at a time
			src, dst := x[p*hw:][:hw], y[p*4*hw:][:4*hw]
			for i := range l.H {
				top, bottom := dst[2*i*2*l.W:][:2*l.W], dst[(2*i+1)*2*l.W:][:2*l.W]
				for j, v := range src[i*l.W:][:l.W] {
					top[2*j], top[2*j+1] = v, v
				}
				copy(bottom, top)
			}
			if mask != nil {
				for i, m := range mask[p*4*hw:][:4*hw] {
					dst[i] *= m
				}
			}
		}
	})
}

// upsampleOp is Upsample in a training graph.
type upsampleOp struct {
	op.Base
	l      Upsample
	needs  bool // the gradient with respect to x
	masked bool
}

func (o upsampleOp) DiffWRT(int) []bool { return []bool{o.needs, false}[:o.Arity()] }

func (o upsampleOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s, err := op.Shapes(o.String(), in, o.Inputs()...)
	if err != nil {
		return nil, err
	}
	out := tensor.Shape{s[0][0], o.l.Out()}
	if s[0][1] != o.l.In() || (o.masked && !s[1].Eq(out)) {
		return nil, fmt.Errorf("%s: x %v, mask %v", o, s[0], s[1:])
	}
	return out, nil
}

// outShape is the output's shape for the inputs ts.
func (o upsampleOp) outShape(ts []*tensor.Dense) tensor.Shape {
	return tensor.Shape{ts[0].Shape()[0], o.l.Out()}
}

func (o upsampleOp) Do(vs ...G.Value) (G.Value, error) { return o.DoShaped(o, vs, o.outShape) }

func (o upsampleOp) UsePreallocDo(prealloc G.Value, vs ...G.Value) (G.Value, error) {
	n := vs[0].Shape()[0]
	return o.Run(prealloc, vs, o.outShape,
		func(d [][]float32) { upsample(o.l, d[0], d[len(d)-1], masks(d, o.masked), n) },
		func(d [][]float64) { upsample(o.l, d[0], d[len(d)-1], masks(d, o.masked), n) })
}

// masks returns the mask among an op's data d (inputs, then the output):
// the second input when masked.
func masks[T op.Float](d [][]T, masked bool) []T {
	if masked {
		return d[1]
	}
	return nil
}

// SymDiff: each input pixel's gradient is the sum of the (masked)
// gradients of the 2x2 block it was copied to.
func (o upsampleOp) SymDiff(in G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	out := make(G.Nodes, o.Arity())
	if !o.needs {
		return out, nil
	}
	signature, args := op.Sig(2, 2), G.Nodes{grad}
	if o.masked {
		signature.In, args = append(signature.In, 2), append(args, in[1])
	}
	d, err := G.ApplyOp(upsampleGradOp{op.NewBase(fmt.Sprintf("UpsampleGrad(%+v,%t)", o.l, o.masked), signature), o.l, o.masked}, args...)
	out[0] = d
	return out, err
}

// upsampleGradOp sums the gradient over each 2x2 block, from (g[, mask]).
type upsampleGradOp struct {
	op.Base
	l      Upsample
	masked bool
}

func (o upsampleGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s, err := op.Shapes(o.String(), in, o.Inputs()...)
	if err != nil {
		return nil, err
	}
	return tensor.Shape{s[0][0], o.l.In()}, nil
}

// outShape is the output's shape for the inputs ts.
func (o upsampleGradOp) outShape(ts []*tensor.Dense) tensor.Shape {
	return tensor.Shape{ts[0].Shape()[0], o.l.In()}
}

func (o upsampleGradOp) Do(vs ...G.Value) (G.Value, error) { return o.DoShaped(o, vs, o.outShape) }

func (o upsampleGradOp) UsePreallocDo(prealloc G.Value, vs ...G.Value) (G.Value, error) {
	n := vs[0].Shape()[0]
	return o.Run(prealloc, vs, o.outShape,
		func(d [][]float32) { upsampleGrad(o.l, d[0], masks(d, o.masked), d[len(d)-1], n) },
		func(d [][]float64) { upsampleGrad(o.l, d[0], masks(d, o.masked), d[len(d)-1], n) })
}

// upsampleGrad sets dx to the sums of g (times mask) over each 2x2 block.
func upsampleGrad[T op.Float](l Upsample, g, mask, dx []T, n int) {
	hw, w2 := l.H*l.W, 2*l.W
	op.Parallel(n*l.C, 4*hw, func(lo, hi int) {
		for p := lo; p < hi; p++ {
			src, dst := g[p*4*hw:][:4*hw], dx[p*hw:][:hw]
			var m []T
			if mask != nil {
				m = mask[p*4*hw:][:4*hw]
			}
			clear(dst)
			for i := range 2 * l.H {
				for j := range w2 {
					v := src[i*w2+j]
					if m != nil {
						v *= m[i*w2+j]
					}
					dst[(i/2)*l.W+j/2] += v
				}
			}
		}
	})
}
