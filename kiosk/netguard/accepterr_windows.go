//go:build windows

package netguard

import "syscall"

// Winsock's numbers for running out of sockets or buffers, and for a
// connection that died before it was accepted.
const (
	wsaEMFILE   syscall.Errno = 10024
	wsaENOBUFS  syscall.Errno = 10055
	wsaENETDOWN syscall.Errno = 10050
)

func temporaryErrnoOf(e syscall.Errno) bool {
	switch e {
	case wsaEMFILE, wsaENOBUFS, wsaENETDOWN, syscall.WSAECONNABORTED, syscall.WSAECONNRESET:
		return true
	}
	return e.Temporary()
}
