package app

import "latentlab/model"

// DefaultConfig returns the settings a model of kind k starts with in the
// app: model.DefaultConfig in the architecture that drew the better
// samples after three minutes of training in the app with all three models
// at once (the lower Fréchet distance, by `latentlab soak --minutes 3
// --arch mlp|conv --save DIR` and `latentlab eval`; see the README's
// "Architectures"). That is the convolutional DCGAN for the GAN (58.5 and
// 59.8 against the dense GAN's 79.8 and 83.7 in two runs) and the dense
// networks for the AE and VAE (157-162 and 82-88 against 296-301 and
// 209-210).
func DefaultConfig(k model.Kind) model.Config {
	c := model.DefaultConfig(k)
	if k == model.KindGAN {
		c = c.WithArch(model.ArchConv)
	}
	return c
}
