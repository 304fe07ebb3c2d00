package pos

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"
)

// ErrLocked reports a store already opened by another process.
var ErrLocked = errors.New("store is in use by another kiosk process")

var (
	bMeta      = []byte("meta")
	bProducers = []byte("producers")
	bProducts  = []byte("products")
	bStock     = []byte("stock")
	bStockLog  = []byte("stock_log")
	bLots      = []byte("lots")
	bSales     = []byte("sales")
	bSalesTime = []byte("sales_by_time")      // unixnano|seq → id
	bSalesSeq  = []byte("sales_by_seq")       // record seq → id; its sequence numbers records, the outbox reads it
	bReceiptIx = []byte("sales_by_receipt")   // receipt number → id
	bUndo      = []byte("undo")               // original id|undo id → nil
	bReceipts  = []byte("receipts")           // one nested bucket per receipt series (K01, K01-R1); its sequence numbers receipts
	bPrintJobs = []byte("print_jobs")         // seq → PrintJob
	bPrintWait = []byte("print_pending")      // seq → nil, the jobs still to print
	bIdem      = []byte("idempotency")        // key → idemRecord
	bIdemSeq   = []byte("idempotency_by_seq") // record seq → key, to forget the oldest keys first
	bTotals    = []byte("shift_totals")       // nested per shift id: its running Z-report totals
	bShifts    = []byte("shifts")             // id → Shift
	bDevices   = []byte("devices")            // id → Device

	allBuckets = [][]byte{bMeta, bProducers, bProducts, bStock, bStockLog, bLots, bSales, bSalesTime, bSalesSeq, bReceiptIx,
		bUndo, bReceipts, bPrintJobs, bPrintWait, bIdem, bIdemSeq, bTotals, bShifts, bDevices, bOrders, bOrderCodes, bOrderIdem, bPromotions,
		bInvSeries, bInvIndex, bInvStates, bSoldSerials}

	kSchema       = []byte("schema_version")
	kStoreKind    = []byte("store_kind")
	kStoreKiosk   = []byte("kiosk_id")
	kCurrentShift = []byte("current_shift")
	kAcked        = []byte("outbox_acked")
	kNumbering    = []byte("numbering")
)

// Store is the kiosk's bbolt database. Every sale is one fsync'ed transaction that
// also holds its stock changes, outbox record and print job; concurrent sales are
// group-committed by one goroutine so many tills share each fsync.
type Store struct {
	db      *bolt.DB
	kioskID string
	now     func() time.Time
	path    string
	fresh   bool // created by this Open

	// promos is the promotions indexed for pricing (promotion.go);
	// discountLimit the share a manual discount may take without the
	// manager (SetDiscountLimit).
	promos        promoCache
	discountLimit atomic.Int64
	// invoicing is the kiosk's invoicing (SetInvoicing); nil or zero: off.
	invoicing atomic.Pointer[InvoiceSettings]

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

// SetDiscountLimit sets the share of a line or a sale a manual discount may
// take without the manager's approval (DefaultDiscountLimit until set).
func (s *Store) SetDiscountLimit(p Percent) error {
	if p < 0 || p > Whole {
		return fmt.Errorf("discount limit %s %%: want 0 to 100", p)
	}
	s.discountLimit.Store(int64(p))
	return nil
}

// DiscountLimit is the share a manual discount may take without the manager.
func (s *Store) DiscountLimit() Percent { return Percent(s.discountLimit.Load()) }

// Now is the store's clock: the time a sale made now would carry, which
// decides the promotions it gets.
func (s *Store) Now() time.Time { return s.now() }

// KioskID is the id this store numbers receipts for.
func (s *Store) KioskID() string { return s.kioskID }

// Fresh tells whether Open created the store (there was no file).
func (s *Store) Fresh() bool { return s.fresh }

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
