// Command latentlab-app is latentlab's desktop app:
// `latentlab-app [--data DIR] [--paused] [--stats] [--heap-profile FILE] [--open FILE]...`. `latentlab` with no
// arguments, or `latentlab app`, starts it; the headless commands live in
// `latentlab` alone, which links no GUI code.
package main

import (
	"flag"
	"fmt"
	"os"
	"time"

	"latentlab/cmd/internal/display"
	"latentlab/cmd/internal/gcpace"
	"latentlab/cmd/internal/windowpace"
	"latentlab/ui"
)

func main() {
	launched := time.Now()
	gcpace.Set()
	windowpace.Set()
	fs := flag.NewFlagSet("latentlab app", flag.ContinueOnError)
	opts := ui.Options{Launched: launched}
	fs.StringVar(&opts.DataDir, "data", "", "directory of IDX files to use instead of the embedded MNIST")
	fs.BoolVar(&opts.Paused, "paused", false, "open without starting training")
	fs.BoolVar(&opts.Stats, "stats", false, "print responsiveness figures when the window closes")
	fs.StringVar(&opts.HeapProfile, "heap-profile", "", "write a Go heap profile to this file when the window closes (for go tool pprof)")
	fs.Func("open", "open a model at start, paused, in the view of its kind: a checkpoint, a PyTorch state_dict, or pretrained:NAME for a shipped model (repeatable)", func(v string) error {
		opts.Open = append(opts.Open, v)
		return nil
	})
	if err := fs.Parse(os.Args[1:]); err != nil {
		if err == flag.ErrHelp {
			os.Exit(0)
		}
		os.Exit(2)
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "latentlab app: unexpected argument %q (flags start with --)\n", fs.Arg(0))
		os.Exit(2)
	}
	if err := display.Check(); err != nil {
		fmt.Fprintf(os.Stderr, "latentlab app: cannot open a window: %v\n", err)
		os.Exit(1)
	}
	if err := ui.Run(opts); err != nil {
		fmt.Fprintf(os.Stderr, "latentlab app: %v\n", err)
		os.Exit(1)
	}
}
