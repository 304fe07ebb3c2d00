package pos

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// The states of a stamp run to the label printer.
const (
	StampRunPrinting  = "printing"  // stamps go to the printer as it takes them
	StampRunPaused    = "paused"    // by the manager, or by the printer (paper out…)
	StampRunCancelled = "cancelled" // stopped for good; its serials stay issued
	StampRunDone      = "done"      // every stamp printed
)

// StampDoc is the print job document of one stamp of a printer run.
const StampDoc = "stamp"

// MaxStampReprint bounds one reprint of a range of a run's stamps: a spoiled
// roll, not a second run.
const MaxStampReprint = 1000

// ErrStampRunState is a call the run cannot take in its state: resuming a
// finished run, cancelling a cancelled one, pausing a paused one.
var ErrStampRunState = errors.New("stamp run cannot do that now")

// StampJob is what the store reads of a stamp's print job payload (the kiosk
// puts the stamp's label beside it): which run, which stamp of it, and whether
// the manager asked for it again.
type StampJob struct {
	Run     string `json:"run"`
	Index   int    `json:"index"`
	Reprint bool   `json:"reprint,omitempty"`
}

// StampPayload makes the payload of the print job of stamp i of run r.
type StampPayload func(r StampRun, i int, reprint bool) ([]byte, error)

// StampRun returns one run.
func (s *Store) StampRun(id string) (StampRun, error) {
	var r StampRun
	err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		r, err = stampRunTx(tx, id)
		return err
	})
	return r, err
}

func stampRunTx(tx *bolt.Tx, id string) (StampRun, error) {
	var r StampRun
	b := tx.Bucket(bStampRuns)
	if b == nil {
		return r, fmt.Errorf("%w: stamp run %s", ErrNotFound, id)
	}
	ok, err := getJSON(b, []byte(id), &r)
	if err == nil && !ok {
		err = fmt.Errorf("%w: stamp run %s", ErrNotFound, id)
	}
	return r, err
}

// PrintingStampRuns lists the runs still going to the printer, oldest first.
func (s *Store) PrintingStampRuns() ([]StampRun, error) {
	runs, err := s.StampRuns("", "")
	out := runs[:0]
	for _, r := range runs {
		if r.State == StampRunPrinting {
			out = append(out, r)
		}
	}
	return out, err
}

// FeedStampRun hands the print queue the next stamps of a printing run, so
// that at most window of them wait there at once: a run of 50,000 never puts
// 50,000 jobs in the store, and the queue takes them at the printer's pace.
// It says how many it added (0 for a run that is not printing).
func (s *Store) FeedStampRun(id string, window int, payload StampPayload) (int, error) {
	var added int
	err := s.commit(func(tx *bolt.Tx) error {
		added = 0
		r, err := stampRunTx(tx, id)
		if err != nil || r.State != StampRunPrinting {
			return err
		}
		from, to := max(r.Queued, r.Printed), min(r.Printed+window, r.Count)
		if from >= to {
			return nil
		}
		payloads := make([][]byte, 0, to-from)
		for i := from; i < to; i++ {
			p, err := payload(r, i, false)
			if err != nil {
				return fmt.Errorf("stamp %s of run %s: %w", r.Serial(i), r.ID, err)
			}
			payloads = append(payloads, p)
		}
		if err := s.addStampJobs(tx, r, from, payloads); err != nil {
			return abortTx{err}
		}
		r.Queued = to
		if err := putJSON(tx.Bucket(bStampRuns), []byte(r.ID), r); err != nil {
			return abortTx{err}
		}
		added = len(payloads)
		return nil
	})
	return added, err
}

// addStampJobs queues one print job per payload, stamps from on.
func (s *Store) addStampJobs(tx *bolt.Tx, r StampRun, from int, payloads [][]byte) error {
	pb, wait := tx.Bucket(bPrintJobs), tx.Bucket(bPrintWait)
	for k, p := range payloads {
		n, err := pb.NextSequence()
		if err != nil {
			return err
		}
		j := PrintJob{ID: n, Doc: StampDoc, Printer: r.Printer, Ref: r.ID + "/" + r.Serial(from+k), Payload: p,
			State: JobPending, Created: s.now()}
		if err := wait.Put(u64(n), nil); err != nil {
			return err
		}
		if err := putJSON(pb, u64(n), j); err != nil {
			return err
		}
	}
	return nil
}

// PauseStampRun stops a printing run after the stamp on the printer now: its
// stamps waiting in the queue are withdrawn, and a resume hands them again
// from the first one not printed. reason says who paused it ("manager",
// "paper_out"…).
func (s *Store) PauseStampRun(id, reason string) (StampRun, error) {
	return s.changeStampRun(id, func(r *StampRun) error {
		if r.State != StampRunPrinting {
			return r.refuse("pause")
		}
		r.State, r.Reason = StampRunPaused, reason
		return nil
	})
}

// ResumeStampRun sends a paused run to the printer again, from its first
// stamp not printed.
func (s *Store) ResumeStampRun(id string) (StampRun, error) {
	return s.changeStampRun(id, func(r *StampRun) error {
		if r.State != StampRunPaused {
			return r.refuse("resume")
		}
		r.State, r.Reason = StampRunPrinting, ""
		return nil
	})
}

// CancelStampRun stops a run for good. Its serials stay issued (the lot's
// counter never goes back), so a stamp that never reached paper is never
// handed out again either.
func (s *Store) CancelStampRun(id string) (StampRun, error) {
	return s.changeStampRun(id, func(r *StampRun) error {
		if r.State != StampRunPrinting && r.State != StampRunPaused {
			return r.refuse("cancel")
		}
		r.State, r.Reason = StampRunCancelled, ""
		return nil
	})
}

