package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// The latentlab binary the tests run, built once per test binary into a
// directory TestMain removes.
var (
	binOnce sync.Once
	binDir  string
	binPath string
	binErr  error
	binOut  []byte
)

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// latentlabBinary builds latentlab and, beside it, latentlab-app (as `make
// build` does) the first time a test asks, and returns latentlab's path.
func latentlabBinary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		if binDir, binErr = os.MkdirTemp("", "latentlab-bin-"); binErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "latentlab")
		if binOut, binErr = exec.Command("go", "build", "-o", binPath, ".").CombinedOutput(); binErr != nil {
			return
		}
		binOut, binErr = exec.Command("go", "build", "-tags", "migrated_fynedo", "-o", filepath.Join(binDir, appProgram), "../latentlab-app").CombinedOutput()
	})
	if binErr != nil {
		t.Fatalf("build: %v\n%s", binErr, binOut)
	}
	return binPath
}
