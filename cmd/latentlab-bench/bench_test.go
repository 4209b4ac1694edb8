package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"latentlab/cmd/internal/x11"
	"latentlab/model"
)

func TestParseTorchResult(t *testing.T) {
	tests := []struct {
		name, out string
		want      torchResult
		wantErr   bool
	}{
		{"one line", `{"seconds": 12.5, "images": 60000, "threads": 1, "torch": "2.6.0"}` + "\n",
			torchResult{Seconds: 12.5, Images: 60000, Threads: 1, Torch: "2.6.0"}, false},
		{"warning first", "UserWarning: something\n" + `{"seconds": 3, "images": 60000, "threads": 2, "torch": "1.13.0a0"}`,
			torchResult{Seconds: 3, Images: 60000, Threads: 2, Torch: "1.13.0a0"}, false},
		{"empty", "", torchResult{}, true},
		{"not JSON", "Traceback (most recent call last):\n  ...\nModuleNotFoundError: No module named 'torch'\n", torchResult{}, true},
		{"broken JSON", `{"seconds": 1.5,`, torchResult{}, true},
		{"zero seconds", `{"seconds": 0, "images": 60000}`, torchResult{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseTorchResult(tt.out)
			if (err != nil) != tt.wantErr {
				t.Fatalf("parseTorchResult(%q) error = %v, want error %v", tt.out, err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("parseTorchResult(%q) = %+v, want %+v", tt.out, got, tt.want)
			}
		})
	}
}

func TestParseStats(t *testing.T) {
	out := `2025/11/23 22:00:00 Fyne error: something unrelated
latentlab: first training progress on screen 1.23s after launch
latentlab: drag event to new digit: 150 drags, p50 812.5µs, p99 4.2ms, max 1.5s
latentlab: ae trained 640000 images in 30.1s while the window was open: 21263 images/s (12.0s in its own steps)
latentlab: vae trained 600000 images in 30.0s while the window was open: 20000 images/s (12.0s in its own steps)
`
	st, err := parseStats(out)
	if err != nil {
		t.Fatal(err)
	}
	want := appStats{firstProgress: 1230 * time.Millisecond, drags: 150, p50: 812500 * time.Nanosecond, p99: 4200 * time.Microsecond, max: 1500 * time.Millisecond}
	if st.firstProgress != want.firstProgress || st.drags != want.drags || st.p50 != want.p50 || st.p99 != want.p99 || st.max != want.max {
		t.Errorf("parseStats = %+v, want %+v", st, want)
	}
	if len(st.training) != 2 || !strings.HasPrefix(st.training[0], "ae trained") {
		t.Errorf("training lines = %q, want the ae and vae lines", st.training)
	}

	for _, bad := range []string{
		"latentlab: first training progress on screen 1.23s after launch\n", // no drags
		"latentlab: drag event to new digit: 150 drags, p50 1ms, p99 2ms\n",
		"latentlab: drag event to new digit: many drags, p50 1ms, p99 2ms, max 3ms\n",
		"latentlab: drag event to new digit: 150 drags, p50 1ms, p99 2 ms, max 3ms\n",
		"latentlab: drag event to new digit: 150 drags, p99 1ms, p50 2ms, max 3ms\n",
	} {
		if _, err := parseStats(bad); err == nil {
			t.Errorf("parseStats(%q) succeeded, want an error", bad)
		}
	}
}

func TestFormatRatio(t *testing.T) {
	tests := []struct {
		torch, ours time.Duration
		want        string
	}{
		{20 * time.Second, 10 * time.Second, "2.00x"},
		{10 * time.Second, 40 * time.Second, "0.25x"},
		{0, 10 * time.Second, missing},
		{10 * time.Second, 0, missing},
	}
	for _, tt := range tests {
		if got := formatRatio(tt.torch, tt.ours); got != tt.want {
			t.Errorf("formatRatio(%v, %v) = %q, want %q", tt.torch, tt.ours, got, tt.want)
		}
	}
	if got := formatSeconds(0); got != missing {
		t.Errorf("formatSeconds(0) = %q, want %q", got, missing)
	}
	if got := formatIn(12345*time.Nanosecond, time.Microsecond); got != "12.35 µs" {
		t.Errorf("formatIn(12.345µs, µs) = %q", got)
	}
	if got := formatGoal(2*time.Millisecond, time.Millisecond); got != "< 2 ms" {
		t.Errorf("formatGoal(2ms, ms) = %q", got)
	}
}

func TestSelectRows(t *testing.T) {
	all := trainRows()
	got, err := selectRows(all, " gan, VAE ")
	if err != nil {
		t.Fatal(err)
	}
	if names := rowNames(got); !slices.Equal(names, []string{"vae", "gan"}) {
		t.Errorf("selectRows(gan,vae) = %v, want table order [vae gan]", names)
	}
	if got, _ := selectRows(all, ""); len(got) != len(all) {
		t.Errorf("selectRows(\"\") kept %d rows, want all %d", len(got), len(all))
	}
	if _, err := selectRows(all, "vae,cnn"); err == nil {
		t.Error("selectRows(vae,cnn) succeeded, want an error naming cnn")
	}
}

// TestTrainRows_MatchTheIssue pins the configurations the table promises,
// and that each is valid.
func TestTrainRows_MatchTheIssue(t *testing.T) {
	want := map[string]string{
		"ae":                  "AE z=2, hidden 512,256, batch 64",
		"vae":                 "VAE z=20, hidden 512,256, batch 64",
		"vae400":              "VAE z=20, hidden 400, batch 128",
		"gan":                 "GAN z=16, hidden 256,512, batch 64",
		"conv-vae":            "conv VAE z=20, channels 32,64, resize up-sampling, batch 64",
		"conv-gan":            "conv GAN z=16, channels 64,128, resize up-sampling, batch 64",
		"conv-vae-transposed": "conv VAE z=20, channels 32,64, transposed up-sampling, batch 64",
		"conv-gan-transposed": "conv GAN z=16, channels 64,128, transposed up-sampling, batch 64",
	}
	for _, r := range trainRows() {
		if got := describe(r.cfg); got != want[r.name] {
			t.Errorf("%s: %q, want %q", r.name, got, want[r.name])
		}
		if err := r.cfg.Validate(); err != nil {
			t.Errorf("%s: %v", r.name, err)
		}
	}
}

func TestReferenceArgs(t *testing.T) {
	args := referenceArgs("ref.py", "img.gz", model.DefaultConfig(model.KindGAN), 1)
	want := []string{"ref.py", "--images", "img.gz", "--model", "gan", "--hidden", "256,512", "--latent", "16", "--batch", "64", "--lr", "0.0002", "--threads", "1"}
	if !slices.Equal(args, want) {
		t.Errorf("referenceArgs = %q, want %q", args, want)
	}
}

func TestCPUModel(t *testing.T) {
	in := "processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC 7B13\nmodel\t\t: 1\n"
	if got := cpuModel(strings.NewReader(in)); got != "AMD EPYC 7B13" {
		t.Errorf("cpuModel = %q", got)
	}
	if got := cpuModel(strings.NewReader("processor\t: 0\n")); got != "" {
		t.Errorf("cpuModel without a model name = %q, want \"\"", got)
	}
}

func TestDragArgs(t *testing.T) {
	r := x11.Rect{X: 10, Y: 20, W: 1480, H: 960}
	args := dragArgs(r, 150, 16*time.Millisecond)
	if n := strings.Count(strings.Join(args, " "), "mousemove"); n != 151 {
		t.Errorf("dragArgs has %d moves, want 151 (the press and 150 drag events)", n)
	}
	if args[3] != "mousedown" || args[len(args)-2] != "mouseup" {
		t.Errorf("dragArgs = %q..., want a press first and a release last", args[:4])
	}
}

func TestModuleRoot(t *testing.T) {
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "go.mod"), []byte("module latentlab\n\ngo 1.26\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	sub := filepath.Join(root, "cmd", "latentlab-bench")
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	if got, err := moduleRoot(sub); err != nil || got != root {
		t.Errorf("moduleRoot(%s) = %q, %v; want %q", sub, got, err, root)
	}
	if _, err := moduleRoot(t.TempDir()); err == nil {
		t.Error("moduleRoot outside the module succeeded")
	}
}

func TestParseTrainedLine(t *testing.T) {
	k, rate, err := parseTrainedLine("gan trained 12160 images in 33.7s while the window was open: 361 images/s (11.0s in its own steps)")
	if err != nil || k != model.KindGAN || rate != 361 {
		t.Fatalf("got %v %v %v, want gan 361", k, rate, err)
	}
	if _, _, err := parseTrainedLine("gan trained lots"); err == nil {
		t.Error("a malformed line parsed")
	}
	if _, _, err := parseTrainedLine("xyz trained 1 images in 1s while the window was open: 1 images/s"); err == nil {
		t.Error("an unknown model parsed")
	}
}
