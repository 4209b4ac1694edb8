package dataset

import (
	"bufio"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
)

const (
	// magicImages is the IDX magic for unsigned-byte data with three
	// dimensions (count, rows, cols).
	magicImages = 0x00000803
	// magicLabels is the IDX magic for unsigned-byte data with one dimension.
	magicLabels = 0x00000801

	// maxSide is the largest accepted number of rows or columns.
	maxSide = 1024
	// maxLabel is the largest accepted label value.
	maxLabel = 9

	// initialAlloc caps the first allocation for the body of a stream, so a
	// header claiming a huge count cannot force a huge allocation; the buffer
	// only grows as data actually arrives.
	initialAlloc = 1 << 20
	// maxZeroReads is how many consecutive empty reads are tolerated before
	// the reader is declared stuck.
	maxZeroReads = 100
)

// idxStream is a possibly decompressed IDX byte stream together with the
// context needed to report errors about it.
type idxStream struct {
	r    io.Reader
	name string
	gz   bool
}

// openIDX prepares r for reading, transparently decompressing it when it
// starts with the gzip magic bytes 0x1f 0x8b.
func openIDX(r io.Reader, name string) (*idxStream, error) {
	br := bufio.NewReader(r)
	magic, err := br.Peek(2)
	if len(magic) == 0 {
		if err == nil || errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("dataset: %s: empty file", name)
		}
		return nil, fmt.Errorf("dataset: %s: read: %w", name, err)
	}
	if len(magic) < 2 || magic[0] != 0x1f || magic[1] != 0x8b {
		// Too short or not gzip: parse as raw IDX; a one-byte file is then
		// reported as a truncated header.
		return &idxStream{r: br, name: name}, nil
	}
	zr, err := gzip.NewReader(br)
	if err != nil {
		return nil, fmt.Errorf("dataset: %s: corrupt or truncated gzip data: %w", name, err)
	}
	return &idxStream{r: zr, name: name, gz: true}, nil
}

// wrap adds file context to a read error from the underlying stream.
func (s *idxStream) wrap(err error) error {
	if s.gz {
		return fmt.Errorf("dataset: %s: corrupt or truncated gzip data: %w", s.name, err)
	}
	return fmt.Errorf("dataset: %s: read: %w", s.name, err)
}

// fill reads into buf until it is full or the stream ends cleanly. It
// returns the number of bytes read; a short count with a nil error means the
// stream ended (io.EOF). Any other failure is returned wrapped with context.
func (s *idxStream) fill(buf []byte) (int, error) {
	n, zero := 0, 0
	for n < len(buf) {
		m, err := s.r.Read(buf[n:])
		n += m
		if m > 0 {
			zero = 0
		} else if err == nil {
			zero++
			if zero >= maxZeroReads {
				return n, s.wrap(io.ErrNoProgress)
			}
		}
		if errors.Is(err, io.EOF) {
			return n, nil
		}
		if err != nil {
			return n, s.wrap(err)
		}
	}
	return n, nil
}

// header reads an IDX header of len(hdr) bytes whose first four bytes must be
// the magic number want. The magic is checked as soon as it is available, so a
// file of the wrong kind is reported as such even if it is also short.
func (s *idxStream) header(hdr []byte, want uint32, kind string) error {
	n, err := s.fill(hdr[:4])
	if err == nil && n == 4 {
		if got := binary.BigEndian.Uint32(hdr[:4]); got != want {
			return fmt.Errorf("dataset: %s: bad magic number 0x%08x, expected 0x%08x (IDX %s)", s.name, got, want, kind)
		}
		var m int
		m, err = s.fill(hdr[4:])
		n += m
	}
	if err != nil {
		return err
	}
	if n < len(hdr) {
		return fmt.Errorf("dataset: %s: truncated header: got %d of %d bytes", s.name, n, len(hdr))
	}
	return nil
}

