package kiosk

import (
	"crypto/pbkdf2"
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
	metaPIN        = "manager_pin"
	pinIterations  = 60_000
	pinMaxFailures = 5
	pinLockout     = 30 * time.Second
)

func validPIN(p string) bool {
	if len(p) < 4 || len(p) > 12 {
		return false
	}
	for _, c := range p {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// hashPIN derives a stored form of a PIN: pbkdf2-sha256$iterations$salt$key.
func hashPIN(pin string) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key, err := pbkdf2.Key(sha256.New, pin, salt, pinIterations, 32)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("pbkdf2-sha256$%d$%s$%s", pinIterations,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

func checkPIN(stored, pin string) bool {
	parts := strings.Split(stored, "$")
	if len(parts) != 4 || parts[0] != "pbkdf2-sha256" {
		return false
	}
	iter, err := strconv.Atoi(parts[1])
	if err != nil || iter < 1 {
		return false
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[2])
	want, err2 := base64.RawStdEncoding.DecodeString(parts[3])
	if err1 != nil || err2 != nil {
		return false
	}
	got, err := pbkdf2.Key(sha256.New, pin, salt, iter, len(want))
	return err == nil && subtle.ConstantTimeCompare(got, want) == 1
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

// guard decides who may use the till and manager API: loopback clients and paired
// devices for the till; the manager PIN (or the local control token) on top for
// manager actions. Failed PIN attempts lock a client address out for a while, so a
// 6-digit PIN cannot be guessed from the fair's LAN.
type guard struct {
	store   *pos.Store
	control string // local control token, accepted from loopback only

	mu       sync.Mutex
	pinHash  string
	devices  map[string]pos.Device // hex(token hash) → device
	failures map[string]*pinFailures
	now      func() time.Time
	// heard, when set, hears the address of each request a device token let
	// in: the listener keeps room for paired devices during a flood (run.go).
	heard func(net.IP)
}

type pinFailures struct {
	n     int
	until time.Time
}

func newGuard(store *pos.Store, control string) (*guard, error) {
	g := &guard{store: store, control: control, devices: map[string]pos.Device{}, failures: map[string]*pinFailures{}, now: time.Now}
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
		}
	}
	return g, nil
}

// setPIN stores a new manager PIN (hashed).
func (g *guard) setPIN(pin string) error {
	h, err := hashPIN(pin)
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
	return h != "" && checkPIN(h, pin)
}

func isLoopback(c *fiber.Ctx) bool {
	ip := net.ParseIP(c.Context().RemoteIP().String())
	return ip != nil && ip.IsLoopback()
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

// till lets loopback clients and paired devices through.
func (g *guard) till(c *fiber.Ctx) error {
	if isLoopback(c) {
		c.Locals("who", "local")
		return c.Next()
	}
	tok := bearer(c)
	if tok == "" {
		return newAPIError(fiber.StatusUnauthorized, "unauthorized", "this API answers the kiosk itself and paired devices; pair this device from the manager page")
	}
	d, ok := g.device(tok)
	if !ok {
		return newAPIError(fiber.StatusForbidden, "forbidden", "device token unknown or revoked")
	}
	g.deviceHeard(c)
	// A customer display or self-service screen reads; it never sells or manages.
	if (d.Role == roleDisplay || d.Role == roleSelf) && c.Method() != fiber.MethodGet && c.Method() != fiber.MethodHead {
		return newAPIError(fiber.StatusForbidden, "forbidden", "this screen was paired as a "+d.Role+": it can only read")
	}
	c.Locals("who", "device:"+d.Name)
	return c.Next()
}

// manager additionally asks for the manager PIN in X-Manager-Pin (or, from the
// kiosk machine itself, the control token in X-Kiosk-Control).
func (g *guard) manager(c *fiber.Ctx) error {
	if ct := c.Get("X-Kiosk-Control"); ct != "" && isLoopback(c) && g.control != "" &&
		subtle.ConstantTimeCompare([]byte(ct), []byte(g.control)) == 1 {
		c.Locals("who", "manager")
		return c.Next()
	}
	pin := c.Get("X-Manager-Pin")
	if pin == "" {
		return newAPIError(fiber.StatusUnauthorized, "pin_required", "this action needs the manager PIN in the X-Manager-Pin header")
	}
	client := c.Context().RemoteIP().String()
	now := g.now()
	g.mu.Lock()
	f := g.failures[client]
	if f != nil && now.Before(f.until) {
		g.mu.Unlock()
		return newAPIError(fiber.StatusTooManyRequests, "pin_locked", fmt.Sprintf("too many wrong PINs; try again in %d s", int(f.until.Sub(now).Seconds())+1))
	}
	g.mu.Unlock()
	if !g.pinMatches(pin) {
		g.mu.Lock()
		if f == nil {
			f = &pinFailures{}
			g.failures[client] = f
		}
		f.n++
		if f.n >= pinMaxFailures {
			f.n, f.until = 0, now.Add(pinLockout)
		}
		g.mu.Unlock()
		return newAPIError(fiber.StatusForbidden, "bad_pin", "wrong manager PIN")
	}
	g.mu.Lock()
	delete(g.failures, client)
	g.mu.Unlock()
	c.Locals("who", "manager")
	return c.Next()
}

// pair issues a device token; only its hash is stored.
func (g *guard) pair(name, role, till string) (pos.Device, string, error) {
	tok, err := randomToken()
	if err != nil {
		return pos.Device{}, "", err
	}
	d := pos.Device{ID: pos.NewID(g.now()), Name: name, Role: role, Till: till, TokenHash: tokenHash(tok), Created: g.now()}
	if err := g.store.PutDevice(d); err != nil {
		return pos.Device{}, "", err
	}
	g.mu.Lock()
	g.devices[hex.EncodeToString(d.TokenHash)] = d
	g.mu.Unlock()
	return d, tok, nil
}

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
	g.mu.Unlock()
	return nil
}
