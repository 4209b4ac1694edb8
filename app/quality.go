package app

import (
	"bytes"
	"fmt"
	"strings"

	"latentlab/assets"
	"latentlab/model"
	"latentlab/model/checkpoint"
	"latentlab/model/dataset"
	"latentlab/model/infer"
	"latentlab/model/measure"
)

// Quality monitoring during training: after every epoch a session measures
// its samples with the shipped classifier and raises an alarm on collapse.
const (
	monitorSamples = 1000 // generated digits measured after each epoch
	monitorTest    = 2000 // test digits they are compared with
	monitorCodes   = 5000 // training digits whose codes the code mixture is fitted to
	minCovered     = 8    // fewer classes covered than this is mode collapse
	minDLoss       = 0.05 // a discriminator loss below this has won outright
	minKL          = 0.05 // a VAE whose KL is below this (nats) has collapsed
)

// The series of the quality history.
const (
	SeriesFrechet = "Fréchet distance"
	// SeriesFrechetMixture is the AE's and VAE's Fréchet distance for
	// decodes of their code mixture (measure.CodeMixture), beside the
	// prior's.
	SeriesFrechetMixture = "Fréchet distance, code mixture"
	SeriesCovered        = "classes covered"
	SeriesActive         = "active dimensions"
)

// Monitor measures models with the shipped classifier. It is safe for
// concurrent use: its fields never change after NewMonitor.
type Monitor struct {
	classifier *infer.Snapshot
	test       *dataset.Set
	reference  measure.Features
}

// NewMonitor loads the shipped classifier and featurizes part of the test
// set. The classifier knows MNIST digits only: on other data (src) its
// figures would mean nothing, and it returns an error that says so.
func NewMonitor(test *dataset.Set, src dataset.Source) (*Monitor, error) {
	if !IsEmbedded(src) {
		return nil, fmt.Errorf("sample quality is not measured: the shipped classifier knows MNIST digits, not %s", src.Name)
	}
	b := assets.Classifier()
	ck, err := checkpoint.Read(bytes.NewReader(b), int64(len(b)), "shipped classifier")
	if err != nil {
		return nil, err
	}
	c := ck.Snapshot()
	if test.Dim() != c.Pixels() {
		return nil, fmt.Errorf("the shipped classifier reads %d pixels; these images have %d", c.Pixels(), test.Dim())
	}
	head := test.Prefix(monitorTest) // shared with the sessions, not copied
	ref, err := measure.FeaturizeSet(c, head)
	if err != nil {
		return nil, err
	}
	return &Monitor{classifier: c, test: head, reference: ref}, nil
}

// TestImages returns how many test digits the monitor compares with.
func (m *Monitor) TestImages() int { return m.test.Len() }

// Classifier returns the classifier snapshot.
func (m *Monitor) Classifier() *infer.Snapshot { return m.classifier }

// Samples measures n prior samples of s (seeded by seed) against the
// monitor's test digits.
func (m *Monitor) Samples(s *infer.Snapshot, n int, seed uint64) (measure.SampleQuality, error) {
	f, err := measure.SampleFeatures(s, m.classifier, n, seed)
	if err != nil {
		return measure.SampleQuality{}, err
	}
	return measure.Quality(f, m.reference)
}

// MixtureSamples measures n decodes of draws from a mixture fitted to the
// codes of training digits of train under s (an AE or VAE; seeded by
// seed) against the monitor's test digits.
func (m *Monitor) MixtureSamples(s *infer.Snapshot, train *dataset.Set, n int, seed uint64) (measure.SampleQuality, error) {
	mix, _, err := measure.CodeMixture(s, train, monitorCodes, seed)
	if err != nil {
		return measure.SampleQuality{}, err
	}
	return m.MixtureQuality(s, mix, n, seed)
}

// MixtureQuality measures n decodes by s of draws from mix (seeded by
// seed) against the monitor's test digits.
func (m *Monitor) MixtureQuality(s *infer.Snapshot, mix *measure.Mixture, n int, seed uint64) (measure.SampleQuality, error) {
	f, err := measure.DecodedFeatures(s, m.classifier, mix.Sample(n, seed))
	if err != nil {
		return measure.SampleQuality{}, err
	}
	return measure.Quality(f, m.reference)
}

// Real measures n real digits held out of set (seeded by seed) against the
// monitor's test digits: the reference line for Samples.
func (m *Monitor) Real(set *dataset.Set, n int, seed uint64) (measure.SampleQuality, error) {
	f, err := measure.RealFeatures(m.classifier, set, n, seed)
	if err != nil {
		return measure.SampleQuality{}, err
	}
	return measure.Quality(f, m.reference)
}

// Check measures s after an epoch: the quality of n prior samples and, for
// a VAE, its active dimensions and KL.
func (m *Monitor) Check(s *infer.Snapshot, n int, seed uint64) (measure.SampleQuality, *measure.LatentKL, error) {
	q, err := m.Samples(s, n, seed)
	if err != nil {
		return q, nil, err
	}
	if s.Kind() != model.KindVAE {
		return q, nil, nil
	}
	kl, err := measure.KLPerDimension(s, m.test.Prefix(500))
	if err != nil {
		return q, nil, err
	}
	return q, &kl, nil
}

// alarm says what went wrong and what usually helps, or "" if nothing did.
func alarm(kind model.Kind, q measure.SampleQuality, kl *measure.LatentKL, dLoss float64) string {
	var msgs []string
	if kind == model.KindGAN && q.Covered < minCovered {
		msgs = append(msgs, fmt.Sprintf("Mode collapse: the GAN's samples cover %d of 10 digit classes. What usually helps: reset with a lower learning rate, more dropout or label smoothing in D, or another seed.", q.Covered))
	}
	if kind == model.KindGAN && dLoss < minDLoss {
		msgs = append(msgs, fmt.Sprintf("The discriminator has won (D loss %.3f ≈ 0), so the generator gets no useful gradient. What usually helps: label smoothing, dropout in D, a lower learning rate, or fewer D steps.", dLoss))
	}
	if kind == model.KindVAE && kl != nil {
		total := 0.0
		for _, v := range kl.PerDim {
			total += v
		}
		if kl.Active == 0 || total < minKL {
			msgs = append(msgs, fmt.Sprintf("Posterior collapse: KL %.3f nats, %d active dimensions; the decoder ignores z. What usually helps: KL warm-up, a smaller β, or a weaker decoder.", total, kl.Active))
		}
	}
	return strings.Join(msgs, " ")
}

// Label returns the classifier's most probable digit for the image x
// (pixels in [0, 1]) and its probability.
func (m *Monitor) Label(x []float64) (label int, p float64, err error) {
	return m.classifier.Label(x)
}
