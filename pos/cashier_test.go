package pos

import (
	"errors"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"
)

func TestCashiersAreNamedWithAPINAndCheckedByIt(t *testing.T) {
	s := openTestStore(t)
	lan, err := s.AddCashier("  Nguyễn   Thị Lan ", "4821")
	if err != nil {
		t.Fatal(err)
	}
	if lan.Name != "Nguyễn Thị Lan" || !lan.Active || lan.ID == "" {
		t.Fatalf("cashier %+v", lan)
	}
	for _, c := range []struct{ name, pin, why string }{
		{"", "1234", "a cashier needs a name"},
		{strings.Repeat("a", MaxCashierName+1), "1234", "longer than"},
		{"Hùng", "12", "4 to 8 digits"},
		{"Hùng", "123456789", "4 to 8 digits"},
		{"Hùng", "12a4", "4 to 8 digits"},
		{"NGUYEN THI LAN", "1111", "named Nguyễn Thị Lan already"},
	} {
		if _, err := s.AddCashier(c.name, c.pin); !errors.Is(err, ErrBadCashier) || !strings.Contains(err.Error(), c.why) {
			t.Errorf("AddCashier(%q, %q) = %v, want ErrBadCashier saying %q", c.name, c.pin, err, c.why)
		}
	}
	if got, err := s.CheckCashier(lan.ID, "4821"); err != nil || got != (SaleCashier{ID: lan.ID, Name: "Nguyễn Thị Lan"}) {
		t.Errorf("the right PIN: %+v %v", got, err)
	}
	for _, pin := range []string{"4822", "", "48210"} {
		if _, err := s.CheckCashier(lan.ID, pin); !errors.Is(err, ErrCashierPIN) {
			t.Errorf("PIN %q: %v, want ErrCashierPIN", pin, err)
		}
	}
	if _, err := s.CheckCashier("nobody", "4821"); !errors.Is(err, ErrNotFound) {
		t.Errorf("an unknown cashier: %v", err)
	}
	// The PIN is not kept as it was typed.
	err = s.db.View(func(tx *bolt.Tx) error {
		v := string(tx.Bucket(bCashiers).Get([]byte(lan.ID)))
		if strings.Contains(v, `"pin"`) || strings.Contains(v, "4821") {
			t.Errorf("the stored cashier holds the PIN: %s", v)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// Removed: not listed, cannot sign in, and the name is free again.
	hung, _ := s.AddCashier("Trần Văn Hùng", "9090")
	if err := s.RemoveCashier(lan.ID); err != nil {
		t.Fatal(err)
	}
	list, _ := s.Cashiers()
	if len(list) != 1 || list[0].ID != hung.ID {
		t.Errorf("cashiers after a removal: %+v", list)
	}
	if _, err := s.CheckCashier(lan.ID, "4821"); !errors.Is(err, ErrNotFound) {
		t.Errorf("a removed cashier signs in: %v", err)
	}
	if _, err := s.AddCashier("Nguyễn Thị Lan", "1212"); err != nil {
		t.Errorf("the name of a removed cashier: %v", err)
	}
	if err := s.RemoveCashier(lan.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("removing twice: %v", err)
	}
}

// A sale records its cashier; a void or refund names the sale's cashier; the
// Z-report totals each cashier's sales net of what was undone.
func TestASaleRecordsItsCashierAndTheZReportTotalsEach(t *testing.T) {
	s := openTestStore(t)
	lan, _ := s.AddCashier("Lan", "4821")
	hung, _ := s.AddCashier("Hùng", "9090")
	sell := func(c *SaleCashier, n int64, pay PaymentRequest) Sale {
		req := saleOf([]LineRequest{lineReq("HONEY", n)}, pay)
		req.Cashier = c
		return s.sell(t, req)
	}
	lc, hc := lan.Public(), hung.Public()
	a := sell(&lc, 2, cashReq(440000, 500000))
	sell(&lc, 1, PaymentRequest{Method: MethodCard, Amount: 220000})
	b := sell(&hc, 1, cashReq(220000, 0))
	sell(nil, 1, cashReq(220000, 0)) // a sale of no cashier
	if a.Cashier == nil || *a.Cashier != lc {
		t.Fatalf("the sale's cashier: %+v", a.Cashier)
	}
	void, err := s.Void(b.ID, "khách đổi ý")
	if err != nil {
		t.Fatal(err)
	}
	ref, err := s.Refund(a.ID, RefundRequest{Lines: []LineRequest{lineReq("HONEY", 1)}, Reason: "vỡ"})
	if err != nil {
		t.Fatal(err)
	}
	if void.Cashier == nil || void.Cashier.ID != hung.ID || ref.Cashier == nil || ref.Cashier.ID != lan.ID {
		t.Errorf("the void's cashier %+v, the refund's %+v: want the sales'", void.Cashier, ref.Cashier)
	}
	sh, _ := s.CurrentShift()
	z, err := s.ShiftReport(sh.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := []CashierTotal{
		{ID: hung.ID, Name: "Hùng", Sales: 1, Net: 0, Cash: 0},
		{ID: lan.ID, Name: "Lan", Sales: 2, Net: 440000, Cash: 220000},
	}
	if len(z.ByCashier) != 2 || z.ByCashier[0] != want[0] || z.ByCashier[1] != want[1] {
		t.Errorf("by cashier %+v, want %+v", z.ByCashier, want)
	}
	// Removing a cashier keeps their name on the report.
	if err := s.RemoveCashier(lan.ID); err != nil {
		t.Fatal(err)
	}
	if z, _ := s.ShiftReport(sh.ID); len(z.ByCashier) != 2 || z.ByCashier[1].Name != "Lan" {
		t.Errorf("after the removal: %+v", z.ByCashier)
	}
}
