//go:build !unix

package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
)

// launchApp runs the desktop app and exits with its exit code. It returns
// only on failure.
func launchApp(args []string) error {
	path, env, err := readyApp()
	if err != nil {
		return err
	}
	cmd := exec.Command(path, args...)
	cmd.Env = env
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	err = cmd.Run()
	if exit := new(exec.ExitError); errors.As(err, &exit) {
		os.Exit(exit.ExitCode())
	}
	if err != nil {
		return fmt.Errorf("start %s: %w", path, err)
	}
	os.Exit(0)
	return nil
}
