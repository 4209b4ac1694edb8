package nn

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"latentlab/model/kernel"
	"latentlab/model/nn/op"
)

// Dense is a fully connected layer, act(x·W + b), with W [In, Out] and b
// [Out] named "<Name>.weight" and "<Name>.bias" (W is the transpose of
// torch.nn.Linear.weight). In a training graph it is one fused op whose
// gradient builds only the products a graph needs: gorgonia's own product
// always builds both gradients, which wastes a whole matrix product per
// first layer (the gradient with respect to the images) and, in the GAN's
// generator step, the discriminator's weight gradients.
type Dense struct {
	Label   string
	Inputs  int
	Outputs int
	Act     Activation
}

var (
	_ Layer    = Dense{}
	_ Finisher = Dense{}
	_ Halver   = Dense{}
	_ Backer   = Dense{}
)

// Name returns the layer's name, the prefix of its parameter names.
func (l Dense) Name() string { return l.Label }

// In returns the width of an input row.
func (l Dense) In() int { return l.Inputs }

// Out returns the width of an output row.
func (l Dense) Out() int { return l.Outputs }

// Params returns the weight (decayed) and the bias, both initialised as
// PyTorch's nn.Linear does: U(-1/sqrt(In), 1/sqrt(In)).
func (l Dense) Params() []Param {
	init := Uniform(1 / math.Sqrt(float64(l.Inputs)))
	return []Param{
		{Name: l.Label + ".weight", Shape: []int{l.Inputs, l.Outputs}, Init: init, Decay: true, TorchTransposed: true},
		{Name: l.Label + ".bias", Shape: []int{l.Outputs}, Init: init},
	}
}

// Apply adds act(x·W + b), times mask if it is not nil, to g as one op.
func (l Dense) Apply(g *Graph, x *G.Node, needs GradNeeds, mask *G.Node) *G.Node {
	slope := float64(l.Act)
	signature := op.Sig(2, 2, 2, 1)
	in := G.Nodes{x, g.Param(l.Label + ".weight"), g.Param(l.Label + ".bias")}
	if mask != nil {
		signature.In = append(signature.In, 2)
		in = append(in, mask)
	}
	op := denseOp{op.NewBase(fmt.Sprintf("Dense(%g,%t,%t,%t)", slope, needs.Input, needs.Weights, mask != nil), signature),
		slope, needs, mask != nil}
	return G.Must(G.ApplyOp(op, in...))
}

// Forward sets y = act(x·W + b) for the n rows x. One row goes through
// kernel.Dense on the calling goroutine's thread, bias and activation in
// the same pass; it skips the rows of W that zero inputs (after a ReLU,
// about half) would multiply, so a single decode, the UI's, neither waits
// for OpenBLAS's thread pool, which training shares, nor reads more of W
// than it needs. More rows go through the installed sgemm, then the bias
// and activation.
func (l Dense) Forward(w [][]float32, y, x []float32, n int, _ *[]float32) {
	if n == 1 {
		kernel.Dense(y, x, w[0], w[1], true, float32(l.Act))
		return
	}
	l.product(w, y, x, n)
	kernel.BiasActRows(y, n, l.Outputs, w[1], float32(l.Act))
}

// product sets y = x·W (no bias) for the n rows x.
func (l Dense) product(w [][]float32, y, x []float32, n int) {
	if n == 1 {
		kernel.Dense(y, x, w[0], nil, false, 0)
		return
	}
	blas32.Gemm(blas.NoTrans, blas.NoTrans, 1,
		blas32.General{Rows: n, Cols: l.Inputs, Stride: l.Inputs, Data: x},
		blas32.General{Rows: l.Inputs, Cols: l.Outputs, Stride: l.Outputs, Data: w[0]}, 0,
		blas32.General{Rows: n, Cols: l.Outputs, Stride: l.Outputs, Data: y})
}

// Back sets dx = (dy ⊙ act'(y)) · Wᵀ for the n rows, overwriting dy.
func (l Dense) Back(w [][]float32, dx, dy, y []float32, n int, _ *[]float32) {
	l.Act.Back(dy, y)
	blas32.Gemm(blas.NoTrans, blas.Trans, 1,
		blas32.General{Rows: n, Cols: l.Outputs, Stride: l.Outputs, Data: dy},
		blas32.General{Rows: l.Inputs, Cols: l.Outputs, Stride: l.Outputs, Data: w[0]}, 0,
		blas32.General{Rows: n, Cols: l.Inputs, Stride: l.Inputs, Data: dx})
}

