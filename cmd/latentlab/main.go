// Command latentlab is the latent-space explorer. With no arguments it
// opens the desktop app; `latentlab train` and `latentlab eval` run headless.
package main

import (
	"os"

	"latentlab/app/cli"
)

func main() {
	os.Exit(cli.Run(os.Args[1:], os.Stdout, os.Stderr))
}
