package kiosk

import "syscall"

// ERROR_HANDLE_DISK_FULL (39) and ERROR_DISK_FULL (112).
var diskFullErrnos = []error{syscall.Errno(39), syscall.Errno(112), syscall.ENOSPC}

// freeBytes is not read on Windows; a probe file tells whether space is back.
func freeBytes(string) (uint64, bool) { return 0, false }
