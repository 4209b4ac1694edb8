package conv

import (
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"latentlab/model/nn"
	"latentlab/model/nn/op"
)

// BatchNorm normalises each channel of images stored one per row as
// [channels, spatial] (Ioffe & Szegedy 2015), then applies the activation:
// act(gamma (x - mean) / sqrt(var + eps) + beta). Training graphs use the
// batch's statistics over its real rows (the graph's row weights leave the
// padding out) and update the running ones, as PyTorch's nn.BatchNorm2d
// does: running = (1 - momentum) running + momentum batch, with the
// unbiased variance. Snapshots use the running statistics. The names are
// PyTorch's: "<Name>.weight" (gamma), ".bias" (beta), ".running_mean",
// ".running_var".
type BatchNorm struct {
	Label      string
	C, Spatial int // channels, and values per channel of one row (1 after a dense layer)
	Act        nn.Activation
}

// The constants of BatchNorm, PyTorch's defaults.
const (
	BatchNormEps      = 1e-5
	BatchNormMomentum = 0.1
)

var (
	_ nn.Layer        = BatchNorm{}
	_ nn.Backer       = BatchNorm{}
	_ nn.Recalibrator = BatchNorm{}
)

// Name returns the layer's name, the prefix of its parameter names.
func (l BatchNorm) Name() string { return l.Label }

// In returns the width of a row, C*Spatial.
func (l BatchNorm) In() int { return l.C * l.Spatial }

// Out returns the width of a row, C*Spatial.
func (l BatchNorm) Out() int { return l.In() }

// Params returns gamma (1), beta (0), and the running mean (0) and variance
// (1), which are buffers.
func (l BatchNorm) Params() []nn.Param {
	c := []int{l.C}
	return []nn.Param{
		{Name: l.Label + ".weight", Shape: c, Init: nn.Const(1)},
		{Name: l.Label + ".bias", Shape: c, Init: nn.Const(0)},
		{Name: l.Label + ".running_mean", Shape: c, Init: nn.Const(0), Buffer: true},
		{Name: l.Label + ".running_var", Shape: c, Init: nn.Const(1), Buffer: true},
	}
}

// Apply adds the normalisation with the batch's statistics to g, updating
// the running statistics on every run, times mask if it is not nil.
func (l BatchNorm) Apply(g *nn.Graph, x *G.Node, needs nn.GradNeeds, mask *G.Node) *G.Node {
	if g.RowWeights == nil {
		panic("nn: BatchNorm needs the graph's row weights")
	}
	signature := op.Sig(2, 2, 1, 1, 1)
	in := G.Nodes{x, g.Param(l.Label + ".weight"), g.Param(l.Label + ".bias"), g.RowWeights}
	if mask != nil {
		signature.In = append(signature.In, 2)
		in = append(in, mask)
	}
	o := bnOp{Base: op.NewBase(fmt.Sprintf("BatchNorm(%+v,%t,%t,%t)", l, needs.Input, needs.Weights, mask != nil), signature),
		l: l, needs: needs, masked: mask != nil,
		mean: g.Params.Tensor(l.Label + ".running_mean"), variance: g.Params.Tensor(l.Label + ".running_var")}
	return G.Must(G.ApplyOp(o, in...))
}

// Forward normalises the n rows x with the running statistics, one plane
// (a row's channel) at a time.
func (l BatchNorm) Forward(w [][]float32, y, x []float32, n int, _ *[]float32) {
	gamma, beta, mean, variance := w[0], w[1], w[2], w[3]
	slope := float32(l.Act)
	op.Parallel(n*l.C, l.Spatial, func(lo, hi int) {
		for p := lo; p < hi; p++ {
			c := p % l.C
			sigma := float32(math.Sqrt(float64(variance[c]) + BatchNormEps))
			dst := y[p*l.Spatial:][:l.Spatial]
			for i, v := range x[p*l.Spatial:][:l.Spatial] {
				u := gamma[c]*(v-mean[c])/sigma + beta[c]
				dst[i] = max(u, slope*u) // slope <= 1
			}
		}
	})
}

// Back sets dx to the gradient through the running statistics'
// normalisation, dy ⊙ act'(y) gamma / sqrt(var + eps) per channel,
// overwriting dy.
func (l BatchNorm) Back(w [][]float32, dx, dy, y []float32, n int, _ *[]float32) {
	gamma, variance := w[0], w[3]
	l.Act.Back(dy, y)
	op.Parallel(n*l.C, l.Spatial, func(lo, hi int) {
		for p := lo; p < hi; p++ {
			c := p % l.C
			scale := gamma[c] / float32(math.Sqrt(float64(variance[c])+BatchNormEps))
			dst := dx[p*l.Spatial:][:l.Spatial]
			for i, v := range dy[p*l.Spatial:][:l.Spatial] {
				dst[i] = v * scale
			}
		}
	})
}

