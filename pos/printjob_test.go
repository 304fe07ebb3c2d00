package pos

import (
	"fmt"
	"slices"
	"sync"
	"testing"
)

// fillPrintJobs adds n print jobs through the store's own calls, sixteen at a
// time as busy tills would, and leaves job i (1-based, in the order of ids) in
// the state stateOf(i). It returns every job's final state by id.
func fillPrintJobs(t *testing.T, s *Store, n int, stateOf func(i int) string) map[uint64]string {
	t.Helper()
	ids := make(chan uint64, n)
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for w := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += 16 {
				j, err := s.AddPrintJob(PrintJob{Doc: "test", Printer: "receipt", Ref: fmt.Sprint(i)})
				if err != nil {
					errs <- err
					return
				}
				ids <- j.ID
			}
		}()
	}
	wg.Wait()
	close(ids)
	close(errs)
	if err := <-errs; err != nil {
		t.Fatal(err)
	}
	sorted := slices.Sorted(func(yield func(uint64) bool) {
		for id := range ids {
			if !yield(id) {
				return
			}
		}
	})
	states := map[uint64]string{}
	var mu sync.Mutex
	work := make(chan int)
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				id, st := sorted[i], stateOf(i+1)
				mu.Lock()
				states[id] = st
				mu.Unlock()
				if st == JobPending {
					continue
				}
				j, err := s.PrintJob(id)
				if err == nil {
					j.State = st
					err = s.UpdatePrintJob(j)
				}
				if err != nil {
					t.Error(err)
				}
			}
		}()
	}
	for i := range sorted {
		work <- i
	}
	close(work)
	wg.Wait()
	return states
}

// mostlyPrinted leaves every 97th job pending and every 50th failed.
func mostlyPrinted(i int) string {
	switch {
	case i%97 == 0:
		return JobPending
	case i%50 == 0:
		return JobFailed
	}
	return JobPrinted
}

func heldJobs(t *testing.T, s *Store) map[uint64]string {
	t.Helper()
	all, err := s.PrintJobs("")
	if err != nil {
		t.Fatal(err)
	}
	out := map[uint64]string{}
	for _, j := range all {
		out[j.ID] = j.State
	}
	return out
}

func TestTrimmingPrintJobsKeepsTheNewestFinishedOnesAndEveryPendingOne(t *testing.T) {
	s := openTestStore(t)
	states := fillPrintJobs(t, s.Store, 3000, mostlyPrinted)
	pendingSale := s.sell(t, saleOf([]LineRequest{lineReq("HONEY", 1)}, PaymentRequest{Method: MethodCash, Amount: 220000}))

	for _, keep := range []int{1000, 1000, 10} {
		t.Run(fmt.Sprintf("keeping %d", keep), func(t *testing.T) {
			before := heldJobs(t, s.Store)
			removed, err := s.TrimPrintJobs(keep)
			if err != nil {
				t.Fatal(err)
			}
			after := heldJobs(t, s.Store)
			if len(before)-len(after) != removed {
				t.Errorf("said %d removed, %d are gone", removed, len(before)-len(after))
			}
			var finished []uint64
			for id, st := range before {
				if st != JobPending {
					finished = append(finished, id)
				}
			}
			slices.Sort(finished)
			kept := finished[max(0, len(finished)-keep):]
			for id, st := range before {
				_, held := after[id]
				switch {
				case st == JobPending && !held:
					t.Fatalf("pending job %d was trimmed", id)
				case st != JobPending && held != slices.Contains(kept, id):
					t.Fatalf("finished job %d held=%v; the newest %d finished ones are %d…%d", id, held, keep, kept[0], kept[len(kept)-1])
				}
			}
			if pj, err := s.PrintJobsOfSale(pendingSale.ID); err != nil || len(pj) != 1 || pj[0].State != JobPending {
				t.Fatalf("the new sale's receipt job after trimming: %+v, %v", pj, err)
			}
		})
	}
	pending := 0
	for _, st := range states {
		if st == JobPending {
			pending++
		}
	}
	if n := len(heldJobs(t, s.Store)); n != pending+1+10 {
		t.Errorf("%d jobs held, want the %d pending, the sale's and 10 finished", n, pending)
	}
}

func TestTrimmingPrintJobsRejectsANegativeCount(t *testing.T) {
	s := openTestStore(t)
	fillPrintJobs(t, s.Store, 20, mostlyPrinted)
	if _, err := s.TrimPrintJobs(-1); err == nil {
		t.Fatal("keep -1 accepted")
	}
	if n := len(heldJobs(t, s.Store)); n != 20 {
		t.Fatalf("%d jobs after a refused trim, want 20", n)
	}
}

