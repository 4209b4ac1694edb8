package assets

import (
	"io/fs"
	"testing"
)

func TestMNIST_Files(t *testing.T) {
	tests := []struct {
		name    string
		minSize int64
	}{
		{"train-images-idx3-ubyte.gz", 9_000_000},
		{"train-labels-idx1-ubyte.gz", 20_000},
		{"t10k-images-idx3-ubyte.gz", 1_500_000},
		{"t10k-labels-idx1-ubyte.gz", 4_000},
	}
	fsys := MNIST()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			info, err := fs.Stat(fsys, tc.name)
			if err != nil {
				t.Fatalf("stat %s: %v", tc.name, err)
			}
			if info.Size() < tc.minSize {
				t.Errorf("%s: size %d, want at least %d", tc.name, info.Size(), tc.minSize)
			}
			b, err := fs.ReadFile(fsys, tc.name)
			if err != nil {
				t.Fatalf("read %s: %v", tc.name, err)
			}
			if len(b) < 2 || b[0] != 0x1f || b[1] != 0x8b {
				t.Errorf("%s: not gzip data", tc.name)
			}
		})
	}
}

func TestMNIST_OnlyDataFiles(t *testing.T) {
	entries, err := fs.ReadDir(MNIST(), ".")
	if err != nil {
		t.Fatalf("read dir: %v", err)
	}
	if len(entries) != 4 {
		t.Errorf("got %d entries, want 4", len(entries))
	}
}
