package conv

import (
	"math"
	"math/rand/v2"
	"testing"

	"latentlab/model/internal/layertest"
	"latentlab/model/nn"
)

func TestConvTranspose2D_GradientsAndForwardPasses(t *testing.T) {
	for _, l := range []ConvTranspose2D{
		{Label: "up", InC: 3, H: 3, W: 4, OutC: 2, K: 4, Stride: 2, Pad: 1, Act: nn.ReLU},
		{Label: "up", InC: 2, H: 4, W: 3, OutC: 1, K: 3, Stride: 1, Pad: 1, Act: nn.LeakyReLU},
		{Label: "up", InC: 2, H: 3, W: 3, OutC: 2, K: 3, Stride: 2, Pad: 0, Act: nn.Linear},
		{Label: "up", InC: 1, H: 2, W: 3, OutC: 3, K: 2, Stride: 2, Pad: 0, Act: nn.Linear},
	} {
		layertest.Check(t, l, 3)
	}
}

// The transposed convolution against its definition, written out as
// direct sums: every input pixel spreads its value times the kernel over
// the output, y[o, i*s+u-p, j*s+v-p] += W[c,o,u,v] x[c,i,j], then
// y = act(y + b[o]); for DCGAN's 4x4 stride-2 doubling, a stride of 1, and
// a kernel smaller than the stride's reach.
func TestConvTranspose2D_ForwardIsTheTransposedConvolution(t *testing.T) {
	for _, l := range []ConvTranspose2D{
		{Label: "up", InC: 3, H: 7, W: 5, OutC: 2, K: 4, Stride: 2, Pad: 1, Act: nn.LeakyReLU},
		{Label: "up", InC: 2, H: 4, W: 5, OutC: 3, K: 3, Stride: 1, Pad: 1, Act: nn.LeakyReLU},
		{Label: "up", InC: 2, H: 3, W: 4, OutC: 2, K: 3, Stride: 2, Pad: 0, Act: nn.LeakyReLU},
		{Label: "up", InC: 1, H: 3, W: 3, OutC: 2, K: 5, Stride: 3, Pad: 2, Act: nn.LeakyReLU},
	} {
		for _, images := range []int{1, 3} {
			rng := rand.New(rand.NewPCG(5, 6))
			w := make([]float32, l.InC*l.OutC*l.K*l.K)
			b := make([]float32, l.OutC)
			x := make([]float32, images*l.In())
			fillNormal(rng, w, b, x)
			y := make([]float32, images*l.Out())
			var tmp []float32
			l.Forward([][]float32{w, b}, y, x, images, &tmp)
			oh, ow := l.OutH(), l.OutW()
			want := make([]float64, images*l.Out())
			for n := range images {
				for c := range l.InC {
					for i := range l.H {
						for j := range l.W {
							for o := range l.OutC {
								for u := range l.K {
									for v := range l.K {
										r, s := i*l.Stride+u-l.Pad, j*l.Stride+v-l.Pad
										if r >= 0 && r < oh && s >= 0 && s < ow {
											want[n*l.Out()+(o*oh+r)*ow+s] += float64(w[((c*l.OutC+o)*l.K+u)*l.K+v]) * float64(x[n*l.In()+(c*l.H+i)*l.W+j])
										}
									}
								}
							}
						}
					}
				}
			}
			for k, sum := range want {
				sum += float64(b[(k/(oh*ow))%l.OutC])
				if sum < 0 {
					sum *= 0.2
				}
				if got := float64(y[k]); math.Abs(got-sum) > 1e-5*math.Max(1, math.Abs(sum)) {
					t.Fatalf("%+v, %d images, output value %d: %v, the definition gives %v", l, images, k, got, sum)
				}
			}
		}
	}
}
