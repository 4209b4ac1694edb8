package x11

import "testing"

func TestParseGeometry_ReadsXdotoolShellOutput(t *testing.T) {
	got := parseGeometry("WINDOW=4194307\nX=10\nY=52\nWIDTH=1280\nHEIGHT=900\nSCREEN=0\n")
	if want := (Rect{X: 10, Y: 52, W: 1280, H: 900}); got != want {
		t.Fatalf("geometry %+v, want %+v", got, want)
	}
	if x, y := got.At(0.5, 0.25); x != "650" || y != "277" {
		t.Fatalf("At(0.5, 0.25) = %s, %s", x, y)
	}
}
