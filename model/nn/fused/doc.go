// Package fused holds the fused loss and output ops of latentlab's training
// graphs, one op (with its gradient) per file: each replaces a chain of
// gorgonia's nodes and their gradient nodes with one, in float32 through
// package kernel's vectorised loops where the work is large, in float64
// (for gradient checks) through plain Go loops with the same meaning.
//
//	Reparam(mu, lv, eps)   = mu + exp(lv / 2) * eps (reparam.go)
//	WeightedKL(mu, lv, w)  = sum_i w_i KL(N(mu_i, exp(lv_i)) || N(0, I)) (kl.go)
//	WeightedRecon(l, x, w) = sum_i w_i sum_j BCE(x_ij, sigmoid(l_ij)) (recon.go)
//	CentredSigmoid(l)      = 2 sigmoid(l) - 1 (centred.go)
//	WeightedBCE(l, w; t)   = sum_i w_i sum_j BCE(t, sigmoid(l_ij)) (bce.go)
package fused
