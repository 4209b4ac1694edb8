// Package background lowers the scheduling priority of the calling
// goroutine's thread, for work that should yield to the window: the
// operating system then runs the UI thread and the GL rasterizer's threads
// first when they want the cores.
//
// Linux sets the thread's nice value (setpriority(2) on a thread ID acts on
// that thread alone), Windows the thread's priority level
// (SetThreadPriority, below normal), macOS the thread's quality of service
// (pthread_set_qos_class_self_np, QOS_CLASS_UTILITY). Elsewhere it does
// nothing.
package background
