// Package x11 runs latentlab in a real X window, for the smoke test and for
// latentlab-bench's drag measurements: a virtual display (Xvfb), xdotool to
// find windows and drive the mouse, and ImageMagick's screenshots.
package x11

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/png"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// Missing returns the first of tools that is not on the PATH, or "".
func Missing(tools ...string) string {
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			return tool
		}
	}
	return ""
}

// Display is a running Xvfb server.
type Display struct {
	Name string   // ":<n>"
	Env  []string // the environment of programs on this display
	xvfb *exec.Cmd
}

// Start starts Xvfb (1600x1000, 24-bit) on a display number it picks
// itself (-displayfd), so that parallel runs never collide; extra are
// further Xvfb arguments (such as "-extension", "GLX" for a display
// without OpenGL).
func Start(extra ...string) (*Display, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("xvfb: %w", err)
	}
	defer r.Close()
	xvfb := exec.Command("Xvfb", append([]string{"-displayfd", "3", "-screen", "0", "1600x1000x24", "-nolisten", "tcp"}, extra...)...)
	xvfb.ExtraFiles = []*os.File{w} // fd 3 in the child
	err = xvfb.Start()
	w.Close()
	if err != nil {
		return nil, fmt.Errorf("start Xvfb: %w", err)
	}
	d := &Display{xvfb: xvfb}
	number := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(r).ReadString('\n')
		number <- strings.TrimSpace(line)
	}()
	select {
	case n := <-number:
		if _, err := strconv.Atoi(n); err != nil {
			d.Stop()
			return nil, fmt.Errorf("xvfb: no display number (got %q)", n)
		}
		d.Name = ":" + n
		d.Env = append(os.Environ(), "DISPLAY="+d.Name, "LANG=C.UTF-8")
		return d, nil
	case <-time.After(15 * time.Second):
		d.Stop() // closes the pipe, which ends the reader
		<-number
		return nil, errors.New("xvfb: no display after 15 s")
	}
}

// Stop stops the server.
func (d *Display) Stop() {
	d.xvfb.Process.Kill()
	d.xvfb.Wait()
}

// Command returns a command that runs on the display.
func (d *Display) Command(name string, args ...string) *exec.Cmd {
	cmd := exec.Command(name, args...)
	cmd.Env = d.Env
	return cmd
}

// XDoTool runs xdotool with args on the display and returns its output.
func (d *Display) XDoTool(args ...string) (string, error) {
	out, err := d.Command("xdotool", args...).Output()
	if err != nil {
		return string(out), fmt.Errorf("xdotool %s: %w", args[0], err)
	}
	return string(out), nil
}

// WaitForWindow waits until a window whose name contains name appears and
// returns its id. It gives up after timeout, when ctx ends, or when alive
// (checked between tries) returns an error.
func (d *Display) WaitForWindow(ctx context.Context, name string, timeout time.Duration, alive func() error) (string, error) {
	for deadline := time.Now().Add(timeout); ; {
		if err := alive(); err != nil {
			return "", err
		}
		out, _ := d.XDoTool("search", "--name", name)
		if win, _, _ := strings.Cut(strings.TrimSpace(out), "\n"); win != "" {
			return win, nil
		}
		if time.Now().After(deadline) {
			return "", fmt.Errorf("no %s window after %v", name, timeout)
		}
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// Rect is a window's position and size on the screen.
type Rect struct{ X, Y, W, H int }

// At returns the screen coordinates, as xdotool takes them, of the point at
// fractions (fx, fy) of the window's width and height.
func (r Rect) At(fx, fy float64) (x, y string) {
	return strconv.Itoa(r.X + int(fx*float64(r.W))), strconv.Itoa(r.Y + int(fy*float64(r.H)))
}

// Geometry returns the window's position and size.
func (d *Display) Geometry(win string) (Rect, error) {
	shell, err := d.XDoTool("getwindowgeometry", "--shell", win)
	if err != nil {
		return Rect{}, err
	}
	return parseGeometry(shell), nil
}

// parseGeometry reads the output of `xdotool getwindowgeometry --shell`.
func parseGeometry(shell string) Rect {
	var r Rect
	for line := range strings.SplitSeq(shell, "\n") {
		key, value, _ := strings.Cut(strings.TrimSpace(line), "=")
		n, _ := strconv.Atoi(value)
		switch key {
		case "X":
			r.X = n
		case "Y":
			r.Y = n
		case "WIDTH":
			r.W = n
		case "HEIGHT":
			r.H = n
		}
	}
	return r
}

// Screenshot captures the whole screen.
func (d *Display) Screenshot() (image.Image, error) {
	out, err := d.Command("import", "-window", "root", "png:-").Output()
	if err != nil {
		return nil, fmt.Errorf("screenshot: %w", err)
	}
	img, err := png.Decode(bytes.NewReader(out))
	if err != nil {
		return nil, fmt.Errorf("screenshot: %w", err)
	}
	return img, nil
}
