package app

import "latentlab/model"

// Experiment is a run set up in one click to show one behaviour of
// training, with what to watch while it runs and why it happens.
type Experiment struct {
	Name  string
	Kinds []model.Kind // the models it is for
	// Apply returns the run's settings from the model's current ones, for
	// a training set of trainImages images.
	Apply func(c model.Config, trainImages int) model.Config
	// Watch says, in two or three sentences, what to look at and why.
	Watch string
}

// overfitImages is how few training images the overfitting experiments
// learn from: few enough that the default networks (about 600,000
// weights) learn them by heart in a few dozen epochs.
const overfitImages = 300

// collapseBeta is the KL weight that collapses the default VAE's posterior.
const collapseBeta = 30

// divergentRate is a learning rate that makes plain SGD diverge.
const divergentRate = 10

// overfit is the run that overfits: few images, many epochs, no cure.
func overfit(c model.Config, trainImages int) model.Config {
	c.TrainSize, c.Epochs, c.BatchSize = min(overfitImages, trainImages), 80, min(32, trainImages)
	c.Dropout, c.WeightDecay, c.Patience = 0, 0, 0
	c.Schedule = model.ScheduleConstant
	return c
}

// Experiments are the runs the Train view offers.
var Experiments = []Experiment{
	{
		Name:  "Overfit on purpose",
		Kinds: []model.Kind{model.KindAE, model.KindVAE},
		Apply: overfit,
		Watch: "The model learns from 300 training images, for 80 epochs, with no dropout, no weight decay and no early stopping. " +
			"Watch the training loss keep falling while the validation loss (5,000 images it never learns from) reaches its lowest after a couple of dozen epochs and then climbs: " +
			"the network has started to remember its 300 digits instead of learning what digits have in common.",
	},
	{
		Name:  "Cure it: early stopping and dropout",
		Kinds: []model.Kind{model.KindAE, model.KindVAE},
		Apply: func(c model.Config, trainImages int) model.Config {
			c = overfit(c, trainImages)
			c.Dropout, c.Patience = 0.3, 5
			return c
		},
		Watch: "The same 300 images, now with dropout 0.3 on the hidden layers and early stopping after 5 epochs without a better validation loss. " +
			"Dropout keeps the validation loss down longer, since no unit can rely on another to remember a digit; early stopping ends the run near the lowest " +
			"validation loss and restores the weights of that epoch. Compare with the overfitting run's curves.",
	},
	{
		Name:  "Posterior collapse",
		Kinds: []model.Kind{model.KindVAE},
		Apply: func(c model.Config, trainImages int) model.Config {
			c.Beta, c.WarmupEpochs, c.Epochs = collapseBeta, 0, 3
			return c
		},
		Watch: "The KL term weighs 30 times the reconstruction from the first step, with no warm-up. " +
			"Watch the KL chart fall to about zero and the collapse alarm fire after an epoch: every posterior q(z|x) becomes the prior, so z says nothing about the image " +
			"and the decoder draws one blurred average digit wherever you drag on the VAE pad. KL warm-up or a smaller β avoid it.",
	},
	{
		Name:  "Mode collapse",
		Kinds: []model.Kind{model.KindGAN},
		Apply: func(c model.Config, trainImages int) model.Config {
			c.LatentDim, c.Dropout, c.LabelSmoothing, c.Epochs, c.LearningRate = 1, 0, 0, 2, 1e-3
			return c
		},
		Watch: "The generator draws from a 1-dimensional z at five times the default learning rate, and the discriminator has neither dropout nor label smoothing. " +
			"Watch the classes covered fall and the mode-collapse alarm fire within a few epochs: the generator finds a few digit shapes that fool the discriminator " +
			"and maps most of z onto them, so the GAN pad shows the same digits wherever you drag. A 16-dimensional z, dropout in D and label smoothing (the defaults) keep the classes apart.",
	},
	{
		Name:  "Learning rate too high",
		Kinds: []model.Kind{model.KindAE, model.KindVAE, model.KindGAN},
		Apply: func(c model.Config, trainImages int) model.Config {
			c.LearningRate, c.Optimizer, c.Schedule = divergentRate, model.SGD, model.ScheduleConstant
			return c
		},
		Watch: "Plain gradient descent with a learning rate of 10: each step overshoots the minimum it aims at by more than it corrects. " +
			"Within a few steps the loss is no longer a number: the run stops at that step and says which loss broke, instead of training on. " +
			"Adam's per-weight step sizes, or a rate ten thousand times smaller, train steadily.",
	},
}
