// Package safetensors reads and writes the Hugging Face safetensors format.
//
// A safetensors file is an 8-byte little-endian unsigned header length N,
// followed by N bytes of UTF-8 JSON header, followed by a raw byte buffer.
// The header maps each tensor name to an object
//
//	{"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}
//
// whose offsets are relative to the start of the byte buffer, plus an
// optional "__metadata__" entry mapping strings to strings. Tensor data is
// little-endian, row-major and contiguous, and the tensors must cover the
// byte buffer exactly, with no gaps or overlaps.
//
// This package supports the F16, F32, F64 and I64 element types. F16
// (IEEE 754 binary16, half precision) tensors are held as float32 in
// memory: Read widens them exactly, and Write narrows them with rounding to
// nearest, ties to even, refusing finite values beyond the half range
// rather than turning them into infinities.
//
// Read is strict: it validates every part of the header and the layout
// before returning, never allocates much more memory than the size of its
// input (twice that for F16 data, widened to float32), and reports
// problems with errors prefixed "safetensors: " that name the offending
// tensor or value. Write produces the same byte layout as the reference
// implementation: compact JSON with "__metadata__" first, the tensors in
// layout order, and the header padded with spaces to a multiple of 8 bytes.
package safetensors
