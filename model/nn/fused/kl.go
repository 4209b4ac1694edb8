package fused

import (
	"latentlab/model/nn/op"
	"math"

	G "gorgonia.org/gorgonia"
)

// WeightedKL returns sum_i w_i KL(N(mu_i, exp(logvar_i)) || N(0, I)) with
// KL = 1/2 sum_j (mu_j^2 + exp(logvar_j) - logvar_j - 1), the VAE's KL term
// in closed form (Kingma & Welling 2014, appendix B).
func WeightedKL(mu, logvar, w *G.Node) *G.Node {
	return G.Must(G.ApplyOp(weightedKLOp{op.NewBase("WeightedKL", op.Sig(0, 2, 2, 1))}, mu, logvar, w))
}

func weightedKL[T op.Float](mu, lv, w []T) float64 {
	cols := len(mu) / len(w)
	sum := 0.0
	for i := range mu {
		m, l := float64(mu[i]), float64(lv[i])
		sum += float64(w[i/cols]) * (m*m + math.Exp(l) - l - 1) / 2
	}
	return sum
}

func weightedKLGrad[T op.Float](mu, lv, w []T, g float64, wrtLogvar bool, d []T) {
	cols := len(mu) / len(w)
	for i := range d {
		v := float64(mu[i])
		if wrtLogvar {
			v = (math.Exp(float64(lv[i])) - 1) / 2
		}
		d[i] = T(g * float64(w[i/cols]) * v)
	}
}

// weightedKLOp is sum_i w_i 1/2 sum_j (mu_ij^2 + exp(logvar_ij) - logvar_ij - 1).
type weightedKLOp struct{ op.Base }

func (o weightedKLOp) DiffWRT(int) []bool { return []bool{true, true, false} }

func (o weightedKLOp) Do(vs ...G.Value) (G.Value, error) {
	return o.ScalarSum(vs, 3,
		func(d [][]float32) float64 { return weightedKL(d[0], d[1], d[2]) },
		func(d [][]float64) float64 { return weightedKL(d[0], d[1], d[2]) })
}

// SymDiff: d/dmu_ij = g w_i mu_ij; d/dlogvar_ij = g w_i (exp(logvar_ij) - 1) / 2.
func (o weightedKLOp) SymDiff(in G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	dmu, err := G.ApplyOp(weightedKLGradOp{op.NewBase("WeightedKLGrad(mu)", op.Sig(2, 2, 2, 1, 0)), false}, in[0], in[1], in[2], grad)
	if err != nil {
		return nil, err
	}
	dlv, err := G.ApplyOp(weightedKLGradOp{op.NewBase("WeightedKLGrad(logvar)", op.Sig(2, 2, 2, 1, 0)), true}, in[0], in[1], in[2], grad)
	if err != nil {
		return nil, err
	}
	return G.Nodes{dmu, dlv, nil}, nil
}

// weightedKLGradOp is weightedKLOp's gradient with respect to mu, or to
// logvar, from (mu, logvar, w, g).
type weightedKLGradOp struct {
	op.Base
	logvar bool
}

func (o weightedKLGradOp) Do(vs ...G.Value) (G.Value, error) { return o.DoLikeFirst(o, vs) }

func (o weightedKLGradOp) UsePreallocDo(prealloc G.Value, vs ...G.Value) (G.Value, error) {
	return o.ElementwiseGrad(prealloc, vs, 3,
		func(d [][]float32, g float64) { weightedKLGrad(d[0], d[1], d[2], g, o.logvar, d[3]) },
		func(d [][]float64, g float64) { weightedKLGrad(d[0], d[1], d[2], g, o.logvar, d[3]) })
}