func (r StampRun) refuse(what string) error {
	if r.Format != StampFormatPrinter {
		return fmt.Errorf("%w: run %s made a PDF; only a printer run can %s", ErrStampRunState, r.ID, what)
	}
	return fmt.Errorf("%w: cannot %s run %s, it is %s (%d of %d printed)", ErrStampRunState, what, r.ID, r.State, r.Printed, r.Count)
}

// changeStampRun applies change to a run and withdraws its stamps waiting in
// the queue, in one transaction: whatever the run does next hands them again
// from its first stamp not printed.
func (s *Store) changeStampRun(id string, change func(*StampRun) error) (StampRun, error) {
	var out StampRun
	err := s.commit(func(tx *bolt.Tx) error {
		r, err := stampRunTx(tx, id)
		if err != nil {
			return err
		}
		if err := change(&r); err != nil {
			return err
		}
		waiting, err := waitingStamps(tx, r.ID)
		if err != nil {
			return err
		}
		pb, wait := tx.Bucket(bPrintJobs), tx.Bucket(bPrintWait)
		for _, j := range waiting {
			j.State, j.Error = JobFailed, "withdrawn: stamp run "+r.State
			if err := wait.Delete(u64(j.ID)); err != nil {
				return abortTx{err}
			}
			if err := putJSON(pb, u64(j.ID), j); err != nil {
				return abortTx{err}
			}
		}
		r.Queued = r.Printed
		if err := putJSON(tx.Bucket(bStampRuns), []byte(r.ID), r); err != nil {
			return abortTx{err}
		}
		out = r
		return nil
	})
	return out, err
}

// waitingStamps are the run's stamps (not reprints) still in the queue.
func waitingStamps(tx *bolt.Tx, run string) ([]PrintJob, error) {
	var out []PrintJob
	pb := tx.Bucket(bPrintJobs)
	want := []byte(`"run":"` + run + `"`)
	err := tx.Bucket(bPrintWait).ForEach(func(k, _ []byte) error {
		var j PrintJob
		ok, err := getJSON(pb, k, &j)
		if err != nil || !ok || j.Doc != StampDoc || !bytes.Contains(j.Payload, want) {
			return err
		}
		var sj StampJob
		if json.Unmarshal(j.Payload, &sj) == nil && sj.Run == run && !sj.Reprint {
			out = append(out, j)
		}
		return nil
	})
	return out, err
}

// ReprintStamps queues again stamps first to last (0-based, inclusive) of a
// run that is not printing: a range spoiled on paper. Only printed stamps can
// be reprinted, at most MaxStampReprint at a time; the run's progress does not
// move.
func (s *Store) ReprintStamps(id string, first, last int, payload StampPayload) (StampRun, error) {
	var out StampRun
	err := s.commit(func(tx *bolt.Tx) error {
		r, err := stampRunTx(tx, id)
		if err != nil {
			return err
		}
		switch {
		case r.Format != StampFormatPrinter || r.State == StampRunPrinting:
			return r.refuse("reprint")
		case first < 0 || last < first || last >= r.Printed:
			return fmt.Errorf("%w: stamps %d to %d of run %s; only printed ones (1 to %d) can be reprinted", ErrBadStampRun, first+1, last+1, r.ID, r.Printed)
		case last-first+1 > MaxStampReprint:
			return fmt.Errorf("%w: %d stamps to reprint, at most %d at a time", ErrBadStampRun, last-first+1, MaxStampReprint)
		}
		payloads := make([][]byte, 0, last-first+1)
		for i := first; i <= last; i++ {
			p, err := payload(r, i, true)
			if err != nil {
				return fmt.Errorf("stamp %s of run %s: %w", r.Serial(i), r.ID, err)
			}
			payloads = append(payloads, p)
		}
		if err := s.addStampJobs(tx, r, first, payloads); err != nil {
			return abortTx{err}
		}
		out = r
		return nil
	})
	return out, err
}

// StampJobReady says whether a stamp's print job may go to paper now: its run
// is printing and the stamp is not printed yet (or the manager asked for it
// again). The queue asks just before it sends the stamp, so a stamp withdrawn
// or already printed is never printed a second time.
func (s *Store) StampJobReady(sj StampJob) error {
	r, err := s.StampRun(sj.Run)
	if err != nil {
		return err
	}
	switch {
	case sj.Reprint:
		return nil
	case r.State != StampRunPrinting:
		return fmt.Errorf("%w: run %s is %s", ErrStampRunState, r.ID, r.State)
	case sj.Index < r.Printed:
		return fmt.Errorf("%w: stamp %s of run %s is printed already", ErrStampRunState, r.Serial(sj.Index), r.ID)
	}
	return nil
}

// stampPrinted moves a run's progress when one of its stamps is printed, in
// the transaction that records the job: the progress on disk is always the
// queue's. It writes, so a failure is abortTx.
func stampPrinted(tx *bolt.Tx, j PrintJob) error {
	var sj StampJob
	if json.Unmarshal(j.Payload, &sj) != nil || sj.Reprint || sj.Run == "" {
		return nil
	}
	r, err := stampRunTx(tx, sj.Run)
	if err != nil {
		return nil // a run forgotten: the job is still recorded
	}
	if sj.Index+1 <= r.Printed {
		return nil
	}
	r.Printed = sj.Index + 1
	r.Queued = max(r.Queued, r.Printed)
	if r.Printed >= r.Count && r.State == StampRunPrinting {
		r.State = StampRunDone
	}
	if err := putJSON(tx.Bucket(bStampRuns), []byte(r.ID), r); err != nil {
		return abortTx{err}
	}
	return nil
}
