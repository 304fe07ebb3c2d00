package pos

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"
)

// ---- backup ----

// Backup writes a consistent snapshot of the whole store to w while sales go on,
// and returns its size. sized, when not nil, learns the size before the first byte
// is written (for a Content-Length).
func (s *Store) Backup(w io.Writer, sized func(int64)) (int64, error) {
	var n int64
	err := s.db.View(func(tx *bolt.Tx) error {
		if sized != nil {
			sized(tx.Size())
		}
		var err error
		n, err = tx.WriteTo(w)
		return err
	})
	return n, err
}

// CheckBackup opens a backup file read-only and verifies it is a kiosk store
// this build can read and that bbolt finds consistent, returning how many sales
// records it holds.
func CheckBackup(path string) (sales int, err error) {
	r, err := Check(path)
	if err != nil {
		return 0, fmt.Errorf("backup %s: %w", path, err)
	}
	return r.Records, nil
}

// Restore replaces the store file at dst with the backup at src. The kiosk must be
// stopped: Restore takes the store's lock first and fails with ErrLocked otherwise.
// The replaced file is kept beside it as dst.before-restore-<time>.
//
// A backup is behind the sales made after it, which the hub may hold: the
// restored store's numbering is marked not verified, so that the kiosk sells in
// a provisional receipt series until it has recovered those records from the hub
// (see Numbering). The backup file itself is not changed.
func Restore(src, dst string) (sales int, err error) {
	sales, err = CheckBackup(src)
	if err != nil {
		return 0, err
	}
	if fi, err := os.Stat(dst); err == nil && fi.Size() > 0 {
		// A read-only open takes a shared lock, which a running kiosk's holds off,
		// and writes nothing, whatever the file holds.
		lock, err := openBolt(dst, time.Second, true, storeAdvice)
		if errors.Is(err, ErrLocked) {
			return 0, fmt.Errorf("restore into %s: %w (stop the kiosk first)", dst, ErrLocked)
		}
		if err == nil {
			lock.Close()
		}
		// A damaged store is what a restore is for: it is kept aside below.
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return 0, err
	}
	tmp := dst + ".restoring"
	if err := copyFileSync(src, tmp); err != nil {
		return 0, fmt.Errorf("restore: %w", err)
	}
	if err := markRestored(tmp, src); err != nil {
		os.Remove(tmp)
		return 0, fmt.Errorf("restore: %w", err)
	}
	if _, err := os.Stat(dst); err == nil {
		old := dst + ".before-restore-" + time.Now().UTC().Format("20060102T150405Z")
		if err := os.Rename(dst, old); err != nil {
			os.Remove(tmp)
			return 0, fmt.Errorf("restore: keep old store: %w", err)
		}
	}
	if err := os.Rename(tmp, dst); err != nil {
		return 0, fmt.Errorf("restore: %w", err)
	}
	return sales, syncDir(filepath.Dir(dst))
}

// markRestored stops trusting the numbering of a restored copy (and brings an
// old schema forward on the way, so the kiosk id is known).
func markRestored(path, from string) error {
	db, err := openBolt(path, time.Second, false, storeAdvice)
	if err != nil {
		return err
	}
	defer db.Close()
	var kiosk string
	err = db.View(func(tx *bolt.Tx) error {
		if _, _, err := identify(tx); err != nil {
			return err
		}
		kiosk = storeKiosk(tx)
		return nil
	})
	if err != nil {
		return err
	}
	if kiosk == "" {
		kiosk = "K01"
	}
	if err := prepare(db, kiosk, false); err != nil {
		return err
	}
	return db.Update(func(tx *bolt.Tx) error {
		_, err := unverify(tx, "restored from the backup "+filepath.Base(from))
		return err
	})
}

func copyFileSync(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	_ = d.Sync() // not supported everywhere (Windows); the rename is already done
	return nil
}
