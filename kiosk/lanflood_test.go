package kiosk

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// lanNamespace is a network namespace joined to this one by a veth pair: the
// fair's LAN in a box. The kiosk's side has host; the namespace holds peers,
// many addresses of one /24 that attackers (and a paired tablet) dial from.
type lanNamespace struct {
	name  string
	host  string
	peers []string
}

// newLANNamespace makes the namespace, removed when the test ends. It skips
// the test unless it runs as root on Linux with iproute2.
func newLANNamespace(t *testing.T, peers int) *lanNamespace {
	t.Helper()
	if runtime.GOOS != "linux" {
		t.Skip("network namespaces are Linux's")
	}
	if os.Geteuid() != 0 {
		t.Skip("creating a network namespace needs root (CI runs as root)")
	}
	ip, err := exec.LookPath("ip")
	if err != nil {
		t.Skip("iproute2's ip is not installed (.ci/packages lists it)")
	}
	run := func(stdin string, args ...string) error {
		cmd := exec.Command(ip, args...)
		cmd.Stdin = strings.NewReader(stdin)
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("ip %s: %v: %s", strings.Join(args, " "), err, out)
		}
		return nil
	}
	// A /24 no interface here uses yet (other tests may hold 10.77.0.0/24).
	used, _ := exec.Command(ip, "-4", "-o", "addr").Output()
	subnet := ""
	for n := 10 + os.Getpid()%200; n < 256 && subnet == ""; n++ {
		if s := fmt.Sprintf("10.77.%d.", n); !bytes.Contains(used, []byte(s)) {
			subnet = s
		}
	}
	id := strconv.Itoa(os.Getpid() % 100000)
	ns := &lanNamespace{name: "kflood" + id, host: subnet + "1"}
	hostEnd, nsEnd := "kf"+id+"h", "kf"+id+"n"
	if err := run("", "netns", "add", ns.name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = run("", "netns", "del", ns.name) })
	if err := run("", "link", "add", hostEnd, "type", "veth", "peer", "name", nsEnd); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = run("", "link", "del", hostEnd) })
	var batch strings.Builder
	for i := range peers {
		p := fmt.Sprintf("%s%d", subnet, i+2)
		ns.peers = append(ns.peers, p)
		fmt.Fprintf(&batch, "addr add %s/24 dev %s\n", p, nsEnd)
	}
	fmt.Fprintf(&batch, "link set %s up\nlink set lo up\n", nsEnd)
	for _, step := range []struct {
		stdin string
		args  []string
	}{
		{"", []string{"link", "set", nsEnd, "netns", ns.name}},
		{"", []string{"addr", "add", ns.host + "/24", "dev", hostEnd}},
		{"", []string{"link", "set", hostEnd, "up"}},
		{batch.String(), []string{"-n", ns.name, "-batch", "-"}},
	} {
		if err := run(step.stdin, step.args...); err != nil {
			t.Fatal(err)
		}
	}
	return ns
}

// floodReport is what the attacker in the namespace saw.
type floodReport struct {
	DialFailed int                    `json:"dial_failed"`
	MostHeld   int                    `json:"most_held"` // admitted LAN connections open at once, at most
	Sources    map[string]*sourceSeen `json:"sources"`
	Tablet     []int                  `json:"tablet"`   // statuses of the paired tablet's requests during the flood
	Stranger   string                 `json:"stranger"` // what a new, unpaired address got during the flood
	StillOpen  int                    `json:"still_open"`
}

type sourceSeen struct {
	Admitted   int     `json:"admitted"`    // held, then closed by the kiosk
	MostHeld   int     `json:"most_held"`   // admitted and open at the same time, at most
	Refused429 int     `json:"refused_429"` // over this address's share
	Refused503 int     `json:"refused_503"` // the LAN's share was full
	ClosedMaxS float64 `json:"closed_max_s"`
	held       []span
}

// span is when an admitted connection was open, as its client saw it (which
// holds the time the kiosk had it open).
type span struct{ from, to time.Time }

// mostAtOnce is the largest number of spans open at one moment.
func mostAtOnce(spans []span) int {
	type edge struct {
		at   time.Time
		step int
	}
	var edges []edge
	for _, s := range spans {
		edges = append(edges, edge{s.from, 1}, edge{s.to, -1})
	}
	slices.SortFunc(edges, func(a, b edge) int {
		if c := a.at.Compare(b.at); c != 0 {
			return c
		}
		return a.step - b.step // a close before an open at the same instant
	})
	most, n := 0, 0
	for _, e := range edges {
		n += e.step
		most = max(most, n)
	}
	return most
}