// Finish writes x·W + b for the n rows x to dst in float64, the bias added
// in float64, through the sigmoid if sigmoid is set. A layer with a
// non-linear activation goes through Forward instead.
func (l Dense) Finish(w [][]float32, dst []float64, x []float32, n int, sigmoid bool, tmp *[]float32) {
	*tmp = Grow(*tmp, n*l.Outputs)
	if l.Act != Linear {
		l.Forward(w, *tmp, x, n, nil)
		to64(dst, *tmp, sigmoid)
		return
	}
	l.product(w, *tmp, x, n)
	if sigmoid {
		kernel.BiasSigmoid64(dst, *tmp, n, l.Outputs, w[1])
	} else {
		kernel.Bias64(dst, *tmp, n, l.Outputs, w[1])
	}
}

// Half returns the layer with W rounded to half precision (W divided by a
// power of two, kernel.HalfScale), or nil where the CPU lacks the loops.
func (l Dense) Half(w [][]float32) Half {
	if !kernel.HalfSupported() {
		return nil
	}
	scale := kernel.HalfScale(kernel.MaxAbs(w[0]))
	h := make([]uint16, len(w[0]))
	kernel.ToHalf(h, w[0], 1/scale)
	return halfDense{layer: l, w: h, scale: scale, b: w[1]}
}

// halfDense is a Dense layer with its weights in half precision.
type halfDense struct {
	layer Dense
	w     []uint16
	scale float32
	b     []float32
}

// Forward sets y = act(x·W + b) for one row.
func (h halfDense) Forward(y, x []float32) {
	kernel.DenseHalf(y, x, h.w, h.scale, h.b, true, float32(h.layer.Act))
}

// Finish writes sigmoid(x·W + b) for one row to dst (the layer must be
// linear).
func (h halfDense) Finish(dst []float64, x []float32, tmp *[]float32) {
	*tmp = Grow(*tmp, h.layer.Outputs)
	kernel.DenseHalf(*tmp, x, h.w, h.scale, nil, false, 0)
	kernel.BiasSigmoid64(dst, *tmp, 1, h.layer.Outputs, h.b)
}

// denseOp computes act(x·W + b) with act(v) = v for v > 0, slope*v
// otherwise, and with masked, times an inverted-dropout mask (a fourth
// input of entries 0 or 1/(1-p)).
type denseOp struct {
	op.Base
	slope  float64
	needs  GradNeeds
	masked bool
}

func (o denseOp) DiffWRT(int) []bool {
	return []bool{o.needs.Input, o.needs.Weights, o.needs.Weights, false}[:o.Arity()]
}

func (o denseOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	ranks := o.Inputs()
	s, err := op.Shapes(o.String(), in, ranks...)
	if err != nil {
		return nil, err
	}
	out := tensor.Shape{s[0][0], s[1][1]}
	if s[0][1] != s[1][0] || s[1][1] != s[2][0] || (o.masked && !s[3].Eq(out)) {
		return nil, fmt.Errorf("%s: x %v, W %v, b %v, mask %v", o, s[0], s[1], s[2], s[3:])
	}
	return out, nil
}

func (o denseOp) Do(vs ...G.Value) (G.Value, error) {
	ts, err := op.Denses(o.String(), vs, o.Arity())
	if err != nil {
		return nil, err
	}
	return o.DoWith(o, ts[0].Dtype(), tensor.Shape{ts[0].Shape()[0], ts[1].Shape()[1]}, vs)
}

func (o denseOp) UsePreallocDo(prealloc G.Value, vs ...G.Value) (G.Value, error) {
	ts, err := op.Denses(o.String(), vs, o.Arity())
	if err != nil {
		return nil, err
	}
	x, w, b := ts[0], ts[1], ts[2]
	var mask *tensor.Dense
	if o.masked {
		mask = ts[3]
	}
	rows, cols := x.Shape()[0], w.Shape()[1]
	out, err := op.Target(o.String(), prealloc, x.Dtype(), rows, cols)
	if err != nil {
		return nil, err
	}
	if err := gemm(false, false, x, w, out); err != nil {
		return nil, err
	}
	switch od := out.Data().(type) {
	case []float32:
		var md []float32
		if mask != nil {
			md = mask.Data().([]float32)
		}
		kernel.BiasAct(od, b.Data().([]float32), md, rows, cols, float32(o.slope), od)
	case []float64:
		bd := b.Data().([]float64)
		var md []float64
		if mask != nil {
			md = mask.Data().([]float64)
		}
		for i, v := range od {
			v += bd[i%cols]
			if v <= 0 {
				v *= o.slope
			}
			if md != nil {
				v *= md[i]
			}
			od[i] = v
		}
	}
	return out, nil
}

