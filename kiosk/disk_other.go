//go:build !linux && !darwin && !windows

package kiosk

import "syscall"

var diskFullErrnos = []error{syscall.ENOSPC, syscall.EDQUOT}

// freeBytes is not read here; a probe file tells whether space is back.
func freeBytes(string) (uint64, bool) { return 0, false }
