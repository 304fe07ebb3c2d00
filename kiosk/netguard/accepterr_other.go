//go:build !unix && !windows

package netguard

import "syscall"

func temporaryErrnoOf(e syscall.Errno) bool { return e.Temporary() }
