package measure

import (
	"fmt"

	"gonum.org/v1/gonum/mat"

	"latentlab/model"
	"latentlab/model/dataset"
	"latentlab/model/infer"
)

// QualityOptions set how much work a quality report does.
type QualityOptions struct {
	Samples   int    // generated digits per path (and real digits for the reference)
	IWSamples int    // VAE: importance samples per test image for log p(x); 0 skips it
	Seed      uint64 // noise of the samples, the ELBO and the importance weights
}

// QualityReport is everything latentlab measures about one model on the
// test set, with the same measures of real digits as the reference line.
type QualityReport struct {
	// Samples measures the model's generated digits: VAE and GAN samples of
	// the prior, and for an AE its decodes of N(0, I) draws, which show the
	// holes of a code space nobody shaped.
	Samples SampleQuality `json:"samples"`
	// Reference measures real training digits against the test digits.
	Reference SampleQuality `json:"reference_real"`

	// MixtureSamples measures an AE's or VAE's decodes of draws from a
	// mixture of Gaussians fitted to where training digits' codes land
	// (Mixture), in place of N(0, I).
	MixtureSamples *SampleQuality `json:"samples_mixture,omitempty"`
	// Codes compares how test digits' codes fit the prior and the mixture.
	Codes *CodeDensity `json:"code_density,omitempty"`
	// MixtureUnavailable says why an AE or VAE has no mixture samples.
	MixtureUnavailable string `json:"samples_mixture_unavailable,omitempty"`

	KL     *LatentKL `json:"kl,omitempty"`     // VAE
	IWNLL  *float64  `json:"iw_nll,omitempty"` // VAE: -log p(x) per test image, importance weighted
	IWK    int       `json:"iw_samples,omitempty"`
	Reason string    `json:"samples_from"`
}

// MeasureQuality computes the report for model s with classifier c, on test, with
// real digits drawn from real for the reference.
func MeasureQuality(s, c *infer.Snapshot, test, real *dataset.Set, o QualityOptions) (QualityReport, error) {
	var r QualityReport
	if o.Samples < 2 {
		return r, fmt.Errorf("measure: quality: %d samples, need at least 2", o.Samples)
	}
	if c.Pixels() != s.Pixels() || test.Dim() != s.Pixels() {
		return r, fmt.Errorf("measure: quality: the classifier reads %d pixels, the %s makes %d and the test images have %d", c.Pixels(), s.Kind(), s.Pixels(), test.Dim())
	}
	ref, err := FeaturizeSet(c, test)
	if err != nil {
		return r, err
	}
	genF, err := SampleFeatures(s, c, o.Samples, o.Seed)
	if err != nil {
		return r, err
	}
	if r.Samples, err = Quality(genF, ref); err != nil {
		return r, err
	}
	r.Reason = map[model.Kind]string{model.KindAE: "decoder on N(0, I) draws", model.KindVAE: "prior N(0, I)", model.KindGAN: "prior N(0, I)"}[s.Kind()]
	if s.HasEncoder() {
		if err := r.measureMixture(s, c, real, test, ref, o); err != nil {
			r.MixtureUnavailable = err.Error()
		}
	}
	realF, err := RealFeatures(c, real, o.Samples, o.Seed)
	if err != nil {
		return r, err
	}
	if r.Reference, err = Quality(realF, ref); err != nil {
		return r, err
	}
	if s.Kind() == model.KindVAE && s.HasEncoder() {
		kl, err := KLPerDimension(s, test)
		if err != nil {
			return r, err
		}
		r.KL = &kl
		if o.IWSamples > 0 {
			nll, err := ImportanceWeightedNLL(s, test, o.IWSamples, o.Seed)
			if err != nil {
				return r, err
			}
			r.IWNLL, r.IWK = &nll, o.IWSamples
		}
	}
	return r, nil
}

// measureMixture fills the report's code density and mixture samples of
// s, with the classifier c's features and the test set's reference ref.
func (r *QualityReport) measureMixture(s, c *infer.Snapshot, real, test *dataset.Set, ref Features, o QualityOptions) error {
	mix, density, err := MeasureCodeDensity(s, real, test, o.Seed)
	if err != nil {
		return err
	}
	mixF, err := DecodedFeatures(s, c, mix.Sample(o.Samples, o.Seed))
	if err != nil {
		return err
	}
	q, err := Quality(mixF, ref)
	if err != nil {
		return err
	}
	r.Codes, r.MixtureSamples = &density, &q
	return nil
}

// SampleFeatures decodes n draws of N(0, I) (seeded by seed) with s and
// runs classifier c over them: the generated side of every quality measure.
func SampleFeatures(s, c *infer.Snapshot, n int, seed uint64) (Features, error) {
	return DecodedFeatures(s, c, infer.SamplePrior(n, s.LatentDim(), seed))
}

// DecodedFeatures decodes the latent points z (one per row) with s and
// runs classifier c over the digits.
func DecodedFeatures(s, c *infer.Snapshot, z *mat.Dense) (Features, error) {
	gen, err := s.DecodeBatch(z)
	if err != nil {
		return Features{}, err
	}
	return Featurize(c, gen)
}

// RealFeatures runs classifier c over n real digits held out of real by a
// split seeded by seed (at most all but one): the reference line.
func RealFeatures(c *infer.Snapshot, real *dataset.Set, n int, seed uint64) (Features, error) {
	_, held, err := real.Split(min(n, real.Len()-1), seed)
	if err != nil {
		return Features{}, err
	}
	return FeaturizeSet(c, held)
}
