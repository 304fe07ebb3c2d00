package pos

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	bolt "go.etcd.io/bbolt"
)

// TraceEvent is one step in a lot's history, answering what TCVN 12850:2019 asks
// of a traceability record: who, what, where, when and why.
type TraceEvent struct {
	When  Date   `json:"when"`
	What  string `json:"what"` // harvest, processing, packing, shipping, certification, other
	Where string `json:"where,omitempty"`
	Who   string `json:"who,omitempty"`
	Why   string `json:"why,omitempty"`
}

// TraceSteps are the event kinds, in the order they usually happen, with their
// Vietnamese and English names.
var TraceSteps = map[string][2]string{
	"harvest":       {"Thu hoạch", "Harvest"},
	"processing":    {"Sơ chế, chế biến", "Processing"},
	"packing":       {"Đóng gói", "Packing"},
	"shipping":      {"Vận chuyển", "Shipping"},
	"certification": {"Chứng nhận", "Certification"},
	"other":         {"Khác", "Other"},
}

// Validate checks an event.
func (e *TraceEvent) Validate() error {
	e.What = strings.ToLower(strings.TrimSpace(e.What))
	switch {
	case e.When.IsZero():
		return fieldErr("when", "trace event: the date is required")
	case TraceSteps[e.What] == [2]string{}:
		return fieldErr("what", "trace event %q: want harvest, processing, packing, shipping, certification or other", e.What)
	case len(e.Where) > 200 || len(e.Who) > 200 || len(e.Why) > 500:
		return fieldErr("where", "trace event: where/who up to 200, why up to 500 characters")
	}
	return nil
}

var (
	bSerials = []byte("serials") // nested per lot id: its sequence numbers labels
	bScans   = []byte("scans")   // gtin|lot|serial → scanRecord
)

// Lot returns one lot.
func (s *Store) Lot(sku, code string) (Lot, error) {
	var l Lot
	err := s.db.View(func(tx *bolt.Tx) error {
		ok, err := getJSON(tx.Bucket(bLots), []byte(sku+"/"+code), &l)
		if err == nil && !ok {
			err = fmt.Errorf("%w: lot %s of %s", ErrNotFound, code, sku)
		}
		return err
	})
	return l, err
}

// PutLot creates or replaces a lot (its product must exist). Trace events of an
// existing lot, and the EPCIS events captured for it, are kept unless l
// carries its own.
func (s *Store) PutLot(l Lot) error {
	if err := validLot(&l); err != nil {
		return err
	}
	return s.commit(func(tx *bolt.Tx) error {
		if tx.Bucket(bProducts).Get([]byte(l.SKU)) == nil {
			return fmt.Errorf("%w: %q", ErrUnknownSKU, l.SKU)
		}
		if l.Events == nil || l.Captured == nil {
			var old Lot
			if _, err := getJSON(tx.Bucket(bLots), []byte(l.ID()), &old); err != nil {
				return err
			}
			if l.Events == nil {
				l.Events = old.Events
			}
			if l.Captured == nil {
				l.Captured = old.Captured
			}
		}
		return putJSON(tx.Bucket(bLots), []byte(l.ID()), l)
	})
}

// LotChange is an edit of a lot: each field that is set replaces the lot's
// value, each nil field keeps it. An edit carrying nothing is refused, so a
// request that lost its body cannot pass for "clear everything".
type LotChange struct {
	ProducedOn     *Date         `json:"produced_on"`
	PackedOn       *Date         `json:"packed_on"`
	ExpiresOn      *Date         `json:"expires_on"`
	Origin         *string       `json:"origin"`
	Certifications *[]string     `json:"certifications"`
	Quantity       *int64        `json:"quantity"`
	Events         *[]TraceEvent `json:"events"`
}

// IsEmpty reports whether ch changes nothing.
func (ch LotChange) IsEmpty() bool { return ch == LotChange{} }

// apply returns l with ch's fields replaced.
func (ch LotChange) apply(l Lot) Lot {
	if ch.ProducedOn != nil {
		l.ProducedOn = *ch.ProducedOn
	}
	if ch.PackedOn != nil {
		l.PackedOn = *ch.PackedOn
	}
	if ch.ExpiresOn != nil {
		l.ExpiresOn = *ch.ExpiresOn
	}
	if ch.Origin != nil {
		l.Origin = *ch.Origin
	}
	if ch.Certifications != nil {
		l.Certifications = *ch.Certifications
	}
	if ch.Quantity != nil {
		l.Quantity = *ch.Quantity
	}
	if ch.Events != nil {
		l.Events = *ch.Events
	}
	return l
}

