package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// missing stands in a table cell for a figure that was not measured.
const missing = "—"

// formatSeconds writes d as seconds with one decimal, or missing if d is 0.
func formatSeconds(d time.Duration) string {
	if d <= 0 {
		return missing
	}
	return fmt.Sprintf("%.1f s", d.Seconds())
}

// formatRatio writes torch/ours as "1.23x" (above 1, ours is faster), or
// missing if either was not measured.
func formatRatio(torch, ours time.Duration) string {
	if torch <= 0 || ours <= 0 {
		return missing
	}
	return fmt.Sprintf("%.2fx", torch.Seconds()/ours.Seconds())
}

// formatIn writes d in unit (time.Microsecond or time.Millisecond) with two
// decimals and the unit's symbol.
func formatIn(d, unit time.Duration) string {
	return fmt.Sprintf("%.2f %s", float64(d)/float64(unit), symbol(unit))
}

// formatGoal writes "< goal" in unit, as short as it goes: "< 20 µs".
func formatGoal(goal, unit time.Duration) string {
	return fmt.Sprintf("< %s %s", strconv.FormatFloat(float64(goal)/float64(unit), 'f', -1, 64), symbol(unit))
}

// symbol is the symbol of time.Microsecond or time.Millisecond.
func symbol(unit time.Duration) string {
	if unit == time.Microsecond {
		return "µs"
	}
	return "ms"
}

// verdict says whether a goal was met.
func verdict(met bool) string {
	if met {
		return "met"
	}
	return "MISSED"
}

// joinInts writes v comma-separated, as the table and the reference's
// --hidden flag want it.
func joinInts(v []int) string {
	s := make([]string, len(v))
	for i, n := range v {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, ",")
}
