package pos

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// SchemaVersion is the layout of the store's buckets. Open refuses a store written
// by a newer version rather than misreading it.
const SchemaVersion = 1

// ErrLocked reports a store already opened by another process.
var ErrLocked = errors.New("store is in use by another kiosk process")

// ErrSchema reports a store this build cannot read.
var ErrSchema = errors.New("store schema not supported")

var (
	bMeta      = []byte("meta")
	bProducers = []byte("producers")
	bProducts  = []byte("products")
	bStock     = []byte("stock")
	bStockLog  = []byte("stock_log")
	bLots      = []byte("lots")
	bSales     = []byte("sales")
	bSalesTime = []byte("sales_by_time") // unixnano|seq → id
	bSalesSeq  = []byte("sales_by_seq")  // receipt seq → id
	bUndo      = []byte("undo")          // original id|undo id → nil
	bReceipts  = []byte("receipts")      // one nested bucket per kiosk id; its sequence numbers receipts
	bOutbox    = []byte("outbox")        // seq → OutboxRecord
	bPrintJobs = []byte("print_jobs")    // seq → PrintJob
	bPrintWait = []byte("print_pending") // seq → nil, the jobs still to print
	bIdem      = []byte("idempotency")   // key → idemRecord
	bShifts    = []byte("shifts")        // id → Shift
	bDevices   = []byte("devices")       // id → Device

	allBuckets = [][]byte{bMeta, bProducers, bProducts, bStock, bStockLog, bLots, bSales, bSalesTime, bSalesSeq,
		bUndo, bReceipts, bOutbox, bPrintJobs, bPrintWait, bIdem, bShifts, bDevices, bOrders, bOrderCodes, bOrderIdem}

	kSchema       = []byte("schema_version")
	kCurrentShift = []byte("current_shift")
	kAcked        = []byte("outbox_acked")
)

// StoreOptions configures Open.
type StoreOptions struct {
	KioskID string        // numbers receipts, e.g. "K01"
	Timeout time.Duration // how long to wait for another process's lock; default 1 s
	Now     func() time.Time
}

// Store is the kiosk's bbolt database. Every sale is one fsync'ed transaction that
// also holds its stock changes, outbox record and print job; concurrent sales are
// group-committed by one goroutine so many tills share each fsync.
type Store struct {
	db      *bolt.DB
	kioskID string
	now     func() time.Time
	path    string

	reqs    chan *commitReq
	stop    chan struct{}
	stopped chan struct{}
	// gate orders enqueueing against Close: commits enqueue under the read lock,
	// Close marks the store closed under the write lock, so nothing can be queued
	// after the committer has drained the queue for the last time.
	gate    sync.RWMutex
	closed  bool
	closeMu sync.Once
}

