package sync

import (
	"net"
	"sync"
	"time"
)

// Every check of the admin token — the sign-in form, a bearer header on the
// API or the pages — goes through the login limiter, so that the token cannot
// be guessed faster on one door than on another.
const (
	loginAddrFailures   = 5                // wrong tokens an address may send before it waits
	loginFailures       = 50               // wrong tokens from all addresses before every address not known good waits
	loginLockout        = 30 * time.Second // the first wait; each wrong token after it doubles the wait
	loginMaxAddrLockout = time.Hour
	loginMaxLockout     = 15 * time.Minute
	loginForget         = 24 * time.Hour     // failures are forgotten this long after the last, well after any wait
	loginGoodFor        = 7 * 24 * time.Hour // an address where the token was right passes the overall wait this long
	loginMaxTracked     = 4096               // addresses tracked before the forgotten ones are swept
)

// failCount is a run of wrong tokens and the wait it imposes.
type failCount struct {
	n     int
	last  time.Time // the last wrong token
	until time.Time // no token is checked before this
}

func (f *failCount) forget(now time.Time) {
	if f.n > 0 && now.Sub(f.last) >= loginForget && !now.Before(f.until) {
		*f = failCount{}
	}
}

// fail counts one wrong token; from the limit on, each one sets a wait twice
// as long as the one before.
func (f *failCount) fail(now time.Time, limit int, longest time.Duration) {
	f.n++
	f.last = now
	if f.n >= limit {
		d := loginLockout << min(f.n-limit, 20)
		if d > longest || d <= 0 {
			d = longest
		}
		f.until = now.Add(d)
	}
}

// loginLimiter counts wrong admin tokens per address and over the whole hub.
// An attempt is counted as wrong before the token is compared and taken back
// when it was right, so that a burst of guesses sent at once gets no more
// through than guesses sent one by one.
type loginLimiter struct {
	mu    sync.Mutex
	now   func() time.Time
	addrs map[string]*failCount
	all   failCount
	good  map[string]time.Time // address → until when it passes the overall wait
}

func newLoginLimiter(now func() time.Time) *loginLimiter {
	return &loginLimiter{now: now, addrs: map[string]*failCount{}, good: map[string]time.Time{}}
}

// attempt reserves one check of the admin token from addr. When addr, or the
// hub as a whole for an address not known good, must wait, it answers how
// long and nothing is counted. Otherwise the caller compares the token and
// calls done with the outcome.
func (l *loginLimiter) attempt(addr string) (done func(right bool), wait time.Duration) {
	key := limitKey(addr)
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.all.forget(now)
	a := l.addrs[key]
	if a != nil {
		a.forget(now)
		if w := a.until.Sub(now); w > 0 {
			return nil, w
		}
	}
	if w := l.all.until.Sub(now); w > 0 && now.After(l.good[key]) {
		return nil, w
	}
	if a == nil {
		if len(l.addrs) >= loginMaxTracked {
			l.sweep(now)
		}
		a = &failCount{}
		l.addrs[key] = a
	}
	a.fail(now, loginAddrFailures, loginMaxAddrLockout)
	l.all.fail(now, loginFailures, loginMaxLockout)
	return func(right bool) {
		if right {
			l.succeeded(key)
		}
	}, 0
}

// succeeded takes back the attempt counted in advance: the address starts
// afresh and is known good; the overall count drops by one, and its wait
// ends when that count is under the limit again.
func (l *loginLimiter) succeeded(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	delete(l.addrs, key)
	if l.all.n > 0 {
		l.all.n--
	}
	if l.all.n < loginFailures {
		l.all.until = time.Time{}
	}
	if len(l.good) >= loginMaxTracked {
		for k, until := range l.good {
			if now.After(until) {
				delete(l.good, k)
			}
		}
	}
	if len(l.good) < loginMaxTracked {
		l.good[key] = now.Add(loginGoodFor)
	}
}

func (l *loginLimiter) sweep(now time.Time) {
	for k, f := range l.addrs {
		if f.forget(now); f.n == 0 {
			delete(l.addrs, k)
		}
	}
}

// limitKey is the address a limit applies to: an IPv6 address stands for its
// /64, the block one household or phone is usually given whole.
func limitKey(addr string) string {
	ip := net.ParseIP(addr)
	if ip == nil || ip.To4() != nil {
		return addr
	}
	return ip.Mask(net.CIDRMask(64, 128)).String() + "/64"
}
