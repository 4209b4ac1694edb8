package train

import (
	"latentlab/model"
	"latentlab/model/measure"
	"time"
)

// EventKind tells what an Event reports.
type EventKind int

// The events a Trainer reports.
const (
	EventStep      EventKind = iota // a training step finished
	EventEpoch                      // an epoch finished; validation loss is set for AE and VAE
	EventDone                       // the configured epochs are done
	EventEarlyStop                  // validation loss stopped improving; the best weights were restored
	EventFailed                     // training stopped on an error (Err), such as a NaN loss
)

// Event is one report from a training goroutine. Loss fields hold the
// latest batch's values in nats per image; the parts that do not apply to
// the model are zero.
type Event struct {
	Kind    EventKind
	Model   model.Kind
	Step    int64 // steps taken so far (one per batch)
	Epoch   int   // completed epochs
	Batch   int   // batches done in the current epoch
	Batches int   // batches per epoch
	Epochs  int   // epochs configured

	// Losses are the step's values by name, in the order to show them:
	// what views chart and print without knowing the model family.
	Losses []Value

	Loss     float64 // AE: reconstruction; VAE: recon + beta*KL; GAN: discriminator loss
	Recon    float64 // AE, VAE: summed BCE per image
	KL       float64 // VAE: KL(q(z|x) || p(z)) per image
	KLWeight float64 // VAE: the beta in force (warm-up included)
	DLoss    float64 // GAN: discriminator loss
	GLoss    float64 // GAN: generator loss (non-saturating)
	DReal    float64 // GAN: mean D(x) on real images
	DFake    float64 // GAN: mean D(G(z)) on generated images

	LearningRate  float64
	SamplesPerSec float64
	Elapsed       time.Duration // training time so far in this run of Train

	HasValidation bool
	Validation    measure.Loss // AE, VAE: validation loss after the epoch; classifier: cross-entropy
	ValAccuracy   float64      // classifier: validation accuracy after the epoch
	Message       string
	Err           error
}

// Value is one named value of a training step, with its unit.
type Value struct {
	Name  string
	Value float64
	Unit  Unit
}

// Unit is what a Value measures; values of one unit share a chart.
type Unit string

// The units of the step values.
const (
	Nats        Unit = "nats"        // a loss per image
	Probability Unit = "probability" // a discriminator's mean output
	Weight      Unit = "weight"      // a weight in the loss, such as beta
)

// The names of the step values the trainers report.
const (
	LossTrain    = "train loss"     // AE: reconstruction; VAE: recon + beta*KL; classifier: cross-entropy
	LossRecon    = "reconstruction" // VAE
	LossKL       = "KL"             // VAE
	LossKLWeight = "KL weight"      // VAE: the beta in force (warm-up included)
	LossD        = "D loss"         // GAN: the discriminator's loss
	LossG        = "G loss"         // GAN: the generator's non-saturating loss
	LossDReal    = "D(x)"           // GAN: mean D(x) on real images
	LossDFake    = "D(G(z))"        // GAN: mean D(G(z))
)

// Stats returns the progress's training counts.
func (p Progress) Stats() measure.TrainStats {
	return measure.TrainStats{Epochs: p.Epoch, Steps: p.Step, TrainSeconds: p.TrainSeconds, Samples: p.Samples}
}
