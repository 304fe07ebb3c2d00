package pos

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestValidMSTFollowsTheCheckDigit(t *testing.T) {
	tests := []struct {
		name string
		mst  string
		ok   bool
	}{
		{"Viettel's tax code passes", "0100109106", true},
		{"Vinamilk's tax code passes", "0300588569", true},
		{"FPT's tax code passes", "0101248141", true},
		{"a published example passes", "0100233488", true},
		{"a branch of a valid code passes", "0314409058-002", true},
		{"a wrong check digit fails", "0100233480", false},
		{"two digits swapped fail", "0100109160", false},
		{"nine digits fail", "010010910", false},
		{"eleven digits fail", "01001091061", false},
		{"branch 000 fails", "0100109106-000", false},
		{"a branch without its dash fails", "0100109106002", false},
		{"letters fail", "01001O9106", false},
		{"an all-zero sequence fails", "0100000000", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := ValidMST(tc.mst); (err == nil) != tc.ok {
				t.Errorf("ValidMST(%q) = %v, want ok %v", tc.mst, err, tc.ok)
			}
		})
	}
}

func TestBuyerValidateNamesTheField(t *testing.T) {
	tests := []struct {
		name  string
		buyer Buyer
		field string // "" valid
	}{
		{"a name and a tax code are enough", Buyer{Name: "Công ty A", TaxCode: buyerMST}, ""},
		{"a phone alone is enough", Buyer{Phone: "0912345678"}, ""},
		{"a phone in +84 form is fine", Buyer{Name: "Chị Lan", Phone: "+84912345678"}, ""},
		{"a CCCD of 12 digits is fine", Buyer{Name: "Anh Minh", IDNo: "079203001234"}, ""},
		{"an empty block is refused", Buyer{Address: "Cà Mau"}, "buyer.name"},
		{"a tax code with a wrong check digit is refused", Buyer{Name: "A", TaxCode: "0100109107"}, "buyer.tax_code"},
		{"a tax code of the wrong form is refused", Buyer{Name: "A", TaxCode: "01001091-06"}, "buyer.tax_code"},
		{"a phone of nine digits is refused", Buyer{Name: "A", Phone: "091234567"}, "buyer.phone"},
		{"a phone not starting with 0 is refused", Buyer{Name: "A", Phone: "9123456789"}, "buyer.phone"},
		{"a CCCD of 11 digits is refused", Buyer{Name: "A", IDNo: "07920300123"}, "buyer.id_no"},
		{"an e-mail without @ is refused", Buyer{Name: "A", Email: "ketoan.muicamau.vn"}, "buyer.email"},
		{"a name over two lines is refused", Buyer{Name: "A\nB"}, "buyer.name"},
		{"a name of 201 characters is refused", Buyer{Name: strings.Repeat("ă", 201)}, "buyer.name"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := tc.buyer
			err := b.Validate()
			if tc.field == "" {
				if err != nil {
					t.Errorf("Validate: %v", err)
				}
				return
			}
			var fe *FieldError
			if !errors.Is(err, ErrBadBuyer) || !errors.As(err, &fe) || fe.Field != tc.field {
				t.Errorf("Validate = %v, want ErrBadBuyer on %s", err, tc.field)
			}
		})
	}
}

