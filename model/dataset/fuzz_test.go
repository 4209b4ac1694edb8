package dataset

import (
	"bytes"
	"compress/gzip"
	"io"
	"testing"
)

// fuzzAllocSlack is the allocation allowed per call beyond what the input
// justifies: the initial 1 MiB buffer, gzip state and bookkeeping.
const fuzzAllocSlack = 8 << 20

// inputSize returns the size of the data a reader would actually see: the
// decompressed size for well-formed gzip prefixes, else len(data). It reads
// at most limit bytes.
func inputSize(data []byte, limit int64) int64 {
	if len(data) >= 2 && data[0] == 0x1f && data[1] == 0x8b {
		if zr, err := gzip.NewReader(bytes.NewReader(data)); err == nil {
			n, _ := io.Copy(io.Discard, io.LimitReader(zr, limit))
			return max(n, int64(len(data)))
		}
	}
	return int64(len(data))
}

// checkAlloc fails t if running read on data allocates more than the input
// can justify: at most 4 float32 bytes plus 2x growth slack per input byte.
func checkAlloc(t *testing.T, data []byte, read func([]byte) error) {
	got := allocBytes(1, func() { _ = read(data) })
	limit := uint64(fuzzAllocSlack + 8*inputSize(data, 1<<30))
	if got > limit {
		t.Fatalf("allocated %d bytes for %d input bytes, limit %d", got, len(data), limit)
	}
}

func FuzzReadImages(f *testing.F) {
	for _, tc := range imageCases() {
		f.Add(tc.data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		rows, cols, pixels, err := ReadImages(bytes.NewReader(data), "fuzz")
		if err == nil {
			if rows < 1 || rows > maxSide || cols < 1 || cols > maxSide {
				t.Fatalf("accepted size %dx%d", rows, cols)
			}
			if len(pixels)%(rows*cols) != 0 {
				t.Fatalf("%d pixels is not a multiple of %dx%d", len(pixels), rows, cols)
			}
			for _, p := range pixels {
				if p < 0 || p > 1 {
					t.Fatalf("pixel %v out of [0,1]", p)
				}
			}
		} else if pixels != nil {
			t.Fatalf("returned pixels with error %v", err)
		}
		checkAlloc(t, data, readImagesErr)
	})
}

func FuzzReadLabels(f *testing.F) {
	for _, tc := range labelCases() {
		f.Add(tc.data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		labels, err := ReadLabels(bytes.NewReader(data), "fuzz")
		if err == nil {
			for i, l := range labels {
				if l > maxLabel {
					t.Fatalf("accepted label %d at %d", l, i)
				}
			}
		} else if labels != nil {
			t.Fatalf("returned labels with error %v", err)
		}
		checkAlloc(t, data, readLabelsErr)
	})
}
