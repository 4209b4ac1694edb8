package cli

import (
	"bufio"
	"encoding/json"
	"image/gif"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// latent explore writes every picture, the codes and the figures of a
// model's latent space, and refuses what it cannot do.
func TestRun_ExploreWritesTheLatentSpace(t *testing.T) {
	out := t.TempDir()
	code, stdout, stderr := run("explore", "--checkpoint", "pretrained:vae-mlp", "--out", out, "--steps", "5", "--digit", "3", "--tsne", "300")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var rep exploreReport
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Method != "pca" || len(rep.Explained) != 2 || rep.ActiveUnits == nil || len(rep.Dimensions.KL) != 2 || len(rep.AxisRows) != 2 {
		t.Fatalf("report: %+v", rep)
	}
	if len(rep.NearestByPixels) != 8 || len(rep.NearestByFeatures) != 8 || rep.NearestByPixels[0].Distance > rep.NearestByPixels[7].Distance {
		t.Fatalf("neighbours: %+v, %+v", rep.NearestByPixels, rep.NearestByFeatures)
	}
	for _, name := range []string{"vae-plane-pc1-pc2.png", "vae-traversal-axes.png", "vae-traversal-directions.png", "vae-latent.json", "vae-neighbours.png"} {
		if st, err := os.Stat(filepath.Join(out, name)); err != nil || st.Size() == 0 {
			t.Errorf("%s: %v", name, err)
		}
	}
	f, err := os.Open(filepath.Join(out, "vae-traversal-axes.gif"))
	if err != nil {
		t.Fatal(err)
	}
	anim, err := gif.DecodeAll(f)
	f.Close()
	if err != nil || len(anim.Image) != 2*5-2 {
		t.Fatalf("traversal GIF: %v, %d frames", err, len(anim.Image))
	}
	csvFile, err := os.Open(filepath.Join(out, "vae-codes.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer csvFile.Close()
	sc := bufio.NewScanner(csvFile)
	lines := 0
	for sc.Scan() {
		if lines == 0 && sc.Text() != "label,z0,z1,pc1,pc2,tsne1,tsne2" {
			t.Fatalf("codes header %q", sc.Text())
		}
		mapped := !strings.HasSuffix(sc.Text(), ",,")
		if lines > 0 && mapped != (lines <= 300) {
			t.Fatalf("line %d: %q (the first 300 codes are mapped)", lines, sc.Text())
		}
		lines++
	}
	if lines != 10001 {
		t.Fatalf("%d lines of codes, want a header and 10,000", lines)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"explore"}, "--checkpoint is required"},
		{[]string{"explore", "--checkpoint", "pretrained:vae-mlp", "--steps", "1"}, "--steps"},
		{[]string{"explore", "--checkpoint", "pretrained:vae-mlp", "--tsne", "1"}, "--tsne"},
		{[]string{"explore", "--checkpoint", "pretrained:vae-mlp", "--neighbours", "-1"}, "--neighbours"},
		{[]string{"explore", "--checkpoint", "pretrained:gan-mlp", "--digit", "3", "--out", out}, "no encoder"},
		{[]string{"explore", "--checkpoint", "pretrained:vae-mlp", "--digit", "10000", "--out", out}, "test digit 10000"},
	} {
		if code, _, stderr := run(c.args...); code == exitOK || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, %q; want an error with %q", c.args, code, stderr, c.want)
		}
	}
}
