package pos

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// handClock is a clock a test moves by hand.
type handClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *handClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *handClock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

const (
	scanGTIN = "08936072100152"
	scanSKU  = "MO-500"
	scanLot  = "UM2611-01"
)

// scanStore is traceStore on a clock of the test's, with labels 0001–0010 of
// the lot printed, and a tally that writes only when told (every hour).
func scanStore(t *testing.T) (*Store, *ScanTally, *handClock) {
	t.Helper()
	clock := &handClock{t: time.Date(2026, 11, 20, 9, 0, 0, 0, VietnamTime)}
	path := filepath.Join(t.TempDir(), "k.db")
	s, err := Open(path, StoreOptions{Now: clock.now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	err = s.PutCatalog(Catalog{
		Producers: []Producer{{ID: "UMINH", Name: "HTX Ong mật U Minh Hạ", Kind: KindHTX}},
		Products:  []Product{{SKU: scanSKU, GTIN: "8936072100152", Name: "Mật ong", Group: GroupFood, Stars: 5, ProducerID: "UMINH", Price: 220000, VATRate: 8, Stock: 10}},
		Lots:      []Lot{{SKU: scanSKU, Code: scanLot, ProducedOn: Date{2026, 10, 1}, Quantity: 100}},
	}, "test")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.NextSerials(scanSKU, scanLot, 10); err != nil {
		t.Fatal(err)
	}
	tally := NewScanTally(s, time.Hour, func(err error) { t.Errorf("background write: %v", err) })
	t.Cleanup(func() { tally.Close() })
	return s, tally, clock
}

func ip(s string) net.IP { return net.ParseIP(s) }

// storedScans reads a label's record as the store holds it, nothing pending.
func storedScans(t *testing.T, s *Store, serial string) (scanRecord, []byte) {
	t.Helper()
	var rec scanRecord
	var raw []byte
	err := s.db.View(func(tx *bolt.Tx) error {
		if b := tx.Bucket(bScans); b != nil {
			raw = bytes.Clone(b.Get(scanKey(scanGTIN, scanLot, serial)))
			_, err := getJSON(b, scanKey(scanGTIN, scanLot, serial), &rec)
			return err
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return rec, raw
}

func TestOnlyLabelsThisKioskPrintedAreCounted(t *testing.T) {
	s, tally, _ := scanStore(t)
	for _, tt := range []struct {
		serial string
		issued bool
	}{
		{"0001", true}, {"0010", true},
		{"0011", false}, // beyond the lot's counter
		{"0000", false}, {"1", false}, {"00001", false}, {"+001", false}, {"ABCD", false}, {"", false},
	} {
		st, err := tally.Record(scanSKU, scanGTIN, scanLot, tt.serial, ip("203.0.113.7"))
		if err != nil {
			t.Fatal(err)
		}
		if st.Issued != tt.issued {
			t.Errorf("serial %q: issued %v, want %v", tt.serial, st.Issued, tt.issued)
		}
		if want := int64(0); !tt.issued && st.Count != want {
			t.Errorf("a serial never printed, %q, was counted: %+v", tt.serial, st)
		}
	}
	// Another lot's counter does not vouch for this one.
	if st, _ := tally.Record(scanSKU, scanGTIN, "OTHER-LOT", "0001", ip("203.0.113.7")); st.Issued {
		t.Error("a lot with no labels printed vouches for serial 0001")
	}
	if err := tally.Flush(); err != nil {
		t.Fatal(err)
	}
	var keys []string
	_ = s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bScans).ForEach(func(k, _ []byte) error { keys = append(keys, string(k)); return nil })
	})
	if len(keys) != 2 {
		t.Errorf("the store keeps scans of %q, want only the two printed labels", keys)
	}
}

func TestConcurrentScansAreAllCounted(t *testing.T) {
	_, tally, _ := scanStore(t)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 25 {
				if _, err := tally.Record(scanSKU, scanGTIN, scanLot, "0001", ip(fmt.Sprintf("198.51.%d.%d", g, i))); err != nil {
					t.Error(err)
				}
				if i%10 == 0 {
					if err := tally.Flush(); err != nil {
						t.Error(err)
					}
				}
			}
		}()
	}
	wg.Wait()
	st, err := tally.Record(scanSKU, scanGTIN, scanLot, "0001", ip("198.51.100.1"))
	if err != nil || st.Count != 201 || st.First.After(st.Last) || st.Places != 9 || st.Days != 1 {
		t.Fatalf("after 201 scans from 9 networks on one day: %+v %v", st, err)
	}
}

