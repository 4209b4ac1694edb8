package openblas

import (
	"strings"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
	"gorgonia.org/tensor"
)

func TestInstall_ProductsMatchTheDefinition(t *testing.T) {
	Install()
	// A 2x3 times 3x2 product through blas32, and through a gorgonia tensor.
	a := []float32{1, 2, 3, 4, 5, 6}
	b := []float32{7, 8, 9, 10, 11, 12}
	want := []float32{58, 64, 139, 154}
	c := make([]float32, 4)
	blas32.Gemm(blas.NoTrans, blas.NoTrans, 1,
		blas32.General{Rows: 2, Cols: 3, Stride: 3, Data: a},
		blas32.General{Rows: 3, Cols: 2, Stride: 2, Data: b}, 0,
		blas32.General{Rows: 2, Cols: 2, Stride: 2, Data: c})
	ta := tensor.New(tensor.WithShape(2, 3), tensor.WithBacking(a))
	tb := tensor.New(tensor.WithShape(3, 2), tensor.WithBacking(b))
	tc, err := tensor.MatMul(ta, tb)
	if err != nil {
		t.Fatal(err)
	}
	for i, w := range want {
		if c[i] != w || tc.Data().([]float32)[i] != w {
			t.Fatalf("element %d: blas32 %v, tensor %v, want %v", i, c[i], tc.Data().([]float32)[i], w)
		}
	}
	if !strings.Contains(Config(), "BLAS") {
		t.Errorf("Config() = %q, want a description of the BLAS in use", Config())
	}
}

func TestSetThreads_ClampsToOne(t *testing.T) {
	before := Threads()
	t.Cleanup(func() { SetThreads(before) })
	SetThreads(0)
	if got := Threads(); got != 1 { // 1 for gonum's BLAS too
		t.Errorf("after SetThreads(0), Threads() = %d, want 1", got)
	}
}
