package safetensors

import (
	"fmt"
	"math/bits"
	"strconv"
	"strings"
)

// elementCount returns the number of elements of a tensor with the given
// shape. It fails if a dimension is negative or the count does not fit in
// a uint64.
func elementCount(shape []int) (uint64, error) {
	zero := false
	for i, d := range shape {
		if d < 0 {
			return 0, fmt.Errorf("shape[%d] is negative (%d)", i, d)
		}
		if d == 0 {
			zero = true
		}
	}
	if zero {
		// Checked first so that, for example, [2^40, 2^40, 0] is empty
		// rather than overflowing.
		return 0, nil
	}
	n := uint64(1)
	for _, d := range shape {
		hi, lo := bits.Mul64(n, uint64(d))
		if hi != 0 {
			return 0, fmt.Errorf("element count of shape %s overflows", formatShape(shape))
		}
		n = lo
	}
	return n, nil
}

// byteCount returns the number of bytes taken by n elements of type d,
// which must be supported.
func byteCount(n uint64, d DType) (uint64, bool) {
	hi, lo := bits.Mul64(n, uint64(d.Size()))
	return lo, hi == 0
}

// maxShownDims bounds how many dimensions formatShape prints, so that error
// messages about hostile headers stay short.
const maxShownDims = 8

// formatShape renders shape for error messages, e.g. "[2, 3]".
func formatShape(shape []int) string {
	var b strings.Builder
	b.WriteByte('[')
	for i, d := range shape {
		if i == maxShownDims {
			fmt.Fprintf(&b, ", ... (%d dims)", len(shape))
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(strconv.Itoa(d))
	}
	b.WriteByte(']')
	return b.String()
}
