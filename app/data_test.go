package app

import (
	"path/filepath"
	"strings"
	"testing"

	"latentlab/model/dataset"
)

func TestLoadData_EmbeddedSource(t *testing.T) {
	d, err := LoadData("", ValidationImages, 1)
	if err != nil {
		t.Fatal(err)
	}
	if d.Source.Name != EmbeddedName || d.Source.SHA256 != EmbeddedSHA256 || !IsEmbedded(d.Source) {
		t.Fatalf("embedded MNIST has source %+v, want %s with sha256 %s", d.Source, EmbeddedName, EmbeddedSHA256)
	}
	if d.Source.Rows != 28 || d.Source.Cols != 28 || d.Source.Validation != ValidationImages {
		t.Fatalf("source %+v", d.Source)
	}
}

// Small and empty data sets get messages that name the data and the fix,
// not internal ranges.
func TestLoadData_SmallSetsAreExplained(t *testing.T) {
	write := func(train, test int) string {
		dir := t.TempDir()
		m := &dataset.MNIST{Train: dataset.Noise(train, 3, 3, 1), Test: dataset.Noise(test, 3, 3, 2)}
		if err := dataset.WriteDir(dir, m); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	cases := []struct {
		name        string
		train, test int
		holdout     int
		want        string
	}{
		{"no training images", 0, 5, ValidationImages, "has no training images"},
		{"no test images", 5, 0, 0, "has no test images"},
		{"holdout too large", 5, 5, 5, "has 5 training images, so hold out between 0 and 4"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := write(c.train, c.test)
			_, err := LoadData(dir, c.holdout, 1)
			abs, _ := filepath.Abs(dir)
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), abs) {
				t.Fatalf("err = %v, want one naming %s and saying %q", err, abs, c.want)
			}
		})
	}
	if _, err := LoadData(write(1, 1), 0, 1); err != nil {
		t.Fatalf("one training and one test image: %v", err)
	}
}