// body reads exactly total bytes. It grows its buffer only as data arrives,
// starting from at most initialAlloc bytes and at most doubling, so memory
// stays within a small factor of the real input. A short stream returns the
// bytes read so far with a nil error; the caller reports the shortfall.
func (s *idxStream) body(total int64) ([]byte, error) {
	if total > math.MaxInt {
		return nil, fmt.Errorf("dataset: %s: header claims %d data bytes, more than this platform can address", s.name, total)
	}
	buf := make([]byte, 0, min(total, initialAlloc))
	for int64(len(buf)) < total {
		if len(buf) == cap(buf) {
			grown := make([]byte, len(buf), min(2*int64(cap(buf)), total))
			copy(grown, buf)
			buf = grown
		}
		n, err := s.fill(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err != nil {
			return nil, err
		}
		if len(buf) < cap(buf) {
			break // clean end of stream before the claimed size
		}
	}
	return buf, nil
}

// end verifies that nothing follows the claimed data. For gzip streams this
// also reads through the trailer, so checksum errors are reported.
func (s *idxStream) end(claim string) error {
	var one [1]byte
	n, err := s.fill(one[:])
	if err != nil {
		return err
	}
	if n > 0 {
		return fmt.Errorf("dataset: %s: unexpected trailing data after the %s claimed by the header", s.name, claim)
	}
	return nil
}

// ReadImages parses one IDX image stream (magic 0x00000803), raw or
// gzip-compressed, and returns the image size and the pixels of all images
// row-major as float32 values byte/255 in [0,1]. The number of images is
// len(pixels)/(rows*cols). Each side must be between 1 and 1024. name is used
// only in error messages.
func ReadImages(r io.Reader, name string) (rows, cols int, pixels []float32, err error) {
	rows, cols, data, err := readImageBytes(r, name)
	if err != nil {
		return 0, 0, nil, err
	}
	return rows, cols, toPixels(data), nil
}

// toPixels maps bytes to float32 pixels byte/255 in [0, 1].
func toPixels(data []byte) []float32 {
	pixels := make([]float32, len(data))
	for i, b := range data {
		pixels[i] = float32(b) / 255
	}
	return pixels
}

// readImageBytes is ReadImages returning the pixels as the stream's bytes.
func readImageBytes(r io.Reader, name string) (rows, cols int, data []byte, err error) {
	s, err := openIDX(r, name)
	if err != nil {
		return 0, 0, nil, err
	}
	var hdr [16]byte
	if err := s.header(hdr[:], magicImages, "images"); err != nil {
		return 0, 0, nil, err
	}
	count := int64(binary.BigEndian.Uint32(hdr[4:8]))
	r32 := binary.BigEndian.Uint32(hdr[8:12])
	c32 := binary.BigEndian.Uint32(hdr[12:16])
	if r32 == 0 || c32 == 0 {
		return 0, 0, nil, fmt.Errorf("dataset: %s: invalid image size %dx%d: rows and cols must be positive", name, r32, c32)
	}
	if r32 > maxSide || c32 > maxSide {
		return 0, 0, nil, fmt.Errorf("dataset: %s: invalid image size %dx%d: at most %dx%d is supported", name, r32, c32, maxSide, maxSide)
	}
	rows, cols = int(r32), int(c32)
	dim := int64(rows * cols)
	total := count * dim
	data, err = s.body(total)
	if err != nil {
		return 0, 0, nil, err
	}
	if got := int64(len(data)); got < total {
		return 0, 0, nil, fmt.Errorf("dataset: %s: data ends after %d of %d images claimed by the header (%d of %d pixel bytes)",
			name, got/dim, count, got, total)
	}
	if err := s.end(fmt.Sprintf("%d images", count)); err != nil {
		return 0, 0, nil, err
	}
	return rows, cols, data, nil
}

// ReadLabels parses one IDX label stream (magic 0x00000801), raw or
// gzip-compressed, and returns its labels, each of which must be in 0..9.
// name is used only in error messages.
func ReadLabels(r io.Reader, name string) ([]uint8, error) {
	s, err := openIDX(r, name)
	if err != nil {
		return nil, err
	}
	var hdr [8]byte
	if err := s.header(hdr[:], magicLabels, "labels"); err != nil {
		return nil, err
	}
	count := int64(binary.BigEndian.Uint32(hdr[4:8]))
	labels, err := s.body(count)
	if err != nil {
		return nil, err
	}
	if got := int64(len(labels)); got < count {
		return nil, fmt.Errorf("dataset: %s: data ends after %d of %d labels claimed by the header", name, got, count)
	}
	if err := s.end(fmt.Sprintf("%d labels", count)); err != nil {
		return nil, err
	}
	for i, l := range labels {
		if l > maxLabel {
			return nil, fmt.Errorf("dataset: %s: label %d at index %d is out of range 0-%d", name, l, i, maxLabel)
		}
	}
	return labels, nil
}
