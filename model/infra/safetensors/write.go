package safetensors

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"unicode/utf8"
)

// writeChunk is the size of the scratch buffer used to encode tensor data.
const writeChunk = 64 << 10

// Write encodes f in safetensors format to w.
//
// The tensors are laid out in the byte buffer in the order of f.Tensors and
// listed in the header in the same order, after "__metadata__" (whose keys
// are sorted) if f.Metadata is non-nil. The header is padded with spaces to
// a multiple of 8 bytes, as the reference implementation does.
//
// Write validates f before writing anything: tensor names must be
// non-empty, valid UTF-8, unique and not "__metadata__"; metadata keys and
// values must be valid UTF-8; each tensor's DType must be F16, F32, F64 or
// I64, its shape dimensions non-negative, and the slice matching its DType
// (F32 for F16) must hold exactly as many elements as the shape implies
// while the other two slices are empty.
//
// An F16 tensor's float32 values are narrowed to binary16 with rounding to
// nearest, ties to even. A finite value of magnitude 65520 or more, which
// would round to infinity, is an error naming the tensor and the element;
// NaN and ±Inf narrow to NaN and ±Inf.
func Write(w io.Writer, f *File) error {
	if f == nil {
		return errors.New("safetensors: write nil *File")
	}
	header, err := encodeHeader(f)
	if err != nil {
		return fmt.Errorf("safetensors: %w", err)
	}
	var prefix [8]byte
	binary.LittleEndian.PutUint64(prefix[:], uint64(len(header)))
	if _, err := w.Write(prefix[:]); err != nil {
		return fmt.Errorf("safetensors: write header length: %w", err)
	}
	if _, err := w.Write(header); err != nil {
		return fmt.Errorf("safetensors: write header: %w", err)
	}
	buf := make([]byte, 0, writeChunk)
	for i := range f.Tensors {
		if err := writeData(w, &f.Tensors[i], buf); err != nil {
			return fmt.Errorf("safetensors: tensor %q: write data: %w", f.Tensors[i].Name, err)
		}
	}
	return nil
}

// encodeHeader validates f and returns its padded JSON header.
func encodeHeader(f *File) ([]byte, error) {
	h := []byte{'{'}
	if f.Metadata != nil {
		keys := make([]string, 0, len(f.Metadata))
		for k, v := range f.Metadata {
			if !utf8.ValidString(k) {
				return nil, fmt.Errorf("metadata key %q is not valid UTF-8", k)
			}
			if !utf8.ValidString(v) {
				return nil, fmt.Errorf("metadata value for key %q is not valid UTF-8", k)
			}
			keys = append(keys, k)
		}
		slices.Sort(keys)
		h = appendString(h, metadataKey)
		h = append(h, ":{"...)
		for i, k := range keys {
			if i > 0 {
				h = append(h, ',')
			}
			h = appendString(h, k)
			h = append(h, ':')
			h = appendString(h, f.Metadata[k])
		}
		h = append(h, '}')
	}

	seen := make(map[string]bool, len(f.Tensors))
	var offset uint64
	for i := range f.Tensors {
		t := &f.Tensors[i]
		n, err := validateTensor(t)
		if err != nil {
			return nil, err
		}
		if seen[t.Name] {
			return nil, fmt.Errorf("duplicate tensor name %q", t.Name)
		}
		seen[t.Name] = true
		size, _ := byteCount(n, t.DType) // Cannot overflow: n elements exist in memory.
		end := offset + size
		if end < offset {
			return nil, fmt.Errorf("tensor %q: data buffer size overflows", t.Name)
		}
		if len(h) > 1 {
			h = append(h, ',')
		}
		h = appendString(h, t.Name)
		h = append(h, `:{"dtype":`...)
		h = appendString(h, string(t.DType))
		h = append(h, `,"shape":[`...)
		for j, d := range t.Shape {
			if j > 0 {
				h = append(h, ',')
			}
			h = strconv.AppendInt(h, int64(d), 10)
		}
		h = append(h, `],"data_offsets":[`...)
		h = strconv.AppendUint(h, offset, 10)
		h = append(h, ',')
		h = strconv.AppendUint(h, end, 10)
		h = append(h, "]}"...)
		offset = end
		if len(h) > MaxHeaderSize {
			return nil, fmt.Errorf("header exceeds the maximum of %d bytes at tensor %q", MaxHeaderSize, t.Name)
		}
	}
	h = append(h, '}')
	for len(h)%8 != 0 {
		h = append(h, ' ')
	}
	if len(h) > MaxHeaderSize {
		return nil, fmt.Errorf("header length %d exceeds the maximum of %d bytes", len(h), MaxHeaderSize)
	}
	return h, nil
}

