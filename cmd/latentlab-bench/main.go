// Command latentlab-bench measures latentlab's speed and prints one table:
// seconds per 60,000-image training epoch beside a PyTorch reference run on
// the same digits, the time to decode one z and a 20x20 manifold, and with
// --drag the drag-to-screen latency of the desktop app under Xvfb.
//
//	go run ./cmd/latentlab-bench [--only ae,vae,vae400,gan] [--skip-torch] [--torch-threads N] [--drag | --drag-only]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"syscall"

	"latentlab/assets"
	"latentlab/model"
	"latentlab/model/dataset"
	"latentlab/model/infra/openblas"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "latentlab-bench: %v\n", err)
		os.Exit(1)
	}
}

// options are the command-line settings.
type options struct {
	rows         []trainRow
	skipTorch    bool
	torchThreads int
	drag         bool
	dragOnly     bool
	dragArch     model.Arch // the architecture of the three models the drag runs beside
}

// parseFlags reads the command line.
func parseFlags(args []string, stderr io.Writer) (options, error) {
	fs := flag.NewFlagSet("latentlab-bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	only := fs.String("only", "", "training rows to run, comma-separated, of "+strings.Join(rowNames(trainRows()), ","))
	var o options
	fs.BoolVar(&o.skipTorch, "skip-torch", false, "do not run the PyTorch reference")
	fs.IntVar(&o.torchThreads, "torch-threads", 1, "threads for the PyTorch reference (1 is its fastest on 2 cores)")
	fs.BoolVar(&o.drag, "drag", false, "also measure drag-to-screen latency and in-app throughput of bin/latentlab-app under Xvfb (needs Xvfb and xdotool)")
	fs.BoolVar(&o.dragOnly, "drag-only", false, "measure only what --drag measures")
	arch := fs.String("drag-arch", "", "architecture of the three models training in the app while --drag measures: mlp or conv; unset, the app's defaults (conv for the GAN)")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if o.dragArch = model.Arch(*arch); o.dragArch != "" && o.dragArch != model.ArchMLP && o.dragArch != model.ArchConv {
		return o, fmt.Errorf("--drag-arch %q: must be mlp or conv", *arch)
	}
	if o.torchThreads < 1 {
		return o, fmt.Errorf("--torch-threads = %d: must be at least 1", o.torchThreads)
	}
	rows, err := selectRows(trainRows(), *only)
	if err != nil {
		return o, fmt.Errorf("--only: %w", err)
	}
	o.rows = rows
	if o.dragOnly {
		o.rows, o.drag = nil, true
	}
	return o, nil
}

// run measures everything the options ask for and prints it to stdout;
// progress and the reference's complaints go to stderr. A missing PyTorch
// or drag tooling is reported, not an error.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	openblas.SetThreads(runtime.NumCPU())

	ts := torchSetup{threads: o.torchThreads, whyNot: "PyTorch reference not run (--skip-torch)"}
	torchState := "not checked (--skip-torch)"
	switch {
	case len(o.rows) == 0:
		torchState = "not checked (no training rows)"
	case !o.skipTorch:
		if ts.py, err = findTorch(ctx); err != nil {
			torchState = "absent (python3-torch is not installed)"
			ts.whyNot = noTorchMessage
		} else {
			torchState = fmt.Sprintf("%s (%s; the reference runs with --torch-threads %d)", ts.py.version, ts.py.path, o.torchThreads)
		}
	}
	writeHeader(stdout, readHeader(torchState))

	var train *dataset.Set // the 60,000 training digits, read once for the training rows and the solo runs
	if len(o.rows) > 0 || o.drag {
		m, err := dataset.Load(assets.MNIST())
		if err != nil {
			return fmt.Errorf("embedded MNIST: %w", err)
		}
		train = m.Train
	}
	var errs []error
	if len(o.rows) > 0 {
		if err := runTraining(ctx, stdout, stderr, o.rows, ts, train); err != nil {
			errs = append(errs, err)
		}
	}
	if ctx.Err() == nil && !o.dragOnly {
		if err := runDecode(stdout); err != nil {
			errs = append(errs, err)
		}
	}
	if o.drag && ctx.Err() == nil {
		if err := runDrag(ctx, stdout, stderr, train, o.dragArch); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
