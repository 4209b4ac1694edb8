package dataset

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
)

// Source says which data a model was trained on, so that a checkpoint can
// be measured on the same data and refused on other data.
type Source struct {
	// Name is what a person calls the data: "MNIST (embedded)" or the
	// directory it was read from.
	Name string `json:"name"`
	// SHA256 is the content hash of the four IDX files' images and labels
	// as decoded (see Digest), so that the plain and gzipped copies of one
	// data set agree.
	SHA256 string `json:"sha256"`
	Rows   int    `json:"image_rows"`
	Cols   int    `json:"image_cols"`
	// Validation is how many training images the run held out for
	// validation (by its seed); a resumed run holds out the same.
	Validation int `json:"validation_images"`
}

// Same reports whether s and o name the same images (the same content
// hash and image size); the names may differ.
func (s Source) Same(o Source) bool {
	return s.SHA256 == o.SHA256 && s.Rows == o.Rows && s.Cols == o.Cols
}

// String describes the source for messages: its name and a short hash.
func (s Source) String() string {
	short := s.SHA256
	if len(short) > 12 {
		short = short[:12]
	}
	return fmt.Sprintf("%s (%dx%d images, sha256 %s…)", s.Name, s.Rows, s.Cols, short)
}

// Digest returns the hex SHA-256 that names the content of a train and a
// test set: the SHA-256 of, for each set in turn, its image count, rows and
// columns (big-endian uint32), then the SHA-256 of its pixels as the IDX
// files' bytes and that of its labels. Load computes the
// same from the bytes it reads.
func Digest(train, test *Set) string {
	var sums [4][32]byte
	for i, s := range []*Set{train, test} {
		sums[2*i], sums[2*i+1] = sha256.Sum256(s.Pixels), sha256.Sum256(s.Labels)
	}
	return combine(train, test, sums)
}

// combine is Digest from the SHA-256 of the train images, train labels,
// test images and test labels.
func combine(train, test *Set, sums [4][32]byte) string {
	h := sha256.New()
	for i, s := range []*Set{train, test} {
		var hdr [12]byte
		binary.BigEndian.PutUint32(hdr[0:], uint32(s.Len()))
		binary.BigEndian.PutUint32(hdr[4:], uint32(s.Rows))
		binary.BigEndian.PutUint32(hdr[8:], uint32(s.Cols))
		h.Write(hdr[:])
		h.Write(sums[2*i][:])
		h.Write(sums[2*i+1][:])
	}
	return hex.EncodeToString(h.Sum(nil))
}