// SymDiff returns the gradients the layer was built to need (nil for the
// others): with d = grad through the activation, dx = d·Wᵀ, dW = xᵀ·d and
// db = the column sums of d.
func (o denseOp) SymDiff(in G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	d := grad
	if o.slope != 1 || o.masked {
		var mask *G.Node
		if o.masked {
			mask = in[3]
		}
		var err error
		if d, err = ActGrad(output, grad, mask, o.slope); err != nil {
			return nil, err
		}
	}
	out := make(G.Nodes, o.Arity())
	var err error
	if o.needs.Input {
		if out[0], err = G.ApplyOp(newGemmOp(false, true), d, in[1]); err != nil {
			return nil, err
		}
	}
	if o.needs.Weights {
		if out[1], err = G.ApplyOp(newGemmOp(true, false), in[0], d); err != nil {
			return nil, err
		}
		if out[2], err = G.ApplyOp(colSumsOp{op.NewBase("ColSums", op.Sig(1, 2))}, d); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// ActGrad returns the gradient through a layer's activation of negative
// slope and, when mask is not nil, its dropout mask, from the layer's output
// and the gradient with respect to it: grad * mask where output > 0, slope
// * grad * mask elsewhere. The layer kinds' gradients start with it.
func ActGrad(output, grad, mask *G.Node, slope float64) (*G.Node, error) {
	signature, args := op.Sig(2, 2, 2), G.Nodes{output, grad}
	if mask != nil {
		signature.In, args = append(signature.In, 2), append(args, mask)
	}
	o := actGradOp{op.NewBase(fmt.Sprintf("ActGrad(%g,%t)", slope, mask != nil), signature), slope, mask != nil}
	return G.ApplyOp(o, args...)
}

// actGradOp is the gradient through a layer's activation and mask: its
// inputs are the layer's output, the gradient with respect to it and, when
// masked, the mask.
type actGradOp struct {
	op.Base
	slope  float64
	masked bool
}

func (o actGradOp) Do(vs ...G.Value) (G.Value, error) { return o.DoLikeFirst(o, vs) }

func (o actGradOp) UsePreallocDo(prealloc G.Value, vs ...G.Value) (G.Value, error) {
	ts, err := op.Denses(o.String(), vs, o.Arity())
	if err != nil {
		return nil, err
	}
	out, err := op.Target(o.String(), prealloc, ts[0].Dtype(), ts[0].Shape()...)
	if err != nil {
		return nil, err
	}
	switch od := ts[0].Data().(type) {
	case []float32:
		var md []float32
		if o.masked {
			md = ts[2].Data().([]float32)
		}
		kernel.ActGrad(od, ts[1].Data().([]float32), md, float32(o.slope), out.Data().([]float32))
	case []float64:
		gd, dx := ts[1].Data().([]float64), out.Data().([]float64)
		var md []float64
		if o.masked {
			md = ts[2].Data().([]float64)
		}
		for i, v := range od {
			dx[i] = gd[i]
			if v <= 0 {
				dx[i] *= o.slope
			}
			if md != nil {
				dx[i] *= md[i]
			}
		}
	default:
		return nil, op.ErrDtype
	}
	return out, nil
}

// colSumsOp sums a matrix over its rows: the gradient of a broadcast bias.
type colSumsOp struct{ op.Base }

func (o colSumsOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s, err := op.Shapes(o.String(), in, 2)
	if err != nil {
		return nil, err
	}
	return tensor.Shape{s[0][1]}, nil
}

func (o colSumsOp) Do(vs ...G.Value) (G.Value, error) {
	ts, err := op.Denses(o.String(), vs, 1)
	if err != nil {
		return nil, err
	}
	return o.DoWith(o, ts[0].Dtype(), tensor.Shape{ts[0].Shape()[1]}, vs)
}

func (o colSumsOp) UsePreallocDo(prealloc G.Value, vs ...G.Value) (G.Value, error) {
	ts, err := op.Denses(o.String(), vs, 1)
	if err != nil {
		return nil, err
	}
	rows, cols := ts[0].Shape()[0], ts[0].Shape()[1]
	out, err := op.Target(o.String(), prealloc, ts[0].Dtype(), cols)
	if err != nil {
		return nil, err
	}
	switch xd := ts[0].Data().(type) {
	case []float32:
		kernel.ColSums(xd, rows, cols, out.Data().([]float32))
	case []float64:
		od := out.Data().([]float64)
		clear(od)
		for i, v := range xd {
			od[i%cols] += v
		}
	default:
		return nil, op.ErrDtype
	}
	return out, nil
}
