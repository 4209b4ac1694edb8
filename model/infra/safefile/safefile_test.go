package safefile

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// tempFiles returns the names of leftover WriteFile temporary files in dir.
func tempFiles(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatalf("read dir %s: %v", dir, err)
	}
	var names []string
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") && strings.Contains(e.Name(), ".tmp-") {
			names = append(names, e.Name())
		}
	}
	return names
}

// writeBytes returns a WriteFile callback that writes data in chunks of at
// most chunk bytes.
func writeBytes(data []byte, chunk int) func(io.Writer) error {
	return func(w io.Writer) error {
		for len(data) > 0 {
			n := min(chunk, len(data))
			if _, err := w.Write(data[:n]); err != nil {
				return err
			}
			data = data[n:]
		}
		return nil
	}
}

// pattern returns n deterministic, non-repeating-looking bytes.
func pattern(n int, seed byte) []byte {
	b := make([]byte, n)
	x := uint32(seed) + 1
	for i := range b {
		x = x*1664525 + 1013904223
		b[i] = byte(x >> 24)
	}
	return b
}

func TestWriteFile_Success(t *testing.T) {
	tests := []struct {
		name  string
		old   []byte // nil means no previous file
		data  []byte
		chunk int
	}{
		{name: "new file", data: []byte("hello\n"), chunk: 1},
		{name: "replace longer with shorter", old: pattern(10000, 1), data: []byte("short"), chunk: 3},
		{name: "replace shorter with longer", old: []byte("x"), data: pattern(1<<20+17, 2), chunk: 4093},
		{name: "empty content", old: []byte("previous"), data: []byte{}, chunk: 1},
		{name: "large single write", data: pattern(3<<20, 3), chunk: 3 << 20},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "out.bin")
			if tt.old != nil {
				if err := os.WriteFile(path, tt.old, 0o600); err != nil {
					t.Fatal(err)
				}
			}
			if err := WriteFile(path, writeBytes(tt.data, tt.chunk)); err != nil {
				t.Fatalf("WriteFile: %v", err)
			}
			got, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, tt.data) {
				t.Fatalf("content mismatch: got %d bytes, want %d", len(got), len(tt.data))
			}
			if left := tempFiles(t, dir); len(left) != 0 {
				t.Errorf("temporary files left behind: %v", left)
			}
		})
	}
}

func TestWriteFile_Permissions(t *testing.T) {
	tests := []struct {
		name    string
		oldPerm os.FileMode // 0 means no previous file
	}{
		{name: "new file"},
		{name: "over 0600 file", oldPerm: 0o600},
		{name: "over 0755 file", oldPerm: 0o755},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "perm.txt")
			if tt.oldPerm != 0 {
				if err := os.WriteFile(path, []byte("old"), tt.oldPerm); err != nil {
					t.Fatal(err)
				}
				if err := os.Chmod(path, tt.oldPerm); err != nil {
					t.Fatal(err)
				}
			}
			if err := WriteFile(path, writeBytes([]byte("new"), 8)); err != nil {
				t.Fatalf("WriteFile: %v", err)
			}
			fi, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if got := fi.Mode().Perm(); got != 0o644 {
				t.Errorf("permissions = %v, want %v", got, os.FileMode(0o644))
			}
		})
	}
}

