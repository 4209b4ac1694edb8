//go:build darwin && cgo

package background

// #include <pthread.h>
// #include <pthread/qos.h>
import "C"

import "fmt"

func lower() error {
	if rc := C.pthread_set_qos_class_self_np(C.QOS_CLASS_UTILITY, 0); rc != 0 {
		return fmt.Errorf("pthread_set_qos_class_self_np: error %d", int(rc))
	}
	return nil
}

func level0() (int, bool) { return 0, false }
