package display

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestCheck_SaysWhatIsMissing(t *testing.T) {
	t.Setenv("WAYLAND_DISPLAY", "")
	cases := []struct{ display, want string }{
		{"", "DISPLAY is not set"},
		{"nonsense", "want [host]:display[.screen]"},
		{":x", `display number "x" is not a number`},
		{":987", "no X server answers at DISPLAY=:987"},
	}
	for _, c := range cases {
		t.Setenv("DISPLAY", c.display)
		err := Check()
		if !errors.Is(err, ErrNoDisplay) || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("DISPLAY=%q: %v, want one line saying %q", c.display, err, c.want)
		}
	}
}

func TestXServerAddress(t *testing.T) {
	for display, want := range map[string]string{":0": "unix /tmp/.X11-unix/X0", ":12.1": "unix /tmp/.X11-unix/X12",
		"localhost:10.0": "tcp localhost:6010", "unix:3": "unix /tmp/.X11-unix/X3"} {
		network, address, err := xServerAddress(display)
		if err != nil || network+" "+address != want {
			t.Errorf("%s: %s %s %v, want %s", display, network, address, err, want)
		}
	}
}

func TestAppEnv_GivesTheCLocaleALanguage(t *testing.T) {
	cases := []struct {
		env  []string
		want string // the LANGUAGE added, or ""
	}{
		{[]string{"LANG=C.UTF-8"}, "en"},
		{[]string{"LANG=en_GB.UTF-8", "LC_ALL=C.utf8"}, "en"},
		{[]string{"LANG=C.UTF-8", "LANGUAGE=fr"}, ""},
		{[]string{"LANG=de_DE.UTF-8"}, ""},
		{[]string{"LANG=C"}, ""}, // go-locale accepts a bare C
		{nil, ""},
	}
	for _, c := range cases {
		got := AppEnv(slices.Clone(c.env))
		added := ""
		if len(got) > len(c.env) {
			added = strings.TrimPrefix(got[len(got)-1], "LANGUAGE=")
		}
		if added != c.want {
			t.Errorf("%q: added LANGUAGE %q, want %q", c.env, added, c.want)
		}
	}
}

func FuzzXServerAddress(f *testing.F) {
	for _, s := range []string{":0", ":12.1", "localhost:10.0", "unix:3", "", "nonsense", ":x", "[::1]:2", "host:-1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, display string) {
		network, address, err := xServerAddress(display)
		if err == nil && (network != "unix" && network != "tcp" || address == "") {
			t.Fatalf("%q: %q %q", display, network, address)
		}
	})
}
