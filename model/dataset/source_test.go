package dataset

import (
	"path/filepath"
	"testing"
)

// The content hash follows the images and labels, not the files' names or
// compression, and WriteDir writes what LoadDir reads back.
func TestDigest_FollowsContent(t *testing.T) {
	m := &MNIST{Train: Noise(30, 4, 5, 1), Test: Noise(10, 4, 5, 2)}
	dir := t.TempDir()
	if err := WriteDir(dir, m); err != nil {
		t.Fatal(err)
	}
	back, err := LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := Digest(m.Train, m.Test)
	if back.Source.SHA256 != want || back.Source.Rows != 4 || back.Source.Cols != 5 {
		t.Fatalf("read back %+v, want sha256 %s of 4x5 images", back.Source, want)
	}
	if abs, _ := filepath.Abs(dir); back.Source.Name != abs {
		t.Errorf("source name %q, want %q", back.Source.Name, abs)
	}
	other := *m.Train
	other.Labels = append([]uint8{(m.Train.Labels[0] + 1) % 10}, m.Train.Labels[1:]...)
	if Digest(&other, m.Test) == want {
		t.Error("a changed label left the hash unchanged")
	}
	pixels := append([]uint8{}, m.Test.Pixels...)
	pixels[7] ^= 10 // another byte
	changed := *m.Test
	changed.Pixels = pixels
	if Digest(m.Train, &changed) == want {
		t.Error("a changed pixel left the hash unchanged")
	}
	if Digest(m.Test, m.Train) == want {
		t.Error("swapping train and test left the hash unchanged")
	}
}
