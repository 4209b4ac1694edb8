package measure

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"

	"gonum.org/v1/gonum/mat"

	"latentlab/model/nn/op"
)

// TSNEOptions configure TSNE; zero fields take the defaults.
type TSNEOptions struct {
	Perplexity float64 // effective number of neighbours (default 30)
	Iterations int     // gradient steps (default 1000)
	Theta      float64 // Barnes-Hut accuracy: a cell of size s at distance d counts as one point when s/d < Theta (default 0.5)
	Seed       uint64  // the starting map
	// Progress, when set, is called now and then with the steps done.
	Progress func(done, total int)
}

// t-SNE's schedule (van der Maaten 2014, section 5, and the reference
// implementation): early exaggeration of the input affinities by 12 for
// the first 250 steps, momentum 0.5 then 0.8, per-coordinate gains
// (Jacobs 1988), and a learning rate of n/12 (at least 200; Belkina et al.
// 2019).
const (
	tsneExaggeration  = 12
	tsneExaggerateFor = 250
	tsneMomentumEarly = 0.5
	tsneMomentumLate  = 0.8
	tsneMinGain       = 0.01
)

// TSNE embeds the rows of x (n x d, n >= 2) in the plane with Barnes-Hut
// t-SNE (van der Maaten & Hinton 2008, "Visualizing data using t-SNE";
// van der Maaten 2014, "Accelerating t-SNE using tree-based
// algorithms"): input affinities from Gaussians whose widths give each
// point the perplexity asked for, over its 3·perplexity nearest
// neighbours; output affinities from a Student-t kernel; the KL
// divergence between them minimised by gradient descent, the repulsion
// approximated over a quadtree. It returns the map (n x 2). It stops with
// ctx's error when ctx ends.
func TSNE(ctx context.Context, x *mat.Dense, o TSNEOptions) (*mat.Dense, error) {
	n, _ := x.Dims()
	if n < 2 {
		return nil, fmt.Errorf("measure: t-SNE of %d points: need at least 2", n)
	}
	if o.Perplexity <= 0 {
		o.Perplexity = 30
	}
	if o.Iterations <= 0 {
		o.Iterations = 1000
	}
	if o.Theta <= 0 {
		o.Theta = 0.5
	}
	o.Perplexity = min(o.Perplexity, float64(n-1)/3)
	p := inputAffinities(x, o.Perplexity)
	rng := rand.New(rand.NewPCG(o.Seed, 0x75e))
	y := make([]float64, 2*n)
	for i := range y {
		y[i] = 1e-4 * rng.NormFloat64()
	}
	update, gains, grad := make([]float64, 2*n), make([]float64, 2*n), make([]float64, 2*n)
	for i := range gains {
		gains[i] = 1
	}
	rate := max(200, float64(n)/12)
	for it := range o.Iterations {
		if it%25 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			if o.Progress != nil {
				o.Progress(it, o.Iterations)
			}
		}
		exaggeration, momentum := 1.0, tsneMomentumLate
		if it < tsneExaggerateFor {
			exaggeration, momentum = tsneExaggeration, tsneMomentumEarly
		}
		tsneGradient(p, y, exaggeration, o.Theta, grad)
		for i := range y {
			if (grad[i] > 0) != (update[i] > 0) {
				gains[i] += 0.2
			} else {
				gains[i] = max(gains[i]*0.8, tsneMinGain)
			}
			update[i] = momentum*update[i] - rate*gains[i]*grad[i]
			y[i] += update[i]
		}
		centre(y)
	}
	if o.Progress != nil {
		o.Progress(o.Iterations, o.Iterations)
	}
	return mat.NewDense(n, 2, y), nil
}

// sparseAffinities holds the symmetric input affinities p_ij, row by row:
// row i's neighbours are cols[start[i]:start[i+1]].
type sparseAffinities struct {
	start []int
	cols  []int
	vals  []float64
}

// inputAffinities returns the symmetrised affinities (p_j|i + p_i|j) / 2n
// over each point's 3·perplexity nearest neighbours (exact, by brute
// force), each p_j|i a Gaussian of the distance whose width is found by
// bisection so that the row's perplexity, 2^H, is perplexity.
func inputAffinities(x *mat.Dense, perplexity float64) sparseAffinities {
	n, _ := x.Dims()
	k := min(n-1, int(3*perplexity))
	nbr, dist := nearestNeighbours(x, k)
	cond := make([]map[int]float64, n)
	for i := range n {
		w := gaussianRow(dist[i], perplexity)
		cond[i] = make(map[int]float64, k)
		for j, c := range nbr[i] {
			cond[i][c] = w[j]
		}
	}
	sym := make([]map[int]float64, n)
	for i := range sym {
		sym[i] = map[int]float64{}
	}
	for i := range n {
		for j, v := range cond[i] {
			s := (v + cond[j][i]) / (2 * float64(n))
			sym[i][j], sym[j][i] = s, s
		}
	}
	var p sparseAffinities
	p.start = make([]int, n+1)
	for i := range n {
		cols := make([]int, 0, len(sym[i]))
		for j := range sym[i] {
			cols = append(cols, j)
		}
		sort.Ints(cols)
		for _, j := range cols {
			p.cols = append(p.cols, j)
			p.vals = append(p.vals, sym[i][j])
		}
		p.start[i+1] = len(p.cols)
	}
	return p
}