// batchStats returns each channel's mean and biased variance over the real
// rows of x (row weights w: 1/n real, 0 padding), and the number of real
// values per channel. Sums run over each plane (one row's channel) first.
func batchStats[T op.Float](l BatchNorm, x, w []T) (mean, variance []float64, count float64) {
	mean, variance = make([]float64, l.C), make([]float64, l.C)
	per := float64(l.Spatial)
	rows := len(w)
	sums := make([]T, rows*l.C) // one per plane, summed in parallel
	op.Parallel(rows*l.C, l.Spatial, func(lo, hi int) {
		for p := lo; p < hi; p++ {
			var sum T
			for _, v := range x[p*l.Spatial:][:l.Spatial] {
				sum += v
			}
			sums[p] = sum
		}
	})
	for r := range rows {
		if w[r] == 0 {
			continue
		}
		count += per
		for c := range l.C {
			mean[c] += float64(w[r]) / per * float64(sums[r*l.C+c])
		}
	}
	op.Parallel(rows*l.C, l.Spatial, func(lo, hi int) {
		for p := lo; p < hi; p++ {
			m, sum := T(mean[p%l.C]), T(0)
			for _, v := range x[p*l.Spatial:][:l.Spatial] {
				sum += (v - m) * (v - m)
			}
			sums[p] = sum
		}
	})
	for r := range rows {
		if w[r] == 0 {
			continue
		}
		for c := range l.C {
			variance[c] += float64(w[r]) / per * float64(sums[r*l.C+c])
		}
	}
	return mean, variance, count
}

// bnOp is BatchNorm in a training graph: inputs x, gamma, beta, row
// weights and, when masked, the mask.
type bnOp struct {
	op.Base
	l              BatchNorm
	needs          nn.GradNeeds
	masked         bool
	mean, variance *tensor.Dense // the running statistics, updated on every run
}

func (o bnOp) DiffWRT(int) []bool {
	return []bool{o.needs.Input, o.needs.Weights, o.needs.Weights, false, false}[:o.Arity()]
}

func (o bnOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s, err := op.Shapes(o.String(), in, o.Inputs()...)
	if err != nil {
		return nil, err
	}
	if s[0][1] != o.l.In() || s[1][0] != o.l.C || s[2][0] != o.l.C || s[3][0] != s[0][0] || (o.masked && !s[4].Eq(s[0])) {
		return nil, fmt.Errorf("%s: x %v, gamma %v, beta %v, row weights %v, mask %v", o, s[0], s[1], s[2], s[3], s[4:])
	}
	return s[0].Clone(), nil
}

func (o bnOp) Do(vs ...G.Value) (G.Value, error) { return o.DoLikeFirst(o, vs) }

func (o bnOp) UsePreallocDo(prealloc G.Value, vs ...G.Value) (G.Value, error) {
	same := func(ts []*tensor.Dense) tensor.Shape { return ts[0].Shape().Clone() }
	return o.Run(prealloc, vs, same,
		func(d [][]float32) {
			bnForward(o.l, d, o.masked, o.mean.Data().([]float32), o.variance.Data().([]float32))
		},
		func(d [][]float64) {
			bnForward(o.l, d, o.masked, o.mean.Data().([]float64), o.variance.Data().([]float64))
		})
}

func bnForward[T op.Float](l BatchNorm, d [][]T, masked bool, runMean, runVar []T) {
	x, gamma, beta, w, out := d[0], d[1], d[2], d[3], d[len(d)-1]
	mean, variance, count := batchStats(l, x, w)
	slope := T(l.Act)
	op.Parallel(len(x)/l.Spatial, l.Spatial, func(lo, hi int) {
		for p := lo; p < hi; p++ { // one plane (a row's channel) at a time
			c := p % l.C
			scale := float64(gamma[c]) / math.Sqrt(variance[c]+BatchNormEps)
			a, b := T(scale), T(float64(beta[c])-scale*mean[c])
			src, dst := x[p*l.Spatial:][:l.Spatial], out[p*l.Spatial:][:l.Spatial]
			for i, v := range src {
				u := a*v + b
				dst[i] = max(u, slope*u) // slope <= 1
			}
			if masked {
				for i, m := range d[4][p*l.Spatial:][:l.Spatial] {
					dst[i] *= m
				}
			}
		}
	})
	for c := range l.C {
		unbiased := variance[c]
		if count > 1 {
			unbiased *= count / (count - 1)
		}
		runMean[c] = T((1-BatchNormMomentum)*float64(runMean[c]) + BatchNormMomentum*mean[c])
		runVar[c] = T((1-BatchNormMomentum)*float64(runVar[c]) + BatchNormMomentum*unbiased)
	}
}

