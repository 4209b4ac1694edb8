package train

import (
	"math"
	"sync"
	"testing"

	"gonum.org/v1/gonum/mat"

	"latentlab/model"
	"latentlab/model/dataset"
	"latentlab/model/infer"
)

// Many goroutines may decode and encode with one snapshot at once (the UI,
// the app's workers, metrics): each forward pass has scratch of its own, so
// every result equals the one computed alone. Run under -race.
func TestSnapshot_ConcurrentForwardPassesAgree(t *testing.T) {
	cfg := smallConfig(model.KindVAE, 28, 28)
	cfg.Hidden = []int{64, 32}
	set := dataset.Noise(8, 28, 28, 3)
	tr, err := NewTrainer(cfg, set, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	s := tr.Snapshot()
	x := set.Matrix(0, set.Len())
	zs := infer.SamplePrior(16, 2, 9)
	wantOne, err := s.Decode(zs.RawRowView(0))
	if err != nil {
		t.Fatal(err)
	}
	wantBatch, _ := s.DecodeBatch(zs)
	wantPreview, err := s.Preview(zs.RawRowView(0))
	if err != nil {
		t.Fatal(err)
	}
	wantMean, _, _ := s.EncodeBatch(x)

	var wg sync.WaitGroup
	errs := make(chan string, 64)
	for g := range 8 {
		wg.Go(func() {
			for range 20 {
				switch g % 4 {
				case 0:
					got, _ := s.Decode(zs.RawRowView(0))
					if !mat.Equal(mat.NewVecDense(len(got), got), mat.NewVecDense(len(wantOne), wantOne)) {
						errs <- "Decode differs"
					}
				case 3:
					got, _ := s.Preview(zs.RawRowView(0))
					if !mat.Equal(mat.NewVecDense(len(got), got), mat.NewVecDense(len(wantPreview), wantPreview)) {
						errs <- "Preview differs"
					}
				case 1:
					got, _ := s.DecodeBatch(zs)
					if !mat.Equal(got, wantBatch) {
						errs <- "DecodeBatch differs"
					}
				default:
					got, _, _ := s.EncodeBatch(x)
					if !mat.Equal(got, wantMean) {
						errs <- "EncodeBatch differs"
					}
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Fatal(e)
	}
}

// Encode (one image, the serial path) agrees with EncodeBatch (sgemm)
// within float32 rounding.
func TestSnapshot_EncodeMatchesEncodeBatch(t *testing.T) {
	cfg := smallConfig(model.KindVAE, 28, 28)
	cfg.Hidden = []int{64, 32}
	set := dataset.Noise(4, 28, 28, 4)
	tr, err := NewTrainer(cfg, set, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	s := tr.Snapshot()
	mean, logVar, err := s.EncodeBatch(set.Matrix(0, set.Len()))
	if err != nil {
		t.Fatal(err)
	}
	for i := range set.Len() {
		m, lv, err := s.Encode(set.Matrix(i, i+1).RawRowView(0))
		if err != nil {
			t.Fatal(err)
		}
		for j := range m {
			if math.Abs(m[j]-mean.At(i, j)) > 1e-5 || math.Abs(lv[j]-logVar.At(i, j)) > 1e-5 {
				t.Fatalf("image %d dim %d: Encode (%v, %v), EncodeBatch (%v, %v)", i, j, m[j], lv[j], mean.At(i, j), logVar.At(i, j))
			}
		}
	}
}

// Batches longer than snapshotChunk rows are split, with every row in its
// place.
func TestSnapshot_DecodeBatchAcrossChunks(t *testing.T) {
	tr, err := NewTrainer(smallConfig(model.KindGAN, 4, 4), dataset.Noise(8, 4, 4, 2), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	s := tr.Snapshot()
	n := snapshotChunk + 3
	z := infer.SamplePrior(n, 2, 5)
	all, err := s.DecodeBatch(z)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []int{0, snapshotChunk - 1, snapshotChunk, n - 1} {
		one, _ := s.Decode(z.RawRowView(r))
		for j, v := range all.RawRowView(r) {
			if math.Abs(v-one[j]) > 1e-6 {
				t.Fatalf("row %d pixel %d: batch %v, alone %v", r, j, v, one[j])
			}
		}
	}
}

func TestPlane_GridPointsAreAt(t *testing.T) {
	for _, p := range []infer.Plane{
		infer.PriorPlane(3, 0, 2),
		{AxisX: 1, AxisY: 0, MinX: -1, MaxX: 3, MinY: 2, MaxY: 5, Base: []float64{0.5, -0.25, 7}},
	} {
		const n = 7
		g := p.GridPoints(n)
		for r := range n {
			for c := range n {
				want := p.At((float64(c)+0.5)/n, 1-(float64(r)+0.5)/n)
				for j, v := range g.RawRowView(r*n + c) {
					if v != want[j] {
						t.Fatalf("%+v: point (%d, %d) = %v, want %v", p, r, c, g.RawRowView(r*n+c), want)
					}
				}
			}
		}
	}
}

// snapshotChunk is the most rows a snapshot's batch pass takes at once
// (infer's forwardChunk).
const snapshotChunk = 1024
