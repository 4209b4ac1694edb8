package safetensors

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// roundTripCase is a valid File that must survive Write followed by Read.
type roundTripCase struct {
	name string
	file *File
}

// roundTripCases returns the valid files used by the round-trip test and as
// fuzz seeds.
func roundTripCases() []roundTripCase {
	big := make([]float32, 2*3*16_667) // Spans several read and write chunks.
	for i := range big {
		big[i] = float32(i)*0.5 - 7
	}
	return []roundTripCase{
		{name: "empty file", file: &File{}},
		{name: "empty metadata only", file: &File{Metadata: map[string]string{}}},
		{name: "metadata only", file: &File{Metadata: map[string]string{"format": "pt", "": "empty key", "ünï": "\"q\" \\ \n\t\x01 <&>"}}},
		{name: "F32 vector", file: &File{Tensors: []Tensor{
			{Name: "w", DType: F32, Shape: []int{2}, F32: []float32{1, 2}},
		}}},
		{name: "F32 special values", file: &File{Tensors: []Tensor{
			{Name: "special", DType: F32, Shape: []int{2, 4}, F32: []float32{
				float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN()), math.Float32frombits(0x7fc00123),
				float32(math.Copysign(0, -1)), math.SmallestNonzeroFloat32, math.MaxFloat32, -1.5,
			}},
		}}},
		{name: "F64 matrix", file: &File{Tensors: []Tensor{
			{Name: "m", DType: F64, Shape: []int{2, 3}, F64: []float64{
				math.Pi, -math.E, math.MaxFloat64, math.SmallestNonzeroFloat64, math.Copysign(0, -1), math.Float64frombits(0x7ff8000000000abc),
			}},
		}}},
		{name: "I64 extremes", file: &File{Tensors: []Tensor{
			{Name: "i", DType: I64, Shape: []int{4}, I64: []int64{math.MinInt64, -1, 0, math.MaxInt64}},
		}}},
		{name: "scalars", file: &File{Tensors: []Tensor{
			{Name: "f32", DType: F32, Shape: []int{}, F32: []float32{3.25}},
			{Name: "f64", DType: F64, Shape: []int{}, F64: []float64{-0.125}},
			{Name: "i64", DType: I64, Shape: []int{}, I64: []int64{42}},
		}}},
		{name: "zero-size tensors", file: &File{Tensors: []Tensor{
			{Name: "a-empty", DType: F32, Shape: []int{0}, F32: []float32{}},
			{Name: "b-full", DType: I64, Shape: []int{1}, I64: []int64{7}},
			{Name: "c-empty", DType: F64, Shape: []int{3, 0, 5}, F64: []float64{}},
			{Name: "d-empty", DType: I64, Shape: []int{1 << 30, 0}, I64: []int64{}},
		}}},
		{name: "mixed with metadata", file: &File{
			Metadata: map[string]string{"format": "pt", "step": "1000"},
			Tensors: []Tensor{
				{Name: "layer.0.weight", DType: F32, Shape: []int{2, 2}, F32: []float32{1, 2, 3, 4}},
				{Name: "layer.0.bias", DType: F64, Shape: []int{2}, F64: []float64{0.5, -0.5}},
				{Name: "steps", DType: I64, Shape: []int{1, 1, 1}, I64: []int64{1000}},
			},
		}},
		{name: "awkward names", file: &File{Tensors: []Tensor{
			{Name: "quote\"back\\slash", DType: F32, Shape: []int{1}, F32: []float32{1}},
			{Name: "ctl\x00\x1f\n\t\b\f\r", DType: F32, Shape: []int{1}, F32: []float32{2}},
			{Name: "html<&>\u2028", DType: F32, Shape: []int{1}, F32: []float32{3}},
			{Name: "日本語", DType: F32, Shape: []int{1}, F32: []float32{4}},
		}}},
		{name: "F16 exact values", file: &File{
			Metadata: map[string]string{"precision": "float16"},
			Tensors: []Tensor{
				// Every value is a half, so narrowing loses nothing:
				// ±1, 2, 65504 (largest), 2^-14 (smallest normal),
				// 1023·2^-24 (largest subnormal), ±2^-24 (smallest
				// subnormal), ±0, ±Inf, the quiet NaN 0x7e00 and the
				// signalling NaN 0x7c01 with its payload.
				{Name: "h", DType: F16, Shape: []int{3, 5}, F32: []float32{
					1, -1, 2, 65504, 0x1p-14,
					1023 * 0x1p-24, 0x1p-24, -0x1p-24, 0, float32(math.Copysign(0, -1)),
					float32(math.Inf(1)), float32(math.Inf(-1)), math.Float32frombits(0x7fc00000), math.Float32frombits(0x7f802000), -65504,
				}},
				{Name: "h-scalar", DType: F16, Shape: []int{}, F32: []float32{0.5}},
				{Name: "h-empty", DType: F16, Shape: []int{0, 4}, F32: []float32{}},
				{Name: "f", DType: F32, Shape: []int{1}, F32: []float32{0.1}},
			},
		}},
		{name: "large tensor", file: &File{Tensors: []Tensor{
			{Name: "big", DType: F32, Shape: []int{2, 3, 16_667}, F32: big},
			{Name: "tail", DType: I64, Shape: []int{3}, I64: []int64{1, 2, 3}},
		}}},
	}
}

