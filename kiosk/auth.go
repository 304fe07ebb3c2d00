package kiosk

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"math/big"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/ocop-kiosk/kiosk/pos"
)

const (
	metaPIN = "manager_pin"
)

// Guessing the manager PIN. Only screens that use the PIN may send it (the
// kiosk's own screen and paired tills; see admit), and every guess counts
// against two keys at once, reserved before the PIN is checked:
//
//   - the client's address: pinMaxFailures wrong PINs lock it out for
//     pinLockout, doubling with each lockout in a row up to an hour;
//   - the PIN itself, whatever address the guesses come from:
//     pinTargetFailures wrong PINs lock it out for pinTargetLockout,
//     doubling up to an hour. The kiosk's own screen has a budget of its
//     own, so guesses from paired devices cannot lock the manager out of
//     the kiosk itself.
//
// README "Guessing budget" works out what this allows in a day.
const (
	pinMaxFailures    = 5
	pinLockout        = 30 * time.Second
	pinTargetFailures = 10
	pinTargetLockout  = time.Minute
	pinMaxLockout     = time.Hour
)

var (
	pinPerAddress = guessLimit{Failures: pinMaxFailures, Base: pinLockout, Max: pinMaxLockout,
		ForgetFailures: time.Hour, ForgetLevel: 24 * time.Hour, ForgiveOnRight: true}
	pinPerTarget = guessLimit{Failures: pinTargetFailures, Base: pinTargetLockout, Max: pinMaxLockout,
		ForgetFailures: time.Hour, ForgetLevel: 24 * time.Hour}
)

// pinKeys are the keys a PIN guess by who counts against.
func pinKeys(who caller) []guessKey {
	target := "pin:devices"
	if who.kind == byKiosk {
		target = "pin:kiosk"
	}
	return []guessKey{{"addr:" + who.addr, pinPerAddress}, {target, pinPerTarget}}
}

// randomDigits returns n random decimal digits.
func randomDigits(n int) (string, error) {
	var b strings.Builder
	for range n {
		d, err := rand.Int(rand.Reader, big.NewInt(10))
		if err != nil {
			return "", err
		}
		b.WriteByte(byte('0' + d.Int64()))
	}
	return b.String(), nil
}

func randomToken() (string, error) {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

func tokenHash(tok string) []byte {
	h := sha256.Sum256([]byte(tok))
	return h[:]
}

// guard holds the kiosk's secrets: the manager PIN (hashed), the paired
// devices (by the hash of their token), the local control token, and the count
// of guesses at the PIN.
type guard struct {
	store   *pos.Store
	control string // local control token, accepted from loopback only
	pins    *guesses

	mu      sync.Mutex
	pinHash string
	devices map[string]pos.Device // hex(token hash) → device
	active  map[string]bool       // ids of devices not revoked
	now     func() time.Time
	// heard, when set, hears the address of each request a device token let
	// in: the listener keeps room for paired devices during a flood (run.go).
	heard func(net.IP)
}

func newGuard(store *pos.Store, control string) (*guard, error) {
	g := &guard{store: store, control: control, pins: newGuesses(), devices: map[string]pos.Device{},
		active: map[string]bool{}, now: time.Now}
	h, err := store.Meta(metaPIN)
	if err != nil {
		return nil, err
	}
	g.pinHash = h
	ds, err := store.Devices()
	if err != nil {
		return nil, err
	}
	for _, d := range ds {
		if !d.Revoked {
			g.devices[hex.EncodeToString(d.TokenHash)] = d
			g.active[d.ID] = true
		}
	}
	return g, nil
}

func (g *guard) clock() time.Time {
	g.mu.Lock()
	now := g.now
	g.mu.Unlock()
	return now()
}

// setPIN stores a new manager PIN (hashed).
func (g *guard) setPIN(pin string) error {
	h, err := pos.HashPIN(pin)
	if err != nil {
		return err
	}
	if err := g.store.SetMeta(metaPIN, h); err != nil {
		return err
	}
	g.mu.Lock()
	g.pinHash = h
	g.mu.Unlock()
	return nil
}

func (g *guard) hasPIN() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.pinHash != ""
}

