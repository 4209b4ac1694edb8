package digit

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/png"
	"math"
	"strings"
	"testing"

	"latentlab/model/internal/testkit"
)

// stroke draws a "7"-like shape of thick strokes on a w x h canvas: ink
// and ground colours as given.
func stroke(w, h int, ink, ground color.Color) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, ground)
		}
	}
	thick := float64(min(w, h)) / 14
	line := func(x0, y0, x1, y1 float64) {
		for t := 0.0; t <= 1; t += 0.001 {
			cx, cy := x0+t*(x1-x0), y0+t*(y1-y0)
			for dy := -thick; dy <= thick; dy++ {
				for dx := -thick; dx <= thick; dx++ {
					if dx*dx+dy*dy <= thick*thick {
						img.Set(int(cx+dx), int(cy+dy), ink)
					}
				}
			}
		}
	}
	line(0.3*float64(w), 0.2*float64(h), 0.7*float64(w), 0.2*float64(h))
	line(0.7*float64(w), 0.2*float64(h), 0.45*float64(w), 0.85*float64(h))
	return img
}

// geometry returns the longer side of the bounding box of the pixels of
// at least inkLevel, and the centre of mass, of a Frame x Frame digit.
func geometry(v []float64) (side int, cx, cy float64) {
	x0, y0, x1, y1 := inkBox(v, Frame, Frame)
	cx, cy = centreOfMass(v, Frame, Frame)
	return max(x1-x0, y1-y0), cx, cy
}

// A stroke drawn on any canvas lands as MNIST's digits do: its box's
// longer side 20 pixels, its centre of mass within half a pixel of the
// frame's centre; light-on-dark, dark-on-light and ink on a transparent
// ground give the same digit.
func TestPrepare_StrokeLandsAsMNISTDigits(t *testing.T) {
	black, white := color.NRGBA{0, 0, 0, 255}, color.NRGBA{255, 255, 255, 255}
	cases := map[string]*image.NRGBA{
		"dark on light":       stroke(300, 200, black, white),
		"light on dark":       stroke(300, 200, white, black),
		"on transparent":      stroke(300, 200, black, color.NRGBA{}),
		"small, dark on grey": stroke(40, 60, black, color.NRGBA{180, 180, 180, 255}),
	}
	var first []float64
	for name, img := range cases {
		v, err := Prepare(img)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		side, cx, cy := geometry(v)
		if side < Box-1 || side > Box+1 || math.Abs(cx-Centre) > 0.5 || math.Abs(cy-Centre) > 0.5 {
			t.Errorf("%s: box side %d (want %d), centre of mass (%.2f, %.2f) (want %v)", name, side, Box, cx, cy, Centre)
		}
		if name == "dark on light" {
			first = v
		}
	}
	for _, name := range []string{"light on dark", "on transparent"} {
		v, _ := Prepare(cases[name])
		for i := range v {
			if math.Abs(v[i]-first[i]) > 2.0/255 {
				t.Fatalf("%s: pixel %d is %v, dark on light gives %v", name, i, v[i], first[i])
			}
		}
	}
}

// Our reading of MNIST's geometry: its test digits' centres of mass lie, on
// average, at Centre, and their boxes' longer sides are Box.
func TestMNIST_DigitsAreCentredAsPrepareCentres(t *testing.T) {
	test := testkit.MNIST(t).Test
	var sx, sy, side float64
	n := 1000
	for i := range n {
		s, cx, cy := geometry(test.Matrix(i, i+1).RawRowView(0))
		sx, sy, side = sx+cx, sy+cy, side+float64(s)
	}
	if mx, my, ms := sx/float64(n), sy/float64(n), side/float64(n); math.Abs(mx-Centre) > 0.1 || math.Abs(my-Centre) > 0.1 || math.Abs(ms-Box) > 0.1 {
		t.Fatalf("MNIST digits: mean centre of mass (%.2f, %.2f), mean box side %.2f", mx, my, ms)
	}
}

