//go:build linux

package kiosk

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

// lanDevice is a device on the fair's LAN for tests that need a client
// address that is not loopback: a network namespace the test makes, joined to
// this machine by a veth pair. The kiosk sees its connections come from
// ClientIP, and reaches it back at HostIP.
type lanDevice struct {
	ns       string
	HostIP   string // this machine's end of the link
	ClientIP string // the device's address
}

// setnsCall is setns(2) by architecture; the syscall package names it on
// some only.
var setnsCall = map[string]uintptr{"amd64": 308, "arm64": 268}

const cloneNewNet = 0x40000000

// newLANDevice makes the namespace and the link, and removes both when the
// test ends. It needs root (CI runs as root) and skips, saying so, otherwise.
func newLANDevice(t *testing.T) *lanDevice {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("a LAN device needs a network namespace, which needs root (CI runs the tests as root)")
	}
	if _, ok := setnsCall[runtime.GOARCH]; !ok {
		t.Skipf("no setns(2) number known for %s", runtime.GOARCH)
	}
	if _, err := exec.LookPath("ip"); err != nil {
		t.Skip("the ip command (iproute2) is not installed")
	}
	b := make([]byte, 4)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	id := hex.EncodeToString(b[:3])
	d := &lanDevice{ns: "kauth-" + id,
		HostIP:   fmt.Sprintf("10.%d.%d.1", 100+int(b[0])%100, b[3]),
		ClientIP: fmt.Sprintf("10.%d.%d.2", 100+int(b[0])%100, b[3])}
	hostIf, devIf := "ka"+id+"h", "ka"+id+"d"
	run := func(args ...string) {
		t.Helper()
		if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
			t.Fatalf("ip %s: %v: %s", strings.Join(args, " "), err, out)
		}
	}
	run("netns", "add", d.ns)
	t.Cleanup(func() { _ = exec.Command("ip", "netns", "del", d.ns).Run() })
	run("link", "add", hostIf, "type", "veth", "peer", "name", devIf)
	t.Cleanup(func() { _ = exec.Command("ip", "link", "del", hostIf).Run() })
	run("link", "set", devIf, "netns", d.ns)
	run("addr", "add", d.HostIP+"/30", "dev", hostIf)
	run("link", "set", hostIf, "up")
	run("-n", d.ns, "addr", "add", d.ClientIP+"/30", "dev", devIf)
	run("-n", d.ns, "link", "set", devIf, "up")
	run("-n", d.ns, "link", "set", "lo", "up")
	return d
}

// dial opens a connection from inside the namespace. The socket is made by
// a thread that has entered the namespace; the thread is never handed back
// to other goroutines (it dies with this one), and the socket, once made,
// stays in the namespace whichever thread uses it.
func (d *lanDevice) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	type result struct {
		c   net.Conn
		err error
	}
	ch := make(chan result, 1)
	go func() {
		runtime.LockOSThread() // not unlocked: see above
		f, err := os.Open("/var/run/netns/" + d.ns)
		if err != nil {
			ch <- result{nil, err}
			return
		}
		defer f.Close()
		if _, _, e := syscall.RawSyscall(setnsCall[runtime.GOARCH], f.Fd(), cloneNewNet, 0); e != 0 {
			ch <- result{nil, fmt.Errorf("setns: %w", e)}
			return
		}
		var dl net.Dialer
		c, err := dl.DialContext(ctx, network, addr)
		ch <- result{c, err}
	}()
	r := <-ch
	return r.c, r.err
}

// client is an HTTP client on the device.
func (d *lanDevice) client() *http.Client {
	return &http.Client{Transport: &http.Transport{DialContext: d.dial}, Timeout: 30 * time.Second}
}
