package model

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"gorgonia.org/tensor"
)

// The optimizer updates from the gradient tensors the sink hands over, which
// is only safe if no instruction after the sink can write to their memory:
// after it there may be only frees (no-ops on the CPU), flushes and the
// copies that read instructions make.
func TestGradSink_IsTheLastInstructionThatWrites(t *testing.T) {
	for _, kind := range []Kind{KindAE, KindVAE, KindGAN, KindClassifier} {
		cfg := smallConfig(kind, 3, 3)
		cfg.Dropout = 0.2
		tr, err := newTrainer(cfg, syntheticSet(8, 3, 3, 1), nil, tensor.Float32)
		if err != nil {
			t.Fatal(err)
		}
		graphs := map[string]*stepGraph{"auto": tr.auto, "disc": tr.disc, "gen": tr.gen}
		for name, s := range graphs {
			if s == nil {
				continue
			}
			prog := fmt.Sprint(reflect.ValueOf(s.vm).MethodByName("Prog").Call(nil)[0].Interface())
			lines := strings.Split(prog, "\n")
			sink := -1
			for i, l := range lines {
				if strings.Contains(l, "GradSink(") {
					sink = i
				}
			}
			if sink < 0 {
				t.Fatalf("%s %s: no GradSink in the program:\n%s", kind, name, prog)
			}
			for _, l := range lines[sink+1:] {
				l = strings.TrimSpace(l)
				if l != "" && !strings.HasPrefix(l, "Free ") && l != "DoWork" && !strings.HasPrefix(l, "Read ") {
					t.Errorf("%s %s: instruction after the gradient sink: %q", kind, name, l)
				}
			}
		}
		tr.Close()
	}
}
