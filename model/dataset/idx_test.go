package dataset

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"io"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// idxHeader builds an IDX header from its magic and dimension words.
func idxHeader(magic uint32, dims ...uint32) []byte {
	b := binary.BigEndian.AppendUint32(nil, magic)
	for _, d := range dims {
		b = binary.BigEndian.AppendUint32(b, d)
	}
	return b
}

// imagesIDX builds a raw IDX image stream with the given header and data.
func imagesIDX(count, rows, cols uint32, data []byte) []byte {
	return append(idxHeader(magicImages, count, rows, cols), data...)
}

// labelsIDX builds a raw IDX label stream with the given header and data.
func labelsIDX(count uint32, data []byte) []byte {
	return append(idxHeader(magicLabels, count), data...)
}

// gz returns b gzip-compressed.
func gz(b []byte) []byte {
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	if _, err := w.Write(b); err != nil {
		panic(err)
	}
	if err := w.Close(); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

// seq returns n bytes with values start, start+1, ... (mod 256).
func seq(n int, start byte) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = start + byte(i)
	}
	return b
}

// wantPixels converts bytes to the expected float32 pixel values.
func wantPixels(b []byte) []float32 {
	p := make([]float32, len(b))
	for i, v := range b {
		p[i] = float32(v) / 255
	}
	return p
}

// corruptGzip flips the last byte of the deflate data of g, just before the
// eight-byte gzip trailer.
func corruptGzip(g []byte) []byte {
	c := slices.Clone(g)
	c[len(c)-9] ^= 0xff
	return c
}

// badCRC flips the first byte of the CRC-32 in the gzip trailer.
func badCRC(g []byte) []byte {
	c := slices.Clone(g)
	c[len(c)-8] ^= 0xff
	return c
}

// twoGB is a header count whose data would need about 2 GB.
const twoGB = 1 << 31

// idxCase is one ReadImages or ReadLabels input and its expected outcome.
type idxCase struct {
	name    string
	data    []byte
	wantErr string // empty means success
}

// imageCases covers valid and invalid image streams.
func imageCases() []idxCase {
	good := imagesIDX(3, 2, 4, seq(24, 250))
	return []idxCase{
		{"good raw", good, ""},
		{"good gzip", gz(good), ""},
		{"good 1x1 zero images", imagesIDX(0, 1, 1, nil), ""},
		{"good 1024x1024 gzip", gz(imagesIDX(1, 1024, 1024, seq(1024*1024, 0))), ""},
		{"empty file", nil, "empty file"},
		{"empty gzip payload", gz(nil), "truncated header: got 0 of 16 bytes"},
		{"one byte", []byte{0}, "truncated header: got 1 of 16 bytes"},
		{"short header", good[:10], "truncated header: got 10 of 16 bytes"},
		{"gzip truncated", gz(good)[:20], "corrupt or truncated gzip data"},
		{"gzip truncated trailer", gz(good)[:len(gz(good))-4], "corrupt or truncated gzip data: unexpected EOF"},
		{"gzip bad checksum", badCRC(gz(good)), "corrupt or truncated gzip data: gzip: invalid checksum"},
		{"gzip corrupt", corruptGzip(gz(good)), "corrupt or truncated gzip data"},
		{"gzip bad header", []byte{0x1f, 0x8b, 0x00, 0x00}, "corrupt or truncated gzip data"},
		{"labels magic", labelsIDX(3, []byte{1, 2, 3}), "bad magic number 0x00000801, expected 0x00000803"},
		{"short header with wrong magic", []byte{0, 0, 8, 1, 0}, "bad magic number 0x00000801, expected 0x00000803"},
		{"three bytes", []byte{0, 0, 8}, "truncated header: got 3 of 16 bytes"},
		{"garbage magic", imagesIDX(0, 1, 1, nil)[4:], "bad magic number 0x00000000, expected 0x00000803"},
		{"zero rows", imagesIDX(1, 0, 4, nil), "invalid image size 0x4"},
		{"zero cols", imagesIDX(1, 4, 0, nil), "invalid image size 4x0"},
		{"too many rows", imagesIDX(1, 1025, 4, nil), "invalid image size 1025x4"},
		{"huge cols", imagesIDX(1, 4, 0xffffffff, nil), "invalid image size 4x4294967295"},
		{"short data", imagesIDX(3, 2, 4, seq(20, 0)), "data ends after 2 of 3 images claimed by the header (20 of 24 pixel bytes)"},
		{"short data gzip", gz(imagesIDX(3, 2, 4, seq(20, 0))), "data ends after 2 of 3 images"},
		{"trailing data", append(slices.Clone(good), 7), "unexpected trailing data after the 3 images"},
		{"trailing data gzip", gz(append(slices.Clone(good), 7)), "unexpected trailing data after the 3 images"},
		{"trailing garbage after gzip", append(gz(good), 1, 2, 3), "corrupt or truncated gzip data"},
		{"2GB claimed", imagesIDX(twoGB/784, 28, 28, seq(10, 0)), "data ends after 0 of 2739137 images claimed by the header (10 of 2147483408 pixel bytes)"},
		{"max count claimed", imagesIDX(0xffffffff, 1024, 1024, seq(10, 0)), "data ends after 0 of 4294967295 images"},
	}
}

