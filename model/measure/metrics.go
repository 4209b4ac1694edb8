package measure

import (
	"fmt"

	"gonum.org/v1/gonum/mat"

	"latentlab/model"
	"latentlab/model/dataset"
	"latentlab/model/infer"
	"latentlab/model/nn"
)

// TrainStats counts the training behind a set of weights.
type TrainStats struct {
	Epochs       int
	Steps        int64
	TrainSeconds float64
	Samples      int64
}

// Metrics is the summary of a trained model that `latentlab train` writes
// and `latentlab eval` prints. Losses are per image, in nats, on the test
// set; fields that do not apply to the model are omitted.
type Metrics struct {
	Model            model.Kind `json:"model"`
	LatentDim        int        `json:"latent_dim"`
	Epochs           int        `json:"epochs"`
	Steps            int64      `json:"steps"`
	TrainSeconds     float64    `json:"train_seconds"`
	SamplesPerSecond float64    `json:"samples_per_second"`
	SecondsPerEpoch  float64    `json:"seconds_per_epoch,omitempty"`
	TestImages       int        `json:"test_images"`

	TestLoss     *float64 `json:"test_loss,omitempty"`     // AE: reconstruction; VAE: negative ELBO; classifier: cross-entropy
	TestAccuracy *float64 `json:"test_accuracy,omitempty"` // classifier
	TestRecon    *float64 `json:"test_recon,omitempty"`    // VAE
	TestKL       *float64 `json:"test_kl,omitempty"`       // VAE

	DLoss *float64 `json:"d_loss,omitempty"` // GAN: discriminator loss on test images and as many samples
	GLoss *float64 `json:"g_loss,omitempty"` // GAN: non-saturating generator loss on those samples
	DReal *float64 `json:"d_real,omitempty"` // GAN: mean D(x) on test images
	DFake *float64 `json:"d_fake,omitempty"` // GAN: mean D(G(z))

	Note string `json:"note,omitempty"` // what could not be measured, and why
}

// Measure computes the metrics of s on the test set. The noise of the VAE's
// sampled ELBO and of the GAN's samples comes from seed.
func Measure(s *infer.Snapshot, test *dataset.Set, stats TrainStats, seed uint64) (Metrics, error) {
	m := Metrics{Model: s.Kind(), LatentDim: s.LatentDim(), Epochs: stats.Epochs, Steps: stats.Steps,
		TrainSeconds: stats.TrainSeconds, TestImages: test.Len()}
	if stats.TrainSeconds > 0 {
		m.SamplesPerSecond = float64(stats.Samples) / stats.TrainSeconds
	}
	if stats.Epochs > 0 {
		m.SecondsPerEpoch = stats.TrainSeconds / float64(stats.Epochs)
	}
	if s.Kind() == model.KindClassifier {
		ce, acc, err := EvaluateClassifier(s, test)
		if err != nil {
			return m, err
		}
		m.TestLoss, m.TestAccuracy = &ce, &acc
		return m, nil
	}
	if s.HasEncoder() {
		l, err := Evaluate(s, test, seed)
		if err != nil {
			return m, err
		}
		m.TestLoss = &l.Total
		if s.Kind() == model.KindVAE {
			m.TestRecon, m.TestKL = &l.Recon, &l.KL
		}
		return m, nil
	}
	if !s.HasDiscriminator() {
		m.Note = fmt.Sprintf("the %s is a decoder alone: no test loss, which needs its encoder or discriminator", s.Kind())
		return m, nil
	}
	g, err := EvaluateGAN(s, test, seed)
	if err != nil {
		return m, err
	}
	m.DLoss, m.GLoss, m.DReal, m.DFake = &g.DLoss, &g.GLoss, &g.DReal, &g.DFake
	return m, nil
}

// GANLoss is the GAN's game measured on a set of real images and as many
// samples of the prior: the losses the trainer minimises (without label
// smoothing) and the discriminator's mean outputs.
type GANLoss struct {
	DLoss, GLoss float64
	DReal, DFake float64
}

// EvaluateGAN measures the GAN on set, with z drawn from N(0, I) by a source
// seeded by seed.
func EvaluateGAN(s *infer.Snapshot, set *dataset.Set, seed uint64) (GANLoss, error) {
	n := set.Len()
	if n == 0 || set.Dim() != s.Pixels() {
		return GANLoss{}, fmt.Errorf("measure: evaluate: want images of %d pixels, got %d images of %d", s.Pixels(), n, set.Dim())
	}
	z := infer.SamplePrior(n, s.LatentDim(), seed)
	realLogits, fakeLogits := make([]float64, 0, n), make([]float64, 0, n)
	for start := 0; start < n; start += evalBatch { // a batch of pixels at a time, not the set's
		end := min(start+evalBatch, n)
		r, err := s.Discriminate(set.Matrix(start, end))
		if err != nil {
			return GANLoss{}, err
		}
		fake, err := s.DecodeBatch(z.Slice(start, end, 0, s.LatentDim()).(*mat.Dense))
		if err != nil {
			return GANLoss{}, err
		}
		f, err := s.Discriminate(fake)
		if err != nil {
			return GANLoss{}, err
		}
		realLogits, fakeLogits = append(realLogits, r...), append(fakeLogits, f...)
	}
	var out GANLoss
	for i := 0; i < n; i++ {
		out.DLoss += nn.Softplus(-realLogits[i]) + nn.Softplus(fakeLogits[i])
		out.GLoss += nn.Softplus(-fakeLogits[i])
		out.DReal += nn.Sigmoid(realLogits[i])
		out.DFake += nn.Sigmoid(fakeLogits[i])
	}
	f := float64(n)
	out.DLoss, out.GLoss, out.DReal, out.DFake = out.DLoss/f, out.GLoss/f, out.DReal/f, out.DFake/f
	return out, nil
}
