// Package layertest is the test every layer kind runs: its gradients
// against finite differences and its float32 passes against its graph.
package layertest

import (
	"latentlab/model/internal/gradcheck"
	"latentlab/model/nn"
	"math"
	"math/rand/v2"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Check is the test every layer kind runs (see nn/dense_test.go): in a
// float64 graph, the gradients of a random linear function of the layer's
// output (through a random dropout mask) with respect to its input and
// every parameter agree with central finite differences; the float32
// Forward and nn.Finish passes agree with the graph's forward pass; and a
// Backer's float32 input gradient agrees with the graph's.
func Check(t *testing.T, l nn.Layer, rows int) {
	t.Helper()
	rng := rand.New(rand.NewPCG(7, 11))
	params := nn.NewParamSet([]nn.Layer{l}, tensor.Float64, 3)
	g := nn.NewGraph(tensor.Float64, params)
	xT := randomTensor(rng, rows, l.In())
	maskT := tensor.New(tensor.WithShape(rows, l.Out()), tensor.WithBacking(make([]float64, rows*l.Out())))
	for i, d := 0, maskT.Data().([]float64); i < len(d); i++ {
		d[i] = float64(2 * rng.IntN(2)) // inverted dropout with p = 0.5
	}
	coefT := randomTensor(rng, rows, l.Out())
	x := G.NewMatrix(g.Expr, tensor.Float64, G.WithShape(rows, l.In()), G.WithName("x"), G.WithValue(xT))
	// Row weights: the last row is padding, as in the last batch of an epoch.
	wT := tensor.New(tensor.WithShape(rows), tensor.WithBacking(make([]float64, rows)))
	for i := range rows - 1 {
		wT.Data().([]float64)[i] = 1 / float64(rows-1)
	}
	g.RowWeights = G.NewVector(g.Expr, tensor.Float64, G.WithShape(rows), G.WithName("w"), G.WithValue(wT))
	mask := G.NewMatrix(g.Expr, tensor.Float64, G.WithShape(rows, l.Out()), G.WithName("mask"), G.WithValue(maskT))
	coef := G.NewMatrix(g.Expr, tensor.Float64, G.WithShape(rows, l.Out()), G.WithName("coef"), G.WithValue(coefT))
	y := l.Apply(g, x, nn.TrainAll, mask)
	cost := G.Must(G.Sum(G.Must(G.HadamardProd(y, coef))))
	wrt := G.Nodes{x}
	for _, p := range l.Params() {
		if !p.Buffer {
			wrt = append(wrt, g.Param(p.Name))
		}
	}
	grads, err := G.Grad(cost, wrt...)
	if err != nil {
		t.Fatal(err)
	}
	reads := make([]*G.Value, len(grads))
	for i, gr := range grads {
		reads[i] = new(G.Value)
		G.Read(gr, reads[i])
	}
	costVal := new(G.Value)
	G.Read(cost, costVal)
	vm := G.NewTapeMachine(g.Expr)
	defer vm.Close()
	run := func() float64 {
		if err := vm.RunAll(); err != nil {
			t.Fatal(err)
		}
		defer vm.Reset()
		return (*costVal).Data().(float64)
	}
	run()
	analytic := make([][]float64, len(grads))
	for i, r := range reads {
		analytic[i] = nn.Float64s((*r).(*tensor.Dense))
	}

	// Finite differences of the cost in every input and parameter element.
	targets := []*tensor.Dense{xT}
	for _, p := range l.Params() {
		if !p.Buffer {
			targets = append(targets, params.Tensor(p.Name))
		}
	}
	for i, target := range targets {
		gradcheck.Check(t, l.Name()+": "+wrt[i].Name(), target.Data().([]float64), analytic[i], run)
	}

	// The float32 passes against the graph's forward pass without a mask,
	// for layers that infer as they train (BatchNorm infers with its
	// running statistics: batchnorm_test.go checks it).
	for _, p := range l.Params() {
		if p.Buffer {
			return
		}
	}
	g2 := nn.NewGraph(tensor.Float64, params)
	g2.RowWeights = G.NewVector(g2.Expr, tensor.Float64, G.WithShape(rows), G.WithName("w"), G.WithValue(wT))
	x2 := G.NewMatrix(g2.Expr, tensor.Float64, G.WithShape(rows, l.In()), G.WithName("x"), G.WithValue(xT))
	out := new(G.Value)
	G.Read(l.Apply(g2, x2, nn.ForwardOnly, nil), out)
	vm2 := G.NewTapeMachine(g2.Expr)
	defer vm2.Close()
	if err := vm2.RunAll(); err != nil {
		t.Fatal(err)
	}
	want := nn.Float64s((*out).(*tensor.Dense))
	var w [][]float32
	for _, p := range l.Params() {
		w = append(w, params.Float32s(p.Name))
	}
	w = nn.Bind(l, w)
	x32 := nn.Float32s(xT)
	var tmp []float32
	for _, n := range []int{1, rows} { // one row takes its own path
		y32 := make([]float32, n*l.Out())
		l.Forward(w, y32, x32[:n*l.In()], n, &tmp)
		y64 := make([]float64, n*l.Out())
		nn.Finish(l, w, y64, x32[:n*l.In()], n, false, &tmp)
		for j := range y32 {
			tol := 1e-5 * math.Max(1, math.Abs(want[j]))
			if math.Abs(float64(y32[j])-want[j]) > tol || math.Abs(y64[j]-want[j]) > tol {
				t.Fatalf("%s, %d rows: output %d is %v (Forward), %v (nn.Finish); the graph says %v", l.Name(), n, j, y32[j], y64[j], want[j])
			}
		}
	}
	if b, ok := l.(nn.Backer); ok {
		checkBack(t, l, b, w, x32, rows, nn.Float64s(coefT), nn.Float64s(maskT), analytic[0])
	}
}

// checkBack compares the float32 input gradient of Back with the graph's,
// want, for the same function: the output gradient coef ⊙ mask.
func checkBack(t *testing.T, l nn.Layer, b nn.Backer, w [][]float32, x []float32, rows int, coef, mask, want []float64) {
	t.Helper()
	var tmp []float32
	y := make([]float32, rows*l.Out())
	l.Forward(w, y, x, rows, &tmp)
	dy := make([]float32, len(y))
	for i := range dy {
		dy[i] = float32(coef[i] * mask[i])
	}
	dx := make([]float32, len(x))
	for i := range dx {
		dx[i] = float32(math.NaN()) // Back must write every element
	}
	b.Back(w, dx, dy, y, rows, &tmp)
	for i, v := range dx {
		if math.Abs(float64(v)-want[i]) > 1e-4*math.Max(1, math.Abs(want[i])) {
			t.Fatalf("%s: Back's input gradient %d is %v; the graph says %v", l.Name(), i, v, want[i])
		}
	}
}

func randomTensor(rng *rand.Rand, rows, cols int) *tensor.Dense {
	d := make([]float64, rows*cols)
	for i := range d {
		d[i] = rng.NormFloat64()
	}
	return tensor.New(tensor.WithShape(rows, cols), tensor.WithBacking(d))
}
