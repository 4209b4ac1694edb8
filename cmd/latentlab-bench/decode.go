package main

import (
	"fmt"
	"io"
	"testing"
	"time"

	"latentlab/model"
	"latentlab/model/dataset"
	"latentlab/model/infer"
	"latentlab/model/kernel"
	"latentlab/model/train"
)

// Goals for the decoding that follows a drag (the targets).
const (
	decodeGoal   = 20 * time.Microsecond
	manifoldGoal = 2 * time.Millisecond
)

// runDecode times decoding with testing.Benchmark on untrained
// default-sized models (the weights' values do not change the cost) and
// prints each time beside its goal.
func runDecode(stdout io.Writer) error {
	vae, closeVAE, err := decodeSnapshot(model.KindVAE, 2)
	if err != nil {
		return err
	}
	defer closeVAE()
	gan, closeGAN, err := decodeSnapshot(model.KindGAN, 16)
	if err != nil {
		return err
	}
	defer closeGAN()
	z2, z16, plane := latent(2), latent(16), infer.PriorPlane(2, 0, 1)
	benches := []struct {
		what       string
		goal, unit time.Duration
		op         func() error
	}{
		{"VAE z=2: preview one z (drag)", decodeGoal, time.Microsecond, func() error { _, err := vae.Preview(z2); return err }},
		{"GAN z=16: preview one z (drag)", decodeGoal, time.Microsecond, func() error { _, err := gan.Preview(z16); return err }},
		{"VAE z=2: decode one z (float32)", 0, time.Microsecond, func() error { _, err := vae.Decode(z2); return err }},
		{"GAN z=16: decode one z (float32)", 0, time.Microsecond, func() error { _, err := gan.Decode(z16); return err }},
		{"VAE z=2: 20x20 manifold", manifoldGoal, time.Millisecond, func() error { _, err := vae.Manifold(plane, 20); return err }},
	}
	fmt.Fprintf(stdout, "\nDecoding (testing.Benchmark; default hidden sizes; a drag shows Preview, half-precision weights%s)\n", halfNote())
	const format = "  %-36s %11s %9s  %s\n"
	fmt.Fprintf(stdout, "  %-36s %11s %9s\n", "what", "time", "goal")
	for _, b := range benches {
		per, err := measure(b.op)
		if err != nil {
			return fmt.Errorf("decode benchmark %s: %w", b.what, err)
		}
		if b.goal == 0 {
			fmt.Fprintf(stdout, format, b.what, formatIn(per, b.unit), missing, "")
			continue
		}
		fmt.Fprintf(stdout, format, b.what, formatIn(per, b.unit), formatGoal(b.goal, b.unit), verdict(per < b.goal))
	}
	return nil
}

// halfNote says which loops Preview runs, or that it falls back to float32.
func halfNote() string {
	if kernel.HalfSupported() {
		return "; Preview runs the " + kernel.HalfPath() + " half-precision loops"
	}
	return "; no half-precision loops here (F16C with AVX2 or AVX-512, or " + kernel.HalfEnv + "=off), so Preview is Decode"
}

// latent returns a fixed z of n dimensions.
func latent(n int) []float64 {
	z := make([]float64, n)
	for i := range z {
		z[i] = 0.5 - 1.5*float64(i%2)
	}
	return z
}

// measure returns op's time per call under testing.Benchmark.
func measure(op func() error) (time.Duration, error) {
	var err error
	r := testing.Benchmark(func(b *testing.B) {
		for b.Loop() {
			if err = op(); err != nil {
				return
			}
		}
	})
	if err != nil {
		return 0, err
	}
	if r.N == 0 {
		return 0, fmt.Errorf("no iterations ran")
	}
	return r.T / time.Duration(r.N), nil
}

// decodeSnapshot builds a default-sized kind with a latentDim-dimensional z
// on a batch of synthetic images and returns its first snapshot and a
// function that releases the trainer.
func decodeSnapshot(kind model.Kind, latentDim int) (*infer.Snapshot, func(), error) {
	cfg := model.DefaultConfig(kind)
	cfg.LatentDim = latentDim
	tr, err := train.NewTrainer(cfg, dataset.Noise(cfg.BatchSize, 28, 28, 1), nil)
	if err != nil {
		return nil, nil, fmt.Errorf("decode benchmark: %s trainer: %w", kind, err)
	}
	return tr.Snapshot(), tr.Close, nil
}
