package main

import (
	"latentlab/cmd/internal/x11"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// run runs bin with args in env (added to this process's) and returns its
// exit code and stderr.
func runEnv(t *testing.T, bin string, env []string, args ...string) (int, string) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	err := cmd.Run()
	if exit, ok := err.(*exec.ExitError); ok {
		return exit.ExitCode(), stderr.String()
	}
	if err != nil {
		t.Fatal(err)
	}
	return 0, stderr.String()
}

// Headless commands link no GUI code, so nothing of Fyne's runs or prints
// (under LANG=C.UTF-8, Debian containers' default, Fyne's start-up
// complained of the locale on every command).
func TestHeadless_NoGUIMachinery(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, pkg := range strings.Fields(string(out)) {
		if strings.HasPrefix(pkg, "fyne.io/") || strings.Contains(pkg, "glfw") || pkg == "latentlab/ui" {
			t.Errorf("latentlab links %s", pkg)
		}
	}
	if testing.Short() {
		return
	}
	bin := latentlabBinary(t)
	code, stderr := runEnv(t, bin, []string{"LANG=C.UTF-8"}, "eval")
	if code != 2 || stderr != "latentlab eval: --checkpoint is required\n" {
		t.Errorf("latentlab eval: exit %d, stderr %q; want 2 and only the usage error", code, stderr)
	}
}

// Without a display the app says so in one line and exits non-zero,
// instead of GLFW's panic; without the app's program, latentlab says
// where it looked.
func TestApp_WithoutDisplayOrProgramSaysWhy(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binaries")
	}
	bin := latentlabBinary(t)
	for _, env := range [][]string{{"DISPLAY=", "WAYLAND_DISPLAY="}, {"DISPLAY=:987", "WAYLAND_DISPLAY="}} {
		code, stderr := runEnv(t, bin, append(env, "LANG=C.UTF-8"))
		if code != 1 || !strings.HasPrefix(stderr, "latentlab app: cannot open a window: no display") || strings.Count(stderr, "\n") != 1 {
			t.Errorf("%v: exit %d, stderr %q; want 1 and one line saying there is no display", env, code, stderr)
		}
	}
	alone := filepath.Join(t.TempDir(), "latentlab")
	b, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(alone, b, 0o755); err != nil {
		t.Fatal(err)
	}
	code, stderr := runEnv(t, alone, []string{"PATH=" + t.TempDir()}, "app")
	if code != 1 || !strings.HasPrefix(stderr, "latentlab app: the desktop app, latentlab-app, is neither beside latentlab") || !strings.Contains(stderr, "make build") {
		t.Errorf("without latentlab-app: exit %d, stderr %q", code, stderr)
	}
}

// On a display without OpenGL (an X server without GLX) the app says so in
// one line and exits with 1, where it used to wait forever with no window.
func TestApp_WithoutOpenGLSaysWhy(t *testing.T) {
	if x11.Missing("Xvfb") != "" || testing.Short() {
		t.Skip("needs Xvfb")
	}
	bin := latentlabBinary(t)
	d, err := x11.Start("-extension", "GLX")
	if err != nil {
		t.Fatal(err)
	}
	defer d.Stop()
	cmd := d.Command(bin, "app", "--paused")
	cmd.Env = append(cmd.Env, "LANG=C.UTF-8", "XDG_CONFIG_HOME="+t.TempDir()) // the app's preferences, not the user's
	var stderr strings.Builder
	cmd.Stderr = &stderr
	done := make(chan error, 1)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { done <- cmd.Wait() }()
	select {
	case err = <-done:
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		<-done
		t.Fatalf("the app still runs 60 s after failing to open a window:\n%s", stderr.String())
	}
	exit, _ := err.(*exec.ExitError)
	if exit == nil || exit.ExitCode() != 1 || strings.Count(stderr.String(), "\n") != 1 ||
		!strings.HasPrefix(stderr.String(), "latentlab app: cannot open a window (is OpenGL available on this display?): ") ||
		!strings.Contains(stderr.String(), "GLX") {
		t.Fatalf("exit %v, stderr %q; want 1 and one line naming GLX", err, stderr.String())
	}
}
