package cli

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"latentlab/model/dataset"
	"strings"

	"latentlab/app"
	"latentlab/assets"
	"latentlab/model"
	"latentlab/model/checkpoint"
	"latentlab/model/infer"
	"latentlab/model/measure"
)

func runEval(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("eval", flag.ContinueOnError)
	path := fs.String("checkpoint", "", "checkpoint file written by latentlab train, or pretrained:NAME for a shipped model ("+strings.Join(app.Pretrained(), ", ")+") (required)")
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
	ck, err := app.LoadCheckpoint(*path)
	if err != nil {
		return err
	}
	m, known, err := dataFor(ck, *path, *data, set["data"], "measure")
	if err != nil {
		return err
	}
	if !known {
		fmt.Fprintf(stderr, "latentlab eval: %s does not record its training data (an older latentlab wrote it); measuring it on %s\n", *path, m.Source)
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
		clf, why, err := classifierFor(*clfPath, m.Source)
		if err != nil {
			return err
		}
		if why == "" && m.Test.Len() < 2 {
			why = fmt.Sprintf("the Fréchet distance needs at least 2 test images; %s has %d", m.Source.Name, m.Test.Len())
		}
		if why == "" && clf.Pixels() != snap.Pixels() {
			why = fmt.Sprintf("the classifier reads %d pixels, the %s makes %d", clf.Pixels(), ck.Config.Kind, snap.Pixels())
		}
		if why != "" {
			out.QualityUnavailable = why
			fmt.Fprintf(stderr, "latentlab eval: no sample-quality metrics: %s\n", why)
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
	// QualityUnavailable says why there is no quality report.
	QualityUnavailable string `json:"quality_unavailable,omitempty"`
}

// classifierFor returns the classifier that measures sample quality on
// the data of src: the one at path, which must have been trained on that
// data, or the shipped one, which was trained on MNIST. Where there is none
// it returns why instead: the digit classifier's figures on other data
// would mean nothing.
func classifierFor(path string, src dataset.Source) (clf *infer.Snapshot, why string, err error) {
	if path == "" {
		if !app.IsEmbedded(src) {
			return nil, fmt.Sprintf("the shipped classifier knows MNIST digits, not %s: train one with `latentlab train --model classifier --data DIR` and pass it with --classifier", src.Name), nil
		}
		b := assets.Classifier()
		ck, err := checkpoint.Read(bytes.NewReader(b), int64(len(b)), "shipped classifier")
		if err != nil {
			return nil, "", err
		}
		return ck.Snapshot(), "", nil
	}
	ck, err := checkpoint.Load(path)
	if err != nil {
		return nil, "", fmt.Errorf("--classifier: %w", err)
	}
	if ck.Config.Kind != model.KindClassifier {
		return nil, "", usagef("--classifier %s holds a model of kind %s, not a classifier", path, ck.Config.Kind)
	}
	if err := app.SameData(path, ck, src); err != nil {
		return nil, "", fmt.Errorf("--classifier: %w", err)
	}
	return ck.Snapshot(), "", nil
}

// dataFor loads the data the checkpoint ck (read from path) is to be
// measured or explored on, as verb says: the IDX files in dir, or the
// embedded MNIST when dir was not given. It refuses a model trained on
// other data than it would get, and says whether ck records its data.
func dataFor(ck *checkpoint.Checkpoint, path, dir string, dirGiven bool, verb string) (d *app.Data, known bool, err error) {
	trained, known := ck.Source()
	if known && !dirGiven && !app.IsEmbedded(trained) {
		return nil, known, usagef("%s was trained on %s: %s it on that data with --data DIR", path, trained, verb)
	}
	if d, err = app.LoadData(dir, 0, 0); err != nil {
		return nil, known, fmt.Errorf("--data: %w", err)
	}
	if err := app.SameData(path, ck, d.Source); err != nil {
		return nil, known, err
	}
	return d, known, nil
}
