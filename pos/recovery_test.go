package pos

import (
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

func backupTo(t *testing.T, s *testStore) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "backup.db")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Backup(f, nil); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// outboxOf is what the hub holds of a store: every record, as sent.
func outboxOf(t *testing.T, s *Store, after uint64) []OutboxRecord {
	t.Helper()
	recs, err := s.Outbox(after, 1000)
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

func TestARestoredStoreNumbersProvisionallyThenRecoversFromTheHub(t *testing.T) {
	old := openTestStore(t)
	honey := saleOf([]LineRequest{lineReq("HONEY", 1)}, cashReq(220000, 0))
	for range 3 {
		old.sell(t, honey) // K01-000001…3, at the hub
	}
	if err := old.SetAcked(3); err != nil {
		t.Fatal(err)
	}
	backup := backupTo(t, old)
	lost := []Sale{old.sell(t, honey), old.sell(t, honey)} // K01-000004, 5: at the hub, not in the backup
	v, err := old.Void(lost[0].ID, "wrong jar")            // K01-000006
	if err != nil {
		t.Fatal(err)
	}
	hub := outboxOf(t, old.Store, 0)
	if len(hub) != 6 {
		t.Fatalf("hub holds %d records, want 6", len(hub))
	}

	dst := filepath.Join(t.TempDir(), "kiosk.db")
	if _, err := Restore(backup, dst); err != nil {
		t.Fatal(err)
	}
	r := &testStore{openStoreAt(t, dst, old.clock), old.clock}
	num, err := r.Numbering()
	if err != nil || num.Verified || num.Series != "R1" || num.Base != 3 {
		t.Fatalf("restored numbering %+v, %v; want unverified, series R1 from record 3", num, err)
	}
	// Selling before the hub is reached: a provisional series, never a number
	// the lost store issued; nothing goes upstream yet.
	p1 := r.sell(t, saleOf([]LineRequest{lineReq("RICE", 1)}, cashReq(150000, 0)))
	p2 := r.sell(t, honey)
	for i, s := range []Sale{p1, p2} {
		if want := []string{"K01-R1-000001", "K01-R1-000002"}[i]; s.ReceiptNo != want {
			t.Errorf("provisional sale %d is %s, want %s", i+1, s.ReceiptNo, want)
		}
	}
	if recs := outboxOf(t, r.Store, 0); len(recs) != 0 {
		t.Errorf("an unverified store offers %d records upstream", len(recs))
	}
	if d, _ := r.OutboxDepth(); d != 2 {
		t.Errorf("outbox depth %d, want the 2 provisional records", d)
	}
	stockBefore := r.stock(t, "HONEY") // 100 − 3 − 1

	res, err := r.Recover(hub[3:], 6)
	if err != nil {
		t.Fatal(err)
	}
	if res.Recovered != 3 || res.Moved != 2 || len(res.Lost) != 0 {
		t.Errorf("Recover = %+v, want 3 recovered, 2 moved", res)
	}
	for _, want := range append(lost, v) {
		got, err := r.Sale(want.ID)
		if err != nil || got.ReceiptNo != want.ReceiptNo || got.Seq != want.Seq || got.Total != want.Total {
			t.Errorf("recovered %s: %+v, %v", want.ReceiptNo, got, err)
		}
	}
	if got, _ := r.Sale(lost[0].ID); got.Status != StatusVoided {
		t.Errorf("the recovered voided sale is %s", got.Status)
	}
	for i, p := range []Sale{p1, p2} {
		got, err := r.Sale(p.ID)
		if err != nil || got.ReceiptNo != p.ReceiptNo || got.Seq != uint64(7+i) {
			t.Errorf("provisional %s after recovery: seq %d, %s, %v; want seq %d and its receipt number", p.ReceiptNo, got.Seq, got.ReceiptNo, err, 7+i)
		}
	}
	// Stock replays what the lost store sold: two honey sold, one put back.
	if h := r.stock(t, "HONEY"); h != stockBefore-1 {
		t.Errorf("honey stock %d after recovery, want %d", h, stockBefore-1)
	}
	next := r.sell(t, honey)
	if next.ReceiptNo != "K01-000007" || next.Seq != 9 {
		t.Errorf("the first sale after recovery is %s (record %d), want K01-000007 (record 9)", next.ReceiptNo, next.Seq)
	}
	up := outboxOf(t, r.Store, 6)
	if len(up) != 3 || up[0].SaleID != p1.ID || up[1].SaleID != p2.ID || up[2].SaleID != next.ID {
		t.Errorf("records to send after recovery: %+v", up)
	}
	z, err := r.ShiftReport("")
	if err != nil {
		t.Fatal(err)
	}
	if z.Sales != 8 || z.Voids != 1 || z.Net != 7*220000+150000-220000 {
		t.Errorf("X-report after recovery: %d sales, %d voids, net %d", z.Sales, z.Voids, z.Net)
	}
}

func TestRecoverFindsWhatNeitherSideHolds(t *testing.T) {
	old := openTestStore(t)
	honey := saleOf([]LineRequest{lineReq("HONEY", 1)}, cashReq(220000, 0))
	old.sell(t, honey)
	backup := backupTo(t, old)
	for range 4 {
		old.sell(t, honey) // records 2…5
	}
	hub := outboxOf(t, old.Store, 0)
	dst := filepath.Join(t.TempDir(), "kiosk.db")
	if _, err := Restore(backup, dst); err != nil {
		t.Fatal(err)
	}
	r := &testStore{openStoreAt(t, dst, old.clock), old.clock}
	// The hub holds 1, 2 and 5: records 3 and 4 never reached it.
	res, err := r.Recover([]OutboxRecord{hub[1], hub[4]}, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Lost) != 1 || res.Lost[0] != (SeqRange{3, 4}) {
		t.Errorf("lost %+v, want records 3–4", res.Lost)
	}
	if next := r.sell(t, honey); next.Seq != 6 || next.ReceiptNo != "K01-000006" {
		t.Errorf("next sale %s (record %d), want K01-000006 (record 6)", next.ReceiptNo, next.Seq)
	}
}

func TestRecoverRefusesAnotherKiosksRecords(t *testing.T) {
	s := openTestStore(t)
	if _, err := s.Unverify("test"); err != nil {
		t.Fatal(err)
	}
	other := openTestStore(t)
	other.sell(t, saleOf([]LineRequest{lineReq("HONEY", 1)}, cashReq(220000, 0)))
	recs := outboxOf(t, other.Store, 0)
	recs[0].Sale.KioskID = "K02"
	res, err := s.Recover(recs, 0)
	if err != nil || res.Recovered != 0 || len(res.Skipped) != 1 {
		t.Errorf("Recover of another kiosk's record: %+v, %v", res, err)
	}
	if n, _ := s.SaleCount(); n != 0 {
		t.Errorf("%d records taken in", n)
	}
}

func TestTheOutboxResendsWhatARestoredHubLost(t *testing.T) {
	s := openTestStore(t)
	for range 5 {
		s.sell(t, saleOf([]LineRequest{lineReq("RICE", 1)}, cashReq(150000, 0)))
	}
	if err := s.SetAcked(5); err != nil {
		t.Fatal(err)
	}
	if recs := outboxOf(t, s.Store, 5); len(recs) != 0 {
		t.Fatalf("%d records after the acknowledgement", len(recs))
	}
	// The hub comes back from a snapshot holding only the first two.
	if err := s.SetAcked(2); err != nil {
		t.Fatal(err)
	}
	recs := outboxOf(t, s.Store, 2)
	if len(recs) != 3 || recs[0].Seq != 3 || recs[2].Seq != 5 {
		t.Errorf("records to send again: %+v", recs)
	}
	if d, _ := s.OutboxDepth(); d != 3 {
		t.Errorf("outbox depth %d, want 3", d)
	}
}

func TestIdempotencyKeysOutliveAClockJump(t *testing.T) {
	s := openTestStore(t)
	req := saleOf([]LineRequest{lineReq("HONEY", 1)}, cashReq(220000, 0))
	first, _, err := s.CommitSale(req, "till1-0042")
	if err != nil {
		t.Fatal(err)
	}
	// The clock is set eight days ahead and the kiosk restarts (it trims keys
	// at start).
	s.clock.Set(s.clock.Now().Add(8 * 24 * time.Hour))
	if _, err := s.TrimIdempotency(50_000); err != nil {
		t.Fatal(err)
	}
	again, replayed, err := s.CommitSale(req, "till1-0042")
	if err != nil || !replayed || again.ID != first.ID {
		t.Fatalf("retry after a clock jump: replayed %v, %s vs %s, %v; sold twice", replayed, again.ID, first.ID, err)
	}
	// Keys are forgotten by how many records came after them.
	for range 3 {
		s.sell(t, saleOf([]LineRequest{lineReq("RICE", 1)}, cashReq(150000, 0)))
	}
	if n, err := s.TrimIdempotency(3); err != nil || n != 1 {
		t.Errorf("TrimIdempotency(3) forgot %d, %v; want the one key", n, err)
	}
	if _, replayed, _ := s.CommitSale(req, "till1-0042"); replayed {
		t.Error("a key older than the kept records was replayed")
	}
}

func TestSalesSinceListsWhatWasSoldAfterTheClockWasSetBack(t *testing.T) {
	s := openTestStore(t)
	morning := time.Date(2026, 11, 23, 8, 0, 0, 0, ictZone)
	s.clock.Set(morning)
	a := s.sell(t, saleOf([]LineRequest{lineReq("HONEY", 1)}, cashReq(220000, 0)))
	s.clock.Set(morning.Add(-26 * time.Hour)) // someone sets the clock a day back
	b := s.sell(t, saleOf([]LineRequest{lineReq("RICE", 1)}, cashReq(150000, 0)))
	got, err := s.SalesSince(morning, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].ID != a.ID || got[1].ID != b.ID {
		t.Errorf("sales since the morning: %d records, want the sale before and the one after the clock was set back", len(got))
	}
}

func TestClosingAShiftQueuesItsZReportInTheSameTransaction(t *testing.T) {
	s := openTestStore(t)
	s.sell(t, saleOf([]LineRequest{lineReq("HONEY", 1)}, cashReq(220000, 0)))
	z, err := s.CloseShift("", 220000, "manager")
	if err != nil {
		t.Fatal(err)
	}
	jobs, err := s.PendingPrintJobs()
	if err != nil {
		t.Fatal(err)
	}
	found := 0
	for _, j := range jobs {
		if j.Doc == "zreport" && j.Ref == z.Shift.ID {
			found++
		}
	}
	if found != 1 {
		t.Errorf("%d Z-report jobs for %s queued with the close, want 1 (jobs %+v)", found, z.Shift.ID, jobs)
	}
}

func TestShiftTotalsMatchTheRecords(t *testing.T) {
	s := openTestStore(t)
	for _, sku := range []string{"HONEY", "WINE"} {
		if _, err := s.AdjustStock(sku, 1000, "delivery"); err != nil {
			t.Fatal(err)
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	var sales []Sale
	want := map[string]Money{}
	for range 60 {
		switch n := rng.IntN(10); {
		case n < 7 || len(sales) == 0:
			req := saleOf([]LineRequest{lineReq("HONEY", int64(1+rng.IntN(2))), lineReq("WINE", 1)}, cashReq(1_000_000, 0))
			if rng.IntN(2) == 0 {
				req.Payments = []PaymentRequest{{Method: MethodCard, Amount: 1}, {Method: MethodCash, Amount: 1_000_000}}
			}
			sl := s.sell(t, req)
			sales = append(sales, sl)
		case n < 8:
			i := rng.IntN(len(sales))
			if _, err := s.Void(sales[i].ID, "test"); err != nil && !errors.Is(err, ErrAlreadyVoided) {
				t.Fatal(err)
			}
		default:
			i := rng.IntN(len(sales))
			if _, err := s.Refund(sales[i].ID, RefundRequest{Lines: []LineRequest{lineReq("WINE", 1)}, Reason: "test"}); err != nil &&
				!errors.Is(err, ErrAlreadyVoided) && !errors.Is(err, ErrRefundTooLarge) {
				t.Fatal(err)
			}
		}
	}
	all, err := s.SalesAfter(0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var net Money
	units := map[string]int64{}
	for _, r := range all {
		net += r.Total
		for _, p := range r.Payments {
			want[p.Method] += p.Amount
		}
		for _, l := range r.Lines {
			units[l.SKU] += l.Qty
		}
	}
	z, err := s.ShiftReport("")
	if err != nil {
		t.Fatal(err)
	}
	if z.Net != net || z.ByMethod[MethodCash] != want[MethodCash] || z.ByMethod[MethodCard] != want[MethodCard] ||
		z.Units["HONEY"] != units["HONEY"] || z.Units["WINE"] != units["WINE"] {
		t.Errorf("Z-report net %d by method %v units %v; records say %d, %v, %v", z.Net, z.ByMethod, z.Units, net, want, units)
	}
	if z.FirstReceipt != all[0].ReceiptNo || z.LastReceipt != all[len(all)-1].ReceiptNo {
		t.Errorf("receipts %s…%s, want %s…%s", z.FirstReceipt, z.LastReceipt, all[0].ReceiptNo, all[len(all)-1].ReceiptNo)
	}
}

func TestOpenRefusesWhatItCannotTrust(t *testing.T) {
	t.Run("an empty file is not made a new store", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "kiosk.db")
		if err := os.WriteFile(path, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		s, err := Open(path, StoreOptions{})
		if err == nil {
			s.Close()
			t.Fatal("Open made an empty file a new store")
		}
		if !errors.Is(err, ErrDamaged) || !strings.Contains(err.Error(), "kiosk check") || !strings.Contains(err.Error(), "kiosk restore") {
			t.Errorf("Open: %v; want ErrDamaged with what to do", err)
		}
		if fi, _ := os.Stat(path); fi.Size() != 0 {
			t.Errorf("the empty file was written: %d bytes", fi.Size())
		}
	})
	t.Run("a bbolt file of another program is not a kiosk store", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "other.db")
		db, err := bolt.Open(path, 0o600, nil)
		if err != nil {
			t.Fatal(err)
		}
		_ = db.Update(func(tx *bolt.Tx) error { _, err := tx.CreateBucket([]byte("kiosks")); return err })
		db.Close()
		before, _ := os.ReadFile(path)
		if s, err := Open(path, StoreOptions{}); err == nil || !errors.Is(err, ErrNotAStore) {
			if s != nil {
				s.Close()
			}
			t.Fatalf("Open: %v, want ErrNotAStore", err)
		}
		if after, _ := os.ReadFile(path); string(after) != string(before) {
			t.Error("the foreign file was written")
		}
	})
	t.Run("a store of another kiosk", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "kiosk.db")
		s, err := Open(path, StoreOptions{KioskID: "K02"})
		if err != nil {
			t.Fatal(err)
		}
		s.Close()
		if s, err := Open(path, StoreOptions{KioskID: "K01"}); err == nil || !errors.Is(err, ErrWrongKiosk) {
			if s != nil {
				s.Close()
			}
			t.Fatalf("Open: %v, want ErrWrongKiosk", err)
		}
	})
	t.Run("damaged pages are found before anything is sold", func(t *testing.T) {
		s := openTestStore(t)
		if _, err := s.AdjustStock("HONEY", 1000, "delivery"); err != nil {
			t.Fatal(err)
		}
		for range 300 {
			s.sell(t, saleOf([]LineRequest{lineReq("HONEY", 1)}, cashReq(220000, 0)))
		}
		path := s.Path()
		s.Close()
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		// Scribble over pages after the two meta pages (4 KiB each).
		rng := rand.New(rand.NewPCG(3, 4))
		for i := 3 * 4096; i < len(data); i += 4096 {
			for j := 0; j < 64; j++ {
				data[i+rng.IntN(4096)] = byte(rng.IntN(256))
			}
		}
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		s2, err := Open(path, StoreOptions{})
		if err == nil {
			s2.Close()
			t.Fatal("Open accepted a store with damaged pages")
		}
		if !errors.Is(err, ErrDamaged) {
			t.Errorf("Open: %v, want ErrDamaged", err)
		}
		if _, err := Check(path); !errors.Is(err, ErrDamaged) {
			t.Errorf("Check: %v, want ErrDamaged", err)
		}
	})
}

