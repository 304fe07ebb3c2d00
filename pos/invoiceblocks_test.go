package pos

import (
	"testing"
)

// A block given back never issues a number twice: the vendor moves the kiosk
// from one block to another and back (a changed -invoice-block, or the hub's
// next block and an old flag), and the counter goes on after what was used.
func TestABlockTakenAgainNeverIssuesANumberTwice(t *testing.T) {
	s := openInvoicingStore(t, TaxDirect)
	honey := SaleRequest{Lines: []LineRequest{lineReq("HONEY", 1)}, Payments: []PaymentRequest{cashReq(220000, 0)}}
	a := invoiceSettings(TaxDirect).Block
	b := InvoiceBlock{From: 70_000_000, To: 79_999_999}
	seen := map[string]bool{}
	sell := func(want string) {
		t.Helper()
		inv := s.sell(t, honey).Invoices[0]
		if seen[inv.MCCQT] {
			t.Fatalf("MCCQT %s issued twice", inv.MCCQT)
		}
		seen[inv.MCCQT] = true
		if inv.MCCQT != want {
			t.Errorf("MCCQT %s, want %s", inv.MCCQT, want)
		}
	}
	sell("M2-26-A1B2C-01234560000")
	sell("M2-26-A1B2C-01234560001")
	if err := s.SetInvoiceBlock(b); err != nil {
		t.Fatal(err)
	}
	sell("M2-26-A1B2C-00070000000")
	if err := s.SetInvoiceBlock(a); err != nil { // back to the first block
		t.Fatal(err)
	}
	sell("M2-26-A1B2C-01234560002")
	if err := s.SetInvoiceBlock(b); err != nil { // and to the second again
		t.Fatal(err)
	}
	sell("M2-26-A1B2C-00070000001")
	if err := s.SetInvoiceBlock(b); err != nil { // the same block again changes nothing
		t.Fatal(err)
	}
	sell("M2-26-A1B2C-00070000002")
}

// A store restored from a backup made while the kiosk had its first block,
// and recovered from the hub after the kiosk had moved to a second, starts the
// second after the numbers the lost store issued in it.
func TestARecoveredStoreSkipsWhatTheLostStoreIssuedInAnotherBlock(t *testing.T) {
	old := openInvoicingStore(t, TaxDirect)
	honey := SaleRequest{Lines: []LineRequest{lineReq("HONEY", 1)}, Payments: []PaymentRequest{cashReq(220000, 0)}}
	old.sell(t, honey)
	if err := old.SetAcked(1); err != nil {
		t.Fatal(err)
	}
	backup := backupTo(t, old)
	b := InvoiceBlock{From: 70_000_000, To: 79_999_999}
	if err := old.SetInvoiceBlock(b); err != nil {
		t.Fatal(err)
	}
	old.sell(t, honey) // …70000000, at the hub only
	old.sell(t, honey) // …70000001
	hub := outboxOf(t, old.Store, 0)

	clock := newTestClock()
	clock.Set(old.clock.Now())
	restored := &testStore{openStoreAt(t, backup, clock), clock}
	if err := restored.SetInvoicing(invoiceSettings(TaxDirect)); err != nil { // the old flag: the first block
		t.Fatal(err)
	}
	if _, err := restored.Unverify("restored from a backup"); err != nil {
		t.Fatal(err)
	}
	if _, err := restored.Recover(hub[1:], 3); err != nil {
		t.Fatal(err)
	}
	if err := restored.SetInvoiceBlock(b); err != nil { // the hub's block, on the next link
		t.Fatal(err)
	}
	if inv := restored.sell(t, honey).Invoices[0]; inv.MCCQT != "M2-26-A1B2C-00070000002" {
		t.Errorf("after Recover and the second block: MCCQT %s, want …70000002", inv.MCCQT)
	}
}

func TestUsedRangesMergeAndSkip(t *testing.T) {
	var rs []InvoiceBlock
	rs = addUsed(rs, 10, 19)
	rs = addUsed(rs, 30, 30)
	rs = addUsed(rs, 20, 25) // touches the first
	rs = addUsed(rs, 31, 31) // touches the second
	if len(rs) != 2 || rs[0] != (InvoiceBlock{10, 25}) || rs[1] != (InvoiceBlock{30, 31}) {
		t.Fatalf("ranges %v", rs)
	}
	cases := []struct {
		block InvoiceBlock
		want  uint64
	}{
		{InvoiceBlock{0, 9}, 0},
		{InvoiceBlock{10, 99}, 32},
		{InvoiceBlock{26, 29}, 26},
		{InvoiceBlock{10, 25}, 26}, // all used: one past the end, refused as full
	}
	for _, c := range cases {
		if got := firstFree(c.block, rs); got != c.want {
			t.Errorf("firstFree(%v) = %d, want %d", c.block, got, c.want)
		}
	}
}

// A kiosk whose first block ran out and which the hub gave its next starts
// again with the old block still in its flags: it keeps the next one.
func TestAUsedUpBlockInTheSettingsDoesNotReplaceTheHubsNext(t *testing.T) {
	s := openPricingStore(t)
	set := invoiceSettings(TaxDirect)
	set.Block = InvoiceBlock{From: 100, To: 101}
	if err := s.SetInvoicing(set); err != nil {
		t.Fatal(err)
	}
	honey := SaleRequest{Lines: []LineRequest{lineReq("HONEY", 1)}, Payments: []PaymentRequest{cashReq(220000, 0)}}
	s.sell(t, honey)
	s.sell(t, honey)
	next := InvoiceBlock{From: 70_000_000, To: 79_999_999}
	if err := s.SetInvoiceBlock(next); err != nil { // the hub's
		t.Fatal(err)
	}
	if err := s.SetInvoicing(set); err != nil { // a restart with the old flag
		t.Fatal(err)
	}
	if b, _ := s.InvoiceBlock(); b != next {
		t.Fatalf("block %s after the restart, want the hub's %s", b, next)
	}
	if inv := s.sell(t, honey).Invoices[0]; inv.MCCQT != "M2-26-A1B2C-00070000000" {
		t.Errorf("MCCQT %s", inv.MCCQT)
	}
	// A block with numbers left in the settings is the vendor's choice.
	set.Block = InvoiceBlock{From: 200, To: 299}
	if err := s.SetInvoicing(set); err != nil {
		t.Fatal(err)
	}
	if b, _ := s.InvoiceBlock(); b != set.Block {
		t.Fatalf("block %s, want the configured %s", b, set.Block)
	}
}
