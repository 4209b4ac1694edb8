// Package model holds latentlab's learning machinery: the gorgonia graphs of the
// autoencoder (AE), the variational autoencoder (VAE) and the GAN, the trainer
// loop that owns them, the immutable Snapshot that any goroutine may decode
// with, checkpoints, and the evaluation of test losses.
//
// Data flows one way: a dataset.Set goes into a Trainer, which runs in one
// goroutine, owns its graph and VM, and publishes Snapshots and Events. Nothing
// outside that goroutine touches a graph.
//
// References:
//   - Kingma & Welling (2014), Auto-Encoding Variational Bayes, arXiv:1312.6114
//     (encoder q(z|x), reparameterisation, ELBO = reconstruction + KL).
//   - Goodfellow et al. (2014), Generative Adversarial Nets, arXiv:1406.2661
//     (the minimax game and the non-saturating generator loss).
//   - Higgins et al. (2017), beta-VAE (a weight beta on the KL term), and
//     Bowman et al. (2016) for KL warm-up.
package model