func TestWriteFile_RelativePath(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	if err := WriteFile("rel.txt", writeBytes([]byte("relative"), 4)); err != nil {
		t.Fatalf("WriteFile: %v", err)
	}
	got, err := os.ReadFile(filepath.Join(dir, "rel.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != "relative" {
		t.Errorf("content = %q, want %q", got, "relative")
	}
	if left := tempFiles(t, dir); len(left) != 0 {
		t.Errorf("temporary files left behind: %v", left)
	}
}

func TestWriteFile_Failures(t *testing.T) {
	errBoom := errors.New("boom")
	tests := []struct {
		name string
		// setup prepares dir and returns the destination path.
		setup func(t *testing.T, dir string) string
		write func(io.Writer) error
		// wantIs, if non-nil, must be in the error chain.
		wantIs error
		// wantOld reports whether the destination held oldContent and
		// must still hold it.
		wantOld bool
	}{
		{
			name:    "callback error before writing",
			setup:   withOldFile,
			write:   func(io.Writer) error { return errBoom },
			wantIs:  errBoom,
			wantOld: true,
		},
		{
			name:  "callback error after partial write",
			setup: withOldFile,
			write: func(w io.Writer) error {
				if err := writeBytes(pattern(1<<20, 9), 1000)(w); err != nil {
					return err
				}
				return errBoom
			},
			wantIs:  errBoom,
			wantOld: true,
		},
		{
			name:    "nil callback",
			setup:   withOldFile,
			write:   nil,
			wantOld: true,
		},
		{
			name: "missing directory",
			setup: func(t *testing.T, dir string) string {
				return filepath.Join(dir, "no", "such", "dir", "out.bin")
			},
			write:  writeBytes([]byte("data"), 4),
			wantIs: os.ErrNotExist,
		},
		{
			name: "destination is a non-empty directory",
			setup: func(t *testing.T, dir string) string {
				path := filepath.Join(dir, "sub")
				if err := os.MkdirAll(filepath.Join(path, "child"), 0o755); err != nil {
					t.Fatal(err)
				}
				return path
			},
			write: writeBytes([]byte("data"), 4),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := tt.setup(t, dir)
			err := WriteFile(path, tt.write)
			if err == nil {
				t.Fatal("WriteFile succeeded, want error")
			}
			if !strings.Contains(err.Error(), path) {
				t.Errorf("error %q does not mention path %q", err, path)
			}
			if !strings.HasPrefix(err.Error(), "safefile: ") {
				t.Errorf("error %q lacks the package prefix", err)
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("error %q does not wrap %v", err, tt.wantIs)
			}
			if tt.wantOld {
				assertContent(t, path, []byte(oldContent))
			}
			if left := tempFiles(t, dir); len(left) != 0 {
				t.Errorf("temporary files left behind: %v", left)
			}
		})
	}
}

func TestWriteFile_CallbackPanic(t *testing.T) {
	dir := t.TempDir()
	path := withOldFile(t, dir)
	func() {
		defer func() {
			if r := recover(); r != "callback panic" {
				t.Errorf("recovered %v, want the callback's panic", r)
			}
		}()
		_ = WriteFile(path, func(w io.Writer) error {
			if _, err := w.Write(pattern(100000, 4)); err != nil {
				return err
			}
			panic("callback panic")
		})
	}()
	assertContent(t, path, []byte(oldContent))
	if left := tempFiles(t, dir); len(left) != 0 {
		t.Errorf("temporary files left behind: %v", left)
	}
}

func TestWriteFile_ReadOnlyDir(t *testing.T) {
	dir := t.TempDir()
	path := withOldFile(t, dir)
	if err := os.Chmod(dir, 0o555); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.Chmod(dir, 0o755) })
	// Privileged users (root, CAP_DAC_OVERRIDE) and some platforms ignore
	// directory permissions; probe before relying on them.
	probe := filepath.Join(dir, "probe")
	if f, err := os.Create(probe); err == nil {
		_ = f.Close()
		_ = os.Remove(probe)
		t.Skip("directory permissions are not enforced for this user; cannot test a read-only directory")
	}

	err := WriteFile(path, writeBytes([]byte("new content"), 4))
	if err == nil {
		t.Fatal("WriteFile succeeded in a read-only directory")
	}
	if !strings.Contains(err.Error(), path) {
		t.Errorf("error %q does not mention path %q", err, path)
	}
	if !errors.Is(err, os.ErrPermission) {
		t.Errorf("error %q does not wrap os.ErrPermission", err)
	}
	assertContent(t, path, []byte(oldContent))
	if left := tempFiles(t, dir); len(left) != 0 {
		t.Errorf("temporary files left behind: %v", left)
	}
}

func TestWriteFile_EmptyPath(t *testing.T) {
	if err := WriteFile("", writeBytes(nil, 1)); err == nil {
		t.Fatal("WriteFile with empty path succeeded")
	}
}

// oldContent is the previous content of the destination in failure tests.
const oldContent = "previous content that must survive\n"

// withOldFile creates dir/old.txt holding oldContent and returns its path.
func withOldFile(t *testing.T, dir string) string {
	t.Helper()
	path := filepath.Join(dir, "old.txt")
	if err := os.WriteFile(path, []byte(oldContent), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// assertContent fails the test unless the file at path holds exactly want.
func assertContent(t *testing.T, path string, want []byte) {
	t.Helper()
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s changed: got %d bytes %q..., want %q", path, len(got), got[:min(len(got), 40)], want)
	}
}