// labelCases covers valid and invalid label streams.
func labelCases() []idxCase {
	good := labelsIDX(10, []byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9})
	return []idxCase{
		{"good raw", good, ""},
		{"good gzip", gz(good), ""},
		{"good zero labels", labelsIDX(0, nil), ""},
		{"empty file", nil, "empty file"},
		{"one byte", []byte{0}, "truncated header: got 1 of 8 bytes"},
		{"short header", good[:7], "truncated header: got 7 of 8 bytes"},
		{"gzip truncated", gz(good)[:15], "corrupt or truncated gzip data"},
		{"gzip bad checksum", badCRC(gz(good)), "gzip: invalid checksum"},
		{"gzip bad header", []byte{0x1f, 0x8b, 0xff}, "corrupt or truncated gzip data"},
		{"images magic", imagesIDX(1, 1, 1, []byte{0}), "bad magic number 0x00000803, expected 0x00000801"},
		{"label 10", labelsIDX(3, []byte{0, 10, 1}), "label 10 at index 1 is out of range 0-9"},
		{"label 255 gzip", gz(labelsIDX(2, []byte{9, 255})), "label 255 at index 1 is out of range 0-9"},
		{"short data", labelsIDX(5, []byte{1, 2}), "data ends after 2 of 5 labels claimed by the header"},
		{"trailing data", labelsIDX(1, []byte{1, 2}), "unexpected trailing data after the 1 labels"},
		{"2GB claimed", labelsIDX(twoGB, seq(10, 0)), "data ends after 10 of 2147483648 labels"},
	}
}

func TestReadImages_Cases(t *testing.T) {
	for _, tc := range imageCases() {
		t.Run(tc.name, func(t *testing.T) {
			rows, cols, pixels, err := ReadImages(bytes.NewReader(tc.data), "img.idx")
			if tc.wantErr != "" {
				if err == nil {
					t.Fatalf("got nil error, want %q", tc.wantErr)
				}
				if !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %q does not contain %q", err, tc.wantErr)
				}
				if !strings.Contains(err.Error(), "img.idx") {
					t.Errorf("error %q does not name the file", err)
				}
				if pixels != nil {
					t.Errorf("got %d pixels with an error", len(pixels))
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if rows < 1 || cols < 1 || len(pixels)%(rows*cols) != 0 {
				t.Fatalf("inconsistent result %dx%d with %d pixels", rows, cols, len(pixels))
			}
		})
	}
}

func TestReadImages_ExactValues(t *testing.T) {
	data := seq(24, 250) // wraps through 255 to 0
	tests := []struct {
		name string
		in   []byte
	}{
		{"raw", imagesIDX(3, 2, 4, data)},
		{"gzip", gz(imagesIDX(3, 2, 4, data))},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rows, cols, pixels, err := ReadImages(bytes.NewReader(tc.in), tc.name)
			if err != nil {
				t.Fatal(err)
			}
			if rows != 2 || cols != 4 {
				t.Errorf("size %dx%d, want 2x4", rows, cols)
			}
			if want := wantPixels(data); !slices.Equal(pixels, want) {
				t.Errorf("pixels = %v, want %v", pixels, want)
			}
			if pixels[5] != 1 || pixels[6] != 0 {
				t.Errorf("byte 255 -> %v and 0 -> %v, want 1 and 0", pixels[5], pixels[6])
			}
		})
	}
}

