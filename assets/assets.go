package assets

import (
	"embed"
	"fmt"
	"io/fs"
)

// mnistFiles holds the gzip-compressed MNIST IDX files under mnist/.
//
//go:embed mnist/*.gz
var mnistFiles embed.FS

// MNIST returns a read-only file system containing the four MNIST files
// train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz,
// t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz at its root.
//
// MNIST is by Yann LeCun, Corinna Cortes and Christopher J.C. Burges and is
// available under CC BY-SA 3.0.
func MNIST() fs.FS {
	sub, err := fs.Sub(mnistFiles, "mnist")
	if err != nil {
		// fs.Sub only fails for an invalid path, and "mnist" is a valid
		// constant path, so this cannot happen.
		panic(fmt.Sprintf("assets: sub-filesystem mnist: %v", err))
	}
	return sub
}

// iconPNG is the application icon: nine MNIST test digits on a dark tile.
//
//go:embed icon.png
var iconPNG []byte

// Icon returns the application icon as PNG bytes.
func Icon() []byte { return iconPNG }

// classifierWeights is the digit classifier behind the sample-quality
// metrics: `latentlab train --model classifier --seed 1` (98.45% on the test set).
//
//go:embed classifier.safetensors
var classifierWeights []byte

// Classifier returns the shipped classifier checkpoint (safetensors bytes).
func Classifier() []byte { return classifierWeights }
