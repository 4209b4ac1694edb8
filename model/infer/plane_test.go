package infer

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"
)

// A plane of directions is the plane they span through its base point: a
// point placed at coordinates (x, y) has them, differs from the base only
// within the plane, and lands where At put it; raw axes are the special
// case of unit directions; parallel or zero directions are refused.
func TestPlane_DirectionsSpanThePlaneThroughBase(t *testing.T) {
	base := []float64{0.5, -1, 2, 0.25}
	raw := Plane{AxisX: 2, AxisY: 0, MinX: -3, MaxX: 3, MinY: -2, MaxY: 4, Base: base}
	asDirs, err := raw.WithDirections([]float64{0, 0, 1, 0}, []float64{1, 0, 0, 0})
	if err != nil {
		t.Fatal(err)
	}
	skew, err := raw.WithDirections([]float64{1, 2, 0, -1}, []float64{1, 0, 1, 1})
	if err != nil {
		t.Fatal(err)
	}
	if d := floats.Dot(skew.DirX, skew.DirY); math.Abs(d) > 1e-12 || math.Abs(floats.Norm(skew.DirY, 2)-1) > 1e-12 {
		t.Fatalf("directions not orthonormal: dot %v", d)
	}
	for _, p := range []Plane{raw, asDirs, skew} {
		for _, xy := range [][2]float64{{0, 0}, {1.5, -0.5}, {-2, 3}} {
			z := p.Point(xy[0], xy[1])
			if x, y := p.Coords(z); math.Abs(x-xy[0]) > 1e-12 || math.Abs(y-xy[1]) > 1e-12 {
				t.Errorf("%+v: point at %v has coordinates (%v, %v)", p, xy, x, y)
			}
			// z - base has no part off the plane.
			diff := floats.SubTo(make([]float64, len(z)), z, base)
			dx, dy := p.Coords(diff)
			resid := floats.Norm(diff, 2)*floats.Norm(diff, 2) - dx*dx - dy*dy
			if math.Abs(resid) > 1e-9 {
				t.Errorf("%+v: point at %v moved off the plane by %v", p, xy, resid)
			}
		}
		u, v := p.Fractions(p.At(0.3, 0.8))
		if math.Abs(u-0.3) > 1e-12 || math.Abs(v-0.8) > 1e-12 {
			t.Errorf("%+v: At(0.3, 0.8) lands at (%v, %v)", p, u, v)
		}
		// Two points of one slice give planes through each other.
		other := p.Through(p.Point(1, 1))
		if floats.Distance(other.OffPlane(), p.OffPlane(), 2) > 1e-12 {
			t.Errorf("%+v: a plane through another point of the slice is another slice", p)
		}
	}
	if floats.Distance(raw.Point(1, 2), asDirs.Point(1, 2), 2) > 1e-12 {
		t.Error("unit directions and raw axes give different points")
	}
	if _, err := raw.WithDirections([]float64{1, 1, 0, 0}, []float64{2, 2, 0, 0}); err == nil {
		t.Error("parallel directions: no error")
	}
	if _, err := raw.WithDirections([]float64{0, 0, 0, 0}, []float64{1, 0, 0, 0}); err == nil {
		t.Error("a zero direction: no error")
	}
	if sx, sy := skew.Spread([]float64{1, 1, 1, 1}); math.Abs(sx-1) > 1e-12 || math.Abs(sy-1) > 1e-12 {
		t.Errorf("an isotropic posterior spreads (%v, %v) along unit directions", sx, sy)
	}
}

// A Gaussian's covariance along the plane's axes is that of its marginal in
// the plane's coordinates: checked against the sample covariance of the
// coordinates of many draws.
func TestPlane_CovarianceIsTheMarginalsOnThePlane(t *testing.T) {
	cov := mat.NewSymDense(3, []float64{
		2, 0.6, -0.3,
		0.6, 1, 0.2,
		-0.3, 0.2, 0.5,
	})
	var chol mat.Cholesky
	if !chol.Factorize(cov) {
		t.Fatal("test covariance is not positive definite")
	}
	var lower mat.TriDense
	chol.LTo(&lower)
	raw := Plane{AxisX: 2, AxisY: 0, Base: make([]float64, 3)}
	tilted, err := raw.WithDirections([]float64{1, 1, 0}, []float64{0, 1, -2})
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(4, 4))
	const n = 200000
	for _, p := range []Plane{raw, tilted} {
		xs, ys := make([]float64, n), make([]float64, n)
		eps, z := mat.NewVecDense(3, nil), mat.NewVecDense(3, nil)
		for i := range n {
			for j := range 3 {
				eps.SetVec(j, rng.NormFloat64())
			}
			z.MulVec(&lower, eps)
			xs[i], ys[i] = p.Coords(z.RawVector().Data)
		}
		xx, xy, yy := p.Covariance(cov)
		for _, c := range []struct {
			name      string
			got, want float64
		}{{"xx", xx, stat.Covariance(xs, xs, nil)}, {"xy", xy, stat.Covariance(xs, ys, nil)}, {"yy", yy, stat.Covariance(ys, ys, nil)}} {
			if math.Abs(c.got-c.want) > 0.02 {
				t.Errorf("directions %v: %s = %.4f, draws give %.4f", p.DirX, c.name, c.got, c.want)
			}
		}
	}
}
