package safetensors

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"unicode/utf8"
)

// readChunk is the size of the scratch buffer used to decode tensor data.
const readChunk = 64 << 10

// ReadFile reads and validates the safetensors file at path.
func ReadFile(path string) (*File, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("safetensors: %w", err)
	}
	defer fh.Close()
	st, err := fh.Stat()
	if err != nil {
		return nil, fmt.Errorf("safetensors: %w", err)
	}
	f, err := read(fh, st.Size())
	if err != nil {
		return nil, fmt.Errorf("safetensors: %s: %w", path, err)
	}
	return f, nil
}

// Read reads and validates a safetensors file of size bytes from r.
//
// Read rejects anything that does not follow the format exactly: a header
// length of zero, above MaxHeaderSize or beyond the end of the file;
// a header that is not valid UTF-8 or is not a single JSON object;
// duplicate keys, unknown fields or missing fields; element types other
// than F16, F32, F64 and I64; shapes and offsets that are not non-negative
// integers; tensors whose byte length does not match their shape; and
// tensors that overlap or leave gaps in the byte buffer or do not reach
// its end. It checks all of this before allocating memory for tensor data,
// and never allocates much more than size bytes (twice that for F16
// tensors, which it widens to float32), provided size is the true size of
// the data behind r.
//
// F16 elements are widened exactly into Tensor.F32; the tensor's DType
// stays F16.
//
// The returned tensors are in file order, that is, sorted by their offsets
// in the byte buffer, with zero-size tensors at the same offset sorted by
// name.
func Read(r io.ReaderAt, size int64) (*File, error) {
	f, err := read(r, size)
	if err != nil {
		return nil, fmt.Errorf("safetensors: %w", err)
	}
	return f, nil
}

// entry is one tensor as described by the header.
type entry struct {
	name       string
	dtype      DType
	shape      []int
	begin, end uint64
	count      uint64
}

// read implements Read without the error prefix.
func read(r io.ReaderAt, size int64) (*File, error) {
	if size < 8 {
		return nil, fmt.Errorf("file is %d bytes, too short for the 8-byte header length", size)
	}
	var prefix [8]byte
	if _, err := io.ReadFull(io.NewSectionReader(r, 0, 8), prefix[:]); err != nil {
		return nil, fmt.Errorf("read header length: %w", err)
	}
	n := binary.LittleEndian.Uint64(prefix[:])
	switch {
	case n == 0:
		return nil, fmt.Errorf("header length 0 is invalid: file is %d bytes", size)
	case n > uint64(size-8):
		return nil, fmt.Errorf("header length %d exceeds the %d bytes after the length prefix: file is %d bytes", n, size-8, size)
	case n > MaxHeaderSize:
		return nil, fmt.Errorf("header length %d exceeds the maximum of %d: file is %d bytes", n, MaxHeaderSize, size)
	}
	// Make sure the file really is as long as claimed before allocating
	// anything proportional to its size.
	var last [1]byte
	if _, err := io.ReadFull(io.NewSectionReader(r, size-1, 1), last[:]); err != nil {
		return nil, fmt.Errorf("file is supposedly %d bytes, but reading its last byte failed: %w", size, err)
	}
	header := make([]byte, n)
	if _, err := io.ReadFull(io.NewSectionReader(r, 8, int64(n)), header); err != nil {
		return nil, fmt.Errorf("read %d-byte header: %w", n, err)
	}
	dataStart := 8 + int64(n)
	dataLen := uint64(size - dataStart)

	entries, meta, err := parseHeader(header, dataLen)
	if err != nil {
		return nil, err
	}
	if err := checkLayout(entries, dataLen); err != nil {
		return nil, err
	}

	f := &File{Metadata: meta, Tensors: make([]Tensor, len(entries))}
	data := io.NewSectionReader(r, dataStart, int64(dataLen))
	buf := make([]byte, min(readChunk, dataLen))
	for i, e := range entries {
		t, err := readTensor(data, e, buf)
		if err != nil {
			return nil, fmt.Errorf("tensor %q: read data at offset %d: %w", e.name, dataStart+int64(e.begin), err)
		}
		f.Tensors[i] = t
	}
	return f, nil
}

