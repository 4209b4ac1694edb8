package nn_test

import (
	"latentlab/model/internal/layertest"
	"latentlab/model/nn"
	"testing"
)

func TestDense_GradientsAndForwardPasses(t *testing.T) {
	// Widths of 9 and 11: the kernels' 8-wide vectors and their tails both run.
	for _, act := range []nn.Activation{nn.ReLU, nn.LeakyReLU, nn.Linear} {
		layertest.Check(t, nn.Dense{Label: "dense", Inputs: 9, Outputs: 11, Act: act}, 4)
	}
}
