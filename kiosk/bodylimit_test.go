package kiosk

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// A client that sends a body over the limit gets the 413 and its code, even
// when its body is still on its way (a slow network, a busy machine): the
// kiosk answers as soon as the headers give the size and closes, and the
// client reads the answer after its write met the reset. (Go's HTTP client
// may report the write's reset instead of reading the answer, which made the
// table case in TestBadSalesChangeNothing fail now and then under load; this
// test speaks HTTP on the socket itself.)
func TestABodyOverTheLimitIsAnsweredNotReset(t *testing.T) {
	k := startKiosk(t, t.TempDir())
	host := strings.TrimPrefix(k.url, "http://")
	c, err := net.Dial("tcp", host)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	size := 2 << 20
	fmt.Fprintf(c, "POST /api/v1/sales HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nX-Kiosk-Client: 1\r\nContent-Length: %d\r\n\r\n", host, size)
	// As an HTTP client does: the whole body first, then the answer; the
	// body comes in pieces, as over a slow line.
	_ = c.SetDeadline(time.Now().Add(20 * time.Second))
	chunk := bytes.Repeat([]byte("a"), 64<<10)
	var werr error
	for sent := 0; sent < size && werr == nil; sent += len(chunk) {
		_, werr = c.Write(chunk)
		time.Sleep(5 * time.Millisecond)
	}
	r, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("no answer: %v (the body's write: %v)", err, werr)
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		t.Fatalf("the answer cut: %v", err)
	}
	if r.StatusCode != http.StatusRequestEntityTooLarge || !bytes.Contains(body, []byte("body_too_large")) {
		t.Fatalf("%d %s", r.StatusCode, body)
	}
}
