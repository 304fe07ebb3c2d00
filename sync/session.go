package sync

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"time"
)

// A manager's browser signed in to the report pages holds only a session id;
// what the id stands for is kept by the hub under the id's SHA-256: in the
// hub's memory on bbolt (one process owns the file), in the database when the
// store keeps sessions itself (SessionStore: PostgreSQL, which several hub
// processes share). The admin token never leaves the sign-in form, and
// neither the token nor a session id is ever stored.
const (
	SessionIdle = 12 * time.Hour     // a session unused this long ends
	SessionLife = 3 * 24 * time.Hour // and any session ends this long after sign-in
	MaxSessions = 256                // the oldest unused one gives way beyond this
)

// SessionKey is the SHA-256 of a session id: what a session is kept under, so
// that a lookup takes no time that depends on how much of an id was right and
// a copy of the store opens no session.
type SessionKey = [sha256.Size]byte

// SessionStore is a hub store that keeps the managers' sign-in state itself,
// for every hub process on it to share: the sessions, by their keys, and the
// counts of wrong admin tokens the login limiter keeps (loginlimit.go). A hub
// on such a store keeps none of it in memory; on any other store it does.
// Every call takes the time from the hub, so that the rules are the same
// whichever keeps them.
type SessionStore interface {
	// StartSession keeps a new session with its CSRF token, first ending
	// the expired ones and, with MaxSessions live, the one unused longest.
	StartSession(key SessionKey, csrf string, now time.Time) error
	// TouchSession answers the CSRF token of a live session and marks it
	// used at now; ok is false for a key unknown, ended or expired (an
	// expired one is ended). A session is live while it was used within
	// SessionIdle and started within SessionLife.
	TouchSession(key SessionKey, now time.Time) (csrf string, ok bool, err error)
	// EndSession ends a session: its id opens nothing any more.
	EndSession(key SessionKey) error
	// CountLogin runs fn on the wrong-token counts of one address (as
	// limitKey names it) and of the hub as a whole, and keeps what fn
	// leaves. Every other CountLogin, in any hub process, waits for it, so
	// that a burst of guesses spread over processes is counted one by one.
	// Counts whose failures are forgotten (LoginForget) may be swept.
	CountLogin(addr string, now time.Time, fn func(*LoginCounts)) error
}

// newSecret is 256 random bits as base64url: session ids and CSRF tokens.
func newSecret() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("random secret: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// startSession makes a session and answers its id (for the cookie) and its
// CSRF token.
func (a *hubAuth) startSession() (id, csrf string, err error) {
	if id, err = newSecret(); err != nil {
		return "", "", err
	}
	if csrf, err = newSecret(); err != nil {
		return "", "", err
	}
	if err := a.store.StartSession(sha256.Sum256([]byte(id)), csrf, a.now()); err != nil {
		return "", "", fmt.Errorf("start a session: %w", err)
	}
	return id, csrf, nil
}

// lookupSession answers the CSRF token of a live session and marks it used;
// live is false for an id that is unknown, ended or expired.
func (a *hubAuth) lookupSession(id string) (csrf string, live bool, err error) {
	if id == "" {
		return "", false, nil
	}
	csrf, live, err = a.store.TouchSession(sha256.Sum256([]byte(id)), a.now())
	if err != nil {
		return "", false, fmt.Errorf("look up a session: %w", err)
	}
	return csrf, live, nil
}

// endSession forgets a session.
func (a *hubAuth) endSession(id string) error {
	if err := a.store.EndSession(sha256.Sum256([]byte(id))); err != nil {
		return fmt.Errorf("end a session: %w", err)
	}
	return nil
}

// sessionExpired is the rule every SessionStore keeps.
func sessionExpired(created, seen, now time.Time) bool {
	return now.Sub(seen) >= SessionIdle || now.Sub(created) >= SessionLife
}
