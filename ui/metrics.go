package ui

import (
	"fmt"
	"strings"

	"latentlab/model"
	"latentlab/model/dataset"
)

// metricsText measures each snapshot on test and lays the numbers out as a
// fixed-width table: test loss for AE and VAE (the VAE's negative ELBO
// split into reconstruction and KL), the GAN's game on real and generated
// digits.
func metricsText(snaps []*model.Snapshot, test *dataset.Set) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%-4s %6s %9s %9s %7s\n", "", "epoch", "loss", "recon", "KL")
	for _, s := range snaps {
		if !s.HasEncoder() {
			continue
		}
		l, err := s.Evaluate(test, 1)
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
		g, err := s.EvaluateGAN(test, 1)
		if err != nil {
			continue
		}
		fmt.Fprintf(&b, "\nGAN epoch %d: D loss %.3f · G loss %.3f · D(x) %.2f · D(G(z)) %.2f\n", s.Epoch(), g.DLoss, g.GLoss, g.DReal, g.DFake)
	}
	fmt.Fprintf(&b, "\non %d test images; AE loss is reconstruction, VAE loss is the negative ELBO", test.Len())
	return b.String()
}
