//go:build unix

package netguard

import "syscall"

// temporaryErrno lists what accept(2) reports for a moment of shortage (files,
// buffers, memory) or for a connection that died in the queue: the listener is
// fine, and trying again later works. Linux's accept(2) asks for the network
// errors to be treated like EAGAIN.
var temporaryErrno = map[syscall.Errno]bool{
	syscall.EMFILE: true, syscall.ENFILE: true, syscall.ENOBUFS: true, syscall.ENOMEM: true,
	syscall.ECONNABORTED: true, syscall.ECONNRESET: true, syscall.EINTR: true, syscall.EAGAIN: true,
	syscall.EPROTO: true, syscall.EPERM: true, syscall.ETIMEDOUT: true,
	syscall.ENETDOWN: true, syscall.ENETUNREACH: true, syscall.EHOSTDOWN: true, syscall.EHOSTUNREACH: true,
	syscall.ENOPROTOOPT: true, syscall.EOPNOTSUPP: true,
}

func temporaryErrnoOf(e syscall.Errno) bool { return temporaryErrno[e] }
