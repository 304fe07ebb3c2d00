package pos

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	bolt "go.etcd.io/bbolt"
)

// Cashiers are the people who sell at the tills. The manager names them,
// each with a PIN of their own; a cashier signs in at a till with it, and
// the sales that till makes record who sold (the receipt prints the name,
// the Z-report totals each). A kiosk with no cashiers sells as before: the
// receipt names the till.

// Errors of cashiers.
var (
	// ErrBadCashier is a cashier the manager cannot add as asked: no name, a
	// name too long or taken, a PIN that is not 4 to 8 digits.
	ErrBadCashier = errors.New("bad cashier")
	// ErrCashierPIN is a wrong PIN at sign-in.
	ErrCashierPIN = errors.New("wrong cashier PIN")
	// ErrCashierRequired is a sale at a till where no cashier has signed in,
	// on a kiosk that has cashiers.
	ErrCashierRequired = errors.New("a cashier must sign in at the till")
)

// MaxCashierName bounds a cashier's name (characters).
const MaxCashierName = 40

// SaleCashier is who sold, as a sale records it: the cashier's id and the
// name at the time.
type SaleCashier struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Cashier is one of the people who sell. The PIN is kept as HashPIN keeps
// it; a cashier removed is kept, inactive, for the sales that name them.
type Cashier struct {
	ID      string    `json:"id"`
	Name    string    `json:"name"`
	Active  bool      `json:"active"`
	Created time.Time `json:"created"`
	PINHash string    `json:"pin_hash"`
}

// Public is what screens and listings see of a cashier.
func (c Cashier) Public() SaleCashier { return SaleCashier{ID: c.ID, Name: c.Name} }

var bCashiers = []byte("cashiers")

// validCashierPIN says whether pin may be a cashier's: 4 to 8 digits.
func validCashierPIN(pin string) bool { return digitsBetween(pin, 4, 8) }

// AddCashier names a new cashier with a PIN of 4 to 8 digits. Names are
// unique among active cashiers, as Vietnamese folds them (Lan and LAN are one).
func (s *Store) AddCashier(name, pin string) (Cashier, error) {
	name = strings.Join(strings.Fields(name), " ")
	switch {
	case name == "" || !utf8.ValidString(name):
		return Cashier{}, fmt.Errorf("%w: a cashier needs a name", ErrBadCashier)
	case utf8.RuneCountInString(name) > MaxCashierName:
		return Cashier{}, fmt.Errorf("%w: name longer than %d characters", ErrBadCashier, MaxCashierName)
	case !validCashierPIN(pin):
		return Cashier{}, fmt.Errorf("%w: the PIN is 4 to 8 digits", ErrBadCashier)
	}
	hash, err := HashPIN(pin)
	if err != nil {
		return Cashier{}, err
	}
	now := s.now()
	c := Cashier{ID: NewID(now), Name: name, Active: true, Created: now, PINHash: hash}
	err = s.commit(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bCashiers)
		if err != nil {
			return abortTx{err}
		}
		folded, taken := Fold(name), ""
		if err := activeCashiers(tx, func(o Cashier) bool {
			if Fold(o.Name) == folded {
				taken = o.Name
			}
			return taken == ""
		}); err != nil {
			return err
		}
		if taken != "" {
			return fmt.Errorf("%w: a cashier is named %s already", ErrBadCashier, taken)
		}
		return putJSON(b, []byte(c.ID), c)
	})
	return c, err
}

// activeCashiers calls fn with each active cashier until it answers false.
func activeCashiers(tx *bolt.Tx, fn func(Cashier) bool) error {
	b := tx.Bucket(bCashiers)
	if b == nil {
		return nil
	}
	c := b.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		var ca Cashier
		if err := json.Unmarshal(v, &ca); err != nil {
			return fmt.Errorf("cashier %s: %w", k, err)
		}
		if ca.Active && !fn(ca) {
			return nil
		}
	}
	return nil
}

// Cashiers lists the active cashiers by name.
func (s *Store) Cashiers() ([]Cashier, error) {
	var out []Cashier
	err := s.db.View(func(tx *bolt.Tx) error {
		return activeCashiers(tx, func(c Cashier) bool { out = append(out, c); return true })
	})
	sort.Slice(out, func(i, j int) bool { return Fold(out[i].Name) < Fold(out[j].Name) })
	return out, err
}

// HasCashiers says whether the kiosk has any active cashier (then a till
// sells only with one signed in). Every checkout asks: it stops at the first.
func (s *Store) HasCashiers() (bool, error) {
	found := false
	err := s.db.View(func(tx *bolt.Tx) error {
		return activeCashiers(tx, func(Cashier) bool { found = true; return false })
	})
	return found, err
}

// RemoveCashier makes a cashier inactive: no longer listed nor able to sign
// in; the sales that name them keep the name.
func (s *Store) RemoveCashier(id string) error {
	return s.commit(func(tx *bolt.Tx) error {
		b := tx.Bucket(bCashiers)
		var c Cashier
		if b == nil {
			return fmt.Errorf("%w: cashier %s", ErrNotFound, id)
		}
		if ok, err := getJSON(b, []byte(id), &c); err != nil {
			return err
		} else if !ok || !c.Active {
			return fmt.Errorf("%w: cashier %s", ErrNotFound, id)
		}
		c.Active = false
		return putJSON(b, []byte(id), c)
	})
}

// CheckCashier answers the active cashier id names when pin is theirs:
// ErrNotFound for no such cashier, ErrCashierPIN for a wrong PIN.
func (s *Store) CheckCashier(id, pin string) (SaleCashier, error) {
	var c Cashier
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bCashiers)
		if b == nil {
			return fmt.Errorf("%w: cashier %s", ErrNotFound, id)
		}
		ok, err := getJSON(b, []byte(id), &c)
		if err != nil {
			return err
		}
		if !ok || !c.Active {
			return fmt.Errorf("%w: cashier %s", ErrNotFound, id)
		}
		return nil
	})
	if err != nil {
		return SaleCashier{}, err
	}
	if !validCashierPIN(pin) || !PINMatches(c.PINHash, pin) {
		return SaleCashier{}, fmt.Errorf("%w: %s", ErrCashierPIN, c.Name)
	}
	return c.Public(), nil
}
