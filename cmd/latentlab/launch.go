package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
)

// appProgram is the desktop app's program name.
const appProgram = "latentlab-app"

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
