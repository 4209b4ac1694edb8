package cli

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"

	"latentlab/app"
	"latentlab/assets"
	"latentlab/model"
	"latentlab/model/checkpoint"
	"latentlab/model/infer"
	"latentlab/model/measure"
)

func runEval(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("eval", flag.ContinueOnError)
	path := fs.String("checkpoint", "", "checkpoint file written by latentlab train (required)")
	data := fs.String("data", "", "directory of IDX files to test on instead of the embedded MNIST")
	samples := fs.Int("samples", 10000, "generated digits measured by the classifier (0: skip the sample-quality metrics)")
	iw := fs.Int("iw-samples", 100, "vae: importance samples per test image for log p(x) (0: skip)")
	clfPath := fs.String("classifier", "", "classifier checkpoint for the sample-quality metrics (default: the one shipped in latentlab)")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: latentlab eval --checkpoint FILE [--samples N] [--iw-samples K] [--data DIR]\n\nflags:")
		fs.PrintDefaults()
	}
	set, err := parseFlags(fs, args, stderr)
	if err != nil {
		return err
	}
	if !set["checkpoint"] || *path == "" {
		return usagef("--checkpoint is required")
	}
	if *samples < 0 || *samples == 1 || *samples > 1000000 {
		return usagef("--samples %d: must be 0 (skip) or between 2 and 1000000", *samples)
	}
	if *iw < 0 || *iw > 100000 {
		return usagef("--iw-samples %d: must be between 0 and 100000", *iw)
	}
	ck, err := checkpoint.Load(*path)
	if err != nil {
		return err
	}
	m, err := app.LoadData(*data, 0, 0)
	if err != nil {
		return err
	}
	if m.Test.Rows != ck.Config.ImageRows || m.Test.Cols != ck.Config.ImageCols {
		return fmt.Errorf("--checkpoint %s was trained on %dx%d images; the test images are %dx%d", *path, ck.Config.ImageRows, ck.Config.ImageCols, m.Test.Rows, m.Test.Cols)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	snap := ck.Snapshot()
	metrics, err := measure.Measure(snap, m.Test, ck.Stats(), ck.Config.Seed)
	if err != nil {
		return fmt.Errorf("measure %s: %w", *path, err)
	}
	out := evalOutput{Metrics: metrics}
	if *samples > 0 && ck.Config.Kind != model.KindClassifier {
		clf, err := loadClassifier(*clfPath)
		if err != nil {
			return err
		}
		if clf.Pixels() != snap.Pixels() {
			fmt.Fprintf(stderr, "latentlab eval: no sample-quality metrics: the classifier reads %d pixels, the %s makes %d (give one trained on this data with --classifier)\n", clf.Pixels(), ck.Config.Kind, snap.Pixels())
			return printJSON(stdout, out)
		}
		q, err := measure.MeasureQuality(snap, clf, m.Test, m.Train, measure.QualityOptions{Samples: *samples, IWSamples: *iw, Seed: ck.Config.Seed})
		if err != nil {
			return fmt.Errorf("quality of %s: %w", *path, err)
		}
		out.Quality = &q
	}
	return printJSON(stdout, out)
}

// evalOutput is the JSON `latentlab eval` prints: the metrics, and the
// sample-quality report of a generative model.
type evalOutput struct {
	measure.Metrics
	Quality *measure.QualityReport `json:"quality,omitempty"`
}

// loadClassifier reads the classifier at path, or the shipped one.
func loadClassifier(path string) (*infer.Snapshot, error) {
	var ck *checkpoint.Checkpoint
	var err error
	if path == "" {
		b := assets.Classifier()
		ck, err = checkpoint.Read(bytes.NewReader(b), int64(len(b)), "shipped classifier")
	} else {
		ck, err = checkpoint.Load(path)
	}
	if err != nil {
		return nil, err
	}
	if ck.Config.Kind != model.KindClassifier {
		return nil, fmt.Errorf("--classifier %s holds a %s, not a classifier", path, ck.Config.Kind)
	}
	return ck.Snapshot(), nil
}
