package main

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestSmoke_RealWindowUnderXvfb starts the app in a real X window on a
// virtual display, checks that it stays up and draws something, then drags
// across the VAE's latent pad with xdotool and checks that the pixels of
// the decoded digit change. It needs Xvfb, xdotool and ImageMagick (`make
// test` installs them); outside CI it is skipped without them.
func TestSmoke_RealWindowUnderXvfb(t *testing.T) {
	for _, tool := range []string{"Xvfb", "xdotool", "import"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("%s is not installed; `make test` installs it", tool)
			}
			t.Skipf("%s is not installed", tool)
		}
	}
	if testing.Short() {
		t.Skip("starts a real window")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "latentlab")
	build := exec.Command("go", "build", "-tags", "migrated_fynedo", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}

	display := ":" + strconv.Itoa(90+os.Getpid()%100)
	xvfb := exec.Command("Xvfb", display, "-screen", "0", "1600x1000x24", "-nolisten", "tcp")
	if err := xvfb.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { xvfb.Process.Kill(); xvfb.Wait() }()
	env := append(os.Environ(), "DISPLAY="+display, "LANG=C.UTF-8")
	waitUntil(t, 10*time.Second, "the X server", func() bool {
		return exec.Command("xdotool", "getmouselocation").Run() == nil || xdotoolOK(env)
	})

	var stderr bytes.Buffer
	appCmd := exec.Command(bin, "app", "--paused")
	appCmd.Env, appCmd.Stderr = env, &stderr
	if err := appCmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- appCmd.Wait() }()
	defer func() {
		appCmd.Process.Kill()
		<-exited
	}()

	var win string
	waitUntil(t, 60*time.Second, "the latentlab window", func() bool {
		out, err := run(env, "xdotool", "search", "--name", "latentlab")
		win = strings.TrimSpace(strings.Split(out, "\n")[0])
		return err == nil && win != ""
	})
	time.Sleep(4 * time.Second) // first frames, pad backgrounds
	select {
	case err := <-exited:
		t.Fatalf("the app exited: %v\n%s", err, stderr.String())
	default:
	}
	geo, _ := run(env, "xdotool", "getwindowgeometry", "--shell", win)
	w, h := geometry(geo, "WIDTH"), geometry(geo, "HEIGHT")
	x0, y0 := geometry(geo, "X"), geometry(geo, "Y")
	if w < 800 || h < 600 {
		t.Fatalf("window is %dx%d", w, h)
	}

	before := screenshot(t, env)
	if distinct := distinctColours(before); distinct < 50 {
		t.Fatalf("screenshot has %d distinct colours: blank?", distinct)
	}
	// Drag across the VAE pad (the middle column) from left of centre to
	// up and right of it, in small steps as a hand would.
	px := func(fx, fy float64) (string, string) {
		return strconv.Itoa(x0 + int(fx*float64(w))), strconv.Itoa(y0 + int(fy*float64(h)))
	}
	sx, sy := px(0.42, 0.45)
	run(env, "xdotool", "mousemove", sx, sy)
	run(env, "xdotool", "mousedown", "1")
	for i := 1; i <= 10; i++ {
		mx, my := px(0.42+0.018*float64(i), 0.45-0.02*float64(i))
		run(env, "xdotool", "mousemove", mx, my)
		time.Sleep(30 * time.Millisecond)
	}
	run(env, "xdotool", "mouseup", "1")
	time.Sleep(time.Second)
	after := screenshot(t, env)

	// The decoded digit sits under the VAE pad, centred in its column.
	digit := image.Rect(x0+int(0.46*float64(w)), y0+int(0.68*float64(h)), x0+int(0.54*float64(w)), y0+int(0.80*float64(h)))
	if changed := changedPixels(before, after, digit); changed < 50 {
		t.Fatalf("only %d pixels of the decoded digit (%v) changed after the drag", changed, digit)
	}
	select {
	case err := <-exited:
		t.Fatalf("the app exited after the drag: %v\n%s", err, stderr.String())
	default:
	}
}

func xdotoolOK(env []string) bool {
	_, err := run(env, "xdotool", "getmouselocation")
	return err == nil
}

func run(env []string, name string, args ...string) (string, error) {
	cmd := exec.Command(name, args...)
	cmd.Env = env
	out, err := cmd.Output()
	return string(out), err
}

func waitUntil(t *testing.T, limit time.Duration, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", limit, what)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func geometry(shell, key string) int {
	for _, line := range strings.Split(shell, "\n") {
		if v, ok := strings.CutPrefix(line, key+"="); ok {
			n, _ := strconv.Atoi(strings.TrimSpace(v))
			return n
		}
	}
	return 0
}

func screenshot(t *testing.T, env []string) image.Image {
	t.Helper()
	cmd := exec.Command("import", "-window", "root", "png:-")
	cmd.Env = env
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	img, err := png.Decode(bytes.NewReader(out))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	if os.Getenv("LATENTLAB_SMOKE_SHOTS") != "" {
		os.WriteFile(fmt.Sprintf("%s/smoke-%d.png", os.Getenv("LATENTLAB_SMOKE_SHOTS"), time.Now().UnixNano()), out, 0o644)
	}
	return img
}

func distinctColours(img image.Image) int {
	seen := map[[3]uint32]bool{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 3 {
		for x := b.Min.X; x < b.Max.X; x += 3 {
			r, g, bl, _ := img.At(x, y).RGBA()
			seen[[3]uint32{r >> 8, g >> 8, bl >> 8}] = true
		}
	}
	return len(seen)
}

func changedPixels(a, b image.Image, r image.Rectangle) int {
	n := 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			ar, ag, ab, _ := a.At(x, y).RGBA()
			br, bg, bb, _ := b.At(x, y).RGBA()
			if diff(ar, br)+diff(ag, bg)+diff(ab, bb) > 3*8<<8 {
				n++
			}
		}
	}
	return n
}

func diff(a, b uint32) uint32 {
	if a > b {
		return a - b
	}
	return b - a
}