func TestCheckReportsAHealthyStore(t *testing.T) {
	s := openTestStore(t)
	s.sell(t, saleOf([]LineRequest{lineReq("HONEY", 1)}, cashReq(220000, 0)))
	path := s.Path()
	s.Close()
	r, err := Check(path)
	if err != nil {
		t.Fatal(err)
	}
	if r.Kiosk != "K01" || r.Records != 1 || r.Last != "K01-000001" || len(r.Problems) != 0 || r.Schema != SchemaVersion {
		t.Errorf("Check = %+v", r)
	}
	if !strings.Contains(r.String(), "no problems found") {
		t.Errorf("report:\n%s", r)
	}
}

// TestASchema1StoreMovesForward builds a store the way schema 1 kept it — the
// outbox holding copies of the records, no record sequence, no shift totals —
// and opens it.
func TestASchema1StoreMovesForward(t *testing.T) {
	s := openTestStore(t)
	var sold []Sale
	for range 3 {
		sold = append(sold, s.sell(t, saleOf([]LineRequest{lineReq("HONEY", 1)}, cashReq(220000, 0))))
	}
	if _, _, err := s.CommitSale(saleOf([]LineRequest{lineReq("RICE", 1)}, cashReq(150000, 0)), "key-1"); err != nil {
		t.Fatal(err)
	}
	zBefore, _ := s.ShiftReport("")
	path := s.Path()
	s.Close()
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		m := tx.Bucket(bMeta)
		_ = m.Delete(kStoreKind)
		_ = m.Delete(kStoreKiosk)
		_ = m.Put(kSchema, []byte("1"))
		_ = tx.Bucket(bSalesSeq).SetSequence(0)
		_ = tx.DeleteBucket(bTotals)
		_ = tx.DeleteBucket(bIdemSeq)
		ob, _ := tx.CreateBucket([]byte("outbox"))
		for i, sl := range sold {
			_ = putJSON(ob, u64(uint64(i+1)), OutboxRecord{Seq: uint64(i + 1), SaleID: sl.ID, Sale: sl})
		}
		return nil
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	r := &testStore{openStoreAt(t, path, s.clock), s.clock}
	if v, _ := r.Meta("schema_version"); v != "2" {
		t.Errorf("schema %s after opening", v)
	}
	zAfter, err := r.ShiftReport("")
	if err != nil || zAfter.Net != zBefore.Net || zAfter.Sales != 4 {
		t.Errorf("X-report after the move: net %d, %d sales, %v; before net %d", zAfter.Net, zAfter.Sales, err, zBefore.Net)
	}
	if next := r.sell(t, saleOf([]LineRequest{lineReq("WINE", 1)}, cashReq(45000, 0))); next.Seq != 5 || next.ReceiptNo != "K01-000005" {
		t.Errorf("next sale %s, record %d", next.ReceiptNo, next.Seq)
	}
	if _, replayed, err := r.CommitSale(saleOf([]LineRequest{lineReq("RICE", 1)}, cashReq(150000, 0)), "key-1"); err != nil || !replayed {
		t.Errorf("an idempotency key of schema 1 was not kept: %v", err)
	}
	if n, err := r.TrimIdempotency(1); err != nil || n != 1 {
		t.Errorf("the moved key is not aged by its sequence: trimmed %d, %v", n, err)
	}
}

