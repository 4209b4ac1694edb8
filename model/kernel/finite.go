package kernel

// IsFinite reports whether x is neither NaN nor ±Inf: latentlab's one test
// of finiteness (x - x is 0 for every finite x and NaN otherwise).
func IsFinite[T float32 | float64](x T) bool { return x-x == 0 }

// FirstNonFiniteOf returns the index of the first NaN or ±Inf in x, or -1:
// through the vectorised loop for float32, a Go loop for float64.
func FirstNonFiniteOf[T float32 | float64](x []T) int {
	if f, ok := any(x).([]float32); ok {
		return FirstNonFinite(f)
	}
	for i, v := range x {
		if !IsFinite(v) {
			return i
		}
	}
	return -1
}
