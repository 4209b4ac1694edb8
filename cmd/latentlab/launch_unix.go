//go:build unix

package main

import (
	"fmt"
	"syscall"
)

// launchApp replaces this process with the desktop app, so that signals
// and the exit code are the app's own. It returns only on failure.
func launchApp(args []string) error {
	path, env, err := readyApp()
	if err != nil {
		return err
	}
	err = syscall.Exec(path, append([]string{path}, args...), env)
	return fmt.Errorf("start %s: %w", path, err)
}
