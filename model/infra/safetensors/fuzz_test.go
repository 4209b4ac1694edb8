package safetensors

import (
	"bytes"
	"strings"
	"testing"
)

func FuzzRead(f *testing.F) {
	for _, tt := range roundTripCases() {
		if tt.name == "large tensor" {
			continue // Too big to be a useful seed.
		}
		f.Add(mustWrite(f, tt.file))
	}
	for _, tt := range corruptCases() {
		f.Add(tt.data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := readBytes(data)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "safetensors: ") {
				t.Fatalf("error %q lacks the \"safetensors: \" prefix", err)
			}
			return
		}
		// Anything Read accepts must be writable, and the result must
		// read back to the same content.
		var buf bytes.Buffer
		if err := Write(&buf, file); err != nil {
			t.Fatalf("Write of a file Read accepted: %v", err)
		}
		again, err := readBytes(buf.Bytes())
		if err != nil {
			t.Fatalf("Read of re-written file: %v", err)
		}
		if err := equalFiles(again, file); err != nil {
			t.Fatalf("re-written file reads back differently: %v", err)
		}
		// The canonical encoding is a fixed point.
		var buf2 bytes.Buffer
		if err := Write(&buf2, again); err != nil {
			t.Fatalf("second Write: %v", err)
		}
		if !bytes.Equal(buf.Bytes(), buf2.Bytes()) {
			t.Fatalf("canonical encoding is not stable")
		}
		if buf.Len() > len(data)+7 {
			t.Fatalf("canonical encoding (%d bytes) is larger than the input (%d bytes) plus padding", buf.Len(), len(data))
		}
	})
}
