package sync

import (
	"fmt"
	"net"
	"time"
)

// Every check of the admin token — the sign-in form, a bearer header on the
// API or the pages — goes through the login limiter, so that the token cannot
// be guessed faster on one door than on another, nor (on a store several hub
// processes share) at one hub process than at another.
const (
	loginAddrFailures   = 5                // wrong tokens an address may send before it waits
	loginFailures       = 50               // wrong tokens from all addresses before every address not known good waits
	loginLockout        = 30 * time.Second // the first wait; each wrong token after it doubles the wait
	loginMaxAddrLockout = time.Hour
	loginMaxLockout     = 15 * time.Minute
	LoginForget         = 24 * time.Hour     // failures are forgotten this long after the last, well after any wait
	loginGoodFor        = 7 * 24 * time.Hour // an address where the token was right passes the overall wait this long
	loginMaxTracked     = 4096               // addresses the memory keeps before the forgotten ones are swept
)

// FailCount is a run of wrong tokens and the wait it imposes.
type FailCount struct {
	N     int
	Last  time.Time // the last wrong token
	Until time.Time // no token is checked before this
}

// LoginCounts is what the limiter knows of one address: its wrong tokens,
// the hub's as a whole, and until when the address passes the hub's overall
// wait because the token was right there.
type LoginCounts struct {
	Addr, All FailCount
	GoodUntil time.Time
}

// Forgotten tells counts that no longer matter: a store may drop them.
func (f FailCount) Forgotten(now time.Time) bool {
	return now.Sub(f.Last) >= LoginForget && !now.Before(f.Until)
}

func (f *FailCount) forget(now time.Time) {
	if f.N > 0 && f.Forgotten(now) {
		*f = FailCount{}
	}
}

// fail counts one wrong token; from the limit on, each one sets a wait twice
// as long as the one before.
func (f *FailCount) fail(now time.Time, limit int, longest time.Duration) {
	f.N++
	f.Last = now
	if f.N >= limit {
		d := loginLockout << min(f.N-limit, 20)
		if d > longest || d <= 0 {
			d = longest
		}
		f.Until = now.Add(d)
	}
}

// attempt reserves one check of the admin token from addr. When addr, or the
// hub as a whole for an address not known good, must wait, it answers how
// long and nothing is counted. Otherwise the attempt is counted as wrong
// before the token is compared — so that a burst of guesses sent at once gets
// no more through than guesses sent one by one — and the caller compares the
// token and calls done with the outcome, which takes the attempt back when it
// was right.
func (a *hubAuth) attempt(addr string) (done func(right bool) error, wait time.Duration, err error) {
	key := limitKey(addr)
	now := a.now()
	err = a.store.CountLogin(key, now, func(c *LoginCounts) {
		wait = 0 // fn may run again if the store retries
		c.All.forget(now)
		c.Addr.forget(now)
		if w := c.Addr.Until.Sub(now); w > 0 {
			wait = w
			return
		}
		if w := c.All.Until.Sub(now); w > 0 && now.After(c.GoodUntil) {
			wait = w
			return
		}
		c.Addr.fail(now, loginAddrFailures, loginMaxAddrLockout)
		c.All.fail(now, loginFailures, loginMaxLockout)
	})
	if err != nil {
		return nil, 0, fmt.Errorf("count an admin token check: %w", err)
	}
	if wait > 0 {
		return nil, wait, nil
	}
	return func(right bool) error {
		if !right {
			return nil
		}
		now := a.now()
		if err := a.store.CountLogin(key, now, func(c *LoginCounts) { succeeded(c, now) }); err != nil {
			return fmt.Errorf("count a right admin token: %w", err)
		}
		return nil
	}, 0, nil
}

// succeeded takes back the attempt counted in advance: the address starts
// afresh and is known good; the overall count drops by one, and its wait
// ends when that count is under the limit again.
func succeeded(c *LoginCounts, now time.Time) {
	c.Addr = FailCount{}
	if c.All.N > 0 {
		c.All.N--
	}
	if c.All.N < loginFailures {
		c.All.Until = time.Time{}
	}
	c.GoodUntil = now.Add(loginGoodFor)
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
