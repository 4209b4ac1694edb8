package fused

import (
	"latentlab/model/nn/op"
	"math"

	G "gorgonia.org/gorgonia"
)

// Reparam returns z = mu + exp(logvar / 2) * eps: the reparameterisation
// trick of Kingma & Welling (2014), section 2.4, which makes a draw of
// q(z|x) = N(mu, exp(logvar)) differentiable in mu and logvar.
func Reparam(mu, logvar, eps *G.Node) *G.Node {
	return G.Must(G.ApplyOp(reparamOp{op.NewBase("Reparam", op.Sig(2, 2, 2, 2))}, mu, logvar, eps))
}

func reparam[T op.Float](mu, lv, eps, z []T) {
	for i := range z {
		z[i] = mu[i] + T(math.Exp(float64(lv[i])/2))*eps[i]
	}
}

func reparamGrad[T op.Float](lv, eps, g, d []T) {
	for i := range d {
		d[i] = g[i] * eps[i] * T(math.Exp(float64(lv[i])/2)) / 2
	}
}

// reparamOp computes z = mu + exp(logvar / 2) * eps.
type reparamOp struct{ op.Base }

func (o reparamOp) DiffWRT(int) []bool { return []bool{true, true, false} }

func (o reparamOp) Do(vs ...G.Value) (G.Value, error) { return o.DoLikeFirst(o, vs) }

func (o reparamOp) UsePreallocDo(prealloc G.Value, vs ...G.Value) (G.Value, error) {
	return o.Elementwise(prealloc, vs, 3,
		func(d [][]float32) { reparam(d[0], d[1], d[2], d[3]) },
		func(d [][]float64) { reparam(d[0], d[1], d[2], d[3]) })
}

// SymDiff: dz/dmu = 1; dz/dlogvar = eps exp(logvar / 2) / 2.
func (o reparamOp) SymDiff(in G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	dlv, err := G.ApplyOp(reparamGradOp{op.NewBase("ReparamGrad", op.Sig(2, 2, 2, 2))}, in[1], in[2], grad)
	if err != nil {
		return nil, err
	}
	return G.Nodes{grad, dlv, nil}, nil
}

// reparamGradOp is g * eps * exp(logvar / 2) / 2, from (logvar, eps, g).
type reparamGradOp struct{ op.Base }

func (o reparamGradOp) Do(vs ...G.Value) (G.Value, error) { return o.DoLikeFirst(o, vs) }

func (o reparamGradOp) UsePreallocDo(prealloc G.Value, vs ...G.Value) (G.Value, error) {
	return o.Elementwise(prealloc, vs, 3,
		func(d [][]float32) { reparamGrad(d[0], d[1], d[2], d[3]) },
		func(d [][]float64) { reparamGrad(d[0], d[1], d[2], d[3]) })
}