// Open opens or creates the store at path.
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
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: o.Timeout})
	if err != nil {
		if errors.Is(err, berrors.ErrTimeout) {
			return nil, fmt.Errorf("open %s: %w (stop the other kiosk, or give this one its own -data folder)", path, ErrLocked)
		}
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, b := range allBuckets {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		m := tx.Bucket(bMeta)
		v := m.Get(kSchema)
		if v == nil {
			return m.Put(kSchema, []byte(strconv.Itoa(SchemaVersion)))
		}
		n, err := strconv.Atoi(string(v))
		if err != nil || n > SchemaVersion || n < 1 {
			return fmt.Errorf("%w: version %q, this kiosk reads up to %d", ErrSchema, v, SchemaVersion)
		}
		return nil
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	s := &Store{db: db, kioskID: o.KioskID, now: o.Now, path: path,
		reqs: make(chan *commitReq, 1024), stop: make(chan struct{}), stopped: make(chan struct{})}
	go s.committer()
	return s, nil
}

// KioskID is the id this store numbers receipts for.
func (s *Store) KioskID() string { return s.kioskID }

// Path is the store's file.
func (s *Store) Path() string { return s.path }

// Close waits for pending commits and closes the file.
func (s *Store) Close() error {
	var err error
	s.closeMu.Do(func() {
		s.gate.Lock()
		s.closed = true
		s.gate.Unlock()
		close(s.stop)
		<-s.stopped
		err = s.db.Close()
	})
	return err
}

// ---- group commit ----

// abortTx marks an error that happened after a unit of work began writing: the
// whole transaction is rolled back and every unit of the batch is retried alone.
type abortTx struct{ err error }

func (a abortTx) Error() string { return a.err.Error() }
func (a abortTx) Unwrap() error { return a.err }

type commitReq struct {
	fn   func(tx *bolt.Tx) error
	err  error
	done chan struct{}
}

// ErrClosed reports a write to a store that has been closed.
var ErrClosed = errors.New("store closed")

// commit runs fn in a write transaction shared with whatever other commits are
// waiting, and returns once that transaction is durable. fn must check everything
// that can fail before it writes, so that an error leaves nothing behind; a write
// that fails must return abortTx.
func (s *Store) commit(fn func(tx *bolt.Tx) error) error {
	r := &commitReq{fn: fn, done: make(chan struct{})}
	s.gate.RLock()
	if s.closed {
		s.gate.RUnlock()
		return ErrClosed
	}
	s.reqs <- r // the committer drains the queue before Close can finish
	s.gate.RUnlock()
	<-r.done
	return r.err
}

func (s *Store) committer() {
	defer close(s.stopped)
	batch := make([]*commitReq, 0, 256)
	for {
		batch = batch[:0]
		select {
		case r := <-s.reqs:
			batch = append(batch, r)
		case <-s.stop:
			// Finish what was queued before the stop.
			for {
				select {
				case r := <-s.reqs:
					s.run([]*commitReq{r})
				default:
					return
				}
			}
		}
	drain:
		for len(batch) < cap(batch) {
			select {
			case r := <-s.reqs:
				batch = append(batch, r)
			default:
				break drain
			}
		}
		s.run(batch)
	}
}

func (s *Store) run(batch []*commitReq) {
	err := s.db.Update(func(tx *bolt.Tx) error {
		for _, r := range batch {
			r.err = r.fn(tx)
			var a abortTx
			if errors.As(r.err, &a) {
				return a
			}
		}
		return nil
	})
	if err != nil && len(batch) > 1 {
		var a abortTx
		if errors.As(err, &a) {
			for _, r := range batch {
				s.run([]*commitReq{r})
			}
			return
		}
	}
	for _, r := range batch {
		if err != nil {
			r.err = err
		}
		close(r.done)
	}
}

// ---- encoding helpers ----

func u64(n uint64) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, n)
	return b
}

func putJSON(b *bolt.Bucket, key []byte, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return abortTx{err}
	}
	if err := b.Put(key, data); err != nil {
		return abortTx{err}
	}
	return nil
}

func getJSON(b *bolt.Bucket, key []byte, v any) (bool, error) {
	data := b.Get(key)
	if data == nil {
		return false, nil
	}
	return true, json.Unmarshal(data, v)
}

func getStock(tx *bolt.Tx, sku string) int64 {
	v := tx.Bucket(bStock).Get([]byte(sku))
	if len(v) != 8 {
		return 0
	}
	return int64(binary.BigEndian.Uint64(v))
}

func putStock(tx *bolt.Tx, sku string, n int64) error {
	if err := tx.Bucket(bStock).Put([]byte(sku), u64(uint64(n))); err != nil {
		return abortTx{err}
	}
	return nil
}

// StockMove is a logged stock change other than a sale: an import, an adjustment
// after a count, a delivery.
type StockMove struct {
	Time   time.Time `json:"time"`
	SKU    string    `json:"sku"`
	Delta  int64     `json:"delta"`
	After  int64     `json:"after"`
	Reason string    `json:"reason"`
}

func logStock(tx *bolt.Tx, m StockMove) error {
	b := tx.Bucket(bStockLog)
	n, err := b.NextSequence()
	if err != nil {
		return abortTx{err}
	}
	return putJSON(b, u64(n), m)
}

// listJSON decodes every record of a bucket in key order. keep, when not nil,
// may complete a record from the transaction and says whether to list it. A
// bucket that does not exist yet lists nothing.
func listJSON[T any](s *Store, bucket []byte, keep func(tx *bolt.Tx, x *T) bool) ([]T, error) {
	var out []T
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucket)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			var x T
			if err := json.Unmarshal(v, &x); err != nil {
				return fmt.Errorf("%s %q: %w", bucket, k, err)
			}
			if keep == nil || keep(tx, &x) {
				out = append(out, x)
			}
			return nil
		})
	})
	return out, err
}

