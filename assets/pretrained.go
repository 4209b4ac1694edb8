package assets

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
)

// pretrainedFiles holds the shipped trained models, named
// <kind>-<architecture>.safetensors, and the README saying how each was
// made (`make pretrained`).
//
//go:embed pretrained
var pretrainedFiles embed.FS

// pretrainedExt is the shipped models' file extension.
const pretrainedExt = ".safetensors"

// PretrainedNames lists the shipped models by name, "<kind>-<architecture>"
// (for instance "vae-conv"), sorted.
func PretrainedNames() []string {
	entries, _ := fs.ReadDir(pretrainedFiles, "pretrained") // the directory is embedded
	var names []string
	for _, e := range entries {
		if name, ok := strings.CutSuffix(e.Name(), pretrainedExt); ok {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	return names
}

// Pretrained returns the checkpoint bytes of the shipped model name; an
// unknown name is an error listing the ones there are.
func Pretrained(name string) ([]byte, error) {
	if !slices.Contains(PretrainedNames(), name) {
		return nil, fmt.Errorf("no pretrained model %q (there are: %s)", name, strings.Join(PretrainedNames(), ", "))
	}
	return pretrainedFiles.ReadFile(path.Join("pretrained", name+pretrainedExt))
}