func TestRestorePutsABackupInPlaceOfADamagedStoreAndKeepsItAsItWas(t *testing.T) {
	s := openTestStore(t)
	s.sell(t, saleOf([]LineRequest{lineReq("HONEY", 1)}, cashReq(220000, 0)))
	backup := backupTo(t, s)
	for name, damage := range map[string][]byte{"empty": {}, "scribbled": []byte(strings.Repeat("not a store ", 2000))} {
		t.Run(name, func(t *testing.T) {
			dst := filepath.Join(t.TempDir(), "kiosk.db")
			if err := os.WriteFile(dst, damage, 0o600); err != nil {
				t.Fatal(err)
			}
			if _, err := Restore(backup, dst); err != nil {
				t.Fatalf("Restore over a damaged store: %v", err)
			}
			kept, _ := filepath.Glob(dst + ".before-restore-*")
			if len(kept) != 1 {
				t.Fatalf("kept %v", kept)
			}
			if got, _ := os.ReadFile(kept[0]); string(got) != string(damage) {
				t.Errorf("the damaged store was changed before it was kept aside (%d bytes, was %d)", len(got), len(damage))
			}
			if r, err := Check(dst); err != nil || r.Records != 1 {
				t.Errorf("restored store: %+v, %v", r, err)
			}
		})
	}
}

