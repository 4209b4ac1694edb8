// Command latentlab is the latent-space explorer. `latentlab train`,
// `latentlab eval` and `latentlab soak` run headless and link no GUI code;
// with no arguments, or `latentlab app [--data DIR] [--paused]`, it starts
// the desktop app, the program latentlab-app beside it.
package main

import (
	"fmt"
	"os"

	"latentlab/app/cli"
	"latentlab/cmd/internal/gcpace"
)

func main() {
	gcpace.Set()
	args := os.Args[1:]
	if len(args) == 0 || args[0] == "app" {
		if len(args) > 0 {
			args = args[1:]
		}
		err := launchApp(args)
		fmt.Fprintf(os.Stderr, "latentlab app: %v\n", err)
		os.Exit(1)
	}
	os.Exit(cli.Run(args, os.Stdout, os.Stderr))
}
