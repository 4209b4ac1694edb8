// Package display checks, before any GUI code starts, that a window can be
// opened, and readies the environment the desktop app starts in.
package display

import (
	"errors"
	"fmt"
	"net"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// ErrNoDisplay is wrapped by the error Check returns when there is
// no screen to open a window on.
var ErrNoDisplay = errors.New("no display")

// Check returns an error that says what is missing when a window
// cannot be opened: on X11 systems, no DISPLAY (nor WAYLAND_DISPLAY) in the
// environment, or an X server that does not answer at DISPLAY. Windows and
// macOS always have a screen to try.
func Check() error {
	if runtime.GOOS == "windows" || runtime.GOOS == "darwin" || runtime.GOOS == "android" || runtime.GOOS == "ios" {
		return nil
	}
	if os.Getenv("WAYLAND_DISPLAY") != "" {
		return nil
	}
	display := os.Getenv("DISPLAY")
	if display == "" {
		return fmt.Errorf("%w: DISPLAY is not set (an SSH session without X forwarding?); open latentlab on a desktop, or use its headless commands (latentlab train, latentlab eval)", ErrNoDisplay)
	}
	network, address, err := xServerAddress(display)
	if err != nil {
		return fmt.Errorf("%w: DISPLAY=%s: %v", ErrNoDisplay, display, err)
	}
	addresses := []string{address}
	if network == "unix" && runtime.GOOS == "linux" {
		addresses = append([]string{"@" + address}, addresses...) // the abstract socket X servers also listen on
	}
	for _, a := range addresses {
		var conn net.Conn
		if conn, err = net.DialTimeout(network, a, 2*time.Second); err == nil {
			conn.Close()
			return nil
		}
	}
	return fmt.Errorf("%w: no X server answers at DISPLAY=%s (%v)", ErrNoDisplay, display, err)
}

// xServerAddress returns where the X server of display ([host]:n[.screen])
// listens: the local socket /tmp/.X11-unix/Xn, or TCP port 6000+n on host.
func xServerAddress(display string) (network, address string, err error) {
	host, rest, ok := strings.Cut(display, ":")
	if !ok {
		return "", "", errors.New("want [host]:display[.screen]")
	}
	number, _, _ := strings.Cut(rest, ".")
	n, err := strconv.Atoi(number)
	if err != nil || n < 0 {
		return "", "", fmt.Errorf("display number %q is not a number", number)
	}
	if host == "" || host == "unix" || strings.HasPrefix(host, "/") {
		return "unix", "/tmp/.X11-unix/X" + number, nil
	}
	return "tcp", net.JoinHostPort(host, strconv.Itoa(6000+n)), nil
}

// AppEnv returns env for the desktop app. Where the locale is C.UTF-8 or
// POSIX.UTF-8 (Debian containers' default) and LANGUAGE is unset, it adds
// LANGUAGE=en: Fyne reads the locale with github.com/jeandeaual/go-locale,
// which passes "C" on to a language-tag parser that rejects it, and Fyne
// then logs three lines of errors at every start. English is what the C
// locale means for messages.
func AppEnv(env []string) []string {
	get := func(key string) string {
		for i := len(env) - 1; i >= 0; i-- {
			if k, v, ok := strings.Cut(env[i], "="); ok && k == key {
				return v
			}
		}
		return ""
	}
	if get("LANGUAGE") != "" {
		return env
	}
	locale := ""
	for _, key := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if locale = get(key); locale != "" {
			break
		}
	}
	if strings.HasPrefix(locale, "C.") || strings.HasPrefix(locale, "POSIX.") {
		return append(env, "LANGUAGE=en")
	}
	return env
}
