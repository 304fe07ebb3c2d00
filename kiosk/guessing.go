package kiosk

import (
	"sync"
	"time"
)

// guessLimit is how many wrong guesses at a secret one key (a client address,
// or the secret itself) may make before it is locked out, and for how long:
// Base, doubling with each lockout in a row, at most Max. Wrong guesses are
// forgotten after ForgetFailures without one, the lockouts in a row after
// ForgetLevel.
type guessLimit struct {
	Failures       int
	Base, Max      time.Duration
	ForgetFailures time.Duration
	ForgetLevel    time.Duration
	// ForgiveOnRight forgets the key's wrong guesses when it guesses right:
	// a client address, whose manager slipped twice. Never the secret
	// itself, or the manager's every right PIN would hand an attacker a
	// fresh set of guesses.
	ForgiveOnRight bool
}

// lockout is how long the level-th lockout in a row lasts.
func (l guessLimit) lockout(level int) time.Duration {
	d := l.Base
	for range level {
		if d >= l.Max {
			break
		}
		d *= 2
	}
	return min(d, l.Max)
}

type guessKey struct {
	name  string
	limit guessLimit
}

type guessState struct {
	failed   int       // wrong guesses since the last lockout
	inflight int       // guesses being checked right now
	level    int       // lockouts in a row
	until    time.Time // locked until then
	last     time.Time // the last wrong guess
	// secret marks the key of a secret itself, which is never forgotten to
	// make room (client addresses are, when there are too many).
	secret bool
}

// guesses counts guesses at secrets (the manager PIN, pairing codes). A guess
// is reserved on all its keys before it is checked and settled after, under
// one lock: a burst of concurrent guesses cannot slip past the limit between
// looking at the count and adding to it. A guess that would go beyond the
// limit while others are still being checked waits for their outcome: if
// they were wrong, the key is locked and it is refused; if they were right
// (a manager page making several calls at once), it goes ahead.
type guesses struct {
	mu      sync.Mutex
	settled *sync.Cond // a guess in flight was settled
	keys    map[string]*guessState
}

func newGuesses() *guesses {
	g := &guesses{keys: map[string]*guessState{}}
	g.settled = sync.NewCond(&g.mu)
	return g
}

// maxGuessKeys bounds the states kept; beyond it, keys that hold no lockout
// and no guess in flight are forgotten first.
const maxGuessKeys = 10_000

// begin reserves one guess on every key, or none: ok is false while any key
// is locked out, and wait says when to try again.
func (g *guesses) begin(now time.Time, keys ...guessKey) (wait time.Duration, ok bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for {
		full := false
		for _, k := range keys {
			s := g.keys[k.name]
			if s == nil {
				continue
			}
			g.forget(s, k.limit, now)
			switch {
			case now.Before(s.until):
				wait = max(wait, s.until.Sub(now))
			case s.failed+s.inflight >= k.limit.Failures:
				full = true
			}
		}
		if wait > 0 {
			return wait, false
		}
		if !full {
			break
		}
		g.settled.Wait() // the last guesses are being checked; their outcome decides
	}
	if len(g.keys) >= maxGuessKeys {
		g.prune(now)
	}
	for _, k := range keys {
		s := g.keys[k.name]
		if s == nil {
			s = &guessState{secret: !k.limit.ForgiveOnRight}
			g.keys[k.name] = s
		}
		s.inflight++
	}
	return 0, true
}

// end settles a guess reserved by begin with the same keys.
func (g *guesses) end(now time.Time, right bool, keys ...guessKey) {
	g.mu.Lock()
	defer g.mu.Unlock()
	defer g.settled.Broadcast()
	for _, k := range keys {
		s := g.keys[k.name]
		if s == nil {
			continue
		}
		s.inflight--
		switch {
		case right && k.limit.ForgiveOnRight:
			if s.inflight == 0 && !now.Before(s.until) {
				delete(g.keys, k.name)
			} else {
				s.failed, s.level = 0, 0
			}
		case !right:
			s.failed++
			s.last = now
			if s.failed >= k.limit.Failures {
				s.until = now.Add(k.limit.lockout(s.level))
				s.level++
				s.failed = 0
			}
		}
	}
}

// forget drops what a quiet key no longer owes.
func (g *guesses) forget(s *guessState, l guessLimit, now time.Time) {
	if s.last.IsZero() || now.Before(s.until) {
		return
	}
	quiet := now.Sub(s.last)
	if quiet >= l.ForgetFailures {
		s.failed = 0
	}
	if quiet >= l.ForgetLevel {
		s.level = 0
	}
}

func (g *guesses) prune(now time.Time) {
	idle := func(s *guessState) bool { return !s.secret && s.inflight == 0 && !now.Before(s.until) }
	for name, s := range g.keys {
		if idle(s) && (s.last.IsZero() || now.Sub(s.last) > time.Hour) {
			delete(g.keys, name)
		}
	}
	if len(g.keys) < maxGuessKeys {
		return
	}
	for name, s := range g.keys {
		if idle(s) {
			delete(g.keys, name)
		}
	}
}

// retryAfter is a wait as whole seconds, rounded up, for Retry-After.
func retryAfter(d time.Duration) int {
	s := int((d + time.Second - 1) / time.Second)
	return max(s, 1)
}