// ---- meta ----

// Meta reads a value kept in the meta bucket (settings such as the manager PIN hash).
func (s *Store) Meta(key string) (string, error) {
	var v string
	err := s.db.View(func(tx *bolt.Tx) error {
		v = string(tx.Bucket(bMeta).Get([]byte(key)))
		return nil
	})
	return v, err
}

// SetMeta writes a value to the meta bucket.
func (s *Store) SetMeta(key, value string) error {
	return s.commit(func(tx *bolt.Tx) error {
		if err := tx.Bucket(bMeta).Put([]byte(key), []byte(value)); err != nil {
			return abortTx{err}
		}
		return nil
	})
}

// ---- catalog ----

// Producers returns all producers keyed by id.
func (s *Store) Producers() (map[string]Producer, error) {
	list, err := listJSON[Producer](s, bProducers, nil)
	out := make(map[string]Producer, len(list))
	for _, p := range list {
		out[p.ID] = p
	}
	return out, err
}

// Products returns all products, with current stock, in SKU order.
func (s *Store) Products() ([]Product, error) {
	return listJSON(s, bProducts, func(tx *bolt.Tx, p *Product) bool {
		p.Stock = getStock(tx, p.SKU)
		return true
	})
}

// Product returns one product with its current stock.
func (s *Store) Product(sku string) (Product, error) {
	var p Product
	err := s.db.View(func(tx *bolt.Tx) error {
		ok, err := getJSON(tx.Bucket(bProducts), []byte(sku), &p)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("%w: %q", ErrUnknownSKU, sku)
		}
		p.Stock = getStock(tx, sku)
		return nil
	})
	return p, err
}

// Stock returns the current stock of each sku given (unknown skus are left out).
func (s *Store) Stock(skus []string) (map[string]int64, error) {
	out := make(map[string]int64, len(skus))
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bStock)
		for _, sku := range skus {
			if v := b.Get([]byte(sku)); len(v) == 8 {
				out[sku] = int64(binary.BigEndian.Uint64(v))
			}
		}
		return nil
	})
	return out, err
}

// Lots returns the lots of sku, or every lot when sku is empty.
func (s *Store) Lots(sku string) ([]Lot, error) {
	var out []Lot
	err := s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bLots).Cursor()
		prefix := []byte{}
		if sku != "" {
			prefix = []byte(sku + "/")
		}
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			var l Lot
			if err := json.Unmarshal(v, &l); err != nil {
				return fmt.Errorf("lot %s: %w", k, err)
			}
			out = append(out, l)
		}
		return nil
	})
	return out, err
}

// CatalogCounts reports how many producers, products and lots the store holds.
func (s *Store) CatalogCounts() (producers, products, lots int, err error) {
	err = s.db.View(func(tx *bolt.Tx) error {
		producers = tx.Bucket(bProducers).Stats().KeyN
		products = tx.Bucket(bProducts).Stats().KeyN
		lots = tx.Bucket(bLots).Stats().KeyN
		return nil
	})
	return
}

// Catalog is a set of catalog records to write together.
type Catalog struct {
	Producers []Producer
	Products  []Product
	Lots      []Lot
	// StockGiven[i] tells whether Products[i].Stock was given (an empty stock cell
	// keeps the current stock of an existing product).
	StockGiven []bool
	// ProductRows and LotRows give the file row of each record, for error reports.
	ProductRows, LotRows []int
}

func rowOf(rows []int, i int) int {
	if i < len(rows) {
		return rows[i]
	}
	return i + 2
}

