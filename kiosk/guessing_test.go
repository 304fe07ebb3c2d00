package kiosk

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// clientFrom is an HTTP client whose connections leave from ip. Linux routes
// all of 127.0.0.0/8 to the loopback interface, so 127.0.0.2, 127.0.0.3… are
// as many distinct client addresses as the test needs.
func clientFrom(ip string) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 5 * time.Second}
	return &http.Client{Transport: &http.Transport{DialContext: d.DialContext}, Timeout: 30 * time.Second}
}

// answer is a response's status, error code and Retry-After.
type answer struct {
	status     int
	code       string
	retryAfter string
	body       []byte
}

// try makes a request from any goroutine (it reports errors instead of
// failing the test). body, when not nil, is sent as JSON.
func try(c *http.Client, method, url string, body any, headers ...string) (answer, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return answer{}, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		return answer{}, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := c.Do(req)
	if err != nil {
		return answer{}, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return answer{}, err
	}
	a := answer{status: res.StatusCode, retryAfter: res.Header.Get("Retry-After"), body: b}
	var e struct{ Error struct{ Code string } }
	if json.Unmarshal(b, &e) == nil {
		a.code = e.Error.Code
	}
	return a, nil
}

// wrongPIN is the i-th PIN that is not the test kiosk's.
func wrongPIN(i int) string {
	p := fmt.Sprintf("%06d", 100000+i)
	if p == testPIN {
		p = fmt.Sprintf("%06d", 900000+i)
	}
	return p
}

// tally counts answers by status and code.
type tally struct {
	mu sync.Mutex
	n  map[string]int
}

func (t *tally) add(a answer) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.n == nil {
		t.n = map[string]int{}
	}
	t.n[strconv.Itoa(a.status)+" "+a.code]++
}

func (t *tally) get(key string) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.n[key]
}

func TestABurstOfWrongPINsFromOneAddressChecksNoMoreThanTheLimit(t *testing.T) {
	k := startKiosk(t, t.TempDir())
	var got tally
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			a, err := try(http.DefaultClient, "GET", k.url+"/api/v1/manager/check", nil, "X-Manager-Pin", wrongPIN(i))
			if err != nil {
				t.Error(err)
				return
			}
			got.add(a)
		}()
	}
	close(start)
	wg.Wait()
	checked := got.get("403 bad_pin")
	if checked < 1 || checked > pinMaxFailures {
		t.Fatalf("%d wrong PINs were checked in a burst of 40 (%v), want 1 to %d", checked, got.n, pinMaxFailures)
	}
	if locked := got.get("429 pin_locked"); checked+locked != 40 {
		t.Fatalf("answers %v: want every guess beyond the limit refused with 429 pin_locked", got.n)
	}
}

func TestAManagerPageMakingManyCallsAtOnceIsNotLockedOut(t *testing.T) {
	k := startKiosk(t, t.TempDir())
	var got tally
	var wg sync.WaitGroup
	for range 3 * pinTargetFailures {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a, err := try(http.DefaultClient, "GET", k.url+"/api/v1/manager/check", nil, "X-Manager-Pin", testPIN)
			if err != nil {
				t.Error(err)
				return
			}
			got.add(a)
		}()
	}
	wg.Wait()
	if n := got.get("204 "); n != 3*pinTargetFailures {
		t.Fatalf("answers to %d calls with the right PIN at once: %v", 3*pinTargetFailures, got.n)
	}
}

func TestWrongPINsFromManyAddressesAreLimitedForThePINItself(t *testing.T) {
	k := startKiosk(t, t.TempDir())
	_, tok := k.pairDevice(t, "till tablet", roleTill, "T1")
	auth := "Bearer " + tok
	var got tally
	var wg sync.WaitGroup
	const addresses = 60
	for a := range addresses {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := clientFrom(fmt.Sprintf("127.0.0.%d", a+2))
			for i := range pinMaxFailures {
				ans, err := try(c, "GET", k.url+"/api/v1/manager/check", nil, "Authorization", auth, "X-Manager-Pin", wrongPIN(a*10+i))
				if err != nil {
					t.Error(err)
					return
				}
				got.add(ans)
			}
		}()
	}
	wg.Wait()
	if checked := got.get("403 bad_pin"); checked < 1 || checked > pinTargetFailures {
		t.Fatalf("%d of %d wrong PINs from %d addresses were checked (%v), want at most %d", checked, addresses*pinMaxFailures, addresses, got.n, pinTargetFailures)
	}
	// The PIN is locked for paired devices, whatever address they come from
	// (a right guess now would tell the attacker nothing)…
	ans, err := try(clientFrom("127.0.0.99"), "GET", k.url+"/api/v1/manager/check", nil, "Authorization", auth, "X-Manager-Pin", testPIN)
	if err != nil {
		t.Fatal(err)
	}
	if ans.status != 429 || ans.code != "pin_locked" || ans.retryAfter == "" {
		t.Fatalf("the right PIN from a fresh address during the lockout: %d %s (Retry-After %q), want 429 pin_locked", ans.status, ans.body, ans.retryAfter)
	}
	// …while the manager at the kiosk itself still gets in: the guesses from
	// the LAN cannot lock the owner out of the kiosk.
	if r := k.do("GET", "/api/v1/manager/check", nil, "X-Manager-Pin", testPIN); r.Status != 204 {
		t.Fatalf("the right PIN at the kiosk itself: %d %s", r.Status, r.Body)
	}
}

