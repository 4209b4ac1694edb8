package model

import (
	"fmt"
	"math"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"latentlab/model/kernel"
)

// The VAE's fused ops: the reparameterisation, the weighted KL term and the
// weighted reconstruction cross-entropy, each one op with its gradients
// instead of a dozen small gorgonia nodes (whose bookkeeping, not their
// arithmetic, was the cost).

// fusedReparam returns z = mu + exp(logvar / 2) * eps.
func fusedReparam(mu, logvar, eps *G.Node) *G.Node {
	return G.Must(G.ApplyOp(reparamOp{newOpBase("Reparam")}, mu, logvar, eps))
}

// fusedWeightedKL returns sum_i w_i KL(N(mu_i, exp(logvar_i)) || N(0, I)),
// with KL = 1/2 sum_j (mu_j^2 + exp(logvar_j) - logvar_j - 1).
func fusedWeightedKL(mu, logvar, w *G.Node) *G.Node {
	return G.Must(G.ApplyOp(weightedKLOp{newOpBase("WeightedKL")}, mu, logvar, w))
}

// fusedWeightedRecon returns sum_i w_i sum_j [softplus(l_ij) - x_ij l_ij]:
// the summed binary cross-entropy of sigmoid(logits) against the images x,
// weighted per row.
func fusedWeightedRecon(logits, x, w *G.Node) *G.Node {
	return G.Must(G.ApplyOp(weightedReconOp{newOpBase("WeightedRecon")}, logits, x, w))
}

// float is the element type of a training graph's tensors.
type float interface{ float32 | float64 }

// slices3 returns the data of three tensors of one dtype as T slices.
func slices3[T float](a, b, c *tensor.Dense) ([]T, []T, []T) {
	return a.Data().([]T), b.Data().([]T), c.Data().([]T)
}

func reparam[T float](mu, lv, eps, z []T) {
	for i := range z {
		z[i] = mu[i] + T(math.Exp(float64(lv[i])/2))*eps[i]
	}
}

func reparamGrad[T float](lv, eps, g, d []T) {
	for i := range d {
		d[i] = g[i] * eps[i] * T(math.Exp(float64(lv[i])/2)) / 2
	}
}

func weightedKL[T float](mu, lv, w []T, cols int) float64 {
	sum := 0.0
	for i := range mu {
		m, l := float64(mu[i]), float64(lv[i])
		sum += float64(w[i/cols]) * (m*m + math.Exp(l) - l - 1) / 2
	}
	return sum
}

func weightedKLGrad[T float](mu, lv, w []T, g float64, cols int, wrtLogvar bool, d []T) {
	for i := range d {
		v := float64(mu[i])
		if wrtLogvar {
			v = (math.Exp(float64(lv[i])) - 1) / 2
		}
		d[i] = T(g * float64(w[i/cols]) * v)
	}
}

// weightedSumShape checks the inputs of an op that sums a function of two
// same-shaped matrices with row weights (a vector, one per row), and
// returns the scalar output's shape.
func weightedSumShape(op string, in []G.DimSizer) (tensor.Shape, error) {
	s, err := shapes(op, in, 2, 2, 1)
	if err != nil {
		return nil, err
	}
	if !s[0].Eq(s[1]) || s[0][0] != s[2][0] {
		return nil, fmt.Errorf("%s: matrices %v and %v, row weights %v", op, s[0], s[1], s[2])
	}
	return tensor.ScalarShape(), nil
}

// reparamOp computes z = mu + exp(logvar / 2) * eps.
type reparamOp struct{ opBase }

func (o reparamOp) Arity() int { return 3 }
func (o reparamOp) Type() hm.Type {
	return hm.NewFnType(matrixType, matrixType, matrixType, matrixType)
}
func (o reparamOp) DiffWRT(int) []bool { return []bool{true, true, false} }

func (o reparamOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s, err := shapes(o.String(), in, 2, 2, 2)
	if err != nil {
		return nil, err
	}
	if !s[0].Eq(s[1]) || !s[0].Eq(s[2]) {
		return nil, fmt.Errorf("%s: mu %v, logvar %v, eps %v", o, s[0], s[1], s[2])
	}
	return s[0].Clone(), nil
}

func (o reparamOp) Do(vs ...G.Value) (G.Value, error) { return o.doLikeFirst(o, vs) }

func (o reparamOp) UsePreallocDo(prealloc G.Value, vs ...G.Value) (G.Value, error) {
	ts, err := denses(o.String(), vs, 3)
	if err != nil {
		return nil, err
	}
	out, err := target(o.String(), prealloc, ts[0].Dtype(), ts[0].Shape()...)
	if err != nil {
		return nil, err
	}
	switch ts[0].Dtype() {
	case tensor.Float32:
		mu, lv, eps := slices3[float32](ts[0], ts[1], ts[2])
		reparam(mu, lv, eps, out.Data().([]float32))
	case tensor.Float64:
		mu, lv, eps := slices3[float64](ts[0], ts[1], ts[2])
		reparam(mu, lv, eps, out.Data().([]float64))
	default:
		return nil, errDtype
	}
	return out, nil
}