func TestInvoiceSettingsAndBlocksAreChecked(t *testing.T) {
	good := invoiceSettings(TaxDirect)
	tests := []struct {
		name   string
		change func(s *InvoiceSettings)
	}{
		{"a symbol without its M is refused", func(s *InvoiceSettings) { s.Symbol = "C26TAA" }},
		{"a symbol in small letters is refused", func(s *InvoiceSettings) { s.Symbol = "c26maa" }},
		{"a symbol of five characters is refused", func(s *InvoiceSettings) { s.Symbol = "C6MAA" }},
		{"a symbol with its form in front is refused", func(s *InvoiceSettings) { s.Symbol = "2C26MAA" }},
		{"form 1 with the direct method is refused", func(s *InvoiceSettings) { s.Form = FormVAT }},
		{"an unknown tax method is refused", func(s *InvoiceSettings) { s.TaxMethod = "khoan" }},
		{"a tax authority code of four characters is refused", func(s *InvoiceSettings) { s.CQTCode = "A1B2" }},
		{"a seller tax code with a wrong check digit is refused", func(s *InvoiceSettings) { s.Seller.TaxCode = "0314409059" }},
		{"a seller without an address is refused", func(s *InvoiceSettings) { s.Seller.Address = " " }},
		{"a direct percentage above 10 is refused", func(s *InvoiceSettings) { s.DirectRate = 11_00 }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := good
			tc.change(&st)
			if err := st.Validate(); !errors.Is(err, ErrBadInvoiceSettings) {
				t.Errorf("Validate = %v, want ErrBadInvoiceSettings", err)
			}
		})
	}
	if err := good.Validate(); err != nil {
		t.Errorf("good settings: %v", err)
	}
	if err := (InvoiceSettings{}).Validate(); err != nil {
		t.Errorf("zero settings (invoicing off): %v", err)
	}
	blocks := []struct {
		in   string
		want InvoiceBlock
		ok   bool
	}{
		{"5", InvoiceBlock{50_000_000, 59_999_999}, true},
		{"0", InvoiceBlock{0, 9_999_999}, true},
		{"9999", InvoiceBlock{99_990_000_000, 99_999_999_999}, true},
		{"1000-1999", InvoiceBlock{1000, 1999}, true},
		{"10000", InvoiceBlock{}, false},
		{"5-3", InvoiceBlock{}, false},
		{"123456789012", InvoiceBlock{}, false},
		{"-5", InvoiceBlock{}, false},
		{"block 5", InvoiceBlock{}, false},
	}
	for _, b := range blocks {
		t.Run("block "+b.in, func(t *testing.T) {
			got, err := ParseInvoiceBlock(b.in)
			if (err == nil) != b.ok || got != b.want || (err != nil && !errors.Is(err, ErrBadInvoiceSettings)) {
				t.Errorf("ParseInvoiceBlock(%q) = %v, %v", b.in, got, err)
			}
		})
	}
}

// invoiceState is what a refused invoicing request must leave as it was.
type invoiceState struct {
	snapshot
	Counter  InvoiceCounter
	Invoices int
}

func (s *testStore) invoiceState(t *testing.T) invoiceState {
	t.Helper()
	c, err := s.InvoiceCounter()
	if err != nil {
		t.Fatal(err)
	}
	invs, _, err := s.Invoices(InvoiceQuery{})
	if err != nil {
		t.Fatal(err)
	}
	return invoiceState{s.snapshot(t), c, len(invs)}
}

