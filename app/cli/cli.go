package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

// Exit codes.
const (
	exitOK          = 0
	exitFailure     = 1
	exitUsage       = 2
	exitInterrupted = 130
)

const usage = `latentlab: a latent-space explorer for AE, VAE and GAN models of digits

usage:
  latentlab                      open the desktop app
  latentlab app [--data DIR] [--paused] [--open F]...
                                 open the desktop app on other data, without training, or with
                                 saved models (F: a file, or pretrained:NAME for a shipped one)
  latentlab train [flags]        train one model headless (see latentlab train -h)
  latentlab eval --checkpoint F  print the metrics of a saved model as JSON (F may be pretrained:NAME)
  latentlab encode --checkpoint F --image PATH [--out DIR]
                                 find an image of a digit in a model's latent space (JSON, and PNGs)
  latentlab explore --checkpoint F [--out DIR]
                                 a model's latent space: principal plane, traversals (PNG, GIF),
                                 codes (CSV), explained variance, KL per dimension, active units (JSON)
  latentlab soak [--minutes N]   train all three with synthetic drags; report memory and goroutines
  latentlab export --torch --checkpoint F --out F
                                 write a model's state_dict in PyTorch's layout (see cmd/latentlab-torch)
  latentlab export --half --checkpoint F --out F
                                 write a model as the pretrained ones are shipped (half precision)
  latentlab import --weights F [--describe JSON] --out F
                                 turn a PyTorch state_dict of a latentlab architecture into a checkpoint
  latentlab help                 show this text
`

// Run executes the command line args (without the program name), writing
// results to stdout and progress and errors to stderr, and returns the exit
// code. An interrupt (Ctrl-C) or SIGTERM stops training cleanly; a second
// one ends the process at once, for work that does not stop early (an
// evaluation under way, say).
func Run(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		stop() // the next signal gets the default action
	}()
	return RunContext(ctx, args, stdout, stderr)
}

// RunContext is Run with a context that stops long work.
func RunContext(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	var err error
	switch args[0] {
	case "train":
		err = runTrain(ctx, args[1:], stdout, stderr)
	case "eval":
		err = runEval(ctx, args[1:], stdout, stderr)
	case "soak":
		err = runSoak(ctx, args[1:], stdout, stderr)
	case "encode":
		err = runEncode(ctx, args[1:], stdout, stderr)
	case "explore":
		err = runExplore(ctx, args[1:], stdout, stderr)
	case "export":
		err = runExport(ctx, args[1:], stdout, stderr)
	case "import":
		err = runImport(ctx, args[1:], stdout, stderr)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return exitOK
	default:
		fmt.Fprintf(stderr, "latentlab: unknown command %q\n\n%s", args[0], usage)
		return exitUsage
	}
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, flag.ErrHelp):
		return exitOK
	case errors.As(err, new(*usageError)):
		fmt.Fprintf(stderr, "latentlab %s: %v\n", args[0], err)
		return exitUsage
	case errors.Is(err, context.Canceled):
		fmt.Fprintf(stderr, "latentlab %s: interrupted: %v\n", args[0], err)
		return exitInterrupted
	default:
		fmt.Fprintf(stderr, "latentlab %s: %v\n", args[0], err)
		return exitFailure
	}
}

// usageError is a problem with the command line itself.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, a ...any) error { return &usageError{fmt.Sprintf(format, a...)} }

// countingValue refuses a flag given more than once.
type countingValue struct {
	flag.Value
	name string
	seen bool
}

func (c *countingValue) Set(s string) error {
	if c.seen {
		return fmt.Errorf("given twice (each flag may appear once)")
	}
	c.seen = true
	return c.Value.Set(s)
}

// IsBoolFlag keeps boolean flags usable without a value.
func (c *countingValue) IsBoolFlag() bool {
	b, ok := c.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

// parseFlags parses args into fs, refusing repeated flags and stray
// arguments, and returns the names of the flags that were set.
func parseFlags(fs *flag.FlagSet, args []string, stderr io.Writer) (map[string]bool, error) {
	fs.VisitAll(func(f *flag.Flag) { f.Value = &countingValue{Value: f.Value, name: f.Name} })
	fs.SetOutput(io.Discard)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			// The usage reads each flag's own type and default, which
			// the wrapper would hide (and the flag package calls String
			// on a zero wrapper, which has no value to ask).
			fs.VisitAll(func(f *flag.Flag) { f.Value = f.Value.(*countingValue).Value })
			fs.SetOutput(stderr)
			fs.Usage()
			return nil, err
		}
		return nil, usagef("%s (see latentlab %s -h)", strings.TrimPrefix(err.Error(), "flag "), fs.Name())
	}
	if fs.NArg() > 0 {
		return nil, usagef("unexpected argument %q (flags start with --)", fs.Arg(0))
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	return set, nil
}
