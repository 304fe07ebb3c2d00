package pos

import (
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// PrintJob is a receipt (or other document) waiting for its printer. It is written
// in the same transaction as the sale it prints, so no committed sale lacks one.
type PrintJob struct {
	ID      uint64    `json:"id"`
	SaleID  string    `json:"sale_id,omitempty"`
	Doc     string    `json:"doc"`     // "receipt", "zreport", "label", "test"
	Printer string    `json:"printer"` // role: "receipt" or "label"
	Copy    bool      `json:"copy,omitempty"`
	Ref     string    `json:"ref,omitempty"`     // what the document is about: a shift id, a lot id
	Payload []byte    `json:"payload,omitempty"` // document data the layout needs (JSON)
	State   string    `json:"state"`             // JobPending, JobPrinted or JobFailed
	Created time.Time `json:"created"`
	// Attempts counts tries that reached the printer; Error is the last failure.
	Attempts int        `json:"attempts"`
	Error    string     `json:"error,omitempty"`
	Printed  *time.Time `json:"printed,omitempty"`
}

// Print job states.
const (
	JobPending = "pending"
	JobPrinted = "printed"
	JobFailed  = "failed" // will not print: the document or its printer is gone
)

// PendingPrintJobs returns the jobs still to print, oldest first, without
// scanning the printed ones.
func (s *Store) PendingPrintJobs() ([]PrintJob, error) {
	var out []PrintJob
	err := s.db.View(func(tx *bolt.Tx) error {
		pb := tx.Bucket(bPrintJobs)
		return tx.Bucket(bPrintWait).ForEach(func(k, _ []byte) error {
			var j PrintJob
			ok, err := getJSON(pb, k, &j)
			if err != nil {
				return err
			}
			if ok {
				out = append(out, j)
			}
			return nil
		})
	})
	return out, err
}

// PrintJobs returns the print jobs in the given state ("" for all), oldest first.
func (s *Store) PrintJobs(state string) ([]PrintJob, error) {
	return listJSON(s, bPrintJobs, func(_ *bolt.Tx, j *PrintJob) bool { return state == "" || j.State == state })
}

// AddPrintJob queues a document that is not part of a sale's transaction (a
// reprint, a Z-report, labels) and returns it with its id.
func (s *Store) AddPrintJob(j PrintJob) (PrintJob, error) {
	if j.Doc == "" || j.Printer == "" {
		return j, fmt.Errorf("%w: print job needs a document and a printer", ErrBadAmount)
	}
	if j.SaleID != "" {
		if _, err := s.Sale(j.SaleID); err != nil {
			return j, err
		}
	}
	err := s.commit(func(tx *bolt.Tx) error {
		pb := tx.Bucket(bPrintJobs)
		n, err := pb.NextSequence()
		if err != nil {
			return abortTx{err}
		}
		j.ID, j.State, j.Created, j.Attempts, j.Error, j.Printed = n, JobPending, s.now(), 0, "", nil
		if err := tx.Bucket(bPrintWait).Put(u64(n), nil); err != nil {
			return abortTx{err}
		}
		return putJSON(pb, u64(n), j)
	})
	return j, err
}

// UpdatePrintJob records the outcome of a print attempt.
func (s *Store) UpdatePrintJob(j PrintJob) error {
	return s.commit(func(tx *bolt.Tx) error {
		pb := tx.Bucket(bPrintJobs)
		if pb.Get(u64(j.ID)) == nil {
			return fmt.Errorf("%w: print job %d", ErrNotFound, j.ID)
		}
		var err error
		if j.State == JobPending {
			err = tx.Bucket(bPrintWait).Put(u64(j.ID), nil)
		} else {
			err = tx.Bucket(bPrintWait).Delete(u64(j.ID))
		}
		if err != nil {
			return abortTx{err}
		}
		return putJSON(pb, u64(j.ID), j)
	})
}

// PrintJob returns one print job.
func (s *Store) PrintJob(id uint64) (PrintJob, error) {
	var j PrintJob
	err := s.db.View(func(tx *bolt.Tx) error {
		ok, err := getJSON(tx.Bucket(bPrintJobs), u64(id), &j)
		if err == nil && !ok {
			err = fmt.Errorf("%w: print job %d", ErrNotFound, id)
		}
		return err
	})
	return j, err
}
