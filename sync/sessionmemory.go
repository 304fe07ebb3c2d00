package sync

import (
	"sync"
	"time"
)

// memorySessions keeps the sign-in state in the hub process's memory: the
// hub on bbolt, whose file one process owns, uses it. A restart of the hub
// signs every manager out and forgets the wrong tokens counted.
type memorySessions struct {
	mu    sync.Mutex
	byKey map[SessionKey]*memorySession
	addrs map[string]FailCount
	all   FailCount
	good  map[string]time.Time // address → until when it passes the overall wait
}

type memorySession struct {
	csrf          string // the token the session's forms carry
	created, seen time.Time
}

// NewMemorySessions is a SessionStore in memory, for a hub whose store keeps
// no sessions (and for the tests every SessionStore passes).
func NewMemorySessions() SessionStore {
	return &memorySessions{byKey: map[SessionKey]*memorySession{}, addrs: map[string]FailCount{}, good: map[string]time.Time{}}
}

func (m *memorySessions) StartSession(key SessionKey, csrf string, now time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for k, v := range m.byKey {
		if sessionExpired(v.created, v.seen, now) {
			delete(m.byKey, k)
		}
	}
	if len(m.byKey) >= MaxSessions {
		var oldest SessionKey
		var seen time.Time
		for k, v := range m.byKey {
			if seen.IsZero() || v.seen.Before(seen) {
				oldest, seen = k, v.seen
			}
		}
		delete(m.byKey, oldest)
	}
	m.byKey[key] = &memorySession{csrf: csrf, created: now, seen: now}
	return nil
}

func (m *memorySessions) TouchSession(key SessionKey, now time.Time) (string, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	v := m.byKey[key]
	if v == nil {
		return "", false, nil
	}
	if sessionExpired(v.created, v.seen, now) {
		delete(m.byKey, key)
		return "", false, nil
	}
	if now.After(v.seen) {
		v.seen = now
	}
	return v.csrf, true, nil
}

func (m *memorySessions) EndSession(key SessionKey) error {
	m.mu.Lock()
	delete(m.byKey, key)
	m.mu.Unlock()
	return nil
}

func (m *memorySessions) CountLogin(addr string, now time.Time, fn func(*LoginCounts)) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	c := LoginCounts{Addr: m.addrs[addr], All: m.all, GoodUntil: m.good[addr]}
	was := c
	fn(&c)
	m.all = c.All
	if c.Addr != was.Addr {
		switch _, held := m.addrs[addr]; {
		case c.Addr == FailCount{}:
			delete(m.addrs, addr)
		case !held && len(m.addrs) >= loginMaxTracked:
			for k, f := range m.addrs {
				if f.Forgotten(now) {
					delete(m.addrs, k)
				}
			}
			fallthrough
		default:
			m.addrs[addr] = c.Addr
		}
	}
	if !c.GoodUntil.Equal(was.GoodUntil) {
		if len(m.good) >= loginMaxTracked {
			for k, until := range m.good {
				if now.After(until) {
					delete(m.good, k)
				}
			}
		}
		if _, held := m.good[addr]; held || len(m.good) < loginMaxTracked {
			m.good[addr] = c.GoodUntil
		}
	}
	return nil
}
