package dataset

import (
	"slices"
	"strings"
	"testing"
)

// testSet returns a set of n 2x3 images whose first two pixels hold i (low
// byte first) and the other four 200, and label i is i%10.
func testSet(n int) *Set {
	s := &Set{Rows: 2, Cols: 3}
	for i := range n {
		s.Pixels = append(s.Pixels, uint8(i), uint8(i>>8), 200, 200, 200, 200)
		s.Labels = append(s.Labels, uint8(i%10))
	}
	return s
}

// imageIDs recovers the original index of every image in s built by testSet.
func imageIDs(t *testing.T, s *Set) []int {
	t.Helper()
	ids := make([]int, s.Len())
	for i := range ids {
		img := s.Image(i)
		id := int(img[0]) + 256*int(img[1])
		if s.Labels[i] != uint8(id%10) {
			t.Fatalf("image %d (id %d) has label %d", i, id, s.Labels[i])
		}
		ids[i] = id
	}
	return ids
}

func TestSet_Basics(t *testing.T) {
	s := testSet(5)
	tests := []struct {
		name      string
		got, want int
	}{
		{"Len", s.Len(), 5},
		{"Dim", s.Dim(), 6},
		{"Image length", len(s.Image(3)), 6},
		{"Image cap", cap(s.Image(3)), 6},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.got != tc.want {
				t.Errorf("got %d, want %d", tc.got, tc.want)
			}
		})
	}
}

func TestSet_ImageIsView(t *testing.T) {
	s := testSet(3)
	s.Image(1)[2] = 42
	if s.Pixels[8] != 42 {
		t.Errorf("write through Image did not reach Pixels")
	}
	_ = append(s.Image(1), 7)
	if s.Pixels[12] != 2 {
		t.Errorf("append to Image clobbered the next image")
	}
}

// ImageValues are the bytes over 255, as float32; a destination of another
// length is a programming error.
func TestSet_ImageValues(t *testing.T) {
	s := &Set{Rows: 1, Cols: 3, Pixels: []uint8{0, 128, 255, 1, 2, 3}, Labels: []uint8{0, 1}}
	v := make([]float32, 3)
	s.ImageValues(v, 0)
	if want := []float32{0, float32(128) / 255, 1}; !slices.Equal(v, want) {
		t.Errorf("ImageValues(0) = %v, want %v", v, want)
	}
	defer func() {
		if recover() == nil {
			t.Error("ImageValues into 2 values of a 3-pixel image did not panic")
		}
	}()
	s.ImageValues(v[:2], 1)
}

func TestSet_Subset(t *testing.T) {
	s := testSet(6)
	tests := []struct {
		name string
		idx  []int
	}{
		{"empty", nil},
		{"one", []int{4}},
		{"reordered with repeat", []int{5, 0, 5, 2}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sub := s.Subset(tc.idx)
			if sub.Rows != 2 || sub.Cols != 3 || sub.Len() != len(tc.idx) || len(sub.Pixels) != len(tc.idx)*6 {
				t.Fatalf("bad shape: %dx%d, %d labels, %d pixels", sub.Rows, sub.Cols, sub.Len(), len(sub.Pixels))
			}
			if got := imageIDs(t, sub); !slices.Equal(got, tc.idx) {
				t.Errorf("ids %v, want %v", got, tc.idx)
			}
			if sub.Len() > 0 {
				sub.Pixels[2] = 7
				if slices.Contains(s.Pixels, 7) {
					t.Errorf("Subset shares pixels with the original")
				}
			}
		})
	}
}

