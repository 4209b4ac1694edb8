package cli

import (
	"context"
	"flag"
	"fmt"
	"io"

	"latentlab/app"
	"latentlab/model"
)

func runEval(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("eval", flag.ContinueOnError)
	path := fs.String("checkpoint", "", "checkpoint file written by latentlab train (required)")
	data := fs.String("data", "", "directory of IDX files to test on instead of the embedded MNIST")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: latentlab eval --checkpoint FILE [--data DIR]\n\nflags:")
		fs.PrintDefaults()
	}
	set, err := parseFlags(fs, args, stderr)
	if err != nil {
		return err
	}
	if !set["checkpoint"] || *path == "" {
		return usagef("--checkpoint is required")
	}
	ck, err := model.LoadCheckpoint(*path)
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
	metrics, err := model.Measure(ck.Snapshot(), m.Test, ck.Stats(), ck.Config.Seed)
	if err != nil {
		return fmt.Errorf("measure %s: %w", *path, err)
	}
	return printJSON(stdout, metrics)
}