func TestWriteRead_RoundTrip(t *testing.T) {
	for _, tt := range roundTripCases() {
		t.Run(tt.name, func(t *testing.T) {
			data := mustWrite(t, tt.file)
			n := binary.LittleEndian.Uint64(data)
			if n%8 != 0 {
				t.Errorf("header length %d is not a multiple of 8", n)
			}
			got, err := readBytes(data)
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			if err := equalFiles(got, tt.file); err != nil {
				t.Fatalf("round trip mismatch: %v", err)
			}
			for _, tn := range got.Tensors {
				if tn.Shape == nil {
					t.Errorf("tensor %q: Read returned a nil shape", tn.Name)
				}
			}
			// Writing what was read reproduces the same bytes.
			if again := mustWrite(t, got); !bytes.Equal(again, data) {
				t.Errorf("re-written file differs from the original encoding")
			}
		})
	}
}

func TestKnownBytes_Write(t *testing.T) {
	tests := []struct {
		name string
		file *File
		want []byte
	}{
		{
			// The example from the format description: one F32 tensor of
			// shape [2] holding 1 and 2. The 54-byte header is padded
			// with two spaces to 56 (0x38) bytes.
			name: "one F32 tensor",
			file: &File{Tensors: []Tensor{{Name: "x", DType: F32, Shape: []int{2}, F32: []float32{1, 2}}}},
			want: concat(
				[]byte{0x38, 0, 0, 0, 0, 0, 0, 0},
				[]byte(`{"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}  `),
				[]byte{0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x00, 0x40},
			),
		},
		{
			// Metadata comes first; tensors follow in layout order. The
			// 139-byte header is padded with five spaces to 144 (0x90).
			name: "metadata, scalar and zero-size tensor",
			file: &File{
				Metadata: map[string]string{"format": "pt"},
				Tensors: []Tensor{
					{Name: "b", DType: I64, Shape: []int{}, I64: []int64{-2}},
					{Name: "a", DType: F64, Shape: []int{1, 0}, F64: []float64{}},
				},
			},
			want: concat(
				[]byte{0x90, 0, 0, 0, 0, 0, 0, 0},
				[]byte(`{"__metadata__":{"format":"pt"},"b":{"dtype":"I64","shape":[],"data_offsets":[0,8]},"a":{"dtype":"F64","shape":[1,0],"data_offsets":[8,8]}}     `),
				[]byte{0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
			),
		},
		{
			// 1, -2 and 65504 are 0x3c00, 0xc000 and 0x7bff as halves,
			// stored little-endian. The 54-byte header is padded to 56.
			name: "one F16 tensor",
			file: &File{Tensors: []Tensor{{Name: "h", DType: F16, Shape: []int{3}, F32: []float32{1, -2, 65504}}}},
			want: concat(
				[]byte{0x38, 0, 0, 0, 0, 0, 0, 0},
				[]byte(`{"h":{"dtype":"F16","shape":[3],"data_offsets":[0,6]}}  `),
				[]byte{0x00, 0x3c, 0x00, 0xc0, 0xff, 0x7b},
			),
		},
		{
			name: "no tensors",
			file: &File{},
			want: concat([]byte{8, 0, 0, 0, 0, 0, 0, 0}, []byte("{}      ")),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := mustWrite(t, tt.file)
			if !bytes.Equal(got, tt.want) {
				t.Fatalf("Write produced\n%q\nwant\n%q", got, tt.want)
			}
			back, err := readBytes(tt.want)
			if err != nil {
				t.Fatalf("Read of hand-built file: %v", err)
			}
			if err := equalFiles(back, tt.file); err != nil {
				t.Fatalf("Read of hand-built file: %v", err)
			}
		})
	}
}

