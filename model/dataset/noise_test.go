package dataset

import (
	"slices"
	"testing"
)

func TestNoise_SeededAndInRange(t *testing.T) {
	a, b, c := Noise(20, 3, 4, 1), Noise(20, 3, 4, 1), Noise(20, 3, 4, 2)
	if a.Len() != 20 || a.Dim() != 12 || len(a.Pixels) != 240 {
		t.Fatalf("Noise(20, 3, 4): %d images of %d pixels, %d in all", a.Len(), a.Dim(), len(a.Pixels))
	}
	if !slices.Equal(a.Pixels, b.Pixels) || !slices.Equal(a.Labels, b.Labels) {
		t.Error("the same seed gave different sets")
	}
	if slices.Equal(a.Pixels, c.Pixels) {
		t.Error("seeds 1 and 2 gave the same pixels")
	}
	for i, v := range a.Pixels {
		if v < 0 || v > 1 {
			t.Fatalf("pixel %d = %v, outside [0, 1]", i, v)
		}
	}
	for i, l := range a.Labels {
		if l > 9 {
			t.Fatalf("label %d = %d", i, l)
		}
	}
}
