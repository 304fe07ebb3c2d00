package kiosk

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/ocop-kiosk/kiosk/pos"
)

// phoneConn is a connection that reports a phone's address on the fair's
// Wi-Fi as its far end: the kiosk's own handler serves it as it serves any
// client that is not the kiosk itself.
type phoneConn struct {
	net.Conn
	from net.Addr
}

func (c phoneConn) RemoteAddr() net.Addr { return c.from }

// phoneNet serves a kiosk's HTTP server (its real fasthttp server and
// routes) over in-memory connections, each of which reports the address of a
// phone on the fair's Wi-Fi as its far end.
type phoneNet struct {
	t      *testing.T
	conns  chan net.Conn
	closed chan struct{}
	once   sync.Once
}

func (p *phoneNet) Accept() (net.Conn, error) {
	select {
	case c := <-p.conns:
		return c, nil
	case <-p.closed:
		return nil, net.ErrClosed
	}
}

func (p *phoneNet) Close() error   { p.once.Do(func() { close(p.closed) }); return nil }
func (p *phoneNet) Addr() net.Addr { return &net.TCPAddr{IP: net.IPv4(192, 168, 1, 10), Port: 8080} }

func newPhoneNet(t *testing.T, srv *Server) *phoneNet {
	t.Helper()
	p := &phoneNet{t: t, conns: make(chan net.Conn), closed: make(chan struct{})}
	served := make(chan struct{})
	go func() { _ = srv.app.Listener(p); close(served) }()
	t.Cleanup(func() {
		_ = srv.app.ShutdownWithTimeout(5 * time.Second)
		p.Close()
		<-served
	})
	return p
}

