package background

import "syscall"

func lower() error {
	// A thread already at Nice or lower in priority keeps its level:
	// raising a priority needs a privilege the app does not have.
	if now, ok := level0(); ok && now >= Nice {
		return nil
	}
	// On Linux, the "process" setpriority(2) names is a thread: its ID
	// changes the nice value of that thread alone.
	return syscall.Setpriority(syscall.PRIO_PROCESS, syscall.Gettid(), Nice)
}

func level0() (int, bool) {
	// getpriority(2)'s raw system call returns 20 - nice, so that no
	// valid answer is negative (the syscall package's wrapper does not
	// undo this).
	p, err := syscall.Getpriority(syscall.PRIO_PROCESS, syscall.Gettid())
	if err != nil {
		return 0, false
	}
	return 20 - p, true
}