func TestBadInvoicingInputIsRefusedAndChangesNothing(t *testing.T) {
	honey := func() SaleRequest {
		return SaleRequest{Lines: []LineRequest{lineReq("HONEY", 1)}, Payments: []PaymentRequest{cashReq(220000, 0)}}
	}
	tests := []struct {
		name string
		// setup prepares the store; try makes the request that must be refused.
		setup func(t *testing.T, s *testStore)
		try   func(t *testing.T, s *testStore) error
		want  error
	}{
		{"a buyer tax code with a wrong check digit", nil, func(t *testing.T, s *testStore) error {
			r := honey()
			r.Buyer = &Buyer{Name: "Công ty A", TaxCode: "0101248142"}
			_, _, err := s.CommitSale(r, "")
			return err
		}, ErrBadBuyer},
		{"a buyer tax code of the wrong form", nil, func(t *testing.T, s *testStore) error {
			r := honey()
			r.Buyer = &Buyer{Name: "Công ty A", TaxCode: "0101248141-1"}
			_, _, err := s.CommitSale(r, "")
			return err
		}, ErrBadBuyer},
		{"a buyer phone of the wrong shape", nil, func(t *testing.T, s *testStore) error {
			r := honey()
			r.Buyer = &Buyer{Name: "Chị Lan", Phone: "0912-345-678"}
			_, _, err := s.CommitSale(r, "")
			return err
		}, ErrBadBuyer},
		{"a buyer CCCD of the wrong shape", nil, func(t *testing.T, s *testStore) error {
			r := honey()
			r.Buyer = &Buyer{Name: "Anh Minh", IDNo: "07920300123X"}
			_, _, err := s.CommitSale(r, "")
			return err
		}, ErrBadBuyer},
		{"a buyer of the wrong shape on a self-service order", nil, func(t *testing.T, s *testStore) error {
			ob := NewOrderBook(s.Store, OrderOptions{})
			_, _, err := ob.Create(OrderRequest{Lines: []LineRequest{lineReq("HONEY", 1)}, Buyer: &Buyer{Name: "A", Phone: "12"}}, "")
			return err
		}, ErrBadBuyer},
		{"a sale when the counter block is used up", func(t *testing.T, s *testStore) {
			if err := s.SetInvoiceBlock(InvoiceBlock{From: 500, To: 501}); err != nil {
				t.Fatal(err)
			}
			s.sell(t, honey())
			s.sell(t, honey())
		}, func(t *testing.T, s *testStore) error {
			_, _, err := s.CommitSale(honey(), "")
			return err
		}, ErrInvoiceCounterFull},
		{"a mixed cart needing two numbers with one left", func(t *testing.T, s *testStore) {
			delegateRice(t, s, TaxDirect)
			if err := s.SetInvoiceBlock(InvoiceBlock{From: 500, To: 500}); err != nil {
				t.Fatal(err)
			}
		}, func(t *testing.T, s *testStore) error {
			_, _, err := s.CommitSale(SaleRequest{Lines: []LineRequest{lineReq("HONEY", 1), lineReq("RICE", 1)},
				Payments: []PaymentRequest{cashReq(370000, 0)}}, "")
			return err
		}, ErrInvoiceCounterFull},
		{"a sale with the clock before the last invoice", func(t *testing.T, s *testStore) {
			s.sell(t, honey())
			s.clock.Set(time.Date(2026, 11, 23, 7, 0, 0, 0, VietnamTime))
		}, func(t *testing.T, s *testStore) error {
			_, _, err := s.CommitSale(honey(), "")
			return err
		}, ErrInvoiceClock},
		{"a sale with the clock before the symbol's year", func(t *testing.T, s *testStore) {
			s.clock.Set(time.Date(2025, 12, 31, 23, 0, 0, 0, VietnamTime))
		}, func(t *testing.T, s *testStore) error {
			_, _, err := s.CommitSale(honey(), "")
			return err
		}, ErrInvoiceClock},
		{"a void with the clock before the last invoice", func(t *testing.T, s *testStore) {
			s.sell(t, honey())
			s.sell(t, honey())
			s.clock.Set(time.Date(2026, 11, 23, 7, 0, 0, 0, VietnamTime))
		}, func(t *testing.T, s *testStore) error {
			list, err := s.SalesSince(time.Time{}, 1)
			if err != nil {
				t.Fatal(err)
			}
			_, err = s.Void(list[0].ID, "")
			return err
		}, ErrInvoiceClock},
		{"a sale on a restored store before it recovered from the hub", func(t *testing.T, s *testStore) {
			s.sell(t, honey())
			if _, err := s.Unverify("restored from a backup"); err != nil {
				t.Fatal(err)
			}
		}, func(t *testing.T, s *testStore) error {
			_, _, err := s.CommitSale(honey(), "")
			return err
		}, ErrInvoiceUnverified},
		{"a refund of a refund (an adjustment invoice)", func(t *testing.T, s *testStore) {
			sale := s.sell(t, SaleRequest{Lines: []LineRequest{lineReq("HONEY", 2)}, Payments: []PaymentRequest{cashReq(440000, 0)}})
			if _, err := s.Refund(sale.ID, RefundRequest{Lines: []LineRequest{lineReq("HONEY", 1)}}); err != nil {
				t.Fatal(err)
			}
		}, func(t *testing.T, s *testStore) error {
			list, err := s.SalesSince(time.Time{}, 2)
			if err != nil {
				t.Fatal(err)
			}
			_, err = s.Refund(list[1].ID, RefundRequest{})
			return err
		}, ErrAdjustAdjustment},
		{"a void of a void (an adjustment invoice)", func(t *testing.T, s *testStore) {
			sale := s.sell(t, honey())
			if _, err := s.Void(sale.ID, "nhầm"); err != nil {
				t.Fatal(err)
			}
		}, func(t *testing.T, s *testStore) error {
			list, err := s.SalesSince(time.Time{}, 2)
			if err != nil {
				t.Fatal(err)
			}
			_, err = s.Void(list[1].ID, "")
			return err
		}, ErrAdjustAdjustment},
	}
	for _, tc := range tests {
		t.Run(tc.name+" is refused and changes nothing", func(t *testing.T) {
			s := openInvoicingStore(t, TaxDirect)
			if tc.setup != nil {
				tc.setup(t, s)
			}
			before := s.invoiceState(t)
			err := tc.try(t, s)
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			if after := s.invoiceState(t); !reflect.DeepEqual(before, after) {
				t.Errorf("the refusal changed the store:\nbefore %+v\nafter  %+v", before, after)
			}
		})
	}
}

