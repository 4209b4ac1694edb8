package render

import (
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"gonum.org/v1/gonum/mat"
)

func TestTile_LaysOutImagesRowByRow(t *testing.T) {
	// Three 2x2 images on 2 columns: values 0, 0.5 and 1.
	imgs := mat.NewDense(3, 4, []float64{0, 0, 0, 0, .5, .5, .5, .5, 1, 1, 1, 1})
	g, err := Tile(imgs, 2, 2, 2, 1)
	if err != nil {
		t.Fatal(err)
	}
	if b := g.Bounds(); b.Dx() != 2*2+3 || b.Dy() != 2*2+3 {
		t.Fatalf("size %v, want 7x7", b)
	}
	checks := []struct {
		x, y int
		want uint8
	}{{1, 1, 0}, {4, 1, 128}, {1, 4, 255}, {0, 0, 48}, {4, 4, 48}}
	for _, c := range checks {
		if got := g.GrayAt(c.x, c.y).Y; got != c.want {
			t.Errorf("pixel (%d,%d) = %d, want %d", c.x, c.y, got, c.want)
		}
	}
}

func TestTile_RejectsWrongImageSize(t *testing.T) {
	if _, err := Tile(mat.NewDense(1, 5, nil), 2, 2, 1, 0); err == nil {
		t.Fatal("no error for 5-pixel images declared 2x2")
	}
}

func TestWritePNG_RoundTrip(t *testing.T) {
	g, err := Tile(mat.NewDense(1, 4, []float64{0, 1, 1, 0}), 2, 2, 1, 0)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "grid.png")
	if err := WritePNG(path, g); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	back, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	if r, _, _, _ := back.At(1, 0).RGBA(); r>>8 != 255 {
		t.Fatalf("pixel (1,0) = %d, want 255", r>>8)
	}
}