func TestPagingPrintJobsMeetsEveryJobOnceNewestFirst(t *testing.T) {
	s := openTestStore(t)
	fillPrintJobs(t, s.Store, 1200, mostlyPrinted)
	for _, tt := range []struct {
		name  string
		state string
		limit int
	}{
		{"every job, seven at a time", "", 7},
		{"printed jobs, a hundred at a time", JobPrinted, 100},
		{"failed jobs, five at a time", JobFailed, 5},
		{"pending jobs, two at a time", JobPending, 2},
		{"pending jobs in one page that holds them all", JobPending, 500},
	} {
		t.Run(tt.name, func(t *testing.T) {
			all, err := s.PrintJobs(tt.state)
			if err != nil {
				t.Fatal(err)
			}
			var want []uint64
			for _, j := range all {
				want = append(want, j.ID)
			}
			slices.Reverse(want)

			var got []uint64
			before, pages := uint64(0), 0
			for {
				jobs, next, err := s.PrintJobPage(tt.state, before, tt.limit)
				if err != nil {
					t.Fatal(err)
				}
				pages++
				if len(jobs) > tt.limit {
					t.Fatalf("page of %d jobs, limit %d", len(jobs), tt.limit)
				}
				for _, j := range jobs {
					if tt.state != "" && j.State != tt.state {
						t.Fatalf("job %d is %s in a page of %s jobs", j.ID, j.State, tt.state)
					}
					got = append(got, j.ID)
				}
				if pages == 2 {
					// Jobs made during the walk are newer than its start: they
					// neither shift the pages nor show up in them.
					fillPrintJobs(t, s.Store, 3, func(int) string { return tt.state })
				}
				if next == 0 {
					break
				}
				if next != jobs[len(jobs)-1].ID {
					t.Fatalf("next %d, last job of the page %d", next, jobs[len(jobs)-1].ID)
				}
				before = next
			}
			if !slices.Equal(got, want) {
				t.Fatalf("walked %d jobs, want %d; first %v", len(got), len(want), got[:min(10, len(got))])
			}
			if wantPages := (len(want) + tt.limit - 1) / tt.limit; pages != max(wantPages, 1) {
				t.Errorf("%d pages for %d jobs at %d a page", pages, len(want), tt.limit)
			}
		})
	}
}

func TestAPageOfPrintJobsBeforeAnIDPastTheEndStartsAtTheNewest(t *testing.T) {
	s := openTestStore(t)
	fillPrintJobs(t, s.Store, 5, func(int) string { return JobPrinted })
	jobs, next, err := s.PrintJobPage("", 1_000_000, 3)
	if err != nil || len(jobs) != 3 || jobs[0].ID != 5 || next != 3 {
		t.Fatalf("page before 1000000: %d jobs from %v, next %d, %v", len(jobs), jobs, next, err)
	}
	jobs, next, err = s.PrintJobPage("", 1, 3)
	if err != nil || len(jobs) != 0 || next != 0 {
		t.Fatalf("page before the first job: %v, next %d, %v", jobs, next, err)
	}
}

func TestPrintJobsOfASaleAreItsOwnOldestFirst(t *testing.T) {
	s := openTestStore(t)
	pay := PaymentRequest{Method: MethodCash, Amount: 220000}
	a := s.sell(t, saleOf([]LineRequest{lineReq("HONEY", 1)}, pay))
	b := s.sell(t, saleOf([]LineRequest{lineReq("HONEY", 1)}, pay))
	if _, err := s.AddPrintJob(PrintJob{SaleID: a.ID, Doc: "receipt", Printer: "receipt", Copy: true}); err != nil {
		t.Fatal(err)
	}
	jobs, err := s.PrintJobsOfSale(a.ID)
	if err != nil || len(jobs) != 2 || jobs[0].Copy || !jobs[1].Copy || jobs[0].ID > jobs[1].ID {
		t.Fatalf("jobs of sale a: %+v, %v", jobs, err)
	}
	if jobs, err := s.PrintJobsOfSale(b.ID); err != nil || len(jobs) != 1 || jobs[0].SaleID != b.ID {
		t.Fatalf("jobs of sale b: %+v, %v", jobs, err)
	}
	if jobs, err := s.PrintJobsOfSale(a.ID[:10]); err != nil || len(jobs) != 0 {
		t.Fatalf("a prefix of a sale id found %d jobs, %v", len(jobs), err)
	}
}
