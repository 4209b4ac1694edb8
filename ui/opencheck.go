package ui

import (
	"fmt"
	"io"
	"strings"
	"sync"
)

// windowFailure watches the standard logger for Fyne's report that the
// window could not be created ("window creation error", then its cause:
// an X server without GLX, say). Fyne then carries on with no window and
// the app would wait forever; instead the watch prints one line that says
// why and calls exit(1). Everything else goes through to out.
type windowFailure struct {
	mu     sync.Mutex
	out    io.Writer
	exit   func(code int)
	failed bool
}

// Write passes p on to out, or, once the failure is reported, holds Fyne's
// lines back and ends the app at its cause.
func (w *windowFailure) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	line := string(p)
	if strings.Contains(line, "Fyne error:") && strings.Contains(line, "window creation error") {
		w.failed = true
		return len(p), nil
	}
	if w.failed {
		if _, cause, ok := strings.Cut(line, "Cause:"); ok {
			fmt.Fprintf(w.out, "latentlab app: cannot open a window (is OpenGL available on this display?): %s\n", strings.TrimSpace(cause))
			w.exit(1)
		}
		return len(p), nil
	}
	return w.out.Write(p)
}