func TestOnlyScreensThatUseThePINMayTryIt(t *testing.T) {
	k := startKiosk(t, t.TempDir())
	_, display := k.pairDevice(t, "customer display", roleDisplay, "T1")
	_, self := k.pairDevice(t, "self-service", roleSelf, "T1")
	_, till := k.pairDevice(t, "till tablet", roleTill, "T1")
	for _, tt := range []struct {
		name, tok, path, pin string
	}{
		{"a customer display with the right PIN", display, "/api/v1/manager/check", testPIN},
		{"a customer display with a wrong PIN", display, "/api/v1/manager/check", wrongPIN(1)},
		{"a self-service screen with the right PIN", self, "/api/v1/manager/check", testPIN},
		{"a self-service screen sending a PIN while browsing", self, "/api/v1/products", wrongPIN(2)},
	} {
		t.Run(tt.name+" is refused before the PIN is looked at", func(t *testing.T) {
			r := k.do("GET", tt.path, nil, "Authorization", "Bearer "+tt.tok, "X-Manager-Pin", tt.pin)
			if r.Status != 403 || r.errCode(t) != "not_allowed" {
				t.Fatalf("%d %.200s, want 403 not_allowed", r.Status, r.Body)
			}
		})
	}
	// Those refusals spent none of the guesses a till has.
	for i := range pinMaxFailures - 1 {
		if r := k.do("GET", "/api/v1/manager/check", nil, "Authorization", "Bearer "+till, "X-Manager-Pin", wrongPIN(10+i)); r.Status != 403 {
			t.Fatalf("wrong PIN %d from the till: %d", i, r.Status)
		}
	}
	if r := k.do("GET", "/api/v1/manager/check", nil, "Authorization", "Bearer "+till, "X-Manager-Pin", testPIN); r.Status != 204 {
		t.Fatalf("the right PIN from the till: %d %s", r.Status, r.Body)
	}
}

// testClock is a clock the test moves.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func TestEachPINLockoutLastsTwiceTheOneBefore(t *testing.T) {
	srv, k := loopbackServer(t)
	clock := &testClock{t: time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)}
	srv.guard.mu.Lock()
	srv.guard.now = clock.Now
	srv.guard.mu.Unlock()
	check := func(pin string) answer {
		a, err := try(http.DefaultClient, "GET", k.url+"/api/v1/manager/check", nil, "X-Manager-Pin", pin)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	prev := 0
	for round := range 4 {
		for i := range pinMaxFailures {
			if a := check(wrongPIN(round*10 + i)); a.status != 403 {
				t.Fatalf("round %d, guess %d: %d %s, want 403 bad_pin", round, i, a.status, a.body)
			}
		}
		a := check(testPIN)
		wait, err := strconv.Atoi(a.retryAfter)
		if a.status != 429 || a.code != "pin_locked" || err != nil {
			t.Fatalf("round %d: the right PIN after %d wrong ones: %d %s (Retry-After %q), want 429 pin_locked with Retry-After", round, pinMaxFailures, a.status, a.body, a.retryAfter)
		}
		if wait < 2*prev || wait < int(pinLockout.Seconds()) {
			t.Fatalf("round %d: locked for %d s after a lockout of %d s, want at least twice as long", round, wait, prev)
		}
		clock.Advance(time.Duration(wait-1) * time.Second)
		if a := check(testPIN); a.status != 429 {
			t.Fatalf("round %d: a second before the lockout ends: %d, want 429", round, a.status)
		}
		clock.Advance(time.Second)
		prev = wait
	}
	if a := check(testPIN); a.status != 204 {
		t.Fatalf("the right PIN once the last lockout is over: %d %s", a.status, a.body)
	}
}

func TestAManagerWhoMistypesKeepsEveryGuess(t *testing.T) {
	k := startKiosk(t, t.TempDir())
	// The right PIN forgives the address its slips; the PIN itself counts
	// them all (pinTargetFailures in an hour lock it), or each right PIN
	// of the manager would hand a guesser a fresh set.
	for round := range (pinTargetFailures - 1) / (pinMaxFailures - 1) {
		for i := range pinMaxFailures - 1 {
			if r := k.do("GET", "/api/v1/manager/check", nil, "X-Manager-Pin", wrongPIN(round*10+i)); r.Status != 403 {
				t.Fatalf("round %d, slip %d: %d %s", round, i, r.Status, r.Body)
			}
		}
		if r := k.do("GET", "/api/v1/manager/check", nil, "X-Manager-Pin", testPIN); r.Status != 204 {
			t.Fatalf("round %d: the right PIN after %d slips: %d %s", round, pinMaxFailures-1, r.Status, r.Body)
		}
	}
}

