package train

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"latentlab/model"
	"latentlab/model/dataset"
)

// The optimizer updates from the gradient tensors the sink hands over, which
// is only safe if no instruction after the sink can write to their memory:
// after it there may be only frees (no-ops on the CPU), flushes and the
// copies that read instructions make.
func TestGradSink_IsTheLastInstructionThatWrites(t *testing.T) {
	for _, kind := range []model.Kind{model.KindAE, model.KindVAE, model.KindGAN, model.KindClassifier} {
		cfg := smallConfig(kind, 3, 3)
		cfg.Dropout = 0.2
		tr, err := newTrainer(cfg, dataset.Noise(8, 3, 3, 1), nil, tensor.Float32)
		if err != nil {
			t.Fatal(err)
		}
		graphs := map[string]*stepGraph{"auto": tr.auto, "disc": tr.disc, "gen": tr.gen}
		for name, s := range graphs {
			if s == nil {
				continue
			}
			instrs := programInstructions(t, fmt.Sprint(reflect.ValueOf(s.vm).MethodByName("Prog").Call(nil)[0].Interface()))
			sink := -1
			for i, in := range instrs {
				if strings.HasPrefix(in, "GradSink(") {
					sink = i
				}
			}
			if sink < 0 {
				t.Fatalf("%s %s: no GradSink among the instructions %q", kind, name, instrs)
			}
			for _, in := range instrs[sink+1:] {
				if !strings.HasPrefix(in, "Free ") && in != "DoWork" && !strings.HasPrefix(in, "Read ") {
					t.Errorf("%s %s: instruction after the gradient sink: %q", kind, name, in)
				}
			}
		}
		tr.Close()
	}
}

// programInstructions returns the instructions of a printed tape-machine
// program in order: the lines of its "Instructions:" section, each
// "\t<index>\t<instruction>", without the index.
func programInstructions(t *testing.T, prog string) []string {
	t.Helper()
	_, rest, ok := strings.Cut(prog, "Instructions:\n")
	if !ok {
		t.Fatalf("no Instructions section in the program:\n%s", prog)
	}
	section, _, _ := strings.Cut(rest, "Node:instructions map:")
	var out []string
	for line := range strings.SplitSeq(section, "\n") {
		fields := strings.SplitN(strings.TrimSpace(line), "\t", 2)
		if len(fields) != 2 {
			continue
		}
		if _, err := strconv.Atoi(fields[0]); err != nil {
			continue
		}
		out = append(out, strings.TrimSpace(fields[1]))
	}
	if len(out) == 0 {
		t.Fatalf("no instructions parsed from:\n%s", prog)
	}
	return out
}