func TestKnownBytes_Read(t *testing.T) {
	// Valid files that Write would not produce byte for byte: unpadded or
	// whitespace-rich headers, other key orders, other writers' layouts.
	tests := []struct {
		name string
		data []byte
		want *File
	}{
		{
			name: "unpadded header",
			data: rawFile(`{"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}`, 0, 0, 0x80, 0x3f, 0, 0, 0, 0x40),
			want: &File{Tensors: []Tensor{{Name: "x", DType: F32, Shape: []int{2}, F32: []float32{1, 2}}}},
		},
		{
			name: "whitespace and field order",
			data: rawFile("{ \"x\" : {\n\t\"data_offsets\" : [ 0 , 8 ] , \"shape\": [ 2 ], \"dtype\":\"F32\" } }\r\n ", 0, 0, 0x80, 0x3f, 0, 0, 0, 0x40),
			want: &File{Tensors: []Tensor{{Name: "x", DType: F32, Shape: []int{2}, F32: []float32{1, 2}}}},
		},
		{
			name: "header order differs from layout order, metadata last",
			data: rawFile(
				`{"second":{"dtype":"I64","shape":[1],"data_offsets":[4,12]},"first":{"dtype":"F32","shape":[],"data_offsets":[0,4]},"__metadata__":{"k":"v"}}`,
				0, 0, 0x80, 0xbf, 5, 0, 0, 0, 0, 0, 0, 0),
			want: &File{
				Metadata: map[string]string{"k": "v"},
				Tensors: []Tensor{
					{Name: "first", DType: F32, Shape: []int{}, F32: []float32{-1}},
					{Name: "second", DType: I64, Shape: []int{1}, I64: []int64{5}},
				},
			},
		},
		{
			name: "zero-size tensors at one offset sort by name",
			data: rawFile(`{"z":{"dtype":"F32","shape":[0],"data_offsets":[4,4]},"a":{"dtype":"F32","shape":[0,2],"data_offsets":[4,4]},"m":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`,
				0, 0, 0, 0),
			want: &File{Tensors: []Tensor{
				{Name: "m", DType: F32, Shape: []int{1}, F32: []float32{0}},
				{Name: "a", DType: F32, Shape: []int{0, 2}, F32: []float32{}},
				{Name: "z", DType: F32, Shape: []int{0}, F32: []float32{}},
			}},
		},
		{
			name: "escaped strings",
			data: rawFile(`{"__metadata__":{"\u0041\/":"\ud83d\ude00"},"t\"\u00e9":{"dtype":"\u0046\u0036\u0034","shape":[],"data_offsets":[0,8]}}`,
				0, 0, 0, 0, 0, 0, 0xf0, 0x3f),
			want: &File{
				Metadata: map[string]string{"A/": "😀"},
				Tensors:  []Tensor{{Name: "t\"é", DType: F64, Shape: []int{}, F64: []float64{1}}},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := readBytes(tt.data)
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			if err := equalFiles(got, tt.want); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// corruptCase is an invalid file and a substring its Read error must hold.
type corruptCase struct {
	name    string
	data    []byte
	wantErr string
}

// f32Header returns the header of a single F32 tensor "t".
func f32Header(shape, offsets string) string {
	return `{"t":{"dtype":"F32","shape":` + shape + `,"data_offsets":` + offsets + `}}`
}

// corruptCases returns the invalid inputs used by TestRead_Corrupt and as
// fuzz seeds.
func corruptCases() []corruptCase {
	eight := make([]byte, 8)
	return []corruptCase{
		{"empty file", nil, "file is 0 bytes, too short"},
		{"seven bytes", []byte{1, 2, 3, 4, 5, 6, 7}, "file is 7 bytes, too short"},
		{"header length zero", rawFileLen(0, "", 1, 2), "header length 0 is invalid: file is 10 bytes"},
		{"header length beyond file", rawFileLen(100, "{}      "), "header length 100 exceeds the 8 bytes after the length prefix: file is 16 bytes"},
		{"header length max uint64", rawFileLen(math.MaxUint64, "{}"), "header length 18446744073709551615 exceeds the 2 bytes after the length prefix: file is 10 bytes"},
		{"header length 2^63", rawFileLen(1<<63, "{}"), "header length 9223372036854775808 exceeds"},
		{"invalid UTF-8", rawFile("{\"a\xff\":1}"), "header is not valid UTF-8 (first invalid byte at header offset 3)"},
		{"header not an object", rawFile(`[1,2]`), `header starts with "[1,2]", want '{'`},
		{"header leading space", rawFile(` {}`), `header starts with " {}", want '{'`},
		{"truncated JSON", rawFile(`{"t":{"dtype":`), "header is not valid JSON: unexpected end of JSON input"},
		{"JSON syntax error", rawFile(`{"t" 1}`), "header is not valid JSON: invalid character '1' after object key"},
		{"trailing comma", rawFile(`{"t":{},}`), "header is not valid JSON: invalid character '}' looking for beginning of object key string"},
		{"second value after header", rawFile(`{} {}`), "header is not valid JSON: invalid character '{' after top-level value"},
		{"garbage after header", rawFile(`{}x`), "header is not valid JSON: invalid character 'x' after top-level value"},
		{"NUL padding", rawFile("{}\x00\x00"), "header is not valid JSON: invalid character '\\x00' after top-level value"},
		{"unescaped control character", rawFile("{\"a\nb\":{}}"), "header is not valid JSON: invalid character '\\n' in string literal"},
		{"entry is array", rawFile(`{"t":[1]}`), `tensor "t": header entry is a JSON array, want an object`},
		{"entry is null", rawFile(`{"t":null}`), `tensor "t": header entry is a JSON null, want an object`},
		{"entry is number", rawFile(`{"t":3}`), `tensor "t": header entry is a JSON number, want an object`},
		{"empty tensor name", rawFile(`{"":{"dtype":"F32","shape":[0],"data_offsets":[0,0]}}`), "tensor with empty name"},
		{"duplicate tensor", rawFile(`{"t":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"t":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, eight...), `duplicate key "t"`},
		{"duplicate field", rawFile(`{"t":{"dtype":"F32","dtype":"F64","shape":[1],"data_offsets":[0,4]}}`, 0, 0, 0, 0), `tensor "t": duplicate key "dtype"`},
		{"unknown field", rawFile(`{"t":{"dtype":"F32","shape":[1],"data_offsets":[0,4],"extra":1}}`, 0, 0, 0, 0), `tensor "t": unknown field "extra"`},
		{"missing dtype", rawFile(`{"t":{"shape":[1],"data_offsets":[0,4]}}`, 0, 0, 0, 0), `tensor "t": missing field "dtype"`},
		{"missing shape", rawFile(`{"t":{"dtype":"F32","data_offsets":[0,4]}}`, 0, 0, 0, 0), `tensor "t": missing field "shape"`},
		{"missing data_offsets", rawFile(`{"t":{"dtype":"F32","shape":[1]}}`, 0, 0, 0, 0), `tensor "t": missing field "data_offsets"`},
		{"unknown dtype", rawFile(`{"t":{"dtype":"Q7","shape":[1],"data_offsets":[0,4]}}`, 0, 0, 0, 0), `tensor "t": unknown dtype "Q7"`},
		{"lower-case dtype", rawFile(`{"t":{"dtype":"f32","shape":[1],"data_offsets":[0,4]}}`, 0, 0, 0, 0), `tensor "t": unknown dtype "f32"`},
		{"unsupported dtype", rawFile(`{"t":{"dtype":"BF16","shape":[2],"data_offsets":[0,4]}}`, 0, 0, 0, 0), `tensor "t": dtype "BF16" is not supported (want F16, F32, F64 or I64)`},
		{"dtype not a string", rawFile(`{"t":{"dtype":32,"shape":[1],"data_offsets":[0,4]}}`, 0, 0, 0, 0), `tensor "t": dtype is a JSON number, want a string`},
		{"dtype null", rawFile(`{"t":{"dtype":null,"shape":[1],"data_offsets":[0,4]}}`, 0, 0, 0, 0), `tensor "t": dtype is a JSON null, want a string`},
		{"shape not an array", rawFile(f32Header(`2`, `[0,8]`), eight...), `tensor "t": shape is a JSON number, want an array of integers`},
		{"shape null", rawFile(f32Header(`null`, `[0,8]`), eight...), `tensor "t": shape is a JSON null, want an array of integers`},
		{"negative dim", rawFile(f32Header(`[-2]`, `[0,8]`), eight...), `tensor "t": shape[0] is negative (-2)`},
		{"negative zero dim", rawFile(f32Header(`[-0]`, `[0,0]`)), `tensor "t": shape[0] is negative (-0)`},
		{"fractional dim", rawFile(f32Header(`[1, 2.0]`, `[0,8]`), eight...), `tensor "t": shape[1] is not an integer (2.0)`},
		{"exponent dim", rawFile(f32Header(`[2e0]`, `[0,8]`), eight...), `tensor "t": shape[0] is not an integer (2e0)`},
		{"string dim", rawFile(f32Header(`[2,"3"]`, `[0,24]`), make([]byte, 24)...), `tensor "t": shape[1] is a JSON string, want a non-negative integer`},
		{"nested dim", rawFile(f32Header(`[[2]]`, `[0,8]`), eight...), `tensor "t": shape[0] is a JSON array`},
		{"null dim", rawFile(f32Header(`[null]`, `[0,8]`), eight...), `tensor "t": shape[0] is a JSON null`},
		{"huge dim", rawFile(f32Header(`[99999999999999999999]`, `[0,8]`), eight...), `tensor "t": shape[0] is too large (99999999999999999999)`},
		{"element count overflow", rawFile(f32Header(`[65536,65536,65536,65536,65536]`, `[0,8]`), eight...), `tensor "t": element count of shape [65536, 65536, 65536, 65536, 65536] overflows`},
		{"F16 length mismatch", rawFile(`{"t":{"dtype":"F16","shape":[3],"data_offsets":[0,4]}}`, 0, 0, 0, 0),
			`tensor "t": data_offsets [0, 4] span 4 bytes, but dtype F16 with shape [3] needs 6 bytes`},
		{"byte count overflow", rawFile(`{"t":{"dtype":"F64","shape":[1073741824,1073741824,4],"data_offsets":[0,8]}}`, eight...), `tensor "t": byte size of 4611686018427387904 F64 elements overflows`},
		{"offsets not an array", rawFile(f32Header(`[2]`, `{"begin":0}`), eight...), `tensor "t": data_offsets is a JSON object, want an array of integers`},
		{"one offset", rawFile(f32Header(`[2]`, `[8]`), eight...), `tensor "t": data_offsets has 1 elements, want 2`},
		{"three offsets", rawFile(f32Header(`[2]`, `[0,8,8]`), eight...), `tensor "t": data_offsets has 3 elements, want 2`},
		{"negative offset", rawFile(f32Header(`[2]`, `[-8,0]`), eight...), `tensor "t": data_offsets[0] is negative (-8)`},
		{"fractional offset", rawFile(f32Header(`[2]`, `[0,8.5]`), eight...), `tensor "t": data_offsets[1] is not an integer (8.5)`},
		{"string offset", rawFile(f32Header(`[2]`, `["0",8]`), eight...), `tensor "t": data_offsets[0] is a JSON string`},
		{"offset too large", rawFile(f32Header(`[2]`, `[0,9223372036854775808]`), eight...), `tensor "t": data_offsets[1] is too large (9223372036854775808)`},
		{"begin after end", rawFile(f32Header(`[0]`, `[8,0]`), eight...), `tensor "t": data_offsets [8, 0] begin after they end`},
		{"end beyond buffer", rawFile(f32Header(`[4]`, `[0,16]`), eight...), `tensor "t": data_offsets [0, 16] end beyond the 8-byte data buffer`},
		{"length mismatch", rawFile(f32Header(`[2]`, `[0,4]`), 0, 0, 0, 0), `tensor "t": data_offsets [0, 4] span 4 bytes, but dtype F32 with shape [2] needs 8 bytes`},
		{"scalar length mismatch", rawFile(f32Header(`[]`, `[0,0]`)), `tensor "t": data_offsets [0, 0] span 0 bytes, but dtype F32 with shape [] needs 4 bytes`},
		{"many dims in message", rawFile(f32Header(`[1,1,1,1,1,1,1,1,1,1,3]`, `[0,8]`), eight...), `shape [1, 1, 1, 1, 1, 1, 1, 1, ... (11 dims)] needs 12 bytes`},
		{"overlap", rawFile(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}`, make([]byte, 12)...),
			`tensor "b" (data_offsets [4, 12]) overlaps tensor "a" (data_offsets [0, 8])`},
		{"same range twice", rawFile(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}}`, eight...),
			`tensor "b" (data_offsets [0, 8]) overlaps tensor "a" (data_offsets [0, 8])`},
		{"zero-size inside another", rawFile(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"z":{"dtype":"F32","shape":[0],"data_offsets":[4,4]}}`, eight...),
			`tensor "z" (data_offsets [4, 4]) overlaps tensor "a" (data_offsets [0, 8])`},
		{"gap between tensors", rawFile(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}`, make([]byte, 12)...),
			`gap of 4 bytes in the data buffer between tensor "a" (ends at 4) and tensor "b" (starts at 8)`},
		{"gap at start", rawFile(f32Header(`[1]`, `[4,8]`), eight...), `tensor "t" starts at byte 4, leaving bytes [0, 4) of the data buffer unused`},
		{"trailing bytes", rawFile(f32Header(`[2]`, `[0,8]`), make([]byte, 12)...), "tensors cover 8 bytes, but the data buffer after the header has 12 bytes"},
		{"data without tensors", rawFile(`{}`, 1), "tensors cover 0 bytes, but the data buffer after the header has 1 bytes"},
		{"metadata not an object", rawFile(`{"__metadata__":"x"}`), "__metadata__: value is a JSON string, want an object of strings"},
		{"metadata null", rawFile(`{"__metadata__":null}`), "__metadata__: value is a JSON null"},
		{"metadata value number", rawFile(`{"__metadata__":{"epoch":3}}`), `__metadata__: value of key "epoch" is a JSON number, want a string`},
		{"metadata value object", rawFile(`{"__metadata__":{"cfg":{}}}`), `__metadata__: value of key "cfg" is a JSON object, want a string`},
		{"metadata duplicate key", rawFile(`{"__metadata__":{"k":"a","k":"b"}}`), `__metadata__: duplicate key "k"`},
		{"metadata twice", rawFile(`{"__metadata__":{},"__metadata__":{}}`), `duplicate key "__metadata__"`},
	}
}

func TestRead_Corrupt(t *testing.T) {
	for _, tt := range corruptCases() {
		t.Run(tt.name, func(t *testing.T) {
			f, err := readBytes(tt.data)
			if err == nil {
				t.Fatalf("Read succeeded with %d tensors, want error containing %q", len(f.Tensors), tt.wantErr)
			}
			if !strings.HasPrefix(err.Error(), "safetensors: ") {
				t.Errorf("error %q lacks the \"safetensors: \" prefix", err)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error %q does not contain %q", err, tt.wantErr)
			}
		})
	}
}

// zeroReaderAt is a ReaderAt of the given size whose bytes are all zero
// except for an 8-byte little-endian header length at offset 0.
type zeroReaderAt struct {
	size      int64
	headerLen uint64
	reads     int64 // bytes read so far
}

func (z *zeroReaderAt) ReadAt(p []byte, off int64) (int, error) {
	if off >= z.size {
		return 0, io.EOF
	}
	n := len(p)
	if rem := z.size - off; int64(n) > rem {
		n = int(rem)
	}
	var prefix [8]byte
	binary.LittleEndian.PutUint64(prefix[:], z.headerLen)
	for i := range n {
		p[i] = 0
		if o := off + int64(i); o < 8 {
			p[i] = prefix[o]
		}
	}
	z.reads += int64(n)
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

func TestRead_HeaderTooLarge(t *testing.T) {
	tests := []struct {
		name      string
		size      int64
		headerLen uint64
		wantErr   string
	}{
		{"just over the limit", 1 << 30, MaxHeaderSize + 1, "header length 104857601 exceeds the maximum of 104857600: file is 1073741824 bytes"},
		{"far over the limit", 1 << 40, 1 << 39, "header length 549755813888 exceeds the maximum of 104857600: file is 1099511627776 bytes"},
		{"beyond a huge file", 1 << 40, 1<<40 - 7, "header length 1099511627769 exceeds the 1099511627768 bytes after the length prefix: file is 1099511627776 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &zeroReaderAt{size: tt.size, headerLen: tt.headerLen}
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			_, err := Read(r, tt.size)
			runtime.ReadMemStats(&after)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
			}
			if r.reads > 8 {
				t.Errorf("read %d bytes, want only the 8-byte prefix", r.reads)
			}
			if got := after.TotalAlloc - before.TotalAlloc; got > 1<<20 {
				t.Errorf("allocated %d bytes before rejecting the header length", got)
			}
		})
	}
}

// shortReaderAt claims a size but holds only the bytes in data.
type shortReaderAt struct{ data []byte }

func (s shortReaderAt) ReadAt(p []byte, off int64) (int, error) {
	return bytes.NewReader(s.data).ReadAt(p, off)
}

func TestRead_BoundedAllocation(t *testing.T) {
	// Hostile but well-formed-looking files: each must be rejected (or
	// read) without allocating much more than the input size.
	hugeShape := `[` + strings.Repeat(`0,`, 100_000) + `0]`
	var many strings.Builder
	many.WriteString("{")
	for i := range 20_000 {
		if i > 0 {
			many.WriteString(",")
		}
		fmt.Fprintf(&many, `"%d":{"dtype":"I64","shape":[0],"data_offsets":[0,0]}`, i)
	}
	many.WriteString("}")
	tests := []struct {
		name string
		data []byte
		size int64 // Claimed size; len(data) if 0.
	}{
		{"huge element count, tiny buffer", rawFile(f32Header(`[1073741824]`, `[0,4]`), 1, 2, 3, 4), 0},
		{"zero-size tensor with many dims", rawFile(f32Header(hugeShape, `[0,0]`)), 0},
		{"many zero-size tensors", rawFile(many.String()), 0},
		{"claimed size larger than data", rawFile(f32Header(`[1]`, `[0,4]`), 1, 2, 3, 4), 1 << 40},
		{"header length within a lying size", rawFileLen(MaxHeaderSize, "{}"), MaxHeaderSize + 8},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			size := tt.size
			if size == 0 {
				size = int64(len(tt.data))
			}
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			_, err := Read(shortReaderAt{tt.data}, size)
			runtime.ReadMemStats(&after)
			t.Logf("input %d bytes, claimed %d, allocated %d, err: %v", len(tt.data), size, after.TotalAlloc-before.TotalAlloc, err)
			// Total allocation, garbage included, stays within a small
			// multiple of the real input.
			limit := 8*uint64(len(tt.data)) + 1<<20
			if got := after.TotalAlloc - before.TotalAlloc; got > limit {
				t.Errorf("allocated %d bytes, limit %d", got, limit)
			}
		})
	}
}

// failingReaderAt returns err for every read that covers offset failAt.
type failingReaderAt struct {
	data   []byte
	failAt int64
	err    error
}

func (f failingReaderAt) ReadAt(p []byte, off int64) (int, error) {
	if off <= f.failAt && f.failAt < off+int64(len(p)) {
		return 0, f.err
	}
	return bytes.NewReader(f.data).ReadAt(p, off)
}

func TestRead_ReaderError(t *testing.T) {
	errDisk := errors.New("disk on fire")
	data := mustWrite(t, roundTripCases()[3].file) // "F32 vector"
	headerEnd := 8 + int64(binary.LittleEndian.Uint64(data))
	tests := []struct {
		name    string
		failAt  int64
		wantErr string
	}{
		{"length prefix", 0, "read header length"},
		{"header", 8, "read 56-byte header"},
		{"last byte", int64(len(data)) - 1, "reading its last byte failed"},
		{"tensor data", headerEnd + 4, `tensor "w": read data at offset 64`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := failingReaderAt{data: data, failAt: tt.failAt, err: errDisk}
			_, err := Read(r, int64(len(data)))
			if !errors.Is(err, errDisk) {
				t.Fatalf("error %v does not wrap the reader's error", err)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error %q does not contain %q", err, tt.wantErr)
			}
		})
	}
}

func TestReadFile_RoundTrip(t *testing.T) {
	dir := t.TempDir()
	for i, tt := range roundTripCases() {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.Repeat("x", i+1)+".safetensors")
			if err := os.WriteFile(path, mustWrite(t, tt.file), 0o644); err != nil {
				t.Fatal(err)
			}
			got, err := ReadFile(path)
			if err != nil {
				t.Fatalf("ReadFile: %v", err)
			}
			if err := equalFiles(got, tt.file); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestReadFile_Errors(t *testing.T) {
	dir := t.TempDir()
	corrupt := filepath.Join(dir, "corrupt.safetensors")
	if err := os.WriteFile(corrupt, rawFileLen(100, "{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		path    string
		wantIs  error
		wantErr []string
	}{
		{"missing file", filepath.Join(dir, "missing.safetensors"), os.ErrNotExist, []string{"safetensors: ", "missing.safetensors"}},
		{"corrupt file", corrupt, nil, []string{"safetensors: " + corrupt + ": header length 100 exceeds", "file is 10 bytes"}},
		{"directory", dir, nil, []string{"safetensors: ", dir}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadFile(tt.path)
			if err == nil {
				t.Fatal("ReadFile succeeded")
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("error %v does not wrap %v", err, tt.wantIs)
			}
			for _, s := range tt.wantErr {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not contain %q", err, s)
				}
			}
		})
	}
}

func TestWrite_Invalid(t *testing.T) {
	vec := func(name string) Tensor { return Tensor{Name: name, DType: F32, Shape: []int{1}, F32: []float32{1}} }
	tests := []struct {
		name    string
		file    *File
		wantErr string
	}{
		{"nil file", nil, "safetensors: write nil *File"},
		{"empty name", &File{Tensors: []Tensor{vec("")}}, "safetensors: tensor with empty name"},
		{"reserved name", &File{Tensors: []Tensor{vec("__metadata__")}}, `safetensors: tensor name "__metadata__" is reserved for metadata`},
		{"invalid UTF-8 name", &File{Tensors: []Tensor{vec("a\xffb")}}, `safetensors: tensor name "a\xffb" is not valid UTF-8`},
		{"duplicate name", &File{Tensors: []Tensor{vec("a"), vec("b"), vec("a")}}, `safetensors: duplicate tensor name "a"`},
		{"unknown dtype", &File{Tensors: []Tensor{{Name: "t", DType: "BF16", Shape: []int{1}, F32: []float32{1}}}}, `safetensors: tensor "t": unsupported dtype "BF16" (want F16, F32, F64 or I64)`},
		{"empty dtype", &File{Tensors: []Tensor{{Name: "t", Shape: []int{0}}}}, `safetensors: tensor "t": unsupported dtype ""`},
		{"negative dim", &File{Tensors: []Tensor{{Name: "t", DType: F32, Shape: []int{2, -1}}}}, `safetensors: tensor "t": shape[1] is negative (-1)`},
		{"too few elements", &File{Tensors: []Tensor{{Name: "t", DType: F32, Shape: []int{2, 2}, F32: []float32{1, 2, 3}}}}, `safetensors: tensor "t": shape [2, 2] has 4 elements but the F32 slice has 3`},
		{"too many elements", &File{Tensors: []Tensor{{Name: "t", DType: I64, Shape: []int{}, I64: []int64{1, 2}}}}, `tensor "t": shape [] has 1 elements but the I64 slice has 2`},
		{"data in wrong slice", &File{Tensors: []Tensor{{Name: "t", DType: F64, Shape: []int{1}, F32: []float32{1}}}}, `tensor "t": dtype is F64 but 1 elements are stored in slices for other dtypes`},
		{"F16 too few elements", &File{Tensors: []Tensor{{Name: "t", DType: F16, Shape: []int{2}, F32: []float32{1}}}}, `tensor "t": shape [2] has 2 elements but the F32 slice has 1`},
		{"F16 data in wrong slice", &File{Tensors: []Tensor{{Name: "t", DType: F16, Shape: []int{0}, F64: []float64{1}}}}, `tensor "t": dtype is F16 but 1 elements are stored in slices for other dtypes`},
		// 65520 is the midpoint between 65504 and 2^16, a tie that
		// rounds to the even 2^16: infinity as a half.
		{"F16 overflow", &File{Tensors: []Tensor{vec("a"), {Name: "h", DType: F16, Shape: []int{2, 2}, F32: []float32{1, 65504, 65519.996, 65520}}}},
			`safetensors: tensor "h": element 3 (65520) is beyond the F16 range`},
		{"F16 negative overflow", &File{Tensors: []Tensor{{Name: "h", DType: F16, Shape: []int{2}, F32: []float32{-1e6, 0}}}},
			`safetensors: tensor "h": element 0 (-1e+06) is beyond the F16 range`},
		{"F16 overflow of the largest float32", &File{Tensors: []Tensor{{Name: "h", DType: F16, Shape: []int{1}, F32: []float32{math.MaxFloat32}}}},
			`tensor "h": element 0 (3.4028235e+38) is beyond the F16 range`},
		{"data in two slices", &File{Tensors: []Tensor{{Name: "t", DType: F32, Shape: []int{1}, F32: []float32{1}, I64: []int64{1}}}}, `tensor "t": dtype is F32 but 1 elements`},
		{"overflowing shape", &File{Tensors: []Tensor{{Name: "t", DType: F32, Shape: []int{65536, 65536, 65536, 65536, 65536}}}}, `tensor "t": element count of shape [65536, 65536, 65536, 65536, 65536] overflows`},
		{"invalid UTF-8 metadata key", &File{Metadata: map[string]string{"\xfe": "v"}}, `metadata key "\xfe" is not valid UTF-8`},
		{"invalid UTF-8 metadata value", &File{Metadata: map[string]string{"k": "\xfe"}}, `metadata value for key "k" is not valid UTF-8`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			err := Write(&buf, tt.file)
			if err == nil {
				t.Fatalf("Write succeeded, want error containing %q", tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error %q does not contain %q", err, tt.wantErr)
			}
			if buf.Len() != 0 {
				t.Errorf("Write wrote %d bytes before failing validation", buf.Len())
			}
		})
	}
}

// failingWriter accepts limit bytes and then fails.
type failingWriter struct {
	limit int
	err   error
}

func (w *failingWriter) Write(p []byte) (int, error) {
	if len(p) > w.limit {
		n := w.limit
		w.limit = 0
		return n, w.err
	}
	w.limit -= len(p)
	return len(p), nil
}

func TestWrite_WriterError(t *testing.T) {
	errFull := errors.New("disk full")
	file := roundTripCases()[len(roundTripCases())-1].file // "large tensor"
	size := len(mustWrite(t, file))
	tests := []struct {
		name    string
		limit   int
		wantErr string
	}{
		{"length prefix", 0, "write header length"},
		{"header", 8, "write header"},
		{"tensor data", 1 << 10, `tensor "big": write data`},
		{"last tensor", size - 4, `tensor "tail": write data`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Write(&failingWriter{limit: tt.limit, err: errFull}, file)
			if !errors.Is(err, errFull) {
				t.Fatalf("error %v does not wrap the writer's error", err)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error %q does not contain %q", err, tt.wantErr)
			}
		})
	}
}

func TestFile_Tensor(t *testing.T) {
	f := roundTripCases()[9].file // "mixed with metadata"
	tests := []struct {
		name   string
		lookup string
		wantOK bool
	}{
		{"first", "layer.0.weight", true},
		{"last", "steps", true},
		{"missing", "layer.1.weight", false},
		{"metadata key is not a tensor", "__metadata__", false},
		{"empty", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := f.Tensor(tt.lookup)
			if ok != tt.wantOK {
				t.Fatalf("Tensor(%q) ok = %v, want %v", tt.lookup, ok, tt.wantOK)
			}
			if !ok {
				if got != nil {
					t.Errorf("Tensor(%q) = %v, want nil", tt.lookup, got)
				}
				return
			}
			if got.Name != tt.lookup {
				t.Errorf("Tensor(%q).Name = %q", tt.lookup, got.Name)
			}
			got.Shape = append(got.Shape, 0) // Must alias the File's tensor.
			if again, _ := f.Tensor(tt.lookup); len(again.Shape) != len(got.Shape) {
				t.Errorf("Tensor(%q) does not point into File.Tensors", tt.lookup)
			}
		})
	}
}

func TestDType_Size(t *testing.T) {
	tests := []struct {
		dtype DType
		want  int
	}{
		{F16, 2}, {F32, 4}, {F64, 8}, {I64, 8}, {"BF16", 0}, {"", 0}, {"f32", 0}, {"f16", 0},
	}
	for _, tt := range tests {
		t.Run(string(tt.dtype), func(t *testing.T) {
			if got := tt.dtype.Size(); got != tt.want {
				t.Errorf("%q.Size() = %d, want %d", tt.dtype, got, tt.want)
			}
		})
	}
}

// concat joins byte slices.
func concat(parts ...[]byte) []byte {
	return bytes.Join(parts, nil)
}
