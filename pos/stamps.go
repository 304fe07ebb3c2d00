package pos

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// MaxStamps bounds one stamp run: a province's programme orders stamps by the
// tens of thousands (50,000 a run is the figure the run is built for), and a
// run twice that size still fits a print shop's job and the kiosk's memory.
const MaxStamps = 100_000

// ErrBadStampRun is a stamp run the kiosk cannot make: an unknown format or
// size, or a count out of range. Nothing is registered for it.
var ErrBadStampRun = errors.New("bad stamp run")

// StampRun is one order of serialised stamps for a lot: Count serials from
// First on, registered in the lot's serial counter (the one labels use) before
// any sheet or label of them exists, so a stamp is counted like a label when it
// is scanned, and a serial is never handed out twice.
type StampRun struct {
	ID      string    `json:"id"`
	SKU     string    `json:"sku"`
	Lot     string    `json:"lot"`
	First   uint64    `json:"first"`
	Count   int       `json:"count"`
	Format  string    `json:"format"`
	Size    string    `json:"size"`
	Created time.Time `json:"created"`
	// Base is where the stamps' Digital Links point, fixed when the run is
	// issued: a printer run resumed after a restart prints the same links.
	Base string `json:"base,omitempty"`

	// A run to the label printer (Format "printer") also has a progress,
	// kept here so that it survives a restart: Printed stamps from the first
	// are on paper (the queue prints in order, so they are always the first
	// ones), Queued is the next stamp to hand the print queue, and State is
	// one of the StampRun* states, Reason why a run paused.
	Printer string `json:"printer,omitempty"`
	State   string `json:"state,omitempty"`
	Printed int    `json:"printed"`
	Queued  int    `json:"queued,omitempty"`
	Reason  string `json:"reason,omitempty"`
}

// Serial is the i-th serial of the run (0-based), written as labels are.
func (r StampRun) Serial(i int) string { return serialText(r.First + uint64(i)) }

// Last is the run's last serial.
func (r StampRun) Last() string { return r.Serial(r.Count - 1) }

func serialText(n uint64) string { return fmt.Sprintf("%04d", n) }

var bStampRuns = []byte("stampruns") // run id → StampRun

// IssueStamps registers a run of count serials for a lot in one transaction
// (their links on base):
// the lot's serial counter moves past them (so labels printed later and other
// runs never take them) and the run is kept. An unknown lot, or a count out of
// range, registers nothing.
func (s *Store) IssueStamps(sku, code string, count int, format, size, base string, now time.Time) (StampRun, error) {
	if count < 1 || count > MaxStamps {
		return StampRun{}, fmt.Errorf("%w: %d stamps, want 1 to %d", ErrBadStampRun, count, MaxStamps)
	}
	run := StampRun{SKU: sku, Lot: code, Count: count, Format: format, Size: size, Base: base, Created: now.UTC()}
	if format == StampFormatPrinter {
		run.State, run.Printer = StampRunPrinting, StampPrinter
	}
	err := s.commit(func(tx *bolt.Tx) error {
		b, err := lotSerials(tx, sku, code)
		if err != nil {
			return err
		}
		// One move of the counter for the whole run: 50,000 NextSequence
		// calls would be the same number, only slower.
		run.First = b.Sequence() + 1
		if err := b.SetSequence(b.Sequence() + uint64(count)); err != nil {
			return abortTx{err}
		}
		runs, err := tx.CreateBucketIfNotExists(bStampRuns)
		if err != nil {
			return abortTx{err}
		}
		n, err := runs.NextSequence()
		if err != nil {
			return abortTx{err}
		}
		run.ID = fmt.Sprintf("ST%06d", n)
		if err := putJSON(runs, []byte(run.ID), run); err != nil {
			return abortTx{err}
		}
		return nil
	})
	if err != nil {
		return StampRun{}, err
	}
	return run, nil
}

// StampRuns lists the runs of a lot (every run when sku is empty), oldest first.
func (s *Store) StampRuns(sku, code string) ([]StampRun, error) {
	var out []StampRun
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bStampRuns)
		if b == nil {
			return nil
		}
		return b.ForEach(func(_, v []byte) error {
			var r StampRun
			if err := json.Unmarshal(v, &r); err != nil {
				return err
			}
			if sku == "" || (r.SKU == sku && r.Lot == code) {
				out = append(out, r)
			}
			return nil
		})
	})
	return out, err
}

// StampSizes are the square stamp sizes offered, in millimetres.
var StampSizes = map[string]int{"20x20": 20, "25x25": 25, "30x30": 30}

// The outputs a run can have: a PDF of sheets for a print shop, or the
// kiosk's own label printer, a stamp at a time through the print queue.
const (
	StampFormatPDF     = "pdf"
	StampFormatPrinter = "printer"
)

// StampPrinter is the printer role a printer run goes to.
const StampPrinter = "label"

// StampFormats are the outputs a run can have.
var StampFormats = []string{StampFormatPDF, StampFormatPrinter}

// CheckStampRun checks a run's format and size before anything is registered.
func CheckStampRun(format, size string) error {
	if _, ok := StampSizes[size]; !ok {
		return fmt.Errorf("%w: size %q, want one of 20x20, 25x25 or 30x30", ErrBadStampRun, size)
	}
	for _, f := range StampFormats {
		if f == strings.ToLower(format) {
			return nil
		}
	}
	return fmt.Errorf("%w: format %q, want pdf or printer", ErrBadStampRun, format)
}
