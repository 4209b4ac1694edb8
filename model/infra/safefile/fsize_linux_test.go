//go:build linux

package safefile

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// fsizeLimit is the RLIMIT_FSIZE the "fsize" helper runs under; writes past
// it fail with EFBIG, which stands in for a full disk.
const fsizeLimit = 1 << 20

// runHelperMode runs the Linux-only helper modes and reports whether mode
// was recognised. In "fsize" mode it writes more than fsizeLimit bytes to
// path under that file size limit and prints the resulting error.
func runHelperMode(mode, path string) bool {
	if mode != "fsize" {
		return false
	}
	lim := syscall.Rlimit{Cur: fsizeLimit, Max: fsizeLimit}
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &lim); err != nil {
		fmt.Printf("setrlimit: %v\n", err)
		return true
	}
	err := WriteFile(path, writeBytes(pattern(4*fsizeLimit, 5), 32<<10))
	switch {
	case err == nil:
		fmt.Println("no error")
	case errors.Is(err, syscall.EFBIG):
		fmt.Printf("EFBIG %v\n", err)
	default:
		fmt.Printf("other %v\n", err)
	}
	return true
}

func TestWriteFile_FileSizeLimit(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns a child process")
	}
	dir := t.TempDir()
	path := withOldFile(t, dir)
	cmd, stdout := startHelper(t, "fsize", path)
	all, readErr := io.ReadAll(stdout)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("helper failed: %v (output %q)", err, all)
	}
	if readErr != nil {
		t.Fatalf("read helper output: %v", readErr)
	}
	var out string
	for line := range strings.Lines(string(all)) {
		if strings.HasPrefix(line, "EFBIG ") {
			out = strings.TrimSpace(line)
		}
	}
	if out == "" {
		t.Fatalf("helper reported %q, want a wrapped EFBIG error", all)
	}
	if !strings.Contains(out, path) {
		t.Errorf("error %q does not mention path %q", out, path)
	}
	assertContent(t, path, []byte(oldContent))
	if left := tempFiles(t, dir); len(left) != 0 {
		t.Errorf("temporary files left behind: %v", left)
	}
	if _, err := os.Stat(filepath.Join(dir, "old.txt")); err != nil {
		t.Fatal(err)
	}
}
