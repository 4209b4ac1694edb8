package nn

import "testing"

func TestDense_GradientsAndForwardPasses(t *testing.T) {
	// Widths of 9 and 11: the kernels' 8-wide vectors and their tails both run.
	for _, act := range []Activation{ReLU, LeakyReLU, Linear} {
		checkLayer(t, Dense{Label: "dense", Inputs: 9, Outputs: 11, Act: act}, 4)
	}
}