// SymDiff: dz/dmu = 1; dz/dlogvar = eps exp(logvar / 2) / 2.
func (o reparamOp) SymDiff(in G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	dlv, err := G.ApplyOp(reparamGradOp{newOpBase("ReparamGrad")}, in[1], in[2], grad)
	if err != nil {
		return nil, err
	}
	return G.Nodes{grad, dlv, nil}, nil
}

// reparamGradOp is g * eps * exp(logvar / 2) / 2, from (logvar, eps, g).
type reparamGradOp struct{ opBase }

func (o reparamGradOp) Arity() int { return 3 }
func (o reparamGradOp) Type() hm.Type {
	return hm.NewFnType(matrixType, matrixType, matrixType, matrixType)
}

func (o reparamGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	return shapeOfFirst(o.String(), in, 3, 2, 2, 2)
}

func (o reparamGradOp) Do(vs ...G.Value) (G.Value, error) { return o.doLikeFirst(o, vs) }

func (o reparamGradOp) UsePreallocDo(prealloc G.Value, vs ...G.Value) (G.Value, error) {
	ts, err := denses(o.String(), vs, 3)
	if err != nil {
		return nil, err
	}
	out, err := target(o.String(), prealloc, ts[0].Dtype(), ts[0].Shape()...)
	if err != nil {
		return nil, err
	}
	switch ts[0].Dtype() {
	case tensor.Float32:
		lv, eps, g := slices3[float32](ts[0], ts[1], ts[2])
		reparamGrad(lv, eps, g, out.Data().([]float32))
	case tensor.Float64:
		lv, eps, g := slices3[float64](ts[0], ts[1], ts[2])
		reparamGrad(lv, eps, g, out.Data().([]float64))
	default:
		return nil, errDtype
	}
	return out, nil
}

// weightedKLOp is sum_i w_i 1/2 sum_j (mu_ij^2 + exp(logvar_ij) - logvar_ij - 1).
type weightedKLOp struct{ opBase }

func (o weightedKLOp) Arity() int { return 3 }
func (o weightedKLOp) Type() hm.Type {
	return hm.NewFnType(matrixType, matrixType, vectorType, hm.TypeVariable('a'))
}
func (o weightedKLOp) DiffWRT(int) []bool { return []bool{true, true, false} }

func (o weightedKLOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	return weightedSumShape(o.String(), in)
}

func (o weightedKLOp) Do(vs ...G.Value) (G.Value, error) {
	ts, err := denses(o.String(), vs, 3)
	if err != nil {
		return nil, err
	}
	cols := ts[0].Shape()[1]
	var sum float64
	switch ts[0].Dtype() {
	case tensor.Float32:
		mu, lv, w := slices3[float32](ts[0], ts[1], ts[2])
		sum = weightedKL(mu, lv, w, cols)
	case tensor.Float64:
		mu, lv, w := slices3[float64](ts[0], ts[1], ts[2])
		sum = weightedKL(mu, lv, w, cols)
	default:
		return nil, errDtype
	}
	return newScalar(ts[0].Dtype(), sum), nil
}

// SymDiff: d/dmu_ij = g w_i mu_ij; d/dlogvar_ij = g w_i (exp(logvar_ij) - 1) / 2.
func (o weightedKLOp) SymDiff(in G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	dmu, err := G.ApplyOp(weightedKLGradOp{newOpBase("WeightedKLGrad(mu)"), false}, in[0], in[1], in[2], grad)
	if err != nil {
		return nil, err
	}
	dlv, err := G.ApplyOp(weightedKLGradOp{newOpBase("WeightedKLGrad(logvar)"), true}, in[0], in[1], in[2], grad)
	if err != nil {
		return nil, err
	}
	return G.Nodes{dmu, dlv, nil}, nil
}

// weightedKLGradOp is weightedKLOp's gradient with respect to mu, or to
// logvar, from (mu, logvar, w, g).
type weightedKLGradOp struct {
	opBase
	logvar bool
}

func (o weightedKLGradOp) Arity() int { return 4 }
func (o weightedKLGradOp) Type() hm.Type {
	return hm.NewFnType(matrixType, matrixType, vectorType, hm.TypeVariable('a'), matrixType)
}

func (o weightedKLGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	return shapeOfFirst(o.String(), in, 4, 2, 2, 1)
}

