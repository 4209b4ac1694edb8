// Package measure says how good a model is: test losses (the AE's
// reconstruction, the VAE's negative ELBO, the GAN's game, the
// classifier's cross-entropy), the metrics `latentlab train` and `eval`
// report, sample quality through the digit classifier's eyes (Fréchet
// distance, MNIST score, class coverage), and the VAE's KL per latent
// dimension and importance-weighted likelihood.
package measure
