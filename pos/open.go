package pos

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// SchemaVersion is the layout of the store's buckets. Open refuses a store written
// by a newer version rather than misreading it, and moves an older one forward.
//
//	1: the first layout, with an outbox bucket holding a copy of each record.
//	2: one store-wide record sequence (sales_by_seq) that the outbox reads as a
//	   cursor, receipt series, running shift totals, idempotency keys by sequence,
//	   and the store names its kind and kiosk.
const SchemaVersion = 2

// storeKind marks a file as a kiosk store, so that no other bbolt file (a hub's
// store, a stray database) is ever taken for one and written over.
const storeKind = "ocop-kiosk-store"

// Errors Open reports about the file itself.
var (
	// ErrSchema reports a store this build cannot read.
	ErrSchema = errors.New("store schema not supported")
	// ErrDamaged reports a store file that is empty, truncated or fails bbolt's
	// consistency check.
	ErrDamaged = errors.New("store damaged")
	// ErrNotAStore reports a file that is not a kiosk store.
	ErrNotAStore = errors.New("not a kiosk store")
	// ErrWrongKiosk reports a store that numbers receipts for another kiosk id.
	ErrWrongKiosk = errors.New("store belongs to another kiosk")
)

// StoreOptions configures Open.
type StoreOptions struct {
	KioskID string        // numbers receipts, e.g. "K01"
	Timeout time.Duration // how long to wait for another process's lock; default 1 s
	Now     func() time.Time
}

// storeAdvice is what a person can do about a store the kiosk will not open.
const storeAdvice = "The kiosk does not write over it. `kiosk check` says what the file holds; " +
	"`kiosk restore BACKUP` puts a backup in its place (with -hub set, the kiosk then also recovers " +
	"from the hub what the backup lacks); or move the file aside to start an empty store."

// Open opens the store at path, or creates it when no file is there. It refuses,
// without writing anything, a file that is empty, damaged, not a kiosk store,
// from a newer version, or numbering receipts for another kiosk id.
func Open(path string, o StoreOptions) (*Store, error) {
	if o.KioskID == "" {
		o.KioskID = "K01"
	}
	if o.Timeout <= 0 {
		o.Timeout = time.Second
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	db, fresh, err := OpenFile(path, o.Timeout, false, storeAdvice)
	if err != nil {
		return nil, err
	}
	if err := prepare(db, o.KioskID, fresh); err != nil {
		db.Close()
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	s := &Store{db: db, kioskID: o.KioskID, now: o.Now, path: path, fresh: fresh,
		reqs: make(chan *commitReq, 1024), stop: make(chan struct{}), stopped: make(chan struct{})}
	s.discountLimit.Store(int64(DefaultDiscountLimit))
	go s.committer()
	return s, nil
}

// OpenFile opens a store's bbolt file for the kiosk and the hub alike, or
// creates it when no file is there (fresh). It refuses, with advice to the
// person running it and without writing anything: an empty file (bbolt would
// silently make it a new database), a file bbolt cannot read or that panics or
// faults while it does, and one whose pages fail bbolt's consistency check. A
// file held by another process is ErrLocked after timeout.
func OpenFile(path string, timeout time.Duration, readOnly bool, advice string) (db *bolt.DB, fresh bool, err error) {
	fresh, err = inspectFile(path, advice)
	if err != nil {
		return nil, false, err
	}
	if fresh && readOnly {
		return nil, false, fmt.Errorf("open %s: %w", path, fs.ErrNotExist)
	}
	if !fresh {
		if err := checkPages(path); err != nil {
			return nil, false, fmt.Errorf("open store %s: %w: %v. %s", path, ErrDamaged, err, advice)
		}
		// bbolt's own check reads every page too. It runs on a read-only handle
		// that is closed afterwards, so the pages it touched do not stay in the
		// process's memory.
		ro, err := openBolt(path, timeout, true, advice)
		if err != nil {
			return nil, false, err
		}
		err = verify(ro)
		if cerr := ro.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return nil, false, fmt.Errorf("open store %s: %w. %s", path, err, advice)
		}
	}
	db, err = openBolt(path, timeout, readOnly, advice)
	if err != nil {
		return nil, false, err
	}
	return db, fresh, nil
}

// inspectFile tells whether path is still to be created, and refuses what bbolt
// would silently turn into a new database: an empty file.
func inspectFile(path, advice string) (fresh bool, err error) {
	st, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return true, nil
	case err != nil:
		return false, fmt.Errorf("open store: %w", err)
	case st.IsDir():
		return false, fmt.Errorf("open store %s: %w: it is a folder", path, ErrNotAStore)
	case st.Size() == 0:
		return false, fmt.Errorf("open store %s: %w: the file is empty (0 bytes), so it holds no sales, "+
			"not even the receipt counter. %s", path, ErrDamaged, advice)
	}
	return false, nil
}

