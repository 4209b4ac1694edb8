package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"latentlab/app"
	"latentlab/cmd/internal/x11"
	"latentlab/model"
	"latentlab/model/dataset"
)

// The drag measurement: how long training runs before the drag, how many
// motion events the drag has and how far apart, and the goal for the p99.
const (
	dragWarmup   = 30 * time.Second
	dragEvents   = 150
	dragInterval = 16 * time.Millisecond
	dragGoal     = 16 * time.Millisecond
)

// runDrag starts bin/latentlab-app --stats on a fresh Xvfb display, lets the
// three models (of architecture arch) train, drags over the VAE pad with
// xdotool, quits the app with SIGTERM and prints the drag latency it
// reports. Without Xvfb or xdotool it says so and returns nil.
func runDrag(ctx context.Context, stdout, stderr io.Writer, train *dataset.Set, arch model.Arch) error {
	models := string(arch) + " models"
	if arch == "" {
		models = "the app's default models"
	}
	fmt.Fprintf(stdout, "\nDrag to screen (bin/latentlab-app --stats under Xvfb, %s; %d-event drag over the VAE pad after %v of training)\n", models, dragEvents, dragWarmup)
	for _, tool := range []string{"Xvfb", "xdotool"} {
		if _, err := exec.LookPath(tool); err != nil {
			fmt.Fprintf(stdout, "  not measured: %s is not installed (apt-get install xvfb xdotool)\n", tool)
			return nil
		}
	}
	wd, err := os.Getwd()
	if err != nil {
		return fmt.Errorf("drag: %w", err)
	}
	root, err := moduleRoot(wd)
	if err != nil {
		return fmt.Errorf("drag: %w", err)
	}
	bin, err := buildApp(ctx, root, stderr)
	if err != nil {
		return fmt.Errorf("drag: %w", err)
	}
	// Each model alone, before and after the app: the machine's speed
	// drifts over minutes, and the app's run falls between the two.
	before, err := soloRates(ctx, train, arch)
	if err != nil {
		return fmt.Errorf("throughput: %w", err)
	}
	display, err := x11.Start()
	if err != nil {
		return fmt.Errorf("drag: %w", err)
	}
	defer display.Stop()
	out, err := dragSession(ctx, bin, display, arch, stderr)
	if err != nil {
		return fmt.Errorf("drag: %w", err)
	}
	after, err := soloRates(ctx, train, arch)
	if err != nil {
		return fmt.Errorf("throughput: %w", err)
	}
	st, err := parseStats(out)
	if err != nil {
		return fmt.Errorf("drag: %w; the app printed:\n%s", err, out)
	}
	const format = "  %-36s %11s %11s %11s  %s\n"
	fmt.Fprintf(stdout, "  %-36s %11s %11s %11s\n", "drag event to new digit", "p50", "p99", "max")
	fmt.Fprintf(stdout, format, fmt.Sprintf("%d drags", st.drags), formatIn(st.p50, time.Millisecond), formatIn(st.p99, time.Millisecond),
		formatIn(st.max, time.Millisecond), fmt.Sprintf("p99 %s: %s", formatGoal(dragGoal, time.Millisecond), verdict(st.p99 < dragGoal)))
	fmt.Fprintf(stdout, "  first training progress on screen %.2f s after launch\n", st.firstProgress.Seconds())
	if err := printThroughput(stdout, st.training, before, after); err != nil {
		return fmt.Errorf("throughput: %w", err)
	}
	return nil
}

// writeArchPrefs saves, in the app's preferences under configHome, each
// model's default settings for arch, as the settings form does; for no
// arch (the app's own defaults) it writes nothing.
func writeArchPrefs(configHome string, arch model.Arch) error {
	if arch == "" {
		return nil
	}
	prefs := map[string]string{}
	for _, k := range app.Kinds {
		b, err := json.Marshal(configFor(k, arch))
		if err != nil {
			return err
		}
		prefs["config."+string(k)] = string(b)
	}
	dir := filepath.Join(configHome, "fyne", "org.latentlab.app")
	b, _ := json.Marshal(prefs) // a map of strings always marshals
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "preferences.json"), b, 0o644)
}