// A test digit saved as a PNG and read back is the data set's digit,
// value for value: an image already of the frame's size is kept as it is.
func TestPrepare_DataDigitThroughPNGIsUnchanged(t *testing.T) {
	test := testkit.MNIST(t).Test
	for _, i := range []int{0, 1, 2, 77} {
		want := make([]float32, test.Dim())
		test.ImageValues(want, i)
		img := image.NewGray(image.Rect(0, 0, Frame, Frame))
		copy(img.Pix, test.Image(i)) // the data's bytes, as a PNG holds them
		var buf bytes.Buffer
		if err := png.Encode(&buf, img); err != nil {
			t.Fatal(err)
		}
		read, err := Read(&buf, "digit.png")
		if err != nil {
			t.Fatal(err)
		}
		got, err := Prepare(read)
		if err != nil {
			t.Fatal(err)
		}
		for p := range want {
			if got[p] != float64(want[p]) {
				t.Fatalf("test digit %d, pixel %d: %v, the data holds %v", i, p, got[p], want[p])
			}
		}
	}
}

// pngClaiming returns a PNG whose header claims w x h pixels (CRC right)
// and whose data is a 1x1 image's.
func pngClaiming(t *testing.T, w, h uint32) []byte {
	t.Helper()
	var buf bytes.Buffer
	png.Encode(&buf, image.NewGray(image.Rect(0, 0, 1, 1)))
	b := buf.Bytes()
	// Signature (8), then IHDR: length (4), "IHDR" (4), width, height, ...
	binary.BigEndian.PutUint32(b[16:], w)
	binary.BigEndian.PutUint32(b[20:], h)
	binary.BigEndian.PutUint32(b[29:], crc32.ChecksumIEEE(b[12:29]))
	return b
}

// What is not a digit's image is refused with a message that names the
// file and says what is wrong, before any large allocation.
func TestRead_RefusesWhatIsNotAnImage(t *testing.T) {
	var truncated bytes.Buffer
	png.Encode(&truncated, stroke(50, 50, color.White, color.Black))
	for _, c := range []struct {
		name string
		data []byte
		want string
	}{
		{"empty.png", nil, "empty"},
		{"notes.png", []byte("these are not pixels"), "not a PNG, JPEG or GIF"},
		{"huge.png", pngClaiming(t, 100_000, 100_000), "100000 x 100000 pixels"},
		{"zero.png", pngClaiming(t, 0, 10), "not a PNG, JPEG or GIF"},
		{"cut.png", truncated.Bytes()[:truncated.Len()/2], "does not decode"},
	} {
		_, err := Read(bytes.NewReader(c.data), c.name)
		if err == nil || !strings.Contains(err.Error(), c.name) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v (want the name and %q)", c.name, err, c.want)
		}
	}
	blank := image.NewGray(image.Rect(0, 0, 40, 40))
	if _, err := Prepare(blank); !errors.Is(err, ErrNoInk) {
		t.Errorf("a blank image: %v", err)
	}
}

// Whatever the bytes, Read and Prepare return an error or a digit of the
// frame's size with values in [0, 1], and never panic.
func FuzzRead(f *testing.F) {
	var good bytes.Buffer
	png.Encode(&good, stroke(30, 20, color.Black, color.White))
	f.Add(good.Bytes())
	f.Add([]byte{})
	f.Add([]byte("GIF89a"))
	f.Fuzz(func(t *testing.T, data []byte) {
		img, err := Read(bytes.NewReader(data), "fuzz")
		if err != nil {
			return
		}
		v, err := Prepare(img)
		if err != nil {
			return
		}
		if len(v) != Frame*Frame {
			t.Fatalf("%d values", len(v))
		}
		for _, x := range v {
			if !(x >= 0 && x <= 1) {
				t.Fatalf("value %v", x)
			}
		}
	})
}

// BenchmarkPrepare_Drawing times what a stroke in the app costs before the
// models answer: a 280x280 drawing made a digit.
func BenchmarkPrepare_Drawing(b *testing.B) {
	src := stroke(280, 280, color.White, color.Black)
	img := image.NewGray(src.Bounds())
	for i := range img.Pix {
		img.Pix[i] = src.Pix[4*i]
	}
	for b.Loop() {
		if _, err := Prepare(img); err != nil {
			b.Fatal(err)
		}
	}
}
