// Package gradcheck compares analytic gradients with central finite
// differences, for the tests of layers, ops and training graphs.
package gradcheck

import (
	"math"
	"testing"
)

// Step is the finite-difference step h: the cost is evaluated at w ± h.
const Step = 1e-6

// Tolerance is how far an analytic gradient g may lie from the finite
// difference d: |g - d| <= 1e-6 + 1e-4 |d| (float64 graphs; the central
// difference's own error is O(h^2) times the third derivative).
func Tolerance(d float64) float64 { return 1e-6 + 1e-4*math.Abs(d) }

// Check perturbs each element of w in place (restoring it after), compares
// (cost(w+h) - cost(w-h)) / 2h with analytic's element and reports each
// mismatch under name. It returns the number of elements checked.
func Check(t testing.TB, name string, w, analytic []float64, cost func() float64) int {
	t.Helper()
	for i := range w {
		orig := w[i]
		w[i] = orig + Step
		up := cost()
		w[i] = orig - Step
		down := cost()
		w[i] = orig
		numeric := (up - down) / (2 * Step)
		if math.Abs(numeric-analytic[i]) > Tolerance(numeric) {
			t.Errorf("%s[%d]: gradient %.8g, finite difference %.8g", name, i, analytic[i], numeric)
		}
	}
	return len(w)
}
