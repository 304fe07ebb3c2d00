package pos

import (
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Device is a screen paired with the kiosk (a tablet as customer display, a second
// till). Only a hash of its token is kept.
type Device struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// Role and Till bind a screen paired for one job: a customer display of till
	// T1 may only watch T1. Empty means a full till.
	Role      string    `json:"role,omitempty"`
	Till      string    `json:"till,omitempty"`
	TokenHash []byte    `json:"token_hash"`
	Created   time.Time `json:"created"`
	Revoked   bool      `json:"revoked,omitempty"`
}

// PutDevice records a paired device.
func (s *Store) PutDevice(d Device) error {
	return s.commit(func(tx *bolt.Tx) error { return putJSON(tx.Bucket(bDevices), []byte(d.ID), d) })
}

// Devices returns the paired devices.
func (s *Store) Devices() ([]Device, error) {
	return listJSON[Device](s, bDevices, nil)
}

// RevokeDevice marks a device's token as no longer valid.
func (s *Store) RevokeDevice(id string) error {
	return s.commit(func(tx *bolt.Tx) error {
		var d Device
		ok, err := getJSON(tx.Bucket(bDevices), []byte(id), &d)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("%w: device %q", ErrNotFound, id)
		}
		d.Revoked = true
		return putJSON(tx.Bucket(bDevices), []byte(id), d)
	})
}
