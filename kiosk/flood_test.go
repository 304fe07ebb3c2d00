package kiosk

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// floodTarget is the kiosk or hub binary started under a low open-file limit
// (prlimit), so that a connection flood meets that limit.
type floodTarget struct {
	t      *testing.T
	cmd    *exec.Cmd
	port   string
	mu     sync.Mutex
	stderr bytes.Buffer
	exited chan struct{}
}

// startUnderFileLimit runs bin with args under `prlimit --nofile=N:N` and waits
// for the line ready matches (its first group is the address it listens on).
func startUnderFileLimit(t *testing.T, nofile int, ready *regexp.Regexp, bin string, args ...string) *floodTarget {
	t.Helper()
	prlimit, err := exec.LookPath("prlimit")
	if err != nil {
		t.Skip("prlimit (util-linux) is not installed: cannot start a process under a low open-file limit")
	}
	cmd := exec.Command(prlimit, append([]string{fmt.Sprintf("--nofile=%d:%d", nofile, nofile), "--", bin}, args...)...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout = io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &floodTarget{t: t, cmd: cmd, exited: make(chan struct{})}
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			p.mu.Lock()
			p.stderr.WriteString(sc.Text() + "\n")
			p.mu.Unlock()
			if m := ready.FindStringSubmatch(sc.Text()); m != nil {
				select {
				case addr <- m[1]:
				default:
				}
			}
		}
		_ = cmd.Wait()
		close(p.exited)
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-p.exited
	})
	select {
	case a := <-addr:
		_, p.port, _ = net.SplitHostPort(a)
	case <-p.exited:
		t.Fatalf("%s exited before it served:\n%s", bin, p.log())
	case <-time.After(20 * time.Second):
		t.Fatalf("%s did not start:\n%s", bin, p.log())
	}
	return p
}

func (p *floodTarget) log() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stderr.String()
}

// mustBeRunning fails the test when the process has exited.
func (p *floodTarget) mustBeRunning(when string) {
	p.t.Helper()
	select {
	case <-p.exited:
		p.t.Fatalf("%s, the process exited:\n%s", when, tail(p.log(), 15))
	default:
	}
}

// waitLog waits until the process logs a line containing s (or exits).
func (p *floodTarget) waitLog(s string, within time.Duration) bool {
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		if strings.Contains(p.log(), s) {
			return true
		}
		select {
		case <-p.exited:
			return false
		case <-time.After(20 * time.Millisecond):
		}
	}
	return false
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// flood opens n TCP connections to addr, from src when given, and holds them
// open without sending anything; the test closes them. The kernel completes a
// connection into the listen queue whether or not the server accepts it.
func flood(t *testing.T, src net.IP, addr string, n int) []net.Conn {
	t.Helper()
	d := net.Dialer{Timeout: 3 * time.Second}
	if src != nil {
		d.LocalAddr = &net.TCPAddr{IP: src}
	}
	var mu sync.Mutex
	var conns []net.Conn
	var failed int
	var wg sync.WaitGroup
	next := make(chan struct{})
	for range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range next {
				c, err := d.Dial("tcp", addr)
				mu.Lock()
				if err != nil {
					failed++
				} else {
					conns = append(conns, c)
				}
				mu.Unlock()
			}
		}()
	}
	for range n {
		next <- struct{}{}
	}
	close(next)
	wg.Wait()
	t.Cleanup(func() { closeAll(conns) })
	t.Logf("flood: %d connections open to %s, %d dials failed", len(conns), addr, failed)
	return conns
}

func closeAll(conns []net.Conn) {
	for _, c := range conns {
		c.Close()
	}
}

// lanIPv4 is a non-loopback IPv4 address of this machine: a connection from
// it comes, as far as a server can tell, from the LAN.
func lanIPv4() net.IP {
	addrs, _ := net.InterfaceAddrs()
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && n.IP.To4() != nil && !n.IP.IsLoopback() && !n.IP.IsLinkLocalUnicast() {
			return n.IP.To4()
		}
	}
	return nil
}

// freshClient opens a new connection for every request: a screen that was not
// connected before the flood.
var freshClient = &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}

// sellOver sells one CM-MO-500 for cash through client and returns how long it
// took.
func sellOver(t *testing.T, client *http.Client, base string) time.Duration {
	t.Helper()
	body := `{"lines":[{"sku":"CM-MO-500","qty":1}],"payments":[{"method":"cash","amount":500000}]}`
	start := time.Now()
	res, err := client.Post(base+"/api/v1/sales", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatalf("sale from the till: %v", err)
	}
	data, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 201 {
		t.Fatalf("sale from the till: %d %s", res.StatusCode, data)
	}
	return time.Since(start)
}

