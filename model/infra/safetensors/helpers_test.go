package safetensors

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"testing"
)

// rawFile assembles a safetensors file from a literal header and data
// buffer, using the header's true length.
func rawFile(header string, data ...byte) []byte {
	return rawFileLen(uint64(len(header)), header, data...)
}

// rawFileLen assembles a file whose length prefix is n regardless of the
// header's actual length.
func rawFileLen(n uint64, header string, data ...byte) []byte {
	b := binary.LittleEndian.AppendUint64(nil, n)
	b = append(b, header...)
	return append(b, data...)
}

// mustWrite encodes f, failing the test on error.
func mustWrite(t testing.TB, f *File) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, f); err != nil {
		t.Fatalf("Write: %v", err)
	}
	return buf.Bytes()
}

// readBytes decodes data with Read.
func readBytes(data []byte) (*File, error) {
	return Read(bytes.NewReader(data), int64(len(data)))
}

// equalFiles reports how got differs from want, or nil if they are equal.
// Floating-point elements are compared bit for bit so that NaN payloads and
// signed zeros count; nil and empty slices and maps are considered equal
// except that a nil Metadata differs from an empty one.
func equalFiles(got, want *File) error {
	if (got.Metadata == nil) != (want.Metadata == nil) {
		return fmt.Errorf("metadata nil = %v, want %v", got.Metadata == nil, want.Metadata == nil)
	}
	if len(got.Metadata) != len(want.Metadata) {
		return fmt.Errorf("metadata has %d keys, want %d", len(got.Metadata), len(want.Metadata))
	}
	for k, v := range want.Metadata {
		if g, ok := got.Metadata[k]; !ok || g != v {
			return fmt.Errorf("metadata[%q] = %q (present %v), want %q", k, g, ok, v)
		}
	}
	if len(got.Tensors) != len(want.Tensors) {
		return fmt.Errorf("%d tensors, want %d", len(got.Tensors), len(want.Tensors))
	}
	for i := range want.Tensors {
		g, w := &got.Tensors[i], &want.Tensors[i]
		if err := equalTensors(g, w); err != nil {
			return fmt.Errorf("tensor %d (%q): %w", i, w.Name, err)
		}
	}
	return nil
}

// equalTensors reports how got differs from want, or nil.
func equalTensors(got, want *Tensor) error {
	switch {
	case got.Name != want.Name:
		return fmt.Errorf("name %q, want %q", got.Name, want.Name)
	case got.DType != want.DType:
		return fmt.Errorf("dtype %s, want %s", got.DType, want.DType)
	case !equalSlices(got.Shape, want.Shape, func(a, b int) bool { return a == b }):
		return fmt.Errorf("shape %v, want %v", got.Shape, want.Shape)
	case !equalSlices(got.F32, want.F32, func(a, b float32) bool { return math.Float32bits(a) == math.Float32bits(b) }):
		return fmt.Errorf("F32 data %v, want %v", got.F32, want.F32)
	case !equalSlices(got.F64, want.F64, func(a, b float64) bool { return math.Float64bits(a) == math.Float64bits(b) }):
		return fmt.Errorf("F64 data %v, want %v", got.F64, want.F64)
	case !equalSlices(got.I64, want.I64, func(a, b int64) bool { return a == b }):
		return fmt.Errorf("I64 data %v, want %v", got.I64, want.I64)
	}
	return nil
}

// equalSlices compares a and b element-wise with eq.
func equalSlices[T any](a, b []T, eq func(T, T) bool) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !eq(a[i], b[i]) {
			return false
		}
	}
	return true
}
