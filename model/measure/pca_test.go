package measure

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"latentlab/model/infra/openblas"
)

// plantedPoints returns n points in d dimensions that vary along the
// orthonormal directions dirs with standard deviations sds, plus isotropic
// noise of standard deviation noise, around mean.
func plantedPoints(n, d int, sds []float64, noise float64, seed uint64) (x *mat.Dense, dirs [][]float64, mean []float64) {
	rng := rand.New(rand.NewPCG(seed, 1))
	basis := mat.NewDense(d, len(sds), nil)
	for i := range basis.RawMatrix().Data {
		basis.RawMatrix().Data[i] = rng.NormFloat64()
	}
	q := orthonormal(basis)
	for j := range sds {
		dirs = append(dirs, mat.Col(nil, j, q))
	}
	mean = make([]float64, d)
	for j := range mean {
		mean[j] = rng.NormFloat64() * 3
	}
	x = mat.NewDense(n, d, nil)
	for i := range n {
		row := x.RawRowView(i)
		copy(row, mean)
		for j, sd := range sds {
			floats.AddScaled(row, sd*rng.NormFloat64(), dirs[j])
		}
		for j := range row {
			row[j] += noise * rng.NormFloat64()
		}
	}
	return x, dirs, mean
}

// PCA of points with a planted low-rank structure recovers its directions
// (up to sign), their variances and the mean, exactly (stat.PC) and by the
// randomized method for wide points.
func TestPCA_RecoversPlantedStructure(t *testing.T) {
	sds := []float64{5, 3, 1.5}
	for _, d := range []int{20, exactPCALimit + 88} {
		x, dirs, mean := plantedPoints(4000, d, sds, 0.05, uint64(d))
		c, err := PCA(x, 3, 1)
		if err != nil {
			t.Fatal(err)
		}
		for j, sd := range sds {
			if cos := math.Abs(floats.Dot(c.Direction(j), dirs[j])); cos < 0.995 {
				t.Errorf("d=%d: component %d is at |cos| %.4f from the planted direction", d, j, cos)
			}
			want := sd*sd + 0.05*0.05
			if math.Abs(c.Variance[j]-want) > 0.1*want {
				t.Errorf("d=%d: component %d has variance %.3f, planted %.3f", d, j, c.Variance[j], want)
			}
		}
		explained := c.Explained()
		wantShare := (25 + 9 + 2.25) / (25 + 9 + 2.25 + float64(d)*0.0025)
		if got := floats.Sum(explained); math.Abs(got-wantShare) > 0.02 {
			t.Errorf("d=%d: the 3 components explain %.3f of the variance, planted %.3f", d, got, wantShare)
		}
		if floats.Distance(c.Mean, mean, math.Inf(1)) > 0.3 {
			t.Errorf("d=%d: the mean is off by %.3f", d, floats.Distance(c.Mean, mean, math.Inf(1)))
		}
		scores := c.Scores(x)
		if _, k := scores.Dims(); k != 3 {
			t.Fatalf("scores have %d columns", k)
		}
	}
	if _, err := PCA(mat.NewDense(1, 3, nil), 1, 1); err == nil {
		t.Error("PCA of one point: no error")
	}
	if _, err := PCA(mat.NewDense(5, 3, nil), 4, 1); err == nil {
		t.Error("4 components of 3 dimensions: no error")
	}
}

// BenchmarkPCA is the principal planes' cost: 10,000 codes of 20 and 256
// dimensions, and a convolutional generator's first layer over 2,000 z.
func BenchmarkPCA(b *testing.B) {
	openblas.Install() // as a snapshot does, with one thread as the app has
	openblas.SetThreads(1)
	for _, tc := range []struct {
		name string
		n, d int
	}{{"10000x20", 10000, 20}, {"10000x256", 10000, 256}, {"2000x6272", 2000, 6272}} {
		x, _, _ := plantedPoints(tc.n, tc.d, []float64{3, 2, 1}, 0.1, 2)
		b.Run(tc.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := PCA(x, 10, 1); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