// PutCatalog validates and upserts every record of c in one transaction: either all
// of it lands or none. Products must name a producer that exists or is in c; lots a
// product that exists or is in c. Stock given for a product replaces its stock and
// is logged as a move with reason.
func (s *Store) PutCatalog(c Catalog, reason string) error {
	for i := range c.Producers {
		if err := c.Producers[i].Validate(); err != nil {
			return err
		}
	}
	for i := range c.Products {
		if err := c.Products[i].Validate(); err != nil {
			return err
		}
	}
	for i := range c.Lots {
		if err := c.Lots[i].Validate(); err != nil {
			return err
		}
	}
	return s.commit(func(tx *bolt.Tx) error {
		newProducers := map[string]bool{}
		for _, p := range c.Producers {
			newProducers[p.ID] = true
		}
		newProducts := map[string]bool{}
		bad := &ImportError{Kind: "products"}
		for i, p := range c.Products {
			if !newProducers[p.ProducerID] && tx.Bucket(bProducers).Get([]byte(p.ProducerID)) == nil && len(bad.Rows) < MaxImportErrors {
				bad.Rows = append(bad.Rows, RowError{Row: rowOf(c.ProductRows, i), Column: "producer_id",
					Message: fmt.Sprintf("product %s: unknown producer %q", p.SKU, p.ProducerID)})
			}
			newProducts[p.SKU] = true
		}
		if len(bad.Rows) > 0 {
			return bad
		}
		bad = &ImportError{Kind: "lots"}
		for i, l := range c.Lots {
			if !newProducts[l.SKU] && tx.Bucket(bProducts).Get([]byte(l.SKU)) == nil && len(bad.Rows) < MaxImportErrors {
				bad.Rows = append(bad.Rows, RowError{Row: rowOf(c.LotRows, i), Column: "sku",
					Message: fmt.Sprintf("lot %s: unknown sku %q", l.Code, l.SKU)})
			}
		}
		if len(bad.Rows) > 0 {
			return bad
		}
		// Everything checked: write.
		for _, p := range c.Producers {
			if err := putJSON(tx.Bucket(bProducers), []byte(p.ID), p); err != nil {
				return err
			}
		}
		now := s.now()
		for i, p := range c.Products {
			exists := tx.Bucket(bProducts).Get([]byte(p.SKU)) != nil
			given := i >= len(c.StockGiven) || c.StockGiven[i]
			stock := p.Stock
			p.Stock = 0 // kept in the stock bucket
			if err := putJSON(tx.Bucket(bProducts), []byte(p.SKU), p); err != nil {
				return err
			}
			if !given && exists {
				continue
			}
			before := getStock(tx, p.SKU)
			if err := putStock(tx, p.SKU, stock); err != nil {
				return err
			}
			if stock != before {
				if err := logStock(tx, StockMove{Time: now, SKU: p.SKU, Delta: stock - before, After: stock, Reason: reason}); err != nil {
					return err
				}
			}
		}
		for _, l := range c.Lots {
			if l.Events == nil { // a lots file has no history: keep the lot's
				var old Lot
				if _, err := getJSON(tx.Bucket(bLots), []byte(l.ID()), &old); err != nil {
					return err
				}
				l.Events = old.Events
			}
			if err := putJSON(tx.Bucket(bLots), []byte(l.ID()), l); err != nil {
				return err
			}
		}
		return nil
	})
}

// MaxStockDelta bounds one manual stock adjustment.
const MaxStockDelta = 1_000_000

// AdjustStock changes the stock of sku by delta (a delivery, a count, breakage) and
// logs why. Stock may not go below zero.
func (s *Store) AdjustStock(sku string, delta int64, reason string) (int64, error) {
	if delta == 0 || delta > MaxStockDelta || delta < -MaxStockDelta {
		return 0, fmt.Errorf("%w: stock change %d, want ±1 to ±%d", ErrBadQuantity, delta, MaxStockDelta)
	}
	var after int64
	err := s.commit(func(tx *bolt.Tx) error {
		if tx.Bucket(bProducts).Get([]byte(sku)) == nil {
			return fmt.Errorf("%w: %q", ErrUnknownSKU, sku)
		}
		before := getStock(tx, sku)
		after = before + delta
		if after < 0 {
			return fmt.Errorf("%w: %s has %d, cannot remove %d", ErrOutOfStock, sku, before, -delta)
		}
		if after > MaxStock {
			return fmt.Errorf("%w: %s stock would be %d", ErrBadQuantity, sku, after)
		}
		if err := putStock(tx, sku, after); err != nil {
			return err
		}
		return logStock(tx, StockMove{Time: s.now(), SKU: sku, Delta: delta, After: after, Reason: reason})
	})
	return after, err
}

// StockMoves returns the logged stock moves, oldest first.
func (s *Store) StockMoves() ([]StockMove, error) {
	return listJSON[StockMove](s, bStockLog, nil)
}

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

func sortProducers(ps []Producer) {
	sort.Slice(ps, func(i, j int) bool { return ps[i].ID < ps[j].ID })
}
