//go:build unix

package main

import (
	"fmt"
	"os"
	"syscall"

	"latentlab/cmd/internal/display"
)

// launchApp replaces this process with the desktop app, so that signals
// and the exit code are the app's own. It returns only on failure.
func launchApp(args []string) error {
	path, err := findApp()
	if err != nil {
		return err
	}
	if err := display.Check(); err != nil {
		return fmt.Errorf("cannot open a window: %w", err)
	}
	err = syscall.Exec(path, append([]string{path}, args...), display.AppEnv(os.Environ()))
	return fmt.Errorf("start %s: %w", path, err)
}
