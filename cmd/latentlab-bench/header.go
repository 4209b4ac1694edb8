package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"

	"latentlab/model/infra/openblas"
	"latentlab/model/kernel"
)

// header describes the machine and the libraries a run measured.
type header struct {
	cpu      string
	cores    int
	goVer    string
	openblas string
	kernels  string
	torch    string
}

// readHeader gathers the header; torch is what is known of PyTorch.
func readHeader(torch string) header {
	cpu := "unknown (no /proc/cpuinfo)"
	if f, err := os.Open("/proc/cpuinfo"); err == nil {
		if m := cpuModel(f); m != "" {
			cpu = m
		}
		f.Close()
	}
	return header{
		cpu:      cpu,
		cores:    runtime.NumCPU(),
		goVer:    fmt.Sprintf("%s %s/%s", runtime.Version(), runtime.GOOS, runtime.GOARCH),
		openblas: fmt.Sprintf("%s (%d threads%s)", strings.TrimSpace(openblas.Config()), openblas.Threads(), coreTypeNote()),
		kernels:  kernelPaths(),
		torch:    torch,
	}
}

// kernelPaths names the paths latentlab's own loops take on this CPU: the
// half-precision preview's, and whether LATENTLAB_HALF chose it.
func kernelPaths() string {
	s := "half-precision preview: " + kernel.HalfPath()
	if v, ok := os.LookupEnv(kernel.HalfEnv); ok {
		s += fmt.Sprintf(" (capped by %s=%s)", kernel.HalfEnv, v)
	}
	return s
}

// coreTypeNote says when OPENBLAS_CORETYPE chose OpenBLAS's kernels rather
// than OpenBLAS itself: the PyTorch reference, which uses the same OpenBLAS,
// runs with them too, but a machine without the variable may run faster
// ones (on AVX-512 CPUs, about 1.4x for training here).
func coreTypeNote() string {
	if v, ok := os.LookupEnv("OPENBLAS_CORETYPE"); ok {
		return fmt.Sprintf("; kernels chosen by OPENBLAS_CORETYPE=%s, not by OpenBLAS", v)
	}
	return ""
}

// cpuModel returns the first "model name" in /proc/cpuinfo's format, or "".
func cpuModel(r io.Reader) string {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		key, value, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(key) == "model name" {
			return strings.TrimSpace(value)
		}
	}
	return ""
}

// writeHeader prints h as aligned key-value lines.
func writeHeader(w io.Writer, h header) {
	fmt.Fprintln(w, "latentlab-bench")
	fmt.Fprintf(w, "  %-9s %s\n", "CPU", h.cpu)
	fmt.Fprintf(w, "  %-9s %d\n", "cores", h.cores)
	fmt.Fprintf(w, "  %-9s %s\n", "Go", h.goVer)
	fmt.Fprintf(w, "  %-9s %s\n", "OpenBLAS", h.openblas)
	fmt.Fprintf(w, "  %-9s %s\n", "kernels", h.kernels)
	fmt.Fprintf(w, "  %-9s %s\n", "PyTorch", h.torch)
}