// validateTensor checks t as described in Write and returns its element
// count.
func validateTensor(t *Tensor) (uint64, error) {
	switch {
	case t.Name == "":
		return 0, errors.New("tensor with empty name")
	case t.Name == metadataKey:
		return 0, fmt.Errorf("tensor name %q is reserved for metadata", t.Name)
	case !utf8.ValidString(t.Name):
		return 0, fmt.Errorf("tensor name %q is not valid UTF-8", t.Name)
	}
	if t.DType.Size() == 0 {
		return 0, fmt.Errorf("tensor %q: unsupported dtype %q (want F16, F32, F64 or I64)", t.Name, t.DType)
	}
	n, err := elementCount(t.Shape)
	if err != nil {
		return 0, fmt.Errorf("tensor %q: %w", t.Name, err)
	}
	have, others := t.dataLen()
	if others != 0 {
		return 0, fmt.Errorf("tensor %q: dtype is %s but %d elements are stored in slices for other dtypes", t.Name, t.DType, others)
	}
	if uint64(have) != n {
		return 0, fmt.Errorf("tensor %q: shape %s has %d elements but the %s slice has %d", t.Name, formatShape(t.Shape), n, t.DType.slice(), have)
	}
	if t.DType == F16 {
		for i, v := range t.F32 {
			if _, ok := float32ToHalf(v); !ok {
				return 0, fmt.Errorf("tensor %q: element %d (%v) is beyond the F16 range (largest finite magnitude 65504)", t.Name, i, v)
			}
		}
	}
	return n, nil
}

// writeData writes the elements of t in little-endian order, using buf
// (which must have zero length and a capacity that is a positive multiple
// of 8) as scratch space.
func writeData(w io.Writer, t *Tensor, buf []byte) error {
	flush := func() error {
		if len(buf) == 0 {
			return nil
		}
		_, err := w.Write(buf)
		buf = buf[:0]
		return err
	}
	switch t.DType {
	case F16:
		for _, v := range t.F32 {
			if len(buf) == cap(buf) {
				if err := flush(); err != nil {
					return err
				}
			}
			h, _ := float32ToHalf(v) // validateTensor checked the range.
			buf = binary.LittleEndian.AppendUint16(buf, h)
		}
	case F32:
		for _, v := range t.F32 {
			if len(buf) == cap(buf) {
				if err := flush(); err != nil {
					return err
				}
			}
			buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(v))
		}
	case F64:
		for _, v := range t.F64 {
			if len(buf) == cap(buf) {
				if err := flush(); err != nil {
					return err
				}
			}
			buf = binary.LittleEndian.AppendUint64(buf, math.Float64bits(v))
		}
	case I64:
		for _, v := range t.I64 {
			if len(buf) == cap(buf) {
				if err := flush(); err != nil {
					return err
				}
			}
			buf = binary.LittleEndian.AppendUint64(buf, uint64(v))
		}
	}
	return flush()
}

// appendString appends s to b as a JSON string, escaping exactly what the
// reference implementation (serde_json) escapes: quotation mark, reverse
// solidus and control characters.
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c == '\b':
			b = append(b, '\\', 'b')
		case c == '\f':
			b = append(b, '\\', 'f')
		case c == '\n':
			b = append(b, '\\', 'n')
		case c == '\r':
			b = append(b, '\\', 'r')
		case c == '\t':
			b = append(b, '\\', 't')
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}
