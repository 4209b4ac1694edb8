package background

import (
	"golang.org/x/sys/windows"
)

// threadPriorityBelowNormal is THREAD_PRIORITY_BELOW_NORMAL (processthreadsapi.h).
const threadPriorityBelowNormal = -1

var (
	kernel32          = windows.NewLazySystemDLL("kernel32.dll")
	setThreadPriority = kernel32.NewProc("SetThreadPriority")
	getThreadPriority = kernel32.NewProc("GetThreadPriority")
)

func lower() error {
	prio := int32(threadPriorityBelowNormal)
	if ok, _, err := setThreadPriority.Call(uintptr(windows.CurrentThread()), uintptr(prio)); ok == 0 {
		return err
	}
	return nil
}

func level0() (int, bool) {
	p, _, _ := getThreadPriority.Call(uintptr(windows.CurrentThread()))
	if int32(p) == 0x7fffffff { // THREAD_PRIORITY_ERROR_RETURN
		return 0, false
	}
	return int(int32(p)), true
}