// neighbourBlock is how many rows of distances nearestNeighbours holds
// at once: 256 x n, a few MB, where all pairs at once would take n² (800
// MB for 10,000 points).
const neighbourBlock = 256

// nearestNeighbours returns each row's k nearest other rows of x and
// their squared distances, nearest first, exactly: the distances of a
// block of rows to all rows come from one product (|a-b|² = a·a + b·b -
// 2 a·b), and each row keeps its k nearest by insertion.
func nearestNeighbours(x *mat.Dense, k int) (nbr [][]int, dist [][]float64) {
	n, _ := x.Dims()
	norms := make([]float64, n)
	for i := range n {
		r := x.RawRowView(i)
		for _, v := range r {
			norms[i] += v * v
		}
	}
	nbr, dist = make([][]int, n), make([][]float64, n)
	var block mat.Dense
	for r0 := 0; r0 < n; r0 += neighbourBlock {
		r1 := min(n, r0+neighbourBlock)
		block.Reset()
		block.Mul(x.Slice(r0, r1, 0, x.RawMatrix().Cols), x.T())
		for i := r0; i < r1; i++ {
			row := block.RawRowView(i - r0)
			ids, ds := make([]int, 0, k+1), make([]float64, 0, k+1)
			for j := range n {
				if j == i {
					continue
				}
				d := max(0, norms[i]+norms[j]-2*row[j])
				if len(ds) == k && d >= ds[k-1] {
					continue
				}
				at := sort.SearchFloat64s(ds, d)
				ds = append(ds, 0)
				ids = append(ids, 0)
				copy(ds[at+1:], ds[at:])
				copy(ids[at+1:], ids[at:])
				ds[at], ids[at] = d, j
				if len(ds) > k {
					ds, ids = ds[:k], ids[:k]
				}
			}
			nbr[i], dist[i] = ids, ds
		}
	}
	return nbr, dist
}

// gaussianRow returns the conditional affinities exp(-beta d) / sum for
// the squared distances d, beta found by bisection so that their
// entropy is log(perplexity).
func gaussianRow(d []float64, perplexity float64) []float64 {
	target := math.Log(perplexity)
	w := make([]float64, len(d))
	lo, hi, beta := 0.0, math.Inf(1), 1.0
	for range 200 {
		sum, dot := 0.0, 0.0
		for j, v := range d {
			w[j] = math.Exp(-beta * (v - d[0])) // shifted by the nearest: no underflow
			sum += w[j]
			dot += w[j] * (v - d[0])
		}
		entropy := math.Log(sum) + beta*dot/sum
		if math.Abs(entropy-target) < 1e-5 {
			break
		}
		if entropy > target {
			lo = beta
			if math.IsInf(hi, 1) {
				beta *= 2
			} else {
				beta = (beta + hi) / 2
			}
		} else {
			hi = beta
			beta = (beta + lo) / 2
		}
	}
	sum := 0.0
	for _, v := range w {
		sum += v
	}
	for j := range w {
		w[j] /= sum
	}
	return w
}

// centre moves the map's mean to the origin.
func centre(y []float64) {
	n := len(y) / 2
	var mx, my float64
	for i := range n {
		mx += y[2*i] / float64(n)
		my += y[2*i+1] / float64(n)
	}
	for i := range n {
		y[2*i] -= mx
		y[2*i+1] -= my
	}
}

// tsneGradient sets grad to the gradient of KL(P || Q) at the map y, P
// multiplied by exaggeration: 4 sum_j (p_ij q_ij Z - q_ij² Z) (y_i - y_j),
// with Z = sum_{k != l} (1 + |y_k - y_l|²)^-1, the attractive part over
// P's neighbours and the repulsive part over the quadtree.
func tsneGradient(p sparseAffinities, y []float64, exaggeration, theta float64, grad []float64) {
	n := len(y) / 2
	tree := newQuadtree(y)
	rep, zs := make([]float64, 2*n), make([]float64, n)
	op.Parallel(n, 200, func(lo, hi int) { // each point's walk reads the tree alone
		stack := make([]int32, 0, 128)
		for i := lo; i < hi; i++ {
			zs[i] = tree.repulsion(y[2*i], y[2*i+1], theta, rep[2*i:2*i+2], &stack)
		}
	})
	var z float64
	for _, v := range zs { // summed in order: the same map on any number of cores
		z += v
	}
	for i := range n {
		var ax, ay float64
		for e := p.start[i]; e < p.start[i+1]; e++ {
			j := p.cols[e]
			dx, dy := y[2*i]-y[2*j], y[2*i+1]-y[2*j+1]
			q := 1 / (1 + dx*dx + dy*dy)
			ax += exaggeration * p.vals[e] * q * dx
			ay += exaggeration * p.vals[e] * q * dy
		}
		grad[2*i] = 4 * (ax - rep[2*i]/z)
		grad[2*i+1] = 4 * (ay - rep[2*i+1]/z)
	}
}
