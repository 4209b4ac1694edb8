package ui

import "testing"

// The window fits a laptop screen (1280x720 and up): every view scrolls
// rather than setting the window's minimum size to its own (about
// 1500x900 for Explore and Draw).
func TestMainUI_MinimumSizeFitsALaptopScreen(t *testing.T) {
	m, _ := newTestUI(t, testLab(t))
	if min := m.content.MinSize(); min.Width > 1280 || min.Height > 720 {
		t.Errorf("the window's minimum size is %v, larger than a 1280x720 screen", min)
	}
	for _, it := range m.tabs.Items {
		if min := it.Content.MinSize(); min.Width > 1280 || min.Height > 640 {
			t.Errorf("the %s view needs %v at least", it.Text, min)
		}
	}
}
