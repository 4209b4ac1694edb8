package safefile

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"syscall"
)

// filePerm is the permission given to every file written by WriteFile.
const filePerm os.FileMode = 0o644

// WriteFile atomically replaces the file at path with the bytes that write
// produces.
//
// The callback receives a buffered writer backed by a temporary file created
// in the same directory as path; it must not retain the writer after it
// returns. When the callback succeeds, the buffered data is flushed, the
// temporary file is given 0644 permissions, synced to stable storage, closed
// and renamed over path, and finally the containing directory is synced so
// that the rename itself is durable. If path is a symbolic link, the link is
// replaced rather than its target.
//
// If any step before the rename fails, or the callback returns an error or
// panics, the temporary file is removed and the previous file at path (if
// any) is left untouched; the returned error names path and wraps the
// underlying cause. If only the final directory sync fails, the new content
// is already in place at path but may not survive a crash, and an error is
// returned to say so. Directories that do not support being synced are
// silently tolerated.
func WriteFile(path string, write func(w io.Writer) error) error {
	if path == "" {
		return errors.New("safefile: empty path")
	}
	if write == nil {
		return fmt.Errorf("safefile: write %s: nil write callback", path)
	}
	dir, base := filepath.Dir(path), filepath.Base(path)
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return fmt.Errorf("safefile: create temporary file for %s: %w", path, err)
	}
	tmp := f.Name()
	closed, renamed := false, false
	defer func() {
		// Runs on errors and on panics from the callback alike.
		if renamed {
			return
		}
		if !closed {
			_ = f.Close()
		}
		_ = os.Remove(tmp)
	}()

	bw := bufio.NewWriter(f)
	if err := write(bw); err != nil {
		return fmt.Errorf("safefile: write %s: %w", path, err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("safefile: write %s: flush %s: %w", path, tmp, err)
	}
	if err := f.Chmod(filePerm); err != nil {
		return fmt.Errorf("safefile: write %s: chmod %s: %w", path, tmp, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("safefile: write %s: sync %s: %w", path, tmp, err)
	}
	closed = true
	if err := f.Close(); err != nil {
		return fmt.Errorf("safefile: write %s: close %s: %w", path, tmp, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("safefile: write %s: rename temporary file: %w", path, err)
	}
	renamed = true
	if err := syncDir(dir); err != nil {
		return fmt.Errorf("safefile: write %s: content replaced but directory sync failed: %w", path, err)
	}
	return nil
}

// syncDir fsyncs the directory dir so that a rename inside it is durable.
// Errors from file systems or platforms that cannot sync directories are
// ignored.
func syncDir(dir string) error {
	if runtime.GOOS == "windows" || runtime.GOOS == "plan9" {
		// Directories cannot be opened for syncing on these platforms;
		// the rename is as durable as the platform makes it.
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("open directory %s: %w", dir, err)
	}
	syncErr := d.Sync()
	closeErr := d.Close()
	if syncErr != nil && !unsyncable(syncErr) {
		return fmt.Errorf("sync directory %s: %w", dir, syncErr)
	}
	if closeErr != nil {
		return fmt.Errorf("close directory %s: %w", dir, closeErr)
	}
	return nil
}

// unsyncable reports whether err means that the directory cannot be synced
// at all, as opposed to the sync having failed.
func unsyncable(err error) bool {
	return errors.Is(err, syscall.EINVAL) ||
		errors.Is(err, syscall.ENOTSUP) ||
		errors.Is(err, syscall.EBADF) ||
		errors.Is(err, errors.ErrUnsupported)
}
