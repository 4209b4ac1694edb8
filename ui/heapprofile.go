package ui

import (
	"fmt"
	"io"
	"runtime"
	"runtime/pprof"

	"latentlab/model/infra/safefile"
)

// writeHeapProfile writes the Go heap as of a fresh collection to path,
// atomically, for `go tool pprof`: what the app holds, by where it was
// allocated.
func writeHeapProfile(path string) error {
	runtime.GC()
	err := safefile.WriteFile(path, func(w io.Writer) error { return pprof.Lookup("heap").WriteTo(w, 0) })
	if err != nil {
		return fmt.Errorf("heap profile: %w", err)
	}
	return nil
}
