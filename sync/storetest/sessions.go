package storetest

import (
	"crypto/sha256"
	"strconv"
	gosync "sync"
	"testing"
	"time"

	hubsync "github.com/ocop-kiosk/kiosk/sync"
)

// SignIns runs the behaviour every keeper of the managers' sign-in state
// shows (hubsync.SessionStore: the hub's memory, PostgreSQL), one fresh,
// empty keeper per subtest. Time is the test's: every call takes it.
func SignIns(t *testing.T, open func(t *testing.T) hubsync.SessionStore) {
	for _, tt := range []struct {
		name string
		run  func(t *testing.T, st hubsync.SessionStore)
	}{
		{"a session opens with its own CSRF token until it is ended", sessionsStartAndEnd},
		{"a session unused for 12 hours ends", sessionsIdle},
		{"a session used all along ends 3 days after it started", sessionsLife},
		{"beyond 256 sessions the one unused longest gives way", sessionsAtMost},
		{"login counts are kept per address and for the whole hub", loginCountsKept},
		{"login counts updated at once are counted one by one", loginCountsAtOnce},
	} {
		t.Run(tt.name, func(t *testing.T) { tt.run(t, open(t)) })
	}
}

var signInEpoch = time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)

func sessionKey(i int) hubsync.SessionKey { return sha256.Sum256([]byte("session " + strconv.Itoa(i))) }

func startSession(t *testing.T, st hubsync.SessionStore, key hubsync.SessionKey, csrf string, now time.Time) {
	t.Helper()
	if err := st.StartSession(key, csrf, now); err != nil {
		t.Fatal(err)
	}
}

// live touches a session at now and says whether it opened.
func live(t *testing.T, st hubsync.SessionStore, key hubsync.SessionKey, now time.Time) bool {
	t.Helper()
	_, ok, err := st.TouchSession(key, now)
	if err != nil {
		t.Fatal(err)
	}
	return ok
}