func (o weightedKLGradOp) Do(vs ...G.Value) (G.Value, error) { return o.doLikeFirst(o, vs) }

func (o weightedKLGradOp) UsePreallocDo(prealloc G.Value, vs ...G.Value) (G.Value, error) {
	ts, g, err := tensorsAndGrad(o.String(), vs, 3)
	if err != nil {
		return nil, err
	}
	out, err := target(o.String(), prealloc, ts[0].Dtype(), ts[0].Shape()...)
	if err != nil {
		return nil, err
	}
	cols := ts[0].Shape()[1]
	switch ts[0].Dtype() {
	case tensor.Float32:
		mu, lv, w := slices3[float32](ts[0], ts[1], ts[2])
		weightedKLGrad(mu, lv, w, g, cols, o.logvar, out.Data().([]float32))
	case tensor.Float64:
		mu, lv, w := slices3[float64](ts[0], ts[1], ts[2])
		weightedKLGrad(mu, lv, w, g, cols, o.logvar, out.Data().([]float64))
	default:
		return nil, errDtype
	}
	return out, nil
}

// weightedReconOp is sum_i w_i sum_j [softplus(l_ij) - x_ij l_ij], the rows
// through package kernel's vectorised cross-entropy in float32.
type weightedReconOp struct{ opBase }

func (o weightedReconOp) Arity() int { return 3 }
func (o weightedReconOp) Type() hm.Type {
	return hm.NewFnType(matrixType, matrixType, vectorType, hm.TypeVariable('a'))
}
func (o weightedReconOp) DiffWRT(int) []bool { return []bool{true, false, false} }

func (o weightedReconOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	return weightedSumShape(o.String(), in)
}

func (o weightedReconOp) Do(vs ...G.Value) (G.Value, error) {
	ts, err := denses(o.String(), vs, 3)
	if err != nil {
		return nil, err
	}
	rows, cols := ts[0].Shape()[0], ts[0].Shape()[1]
	sum := 0.0
	switch ld := ts[0].Data().(type) {
	case []float32:
		perRow := make([]float32, rows)
		kernel.BCERows(ld, ts[1].Data().([]float32), rows, cols, perRow)
		for r, w := range ts[2].Data().([]float32) {
			sum += float64(w) * float64(perRow[r])
		}
	case []float64:
		xd, wd := ts[1].Data().([]float64), ts[2].Data().([]float64)
		for i, l := range ld {
			sum += wd[i/cols] * (softplus(l) - xd[i]*l)
		}
	default:
		return nil, errDtype
	}
	return newScalar(ts[0].Dtype(), sum), nil
}

// SymDiff: d/dl_ij = g w_i (sigmoid(l_ij) - x_ij).
func (o weightedReconOp) SymDiff(in G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	d, err := G.ApplyOp(weightedReconGradOp{newOpBase("WeightedReconGrad")}, in[0], in[1], in[2], grad)
	if err != nil {
		return nil, err
	}
	return G.Nodes{d, nil, nil}, nil
}

// weightedReconGradOp is weightedReconOp's gradient with respect to the
// logits, from (logits, x, w, g).
type weightedReconGradOp struct{ opBase }

func (o weightedReconGradOp) Arity() int { return 4 }
func (o weightedReconGradOp) Type() hm.Type {
	return hm.NewFnType(matrixType, matrixType, vectorType, hm.TypeVariable('a'), matrixType)
}

func (o weightedReconGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	return shapeOfFirst(o.String(), in, 4, 2, 2, 1)
}

func (o weightedReconGradOp) Do(vs ...G.Value) (G.Value, error) { return o.doLikeFirst(o, vs) }

func (o weightedReconGradOp) UsePreallocDo(prealloc G.Value, vs ...G.Value) (G.Value, error) {
	ts, g, err := tensorsAndGrad(o.String(), vs, 3)
	if err != nil {
		return nil, err
	}
	rows, cols := ts[0].Shape()[0], ts[0].Shape()[1]
	out, err := target(o.String(), prealloc, ts[0].Dtype(), rows, cols)
	if err != nil {
		return nil, err
	}
	switch ld := ts[0].Data().(type) {
	case []float32:
		up := make([]float32, rows)
		for r, w := range ts[2].Data().([]float32) {
			up[r] = float32(g * float64(w))
		}
		kernel.BCEGrad(ld, ts[1].Data().([]float32), up, rows, cols, out.Data().([]float32))
	case []float64:
		xd, wd, od := ts[1].Data().([]float64), ts[2].Data().([]float64), out.Data().([]float64)
		for i, l := range ld {
			od[i] = g * wd[i/cols] * (1/(1+math.Exp(-l)) - xd[i])
		}
	default:
		return nil, errDtype
	}
	return out, nil
}
