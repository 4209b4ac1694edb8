package conv

import (
	"latentlab/model/internal/layertest"
	"latentlab/model/nn"
	"math"
	"math/rand/v2"
	"testing"
)

func TestConv2D_GradientsAndForwardPasses(t *testing.T) {
	for _, l := range []Conv2D{
		{Label: "conv", InC: 2, H: 5, W: 6, OutC: 3, K: 3, Stride: 1, Pad: 1, Act: nn.ReLU},
		{Label: "conv", InC: 1, H: 7, W: 7, OutC: 2, K: 4, Stride: 2, Pad: 1, Act: nn.LeakyReLU},
		{Label: "conv", InC: 3, H: 4, W: 4, OutC: 2, K: 2, Stride: 2, Pad: 0, Act: nn.Linear},
		{Label: "conv", InC: 2, H: 4, W: 5, OutC: 1, K: 2, Stride: 1, Pad: 1, Act: nn.Linear},
		{Label: "conv", InC: 2, H: 5, W: 6, OutC: 2, K: 3, Stride: 2, Pad: 1, Act: nn.ReLU},
	} {
		layertest.Check(t, l, 3)
	}
}

// The convolution against its definition, written out as direct sums:
// y[o,i,j] = act(b[o] + sum_{c,u,v} W[o,c,u,v] x[c, i*s+u-p, j*s+v-p]),
// for strides of 2 (space-to-depth) and 1, kernels that fall
// over the padding, and a single image as a preview decodes it.
func TestConv2D_ForwardIsTheConvolution(t *testing.T) {
	for _, l := range []Conv2D{
		{Label: "conv", InC: 2, H: 6, W: 5, OutC: 3, K: 3, Stride: 2, Pad: 1, Act: nn.LeakyReLU},
		{Label: "conv", InC: 2, H: 6, W: 5, OutC: 3, K: 3, Stride: 1, Pad: 1, Act: nn.LeakyReLU},
		{Label: "conv", InC: 3, H: 7, W: 6, OutC: 1, K: 5, Stride: 1, Pad: 2, Act: nn.LeakyReLU},
		{Label: "conv", InC: 2, H: 5, W: 6, OutC: 4, K: 3, Stride: 1, Pad: 0, Act: nn.LeakyReLU},
		{Label: "conv", InC: 1, H: 4, W: 4, OutC: 2, K: 2, Stride: 1, Pad: 1, Act: nn.LeakyReLU},
	} {
		for _, n := range []int{1, 3} {
			checkDefinition(t, l, n)
		}
	}
}

// checkDefinition compares l's forward pass on n random images with the
// convolution's definition.
func checkDefinition(t *testing.T, l Conv2D, images int) {
	t.Helper()
	rng := rand.New(rand.NewPCG(5, 6))
	w := make([]float32, l.OutC*l.patch())
	b := make([]float32, l.OutC)
	x := make([]float32, images*l.In())
	fillNormal(rng, w, b, x)
	y := make([]float32, images*l.Out())
	var tmp []float32
	l.Forward([][]float32{w, b}, y, x, images, &tmp)
	oh, ow := l.OutH(), l.OutW()
	for n := range images {
		for o := range l.OutC {
			for i := range oh {
				for j := range ow {
					sum := float64(b[o])
					for c := range l.InC {
						for u := range l.K {
							for v := range l.K {
								r, s := i*l.Stride+u-l.Pad, j*l.Stride+v-l.Pad
								if r >= 0 && r < l.H && s >= 0 && s < l.W {
									sum += float64(w[((o*l.InC+c)*l.K+u)*l.K+v]) * float64(x[n*l.In()+(c*l.H+r)*l.W+s])
								}
							}
						}
					}
					if sum < 0 {
						sum *= 0.2
					}
					got := float64(y[n*l.Out()+(o*oh+i)*ow+j])
					if math.Abs(got-sum) > 1e-5*math.Max(1, math.Abs(sum)) {
						t.Fatalf("%+v, image %d channel %d (%d, %d): %v, the definition gives %v", l, n, o, i, j, got, sum)
					}
				}
			}
		}
	}
}

// fillNormal sets every value of the slices to a standard normal draw.
func fillNormal(rng *rand.Rand, slices ...[]float32) {
	for _, s := range slices {
		for i := range s {
			s[i] = float32(rng.NormFloat64())
		}
	}
}
