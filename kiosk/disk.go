package kiosk

import (
	"errors"
	"os"
	"path/filepath"
	"sync"

	"github.com/gofiber/fiber/v2"
)

// A full disk is the one failure a vendor can mend at the booth (delete old
// prints and backups, swap the card), so the kiosk names it: requests answer
// 507 disk_full instead of 500 internal, /healthz turns degraded, and the
// screens show a banner. Nothing is held back meanwhile: each sale tries its
// write, so selling resumes with the first one after space returns.

const (
	// diskLow is free space under which the disk counts as full even before a
	// write failed: a sale's transaction writes a few pages of 4 KiB.
	diskLow = 64 << 10
	// diskRoomAgain is how much more space than when a write failed counts as
	// the disk having been cleared.
	diskRoomAgain = 1 << 20
)

// diskWatch knows whether the data folder's disk is full.
type diskWatch struct {
	dir string

	mu         sync.Mutex
	full       bool   // a write failed for lack of space and none succeeded since
	freeAtFull uint64 // free bytes when it failed (if known)
}

// diskState is what /healthz reports of the disk.
type diskState struct {
	Full      bool
	Free      uint64 // free bytes for the kiosk's files
	FreeKnown bool
}

// isDiskFull reports whether err is a write that found no room: the disk
// (ENOSPC) or the kiosk user's quota (EDQUOT) is full.
func isDiskFull(err error) bool {
	for _, e := range diskFullErrnos {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// failed notes a request's error: a full disk makes the disk full until a
// write succeeds or space returns.
func (d *diskWatch) failed(err error) {
	if !isDiskFull(err) {
		return
	}
	free, known := freeBytes(d.dir)
	d.mu.Lock()
	d.full = true
	d.freeAtFull = 0
	if known {
		d.freeAtFull = free
	}
	d.mu.Unlock()
}

// wrote notes that a write succeeded.
func (d *diskWatch) wrote() {
	d.mu.Lock()
	d.full = false
	d.mu.Unlock()
}

// state says whether the disk is full now. After a failed write it is, until
// a write succeeds or a megabyte more than then is free (where free space
// cannot be read, until a probe file of diskLow bytes can be written).
func (d *diskWatch) state() diskState {
	free, known := freeBytes(d.dir)
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.full {
		if known {
			d.full = free < d.freeAtFull+diskRoomAgain
		} else {
			d.full = !d.probe()
		}
	}
	return diskState{Full: d.full || (known && free < diskLow), Free: free, FreeKnown: known}
}

// probe writes, syncs and removes a file of diskLow bytes in the data folder.
func (d *diskWatch) probe() bool {
	f, err := os.CreateTemp(d.dir, ".space-probe-*")
	if err != nil {
		return false
	}
	defer os.Remove(f.Name())
	_, err = f.Write(make([]byte, diskLow))
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err == nil
}

// watchDisk notes every API request's outcome: a full disk on failure, a
// successful write on a change that succeeded.
func (s *Server) watchDisk(c *fiber.Ctx) error {
	err := c.Next()
	switch {
	case err != nil:
		s.disk.failed(err)
	case c.Method() != fiber.MethodGet && c.Method() != fiber.MethodHead && c.Response().StatusCode() < 300:
		s.disk.wrote()
	}
	return err
}

func newDiskWatch(dataDir string) *diskWatch {
	return &diskWatch{dir: filepath.Clean(dataDir)}
}
