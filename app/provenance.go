package app

import (
	"fmt"

	"latentlab/model/checkpoint"
	"latentlab/model/dataset"
)

// SameData returns an error, naming the file and both data sets, unless the
// checkpoint at path was trained on the data of src. A checkpoint that does
// not record its data (written by an older latentlab) passes when its image
// size fits.
func SameData(path string, ck *checkpoint.Checkpoint, src dataset.Source) error {
	trained, ok := ck.Source()
	if !ok {
		if ck.Config.ImageRows != src.Rows || ck.Config.ImageCols != src.Cols {
			return fmt.Errorf("%s was trained on %dx%d images; %s has %dx%d", path,
				ck.Config.ImageRows, ck.Config.ImageCols, src.Name, src.Rows, src.Cols)
		}
		return nil
	}
	if !trained.Same(src) {
		return fmt.Errorf("%s was trained on %s, not on %s: load the data it was trained on (--data DIR)", path, trained, src)
	}
	return nil
}
