package pos

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
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

// CheckBackup opens a backup file read-only and verifies it is a store this build
// can read, returning how many sales it holds.
func CheckBackup(path string) (sales int, err error) {
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		return 0, fmt.Errorf("backup %s: %w", path, err)
	}
	defer db.Close()
	err = db.View(func(tx *bolt.Tx) error {
		m := tx.Bucket(bMeta)
		if m == nil {
			return fmt.Errorf("%w: no meta bucket, not a kiosk store", ErrSchema)
		}
		n, err := strconv.Atoi(string(m.Get(kSchema)))
		if err != nil || n < 1 || n > SchemaVersion {
			return fmt.Errorf("%w: version %q", ErrSchema, m.Get(kSchema))
		}
		if b := tx.Bucket(bSales); b != nil {
			sales = b.Stats().KeyN
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("backup %s: %w", path, err)
	}
	return sales, nil
}

// Restore replaces the store file at dst with the backup at src. The kiosk must be
// stopped: Restore takes the store's lock first and fails with ErrLocked otherwise.
// The replaced file is kept beside it as dst.before-restore-<time>.
func Restore(src, dst string) (sales int, err error) {
	sales, err = CheckBackup(src)
	if err != nil {
		return 0, err
	}
	if _, err := os.Stat(dst); err == nil {
		lock, err := bolt.Open(dst, 0o600, &bolt.Options{Timeout: time.Second})
		if err != nil {
			if errors.Is(err, berrors.ErrTimeout) {
				return 0, fmt.Errorf("restore into %s: %w (stop the kiosk first)", dst, ErrLocked)
			}
			return 0, fmt.Errorf("restore into %s: %w", dst, err)
		}
		lock.Close()
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return 0, err
	}
	tmp := dst + ".restoring"
	if err := copyFileSync(src, tmp); err != nil {
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
