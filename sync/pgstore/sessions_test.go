package pgstore

import (
	"context"
	"crypto/sha256"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	gosync "sync"
	"testing"
	"time"

	hubsync "github.com/ocop-kiosk/kiosk/sync"
	"github.com/ocop-kiosk/kiosk/sync/pgtest"
	"github.com/ocop-kiosk/kiosk/sync/storetest"
)

// PGStore keeps the managers' sign-in state by the rules the hub's memory
// keeps it by.
func TestPGStoreSignInConformance(t *testing.T) {
	storetest.SignIns(t, func(t *testing.T) hubsync.SessionStore { return open(t) })
}

// serveHub runs a hub process's HTTP side on st, on a loopback port.
func serveHub(t *testing.T, st *PGStore) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	app := (&hubsync.Hub{Store: st, AdminHash: hubsync.TokenHash(hubAdminToken), Log: quiet()}).App()
	go app.Listener(ln)
	t.Cleanup(func() { app.ShutdownWithTimeout(time.Second) })
	return "http://" + ln.Addr().String()
}

// manager is a manager's browser, connecting from the loopback address
// given; its cookies go to every hub process, as they would to the one name
// a load balancer answers for.
type manager struct {
	t *testing.T
	c *http.Client
}

func newManager(t *testing.T, from string) *manager {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}, Timeout: 5 * time.Second}
	tr := &http.Transport{DialContext: d.DialContext}
	t.Cleanup(tr.CloseIdleConnections)
	return &manager{t: t, c: &http.Client{Jar: jar, Transport: tr, Timeout: 20 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// do sends a request to the hub process at base; a form is posted from that
// process's own page.
func (m *manager) do(method, base, path string, form url.Values, header ...string) (*http.Response, string) {
	m.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, base+path, body)
	if err != nil {
		m.t.Fatal(err)
	}
	req.Header.Set("Accept", "text/html")
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", base)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := m.c.Do(req)
	if err != nil {
		m.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		m.t.Fatal(err)
	}
	return res, string(b)
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]*)"`)

func formCSRF(t *testing.T, page string) string {
	t.Helper()
	m := csrfField.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no form token in the page: %.300s", page)
	}
	return m[1]
}

// guess sends the admin token as a bearer header to the API of the process
// at base and answers the status.
func (m *manager) guess(base, token string) int {
	m.t.Helper()
	res, _ := m.do("GET", base, "/api/v1/kiosks", nil, "Accept", "application/json", "Authorization", "Bearer "+token)
	return res.StatusCode
}

// Two hub processes on one database keep nothing of their own: a manager
// who signed in at one is signed in at the other, and signing out at the
// other signs out at the first.
func TestASessionStartedAtOneHubProcessIsOpenAtAnother(t *testing.T) {
	db := pgtest.DB(t)
	first, second := openOn(t, db), openOn(t, db)
	a, b := serveHub(t, first), serveHub(t, second)
	m := newManager(t, "127.0.0.1")

	_, login := m.do("GET", a, "/reports/login", nil)
	res, body := m.do("POST", a, "/reports/login", url.Values{"token": {hubAdminToken}, "csrf": {formCSRF(t, login)}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in at the first process: %d %.300s", res.StatusCode, body)
	}
	var id string
	for _, c := range res.Cookies() {
		if c.Name == "hub_session" {
			id = c.Value
		}
	}
	if id == "" {
		t.Fatal("the sign-in set no session cookie")
	}
	for name, base := range map[string]string{"first": a, "second": b} {
		if res, body := m.do("GET", base, "/reports/reconciliation", nil); res.StatusCode != http.StatusOK {
			t.Fatalf("the pages at the %s process: %d %.300s", name, res.StatusCode, body)
		}
	}

	t.Run("the database holds the session's hash, never its id", func(t *testing.T) {
		key := sha256.Sum256([]byte(id))
		var hashed, raw int
		err := first.pool.QueryRow(context.Background(),
			`SELECT count(*) FILTER (WHERE key = $1), count(*) FILTER (WHERE position(convert_to($2, 'UTF8') IN key) > 0 OR csrf = $2)
			 FROM hub_sessions`, key[:], id).Scan(&hashed, &raw)
		if err != nil {
			t.Fatal(err)
		}
		if hashed != 1 || raw != 0 {
			t.Errorf("rows under the id's hash: %d; holding the id itself: %d", hashed, raw)
		}
	})

	_, page := m.do("GET", b, "/reports/reconciliation", nil)
	if res, body := m.do("POST", b, "/reports/logout", url.Values{"csrf": {formCSRF(t, page)}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-out at the second process: %d %.300s", res.StatusCode, body)
	}
	m.c.Jar.SetCookies(&url.URL{Scheme: "http", Host: "127.0.0.1"}, []*http.Cookie{{Name: "hub_session", Value: id, Path: "/"}})
	for name, base := range map[string]string{"first": a, "second": b} {
		if res, _ := m.do("GET", base, "/reports/reconciliation", nil, "Accept", "application/json"); res.StatusCode != http.StatusUnauthorized {
			t.Errorf("the ended session's cookie at the %s process: %d", name, res.StatusCode)
		}
	}
}

// Wrong admin tokens sent to two hub processes on one database count
// together: an address gets its five guesses in all, not five at each, and
// a burst sent to both at once gets no more through.
func TestWrongAdminTokensAtTwoHubProcessesCountTogether(t *testing.T) {
	db := pgtest.DB(t)
	bases := []string{serveHub(t, openOn(t, db)), serveHub(t, openOn(t, db))}
	wrong := "wrong-" + hubAdminToken

	t.Run("one address's guesses at either process add up", func(t *testing.T) {
		m := newManager(t, "127.0.0.2")
		for i := range 5 {
			if got := m.guess(bases[i%2], wrong); got != http.StatusForbidden {
				t.Fatalf("guess %d: %d", i+1, got)
			}
		}
		for i, base := range bases {
			if got := m.guess(base, wrong); got != http.StatusTooManyRequests {
				t.Errorf("a sixth guess at process %d: %d, want 429", i+1, got)
			}
		}
		if got := m.guess(bases[0], hubAdminToken); got != http.StatusTooManyRequests {
			t.Errorf("the right token from the waiting address: %d", got)
		}
		if got := newManager(t, "127.0.0.3").guess(bases[1], hubAdminToken); got != http.StatusOK {
			t.Errorf("the right token from another address: %d", got)
		}
	})
	t.Run("a burst at both processes at once gets five guesses through", func(t *testing.T) {
		m := newManager(t, "127.0.0.4")
		codes := make(chan int, 20)
		var wg gosync.WaitGroup
		for i := range 20 {
			wg.Go(func() { codes <- m.guess(bases[i%2], wrong) })
		}
		wg.Wait()
		close(codes)
		count := map[int]int{}
		for c := range codes {
			count[c]++
		}
		if count[http.StatusForbidden] != 5 || count[http.StatusTooManyRequests] != 15 {
			t.Errorf("answers %v, want 5 × 403 and 15 × 429", count)
		}
	})
}