func sessionsStartAndEnd(t *testing.T, st hubsync.SessionStore) {
	startSession(t, st, sessionKey(1), "csrf-one", signInEpoch)
	startSession(t, st, sessionKey(2), "csrf-two", signInEpoch)
	for i, want := range []string{"", "csrf-one", "csrf-two"} {
		csrf, ok, err := st.TouchSession(sessionKey(i), signInEpoch.Add(time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		if ok != (want != "") || csrf != want {
			t.Errorf("session %d: %q %v, want %q", i, csrf, ok, want)
		}
	}
	if err := st.EndSession(sessionKey(1)); err != nil {
		t.Fatal(err)
	}
	if live(t, st, sessionKey(1), signInEpoch.Add(2*time.Minute)) {
		t.Error("an ended session still opens")
	}
	if !live(t, st, sessionKey(2), signInEpoch.Add(2*time.Minute)) {
		t.Error("ending one session ended another")
	}
	if err := st.EndSession(sessionKey(1)); err != nil {
		t.Errorf("ending a session twice: %v", err)
	}
}

func sessionsIdle(t *testing.T, st hubsync.SessionStore) {
	startSession(t, st, sessionKey(1), "a", signInEpoch)
	seen := signInEpoch.Add(hubsync.SessionIdle - time.Second)
	if !live(t, st, sessionKey(1), seen) {
		t.Fatal("a session used within 12 hours ended")
	}
	if !live(t, st, sessionKey(1), seen.Add(hubsync.SessionIdle-time.Second)) {
		t.Fatal("a use did not count: the session ended 12 hours after it started")
	}
	if live(t, st, sessionKey(1), seen.Add(2*hubsync.SessionIdle)) {
		t.Error("a session unused for 12 hours still opens")
	}
	if live(t, st, sessionKey(1), seen.Add(hubsync.SessionIdle-time.Second)) {
		t.Error("an expired session opened again (it must have been ended)")
	}
}

func sessionsLife(t *testing.T, st hubsync.SessionStore) {
	startSession(t, st, sessionKey(1), "a", signInEpoch)
	now := signInEpoch
	for step := hubsync.SessionIdle - time.Minute; now.Add(step).Sub(signInEpoch) < hubsync.SessionLife; {
		now = now.Add(step)
		if !live(t, st, sessionKey(1), now) {
			t.Fatalf("a session used every %v ended after %v", step, now.Sub(signInEpoch))
		}
	}
	if live(t, st, sessionKey(1), signInEpoch.Add(hubsync.SessionLife)) {
		t.Error("a session outlived its life")
	}
}

func sessionsAtMost(t *testing.T, st hubsync.SessionStore) {
	for i := range hubsync.MaxSessions {
		startSession(t, st, sessionKey(i), "s"+strconv.Itoa(i), signInEpoch.Add(time.Duration(i)*time.Second))
	}
	later := signInEpoch.Add(time.Hour)
	if !live(t, st, sessionKey(0), later) { // the first is used again: the second is now unused longest
		t.Fatal("the first session ended")
	}
	startSession(t, st, sessionKey(hubsync.MaxSessions), "newest", later.Add(time.Second))
	now := later.Add(time.Minute)
	if live(t, st, sessionKey(1), now) {
		t.Error("the session unused longest did not give way")
	}
	for _, i := range []int{0, 2, hubsync.MaxSessions - 1, hubsync.MaxSessions} {
		if !live(t, st, sessionKey(i), now) {
			t.Errorf("session %d gave way", i)
		}
	}
}

func countLogin(t *testing.T, st hubsync.SessionStore, addr string, now time.Time, fn func(*hubsync.LoginCounts)) {
	t.Helper()
	if err := st.CountLogin(addr, now, fn); err != nil {
		t.Fatal(err)
	}
}

func loginCountsKept(t *testing.T, st hubsync.SessionStore) {
	now := signInEpoch
	countLogin(t, st, "192.0.2.7", now, func(c *hubsync.LoginCounts) {
		if *c != (hubsync.LoginCounts{}) {
			t.Errorf("a new keeper's counts: %+v", *c)
		}
		c.Addr = hubsync.FailCount{N: 3, Last: now, Until: now.Add(30 * time.Second)}
		c.All = hubsync.FailCount{N: 7, Last: now, Until: now.Add(time.Minute)}
		c.GoodUntil = now.Add(7 * 24 * time.Hour)
	})
	countLogin(t, st, "2001:db8:1:2::/64", now, func(c *hubsync.LoginCounts) {
		if c.Addr != (hubsync.FailCount{}) || !c.GoodUntil.IsZero() {
			t.Errorf("another address starts with %+v, good until %v", c.Addr, c.GoodUntil)
		}
		if c.All.N != 7 || !c.All.Last.Equal(now) || !c.All.Until.Equal(now.Add(time.Minute)) {
			t.Errorf("the whole hub's counts seen from another address: %+v", c.All)
		}
		c.All.N++
	})
	countLogin(t, st, "192.0.2.7", now, func(c *hubsync.LoginCounts) {
		if c.Addr.N != 3 || !c.Addr.Last.Equal(now) || !c.Addr.Until.Equal(now.Add(30*time.Second)) {
			t.Errorf("the address's counts: %+v", c.Addr)
		}
		if c.All.N != 8 || !c.GoodUntil.Equal(now.Add(7*24*time.Hour)) {
			t.Errorf("the whole hub's count %d, good until %v", c.All.N, c.GoodUntil)
		}
		c.Addr = hubsync.FailCount{} // the token was right: the address starts afresh
	})
	countLogin(t, st, "192.0.2.7", now.Add(time.Second), func(c *hubsync.LoginCounts) {
		if c.Addr != (hubsync.FailCount{}) || c.GoodUntil.IsZero() {
			t.Errorf("after starting afresh: %+v, good until %v", c.Addr, c.GoodUntil)
		}
	})
}

func loginCountsAtOnce(t *testing.T, st hubsync.SessionStore) {
	const workers, each = 8, 10
	var wg gosync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			addr := "198.51.100." + strconv.Itoa(w%2)
			for range each {
				if err := st.CountLogin(addr, signInEpoch, func(c *hubsync.LoginCounts) { c.Addr.N++; c.All.N++ }); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	for a := range 2 {
		countLogin(t, st, "198.51.100."+strconv.Itoa(a), signInEpoch, func(c *hubsync.LoginCounts) {
			if c.Addr.N != workers/2*each || c.All.N != workers*each {
				t.Errorf("address %d counted %d of %d, the hub %d of %d", a, c.Addr.N, workers/2*each, c.All.N, workers*each)
			}
		})
	}
}