// pageWrites is how many pages bbolt has written to the file so far: every
// write transaction writes at least its meta page and one more.
func pageWrites(s *Store) int64 { st := s.db.Stats(); return st.TxStats.GetWrite() }

func TestScansAreWrittenInBatchesNotOnePerPageLoad(t *testing.T) {
	s, tally, clock := scanStore(t)
	if _, err := tally.Record(scanSKU, scanGTIN, scanLot, "0001", ip("203.0.113.1")); err != nil { // makes the network key
		t.Fatal(err)
	}
	if err := tally.Flush(); err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Stat(s.Path())
	before, writes := fi.Size(), pageWrites(s)
	for i := range 1500 {
		serial := fmt.Sprintf("%04d", i%10+1)
		if _, err := tally.Record(scanSKU, scanGTIN, scanLot, serial, ip(fmt.Sprintf("10.%d.%d.9", i/250, i%250))); err != nil {
			t.Fatal(err)
		}
		clock.add(200 * time.Millisecond)
	}
	if got := pageWrites(s) - writes; got != 0 {
		t.Errorf("1,500 page loads wrote %d pages before the tally's write", got)
	}
	if err := tally.Flush(); err != nil {
		t.Fatal(err)
	}
	// One transaction: its meta page, the scans bucket's page or two, and
	// what the freelist needs. One write per scan would be 3,000 or more.
	t.Logf("1,500 scans: %d page writes in one transaction", pageWrites(s)-writes)
	if got := pageWrites(s) - writes; got > 20 {
		t.Errorf("writing 1,500 scans took %d page writes", got)
	}
	fi, _ = os.Stat(s.Path())
	t.Logf("the store grew by %d bytes (was %d)", fi.Size()-before, before)
	if grew := fi.Size() - before; grew > 64<<10 {
		t.Errorf("the store grew by %d bytes for 1,500 scans of ten labels", grew)
	}
	// The counts survive closing and opening the store.
	if err := tally.Close(); err != nil {
		t.Fatal(err)
	}
	path := s.Path()
	s.Close()
	s2, err := Open(path, StoreOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	total := int64(0)
	for i := range 10 {
		rec, _ := storedScans(t, s2, fmt.Sprintf("%04d", i+1))
		total += rec.Count
	}
	if total != 1501 {
		t.Errorf("%d scans kept, want 1,501", total)
	}
}

func TestTwentyScansFromTwentyAddressesInAMinuteDoNotFlagALabel(t *testing.T) {
	_, tally, clock := scanStore(t)
	var st ScanStats
	var err error
	for i := range 20 {
		// Twenty addresses, even on twenty different networks.
		if st, err = tally.Record(scanSKU, scanGTIN, scanLot, "0003", ip(fmt.Sprintf("100.64.%d.%d", i, i+1))); err != nil {
			t.Fatal(err)
		}
		clock.add(3 * time.Second)
	}
	if st.Count != 20 || st.Suspicious() {
		t.Errorf("20 scans in a minute: %+v, suspicious %v", st, st.Suspicious())
	}
	f, err := tally.Flagged()
	if err != nil || len(f) != 0 {
		t.Errorf("flagged: %+v %v", f, err)
	}
}

func TestScansSpreadOverDaysAndPlacesFlagALabel(t *testing.T) {
	_, tally, clock := scanStore(t)
	networks := []string{"203.0.113.5", "198.51.100.7", "100.70.1.2", "2001:db8:1::5", "2001:db8:2::5"}
	var st ScanStats
	var err error
	for day := range SuspiciousDays {
		for i, n := range networks {
			if (day+i)%SuspiciousDays != 0 && day != SuspiciousDays-1 {
				continue // not every network every day
			}
			if st, err = tally.Record(scanSKU, scanGTIN, scanLot, "0004", ip(n)); err != nil {
				t.Fatal(err)
			}
		}
		if day < SuspiciousDays-1 && st.Suspicious() {
			t.Fatalf("flagged after %d day(s): %+v", day+1, st)
		}
		clock.add(26 * time.Hour)
	}
	if !st.Suspicious() || st.Days != SuspiciousDays || st.Places != len(networks) {
		t.Fatalf("scans over %d days from %d networks: %+v, suspicious %v", SuspiciousDays, len(networks), st, st.Suspicious())
	}
	f, err := tally.Flagged()
	if err != nil || len(f) != 1 || f[0].Serial != "0004" || !f[0].Issued {
		t.Fatalf("flagged: %+v %v", f, err)
	}
}

func TestAddressesOfOneNetworkAreOnePlaceAndNoneIsKept(t *testing.T) {
	s, tally, _ := scanStore(t)
	for _, a := range []string{"192.0.2.1", "192.0.2.200", "::ffff:192.0.2.77", "2001:db8:7:1::1", "2001:db8:7:ffff::2"} {
		if _, err := tally.Record(scanSKU, scanGTIN, scanLot, "0005", ip(a)); err != nil {
			t.Fatal(err)
		}
	}
	st, err := tally.Peek(scanSKU, scanGTIN, scanLot, "0005")
	if err != nil || st.Count != 5 || st.Places != 2 {
		t.Fatalf("five addresses on a /24 and a /48: %+v %v, want 2 places", st, err)
	}
	if err := tally.Close(); err != nil {
		t.Fatal(err)
	}
	_, raw := storedScans(t, s, "0005")
	for _, leak := range []string{"192.0.2", "192,0,2", "2001:db8", "c000:02", "wAAC"} {
		if bytes.Contains(raw, []byte(leak)) {
			t.Errorf("the stored record holds %q: %s", leak, raw)
		}
	}
	// After a restart the same network is the same place.
	path := s.Path()
	s.Close()
	s2, err := Open(path, StoreOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	t2 := NewScanTally(s2, time.Hour, nil)
	defer t2.Close()
	st, err = t2.Record(scanSKU, scanGTIN, scanLot, "0005", ip("192.0.2.99"))
	if err != nil || st.Count != 6 || st.Places != 2 {
		t.Fatalf("after a restart: %+v %v, want 6 scans from the same 2 places", st, err)
	}
}

func TestALabelCountedBeforeDaysAndPlacesIsNotFlaggedByItsCount(t *testing.T) {
	s, tally, _ := scanStore(t)
	old := []byte(`{"gtin":"08936072100152","lot":"UM2611-01","serial":"0006","first":"2026-11-01T09:00:00+07:00","last":"2026-11-02T10:00:00+07:00","count":40}`)
	if err := s.commit(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bScans)
		if err != nil {
			return err
		}
		return b.Put(scanKey(scanGTIN, scanLot, "0006"), old)
	}); err != nil {
		t.Fatal(err)
	}
	st, err := tally.Peek(scanSKU, scanGTIN, scanLot, "0006")
	if err != nil || st.Count != 40 || st.Days != 2 || st.Places != 0 || st.Suspicious() {
		t.Fatalf("an old record of 40 scans: %+v %v", st, err)
	}
	if f, err := tally.Flagged(); err != nil || len(f) != 0 {
		t.Fatalf("flagged: %+v %v", f, err)
	}
}

func TestScansWaitingWhenTheStoreFailsAreKeptForTheNextWrite(t *testing.T) {
	s, tally, _ := scanStore(t)
	if _, err := tally.Record(scanSKU, scanGTIN, scanLot, "0007", ip("203.0.113.9")); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if err := tally.Flush(); !errors.Is(err, ErrClosed) {
		t.Fatalf("flush into a closed store: %v", err)
	}
	if st, err := tally.Peek(scanSKU, scanGTIN, scanLot, "0007"); err == nil && st.Count != 1 {
		t.Fatalf("the scan was dropped: %+v", st)
	}
}
