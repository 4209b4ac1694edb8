package main

import (
	"fmt"
	"latentlab/cmd/internal/display"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
)

// appProgram is the desktop app's program name.
const appProgram = "latentlab-app"

// readyApp returns the desktop app's program and the environment to start
// it in, or why it cannot start: it is missing, or there is no screen.
func readyApp() (path string, env []string, err error) {
	if path, err = findApp(); err != nil {
		return "", nil, err
	}
	if err := display.Check(); err != nil {
		return "", nil, fmt.Errorf("cannot open a window: %w", err)
	}
	return path, display.AppEnv(os.Environ()), nil
}

// findApp returns the desktop app's program: beside this executable (as
// `make build` puts it), else on the PATH.
func findApp() (string, error) {
	name := appProgram
	if runtime.GOOS == "windows" {
		name += ".exe"
	}
	var beside string
	if self, err := os.Executable(); err == nil {
		beside = filepath.Join(filepath.Dir(self), name)
		if info, err := os.Stat(beside); err == nil && !info.IsDir() {
			return beside, nil
		}
	}
	if path, err := exec.LookPath(name); err == nil {
		return path, nil
	}
	return "", fmt.Errorf("the desktop app, %s, is neither beside latentlab (%s) nor on the PATH: build it with `make build`, or use the headless commands (latentlab help)", name, beside)
}
