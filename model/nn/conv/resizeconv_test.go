package conv

import (
	"math"
	"math/rand/v2"
	"testing"

	"latentlab/model/internal/layertest"
	"latentlab/model/nn"
)

func TestResizeConv2D_GradientsAndForwardPasses(t *testing.T) {
	for _, l := range []ResizeConv2D{
		{Label: "up", InC: 3, H: 3, W: 4, OutC: 2, Act: nn.ReLU},
		{Label: "up", InC: 2, H: 2, W: 2, OutC: 1, Act: nn.Linear},
		{Label: "up", InC: 1, H: 4, W: 3, OutC: 3, Act: nn.LeakyReLU},
	} {
		layertest.Check(t, l, 3)
	}
}

// The layer against what it stands for, the resize and the 3x3 convolution
// run as two layers (each tested against its own definition): every
// output agrees, for several shapes, one image and a batch.
func TestResizeConv2D_ForwardIsResizeThenConvolve(t *testing.T) {
	for _, l := range []ResizeConv2D{
		{Label: "up", InC: 3, H: 7, W: 5, OutC: 2, Act: nn.LeakyReLU},
		{Label: "up", InC: 2, H: 1, W: 3, OutC: 3, Act: nn.LeakyReLU},
		{Label: "up", InC: 4, H: 4, W: 4, OutC: 1, Act: nn.LeakyReLU},
	} {
		for _, images := range []int{1, 3} {
			rng := rand.New(rand.NewPCG(8, 9))
			w := make([]float32, l.OutC*l.InC*9)
			b := make([]float32, l.OutC)
			x := make([]float32, images*l.In())
			fillNormal(rng, w, b, x)
			var tmp []float32
			y := make([]float32, images*l.Out())
			l.Forward(nn.Bind(l, [][]float32{w, b}), y, x, images, &tmp)

			up := Upsample{Label: "resize", C: l.InC, H: l.H, W: l.W}
			resized := make([]float32, images*up.Out())
			up.Forward(nil, resized, x, images, &tmp)
			want := make([]float32, images*l.Out())
			l.convolution().Forward([][]float32{w, b}, want, resized, images, &tmp)
			for k := range want {
				if math.Abs(float64(y[k]-want[k])) > 1e-5*math.Max(1, math.Abs(float64(want[k]))) {
					t.Fatalf("%+v, %d images, output %d: %v, resizing and convolving gives %v", l, images, k, y[k], want[k])
				}
			}
		}
	}
}

// contractKernel is expandKernel's transpose: <expand(a), b> = <a,
// contract(b)> for random kernels a and b.
func TestResizeConv2D_ContractIsTheExpansionsTranspose(t *testing.T) {
	const inC, outC = 3, 2
	rng := rand.New(rand.NewPCG(3, 4))
	a, b := make([]float64, outC*inC*9), make([]float64, inC*outC*16)
	for _, s := range [][]float64{a, b} {
		for i := range s {
			s[i] = rng.NormFloat64()
		}
	}
	ea, cb := make([]float64, len(b)), make([]float64, len(a))
	expandKernel(inC, outC, a, ea)
	contractKernel(inC, outC, b, cb)
	var left, right float64
	for i := range b {
		left += ea[i] * b[i]
	}
	for i := range a {
		right += a[i] * cb[i]
	}
	if math.Abs(left-right) > 1e-12*math.Max(1, math.Abs(left)) {
		t.Fatalf("<expand(a), b> = %v, <a, contract(b)> = %v", left, right)
	}
}