// TestKioskUnderALowOpenFileLimitKeepsSellingThroughAConnectionFlood floods a
// kiosk process that may hold 256 files with more connections than that, from
// its own machine and from the LAN: it keeps running, and the till sells
// during the floods and after them.
func TestKioskUnderALowOpenFileLimitKeepsSellingThroughAConnectionFlood(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and floods a kiosk process")
	}
	bin, err := buildKiosk()
	if err != nil {
		t.Fatal(err)
	}
	k := startUnderFileLimit(t, 256, reReady, bin, "-addr", "0.0.0.0:0", "-data", t.TempDir(), "-manager-pin", testPIN)
	till := "http://127.0.0.1:" + k.port
	// The till's screen has a connection open from before the flood.
	keepAlive := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxConnsPerHost: 1}}
	sellOver(t, keepAlive, till)

	// From the kiosk's own machine (never limited): past the open-file limit.
	conns := flood(t, net.IPv4(127, 0, 0, 1), "127.0.0.1:"+k.port, 600)
	if !k.waitLog("cannot accept connections", 10*time.Second) {
		k.mustBeRunning("flooded with 600 connections from loopback")
		t.Fatalf("the flood did not reach the open-file limit:\n%s", tail(k.log(), 10))
	}
	k.mustBeRunning("out of files")
	d := sellOver(t, keepAlive, till)
	t.Logf("sold over the till's open connection while the kiosk was out of files: %v", d)
	closeAll(conns)
	t.Logf("a new connection sells after the flood: %v", sellOver(t, freshClient, till))
	if n := strings.Count(k.log(), "cannot accept connections"); n != 1 {
		t.Errorf("the flood was logged %d times, want once:\n%s", n, tail(k.log(), 10))
	}

	// From the LAN: one address may not take the kiosk's files.
	lan := lanIPv4()
	if lan == nil {
		t.Skip("this machine has no non-loopback IPv4 address to flood from")
	}
	conns = flood(t, lan, net.JoinHostPort(lan.String(), k.port), 1000)
	var worst time.Duration
	for range 20 {
		worst = max(worst, sellOver(t, freshClient, till))
	}
	k.mustBeRunning("flooded with 1000 connections from " + lan.String())
	t.Logf("20 sales on new connections during a flood from %s; the slowest took %v", lan, worst)
	if held := len(conns); held > 0 {
		refused := 0
		for _, c := range conns {
			_ = c.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
			line, _ := bufio.NewReader(c).ReadString('\n')
			if strings.HasPrefix(line, "HTTP/1.1 429") {
				refused++
			}
		}
		if refused < held-20 {
			t.Errorf("%d of %d connections from one LAN address were refused with 429; want all but its share", refused, held)
		}
	}
	closeAll(conns)
	sellOver(t, freshClient, till)
	k.mustBeRunning("after the floods")
}

// TestHubUnderALowOpenFileLimitKeepsIngestingThroughAConnectionFlood floods a
// hub process that may hold 256 files with more connections than that, from
// its own machine and from the LAN, while a kiosk sells: the hub keeps
// running and takes the kiosk's sales during the floods and after them.
func TestHubUnderALowOpenFileLimitKeepsIngestingThroughAConnectionFlood(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and floods hub and kiosk processes")
	}
	hubDir := t.TempDir()
	tok := addKioskToHub(t, hubDir, "K01")
	_, port, _ := net.SplitHostPort(freeAddr(t))
	hbin, err := buildHub()
	if err != nil {
		t.Fatal(err)
	}
	hub := startUnderFileLimit(t, 256, reHubReady, hbin, "-addr", "0.0.0.0:"+port, "-data", hubDir, "-admin-token", hubAdminToken)
	hubURL := "http://127.0.0.1:" + port

	kbin, err := buildKiosk()
	if err != nil {
		t.Fatal(err)
	}
	k := startCmd(t, exec.Command(kbin, "-addr", "127.0.0.1:0", "-data", t.TempDir(), "-manager-pin", testPIN,
		"-hub", hubURL, "-hub-token", tok))
	sold := 0
	sell := func(n int) {
		for range n {
			sellOver(t, freshClient, k.url)
			sold++
		}
	}
	sell(5)
	waitHubHolds(t, hubURL, sold)

	// From the hub's own machine: past its open-file limit.
	conns := flood(t, net.IPv4(127, 0, 0, 1), hubURL[len("http://"):], 600)
	if !hub.waitLog("cannot accept connections", 10*time.Second) {
		hub.mustBeRunning("flooded with 600 connections from loopback")
		t.Fatalf("the flood did not reach the open-file limit:\n%s", tail(hub.log(), 10))
	}
	hub.mustBeRunning("out of files")
	sell(5)
	waitOutboxEmpty(t, k.url) // the kiosk's open uplink still delivers
	closeAll(conns)
	waitHubHolds(t, hubURL, sold)

	lan := lanIPv4()
	if lan == nil {
		t.Skip("this machine has no non-loopback IPv4 address to flood from")
	}
	conns = flood(t, lan, net.JoinHostPort(lan.String(), port), 1000)
	sell(5)
	waitHubHolds(t, hubURL, sold)
	hub.mustBeRunning("flooded with 1000 connections from " + lan.String())
	closeAll(conns)
	sell(5)
	waitHubHolds(t, hubURL, sold)
	hub.mustBeRunning("after the floods")
}

// waitHubHolds waits until the hub lists n sales of K01, asking on new
// connections.
func waitHubHolds(t *testing.T, hubURL string, n int) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	got := -1
	for time.Now().Before(deadline) {
		req, _ := http.NewRequest("GET", hubURL+"/api/v1/sales?kiosk=K01&limit=1000", nil)
		req.Header.Set("Authorization", "Bearer "+hubAdminToken)
		if res, err := freshClient.Do(req); err == nil {
			var out struct{ Sales []json.RawMessage }
			_ = json.NewDecoder(res.Body).Decode(&out)
			res.Body.Close()
			if got = len(out.Sales); got == n {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("the hub holds %d of the kiosk's %d sales", got, n)
}

// waitOutboxEmpty waits until the kiosk says the hub acknowledged everything.
func waitOutboxEmpty(t *testing.T, kioskURL string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	var st struct {
		OutboxDepth int `json:"outbox_depth"`
	}
	for time.Now().Before(deadline) {
		if res, err := freshClient.Get(kioskURL + "/api/v1/sync"); err == nil {
			_ = json.NewDecoder(res.Body).Decode(&st)
			res.Body.Close()
			if st.OutboxDepth == 0 {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("the kiosk's outbox still holds %d records for the hub", st.OutboxDepth)
}