// TestALANFloodFromManyAddressesLeavesTheTillServed plays an attacker on the
// fair's LAN: from 60 addresses of a network namespace, 2,400 connections
// that send half a request (or nothing) to the kiosk's LAN address. The
// kiosk admits each address its share and the LAN as a whole its share,
// refuses the rest at once, closes the half-sent requests within its read
// timeout, and all the while the till sells over loopback and a paired tablet
// on the LAN keeps being answered.
func TestALANFloodFromManyAddressesLeavesTheTillServed(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a kiosk and floods it from a network namespace")
	}
	const sources, perSource = 60, 40
	const readTimeout = 3 * time.Second
	lan := newLANNamespace(t, sources+2)
	bin, err := buildKiosk()
	if err != nil {
		t.Fatal(err)
	}
	k := startUnderFileLimit(t, 1024, reReady, bin, "-addr", "0.0.0.0:0", "-data", t.TempDir(), "-manager-pin", testPIN,
		"-read-timeout", readTimeout.String())
	till := "http://127.0.0.1:" + k.port
	target := net.JoinHostPort(lan.host, k.port)

	// A tablet paired as a till, on the LAN.
	req, _ := http.NewRequest("POST", till+"/api/v1/devices", strings.NewReader(`{"name":"tablet"}`))
	req.Header.Set("X-Manager-Pin", testPIN)
	req.Header.Set("Content-Type", "application/json")
	res, err := freshClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var paired struct{ Token string }
	_ = json.NewDecoder(res.Body).Decode(&paired)
	res.Body.Close()
	if res.StatusCode != 201 || paired.Token == "" {
		t.Fatalf("pairing the tablet: %s", res.Status)
	}

	attacker := exec.Command("ip", "netns", "exec", lan.name, os.Args[0], "-test.run", "^TestHelperLANFlood$", "-test.v")
	attacker.Env = append(os.Environ(),
		"KIOSK_FLOOD_TARGET="+target,
		"KIOSK_FLOOD_SOURCES="+strings.Join(lan.peers[:sources], ","),
		"KIOSK_FLOOD_PER_SOURCE="+strconv.Itoa(perSource),
		"KIOSK_FLOOD_HOLD="+(readTimeout+5*time.Second).String(),
		"KIOSK_FLOOD_TABLET="+lan.peers[sources],
		"KIOSK_FLOOD_STRANGER="+lan.peers[sources+1],
		"KIOSK_FLOOD_TOKEN="+paired.Token)
	var out bytes.Buffer
	attacker.Stdout, attacker.Stderr = &out, &out
	if err := attacker.Start(); err != nil {
		t.Fatal(err)
	}
	attacked := make(chan error, 1)
	attackerDone := make(chan struct{})
	go func() { attacked <- attacker.Wait(); close(attackerDone) }()
	t.Cleanup(func() { _ = attacker.Process.Kill(); <-attackerDone })

	// The till sells over loopback, on new connections, until the attack ends.
	var lat []time.Duration
	var attackErr error
sell:
	for {
		select {
		case attackErr = <-attacked:
			break sell
		default:
		}
		lat = append(lat, sellOver(t, freshClient, till))
		time.Sleep(50 * time.Millisecond)
	}
	if attackErr != nil {
		t.Fatalf("the attacker failed: %v\n%s", attackErr, out.String())
	}
	k.mustBeRunning("after the flood")
	var rep floodReport
	for _, line := range strings.Split(out.String(), "\n") {
		if j, ok := strings.CutPrefix(line, "FLOOD-REPORT "); ok {
			if err := json.Unmarshal([]byte(j), &rep); err != nil {
				t.Fatal(err)
			}
		}
	}
	if rep.Sources == nil {
		t.Fatalf("no report from the attacker:\n%s", out.String())
	}

	slices.Sort(lat)
	t.Logf("the till sold %d times during the flood; median %v, slowest %v", len(lat), lat[len(lat)/2], lat[len(lat)-1])
	if lat[len(lat)-1] > time.Second {
		t.Errorf("a sale from the till took %v during the flood", lat[len(lat)-1])
	}
	admitted, r429, r503, closedMax := 0, 0, 0, 0.0
	for src, s := range rep.Sources {
		admitted += s.Admitted
		r429 += s.Refused429
		r503 += s.Refused503
		closedMax = max(closedMax, s.ClosedMaxS)
		if s.MostHeld > 16 {
			t.Errorf("%s held %d connections at once, more than its share of 16", src, s.MostHeld)
		}
	}
	t.Logf("attacker: %d connections admitted and held (at most %d at once), %d refused 429 (per address), %d refused 503 (LAN full), %d dials failed; "+
		"the kiosk closed the held ones within %.1f s; the paired tablet got %v; a new address got %q",
		admitted, rep.MostHeld, r429, r503, rep.DialFailed, closedMax, rep.Tablet, rep.Stranger)
	if rep.MostHeld > 512 {
		t.Errorf("the LAN held %d connections at once, more than its share of 512", rep.MostHeld)
	}
	if r429 == 0 || r503 == 0 {
		t.Errorf("want refusals for both an address's share (429: %d) and the LAN's (503: %d)", r429, r503)
	}
	if rep.StillOpen > 0 || closedMax > (readTimeout+2*time.Second).Seconds() {
		t.Errorf("half-sent requests held for %.1f s (%d still open); the read timeout is %v", closedMax, rep.StillOpen, readTimeout)
	}
	if !strings.HasPrefix(rep.Stranger, "HTTP/1.1 503") {
		t.Errorf("a new address got %q while the LAN's share was full; want 503", rep.Stranger)
	}
	if len(rep.Tablet) == 0 {
		t.Error("the tablet made no requests during the flood")
	}
	for _, st := range rep.Tablet {
		if st != 200 {
			t.Errorf("the paired tablet got %v during the flood; want every request answered 200", rep.Tablet)
			break
		}
	}
}

