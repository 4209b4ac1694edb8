package safefile

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Environment variables that switch the test binary into helper mode.
const (
	helperModeEnv = "SAFEFILE_TEST_HELPER"
	helperPathEnv = "SAFEFILE_TEST_PATH"
)

// crashPayloadSize is how many bytes the crash helper writes before it
// blocks; it is far larger than the bufio buffer so that a substantial part
// of it reaches the temporary file.
const crashPayloadSize = 8 << 20

// TestHelperProcess is not a real test. When helperModeEnv is set it runs
// as a child process on behalf of another test and exits without returning.
func TestHelperProcess(t *testing.T) {
	mode := os.Getenv(helperModeEnv)
	if mode == "" {
		t.Skip("helper process for other tests; does nothing when run directly")
	}
	path := os.Getenv(helperPathEnv)
	switch mode {
	case "crash":
		err := WriteFile(path, func(w io.Writer) error {
			if err := writeBytes(pattern(crashPayloadSize, 7), 64<<10)(w); err != nil {
				return err
			}
			fmt.Println("ready")
			for {
				// Block until the parent kills this process.
				time.Sleep(time.Hour)
			}
		})
		fmt.Printf("unexpected return: %v\n", err)
		os.Exit(3)
	default:
		if runHelperMode(mode, path) {
			os.Exit(0)
		}
		fmt.Printf("unknown helper mode %q\n", mode)
		os.Exit(2)
	}
}

// startHelper starts the test binary as a helper process in the given mode
// operating on path, with its standard output connected to the returned
// reader.
func startHelper(t *testing.T, mode, path string) (*exec.Cmd, *bufio.Reader) {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		exe = os.Args[0]
	}
	// The child's own test timeout guarantees it cannot outlive a parent
	// that dies before killing it.
	cmd := exec.Command(exe, "-test.run=^TestHelperProcess$", "-test.timeout=2m")
	cmd.Env = append(os.Environ(), helperModeEnv+"="+mode, helperPathEnv+"="+path)
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start helper: %v", err)
	}
	return cmd, bufio.NewReader(stdout)
}

func TestWriteFile_CrashSafety(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns a child process")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "model.bin")
	original := pattern(1<<20+3, 42)
	if err := os.WriteFile(path, original, 0o644); err != nil {
		t.Fatal(err)
	}

	cmd, stdout := startHelper(t, "crash", path)
	killed := false
	t.Cleanup(func() {
		if !killed {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})

	// Wait for the child to report that it has written the payload and is
	// blocked inside the callback.
	lines := make(chan string, 1)
	go func() {
		// Skip anything the test framework may print before our line.
		for {
			line, err := stdout.ReadString('\n')
			if err != nil {
				lines <- fmt.Sprintf("read error: %v (partial %q)", err, line)
				return
			}
			if line = strings.TrimSpace(line); line == "ready" || strings.HasPrefix(line, "unexpected") {
				lines <- line
				return
			}
		}
	}()
	select {
	case line := <-lines:
		if line != "ready" {
			t.Fatalf("helper reported %q, want \"ready\"", line)
		}
	case <-time.After(60 * time.Second):
		t.Fatal("timed out waiting for the helper to write its payload")
	}

	// The temporary file must exist and hold most of the payload: only the
	// bufio buffer may still be in the child's memory.
	tmps := tempFiles(t, dir)
	if len(tmps) != 1 {
		t.Fatalf("found temporary files %v, want exactly one", tmps)
	}
	fi, err := os.Stat(filepath.Join(dir, tmps[0]))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Size() < crashPayloadSize/2 {
		t.Fatalf("temporary file has %d bytes, want at least %d before the crash", fi.Size(), crashPayloadSize/2)
	}
	assertContent(t, path, original)

	killed = true
	if err := cmd.Process.Kill(); err != nil {
		t.Fatalf("kill helper: %v", err)
	}
	if err := cmd.Wait(); err == nil {
		t.Fatal("helper exited cleanly, want it killed")
	}

	assertContent(t, path, original)
	stale := tempFiles(t, dir)
	t.Logf("stale temporary files left by the crash (expected): %v", stale)
	for _, name := range stale {
		if err := os.Remove(filepath.Join(dir, name)); err != nil {
			t.Errorf("remove stale temporary file: %v", err)
		}
	}
	// A later WriteFile must still work normally after a crash.
	if err := WriteFile(path, writeBytes([]byte("after crash"), 5)); err != nil {
		t.Fatalf("WriteFile after crash: %v", err)
	}
	assertContent(t, path, []byte("after crash"))
}