// openPairing has the manager show a pairing code for a display of T1.
func (k *testKiosk) openPairing(t testing.TB) string {
	t.Helper()
	r := k.do("POST", "/api/v1/pairing", map[string]any{"till": "T1", "role": "display"}, "X-Manager-Pin", testPIN)
	var p struct{ Code string }
	r.json(t, &p)
	if r.Status != 201 || p.Code == "" {
		t.Fatalf("pairing code: %d %s", r.Status, r.Body)
	}
	return p.Code
}

// otherCode is the i-th six-digit code that is not code.
func otherCode(code string, i int) string {
	c := fmt.Sprintf("%06d", i)
	if c == code {
		c = fmt.Sprintf("%06d", 999999-i)
	}
	return c
}

func TestPairingCodeGuessesAreLimitedPerCodeAsWellAsPerAddress(t *testing.T) {
	k := startKiosk(t, t.TempDir())
	code := k.openPairing(t)
	// A few wrong codes (a tablet mistyped) do not spoil it.
	for i := range 3 {
		if a, err := try(clientFrom("127.0.0.2"), "POST", k.url+"/pair/claim", map[string]any{"code": otherCode(code, i)}); err != nil || a.status != 404 {
			t.Fatalf("a wrong code: %v %d %s", err, a.status, a.body)
		}
	}
	if a, err := try(clientFrom("127.0.0.3"), "POST", k.url+"/pair/claim", map[string]any{"code": code}); err != nil || a.status != 201 {
		t.Fatalf("the right code after a few wrong ones: %v %d %s", err, a.status, a.body)
	}

	// Many addresses guessing at once: the code is worth only so many guesses
	// in all, then it is cancelled, and the guesses have won nothing.
	code = k.openPairing(t)
	var got tally
	var wg sync.WaitGroup
	const addresses = 30
	var n atomic.Int32
	for a := range addresses {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := clientFrom(fmt.Sprintf("127.0.1.%d", a+2))
			for range pairingMaxClaims {
				ans, err := try(c, "POST", k.url+"/pair/claim", map[string]any{"code": otherCode(code, int(n.Add(1)))})
				if err != nil {
					t.Error(err)
					return
				}
				got.add(ans)
			}
		}()
	}
	wg.Wait()
	if got.get("201 ") > 0 {
		t.Fatalf("a guessed code paired a screen: %v", got.n)
	}
	a, err := try(clientFrom("127.0.2.2"), "POST", k.url+"/pair/claim", map[string]any{"code": code})
	if err != nil {
		t.Fatal(err)
	}
	if a.status != 404 || a.code != "bad_code" {
		t.Fatalf("the code after %d wrong guesses at it: %d %s, want 404 bad_code (cancelled after %d)", addresses*pairingMaxClaims, a.status, a.body, pairingMaxWrong)
	}
	// The manager shows a new code, and the screen pairs.
	code = k.openPairing(t)
	if a, err := try(clientFrom("127.0.2.3"), "POST", k.url+"/pair/claim", map[string]any{"code": code}); err != nil || a.status != 201 {
		t.Fatalf("a new code after the guessing: %v %d %s", err, a.status, a.body)
	}
}

func TestPairingGuessesFromOneAddressAreLockedOutLongerEachTime(t *testing.T) {
	srv, k := loopbackServer(t)
	clock := &testClock{t: time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)}
	srv.pairs.mu.Lock()
	srv.pairs.now = clock.Now
	srv.pairs.mu.Unlock()
	c := clientFrom("127.0.3.2")
	prev := 0
	for round := range 3 {
		for i := range pairingMaxClaims {
			if a, err := try(c, "POST", k.url+"/pair/claim", map[string]any{"code": otherCode("", round*100+i)}); err != nil || a.status != 404 {
				t.Fatalf("round %d, wrong code %d: %v %d %s", round, i, err, a.status, a.body)
			}
		}
		a, err := try(c, "POST", k.url+"/pair/claim", map[string]any{"code": "123456"})
		if err != nil {
			t.Fatal(err)
		}
		wait, werr := strconv.Atoi(a.retryAfter)
		if a.status != 429 || a.code != "too_many_attempts" || werr != nil || wait < 2*prev {
			t.Fatalf("round %d: %d %s (Retry-After %q, the lockout before %d s), want 429 too_many_attempts locked at least twice as long", round, a.status, a.body, a.retryAfter, prev)
		}
		clock.Advance(time.Duration(wait) * time.Second)
		prev = wait
	}
}
