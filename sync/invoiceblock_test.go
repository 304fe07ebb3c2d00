package sync

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ocop-kiosk/kiosk/pos"
)

// A kiosk whose block of the MCCQT counter runs out stops invoicing (and so
// selling) until it has another; the hub gives it the next on a manager's
// request, and the kiosk, linked, takes it at once and sells on in it. Its
// old block stays its own.
func TestAKioskWhoseBlockRunsOutIsGivenItsNextThroughTheHub(t *testing.T) {
	hs := hubStore(t)
	small := pos.InvoiceBlock{From: 100, To: 102}
	tok, err := RegisterKioskWithBlock(hs, "K01", small)
	if err != nil {
		t.Fatal(err)
	}
	_, url := startHub(t, hs, "127.0.0.1:0")
	ks := invoicingKiosk(t, "K01", "C26MAA", small)
	u := &Uplink{HubURL: url, KioskID: "K01", Token: tok, Store: ks, Log: quiet(), Wake: make(chan struct{}, 1)}
	runUplink(t, u)
	sellN(t, ks, 3)
	_, _, err = ks.CommitSale(pos.SaleRequest{Lines: []pos.LineRequest{{SKU: "MO-500", Qty: 1}},
		Payments: []pos.PaymentRequest{{Method: pos.MethodCard, Amount: 220000}}}, "")
	if !errors.Is(err, pos.ErrInvoiceCounterFull) {
		t.Fatalf("a sale past the block: %v, want ErrInvoiceCounterFull", err)
	}
	eventually(t, "the kiosk linked", 10*time.Second, func() bool { return u.Status().Reachable })

	code, body := adminDo(t, http.MethodPost, url+"/api/v1/kiosks/K01/invoice-block", `{}`)
	if code != http.StatusOK || !strings.Contains(body, `"from":10000000`) {
		t.Fatalf("the next block: %d %s", code, body)
	}
	next := pos.InvoiceBlock{From: pos.BlockSize, To: 2*pos.BlockSize - 1}
	eventually(t, "the kiosk holding its next block", 10*time.Second, func() bool {
		b, _ := ks.InvoiceBlock()
		return b == next
	})
	sale, _, err := ks.CommitSale(pos.SaleRequest{Lines: []pos.LineRequest{{SKU: "MO-500", Qty: 1}},
		Payments: []pos.PaymentRequest{{Method: pos.MethodCard, Amount: 220000}}}, "")
	if err != nil || len(sale.Invoices) != 1 || !strings.HasSuffix(sale.Invoices[0].MCCQT, "-00010000000") || sale.Invoices[0].Number != 4 {
		t.Fatalf("a sale in the next block: %+v %v", sale.Invoices, err)
	}
	k, _ := hs.Kiosk("K01")
	if k.Invoicing == nil || k.Invoicing.Block != next || len(k.Invoicing.Retired) != 1 || k.Invoicing.Retired[0] != small {
		t.Fatalf("the hub holds %+v", k.Invoicing)
	}
	// Bad requests change nothing.
	for _, tt := range []struct{ path, body, code string }{
		{"/api/v1/kiosks/K01/invoice-block", `{"invoice_block":"0-101"}`, "invoice_block_overlap"},
		{"/api/v1/kiosks/K01/invoice-block", `{"invoice_block":"x"}`, "bad_invoice_block"},
		{"/api/v1/kiosks/K09/invoice-block", `{}`, "unknown_kiosk"},
	} {
		if code, body := adminDo(t, http.MethodPost, url+tt.path, tt.body); code < 400 || !strings.Contains(body, tt.code) {
			t.Errorf("%s %s: %d %s, want %s", tt.path, tt.body, code, body, tt.code)
		}
	}
	if k2, _ := hs.Kiosk("K01"); k2.Invoicing.Block != next || len(k2.Invoicing.Retired) != 1 {
		t.Errorf("a refused request changed K01: %+v", k2.Invoicing)
	}
}