// UpdateLot edits an existing lot: the fields ch sets replace the lot's, the
// others are kept, and the result is checked as a whole (an expiry before the
// production date is refused) before anything is written. Reading, checking
// and writing happen in one transaction, so two edits of different fields
// cannot undo each other.
func (s *Store) UpdateLot(sku, code string, ch LotChange) (Lot, error) {
	if ch.IsEmpty() {
		return Lot{}, fieldErr("", "lot %s of %s: the edit changes no field", code, sku)
	}
	var l Lot
	err := s.commit(func(tx *bolt.Tx) error {
		var old Lot
		ok, err := getJSON(tx.Bucket(bLots), []byte(sku+"/"+code), &old)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("%w: lot %s of %s", ErrNotFound, code, sku)
		}
		l = ch.apply(old)
		if err := validLot(&l); err != nil {
			return err
		}
		if l.ID() != old.ID() { // Validate trims; the key must not move
			return fieldErr("lot", "lot %q of %s: the code cannot change", l.Code, l.SKU)
		}
		return putJSON(tx.Bucket(bLots), []byte(l.ID()), l)
	})
	if err != nil {
		return Lot{}, err
	}
	return l, nil
}

// validLot checks a lot and its history.
func validLot(l *Lot) error {
	if err := l.Validate(); err != nil {
		return err
	}
	if len(l.Events) > MaxTraceEvents {
		return fieldErr("events", "lot %s: %d events, at most %d", l.ID(), len(l.Events), MaxTraceEvents)
	}
	for i := range l.Events {
		if err := l.Events[i].Validate(); err != nil {
			return err
		}
	}
	return nil
}

// MaxTraceEvents bounds a lot's history.
const MaxTraceEvents = 100

// AddTraceEvent appends an event to a lot's history, kept in date order.
func (s *Store) AddTraceEvent(sku, code string, e TraceEvent) (Lot, error) {
	if err := e.Validate(); err != nil {
		return Lot{}, err
	}
	var l Lot
	err := s.commit(func(tx *bolt.Tx) error {
		ok, err := getJSON(tx.Bucket(bLots), []byte(sku+"/"+code), &l)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("%w: lot %s of %s", ErrNotFound, code, sku)
		}
		if len(l.Events) >= MaxTraceEvents {
			return fmt.Errorf("%w: lot %s has %d events already", ErrBadQuantity, code, len(l.Events))
		}
		l.Events = append(l.Events, e)
		sort.SliceStable(l.Events, func(i, j int) bool { return l.Events[i].When.Time().Before(l.Events[j].When.Time()) })
		return putJSON(tx.Bucket(bLots), []byte(l.ID()), l)
	})
	return l, err
}

// MaxLabels bounds one label run.
const MaxLabels = 1000

// NextSerials reserves n serial numbers for labels of a lot and returns them
// ("0001"…): each label of a lot gets its own, never reused.
func (s *Store) NextSerials(sku, code string, n int) ([]string, error) {
	if n < 1 || n > MaxLabels {
		return nil, fmt.Errorf("%w: %d labels, want 1 to %d", ErrBadQuantity, n, MaxLabels)
	}
	var out []string
	err := s.commit(func(tx *bolt.Tx) error {
		out = out[:0]
		b, err := lotSerials(tx, sku, code)
		if err != nil {
			return err
		}
		for range n {
			seq, err := b.NextSequence()
			if err != nil {
				return abortTx{err}
			}
			out = append(out, fmt.Sprintf("%04d", seq))
		}
		return nil
	})
	return out, err
}

// lotSerials is the bucket of a lot's serials, whose sequence is the lot's
// serial counter (labels and stamps both take from it); ErrNotFound for a
// lot the store does not hold.
func lotSerials(tx *bolt.Tx, sku, code string) (*bolt.Bucket, error) {
	if tx.Bucket(bLots).Get([]byte(sku+"/"+code)) == nil {
		return nil, fmt.Errorf("%w: lot %s of %s", ErrNotFound, code, sku)
	}
	root, err := tx.CreateBucketIfNotExists(bSerials)
	if err != nil {
		return nil, abortTx{err}
	}
	b, err := root.CreateBucketIfNotExists([]byte(sku + "/" + code))
	if err != nil {
		return nil, abortTx{err}
	}
	return b, nil
}

// SerialIssued reports whether this store printed the label numbered serial
// for a lot: labels are numbered 0001, 0002… by NextSerials, so a serial is
// ours when it is written that way and is not beyond the lot's counter.
func (s *Store) SerialIssued(sku, code, serial string) (bool, error) {
	var ok bool
	err := s.db.View(func(tx *bolt.Tx) error {
		ok = serialIssued(tx, sku, code, serial)
		return nil
	})
	return ok, err
}

func serialIssued(tx *bolt.Tx, sku, code, serial string) bool {
	n, err := strconv.ParseUint(serial, 10, 64)
	if err != nil || n == 0 || fmt.Sprintf("%04d", n) != serial {
		return false
	}
	root := tx.Bucket(bSerials)
	if root == nil {
		return false
	}
	b := root.Bucket([]byte(sku + "/" + code))
	return b != nil && n <= b.Sequence()
}
