package pos

import (
	"errors"
	"testing"
	"time"
)

func TestAStampRunTakesItsSerialsFromTheLotsCounter(t *testing.T) {
	s := traceStore(t)
	now := time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)
	if _, err := s.NextSerials("MO-500", "UM2611-01", 2); err != nil {
		t.Fatal(err)
	}
	run, err := s.IssueStamps("MO-500", "UM2611-01", 10_050, "pdf", "25x25", "", now)
	if err != nil {
		t.Fatal(err)
	}
	if run.Serial(0) != "0003" || run.Last() != "10052" || run.ID != "ST000001" {
		t.Fatalf("run %s: %s–%s, want ST000001: 0003–10052", run.ID, run.Serial(0), run.Last())
	}
	t.Run("serials past 9999 are known as issued, one past the run is not", func(t *testing.T) {
		for serial, want := range map[string]bool{"0003": true, "9999": true, "10000": true, "10052": true, "10053": false, "010052": false} {
			if got, _ := s.SerialIssued("MO-500", "UM2611-01", serial); got != want {
				t.Errorf("serial %s issued = %v, want %v", serial, got, want)
			}
		}
	})
	t.Run("labels printed after the run take the numbers after it", func(t *testing.T) {
		next, err := s.NextSerials("MO-500", "UM2611-01", 1)
		if err != nil || next[0] != "10053" {
			t.Errorf("next label %v %v, want 10053", next, err)
		}
	})
	t.Run("the run is kept", func(t *testing.T) {
		runs, err := s.StampRuns("MO-500", "UM2611-01")
		if err != nil || len(runs) != 1 || runs[0].First != 3 || runs[0].Count != 10_050 || !runs[0].Created.Equal(now) {
			t.Errorf("runs %+v %v", runs, err)
		}
	})
}

func TestARefusedStampRunSpendsNoSerial(t *testing.T) {
	s := traceStore(t)
	now := time.Now()
	cases := []struct {
		name     string
		sku, lot string
		count    int
		wantErr  error
	}{
		{"no stamps", "MO-500", "UM2611-01", 0, ErrBadStampRun},
		{"more than MaxStamps", "MO-500", "UM2611-01", MaxStamps + 1, ErrBadStampRun},
		{"a lot that does not exist", "MO-500", "NOPE", 5, ErrNotFound},
	}
	for _, c := range cases {
		t.Run(c.name+" is refused", func(t *testing.T) {
			if _, err := s.IssueStamps(c.sku, c.lot, c.count, "pdf", "25x25", "", now); !errors.Is(err, c.wantErr) {
				t.Errorf("err = %v, want %v", err, c.wantErr)
			}
		})
	}
	if ok, _ := s.SerialIssued("MO-500", "UM2611-01", "0001"); ok {
		t.Error("a refused run spent serial 0001")
	}
	if runs, _ := s.StampRuns("", ""); len(runs) != 0 {
		t.Errorf("refused runs kept: %+v", runs)
	}
	for _, c := range []struct{ format, size string }{{"pdf", "40x40"}, {"svg", "25x25"}, {"pdf", ""}} {
		if err := CheckStampRun(c.format, c.size); !errors.Is(err, ErrBadStampRun) {
			t.Errorf("format %q size %q: %v", c.format, c.size, err)
		}
	}
}
