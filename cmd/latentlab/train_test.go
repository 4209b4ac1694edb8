package main

import (
	"bufio"
	"crypto/sha256"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"latentlab/model/dataset"
	"latentlab/model/infra/safetensors"
)

// trainArgs is a small AE run on the data in dir, written to out: 25 steps
// an epoch, 40 epochs, a few seconds in all.
func trainArgs(data, out string, extra ...string) []string {
	return append([]string{"train", "--model", "ae", "--data", data, "--out", out, "--hidden", "32",
		"--batch-size", "16", "--validation", "40", "--epochs", "40"}, extra...)
}

// runUntil starts the binary with args and sends SIGINT once a line of its
// stderr starts with after ("" sends it at once, before the process has
// even set up its handlers). It returns the exit code and the stderr.
func runUntil(t *testing.T, bin string, after string, args ...string) (int, string) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "LANG=C.UTF-8")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if after == "" {
		cmd.Process.Signal(syscall.SIGINT)
	}
	var lines []string
	sent := after == ""
	sc := bufio.NewScanner(stderr)
	for sc.Scan() {
		lines = append(lines, sc.Text())
		if !sent && strings.HasPrefix(sc.Text(), after) {
			cmd.Process.Signal(syscall.SIGINT)
			sent = true
		}
	}
	err = cmd.Wait()
	code := 0
	if exit := new(exec.ExitError); errors.As(err, &exit) {
		code = exit.ExitCode() // -1 when a signal ended it
	} else if err != nil {
		t.Fatal(err)
	}
	return code, strings.Join(lines, "\n")
}

// fileSum returns the SHA-256 of a file's bytes.
func fileSum(t *testing.T, path string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

// sameWeights fails unless the checkpoints at a and b hold the same tensors
// bit for bit (their metadata, which holds training times, may differ).
func sameWeights(t *testing.T, a, b string) {
	t.Helper()
	fa, err := safetensors.ReadFile(a)
	if err != nil {
		t.Fatal(err)
	}
	fb, err := safetensors.ReadFile(b)
	if err != nil {
		t.Fatal(err)
	}
	if len(fa.Tensors) != len(fb.Tensors) {
		t.Fatalf("%s has %d tensors, %s %d", a, len(fa.Tensors), b, len(fb.Tensors))
	}
	for _, ta := range fa.Tensors {
		tb, ok := fb.Tensor(ta.Name)
		if !ok || !slices.Equal(ta.F32, tb.F32) {
			t.Fatalf("tensor %s differs between %s and %s", ta.Name, a, b)
		}
	}
}

// A run never destroys what it did not make: it refuses to start over a
// checkpoint, an interrupted run (real SIGINTs, at several moments) never
// saves over one it did not make, nor anything before its first step, and
// a resumed run ends bit for bit where the uninterrupted one did.
func TestTrain_InterruptsNeverLoseACheckpoint(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := latentlabBinary(t)
	data, out := t.TempDir(), t.TempDir()
	if err := dataset.WriteDir(data, &dataset.MNIST{Train: dataset.Noise(440, 6, 6, 1), Test: dataset.Noise(50, 6, 6, 2)}); err != nil {
		t.Fatal(err)
	}
	ck := filepath.Join(out, "ae.safetensors")
	if code, stderr := runUntil(t, bin, "never", trainArgs(data, out)...); code != 0 {
		t.Fatalf("first run: exit %d\n%s", code, stderr)
	}
	want := fileSum(t, ck)

	// The same command again is refused before any work.
	code, stderr := runUntil(t, bin, "never", trainArgs(data, out)...)
	if code != 2 || !strings.Contains(stderr, ck+" already holds a checkpoint (ae, 40 epochs") ||
		!strings.Contains(stderr, "--resume") || !strings.Contains(stderr, "--force") {
		t.Fatalf("second run: exit %d, want 2 and a message naming %s, --resume and --force:\n%s", code, ck, stderr)
	}

	// --force runs interrupted at once, as training starts, and mid-run.
	for _, moment := range []string{"", "training ae", "epoch 2:"} {
		code, stderr := runUntil(t, bin, moment, trainArgs(data, out, "--force")...)
		if code == 0 {
			t.Fatalf("interrupted at %q: exit 0\n%s", moment, stderr)
		}
		if fileSum(t, ck) != want {
			t.Fatalf("interrupted at %q: %s changed\n%s", moment, ck, stderr)
		}
	}
	interrupted := filepath.Join(out, "ae-interrupted.safetensors")
	if _, err := os.Stat(interrupted); err != nil {
		t.Fatalf("the run interrupted mid-run saved nothing beside %s: %v", ck, err)
	}

	// Resumed elsewhere, the interrupted run ends where the first run did.
	out2 := t.TempDir()
	if code, stderr := runUntil(t, bin, "never", "train", "--resume", interrupted, "--out", out2, "--data", data); code != 0 {
		t.Fatalf("resume: exit %d\n%s", code, stderr)
	}
	sameWeights(t, ck, filepath.Join(out2, "ae.safetensors"))

	// A fresh run interrupted mid-run keeps its own checkpoint, and
	// resuming that file finishes it in place, again bit for bit.
	out3 := t.TempDir()
	if code, stderr := runUntil(t, bin, "epoch 3:", trainArgs(data, out3)...); code != 130 || !strings.Contains(stderr, "--resume") {
		t.Fatalf("fresh run interrupted: exit %d, want 130 and how to resume\n%s", code, stderr)
	}
	own := filepath.Join(out3, "ae.safetensors")
	metrics := filepath.Join(out3, "ae-metrics.json")
	if err := os.Remove(metrics); err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	if code, stderr := runUntil(t, bin, "never", "train", "--resume", own, "--data", data); code != 0 {
		t.Fatalf("resume in place: exit %d\n%s", code, stderr)
	}
	sameWeights(t, ck, own)
	if _, err := os.Stat(metrics); err != nil {
		t.Errorf("resumed in place without --out, the metrics are not beside the checkpoint: %v", err)
	}

	// Settings cannot change under --resume, and the data must match.
	other := t.TempDir()
	if err := dataset.WriteDir(other, &dataset.MNIST{Train: dataset.Noise(440, 6, 6, 9), Test: dataset.Noise(50, 6, 6, 2)}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"train", "--resume", own, "--lr", "0.1"}, "--lr cannot change a resumed run"},
		{[]string{"train", "--resume", own, "--data", other, "--out", t.TempDir()}, "was trained on " + data},
		{[]string{"train", "--resume", own, "--epochs", "3"}, "has already trained 40 epochs"},
	} {
		code, stderr := runUntil(t, bin, "never", c.args...)
		if code == 0 || !strings.Contains(stderr, c.want) {
			t.Errorf("%q: exit %d, want a message saying %q:\n%s", c.args, code, c.want, stderr)
		}
	}
}
