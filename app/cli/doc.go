// Package cli implements latentlab's headless commands: `train`, which
// trains one model and writes its checkpoint, metrics and pictures, and
// `eval`, which prints the metrics of a saved checkpoint. Run is the whole
// command line; it returns the process exit code and never panics on bad
// input.
package cli