// openBolt opens a bbolt file. A damaged file can make bbolt panic or fault while
// it reads the meta and freelist pages; both become ErrDamaged.
func openBolt(path string, timeout time.Duration, readOnly bool, advice string) (db *bolt.DB, err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			db, err = nil, fmt.Errorf("open store %s: %w: %v. %s", path, ErrDamaged, r, advice)
		}
	}()
	db, err = bolt.Open(path, 0o600, &bolt.Options{Timeout: timeout, ReadOnly: readOnly})
	if err == nil {
		return db, nil
	}
	if errors.Is(err, berrors.ErrTimeout) {
		return nil, fmt.Errorf("open %s: %w (stop the other process, or give this one its own -data folder)", path, ErrLocked)
	}
	if errors.Is(err, berrors.ErrInvalid) || errors.Is(err, berrors.ErrChecksum) || errors.Is(err, berrors.ErrVersionMismatch) ||
		strings.Contains(err.Error(), "file size too small") {
		return nil, fmt.Errorf("open store %s: %w: %v. %s", path, ErrDamaged, err, advice)
	}
	return nil, fmt.Errorf("open store %s: %w", path, err)
}

// verify runs bbolt's consistency check over every page. Damage found in a page
// would otherwise surface later as a panic in the middle of a sale. bbolt runs
// its check in a goroutine of its own, where a page pointer read from a damaged
// page faults (SIGSEGV, SIGBUS) beyond any recover: checkPages has followed
// every page reference with bounds before this runs.
func verify(db *bolt.DB) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: %v", ErrDamaged, r)
		}
	}()
	var problems []string
	err = db.View(func(tx *bolt.Tx) error {
		for e := range tx.Check() {
			if len(problems) < 5 {
				problems = append(problems, e.Error())
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("%w: %v", ErrDamaged, err)
	}
	if len(problems) > 0 {
		return fmt.Errorf("%w: the consistency check found: %s", ErrDamaged, strings.Join(problems, "; "))
	}
	return nil
}

// identify reads what a store says of itself: its kind, schema and kiosk. It
// writes nothing.
func identify(tx *bolt.Tx) (schema int, kiosk string, err error) {
	m := tx.Bucket(bMeta)
	if m == nil {
		return 0, "", fmt.Errorf("%w: it has no meta bucket (a hub's store, or another program's database?)", ErrNotAStore)
	}
	kind, v := m.Get(kStoreKind), m.Get(kSchema)
	if kind == nil && v == nil {
		return 0, "", fmt.Errorf("%w: it does not say it is one (a hub's store, or another program's database?)", ErrNotAStore)
	}
	if kind != nil && string(kind) != storeKind {
		return 0, "", fmt.Errorf("%w: it is a %q", ErrNotAStore, kind)
	}
	schema, err = strconv.Atoi(string(v))
	if err != nil || schema < 1 {
		return 0, "", fmt.Errorf("%w: schema version %q", ErrDamaged, v)
	}
	if schema > SchemaVersion {
		return 0, "", fmt.Errorf("%w: version %d, this kiosk reads up to %d (use a newer kiosk)", ErrSchema, schema, SchemaVersion)
	}
	return schema, string(m.Get(kStoreKiosk)), nil
}

// prepare checks the store's identity and brings it to the current schema: a new
// store gets its buckets and its name, an old one is migrated, and buckets added
// by later versions are created.
func prepare(db *bolt.DB, kioskID string, fresh bool) error {
	if !fresh {
		err := db.View(func(tx *bolt.Tx) error {
			_, kiosk, err := identify(tx)
			if err == nil && kiosk != "" && kiosk != kioskID {
				err = fmt.Errorf("%w: it numbers receipts for kiosk %s, not %s (start with -kiosk-id %s, or give this kiosk its own -data folder)",
					ErrWrongKiosk, kiosk, kioskID, kiosk)
			}
			return err
		})
		if err != nil {
			return err
		}
	}
	return db.Update(func(tx *bolt.Tx) error {
		for _, b := range allBuckets {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		m := tx.Bucket(bMeta)
		if fresh {
			return nameStore(m, kioskID)
		}
		schema, _, err := identify(tx)
		if err != nil {
			return err
		}
		if schema < 2 {
			kiosk, err := migrate1to2(tx, kioskID)
			if err != nil {
				return fmt.Errorf("moving the store to schema 2: %w", err)
			}
			if kiosk != kioskID {
				return fmt.Errorf("%w: it numbers receipts for kiosk %s, not %s (start with -kiosk-id %s)",
					ErrWrongKiosk, kiosk, kioskID, kiosk)
			}
		}
		return nameStore(m, kioskID)
	})
}

// nameStore writes what identify reads.
func nameStore(m *bolt.Bucket, kioskID string) error {
	for k, v := range map[string]string{string(kStoreKind): storeKind, string(kSchema): strconv.Itoa(SchemaVersion),
		string(kStoreKiosk): kioskID} {
		if err := m.Put([]byte(k), []byte(v)); err != nil {
			return err
		}
	}
	return nil
}