// moduleRoot returns the nearest directory at or above dir whose go.mod
// declares module latentlab.
func moduleRoot(dir string) (string, error) {
	for d := dir; ; d = filepath.Dir(d) {
		if b, err := os.ReadFile(filepath.Join(d, "go.mod")); err == nil {
			if first, _, _ := strings.Cut(string(b), "\n"); strings.TrimSpace(first) == "module latentlab" {
				return d, nil
			}
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("no latentlab go.mod at or above %s; run from the repository", dir)
		}
	}
}

// buildApp builds bin/latentlab-app, the desktop app, as `make build` does;
// if that fails and an older binary is there, it says so and uses it.
func buildApp(ctx context.Context, root string, stderr io.Writer) (string, error) {
	bin := filepath.Join(root, "bin", "latentlab-app")
	fmt.Fprintf(stderr, "latentlab-bench: building %s...\n", bin)
	cmd := exec.CommandContext(ctx, "go", "build", "-tags", "migrated_fynedo", "-o", bin, "./cmd/latentlab-app")
	cmd.Dir = root
	out, err := cmd.CombinedOutput()
	if err == nil {
		return bin, nil
	}
	if _, statErr := os.Stat(bin); statErr == nil && ctx.Err() == nil {
		fmt.Fprintf(stderr, "latentlab-bench: build failed, measuring the existing %s: %v\n%s", bin, err, out)
		return bin, nil
	}
	return "", fmt.Errorf("build %s: %w\n%s", bin, err, out)
}

