package pos

import (
	"errors"
	"path/filepath"
	"testing"
)

func traceStore(t *testing.T) *Store {
	t.Helper()
	s, err := Open(filepath.Join(t.TempDir(), "k.db"), StoreOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	err = s.PutCatalog(Catalog{
		Producers: []Producer{{ID: "UMINH", Name: "HTX Ong mật U Minh Hạ", Kind: KindHTX}},
		Products:  []Product{{SKU: "MO-500", GTIN: "8936072100152", Name: "Mật ong", Group: GroupFood, Stars: 5, ProducerID: "UMINH", Price: 220000, VATRate: 8, Stock: 10}},
		Lots:      []Lot{{SKU: "MO-500", Code: "UM2611-01", ProducedOn: Date{2026, 10, 1}, Quantity: 100}},
	}, "test")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestTraceEventsKeepDateOrderAndSurviveALotsImport(t *testing.T) {
	s := traceStore(t)
	for _, e := range []TraceEvent{
		{When: Date{2026, 10, 20}, What: "packing", Where: "Xưởng HTX, xã Khánh An", Who: "HTX Ong mật U Minh Hạ", Why: "đóng chai 500ml"},
		{When: Date{2026, 10, 1}, What: "harvest", Where: "Rừng tràm U Minh Hạ", Who: "Tổ gác kèo số 3"},
	} {
		if _, err := s.AddTraceEvent("MO-500", "UM2611-01", e); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.AddTraceEvent("MO-500", "UM2611-01", TraceEvent{When: Date{2026, 1, 1}, What: "teleport"}); err == nil {
		t.Fatal("an unknown step was accepted")
	}
	if _, err := s.AddTraceEvent("MO-500", "NOPE", TraceEvent{When: Date{2026, 1, 1}, What: "other"}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("event on an unknown lot: %v", err)
	}
	// Importing the lots file again (quantities changed) keeps the history.
	if err := s.PutCatalog(Catalog{Lots: []Lot{{SKU: "MO-500", Code: "UM2611-01", Quantity: 80}}}, "import"); err != nil {
		t.Fatal(err)
	}
	l, err := s.Lot("MO-500", "UM2611-01")
	if err != nil {
		t.Fatal(err)
	}
	if l.Quantity != 80 || len(l.Events) != 2 || l.Events[0].What != "harvest" || l.Events[1].What != "packing" {
		t.Fatalf("lot after import: %+v", l)
	}
}

func TestSerialsAreNeverReused(t *testing.T) {
	s := traceStore(t)
	a, err := s.NextSerials("MO-500", "UM2611-01", 3)
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.NextSerials("MO-500", "UM2611-01", 2)
	if err != nil {
		t.Fatal(err)
	}
	got := append(a, b...)
	want := []string{"0001", "0002", "0003", "0004", "0005"}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("serials %v, want %v", got, want)
		}
	}
	if _, err := s.NextSerials("MO-500", "UM2611-01", MaxLabels+1); !errors.Is(err, ErrBadQuantity) {
		t.Fatalf("too many labels: %v", err)
	}
	if _, err := s.NextSerials("MO-500", "NOPE", 1); !errors.Is(err, ErrNotFound) {
		t.Fatalf("serials of an unknown lot: %v", err)
	}
}