// parseHeader decodes and validates the JSON header. dataLen is the size of
// the byte buffer that follows the header. The entries are returned sorted
// in file order.
func parseHeader(header []byte, dataLen uint64) ([]entry, map[string]string, error) {
	if !utf8.Valid(header) {
		return nil, nil, fmt.Errorf("header is not valid UTF-8 (first invalid byte at header offset %d)", invalidUTF8At(header))
	}
	if header[0] != '{' {
		return nil, nil, fmt.Errorf("header starts with %q, want '{'", truncate(header, 16))
	}
	if !json.Valid(header) {
		var v struct{}
		err := json.Unmarshal(header, &v) // Only for its *json.SyntaxError.
		if err == nil {
			err = errors.New("unknown syntax error")
		}
		return nil, nil, fmt.Errorf("header is not valid JSON: %w", err)
	}
	// Size the containers up front to avoid repeated growth, but never
	// beyond what the header could hold: a valid tensor entry takes at
	// least minEntryLen bytes of JSON.
	hint := min(countMembers(header), len(header)/minEntryLen+1)
	var (
		entries = make([]entry, 0, hint)
		meta    map[string]string
		seen    = make(map[string]struct{}, hint)
	)
	err := eachMember(header, func(key string, raw []byte) error {
		if _, dup := seen[key]; dup {
			return fmt.Errorf("duplicate key %q", key)
		}
		seen[key] = struct{}{}
		if key == metadataKey {
			m, err := parseMetadata(raw)
			if err != nil {
				return fmt.Errorf("%s: %w", metadataKey, err)
			}
			meta = m
			return nil
		}
		e, err := parseEntry(key, raw, dataLen)
		if err != nil {
			return err
		}
		entries = append(entries, e)
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	slices.SortFunc(entries, func(a, b entry) int {
		return cmp.Or(cmp.Compare(a.begin, b.begin), cmp.Compare(a.end, b.end), cmp.Compare(a.name, b.name))
	})
	return entries, meta, nil
}

// parseMetadata decodes the "__metadata__" object.
func parseMetadata(raw []byte) (map[string]string, error) {
	if k := kindOf(raw); k != "object" {
		return nil, fmt.Errorf("value is a JSON %s, want an object of strings", k)
	}
	m := make(map[string]string)
	err := eachMember(raw, func(key string, v []byte) error {
		if _, dup := m[key]; dup {
			return fmt.Errorf("duplicate key %q", key)
		}
		if k := kindOf(v); k != "string" {
			return fmt.Errorf("value of key %q is a JSON %s, want a string", key, k)
		}
		s, err := decodeString(v)
		if err != nil {
			return fmt.Errorf("value of key %q: %w", key, err)
		}
		m[key] = s
		return nil
	})
	return m, err
}

// parseEntry decodes and validates the header entry raw of tensor name.
func parseEntry(name string, raw []byte, dataLen uint64) (entry, error) {
	e := entry{name: name}
	if name == "" {
		return e, errors.New("tensor with empty name")
	}
	if k := kindOf(raw); k != "object" {
		return e, fmt.Errorf("tensor %q: header entry is a JSON %s, want an object", name, k)
	}
	var haveDType, haveShape, haveOffsets bool
	var offsets [2]uint64
	err := eachMember(raw, func(key string, v []byte) error {
		switch key {
		case "dtype":
			if haveDType {
				return fmt.Errorf("duplicate key %q", key)
			}
			haveDType = true
			if k := kindOf(v); k != "string" {
				return fmt.Errorf("dtype is a JSON %s, want a string", k)
			}
			s, err := decodeString(v)
			if err != nil {
				return fmt.Errorf("dtype: %w", err)
			}
			e.dtype = DType(s)
			switch {
			case e.dtype.Size() > 0:
			case isForeignDType(e.dtype):
				return fmt.Errorf("dtype %q is not supported (want F16, F32, F64 or I64)", s)
			default:
				return fmt.Errorf("unknown dtype %q", s)
			}
		case "shape":
			if haveShape {
				return fmt.Errorf("duplicate key %q", key)
			}
			haveShape = true
			// Each dimension takes at least two bytes of JSON, so this
			// capacity is bounded by the header size.
			e.shape = make([]int, 0, bytes.Count(v, []byte{','})+1)
			return eachArrayInt(v, "shape", strconv.IntSize-1, func(d uint64) {
				e.shape = append(e.shape, int(d))
			})
		case "data_offsets":
			if haveOffsets {
				return fmt.Errorf("duplicate key %q", key)
			}
			haveOffsets = true
			n := 0
			if err := eachArrayInt(v, "data_offsets", 63, func(o uint64) {
				if n < len(offsets) {
					offsets[n] = o
				}
				n++
			}); err != nil {
				return err
			}
			if n != len(offsets) {
				return fmt.Errorf("data_offsets has %d elements, want 2", n)
			}
		default:
			return fmt.Errorf("unknown field %q", key)
		}
		return nil
	})
	if err != nil {
		return e, fmt.Errorf("tensor %q: %w", name, err)
	}
	switch {
	case !haveDType:
		return e, fmt.Errorf("tensor %q: missing field \"dtype\"", name)
	case !haveShape:
		return e, fmt.Errorf("tensor %q: missing field \"shape\"", name)
	case !haveOffsets:
		return e, fmt.Errorf("tensor %q: missing field \"data_offsets\"", name)
	}
	e.begin, e.end = offsets[0], offsets[1]
	if e.begin > e.end {
		return e, fmt.Errorf("tensor %q: data_offsets [%d, %d] begin after they end", name, e.begin, e.end)
	}
	if e.end > dataLen {
		return e, fmt.Errorf("tensor %q: data_offsets [%d, %d] end beyond the %d-byte data buffer", name, e.begin, e.end, dataLen)
	}
	count, err := elementCount(e.shape)
	if err != nil {
		return e, fmt.Errorf("tensor %q: %w", name, err)
	}
	want, ok := byteCount(count, e.dtype)
	if !ok {
		return e, fmt.Errorf("tensor %q: byte size of %d %s elements overflows", name, count, e.dtype)
	}
	if got := e.end - e.begin; got != want {
		return e, fmt.Errorf("tensor %q: data_offsets [%d, %d] span %d bytes, but dtype %s with shape %s needs %d bytes",
			name, e.begin, e.end, got, e.dtype, formatShape(e.shape), want)
	}
	e.count = count
	return e, nil
}

// checkLayout verifies that entries, sorted in file order, cover the
// dataLen-byte buffer exactly.
func checkLayout(entries []entry, dataLen uint64) error {
	var pos uint64
	prev := -1 // index of the tensor that ends at pos, if any
	for i, e := range entries {
		switch {
		case e.begin > pos && prev < 0:
			return fmt.Errorf("tensor %q starts at byte %d, leaving bytes [0, %d) of the data buffer unused", e.name, e.begin, e.begin)
		case e.begin > pos:
			return fmt.Errorf("gap of %d bytes in the data buffer between tensor %q (ends at %d) and tensor %q (starts at %d)",
				e.begin-pos, entries[prev].name, pos, e.name, e.begin)
		case e.begin < pos:
			p := entries[prev]
			return fmt.Errorf("tensor %q (data_offsets [%d, %d]) overlaps tensor %q (data_offsets [%d, %d])",
				e.name, e.begin, e.end, p.name, p.begin, p.end)
		}
		if e.end > pos {
			pos, prev = e.end, i
		}
	}
	if pos != dataLen {
		return fmt.Errorf("tensors cover %d bytes, but the data buffer after the header has %d bytes", pos, dataLen)
	}
	return nil
}

// readTensor reads the data of e from r, which must be positioned at
// e.begin, using buf as scratch space. Unless e has no elements, buf must
// hold at least one element; read sizes it as min(readChunk, dataLen),
// which satisfies this because the tensor lies within the data buffer.
func readTensor(r io.Reader, e entry, buf []byte) (Tensor, error) {
	t := Tensor{Name: e.name, DType: e.dtype, Shape: e.shape}
	if e.count > math.MaxInt {
		return t, fmt.Errorf("%d elements do not fit in memory", e.count)
	}
	n := int(e.count)
	size := e.dtype.Size()
	switch e.dtype {
	case F16, F32:
		t.F32 = make([]float32, n)
	case F64:
		t.F64 = make([]float64, n)
	case I64:
		t.I64 = make([]int64, n)
	}
	for i := 0; i < n; {
		k := min(n-i, len(buf)/size)
		b := buf[:k*size]
		if _, err := io.ReadFull(r, b); err != nil {
			return t, err
		}
		switch e.dtype {
		case F16:
			for j := range k {
				t.F32[i+j] = halfToFloat32(binary.LittleEndian.Uint16(b[2*j:]))
			}
		case F32:
			for j := range k {
				t.F32[i+j] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*j:]))
			}
		case F64:
			for j := range k {
				t.F64[i+j] = math.Float64frombits(binary.LittleEndian.Uint64(b[8*j:]))
			}
		case I64:
			for j := range k {
				t.I64[i+j] = int64(binary.LittleEndian.Uint64(b[8*j:]))
			}
		}
		i += k
	}
	return t, nil
}

