package measure

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"gonum.org/v1/gonum/mat"

	"latentlab/model/infra/openblas"
)

// The Barnes-Hut gradient with theta = 0 is the exact gradient of KL(P||Q)
// written out over all pairs, and with theta = 0.5 close to it.
func TestTSNE_GradientIsKLs(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const n = 60
	x := mat.NewDense(n, 5, nil)
	for i := range x.RawMatrix().Data {
		x.RawMatrix().Data[i] = rng.NormFloat64()
	}
	p := inputAffinities(x, 10)
	y := make([]float64, 2*n)
	for i := range y {
		y[i] = rng.NormFloat64() * 3
	}
	dense := mat.NewDense(n, n, nil)
	for i := range n {
		for e := p.start[i]; e < p.start[i+1]; e++ {
			dense.Set(i, p.cols[e], p.vals[e])
		}
	}
	if s := mat.Sum(dense); math.Abs(s-1) > 1e-9 {
		t.Fatalf("the affinities sum to %v", s)
	}
	var z float64
	for i := range n {
		for j := range n {
			if i != j {
				dx, dy := y[2*i]-y[2*j], y[2*i+1]-y[2*j+1]
				z += 1 / (1 + dx*dx + dy*dy)
			}
		}
	}
	want := make([]float64, 2*n)
	for i := range n {
		for j := range n {
			if i == j {
				continue
			}
			dx, dy := y[2*i]-y[2*j], y[2*i+1]-y[2*j+1]
			w := 1 / (1 + dx*dx + dy*dy)
			c := 4 * (2*dense.At(i, j) - w/z) * w // exaggeration 2
			want[2*i] += c * dx
			want[2*i+1] += c * dy
		}
	}
	for _, tc := range []struct {
		theta, tol float64
	}{{0, 1e-12}, {0.5, 0.05}} {
		got := make([]float64, 2*n)
		tsneGradient(p, y, 2, tc.theta, got)
		var diff, norm float64
		for i := range got {
			diff += (got[i] - want[i]) * (got[i] - want[i])
			norm += want[i] * want[i]
		}
		if rel := math.Sqrt(diff / norm); rel > tc.tol {
			t.Errorf("theta %v: gradient %.3g from the exact one (relative)", tc.theta, rel)
		}
	}
}

// t-SNE of points from five well separated Gaussians in 20 dimensions
// keeps each point among its own cluster: its five nearest neighbours on
// the map are of its cluster, for nearly every point.
func TestTSNE_SeparatesPlantedClusters(t *testing.T) {
	const clusters, per, d = 5, 120, 20
	rng := rand.New(rand.NewPCG(3, 4))
	x := mat.NewDense(clusters*per, d, nil)
	label := make([]int, clusters*per)
	for c := range clusters {
		centre := make([]float64, d)
		for j := range centre {
			centre[j] = 6 * rng.NormFloat64()
		}
		for i := range per {
			row := x.RawRowView(c*per + i)
			for j := range row {
				row[j] = centre[j] + rng.NormFloat64()
			}
			label[c*per+i] = c
		}
	}
	calls := 0
	y, err := TSNE(context.Background(), x, TSNEOptions{Iterations: 500, Seed: 1, Progress: func(int, int) { calls++ }})
	if err != nil {
		t.Fatal(err)
	}
	if calls < 2 {
		t.Errorf("progress reported %d times", calls)
	}
	nbr, _ := nearestNeighbours(y, 5)
	right := 0
	for i, ns := range nbr {
		for _, j := range ns {
			if label[j] == label[i] {
				right++
			}
		}
	}
	if share := float64(right) / float64(5*len(nbr)); share < 0.98 {
		t.Fatalf("%.3f of the map's nearest neighbours share their cluster", share)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := TSNE(ctx, x, TSNEOptions{}); err == nil {
		t.Fatal("a cancelled t-SNE: no error")
	}
	if _, err := TSNE(context.Background(), mat.NewDense(1, 3, nil), TSNEOptions{}); err == nil {
		t.Fatal("t-SNE of one point: no error")
	}
}

// BenchmarkTSNE is the map of the Latent view: 5,000 codes of 16
// dimensions in ten clusters, 1,000 steps.
func BenchmarkTSNE(b *testing.B) {
	openblas.Install()
	openblas.SetThreads(1)
	rng := rand.New(rand.NewPCG(5, 6))
	x := mat.NewDense(5000, 16, nil)
	for i := range 5000 {
		c := i % 10
		for j := range 16 {
			x.Set(i, j, float64((c*7+j)%5)+rng.NormFloat64())
		}
	}
	for b.Loop() {
		start := time.Now()
		if _, err := TSNE(context.Background(), x, TSNEOptions{Seed: 1}); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(time.Since(start).Seconds(), "s/map")
	}
}
