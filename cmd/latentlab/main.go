// Command latentlab is the latent-space explorer. With no arguments (or
// `latentlab app [--data DIR] [--paused]`) it opens the desktop app;
// `latentlab train` and `latentlab eval` run headless.
package main

import (
	"flag"
	"fmt"
	"os"
	"time"

	"latentlab/app/cli"
	"latentlab/ui"
)

func main() {
	launched := time.Now()
	args := os.Args[1:]
	if len(args) > 0 && args[0] != "app" {
		os.Exit(cli.Run(args, os.Stdout, os.Stderr))
	}
	fs := flag.NewFlagSet("app", flag.ContinueOnError)
	opts := ui.Options{Launched: launched}
	fs.StringVar(&opts.DataDir, "data", "", "directory of IDX files to use instead of the embedded MNIST")
	fs.BoolVar(&opts.Paused, "paused", false, "open without starting training")
	fs.BoolVar(&opts.Stats, "stats", false, "print responsiveness figures when the window closes")
	if len(args) > 0 {
		if err := fs.Parse(args[1:]); err != nil {
			os.Exit(2)
		}
	}
	if err := ui.Run(opts); err != nil {
		fmt.Fprintf(os.Stderr, "latentlab: %v\n", err)
		os.Exit(1)
	}
}