// minEntryLen is a lower bound on the JSON length of a valid tensor entry
// such as "x":{"dtype":"F32","shape":[],"data_offsets":[0,4]}.
const minEntryLen = 48

// countMembers returns the number of members of the JSON object data, which
// must be syntactically valid JSON.
func countMembers(data []byte) int {
	n := 0
	err := eachRawMember(data, func(_, _ []byte) error {
		n++
		return nil
	})
	if err != nil {
		return 0
	}
	return n
}

// eachMember calls visit for every member of the JSON object data, in
// order, with the decoded key, stopping at the first error. data must be
// syntactically valid JSON (see json.Valid), and eachMember fails if it is
// not an object. Detecting duplicate keys is left to visit.
func eachMember(data []byte, visit func(key string, raw []byte) error) error {
	return eachRawMember(data, func(rawKey, raw []byte) error {
		key, err := decodeString(rawKey)
		if err != nil {
			return err
		}
		return visit(key, raw)
	})
}

// eachRawMember is like eachMember but passes visit the key as a JSON
// string literal.
func eachRawMember(data []byte, visit func(rawKey, raw []byte) error) error {
	i := skipSpace(data, 0)
	if data[i] != '{' {
		return fmt.Errorf("JSON value is a %s, want an object", kindOf(data[i:]))
	}
	i = skipSpace(data, i+1)
	for data[i] != '}' {
		if data[i] == ',' {
			i = skipSpace(data, i+1)
		}
		keyEnd := skipValue(data, i)
		rawKey := data[i:keyEnd]
		i = skipSpace(data, keyEnd)
		i = skipSpace(data, i+1) // Past ':'.
		valueEnd := skipValue(data, i)
		if err := visit(rawKey, data[i:valueEnd]); err != nil {
			return err
		}
		i = skipSpace(data, valueEnd)
	}
	return nil
}