// TestHelperLANFlood is the attacker (and a paired tablet) inside the
// namespace: TestALANFloodFromManyAddressesLeavesTheTillServed runs it with
// `ip netns exec` and reads its report.
func TestHelperLANFlood(t *testing.T) {
	target := os.Getenv("KIOSK_FLOOD_TARGET")
	if target == "" {
		t.Skip("the attacker of TestALANFloodFromManyAddressesLeavesTheTillServed, run by it in a network namespace")
	}
	perSource, _ := strconv.Atoi(os.Getenv("KIOSK_FLOOD_PER_SOURCE"))
	hold, _ := time.ParseDuration(os.Getenv("KIOSK_FLOOD_HOLD"))
	tabletAddr, token := os.Getenv("KIOSK_FLOOD_TABLET"), os.Getenv("KIOSK_FLOOD_TOKEN")
	tablet := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true,
		DialContext: (&net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(tabletAddr)}}).DialContext}}
	tabletGet := func() int {
		req, _ := http.NewRequest("GET", "http://"+target+"/api/v1/products?limit=1", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		res, err := tablet.Do(req)
		if err != nil {
			return 0
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		return res.StatusCode
	}
	// The tablet was in use before the flood: the kiosk knows its address.
	if st := tabletGet(); st != 200 {
		t.Fatalf("the tablet before the flood: %d", st)
	}

	rep := floodReport{Sources: map[string]*sourceSeen{}}
	var mu sync.Mutex
	halves := []string{
		"",                                     // nothing at all
		"GET /healthz HTTP/1.1\r\nHost: k\r\n", // half the headers
		"POST /api/v1/sales HTTP/1.1\r\nHost: k\r\nContent-Type: application/json\r\nContent-Length: 400\r\n\r\n{\"lines\":", // half a body
	}
	type job struct {
		src  string
		half string
	}
	jobs := make(chan job)
	var dialed, held sync.WaitGroup
	for range 64 {
		go func() {
			for j := range jobs {
				d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(j.src)}, Timeout: 3 * time.Second}
				c, err := d.Dial("tcp", target)
				if err != nil {
					mu.Lock()
					rep.DialFailed++
					mu.Unlock()
					dialed.Done()
					continue
				}
				start := time.Now()
				_, _ = c.Write([]byte(j.half))
				held.Add(1)
				dialed.Done()
				go func() {
					defer held.Done()
					defer c.Close()
					_ = c.SetReadDeadline(start.Add(hold))
					line, err := bufio.NewReader(c).ReadString('\n')
					var ne net.Error
					timedOut := err != nil && errors.As(err, &ne) && ne.Timeout()
					if !timedOut {
						_, _ = io.Copy(io.Discard, c) // until the kiosk closes
					}
					took := time.Since(start).Seconds()
					mu.Lock()
					defer mu.Unlock()
					s := rep.Sources[j.src]
					if s == nil {
						s = &sourceSeen{}
						rep.Sources[j.src] = s
					}
					switch {
					case timedOut:
						rep.StillOpen++
					case strings.HasPrefix(line, "HTTP/1.1 429"):
						s.Refused429++
					case strings.HasPrefix(line, "HTTP/1.1 503"):
						s.Refused503++
					default:
						s.Admitted++
						s.ClosedMaxS = max(s.ClosedMaxS, took)
						s.held = append(s.held, span{start, time.Now()})
					}
				}()
			}
		}()
	}
	for _, src := range strings.Split(os.Getenv("KIOSK_FLOOD_SOURCES"), ",") {
		for i := range perSource {
			dialed.Add(1)
			jobs <- job{src, halves[i%len(halves)]}
		}
	}
	close(jobs)
	dialed.Wait()

	// The LAN's share is full now: a stranger is turned away, the paired
	// tablet is served.
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(os.Getenv("KIOSK_FLOOD_STRANGER"))}, Timeout: 3 * time.Second}
	if c, err := d.Dial("tcp", target); err == nil {
		_, _ = c.Write([]byte("GET /healthz HTTP/1.1\r\nHost: k\r\n\r\n"))
		_ = c.SetReadDeadline(time.Now().Add(3 * time.Second))
		line, _ := bufio.NewReader(c).ReadString('\n')
		rep.Stranger = strings.TrimSpace(line)
		c.Close()
	}
	for range 10 {
		rep.Tablet = append(rep.Tablet, tabletGet())
		time.Sleep(50 * time.Millisecond)
	}
	held.Wait()
	var all []span
	for _, s := range rep.Sources {
		s.MostHeld = mostAtOnce(s.held)
		all = append(all, s.held...)
	}
	rep.MostHeld = mostAtOnce(all)
	b, _ := json.Marshal(rep)
	fmt.Printf("FLOOD-REPORT %s\n", b)
}