func (g *guard) pinMatches(pin string) bool {
	g.mu.Lock()
	h := g.pinHash
	g.mu.Unlock()
	return h != "" && pos.PINMatches(h, pin)
}

func bearer(c *fiber.Ctx) string {
	a := c.Get(fiber.HeaderAuthorization)
	if len(a) > 7 && strings.EqualFold(a[:7], "bearer ") {
		return strings.TrimSpace(a[7:])
	}
	return ""
}

// device returns the paired device presenting tok.
func (g *guard) device(tok string) (pos.Device, bool) {
	if tok == "" {
		return pos.Device{}, false
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	d, ok := g.devices[hex.EncodeToString(tokenHash(tok))]
	return d, ok
}

// deviceHeard tells the listener that a paired device spoke from c's address.
func (g *guard) deviceHeard(c *fiber.Ctx) {
	if g.heard != nil {
		g.heard(c.Context().RemoteIP())
	}
}

// active says whether the device with id is paired and not revoked.
func (g *guard) activeDevice(id string) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.active[id]
}

// manager asks for the manager PIN in X-Manager-Pin (or, from the kiosk
// machine itself, the control token in X-Kiosk-Control). A guess is reserved
// before the PIN is checked, so a burst of guesses at once gets no more than
// the limit; while a key is locked out even the right PIN is refused, or the
// answer would tell a guesser it was right.
func (g *guard) manager(c *fiber.Ctx, who caller) error {
	if ct := c.Get(headerControl); ct != "" && who.local && g.control != "" &&
		subtle.ConstantTimeCompare([]byte(ct), []byte(g.control)) == 1 {
		c.Locals("who", "manager")
		return nil
	}
	pin := c.Get(headerManagerPIN)
	if pin == "" {
		return newAPIError(fiber.StatusUnauthorized, "pin_required", "this action needs the manager PIN in the X-Manager-Pin header")
	}
	if retry, err := g.checkPIN(who, pin); err != nil {
		if retry > 0 {
			c.Set(fiber.HeaderRetryAfter, strconv.Itoa(retry))
		}
		return err
	}
	c.Locals("who", "manager")
	return nil
}

// checkPIN checks a manager PIN who sent (in a header, or over the websocket
// with a discount), counting the guess against who's keys. A locked key
// answers pin_locked with the seconds to wait, a wrong PIN bad_pin.
func (g *guard) checkPIN(who caller, pin string) (retry int, err error) {
	keys := pinKeys(who)
	wait, ok := g.pins.begin(g.clock(), keys...)
	if !ok {
		return retryAfter(wait), newAPIError(fiber.StatusTooManyRequests, "pin_locked", fmt.Sprintf("too many wrong PINs; try again in %d s", retryAfter(wait)))
	}
	right := g.pinMatches(pin)
	g.pins.end(g.clock(), right, keys...)
	if !right {
		return 0, newAPIError(fiber.StatusForbidden, "bad_pin", "wrong manager PIN")
	}
	return 0, nil
}

// pair issues a device token; only its hash is stored.
func (g *guard) pair(name, role, till string) (pos.Device, string, error) {
	tok, err := randomToken()
	if err != nil {
		return pos.Device{}, "", err
	}
	now := g.clock()
	d := pos.Device{ID: pos.NewID(now), Name: name, Role: role, Till: till, TokenHash: tokenHash(tok), Created: now}
	if err := g.store.PutDevice(d); err != nil {
		return pos.Device{}, "", err
	}
	g.mu.Lock()
	g.devices[hex.EncodeToString(d.TokenHash)] = d
	g.active[d.ID] = true
	g.mu.Unlock()
	return d, tok, nil
}

// revoke refuses the device's token from now on. Its open websockets are
// closed by the hub (Server.revokeDevice).
func (g *guard) revoke(id string) error {
	if err := g.store.RevokeDevice(id); err != nil {
		return err
	}
	g.mu.Lock()
	for k, d := range g.devices {
		if d.ID == id {
			delete(g.devices, k)
		}
	}
	delete(g.active, id)
	g.mu.Unlock()
	return nil
}
