package main

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"latentlab/cmd/internal/x11"
	"os"
	"testing"
	"time"
)

// TestSmoke_RealWindowUnderXvfb starts the app in a real X window on a
// virtual display, checks that it stays up and draws something, then drags
// across the VAE's latent pad with xdotool and checks that the pixels of
// the decoded digit change. It needs Xvfb, xdotool and ImageMagick (`make
// test` installs them); outside CI it is skipped without them.
func TestSmoke_RealWindowUnderXvfb(t *testing.T) {
	if tool := x11.Missing("Xvfb", "xdotool", "import"); tool != "" {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is not installed; `make test` installs it", tool)
		}
		t.Skipf("%s is not installed", tool)
	}
	if testing.Short() {
		t.Skip("starts a real window")
	}
	bin := latentlabBinary(t)

	display, err := x11.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer display.Stop()

	var stderr bytes.Buffer
	appCmd := display.Command(bin, "app", "--paused")
	appCmd.Env = append(appCmd.Env, "XDG_CONFIG_HOME="+t.TempDir()) // the app's preferences, not the user's
	appCmd.Stderr = &stderr
	if err := appCmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- appCmd.Wait() }()
	defer func() {
		appCmd.Process.Kill()
		<-exited
	}()
	alive := func() error {
		select {
		case err := <-exited:
			exited <- err
			return fmt.Errorf("the app exited: %v\n%s", err, stderr.String())
		default:
			return nil
		}
	}

	win, err := display.WaitForWindow(context.Background(), "latentlab", 60*time.Second, alive)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(4 * time.Second) // first frames, pad backgrounds
	if err := alive(); err != nil {
		t.Fatal(err)
	}
	geo, err := display.Geometry(win)
	if err != nil {
		t.Fatal(err)
	}
	if geo.W < 800 || geo.H < 600 {
		t.Fatalf("window is %dx%d", geo.W, geo.H)
	}

	before := screenshot(t, display)
	if distinct := distinctColours(before); distinct < 50 {
		t.Fatalf("screenshot has %d distinct colours: blank?", distinct)
	}
	// Drag across the VAE pad (the middle column) from left of centre to
	// up and right of it, in small steps as a hand would.
	sx, sy := geo.At(0.42, 0.45)
	display.XDoTool("mousemove", sx, sy)
	display.XDoTool("mousedown", "1")
	for i := 1; i <= 10; i++ {
		mx, my := geo.At(0.42+0.018*float64(i), 0.45-0.02*float64(i))
		display.XDoTool("mousemove", mx, my)
		time.Sleep(30 * time.Millisecond)
	}
	display.XDoTool("mouseup", "1")
	time.Sleep(time.Second)
	after := screenshot(t, display)

	// The decoded digit sits under the VAE pad, centred in its column.
	digit := image.Rect(geo.X+int(0.46*float64(geo.W)), geo.Y+int(0.68*float64(geo.H)), geo.X+int(0.54*float64(geo.W)), geo.Y+int(0.80*float64(geo.H)))
	if changed := changedPixels(before, after, digit); changed < 50 {
		t.Fatalf("only %d pixels of the decoded digit (%v) changed after the drag", changed, digit)
	}
	if err := alive(); err != nil {
		t.Fatalf("after the drag: %v", err)
	}
}

func screenshot(t *testing.T, d *x11.Display) image.Image {
	t.Helper()
	img, err := d.Screenshot()
	if err != nil {
		t.Fatal(err)
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
