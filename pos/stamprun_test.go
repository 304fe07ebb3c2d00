package pos

import (
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"
)

// stampTestPayload is a stamp's payload as the kiosk writes it, less the label.
func stampTestPayload(r StampRun, i int, reprint bool) ([]byte, error) {
	return json.Marshal(StampJob{Run: r.ID, Index: i, Reprint: reprint})
}

func printerRun(t *testing.T, s *Store, count int) StampRun {
	t.Helper()
	run, err := s.IssueStamps("MO-500", "UM2611-01", count, StampFormatPrinter, "25x25", "https://k.example", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return run
}

// printNext prints the oldest pending job as the queue does: asks whether it
// may print, then records it printed (or failed, as the queue does when the
// document cannot be made).
func printNext(t *testing.T, s *Store) (StampJob, bool) {
	t.Helper()
	jobs, err := s.PendingPrintJobs()
	if err != nil || len(jobs) == 0 {
		return StampJob{}, false
	}
	j := jobs[0]
	var sj StampJob
	if err := json.Unmarshal(j.Payload, &sj); err != nil {
		t.Fatal(err)
	}
	if err := s.StampJobReady(sj); err != nil {
		j.State, j.Error = JobFailed, err.Error()
		sj.Index = -1
	} else {
		now := time.Now()
		j.State, j.Printed = JobPrinted, &now
	}
	if err := s.UpdatePrintJob(j); err != nil {
		t.Fatal(err)
	}
	return sj, true
}

func pendingCount(t *testing.T, s *Store) int {
	t.Helper()
	jobs, err := s.PendingPrintJobs()
	if err != nil {
		t.Fatal(err)
	}
	return len(jobs)
}

func TestAPrinterRunIsFedAFewStampsAtATimeAndItsProgressIsTheQueues(t *testing.T) {
	s := traceStore(t)
	run := printerRun(t, s, 40)
	if run.State != StampRunPrinting || run.Printer != StampPrinter || run.Printed != 0 {
		t.Fatalf("new printer run %+v", run)
	}
	feed := func() int {
		t.Helper()
		n, err := s.FeedStampRun(run.ID, 8, stampTestPayload)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := feed(); n != 8 || pendingCount(t, s) != 8 {
		t.Fatalf("first feed added %d, %d pending; want 8", n, pendingCount(t, s))
	}
	if n := feed(); n != 0 {
		t.Errorf("a full window took %d more", n)
	}
	var printed []int
	for range 3 {
		sj, _ := printNext(t, s)
		printed = append(printed, sj.Index)
	}
	if r, _ := s.StampRun(run.ID); r.Printed != 3 {
		t.Errorf("after 3 stamps the run says %d printed", r.Printed)
	}
	if n := feed(); n != 3 {
		t.Errorf("the feed topped up %d, want 3", n)
	}
	for {
		sj, ok := printNext(t, s)
		if !ok {
			if feed() == 0 {
				break
			}
			continue
		}
		printed = append(printed, sj.Index)
	}
	for i, idx := range printed {
		if idx != i {
			t.Fatalf("stamps printed in order %v", printed)
		}
	}
	r, _ := s.StampRun(run.ID)
	if len(printed) != 40 || r.Printed != 40 || r.State != StampRunDone {
		t.Errorf("%d printed, run %+v; want 40, done", len(printed), r)
	}
}

func TestAPauseWithdrawsTheWaitingStampsAndAResumePrintsEachOnce(t *testing.T) {
	s := traceStore(t)
	run := printerRun(t, s, 20)
	if _, err := s.FeedStampRun(run.ID, 6, stampTestPayload); err != nil {
		t.Fatal(err)
	}
	printNext(t, s)
	printNext(t, s)
	// The queue has the third stamp in hand (its list read before the
	// pause) when the paper runs out and the manager pauses.
	jobs, _ := s.PendingPrintJobs()
	inHand := jobs[0]
	if _, err := s.PauseStampRun(run.ID, "manager"); err != nil {
		t.Fatal(err)
	}
	if n := pendingCount(t, s); n != 0 {
		t.Errorf("%d stamps still wait after the pause", n)
	}
	t.Run("the queue's note of a failed try does not bring a withdrawn stamp back", func(t *testing.T) {
		inHand.Attempts, inHand.Error = 1, "paper out"
		if err := s.UpdatePrintJob(inHand); err != nil {
			t.Fatal(err)
		}
		if n := pendingCount(t, s); n != 0 {
			t.Errorf("%d stamps wait after the failed try was noted", n)
		}
	})
	t.Run("a withdrawn stamp may not print", func(t *testing.T) {
		var sj StampJob
		_ = json.Unmarshal(inHand.Payload, &sj)
		if err := s.StampJobReady(sj); !errors.Is(err, ErrStampRunState) {
			t.Errorf("a stamp of a paused run ready: %v", err)
		}
	})
	t.Run("a second pause is refused and changes nothing", func(t *testing.T) {
		if _, err := s.PauseStampRun(run.ID, "manager"); !errors.Is(err, ErrStampRunState) {
			t.Errorf("pausing a paused run: %v", err)
		}
	})
	if _, err := s.ResumeStampRun(run.ID); err != nil {
		t.Fatal(err)
	}
	var got []int
	for {
		sj, ok := printNext(t, s)
		if !ok {
			if n, _ := s.FeedStampRun(run.ID, 6, stampTestPayload); n == 0 {
				break
			}
			continue
		}
		got = append(got, sj.Index)
	}
	if fmt.Sprint(got) != fmt.Sprint([]int{2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19}) {
		t.Errorf("after the resume printed %v, want 2 to 19 once each", got)
	}
	t.Run("a finished run cannot resume, pause or cancel", func(t *testing.T) {
		for name, call := range map[string]func(string) (StampRun, error){
			"resume": s.ResumeStampRun, "cancel": s.CancelStampRun,
			"pause": func(id string) (StampRun, error) { return s.PauseStampRun(id, "manager") },
		} {
			if _, err := call(run.ID); !errors.Is(err, ErrStampRunState) {
				t.Errorf("%s a done run: %v", name, err)
			}
		}
	})
}

func TestAStampAlreadyPrintedIsNotPrintedAgainWhenItWasQueuedTwice(t *testing.T) {
	s := traceStore(t)
	run := printerRun(t, s, 5)
	if _, err := s.FeedStampRun(run.ID, 5, stampTestPayload); err != nil {
		t.Fatal(err)
	}
	// A pause and a resume while stamp 0 was on its way: it printed, and the
	// resume queued it again before the queue recorded it.
	jobs, _ := s.PendingPrintJobs()
	first := jobs[0]
	if _, err := s.PauseStampRun(run.ID, "manager"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ResumeStampRun(run.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.FeedStampRun(run.ID, 5, stampTestPayload); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	first.State, first.Printed = JobPrinted, &now
	if err := s.UpdatePrintJob(first); err != nil {
		t.Fatal(err)
	}
	var printed []int
	for {
		sj, ok := printNext(t, s)
		if !ok {
			break
		}
		if sj.Index >= 0 {
			printed = append(printed, sj.Index)
		}
	}
	if fmt.Sprint(printed) != "[1 2 3 4]" {
		t.Errorf("after stamp 0 printed late the queue printed %v, want [1 2 3 4]", printed)
	}
}

func TestACancelledRunKeepsItsSerialsAndAReprintIsOnlyOfPrintedStamps(t *testing.T) {
	s := traceStore(t)
	run := printerRun(t, s, 10)
	if _, err := s.FeedStampRun(run.ID, 4, stampTestPayload); err != nil {
		t.Fatal(err)
	}
	printNext(t, s)
	printNext(t, s)
	if _, err := s.ReprintStamps(run.ID, 0, 1, stampTestPayload); !errors.Is(err, ErrStampRunState) {
		t.Errorf("a reprint while printing: %v", err)
	}
	if _, err := s.CancelStampRun(run.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CancelStampRun(run.ID); !errors.Is(err, ErrStampRunState) {
		t.Errorf("cancelling twice: %v", err)
	}
	if next, err := s.NextSerials("MO-500", "UM2611-01", 1); err != nil || next[0] != "0011" {
		t.Errorf("a label after the cancelled run: %v %v, want 0011", next, err)
	}
	for _, c := range []struct {
		name        string
		first, last int
	}{{"a stamp never printed", 1, 2}, {"a range backwards", 1, 0}, {"before the run", -1, 0}} {
		if _, err := s.ReprintStamps(run.ID, c.first, c.last, stampTestPayload); !errors.Is(err, ErrBadStampRun) {
			t.Errorf("reprint of %s: %v", c.name, err)
		}
	}
	if _, err := s.ReprintStamps(run.ID, 0, 1, stampTestPayload); err != nil {
		t.Fatal(err)
	}
	var again []int
	for {
		sj, ok := printNext(t, s)
		if !ok {
			break
		}
		again = append(again, sj.Index)
	}
	r, _ := s.StampRun(run.ID)
	if fmt.Sprint(again) != "[0 1]" || r.Printed != 2 || r.State != StampRunCancelled {
		t.Errorf("reprinted %v, run %+v; want [0 1], 2 printed, cancelled", again, r)
	}
}