// SymDiff: with d the gradient through the activation and mask, xhat the
// normalised input and a the weight of each value in the statistics
// (row weight / Spatial): dbeta = sum d, dgamma = sum d xhat, and
// dx = gamma / sigma (d - a sum d - a xhat sum d xhat) per channel.
func (o bnOp) SymDiff(in G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	d := grad
	if o.l.Act != nn.Linear || o.masked {
		var mask *G.Node
		if o.masked {
			mask = in[4]
		}
		var err error
		if d, err = nn.ActGrad(output, grad, mask, float64(o.l.Act)); err != nil {
			return nil, err
		}
	}
	out := make(G.Nodes, o.Arity())
	grads := []struct {
		at   int
		what int
		rank int
		want bool
	}{{0, gradInput, 2, o.needs.Input}, {1, gradWeight, 1, o.needs.Weights}, {2, gradBias, 1, o.needs.Weights}}
	for _, g := range grads {
		if !g.want {
			continue
		}
		gop := bnGradOp{op.NewBase(fmt.Sprintf("BatchNormGrad(%+v,%d)", o.l, g.what), op.Sig(g.rank, 2, 1, 1, 2)), o.l, g.what}
		var err error
		if out[g.at], err = G.ApplyOp(gop, in[0], in[1], in[3], d); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// bnGradOp is one of bnOp's gradients, from (x, gamma, w, d).
type bnGradOp struct {
	op.Base
	l    BatchNorm
	what int // gradInput, gradWeight (gamma) or gradBias (beta)
}

func (o bnGradOp) shape(x tensor.Shape) tensor.Shape {
	if o.what == gradInput {
		return x.Clone()
	}
	return tensor.Shape{o.l.C}
}

func (o bnGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s, err := op.Shapes(o.String(), in, o.Inputs()...)
	if err != nil {
		return nil, err
	}
	return o.shape(s[0]), nil
}

func (o bnGradOp) outShape(ts []*tensor.Dense) tensor.Shape { return o.shape(ts[0].Shape()) }

func (o bnGradOp) Do(vs ...G.Value) (G.Value, error) { return o.DoShaped(o, vs, o.outShape) }

func (o bnGradOp) UsePreallocDo(prealloc G.Value, vs ...G.Value) (G.Value, error) {
	return o.Run(prealloc, vs, o.outShape, func(d [][]float32) { bnGrad(o.l, o.what, d) }, func(d [][]float64) { bnGrad(o.l, o.what, d) })
}

func bnGrad[T op.Float](l BatchNorm, what int, d [][]T) {
	x, gamma, w, g, out := d[0], d[1], d[2], d[3], d[4]
	mean, variance, _ := batchStats(l, x, w)
	inv := make([]float64, l.C) // 1 / sigma
	for c := range l.C {
		inv[c] = 1 / math.Sqrt(variance[c]+BatchNormEps)
	}
	sumG, sumGX := make([]float64, l.C), make([]float64, l.C)
	planes := len(x) / l.Spatial
	sg, sgx := make([]T, planes), make([]T, planes) // per plane, in parallel
	op.Parallel(planes, l.Spatial, func(lo, hi int) {
		for p := lo; p < hi; p++ {
			c := p % l.C
			m, s := T(mean[c]), T(inv[c])
			var a, b T
			for i, v := range g[p*l.Spatial:][:l.Spatial] {
				a += v
				b += v * (x[p*l.Spatial+i] - m) * s
			}
			sg[p], sgx[p] = a, b
		}
	})
	for p := range planes {
		sumG[p%l.C] += float64(sg[p])
		sumGX[p%l.C] += float64(sgx[p])
	}
	switch what {
	case gradBias:
		for c := range l.C {
			out[c] = T(sumG[c])
		}
	case gradWeight:
		for c := range l.C {
			out[c] = T(sumGX[c])
		}
	default:
		per := float64(l.Spatial)
		op.Parallel(planes, l.Spatial, func(lo, hi int) {
			for p := lo; p < hi; p++ {
				r, c := p/l.C, p%l.C
				a := float64(w[r]) / per
				k := T(float64(gamma[c]) * inv[c])
				m, s, ag, agx := T(mean[c]), T(inv[c]), T(a*sumG[c]), T(a*sumGX[c])
				for i, v := range g[p*l.Spatial:][:l.Spatial] {
					xh := (x[p*l.Spatial+i] - m) * s
					out[p*l.Spatial+i] = k * (v - ag - xh*agx)
				}
			}
		})
	}
}

// NewMoments returns empty moments of the layer's channels.
func (l BatchNorm) NewMoments() *nn.Moments { return nn.NewMoments(l.C) }

// AddMoments adds the n rows of x to m, one plane (a row's channel) at a
// time.
func (l BatchNorm) AddMoments(m *nn.Moments, x []float32, n int) {
	for p := range n * l.C {
		m.Add(p%l.C, x[p*l.Spatial:][:l.Spatial])
	}
}

// SetStatistics sets the running mean and variance in w to m's.
func (l BatchNorm) SetStatistics(w [][]float32, m *nn.Moments) {
	for c := range l.C {
		w[2][c], w[3][c] = float32(m.Mean(c)), float32(m.Variance(c))
	}
}
