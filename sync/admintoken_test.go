package sync

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestCheckAdminToken(t *testing.T) {
	for _, tt := range []struct {
		name, tok string
		strong    bool
	}{
		{"a word is refused", "admin", false},
		{"a word and a word are refused", "admin-secret", false},
		{"16 hex digits are refused: 64 bits", "7f3a9c2e51d8b4a6", false},
		{"21 base64url characters are refused: 126 bits", "Qm7Xv9LpK4sWd8Rt3NzaB", false},
		{"one character forty times is refused", strings.Repeat("a", 40), false},
		{"a running sequence twice is refused", "0123456789abcdef0123456789abcdef", false},
		{"a word repeated is refused", "PasswordPasswordPasswordPassword", false},
		{"words and a year are refused", "ocop-hub-admin-token-2026", false},
		{"a keyboard row and digits are refused", "qwertyuiop1234567890asdfghjkl", false},
		{"a space is refused", "Qm7Xv9LpK4sWd8Rt3NzaBc Qm7Xv9LpK4sWd8Rt3Nz", false},
		{"32 random hex digits are taken", "9c41d07be23fa58e6d19c0b7f28a4e53", true},
		{"22 random base64url characters are taken", "Qm7Xv9LpK4sWd8Rt3NzaBc", true},
		{"random base64 with padding is taken", "u0Kq3ZbT9xW1eR7yLmN4pA==", true},
		{"a word before enough randomness is taken", "admin-Qm7Xv9LpK4sWd8Rt3NzaBc", true},
		{"the tests' token is taken", testAdminToken, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckAdminToken(tt.tok)
			if tt.strong && err != nil {
				t.Errorf("%q refused: %v", tt.tok, err)
			}
			if !tt.strong && (!errors.Is(err, ErrWeakAdminToken) || !strings.Contains(err.Error(), "128 bits")) {
				t.Errorf("%q: %v", tt.tok, err)
			}
		})
	}
}

func TestRandomAdminTokensAreNeverRefused(t *testing.T) {
	for i := range 3000 {
		gen, err := NewToken()
		if err != nil {
			t.Fatal(err)
		}
		b := make([]byte, 16)
		_, _ = rand.Read(b)
		for _, tok := range []string{gen, hex.EncodeToString(b), strings.ToUpper(hex.EncodeToString(b)),
			base64.RawURLEncoding.EncodeToString(b), base64.StdEncoding.EncodeToString(b)} {
			if err := CheckAdminToken(tok); err != nil {
				t.Fatalf("draw %d: %q refused: %v", i, tok, err)
			}
		}
	}
}

// fakeClock is a clock the test moves.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }

func TestTheLoginWaitDoublesWithEachWrongTokenAndEndsWithARightOne(t *testing.T) {
	clk := &fakeClock{t: time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)}
	a := &hubAuth{store: NewMemorySessions(), now: clk.now}
	guess := func(addr string, right bool) time.Duration {
		done, wait, err := a.attempt(addr)
		if err != nil {
			t.Fatal(err)
		}
		if wait == 0 {
			if err := done(right); err != nil {
				t.Fatal(err)
			}
		}
		return wait
	}
	for i := range loginAddrFailures - 1 {
		if w := guess("192.0.2.7", false); w != 0 {
			t.Fatalf("guess %d waits %v", i+1, w)
		}
	}
	if w := guess("192.0.2.7", false); w != 0 {
		t.Fatalf("the fifth guess waits %v", w)
	}
	want := loginLockout
	for range 4 {
		if w := guess("192.0.2.7", false); w != want {
			t.Fatalf("locked: waits %v, want %v", w, want)
		}
		clk.t = clk.t.Add(want) // waited it out; the next wrong token doubles the wait
		if w := guess("192.0.2.7", false); w != 0 {
			t.Fatalf("after the wait: %v", w)
		}
		want *= 2
	}
	clk.t = clk.t.Add(want)
	if w := guess("192.0.2.7", true); w != 0 {
		t.Fatalf("the right token after the wait: %v", w)
	}
	if w := guess("192.0.2.7", false); w != 0 {
		t.Errorf("after the right token the address starts afresh, waits %v", w)
	}

	t.Run("an IPv6 address stands for its /64", func(t *testing.T) {
		for i := range loginAddrFailures {
			guess("2001:db8:1:2::"+string(rune('a'+i)), false)
		}
		if w := guess("2001:db8:1:2:ffff::1", false); w == 0 {
			t.Error("another address of the same /64 was not held")
		}
		if w := guess("2001:db8:1:3::1", false); w != 0 {
			t.Errorf("another /64 waits %v", w)
		}
	})
	t.Run("failures are forgotten a day after the last", func(t *testing.T) {
		for range loginAddrFailures {
			guess("192.0.2.8", false)
		}
		clk.t = clk.t.Add(LoginForget)
		for i := range loginAddrFailures {
			if w := guess("192.0.2.8", false); w != 0 {
				t.Fatalf("guess %d a day later waits %v", i+1, w)
			}
		}
	})
}

func TestSessionsEndWhenUnusedOrOld(t *testing.T) {
	clk := &fakeClock{t: time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)}
	s := &hubAuth{store: NewMemorySessions(), now: clk.now}
	lookup := func(id string) (string, bool) {
		csrf, ok, err := s.lookupSession(id)
		if err != nil {
			t.Fatal(err)
		}
		return csrf, ok
	}
	id, csrf, err := s.startSession()
	if err != nil {
		t.Fatal(err)
	}
	if got, ok := lookup(id); !ok || got != csrf {
		t.Fatalf("fresh session: %v", ok)
	}
	start, step := clk.t, SessionIdle-time.Minute
	for clk.t.Sub(start)+step < SessionLife {
		clk.t = clk.t.Add(step)
		if _, ok := lookup(id); !ok {
			t.Fatalf("a session used every %v ended after %v", step, clk.t.Sub(start))
		}
	}
	clk.t = start.Add(SessionLife)
	if _, ok := lookup(id); ok {
		t.Error("a session outlived its life")
	}
	id, _, _ = s.startSession()
	clk.t = clk.t.Add(SessionIdle)
	if _, ok := lookup(id); ok {
		t.Error("a session unused for 12 hours still opens the pages")
	}
	if _, ok := lookup(""); ok {
		t.Error("no id opens a session")
	}
}
