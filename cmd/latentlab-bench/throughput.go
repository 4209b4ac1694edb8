package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"latentlab/app"
	"latentlab/model"
	"latentlab/model/dataset"
	"latentlab/model/train"
)

// throughputGoal is the least combined throughput, with all three models
// training in the app at once, as a fraction of training them one after
// another headless.
const throughputGoal = 0.8

// soloSteps is how many steps each model trains alone to measure its rate.
const soloSteps = 300

// parseTrainedLine reads "ae trained 26560 images in 33.4s while the window
// was open: 796 images/s (11.2s in its own steps)" into the model and its
// rate.
func parseTrainedLine(s string) (model.Kind, float64, error) {
	var kind string
	var images int
	var secs, rate float64
	if _, err := fmt.Sscanf(s, "%s trained %d images in %fs while the window was open: %f images/s", &kind, &images, &secs, &rate); err != nil {
		return "", 0, fmt.Errorf("parse %q: %w", s, err)
	}
	k, err := model.ParseKind(kind)
	if err != nil {
		return "", 0, err
	}
	return k, rate, nil
}

// configFor returns a model's default settings in architecture arch, or
// the app's own defaults for no arch.
func configFor(kind model.Kind, arch model.Arch) model.Config {
	if arch == "" {
		return app.DefaultConfig(kind)
	}
	return model.DefaultConfig(kind).WithArch(arch)
}

// soloRate trains the model's default configuration for arch alone,
// headless, for soloSteps steps after a short warm-up, and returns its images
// per second.
func soloRate(ctx context.Context, kind model.Kind, arch model.Arch, trainSet *dataset.Set) (float64, error) {
	cfg := configFor(kind, arch)
	cfg.Epochs = 1000
	const warmup = 20
	took, err := trainUntil(ctx, cfg, trainSet, warmup, func(_ train.Event, steps int) bool { return steps == warmup+soloSteps })
	if err != nil {
		return 0, err
	}
	return float64(soloSteps*cfg.BatchSize) / took.Seconds(), nil
}

// soloRates measures soloRate for each of the app's models.
func soloRates(ctx context.Context, trainSet *dataset.Set, arch model.Arch) (map[model.Kind]float64, error) {
	rates := map[model.Kind]float64{}
	for _, k := range app.Kinds {
		r, err := soloRate(ctx, k, arch, trainSet)
		if err != nil {
			return nil, err
		}
		rates[k] = r
	}
	return rates, nil
}

// printThroughput compares the rates the app reported with each model's
// rate alone, the mean of before and after the app ran: sum_i app_i / solo_i
// is the combined throughput as a fraction of training the models one
// after another (1 means no loss at all).
func printThroughput(stdout io.Writer, lines []string, before, after map[model.Kind]float64) error {
	inApp := map[model.Kind]float64{}
	for _, l := range lines {
		k, rate, err := parseTrainedLine(l)
		if err != nil {
			return err
		}
		inApp[k] = rate
	}
	if len(inApp) == 0 {
		return errors.New("the app reported no training rates")
	}
	fmt.Fprintf(stdout, "  training with the window open against each model alone headless (the same configurations),\n")
	fmt.Fprintf(stdout, "  alone measured before and after the app; the share is over their mean\n")
	fmt.Fprintf(stdout, "  %-8s %12s %12s %12s %8s\n", "model", "in the app", "alone before", "alone after", "share")
	var combined float64
	var kinds []string
	for _, k := range app.Kinds {
		rate, ok := inApp[k]
		if !ok {
			continue
		}
		solo := (before[k] + after[k]) / 2
		share := rate / solo
		combined += share
		kinds = append(kinds, string(k))
		fmt.Fprintf(stdout, "  %-8s %10.0f/s %10.0f/s %10.0f/s %8.2f\n", k, rate, before[k], after[k], share)
	}
	fmt.Fprintf(stdout, "  combined throughput %.2f of sequential (%s)  goal >= %.2f: %s\n", combined,
		strings.Join(kinds, "+"), throughputGoal, verdict(combined >= throughputGoal))
	return nil
}