// dragSession runs the app on display with the three models of arch, drags
// over the VAE pad and returns what the app printed on stderr once SIGTERM
// has closed it.
func dragSession(ctx context.Context, bin string, display *x11.Display, arch model.Arch, stderr io.Writer) (string, error) {
	var appErr bytes.Buffer
	app := display.Command(bin, "--stats")
	app.Stdout, app.Stderr = io.Discard, &appErr
	// Fresh preferences: the defaults are what the bench measures, and no
	// notice about a user's saved settings covers the pads.
	prefs, err := os.MkdirTemp("", "latentlab-bench-prefs-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(prefs)
	if err := writeArchPrefs(prefs, arch); err != nil {
		return "", err
	}
	app.Env = append(app.Env, "XDG_CONFIG_HOME="+prefs)
	if err := app.Start(); err != nil {
		return "", fmt.Errorf("start %s: %w", bin, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- app.Wait() }()
	alive := func() error {
		select {
		case err := <-exited:
			exited <- err
			return fmt.Errorf("the app exited early (%v):\n%s", err, appErr.String())
		default:
			return nil
		}
	}
	kill := func() {
		app.Process.Kill()
		<-exited
	}

	fmt.Fprintf(stderr, "latentlab-bench: waiting for the window on %s...\n", display.Name)
	win, err := display.WaitForWindow(ctx, "latentlab", 60*time.Second, alive)
	if err != nil {
		kill()
		return "", err
	}
	fmt.Fprintf(stderr, "latentlab-bench: letting the models train for %v...\n", dragWarmup)
	select {
	case <-time.After(dragWarmup):
	case <-ctx.Done():
		kill()
		return "", ctx.Err()
	}
	if err := alive(); err != nil {
		return "", err
	}
	geo, err := display.Geometry(win)
	if err != nil {
		kill()
		return "", fmt.Errorf("window geometry: %w", err)
	}
	fmt.Fprintf(stderr, "latentlab-bench: dragging...\n")
	if _, err := display.XDoTool(dragArgs(geo, dragEvents, dragInterval)...); err != nil {
		kill()
		return "", fmt.Errorf("drag: %w", err)
	}
	time.Sleep(time.Second)
	if err := alive(); err != nil {
		return "", err
	}
	app.Process.Signal(syscall.SIGTERM)
	select {
	case <-exited:
	case <-time.After(60 * time.Second):
		kill()
		return "", fmt.Errorf("the app did not quit within 60 s of SIGTERM:\n%s", appErr.String())
	}
	return appErr.String(), nil
}

// dragArgs is one xdotool command line that presses the button on the VAE
// pad (the middle column), moves n times every interval, sweeping left and
// right three times while climbing, and releases. It stays inside the part
// of the pad the smoke test drags over.
func dragArgs(win x11.Rect, n int, interval time.Duration) []string {
	at := func(fx, fy float64) []string {
		x, y := win.At(fx, fy)
		return []string{"mousemove", x, y}
	}
	args := append(at(0.42, 0.45), "mousedown", "1")
	pause := strconv.FormatFloat(interval.Seconds(), 'f', -1, 64)
	for i := 1; i <= n; i++ {
		t := float64(i) / float64(n)
		sweep := 3 * t
		sweep -= float64(int(sweep)) // 0..1, three times
		tri := 1 - abs(2*sweep-1)    // 0..1..0
		args = append(args, at(0.42+0.18*tri, 0.45-0.20*t)...)
		args = append(args, "sleep", pause)
	}
	return append(args, "mouseup", "1")
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

// appStats are the figures `latentlab app --stats` prints when it closes.
type appStats struct {
	firstProgress time.Duration
	drags         int
	p50, p99, max time.Duration
	training      []string // the per-model images-per-second lines
}

// parseStats reads the app's --stats lines out of its stderr; it is an
// error if the drag line is missing (no drag reached a pad) or malformed.
func parseStats(out string) (appStats, error) {
	var st appStats
	found := false
	for line := range strings.SplitSeq(out, "\n") {
		rest, ok := strings.CutPrefix(strings.TrimSpace(line), "latentlab: ")
		if !ok {
			continue
		}
		switch {
		case strings.HasPrefix(rest, "first training progress on screen "):
			var secs float64
			if _, err := fmt.Sscanf(rest, "first training progress on screen %fs after launch", &secs); err != nil {
				return st, fmt.Errorf("parse %q: %w", line, err)
			}
			st.firstProgress = time.Duration(secs * float64(time.Second))
		case strings.HasPrefix(rest, "drag event to new digit: "):
			if err := parseDragLine(strings.TrimPrefix(rest, "drag event to new digit: "), &st); err != nil {
				return st, fmt.Errorf("parse %q: %w", line, err)
			}
			found = true
		case strings.Contains(rest, " trained "):
			st.training = append(st.training, rest)
		}
	}
	if !found {
		return st, errors.New("the app reported no drags (did the drag miss the VAE pad?)")
	}
	return st, nil
}

// parseDragLine reads "150 drags, p50 1.2ms, p99 3ms, max 4.5ms".
func parseDragLine(s string, st *appStats) error {
	parts := strings.Split(s, ", ")
	if len(parts) != 4 {
		return fmt.Errorf("want 4 comma-separated figures, got %d", len(parts))
	}
	count, ok := strings.CutSuffix(parts[0], " drags")
	n, err := strconv.Atoi(count)
	if !ok || err != nil {
		return fmt.Errorf("drag count %q", parts[0])
	}
	st.drags = n
	for i, d := range []*time.Duration{&st.p50, &st.p99, &st.max} {
		name := []string{"p50 ", "p99 ", "max "}[i]
		v, ok := strings.CutPrefix(parts[i+1], name)
		if !ok {
			return fmt.Errorf("want %q, got %q", strings.TrimSpace(name), parts[i+1])
		}
		if *d, err = time.ParseDuration(v); err != nil {
			return err
		}
	}
	return nil
}
