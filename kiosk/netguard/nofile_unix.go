//go:build unix

package netguard

import "syscall"

// OpenFileLimit is the process's open-file limit (RLIMIT_NOFILE, soft), 0 when
// it cannot be read. Go raises the soft limit to the hard one at start.
func OpenFileLimit() int {
	var r syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &r); err != nil || r.Cur > 1<<30 {
		return 0
	}
	return int(r.Cur)
}
