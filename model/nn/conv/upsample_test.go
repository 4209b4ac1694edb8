package conv

import (
	"latentlab/model/internal/layertest"
	"testing"
)

func TestUpsample_GradientsAndForwardPasses(t *testing.T) {
	layertest.Check(t, Upsample{Label: "up", C: 2, H: 3, W: 4}, 3)
}

// Each pixel is repeated over its 2x2 block, plane by plane.
func TestUpsample_RepeatsEachPixel(t *testing.T) {
	l := Upsample{Label: "up", C: 2, H: 2, W: 3}
	x := []float32{1, 2, 3, 4, 5, 6, -1, -2, -3, -4, -5, -6}
	y := make([]float32, l.Out())
	l.Forward(nil, y, x, 1, nil)
	want := []float32{
		1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 4, 4, 5, 5, 6, 6,
		-1, -1, -2, -2, -3, -3, -1, -1, -2, -2, -3, -3, -4, -4, -5, -5, -6, -6, -4, -4, -5, -5, -6, -6,
	}
	for i := range want {
		if y[i] != want[i] {
			t.Fatalf("output %d is %v, want %v (all: %v)", i, y[i], want[i], y)
		}
	}
}
