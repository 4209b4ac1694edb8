package render

import (
	"image/gif"
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

// A sweep's frame t shows every row's image t; the frames run forward
// and back; it survives a round trip through a file.
func TestSweep_FramesShowEachStep(t *testing.T) {
	const rows, steps = 3, 4
	images := mat.NewDense(rows*steps, 4, nil)
	for r := range rows {
		for s := range steps {
			for j := range 4 {
				images.Set(r*steps+s, j, float64(10*r+s)/40)
			}
		}
	}
	g, err := Sweep(images, rows, steps, 2, 2, 3, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(g.Image) != 2*steps-2 {
		t.Fatalf("%d frames, want %d", len(g.Image), 2*steps-2)
	}
	for f, want := range []int{0, 1, 2, 3, 2, 1} {
		for r := range rows {
			if got := g.Image[f].Pix[g.Image[f].PixOffset(2*r, 0)]; got != toByte(float64(10*r+want)/40) {
				t.Fatalf("frame %d, row %d shows level %d, want step %d", f, r, got, want)
			}
		}
	}
	path := filepath.Join(t.TempDir(), "sweep.gif")
	if err := WriteGIF(path, g); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	back, err := gif.DecodeAll(f)
	if err != nil || len(back.Image) != len(g.Image) {
		t.Fatalf("read back: %v, %d frames", err, len(back.Image))
	}
	if _, err := Sweep(images, 5, steps, 2, 2, 3, 0, 10); err == nil {
		t.Fatal("5 rows of 4 steps from 12 images: no error")
	}
}
