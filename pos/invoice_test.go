package pos

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// Tax codes that pass the check digit, as published: 0100233488 and
// 0314409058 (python-stdnum's examples), 0100109106 (Viettel), 0300588569
// (Vinamilk), 0101248141 (FPT).
const (
	boothMST    = "0314409058"
	producerMST = "0100233488"
	buyerMST    = "0101248141"
)

var boothParty = Party{Name: "Hộ kinh doanh Gian hàng OCOP Cà Mau", TaxCode: boothMST, Address: "Số 1 Lý Thường Kiệt, Phường 1, Cà Mau"}

func invoiceSettings(method string) InvoiceSettings {
	return InvoiceSettings{Seller: boothParty, TaxMethod: method, Form: FormOf(method), Symbol: "C26MAA", CQTCode: "A1B2C",
		Block: InvoiceBlock{From: 1_234_560_000, To: 1_234_569_999}}
}

// openInvoicingStore is the pricing store (honey, rice, wine, melon, candy
// with "mua 2 tặng 1", fish by weight) invoicing on method.
func openInvoicingStore(t *testing.T, method string) *testStore {
	t.Helper()
	s := openPricingStore(t)
	if err := s.SetInvoicing(invoiceSettings(method)); err != nil {
		t.Fatal(err)
	}
	return s
}

// delegateRice makes the rice household a producer that delegated its invoicing.
func delegateRice(t *testing.T, s *testStore, method string) {
	t.Helper()
	err := s.PutCatalog(Catalog{Producers: []Producer{{ID: "P-RICE", Name: "Hộ kinh doanh Gạo Rạch Lọp", Kind: KindHousehold,
		TaxCode: producerMST, Address: "Ấp Rạch Lọp, xã An Thạnh Trung, Vĩnh Long",
		Invoicing: &ProducerInvoicing{Delegated: true, TaxMethod: method}}}}, "delegation")
	if err != nil {
		t.Fatal(err)
	}
}

// sameJSON compares what two values say (times in any zone).
func sameJSON(a, b any) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}

func sumLines(inv Invoice) Money {
	var t Money
	for _, l := range inv.Lines {
		t += l.Amount
	}
	return t
}

func TestASaleIsInvoicedInItsOwnTransaction(t *testing.T) {
	s := openInvoicingStore(t, TaxDirect)
	sale := s.sell(t, SaleRequest{Lines: []LineRequest{lineReq("HONEY", 2)}, Payments: []PaymentRequest{cashReq(440000, 0)}})
	if len(sale.Invoices) != 1 {
		t.Fatalf("invoices %+v", sale.Invoices)
	}
	inv := sale.Invoices[0]
	if inv.Kind != InvoiceOriginal || inv.Form != 2 || inv.Symbol != "C26MAA" || inv.Number != 1 ||
		inv.MCCQT != "M2-26-A1B2C-01234560000" || inv.Total != 440000 || inv.TotalWords != "Bốn trăm bốn mươi nghìn đồng" ||
		inv.Seller != boothParty || inv.SaleID != sale.ID || inv.KioskID != "K01" || !inv.Issued.Equal(sale.Time) {
		t.Errorf("invoice %+v", inv)
	}
	if sumLines(inv) != inv.Total {
		t.Errorf("lines sum to %d, total %d", sumLines(inv), inv.Total)
	}
	// Honey at 8 %: the direct seller's note of what the reduction took off
	// (20 % of 1 % of 440.000 = 880).
	if inv.Reduced != 880 || !strings.Contains(inv.Note, "880 đồng") || !strings.Contains(inv.Note, "Nghị quyết 204/2025/QH15") {
		t.Errorf("note %q, reduced %d", inv.Note, inv.Reduced)
	}
	next := s.sell(t, SaleRequest{Lines: []LineRequest{lineReq("RICE", 1)}, Payments: []PaymentRequest{cashReq(150000, 0)}})
	if n := next.Invoices[0]; n.Number != 2 || n.MCCQT != "M2-26-A1B2C-01234560001" {
		t.Errorf("second invoice %d %s", n.Number, n.MCCQT)
	}
	got, err := s.Invoice("C26MAA", 1)
	if err != nil || got.MCCQT != inv.MCCQT || got.State != InvoiceIssued {
		t.Errorf("Invoice(C26MAA, 1) = %+v, %v", got, err)
	}
	stored, err := s.Sale(sale.ID)
	if err != nil || !sameJSON(stored.Invoices, sale.Invoices) {
		t.Errorf("the stored record's invoices differ: %v", err)
	}
	c, err := s.InvoiceCounter()
	if err != nil || c.Used != 2 || c.Left != 9998 || !c.Warn {
		t.Errorf("counter %+v, %v", c, err)
	}
}

func TestInvoicingOffIssuesNothing(t *testing.T) {
	s := openPricingStore(t)
	sale := s.sell(t, SaleRequest{Lines: []LineRequest{lineReq("HONEY", 1)}, Payments: []PaymentRequest{cashReq(220000, 0)}})
	if len(sale.Invoices) != 0 {
		t.Errorf("invoices while off: %+v", sale.Invoices)
	}
	if _, err := s.Invoice("C26MAA", 1); !errors.Is(err, ErrNotFound) {
		t.Errorf("Invoice: %v, want ErrNotFound", err)
	}
}