// decodeString decodes the JSON string literal lit.
func decodeString(lit []byte) (string, error) {
	if len(lit) < 2 || lit[0] != '"' || lit[len(lit)-1] != '"' {
		return "", fmt.Errorf("malformed JSON string %q", truncate(lit, 32))
	}
	body := lit[1 : len(lit)-1]
	if bytes.IndexByte(body, '\\') < 0 {
		return string(body), nil
	}
	var s string
	if err := json.Unmarshal(lit, &s); err != nil {
		return "", fmt.Errorf("JSON string %q: %w", truncate(lit, 32), err)
	}
	return s, nil
}

// skipValue returns the index just past the JSON value that starts at
// data[i]. data must be syntactically valid JSON and data[i] the first byte
// of a value.
func skipValue(data []byte, i int) int {
	depth := 0
	for i < len(data) {
		switch c := data[i]; c {
		case '"':
			i++
			for i < len(data) && data[i] != '"' {
				if data[i] == '\\' {
					i++
				}
				i++
			}
			i++ // Past the closing quote.
		case '{', '[':
			depth++
			i++
		case '}', ']':
			depth--
			i++
		default:
			// A number, literal, or whitespace and separators inside a
			// container.
			if depth == 0 {
				for i < len(data) && !isDelimiter(data[i]) {
					i++
				}
				return i
			}
			i++
		}
		if depth == 0 {
			return i
		}
	}
	return i
}

