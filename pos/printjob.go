package pos

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
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
		stored := pb.Get(u64(j.ID))
		if stored == nil {
			return fmt.Errorf("%w: print job %d", ErrNotFound, j.ID)
		}
		// A stamp withdrawn from the queue (its run paused or cancelled)
		// while the printer was failing on it stays withdrawn: the queue's
		// note of the failed try must not put it back.
		if j.Doc == StampDoc && j.State == JobPending && bytes.Contains(stored, []byte(`"state":"`+JobFailed+`"`)) {
			return nil
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
		if err := putJSON(pb, u64(j.ID), j); err != nil {
			return abortTx{err}
		}
		if j.Doc == StampDoc && j.State == JobPrinted {
			return stampPrinted(tx, j)
		}
		return nil
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

// PrintJobPage lists print jobs newest first: those in state (JobPending,
// JobPrinted, JobFailed, or "" for any) with an id below before (0: from the
// newest), at most limit of them. next is the id to pass as before for the page
// after this one, 0 when this page holds the last of them. Ids only grow, so a
// walk from page to page meets every job once, however many jobs are added
// meanwhile (those come before the first page).
func (s *Store) PrintJobPage(state string, before uint64, limit int) (jobs []PrintJob, next uint64, err error) {
	if limit < 1 {
		limit = 1
	}
	jobs = []PrintJob{}
	err = s.db.View(func(tx *bolt.Tx) error {
		pb, wait := tx.Bucket(bPrintJobs), tx.Bucket(bPrintWait)
		// Pending jobs have an index of their own; the others are found by
		// walking every job, a quick look at the bytes first.
		walk := pb
		if state == JobPending {
			walk = wait
		}
		var want []byte
		if state != "" {
			want = []byte(`"state":"` + state + `"`)
		}
		c := walk.Cursor()
		var k []byte
		if before == 0 {
			k, _ = c.Last()
		} else {
			k, _ = c.Seek(u64(before))
			if k == nil {
				k, _ = c.Last()
			}
			if k != nil && binary.BigEndian.Uint64(k) >= before {
				k, _ = c.Prev()
			}
		}
		for ; k != nil; k, _ = c.Prev() {
			v := pb.Get(k)
			if v == nil || (want != nil && !bytes.Contains(v, want)) {
				continue
			}
			var j PrintJob
			if err := json.Unmarshal(v, &j); err != nil {
				return fmt.Errorf("print job %d: %w", binary.BigEndian.Uint64(k), err)
			}
			if state != "" && j.State != state {
				continue
			}
			if len(jobs) == limit {
				next = jobs[len(jobs)-1].ID // there is at least one more
				return nil
			}
			jobs = append(jobs, j)
		}
		return nil
	})
	return jobs, next, err
}

// PrintJobsOfSale returns the jobs of one sale (its receipt, reprints), oldest
// first. It looks at the jobs the store still holds (see TrimPrintJobs).
func (s *Store) PrintJobsOfSale(saleID string) ([]PrintJob, error) {
	out := []PrintJob{}
	key, err := json.Marshal(saleID)
	if err != nil {
		return nil, err
	}
	want := append([]byte(`"sale_id":`), key...)
	err = s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bPrintJobs).ForEach(func(k, v []byte) error {
			if !bytes.Contains(v, want) {
				return nil
			}
			var j PrintJob
			if err := json.Unmarshal(v, &j); err != nil {
				return fmt.Errorf("print job %d: %w", binary.BigEndian.Uint64(k), err)
			}
			if j.SaleID == saleID {
				out = append(out, j)
			}
			return nil
		})
	})
	return out, err
}

// printTrimBatch is how many jobs one trimming transaction removes at most: a
// sale committed meanwhile waits for no more than that.
const printTrimBatch = 256

// TrimPrintJobs forgets finished (printed or failed) print jobs beyond the
// newest keep of them, in small transactions, and says how many it removed.
// Pending jobs are never touched. "Newest" is by job id, a sequence, so a
// kiosk clock set wrong or changed cannot make it drop the wrong jobs.
func (s *Store) TrimPrintJobs(keep int) (int, error) {
	if keep < 0 {
		return 0, fmt.Errorf("%w: keep %d print jobs", ErrBadAmount, keep)
	}
	// The id of the keep-th newest finished job: every finished job below it
	// goes. Jobs added later have higher ids and are not concerned.
	var cut uint64
	err := s.db.View(func(tx *bolt.Tx) error {
		wait := tx.Bucket(bPrintWait)
		c := tx.Bucket(bPrintJobs).Cursor()
		n := 0
		for k, _ := c.Last(); k != nil; k, _ = c.Prev() {
			if wait.Get(k) != nil {
				continue
			}
			if n == keep {
				cut = binary.BigEndian.Uint64(k) + 1
				return nil
			}
			n++
		}
		return nil
	})
	if err != nil || cut == 0 {
		return 0, err
	}
	removed := 0
	from := uint64(0)
	for {
		var batch [][]byte
		err := s.commit(func(tx *bolt.Tx) error {
			batch = batch[:0]
			pb, wait := tx.Bucket(bPrintJobs), tx.Bucket(bPrintWait)
			c := pb.Cursor()
			for k, _ := c.Seek(u64(from)); k != nil && len(batch) < printTrimBatch; k, _ = c.Next() {
				if binary.BigEndian.Uint64(k) >= cut {
					break
				}
				if wait.Get(k) == nil {
					batch = append(batch, bytes.Clone(k))
				}
			}
			for _, k := range batch {
				if err := pb.Delete(k); err != nil {
					return abortTx{err}
				}
			}
			return nil
		})
		if err != nil {
			return removed, fmt.Errorf("trimming print jobs: %w", err)
		}
		removed += len(batch)
		if len(batch) < printTrimBatch {
			return removed, nil
		}
		from = binary.BigEndian.Uint64(batch[len(batch)-1]) + 1
	}
}