// TestRandomDamageNeverCrashesOpen scribbles over a real store in many ways
// (bytes here and there, whole pages, a cut-off end) and opens it each time:
// Open and Check must answer, never panic or fault. A fault in bbolt's own check
// goroutine would end the whole test binary.
func TestRandomDamageNeverCrashesOpen(t *testing.T) {
	s := openTestStore(t)
	if _, err := s.AdjustStock("HONEY", 1000, "delivery"); err != nil {
		t.Fatal(err)
	}
	for range 400 {
		s.sell(t, saleOf([]LineRequest{lineReq("HONEY", 1)}, cashReq(220000, 0)))
	}
	path := s.Path()
	s.Close()
	good, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for seed := range uint64(40) {
		rng := rand.New(rand.NewPCG(seed, 99))
		data := append([]byte(nil), good...)
		switch seed % 4 {
		case 0: // a few bytes in every page
			for i := 2 * 4096; i < len(data); i += 4096 {
				for range 8 {
					data[i+rng.IntN(4096)] = byte(rng.IntN(256))
				}
			}
		case 1: // page headers
			for i := 2 * 4096; i < len(data); i += 4096 {
				if rng.IntN(3) == 0 {
					for j := range 16 {
						data[i+j] = byte(rng.IntN(256))
					}
				}
			}
		case 2: // whole pages of noise
			for i := 2 * 4096; i < len(data); i += 4096 {
				if rng.IntN(5) == 0 {
					for j := range 4096 {
						data[i+j] = byte(rng.IntN(256))
					}
				}
			}
		case 3: // the end cut off
			data = data[:4096*(2+rng.IntN(len(data)/4096-2))]
		}
		dst := filepath.Join(t.TempDir(), "kiosk.db")
		if err := os.WriteFile(dst, data, 0o600); err != nil {
			t.Fatal(err)
		}
		if st, err := Open(dst, StoreOptions{}); err == nil {
			st.Close()
		} else if !errors.Is(err, ErrDamaged) && !errors.Is(err, ErrNotAStore) && !errors.Is(err, ErrSchema) {
			t.Errorf("seed %d: Open: %v", seed, err)
		}
		_, _ = Check(dst)
	}
}