// get asks for path as the phone at address ip would.
func (p *phoneNet) get(ip, path string, headers ...string) (int, string) {
	t := p.t
	t.Helper()
	client, server := net.Pipe()
	defer client.Close()
	p.conns <- phoneConn{server, &net.TCPAddr{IP: net.ParseIP(ip), Port: 52000}}
	req, _ := http.NewRequest("GET", "http://192.168.1.10:8080"+path, nil)
	req.Close = true
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	_ = client.SetDeadline(time.Now().Add(10 * time.Second))
	if err := req.Write(client); err != nil {
		t.Fatal(err)
	}
	res, err := http.ReadResponse(bufio.NewReader(client), req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, string(b)
}

// issueLabels prints n labels of the demo honey lot on a server with no label
// printer: the serials are what a label run reserves.
func issueLabels(t *testing.T, srv *Server, n int) {
	t.Helper()
	if _, err := srv.store.NextSerials("CM-MO-500", "UM2605-01", n); err != nil {
		t.Fatal(err)
	}
}

const honeyLabel = "/01/" + honeyGTIN + "/10/UM2605-01/21/"

func TestAMadeUpSerialSaysItIsNotALabelWeIssued(t *testing.T) {
	srv := lanServer(t)
	phones := newPhoneNet(t, srv)
	issueLabels(t, srv, 3)
	for _, serial := range []string{"0042", "9999", "0000", "3"} {
		_, en := phones.get("203.0.113.7", honeyLabel+serial, "Accept-Language", "en")
		if !strings.Contains(en, "This is not a label we issued") || strings.Contains(en, "scanned 1 times") {
			t.Errorf("label %s, never printed, is shown as a genuine one:\n%s", serial, en)
		}
		_, vi := phones.get("203.0.113.7", honeyLabel+serial, "Accept-Language", "vi")
		if !strings.Contains(vi, "Đây không phải tem do chúng tôi phát hành") {
			t.Errorf("label %s in Vietnamese does not say it is not ours", serial)
		}
	}
	// Its scans are not counted, however many come.
	for i := range 25 {
		phones.get(fmt.Sprintf("198.51.%d.1", i), honeyLabel+"0042", "Accept", "application/json")
	}
	_, body := phones.get("198.51.100.1", honeyLabel+"0042", "Accept", "application/json")
	var d struct {
		Scan map[string]any
	}
	if err := json.Unmarshal([]byte(body), &d); err != nil {
		t.Fatal(err)
	}
	if d.Scan["issued"] != false || d.Scan["count"] != float64(0) {
		t.Errorf("a serial never printed: %v", d.Scan)
	}
	// A label that was printed shows its scans.
	_, en := phones.get("203.0.113.7", honeyLabel+"0002", "Accept-Language", "en")
	if strings.Contains(en, "not a label we issued") || !strings.Contains(en, "scanned 1 times") {
		t.Errorf("the printed label 0002:\n%s", en)
	}
}

func TestTwentyScansFromTwentyAddressesInAMinuteDoNotFlagAGenuineLabel(t *testing.T) {
	srv := lanServer(t)
	phones := newPhoneNet(t, srv)
	issueLabels(t, srv, 50)
	var page string
	for i := range 20 {
		// Twenty addresses on twenty networks, each scanning once.
		_, page = phones.get(fmt.Sprintf("100.64.%d.%d", i, 20+i), honeyLabel+"0042", "Accept-Language", "en")
	}
	if !strings.Contains(page, "scanned 20 times") {
		t.Fatalf("the scans were not counted:\n%s", page)
	}
	if strings.Contains(page, "may be a copy") {
		t.Error("20 scans within a minute flag a genuine label as copied")
	}
	if f, err := srv.scans.Flagged(); err != nil || len(f) != 0 {
		t.Errorf("flagged: %+v %v", f, err)
	}
}

// clockedLANServer is lanServer on a clock the test moves.
func clockedLANServer(t *testing.T) (*Server, func(time.Duration)) {
	t.Helper()
	var mu sync.Mutex
	now := time.Date(2026, 11, 20, 9, 0, 0, 0, pos.VietnamTime)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	srv := lanServerWith(t, pos.StoreOptions{Now: clock})
	return srv, func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
}

func TestScansSpreadOverDaysAndPlacesFlagALabel(t *testing.T) {
	srv, advance := clockedLANServer(t)
	phones := newPhoneNet(t, srv)
	issueLabels(t, srv, 10)
	places := []string{"203.0.113.5", "198.51.100.7", "100.70.1.2", "2001:db8:1::5", "2001:db8:2::5"}
	var page string
	for day := range 3 {
		for i, ip := range places {
			if i%3 == day || day == 2 {
				_, page = phones.get(ip, honeyLabel+"0007", "Accept-Language", "en")
			}
		}
		advance(25 * time.Hour)
	}
	if !strings.Contains(page, "may be a copy") || !strings.Contains(page, "on 3 days, from 5 different networks") {
		t.Fatalf("a label scanned on 3 days from 5 networks is not flagged:\n%s", page)
	}
	f, err := srv.scans.Flagged()
	if err != nil || len(f) != 1 || f[0].Serial != "0007" || f[0].Days != 3 || f[0].Places != 5 {
		t.Fatalf("flagged: %+v %v", f, err)
	}
}

// phoneListener makes every connection it accepts, while phones is set, come
// from a new address: 10.x.y.z, one phone per request.
type phoneListener struct {
	net.Listener
	phones atomic.Bool
	n      atomic.Int64
}

func (l *phoneListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil || !l.phones.Load() {
		return c, err
	}
	i := l.n.Add(1)
	return phoneConn{c, &net.TCPAddr{IP: net.IPv4(10, byte(i>>16), byte(i>>8), byte(i)), Port: 40000}}, nil
}

// storeTx is the id of the last write transaction of a stopped kiosk's
// store: bbolt numbers every write transaction.
func storeTx(t *testing.T, dir string) (txid int, size int64) {
	t.Helper()
	path := filepath.Join(dir, "kiosk.db")
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.View(func(tx *bolt.Tx) error { txid = tx.ID(); return nil }); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return txid, fi.Size()
}

func TestPublicScansAreCountedInMemoryAndWrittenInBatches(t *testing.T) {
	dir := t.TempDir()
	k := startKiosk(t, dir, func(c *Config) {
		c.Printers = map[string]string{"label": "file:" + filepath.Join(dir, "labels") + "?profile=epson-tm-t20"}
	})
	if r := k.do("POST", "/api/v1/lots/CM-MO-500/UM2605-01/labels", map[string]any{"count": 10, "printer": "label"}, "X-Manager-Pin", testPIN); r.Status != 202 {
		t.Fatalf("labels: %d %s", r.Status, r.Body)
	}
	waitFor(t, "the labels printed", func() bool { return len(k.printJobs(t, "state=pending").Jobs) == 0 })
	k.stop()
	tx0, size0 := storeTx(t, dir)

	// 1,500 phones, each asking once: a third for the ten labels printed,
	// the rest for labels nobody printed, each a new serial.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	pl := &phoneListener{Listener: ln}
	pl.phones.Store(true)
	k = startKiosk(t, dir, func(c *Config) { c.Listener = pl })
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	for i := range 1500 {
		serial := fmt.Sprintf("%04d", 100+i)
		if i%3 == 0 {
			serial = fmt.Sprintf("%04d", i/3%10+1)
		}
		res, err := client.Get(k.url + honeyLabel + serial)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != 200 {
			t.Fatalf("scan %d: %d", i, res.StatusCode)
		}
	}
	k.stop() // a clean shutdown writes what waits
	tx1, size1 := storeTx(t, dir)
	t.Logf("1,500 public page loads: %d write transactions (starting and stopping the kiosk included), the store %d → %d bytes", tx1-tx0, size0, size1)
	if tx1-tx0 > 50 {
		t.Errorf("1,500 public page loads cost %d write transactions", tx1-tx0)
	}
	if grew := size1 - size0; grew > 64<<10 {
		t.Errorf("1,500 public page loads grew the store by %d bytes", grew)
	}

	// Started again, the kiosk shows every scan of its labels (its own screen
	// only looks).
	k = startKiosk(t, dir)
	total := 0.0
	for i := range 10 {
		var d struct{ Scan map[string]any }
		k.do("GET", honeyLabel+fmt.Sprintf("%04d", i+1), nil, "Accept", "application/json").json(t, &d)
		n, _ := d.Scan["count"].(float64)
		total += n
	}
	if total != 500 {
		t.Errorf("%v scans of the printed labels after a clean shutdown, want 500", total)
	}
}
