// Package nn holds latentlab's layer kinds and fused ops: each layer kind
// is one file with every view of it (parameters with their names, shapes,
// initialisation and weight-decay flag; its gorgonia op and gradient; its
// float32 pass for snapshots and, where it has one, its half-precision
// pass), and each fused loss op is one file with its gradient.
//
// Fused ops replace chains of gorgonia's nodes (and their gradient nodes)
// with one: float32 through package kernel's vectorised loops where the
// work is large, float64 (for gradient checks) through plain Go loops with
// the same meaning.
//
//	Dense(x; W, b, mask)  = act(x·W + b) * mask, act(v) = v > 0 ? v : slope*v (dense.go)
//	Reparam(mu, lv, eps)  = mu + exp(lv / 2) * eps (reparam.go)
//	WeightedKL(mu, lv, w) = sum_i w_i KL(N(mu_i, exp(lv_i)) || N(0, I)) (kl.go)
//	WeightedRecon(l, x, w) = sum_i w_i sum_j BCE(x_ij, sigmoid(l_ij)) (recon.go)
//	CentredSigmoid(l)     = 2 sigmoid(l) - 1 (centred.go)
//	WeightedBCE(l, w; t)  = sum_i w_i sum_j BCE(t, sigmoid(l_ij)) (bce.go)
//	GradSink(cost, grads) hands a step's gradients to the optimizer (gradsink.go)
//
// Nothing here knows a model family: package model assembles layers into
// architectures.
package nn