// isDelimiter reports whether c ends a JSON number or literal.
func isDelimiter(c byte) bool {
	switch c {
	case ' ', '\t', '\n', '\r', ',', ':', ']', '}':
		return true
	}
	return false
}

// eachArrayInt calls visit for each element of raw, a syntactically valid
// JSON value, which must be an array of non-negative integers that fit in
// bitSize bits. what names the array in errors.
func eachArrayInt(raw []byte, what string, bitSize int, visit func(uint64)) error {
	if k := kindOf(raw); k != "array" {
		return fmt.Errorf("%s is a JSON %s, want an array of integers", what, k)
	}
	i := 1 // Just past '['.
	for idx := 0; ; idx++ {
		i = skipSpace(raw, i)
		if raw[i] == ']' { // Only possible for an empty array: raw is valid.
			return nil
		}
		j := i
		for j < len(raw) && isNumberByte(raw[j]) {
			j++
		}
		if j == i {
			return fmt.Errorf("%s[%d] is a JSON %s, want a non-negative integer", what, idx, kindOf(raw[i:]))
		}
		lit := string(raw[i:j])
		switch {
		case lit[0] == '-':
			return fmt.Errorf("%s[%d] is negative (%s)", what, idx, truncate(raw[i:j], 32))
		case bytes.ContainsAny(raw[i:j], ".eE"):
			return fmt.Errorf("%s[%d] is not an integer (%s)", what, idx, truncate(raw[i:j], 32))
		}
		v, err := strconv.ParseUint(lit, 10, bitSize)
		if err != nil {
			return fmt.Errorf("%s[%d] is too large (%s)", what, idx, truncate(raw[i:j], 32))
		}
		visit(v)
		i = skipSpace(raw, j)
		if raw[i] != ',' {
			return nil // The closing ']'.
		}
		i++
	}
}

// skipSpace returns the index of the first non-whitespace byte of b at or
// after i, or len(b) if there is none.
func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// isNumberByte reports whether c can occur in a JSON number.
func isNumberByte(c byte) bool {
	return '0' <= c && c <= '9' || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E'
}

// kindOf names the type of the JSON value that raw starts with.
func kindOf(raw []byte) string {
	raw = bytes.TrimLeft(raw, " \t\r\n")
	if len(raw) == 0 {
		return "empty value"
	}
	switch raw[0] {
	case '{':
		return "object"
	case '[':
		return "array"
	case '"':
		return "string"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	}
	return "number"
}

// invalidUTF8At returns the offset of the first invalid UTF-8 sequence in b.
func invalidUTF8At(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 {
			return i
		}
		i += n
	}
	return -1
}

// truncate returns b as a string, shortened to at most n bytes.
func truncate(b []byte, n int) string {
	if len(b) > n {
		return string(b[:n]) + "..."
	}
	return string(b)
}
