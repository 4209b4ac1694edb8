package dataset

import (
	"slices"
	"testing"
)

func TestNoise_SeededAndSpread(t *testing.T) {
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
	if slices.Max(a.Pixels) < 200 || slices.Min(a.Pixels) > 50 {
		t.Errorf("240 uniform bytes span only %d to %d", slices.Min(a.Pixels), slices.Max(a.Pixels))
	}
	for i, l := range a.Labels {
		if l > 9 {
			t.Fatalf("label %d = %d", i, l)
		}
	}
}
