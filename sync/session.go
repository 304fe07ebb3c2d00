package sync

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"sync"
	"time"
)

// A manager's browser signed in to the report pages holds only a session id;
// what the id stands for lives here, in the hub's memory. A restart of the
// hub therefore signs every manager out, and the admin token never leaves the
// sign-in form.
const (
	sessionIdle = 12 * time.Hour     // a session unused this long ends
	sessionLife = 3 * 24 * time.Hour // and any session ends this long after sign-in
	maxSessions = 256                // the oldest unused one gives way beyond this
)

type session struct {
	csrf          string // the token the session's forms carry
	created, seen time.Time
}

// sessionStore holds the sessions by the SHA-256 of their ids, so that the
// map's lookups take no time that depends on how much of an id was right.
type sessionStore struct {
	mu   sync.Mutex
	now  func() time.Time
	byID map[[sha256.Size]byte]*session
}

func newSessionStore(now func() time.Time) *sessionStore {
	return &sessionStore{now: now, byID: map[[sha256.Size]byte]*session{}}
}

// newSecret is 256 random bits as base64url: session ids and CSRF tokens.
func newSecret() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("random secret: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// start makes a session and answers its id (for the cookie) and its CSRF token.
func (s *sessionStore) start() (id, csrf string, err error) {
	if id, err = newSecret(); err != nil {
		return "", "", err
	}
	if csrf, err = newSecret(); err != nil {
		return "", "", err
	}
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.prune(now)
	if len(s.byID) >= maxSessions {
		var oldest [sha256.Size]byte
		var seen time.Time
		for k, v := range s.byID {
			if seen.IsZero() || v.seen.Before(seen) {
				oldest, seen = k, v.seen
			}
		}
		delete(s.byID, oldest)
	}
	s.byID[sha256.Sum256([]byte(id))] = &session{csrf: csrf, created: now, seen: now}
	return id, csrf, nil
}

// lookup answers the CSRF token of a live session and marks it used; ok is
// false for an id that is unknown, ended or expired.
func (s *sessionStore) lookup(id string) (csrf string, ok bool) {
	if id == "" {
		return "", false
	}
	k := sha256.Sum256([]byte(id))
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	v := s.byID[k]
	if v == nil {
		return "", false
	}
	if expired(v, now) {
		delete(s.byID, k)
		return "", false
	}
	v.seen = now
	return v.csrf, true
}

// end forgets a session: its id opens nothing any more.
func (s *sessionStore) end(id string) {
	s.mu.Lock()
	delete(s.byID, sha256.Sum256([]byte(id)))
	s.mu.Unlock()
}

func (s *sessionStore) prune(now time.Time) {
	for k, v := range s.byID {
		if expired(v, now) {
			delete(s.byID, k)
		}
	}
}

func expired(v *session, now time.Time) bool {
	return now.Sub(v.seen) >= sessionIdle || now.Sub(v.created) >= sessionLife
}
