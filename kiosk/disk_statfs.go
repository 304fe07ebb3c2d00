//go:build linux || darwin

package kiosk

import (
	"os"
	"syscall"
)

var diskFullErrnos = []error{syscall.ENOSPC, syscall.EDQUOT}

// freeBytes is the space left on dir's file system for the kiosk's files
// (root may also use the blocks kept for it).
func freeBytes(dir string) (uint64, bool) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return 0, false
	}
	blocks := uint64(st.Bavail)
	if os.Geteuid() == 0 {
		blocks = uint64(st.Bfree)
	}
	return blocks * uint64(st.Bsize), true
}