func TestReadLabels_Cases(t *testing.T) {
	for _, tc := range labelCases() {
		t.Run(tc.name, func(t *testing.T) {
			labels, err := ReadLabels(bytes.NewReader(tc.data), "lab.idx")
			if tc.wantErr != "" {
				if err == nil {
					t.Fatalf("got nil error, want %q", tc.wantErr)
				}
				if !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %q does not contain %q", err, tc.wantErr)
				}
				if !strings.Contains(err.Error(), "lab.idx") {
					t.Errorf("error %q does not name the file", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			for i, l := range labels {
				if l > 9 {
					t.Errorf("label %d = %d", i, l)
				}
			}
		})
	}
}

func TestReadLabels_ExactValues(t *testing.T) {
	want := []uint8{3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9, 0}
	tests := []struct {
		name string
		in   []byte
	}{
		{"raw", labelsIDX(uint32(len(want)), want)},
		{"gzip", gz(labelsIDX(uint32(len(want)), want))},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ReadLabels(bytes.NewReader(tc.in), tc.name)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, want) {
				t.Errorf("labels = %v, want %v", got, want)
			}
		})
	}
}

// oneByteReader returns at most one byte per Read, exercising partial reads.
type oneByteReader struct{ r io.Reader }

func (o oneByteReader) Read(p []byte) (int, error) {
	if len(p) > 1 {
		p = p[:1]
	}
	return o.r.Read(p)
}

// errReader returns data and then a non-EOF error.
type errReader struct {
	data []byte
	err  error
}

func (e *errReader) Read(p []byte) (int, error) {
	if len(e.data) == 0 {
		return 0, e.err
	}
	n := copy(p, e.data)
	e.data = e.data[n:]
	return n, nil
}

func TestReadImages_Readers(t *testing.T) {
	data := seq(24, 0)
	raw := imagesIDX(3, 2, 4, data)
	errBoom := errors.New("boom")
	tests := []struct {
		name    string
		r       io.Reader
		wantErr error
	}{
		{"one byte at a time raw", oneByteReader{bytes.NewReader(raw)}, nil},
		{"one byte at a time gzip", oneByteReader{bytes.NewReader(gz(raw))}, nil},
		{"read error mid-data", &errReader{data: raw[:20], err: errBoom}, errBoom},
		{"read error at start", &errReader{err: errBoom}, errBoom},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, pixels, err := ReadImages(tc.r, tc.name)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("error %v, want wrapping %v", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(pixels, wantPixels(data)) {
				t.Errorf("pixels mismatch")
			}
		})
	}
}

// allocBytes returns the average number of bytes allocated per call of f.
func allocBytes(runs int, f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range runs {
		f()
	}
	runtime.ReadMemStats(&after)
	return (after.TotalAlloc - before.TotalAlloc) / uint64(runs)
}

func TestReadImages_HugeHeaderBoundedAlloc(t *testing.T) {
	const limit = 8 << 20
	tests := []struct {
		name string
		read func(data []byte) error
		data []byte
	}{
		{"images raw", readImagesErr, imagesIDX(twoGB/784, 28, 28, seq(10, 0))},
		{"images gzip", readImagesErr, gz(imagesIDX(twoGB/784, 28, 28, seq(10, 0)))},
		{"images max", readImagesErr, imagesIDX(0xffffffff, 1024, 1024, seq(10, 0))},
		{"labels raw", readLabelsErr, labelsIDX(twoGB, seq(10, 0))},
		{"labels gzip", readLabelsErr, gz(labelsIDX(twoGB, seq(10, 0)))},
		{"labels max", readLabelsErr, labelsIDX(0xffffffff, seq(10, 0))},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.read(tc.data); err == nil {
				t.Fatal("got nil error for a header claiming far more data than present")
			}
			got := allocBytes(5, func() { _ = tc.read(tc.data) })
			t.Logf("allocated %d bytes per call", got)
			if got > limit {
				t.Errorf("allocated %d bytes per call, want at most %d", got, limit)
			}
		})
	}
}

// readImagesErr runs ReadImages on data and returns only its error.
func readImagesErr(data []byte) error {
	_, _, _, err := ReadImages(bytes.NewReader(data), "fuzz")
	return err
}

// readLabelsErr runs ReadLabels on data and returns only its error.
func readLabelsErr(data []byte) error {
	_, err := ReadLabels(bytes.NewReader(data), "fuzz")
	return err
}
