package model

import "time"

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
	Model   Kind
	Step    int64 // steps taken so far (one per batch)
	Epoch   int   // completed epochs
	Batch   int   // batches done in the current epoch
	Batches int   // batches per epoch
	Epochs  int   // epochs configured

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
	Validation    Loss    // AE, VAE: validation loss after the epoch; classifier: cross-entropy
	ValAccuracy   float64 // classifier: validation accuracy after the epoch
	Message       string
	Err           error
}
