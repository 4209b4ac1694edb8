package main

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	"latentlab/assets"
	"latentlab/model"
)

// referenceScript trains one model for one epoch in PyTorch; see its docstring.
//
//go:embed reference.py
var referenceScript []byte

// noTorchMessage is shown in place of the reference's figures when no
// Python can import torch.
const noTorchMessage = "PyTorch reference not run: python3-torch is not installed (apt-get install python3-torch)"

// trainImages is the embedded file the reference reads its digits from.
const trainImages = "train-images-idx3-ubyte.gz"

// torchPython is a Python interpreter that imports torch.
type torchPython struct {
	path    string
	version string // torch.__version__
}

// torchSetup is how the training rows run the reference: with py (nil when
// it is not run, for the reason whyNot) on threads threads.
type torchSetup struct {
	py      *torchPython
	threads int
	whyNot  string
}

// findTorch returns the first of /usr/bin/python3 and the python3 on PATH
// that imports torch.
func findTorch(ctx context.Context) (*torchPython, error) {
	tried := map[string]bool{}
	for _, name := range []string{"/usr/bin/python3", "python3"} {
		path, err := exec.LookPath(name)
		if err != nil || tried[path] {
			continue
		}
		tried[path] = true
		out, err := exec.CommandContext(ctx, path, "-c", "import torch; print(torch.__version__)").Output()
		if err != nil {
			continue
		}
		return &torchPython{path: path, version: lastLine(string(out))}, nil
	}
	return nil, errors.New("no python3 imports torch")
}

// reference runs the embedded script on the embedded training images, both
// written to a temporary directory.
type reference struct {
	py      torchPython
	threads int
	dir     string
}

// newReference writes the script and the images to a new temporary
// directory; Close removes it.
func newReference(py torchPython, threads int) (*reference, error) {
	dir, err := os.MkdirTemp("", "latentlab-bench-")
	if err != nil {
		return nil, fmt.Errorf("temporary directory: %w", err)
	}
	images, err := fs.ReadFile(assets.MNIST(), trainImages)
	if err == nil {
		err = os.WriteFile(filepath.Join(dir, trainImages), images, 0o644)
	}
	if err == nil {
		err = os.WriteFile(filepath.Join(dir, "reference.py"), referenceScript, 0o644)
	}
	if err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("writing the reference's files to %s: %w", dir, err)
	}
	return &reference{py: py, threads: threads, dir: dir}, nil
}

// Close removes the temporary directory.
func (r *reference) Close() error { return os.RemoveAll(r.dir) }

// torchResult is the JSON line the reference prints.
type torchResult struct {
	Seconds float64 `json:"seconds"`
	Images  int     `json:"images"`
	Threads int     `json:"threads"`
	Torch   string  `json:"torch"`
}

// epoch trains cfg for one epoch in PyTorch, or for steps steps when steps
// is not 0 (the convolutional models, through the PyTorch companion's
// modules).
func (r *reference) epoch(ctx context.Context, cfg model.Config, steps int) (torchResult, error) {
	args := referenceArgs(filepath.Join(r.dir, "reference.py"), filepath.Join(r.dir, trainImages), cfg, r.threads)
	if cfg.Conv() {
		wd, err := os.Getwd()
		if err != nil {
			return torchResult{}, err
		}
		root, err := moduleRoot(wd)
		if err != nil {
			return torchResult{}, fmt.Errorf("the conv reference needs the companion in cmd/latentlab-torch: %w", err)
		}
		args = append(args, "--arch", "conv", "--upsample", string(cfg.UpsampleOf()), "--steps", strconv.Itoa(steps),
			"--companion", filepath.Join(root, "cmd", "latentlab-torch"))
	}
	cmd := exec.CommandContext(ctx, r.py.path, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return torchResult{}, fmt.Errorf("%s %s: %w: %s", r.py.path, strings.Join(args, " "), err, lastLine(stderr.String()))
	}
	res, err := parseTorchResult(stdout.String())
	if err != nil {
		return torchResult{}, fmt.Errorf("%s output: %w", r.py.path, err)
	}
	return res, nil
}

// referenceArgs is the command line that has the script train cfg.
func referenceArgs(script, images string, cfg model.Config, threads int) []string {
	return []string{script,
		"--images", images,
		"--model", string(cfg.Kind),
		"--hidden", joinInts(cfg.Hidden),
		"--latent", strconv.Itoa(cfg.LatentDim),
		"--batch", strconv.Itoa(cfg.BatchSize),
		"--lr", strconv.FormatFloat(cfg.LearningRate, 'g', -1, 64),
		"--threads", strconv.Itoa(threads),
	}
}

// parseTorchResult reads the last JSON line of the reference's output,
// which must report a positive time.
func parseTorchResult(out string) (torchResult, error) {
	line := lastLine(out)
	if !strings.HasPrefix(line, "{") {
		return torchResult{}, fmt.Errorf("no JSON line in %q", line)
	}
	var res torchResult
	if err := json.Unmarshal([]byte(line), &res); err != nil {
		return torchResult{}, fmt.Errorf("parse %q: %w", line, err)
	}
	if !(res.Seconds > 0) {
		return torchResult{}, fmt.Errorf("%q: seconds must be positive", line)
	}
	return res, nil
}

// lastLine returns the last non-blank line of s, trimmed.
func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}
