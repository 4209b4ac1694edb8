package ui

import (
	"fmt"
	"strings"

	"latentlab/app"
	"latentlab/model"
	"latentlab/model/dataset"
	"latentlab/model/infer"
	"latentlab/model/measure"
)

// metricsText measures each snapshot on test and lays the numbers out as a
// fixed-width table: test loss for AE and VAE (the VAE's negative ELBO
// split into reconstruction and KL), the GAN's game on real and generated
// digits.
func metricsText(snaps []*infer.Snapshot, test *dataset.Set) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%-4s %6s %9s %9s %7s\n", "", "epoch", "loss", "recon", "KL")
	for _, s := range snaps {
		if !s.HasEncoder() {
			continue
		}
		l, err := measure.Evaluate(s, test, 1)
		if err != nil {
			fmt.Fprintf(&b, "%-4s %v\n", strings.ToUpper(string(s.Kind())), err)
			continue
		}
		kl := "—"
		if s.Kind() == model.KindVAE {
			kl = fmt.Sprintf("%7.2f", l.KL)
		}
		fmt.Fprintf(&b, "%-4s %6d %9.2f %9.2f %7s\n", strings.ToUpper(string(s.Kind())), s.Epoch(), l.Total, l.Recon, kl)
	}
	for _, s := range snaps {
		if s.HasEncoder() {
			continue
		}
		g, err := measure.EvaluateGAN(s, test, 1)
		if err != nil {
			continue
		}
		fmt.Fprintf(&b, "\nGAN epoch %d: D loss %.3f · G loss %.3f · D(x) %.2f · D(G(z)) %.2f\n", s.Epoch(), g.DLoss, g.GLoss, g.DReal, g.DFake)
	}
	fmt.Fprintf(&b, "\non %d test images; AE loss is reconstruction, VAE loss is the negative ELBO", test.Len())
	return b.String()
}

// Sample-quality settings of the Compare view: smaller than `latentlab eval`
// (10,000 samples, 100 importance samples on all 10,000 test images) so
// that the table comes back in seconds while training goes on.
const (
	compareQualitySamples = 2000
	compareIWSamples      = 20
	compareIWImages       = 300
)

// qualityText measures the samples of each model with the shipped
// classifier, with real training digits as the reference line. The AE's
// and VAE's code mixtures come from mixtures, the Compare view's, so a
// snapshot's mixture is fitted once for its pictures and its table.
func qualityText(m *app.Monitor, why error, snaps []*infer.Snapshot, data *app.Data, mixtures codeMixtures) string {
	if m == nil {
		if why != nil {
			return "Sample quality: " + why.Error() + "."
		}
		return "Sample quality is not measured on this data."
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%-9s %8s %6s %7s %8s\n", "samples", "FD", "score", "classes", "entropy")
	for _, s := range snaps {
		q, err := m.Samples(s, compareQualitySamples, 1)
		if err != nil {
			fmt.Fprintf(&b, "%-9s %v\n", strings.ToUpper(string(s.Kind())), err)
			continue
		}
		fmt.Fprintf(&b, "%-9s %8.2f %6.2f %7d %8.3f\n", strings.ToUpper(string(s.Kind())), q.Frechet, q.Score, q.Covered, q.Entropy)
	}
	for _, s := range snaps {
		if !s.HasEncoder() || s.Kind() == model.KindClassifier {
			continue
		}
		name := strings.ToUpper(string(s.Kind())) + " mix"
		mix, err := mixtures.of(s, data.Train, 1, snaps)
		var q measure.SampleQuality
		if err == nil {
			q, err = m.MixtureQuality(s, mix, compareQualitySamples, 1)
		}
		if err != nil {
			fmt.Fprintf(&b, "%-9s %v\n", name, err)
			continue
		}
		fmt.Fprintf(&b, "%-9s %8.2f %6.2f %7d %8.3f\n", name, q.Frechet, q.Score, q.Covered, q.Entropy)
	}
	if reals, err := m.Real(data.Train, compareQualitySamples, 1); err != nil {
		fmt.Fprintf(&b, "%-9s %v\n", "real", err)
	} else {
		fmt.Fprintf(&b, "%-9s %8.2f %6.2f %7d %8.3f\n", "real", reals.Frechet, reals.Score, reals.Covered, reals.Entropy)
	}
	for _, s := range snaps {
		if s.Kind() != model.KindVAE {
			continue
		}
		test := data.Test.Head(compareIWImages)
		kl, err := measure.KLPerDimension(s, test)
		if err != nil {
			continue
		}
		nll, err := measure.ImportanceWeightedNLL(s, test, compareIWSamples, 1)
		if err != nil {
			continue
		}
		fmt.Fprintf(&b, "\nVAE: %d of %d latent dimensions active (KL > %.2f nats); -log p(x) ≈ %.2f nats (k = %d, %d test images)\n",
			kl.Active, len(kl.PerDim), measure.ActiveThreshold, nll, compareIWSamples, compareIWImages)
	}
	fmt.Fprintf(&b, "\n%d prior samples each (AE: its decoder on N(0, I) draws) against %d test digits;\nmix: decodes of a mixture of 10 Gaussians fitted to training codes;\nreal: as many training digits. FD: Fréchet distance of classifier features.", compareQualitySamples, m.TestImages())
	return b.String()
}
