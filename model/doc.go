// Package model says what a model is: its family (Kind), the settings of a
// training run (Config, with their checks and schedules) and the layers a
// Config implies (Architecture). Everything that uses a model lives in the
// packages below it, one concept each:
//
//	model/nn          the layer abstraction and the dense layer; model/nn/conv
//	                  the convolutional kinds, one file each; model/nn/fused
//	                  the fused loss ops, one file each; model/nn/op their kit
//	model/train       the trainer, its step graphs and optimizers, events
//	model/infer       Snapshot: immutable weights and their forward passes
//	model/measure     test losses, metrics, sample quality, the latent KL
//	model/checkpoint  safetensors checkpoints of configs, weights and state
//	model/dataset     IDX reading and the train/validation/test sets
//	model/kernel      the fused float32 loops in C
//	model/infra       what is no model concept: the safetensors codec, atomic
//	                  files, PNG rendering, OpenBLAS linking
//
// Data flows one way: a dataset.Set goes into a train.Trainer, which runs in
// one goroutine, owns its graphs and publishes infer.Snapshots and events.
//
// References:
//   - Kingma & Welling (2014), Auto-Encoding Variational Bayes, arXiv:1312.6114
//     (encoder q(z|x), reparameterisation, ELBO = reconstruction + KL).
//   - Goodfellow et al. (2014), Generative Adversarial Nets, arXiv:1406.2661
//     (the minimax game and the non-saturating generator loss).
//   - Higgins et al. (2017), beta-VAE (a weight beta on the KL term), and
//     Bowman et al. (2016) for KL warm-up.
package model
