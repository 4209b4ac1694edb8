package ui

import (
	"log"
	"strings"
	"testing"
)

func TestWindowFailure_EndsTheAppInOneLine(t *testing.T) {
	var out strings.Builder
	code := -1
	w := &windowFailure{out: &out, exit: func(c int) { code = c }}
	l := log.New(w, "", log.LstdFlags)
	l.Println("an unrelated line")
	l.Println("Fyne error: ", "window creation error")
	l.Println("  Cause:", "APIUnavailable: GLX: GLX extension not found")
	l.Printf("  At: %s:%d", "driver.go", 147)
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if code != 1 || len(lines) != 2 || !strings.HasSuffix(lines[0], "an unrelated line") ||
		lines[1] != "latentlab app: cannot open a window (is OpenGL available on this display?): APIUnavailable: GLX: GLX extension not found" {
		t.Fatalf("exit %d, output %q", code, out.String())
	}
}