func TestSet_Head(t *testing.T) {
	s := testSet(4)
	tests := []struct {
		name string
		n    int
		want int
	}{
		{"zero", 0, 0},
		{"negative", -3, 0},
		{"some", 2, 2},
		{"all", 4, 4},
		{"clamped", 100, 4},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := s.Head(tc.n)
			if h.Len() != tc.want || len(h.Pixels) != tc.want*6 {
				t.Fatalf("Len %d with %d pixels, want %d images", h.Len(), len(h.Pixels), tc.want)
			}
			if got, want := imageIDs(t, h), []int{0, 1, 2, 3}[:tc.want]; !slices.Equal(got, want) {
				t.Errorf("ids %v, want %v", got, want)
			}
			if h.Len() > 0 {
				h.Pixels[2], h.Labels[0] = 7, 9
				if s.Pixels[2] == 7 || s.Labels[0] == 9 {
					t.Errorf("Head shares memory with the original")
				}
			}
		})
	}
}

func TestSet_PrefixSharesMemory(t *testing.T) {
	s := testSet(4)
	p := s.Prefix(2)
	if got := imageIDs(t, p); !slices.Equal(got, []int{0, 1}) {
		t.Fatalf("Prefix(2) ids %v, want [0 1]", got)
	}
	p.Pixels[2] = 7
	if s.Pixels[2] != 7 {
		t.Error("Prefix copied the pixels instead of sharing them")
	}
	if s.Prefix(-1).Len() != 0 || s.Prefix(9).Len() != 4 {
		t.Errorf("Prefix(-1) has %d images, Prefix(9) %d; want 0 and 4", s.Prefix(-1).Len(), s.Prefix(9).Len())
	}
	_ = append(s.Prefix(1).Pixels, 9)
	if s.Pixels[6] != 1 {
		t.Error("appending to a prefix overwrote the next image")
	}
}

func TestSet_SplitErrors(t *testing.T) {
	tests := []struct {
		name    string
		n       int
		holdout int
		wantErr string
	}{
		{"negative", 10, -1, "holdout -1 out of range"},
		{"equal to Len", 10, 10, "holdout 10 out of range [0, 10)"},
		{"above Len", 10, 11, "holdout 11 out of range"},
		{"empty set", 0, 0, "holdout 0 out of range [0, 0)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rest, held, err := testSet(tc.n).Split(tc.holdout, 1)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("error %v, want containing %q", err, tc.wantErr)
			}
			if rest != nil || held != nil {
				t.Errorf("got non-nil sets with an error")
			}
		})
	}
}

func TestSet_SplitPartition(t *testing.T) {
	const n = 200
	s := testSet(n)
	tests := []struct {
		name    string
		holdout int
		seed    uint64
	}{
		{"none held out", 0, 1},
		{"one", 1, 1},
		{"quarter", 50, 7},
		{"all but one", n - 1, 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rest, held, err := s.Split(tc.holdout, tc.seed)
			if err != nil {
				t.Fatal(err)
			}
			if held.Len() != tc.holdout || rest.Len() != n-tc.holdout {
				t.Fatalf("sizes %d+%d, want %d+%d", rest.Len(), held.Len(), n-tc.holdout, tc.holdout)
			}
			r, h := imageIDs(t, rest), imageIDs(t, held)
			if !slices.IsSorted(r) || !slices.IsSorted(h) {
				t.Errorf("split does not keep the original order")
			}
			all := slices.Concat(r, h)
			slices.Sort(all)
			for i, id := range all {
				if id != i {
					t.Fatalf("union is not exactly the original set (overlap or gap at %d)", i)
				}
			}
		})
	}
}

func TestSet_SplitSeeded(t *testing.T) {
	s := testSet(500)
	heldIDs := func(seed uint64) []int {
		_, held, err := s.Split(100, seed)
		if err != nil {
			t.Fatal(err)
		}
		return imageIDs(t, held)
	}
	tests := []struct {
		name     string
		a, b     uint64
		wantSame bool
	}{
		{"same seed", 42, 42, true},
		{"same seed zero", 0, 0, true},
		{"different seeds", 42, 43, false},
		{"zero and one", 0, 1, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if same := slices.Equal(heldIDs(tc.a), heldIDs(tc.b)); same != tc.wantSame {
				t.Errorf("seeds %d and %d: same split = %v, want %v", tc.a, tc.b, same, tc.wantSame)
			}
		})
	}
}