func TestAKioskWithoutABlockRefusesToInvoiceUntilItHasOne(t *testing.T) {
	s := openPricingStore(t)
	st := invoiceSettings(TaxDirect)
	st.Block = InvoiceBlock{}
	if err := s.SetInvoicing(st); err != nil {
		t.Fatal(err)
	}
	before := s.invoiceState(t)
	_, _, err := s.CommitSale(SaleRequest{Lines: []LineRequest{lineReq("HONEY", 1)}, Payments: []PaymentRequest{cashReq(220000, 0)}}, "")
	if !errors.Is(err, ErrInvoiceNoBlock) {
		t.Fatalf("sale without a block: %v, want ErrInvoiceNoBlock", err)
	}
	if after := s.invoiceState(t); !reflect.DeepEqual(before, after) {
		t.Errorf("the refusal changed the store:\nbefore %+v\nafter  %+v", before, after)
	}
	// The hub allocates block 7.
	b, _ := ParseInvoiceBlock("7")
	if err := s.SetInvoiceBlock(b); err != nil {
		t.Fatal(err)
	}
	sale := s.sell(t, SaleRequest{Lines: []LineRequest{lineReq("HONEY", 1)}, Payments: []PaymentRequest{cashReq(220000, 0)}})
	if got := sale.Invoices[0].MCCQT; got != "M2-26-A1B2C-00070000000" {
		t.Errorf("MCCQT %s", got)
	}
	if got, err := s.InvoiceBlock(); err != nil || got != b {
		t.Errorf("block %v, %v", got, err)
	}
}

func TestTheCounterWarnsWellBeforeItRunsOut(t *testing.T) {
	tests := []struct {
		name  string
		block InvoiceBlock
		next  uint64
		warn  bool
	}{
		{"a fresh block of ten million does not warn", InvoiceBlock{0, 9_999_999}, 0, false},
		{"half a block used does not warn", InvoiceBlock{0, 9_999_999}, 5_000_000, false},
		{"fewer than 5 % left warns", InvoiceBlock{0, 9_999_999}, 9_500_001, true},
		{"a small block warns below 10,000 left", InvoiceBlock{0, 99_999}, 90_001, true},
		{"a small block with 10,000 left does not warn", InvoiceBlock{0, 99_999}, 90_000, false},
		{"a used-up block warns", InvoiceBlock{0, 99}, 100, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := counterOf(tc.block, tc.next)
			if c.Warn != tc.warn || c.Used+c.Left != tc.block.Size() {
				t.Errorf("counter %+v", c)
			}
		})
	}
}

func TestAProducersInvoicingTravelsThroughTheCatalogFiles(t *testing.T) {
	ps := []Producer{
		{ID: "P-RICE", Name: "Hộ kinh doanh Gạo Rạch Lọp", Kind: KindHousehold, TaxCode: producerMST, Address: "Ấp Rạch Lọp",
			Invoicing: &ProducerInvoicing{Delegated: true, TaxMethod: TaxDirect, DirectRate: 1_50}},
		{ID: "P-UMINH", Name: "HTX Ong mật U Minh Hạ", Kind: KindHTX},
	}
	var b bytes.Buffer
	if err := WriteProducersCSV(&b, ps); err != nil {
		t.Fatal(err)
	}
	got, err := ParseProducersCSV(&b)
	if err != nil || !reflect.DeepEqual(got, ps) {
		t.Errorf("through export and import: %+v, %v", got, err)
	}
	header := strings.Join(ProducerColumns, ",")
	tests := []struct {
		name   string
		row    string
		column string
	}{
		{"delegated neither yes nor no", "P-2,Cơ sở A,household,0100233488,,,Ấp 1,,,,,maybe,direct,", "invoice_delegated"},
		{"an unknown tax method", "P-2,Cơ sở A,household,0100233488,,,Ấp 1,,,,,yes,khoan,", "invoice_tax_method"},
		{"delegated with a tax code failing its check digit", "P-2,Cơ sở A,household,0100233489,,,Ấp 1,,,,,yes,direct,", "tax_code"},
		{"delegated without a tax code", "P-2,Cơ sở A,household,,,,Ấp 1,,,,,yes,credit,", "tax_code"},
		{"delegated without an address", "P-2,Cơ sở A,household,0100233488,,,,,,,,yes,credit,", "address"},
		{"a direct percentage that is not one", "P-2,Cơ sở A,household,0100233488,,,Ấp 1,,,,,yes,direct,một", "invoice_direct_rate"},
	}
	for _, tc := range tests {
		t.Run(tc.name+" is reported on its column", func(t *testing.T) {
			_, err := ParseProducersCSV(strings.NewReader(header + "\n" + tc.row + "\n"))
			ie := importError(t, err)
			if len(ie.Rows) != 1 || ie.Rows[0].Column != tc.column {
				t.Errorf("row errors %+v, want one on %s", ie.Rows, tc.column)
			}
		})
	}
}
