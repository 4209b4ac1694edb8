package dataset

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"path/filepath"

	"latentlab/model/infra/safefile"
)

// WriteDir writes m as the four plain IDX files Load reads, atomically
// each: a subset of MNIST to train on, or data made for tests.
func WriteDir(dir string, m *MNIST) error {
	for _, f := range []struct {
		name   string
		set    *Set
		images bool
	}{{trainImagesFile, m.Train, true}, {trainLabelsFile, m.Train, false}, {testImagesFile, m.Test, true}, {testLabelsFile, m.Test, false}} {
		path := filepath.Join(dir, f.name)
		err := safefile.WriteFile(path, func(w io.Writer) error {
			bw := bufio.NewWriter(w)
			if f.images {
				binary.Write(bw, binary.BigEndian, []uint32{magicImages, uint32(f.set.Len()), uint32(f.set.Rows), uint32(f.set.Cols)})
				bw.Write(f.set.Pixels)
			} else {
				binary.Write(bw, binary.BigEndian, []uint32{magicLabels, uint32(f.set.Len())})
				bw.Write(f.set.Labels)
			}
			return bw.Flush()
		})
		if err != nil {
			return fmt.Errorf("dataset: write %s: %w", path, err)
		}
	}
	return nil
}
