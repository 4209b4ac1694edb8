package safetensors

// DType names the element type of a tensor as spelled in a safetensors
// header.
type DType string

// The element types supported by this package.
const (
	F16 DType = "F16" // IEEE 754 binary16, 2 bytes per element, held in Tensor.F32.
	F32 DType = "F32" // IEEE 754 binary32, 4 bytes per element.
	F64 DType = "F64" // IEEE 754 binary64, 8 bytes per element.
	I64 DType = "I64" // Two's complement signed integer, 8 bytes per element.
)

// MaxHeaderSize is the largest JSON header, in bytes, that Read accepts and
// Write produces.
const MaxHeaderSize = 100 << 20

// metadataKey is the reserved header key holding the file metadata.
const metadataKey = "__metadata__"

// Size returns the number of bytes per element of d, or 0 if d is not a
// type supported by this package.
func (d DType) Size() int {
	switch d {
	case F16:
		return 2
	case F32:
		return 4
	case F64, I64:
		return 8
	}
	return 0
}

// isForeignDType reports whether d is an element type of the reference
// implementation that this package recognises but cannot represent.
func isForeignDType(d DType) bool {
	switch d {
	case "BOOL", "U8", "I8", "I16", "U16", "BF16", "I32", "U32", "U64",
		"F8_E5M2", "F8_E4M3", "F8_E8M0", "F4", "F6_E2M3", "F6_E3M2", "C64":
		return true
	}
	return false
}

// Tensor is one named array. Exactly one of F32, F64 and I64 holds the
// elements, matching DType (F32 for both F16 and F32); the others are
// empty.
type Tensor struct {
	// Name identifies the tensor; it is non-empty, valid UTF-8, unique
	// within a file and not "__metadata__".
	Name string
	// DType is the element type.
	DType DType
	// Shape lists the dimensions, outermost first; an empty shape is a
	// scalar with one element. Read always returns a non-nil slice.
	Shape []int
	// F32 holds the elements in row-major order when DType is F32 or
	// F16. Read widens F16 elements exactly; Write narrows them to the
	// nearest half, ties to even, and fails for finite values beyond the
	// half range (magnitude 65520 or more, which would round to infinity).
	F32 []float32
	// F64 holds the elements in row-major order when DType is F64.
	F64 []float64
	// I64 holds the elements in row-major order when DType is I64.
	I64 []int64
}

// File is the content of a safetensors file.
type File struct {
	// Metadata holds the free-form "__metadata__" header entry. It is nil
	// when the file has no such entry; Write omits the entry when it is
	// nil and writes it (possibly empty) otherwise.
	Metadata map[string]string
	// Tensors lists the tensors in file order, that is, ordered by their
	// position in the byte buffer. Write lays tensors out in this order.
	Tensors []Tensor
}

// Tensor returns a pointer to the tensor called name in f and true, or nil
// and false if there is no such tensor.
func (f *File) Tensor(name string) (*Tensor, bool) {
	for i := range f.Tensors {
		if f.Tensors[i].Name == name {
			return &f.Tensors[i], true
		}
	}
	return nil, false
}

// dataLen returns the number of elements in the data slice that matches
// t.DType, and the total number of elements in the other two slices.
func (t *Tensor) dataLen() (matching, others int) {
	total := len(t.F32) + len(t.F64) + len(t.I64)
	switch t.DType {
	case F16, F32:
		return len(t.F32), total - len(t.F32)
	case F64:
		return len(t.F64), total - len(t.F64)
	case I64:
		return len(t.I64), total - len(t.I64)
	}
	return 0, total
}

// slice names the Tensor field that holds the elements of type d.
func (d DType) slice() string {
	if d == F16 {
		return "F32"
	}
	return string(d)
}
