package kiosk

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ocop-kiosk/kiosk/pos"
	"github.com/ocop-kiosk/kiosk/printer"
)

// testMST is the booth's tax code in these tests (its tenth digit checks).
const testMST = "0100109106"

// testSymbol is the symbol the tests configure; invoices carry the issue
// year's digits (pos.SymbolFor).
const testSymbol = "C26MAA"

// withInvoicing turns invoicing on as a direct-method household business,
// with block 12 of the MCCQT counter.
func withInvoicing(c *Config) {
	c.Seller = printer.Seller{Name: "HỘ KINH DOANH OCOP CÀ MAU", TaxCode: testMST, Address: "Công viên Hùng Vương, TP Cà Mau"}
	c.Invoice = InvoiceConfig{TaxMethod: "direct", Symbol: testSymbol, CQTCode: "A1B2C", Block: "12"}
}

// invoicedSale is a cash sale of two jars of honey, with a buyer when given.
func invoicedSale(buyer map[string]any) map[string]any {
	body := sale("CM-MO-500", 2)
	body["payments"] = []map[string]any{{"method": "cash", "amount": 1_000_000, "tendered": 1_000_000}}
	if buyer != nil {
		body["buyer"] = buyer
	}
	return body
}

var reMCCQT = regexp.MustCompile(`^M2-[0-9]{2}-A1B2C-[0-9]{11}$`)

func TestASaleWithInvoicingOnAnswersItsInvoiceAndServesItsXML(t *testing.T) {
	dir := t.TempDir()
	k := startKiosk(t, dir, withInvoicing)
	buyer := map[string]any{"name": "Công ty TNHH Du lịch Mũi Cà Mau", "tax_code": "0100109106-001", "address": "12 Phan Ngọc Hiển, Cà Mau",
		"email": "ketoan@muicamau.vn"}
	s := k.sell(t, invoicedSale(buyer))
	if len(s.Invoices) != 1 {
		t.Fatalf("sale answers %d invoices: %+v", len(s.Invoices), s.Invoices)
	}
	inv := s.Invoices[0]
	symbol := pos.SymbolFor(testSymbol, time.Now())
	switch {
	case inv.Kind != pos.InvoiceOriginal, inv.Form != 2, inv.Symbol != symbol, inv.Number != 1:
		t.Errorf("invoice %s form %d symbol %s number %d; want original 2 %s 1", inv.Kind, inv.Form, inv.Symbol, inv.Number, symbol)
	case !reMCCQT.MatchString(inv.MCCQT) || !strings.HasSuffix(inv.MCCQT, "-00120000000"):
		t.Errorf("MCCQT %q: want M2-yy-A1B2C-00120000000, the first of block 12", inv.MCCQT)
	case time.Since(inv.Issued) > time.Minute || inv.Issued.After(time.Now()):
		t.Errorf("issued %v", inv.Issued)
	case inv.Seller.TaxCode != testMST || inv.Seller.Name != "HỘ KINH DOANH OCOP CÀ MAU":
		t.Errorf("seller %+v", inv.Seller)
	case inv.Buyer == nil || inv.Buyer.Name != buyer["name"] || inv.Buyer.TaxCode != "0100109106-001":
		t.Errorf("buyer %+v", inv.Buyer)
	case inv.Total != s.Total || inv.TotalWords == "":
		t.Errorf("total %v (%q), sale %v", inv.Total, inv.TotalWords, s.Total)
	}
	// The sale's JSON names the fields the contract gives: `invoice`, the
	// sale's (first) invoice, and `invoices`, every one of them.
	raw := k.do("GET", "/api/v1/sales/"+s.ID, nil)
	var answer struct {
		Invoice *pos.Invoice `json:"invoice"`
	}
	raw.json(t, &answer)
	if answer.Invoice == nil || answer.Invoice.MCCQT != inv.MCCQT {
		t.Errorf("GET /sales/{id} answers invoice %+v", answer.Invoice)
	}
	for _, f := range []string{`"invoice":{`, `"invoices":[{`, `"form":2`, `"symbol":"` + symbol + `"`, `"number":1`, `"mccqt":"` + inv.MCCQT + `"`, `"issued":"`, `"seller":{`, `"buyer":{`} {
		if !bytes.Contains(raw.Body, []byte(f)) {
			t.Errorf("GET /sales/{id} lacks %s", f)
		}
	}

	s2 := k.sell(t, invoicedSale(nil))
	if n := s2.Invoices[0]; n.Number != 2 || !strings.HasSuffix(n.MCCQT, "-00120000001") || n.Buyer != nil {
		t.Errorf("second invoice: number %d, MCCQT %s, buyer %+v", n.Number, n.MCCQT, n.Buyer)
	}

	t.Run("the listing pages newest first", func(t *testing.T) {
		if r := k.do("GET", "/api/v1/invoices", nil); r.Status != 401 {
			t.Errorf("without the PIN: %d", r.Status)
		}
		var page struct {
			Invoices []pos.Invoice
			Next     string
		}
		r := k.do("GET", "/api/v1/invoices?limit=1", nil, "X-Manager-Pin", testPIN)
		if r.Status != 200 {
			t.Fatalf("%d %s", r.Status, r.Body)
		}
		r.json(t, &page)
		if len(page.Invoices) != 1 || page.Invoices[0].Number != 2 || page.Next == "" || page.Invoices[0].State != pos.InvoiceIssued {
			t.Fatalf("first page %+v next %q", page.Invoices, page.Next)
		}
		k.do("GET", "/api/v1/invoices?limit=1&cursor="+page.Next, nil, "X-Manager-Pin", testPIN).json(t, &page)
		if len(page.Invoices) != 1 || page.Invoices[0].Number != 1 {
			t.Fatalf("second page %+v", page.Invoices)
		}
		k.do("GET", "/api/v1/invoices?state=delivered", nil, "X-Manager-Pin", testPIN).json(t, &page)
		if len(page.Invoices) != 0 {
			t.Errorf("delivered before the hub said so: %+v", page.Invoices)
		}
		if r := k.do("GET", "/api/v1/invoices?state=lost", nil, "X-Manager-Pin", testPIN); r.Status != 400 || r.errCode(t) != "bad_query" {
			t.Errorf("state=lost: %d %s", r.Status, r.Body)
		}
	})

	t.Run("the XML downloads and parses", func(t *testing.T) {
		r := k.do("GET", fmt.Sprintf("/api/v1/invoices/%s/1.xml", symbol), nil, "X-Manager-Pin", testPIN)
		if r.Status != 200 {
			t.Fatalf("%d %s", r.Status, r.Body)
		}
		if ct := r.Header.Get("Content-Type"); ct != "application/xml; charset=utf-8" {
			t.Errorf("Content-Type %q", ct)
		}
		want := fmt.Sprintf(`attachment; filename="%s_2%s_1.xml"`, testMST, symbol)
		if cd := r.Header.Get("Content-Disposition"); cd != want {
			t.Errorf("Content-Disposition %q, want %q", cd, want)
		}
		checkInvoiceXML(t, r.Body, inv)
		if r := k.do("GET", fmt.Sprintf("/api/v1/invoices/%s/9.xml", symbol), nil, "X-Manager-Pin", testPIN); r.Status != 404 {
			t.Errorf("an invoice never issued: %d", r.Status)
		}
	})

	t.Run("the e-receipt shows the invoice and serves its own XML only", func(t *testing.T) {
		r := k.do("GET", "/r/"+s.ID, nil)
		page := string(r.Body)
		for _, w := range []string{"Hoá đơn bán hàng", "Khởi tạo từ máy tính tiền", inv.MCCQT, "2" + symbol, "HỘ KINH DOANH OCOP CÀ MAU",
			"Công ty TNHH Du lịch Mũi Cà Mau", "0100109106-001", inv.TotalWords, "/r/" + s.ID + "/invoices/" + inv.Key() + ".xml"} {
			if !strings.Contains(page, w) {
				t.Errorf("e-receipt lacks %q", w)
			}
		}
		x := k.do("GET", "/r/"+s.ID+"/invoices/"+inv.Key()+".xml", nil)
		if x.Status != 200 || x.Header.Get("Content-Type") != "application/xml; charset=utf-8" {
			t.Fatalf("public XML: %d %s", x.Status, x.Header.Get("Content-Type"))
		}
		checkInvoiceXML(t, x.Body, inv)
		if x := k.do("GET", "/r/"+s.ID+"/invoices/"+s2.Invoices[0].Key()+".xml", nil); x.Status != 404 {
			t.Errorf("another sale's invoice through this receipt: %d", x.Status)
		}
	})

	t.Run("the receipt prints as the invoice", func(t *testing.T) {
		waitFor(t, "the receipt printed", func() bool { return len(printed(t, dir, s.ID)) == 1 })
		text := strings.Join(strings.Fields(printed(t, dir, s.ID)[0]), " ")
		for _, w := range []string{"HOÁ ĐƠN BÁN HÀNG", "(Khởi tạo từ máy tính tiền)", "Ký hiệu: 2" + symbol, "Số HĐ: 1", "MCCQT: " + inv.MCCQT,
			"Người mua: Công ty TNHH Du lịch Mũi Cà Mau", "MST: 0100109106-001", "Quét mã tra cứu hoá đơn"} {
			if !strings.Contains(text, w) {
				t.Errorf("receipt lacks %q:\n%s", w, text)
			}
		}
	})

	t.Run("the manager page's summary counts them", func(t *testing.T) {
		var v invoicingView
		k.do("GET", "/api/v1/invoicing", nil, "X-Manager-Pin", testPIN).json(t, &v)
		if !v.Enabled || v.Symbol != testSymbol || v.Counter.Used != 2 || v.Counter.Left != pos.BlockSize-2 || v.Counter.Warn || len(v.Days) != invoiceDays {
			t.Fatalf("summary %+v", v)
		}
		if v.Days[0].Issued != 2 || v.Days[0].Late != 0 {
			t.Errorf("today %+v", v.Days[0])
		}
	})
}

// checkInvoiceXML parses an invoice's XML and finds its numbers in it.
func checkInvoiceXML(t *testing.T, data []byte, inv pos.Invoice) {
	t.Helper()
	var doc struct {
		XMLName xml.Name `xml:"HDon"`
		DLHDon  struct {
			TTChung struct {
				KHMSHDon string
				KHHDon   string
				SHDon    string
			}
		}
		MCCQT string
	}
	if err := xml.Unmarshal(data, &doc); err != nil {
		t.Fatalf("XML does not parse: %v\n%s", err, data)
	}
	if doc.MCCQT != inv.MCCQT || doc.DLHDon.TTChung.KHHDon != inv.Symbol || doc.DLHDon.TTChung.KHMSHDon != fmt.Sprint(inv.Form) {
		t.Errorf("XML says %+v, MCCQT %q; want form %d symbol %s MCCQT %s", doc.DLHDon.TTChung, doc.MCCQT, inv.Form, inv.Symbol, inv.MCCQT)
	}
}

func TestABadBuyerIsRefusedNamingTheFieldAndNothingIsSold(t *testing.T) {
	k := startKiosk(t, t.TempDir(), withInvoicing)
	stock := k.product("CM-MO-500").Stock
	for _, tc := range []struct {
		name  string
		buyer map[string]any
		field string
	}{
		{"a tax code with a wrong check digit", map[string]any{"name": "Công ty A", "tax_code": "0100109107"}, "buyer.tax_code"},
		{"a CCCD of eleven digits", map[string]any{"name": "Nguyễn Văn A", "id_no": "07909300123"}, "buyer.id_no"},
		{"a phone of the wrong shape", map[string]any{"name": "Nguyễn Văn A", "phone": "12345"}, "buyer.phone"},
		{"an e-mail that is none", map[string]any{"name": "Nguyễn Văn A", "email": "ketoan at muicamau"}, "buyer.email"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := k.do("POST", "/api/v1/sales", invoicedSale(tc.buyer))
			if r.Status != 422 || r.errCode(t) != "bad_buyer" {
				t.Fatalf("%d %s", r.Status, r.Body)
			}
			var e struct {
				Error struct {
					Details struct{ Field string }
				}
			}
			r.json(t, &e)
			if e.Error.Details.Field != tc.field {
				t.Errorf("details.field %q, want %q", e.Error.Details.Field, tc.field)
			}
		})
	}
	t.Run("at the till, over the websocket", func(t *testing.T) {
		sc, _ := connect(t, k, "till=T1")
		sc.send(map[string]any{"type": "cart.add", "sku": "CM-MO-500", "qty": 1})
		sc.expect("cart")
		sc.send(map[string]any{"type": "checkout", "ref": "c1", "payments": []map[string]any{{"method": "card", "amount": k.product("CM-MO-500").Price}},
			"buyer": map[string]any{"name": "Công ty A", "tax_code": "0100109107"}})
		m := sc.expect("error")
		if m["code"] != "bad_buyer" || m["ref"] != "c1" {
			t.Fatalf("checkout with a bad buyer: %v", m)
		}
		if d, _ := m["details"].(map[string]any); d["field"] != "buyer.tax_code" {
			t.Errorf("details %v", m["details"])
		}
	})
	if got := k.product("CM-MO-500").Stock; got != stock {
		t.Errorf("stock %d after refused sales, was %d", got, stock)
	}
	var list struct{ Sales []pos.Sale }
	k.do("GET", "/api/v1/sales", nil).json(t, &list)
	if len(list.Sales) != 0 {
		t.Errorf("%d sales recorded", len(list.Sales))
	}
}

func TestAVoidOfAnInvoicedSaleIssuesAnAdjustmentNamingTheOriginal(t *testing.T) {
	k := startKiosk(t, t.TempDir(), withInvoicing)
	s := k.sell(t, invoicedSale(nil))
	r := k.do("POST", "/api/v1/sales/"+s.ID+"/void", map[string]any{"reason": "khách đổi ý"}, "X-Manager-Pin", testPIN)
	if r.Status != 201 {
		t.Fatalf("void: %d %s", r.Status, r.Body)
	}
	var v pos.Sale
	r.json(t, &v)
	if len(v.Invoices) != 1 {
		t.Fatalf("void carries %d invoices", len(v.Invoices))
	}
	if !bytes.Contains(r.Body, []byte(`"invoice":{"kind":"adjustment"`)) {
		t.Errorf("the void's answer has no invoice: %s", r.Body)
	}
	adj, orig := v.Invoices[0], s.Invoices[0]
	switch {
	case adj.Kind != pos.InvoiceAdjustment || adj.Number != orig.Number+1 || adj.Total != -orig.Total:
		t.Errorf("adjustment %s number %d total %v; original %d total %v", adj.Kind, adj.Number, adj.Total, orig.Number, orig.Total)
	case adj.Adjusts == nil || adj.Adjusts.Number != orig.Number || adj.Adjusts.Symbol != orig.Symbol || adj.Adjusts.MCCQT != orig.MCCQT:
		t.Errorf("adjusts %+v, want %+v", adj.Adjusts, orig.Ref())
	}
	page := string(k.do("GET", "/r/"+v.ID, nil).Body)
	for _, w := range []string{"Hoá đơn điều chỉnh giảm", "Điều chỉnh cho hoá đơn", fmt.Sprintf("2%s số %d", orig.Symbol, orig.Number), orig.MCCQT} {
		if !strings.Contains(page, w) {
			t.Errorf("the adjustment's e-receipt lacks %q", w)
		}
	}
	// The original is never edited: it reads as it was issued.
	var again pos.Sale
	k.do("GET", "/api/v1/sales/"+s.ID, nil).json(t, &again)
	if len(again.Invoices) != 1 || again.Invoices[0].MCCQT != orig.MCCQT || again.Invoices[0].Total != orig.Total {
		t.Errorf("the original invoice changed: %+v", again.Invoices)
	}
	if r := k.do("POST", "/api/v1/sales/"+v.ID+"/refund", map[string]any{"reason": "x"}, "X-Manager-Pin", testPIN); r.Status != 409 {
		t.Errorf("refund of the adjustment: %d %s", r.Status, r.Body)
	}
}

func TestInvoicingRefusesWhatItCannotNumberAndSellsNothing(t *testing.T) {
	t.Run("the clock before the last invoice", func(t *testing.T) {
		dir := t.TempDir()
		at := time.Now()
		k := startKiosk(t, dir, withInvoicing, func(c *Config) { c.clock = func() time.Time { return at } })
		k.sell(t, invoicedSale(nil))
		k.stop()
		k = startKiosk(t, dir, withInvoicing, func(c *Config) { c.clock = func() time.Time { return at.Add(-time.Hour) } })
		stock := k.product("CM-MO-500").Stock
		if r := k.do("POST", "/api/v1/sales", invoicedSale(nil)); r.Status != 409 || r.errCode(t) != "invoice_clock" {
			t.Fatalf("sale with the clock an hour back: %d %s", r.Status, r.Body)
		}
		if got := k.product("CM-MO-500").Stock; got != stock {
			t.Errorf("stock moved: %d → %d", stock, got)
		}
	})
	t.Run("the block used up", func(t *testing.T) {
		k := startKiosk(t, t.TempDir(), withInvoicing, func(c *Config) { c.Invoice.Block = "00000000001-00000000002" })
		var h map[string]any
		k.do("GET", "/healthz", nil).json(t, &h)
		if inv, _ := h["invoicing"].(map[string]any); inv["state"] != "low" || inv["left"] != float64(2) {
			t.Errorf("healthz with 2 numbers left: %v", h)
		}
		k.sell(t, invoicedSale(nil))
		k.sell(t, invoicedSale(nil))
		stock := k.product("CM-MO-500").Stock
		if r := k.do("POST", "/api/v1/sales", invoicedSale(nil)); r.Status != 409 || r.errCode(t) != "invoice_counter_full" {
			t.Fatalf("third sale: %d %s", r.Status, r.Body)
		}
		if got := k.product("CM-MO-500").Stock; got != stock {
			t.Errorf("stock moved: %d → %d", stock, got)
		}
		r := k.do("GET", "/healthz", nil)
		r.json(t, &h)
		if inv, _ := h["invoicing"].(map[string]any); r.Status != 503 || h["status"] != "degraded" || inv["state"] != "full" {
			t.Errorf("healthz with the block used up: %d %s", r.Status, r.Body)
		}
	})
	t.Run("a restored store without its hub", func(t *testing.T) {
		dir := t.TempDir()
		k := startKiosk(t, dir, withInvoicing)
		k.sell(t, invoicedSale(nil))
		k.stop()
		backup := filepath.Join(t.TempDir(), "k.db")
		cfg := Defaults()
		cfg.DataDir, cfg.Logger = dir, quietLogger()
		withInvoicing(&cfg)
		if _, err := Backup(context.Background(), cfg, backup); err != nil {
			t.Fatal(err)
		}
		if _, err := Restore(context.Background(), cfg, backup); err != nil {
			t.Fatal(err)
		}
		k = startKiosk(t, dir, withInvoicing)
		if r := k.do("POST", "/api/v1/sales", invoicedSale(nil)); r.Status != 409 || r.errCode(t) != "invoice_unverified" {
			t.Fatalf("sale after a restore with no hub: %d %s", r.Status, r.Body)
		}
	})
}

func TestBadInvoiceSettingsStopTheKiosk(t *testing.T) {
	for _, c := range []struct {
		name   string
		mutate func(*Config)
		says   string
	}{
		{"a symbol of the wrong shape", func(c *Config) { c.Invoice.Symbol = "C26XAA" }, "symbol"},
		{"a form that does not go with the method", func(c *Config) { c.Invoice.Form = 1 }, "does not go with"},
		{"an unknown tax method", func(c *Config) { c.Invoice.TaxMethod = "flat" }, "tax method"},
		{"a tax authority code of four characters", func(c *Config) { c.Invoice.CQTCode = "A1B2" }, "tax authority code"},
		{"a seller tax code with a wrong check digit", func(c *Config) { c.Seller.TaxCode = "0100109107" }, "check digit"},
		{"no seller name", func(c *Config) { c.Seller.Name = "" }, "-seller-name"},
		{"a block that is not one", func(c *Config) { c.Invoice.Block = "12-3" }, "-invoice-block"},
		{"no block and no hub", func(c *Config) { c.Invoice.Block = "" }, "-invoice-block"},
		{"a symbol without its code", func(c *Config) { c.Invoice.CQTCode = "" }, "-invoice-cqt-code"},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg := Defaults()
			cfg.DataDir = t.TempDir()
			cfg.Logger = quietLogger()
			withInvoicing(&cfg)
			c.mutate(&cfg)
			err := Run(context.Background(), cfg)
			if err == nil || !strings.Contains(err.Error(), c.says) {
				t.Fatalf("Run = %v; want an error saying %q", err, c.says)
			}
		})
	}
}

// A tourist who asks for an invoice in their name enters it at the
// self-service screen: the order keeps it, a wrong field makes no order, and
// the sale the order becomes at the till is invoiced to that buyer.
func TestASelfServiceOrderCarriesItsBuyerToTheInvoice(t *testing.T) {
	k := startKiosk(t, t.TempDir(), withInvoicing)
	till, st := connect(t, k, "till=T1&role=till")
	if st["invoicing"] != true {
		t.Errorf("a till's state does not say invoicing is on: %v", st["invoicing"])
	}
	self, _ := connect(t, k, "till=SELF1&role=self")
	self.send(map[string]any{"type": "cart.add", "sku": "CM-MO-500", "qty": 1})
	self.expect("cart")
	stock := k.product("CM-MO-500").Stock

	self.send(map[string]any{"type": "checkout", "ref": "bad", "buyer": map[string]any{"name": "Anna Schmidt", "phone": "12345"}})
	if m := self.expect("error"); m["code"] != "bad_buyer" || m["ref"] != "bad" {
		t.Fatalf("an order with a bad phone: %v", m)
	}
	if got := k.product("CM-MO-500").Stock; got != stock {
		t.Fatalf("a refused order held stock: %d → %d", stock, got)
	}

	self.send(map[string]any{"type": "checkout", "ref": "co", "buyer": map[string]any{"name": "Anna Schmidt", "email": "anna@example.de"}})
	var order map[string]any
	for order == nil {
		if m := self.expect("order"); m["ref"] == "co" {
			order = m["order"].(map[string]any)
		}
	}
	till.send(map[string]any{"type": "order.confirm", "ref": "ok", "id": order["id"],
		"payments": []map[string]any{{"method": "card", "amount": order["total"]}}})
	var s map[string]any
	for s == nil {
		if m := till.expect("sale"); m["ref"] == "ok" {
			s = m["sale"].(map[string]any)
		}
	}
	invs, _ := s["invoices"].([]any)
	if len(invs) != 1 {
		t.Fatalf("the order's sale carries %d invoices", len(invs))
	}
	b, _ := invs[0].(map[string]any)["buyer"].(map[string]any)
	if b["name"] != "Anna Schmidt" || b["email"] != "anna@example.de" {
		t.Errorf("the invoice's buyer: %v", b)
	}
}

// A consignment booth: the honey's producer delegated invoicing to the booth,
// so a cart of honey and candy issues two invoices, one per issuing seller,
// each in its own series; the receipt lists both, the e-receipt shows the
// booth as the delegate, and each XML downloads.
func TestAConsignmentCartIsInvoicedPerIssuingSeller(t *testing.T) {
	dir := t.TempDir()
	k := startKiosk(t, dir, withInvoicing)
	csv := "id,name,kind,tax_code,province,commune,address,phone,bank_bin,bank_account,bank_account_name,invoice_delegated,invoice_tax_method,invoice_direct_rate\n" +
		`CM-HTX-UMINH,HTX Ong mật U Minh Hạ,htx,2001438713,Cà Mau,Xã Khánh An,"Ấp 9, xã Khánh An, tỉnh Cà Mau",0918325476,970405,7706205148237,HTX ONG MAT U MINH HA,yes,credit,` + "\n"
	if r := k.do("POST", "/api/v1/catalog/import?kind=producers", []byte(csv), "X-Manager-Pin", testPIN); r.Status != 200 {
		t.Fatalf("import: %d %s", r.Status, r.Body)
	}
	body := sale("CM-MO-500", 1, "BT-KD-400", 2)
	body["payments"] = []map[string]any{{"method": "cash", "amount": 500_000, "tendered": 500_000}}
	s := k.sell(t, body)
	if len(s.Invoices) != 2 {
		t.Fatalf("%d invoices: %+v", len(s.Invoices), s.Invoices)
	}
	var booth, producer pos.Invoice
	for _, inv := range s.Invoices {
		if inv.Seller.TaxCode == "2001438713" {
			producer = inv
		} else {
			booth = inv
		}
	}
	switch {
	case booth.Seller.TaxCode != testMST || booth.Delegate != nil || booth.Form != 2 || booth.Number != 1:
		t.Errorf("the booth's invoice: %+v", booth)
	case producer.Delegate == nil || producer.Delegate.TaxCode != testMST || producer.Form != 1 || producer.Number != 1:
		t.Errorf("the producer's invoice: seller %+v delegate %+v form %d number %d", producer.Seller, producer.Delegate, producer.Form, producer.Number)
	case booth.Total+producer.Total != s.Total:
		t.Errorf("invoices %v + %v, sale %v", booth.Total, producer.Total, s.Total)
	}
	waitFor(t, "the receipt printed", func() bool { return len(printed(t, dir, s.ID)) == 1 })
	paper := strings.Join(strings.Fields(printed(t, dir, s.ID)[0]), " ")
	for _, w := range []string{"MCCQT: " + booth.MCCQT, "MCCQT: " + producer.MCCQT, "Người bán (uỷ nhiệm lập): HTX Ong mật U Minh Hạ",
		"MST: 2001438713", "HOÁ ĐƠN GIÁ TRỊ GIA TĂNG", "HOÁ ĐƠN BÁN HÀNG", "Tiền hoá đơn " + pos.FormatVND(producer.Total)} {
		if !strings.Contains(paper, w) {
			t.Errorf("the receipt lacks %q:\n%s", w, paper)
		}
	}
	page := string(k.do("GET", "/r/"+s.ID+"?lang=vi", nil).Body)
	for _, w := range []string{"Tổ chức nhận uỷ nhiệm lập hoá đơn", "HTX Ong mật U Minh Hạ", booth.MCCQT, producer.MCCQT, "Thuế suất 8%"} {
		if !strings.Contains(page, w) {
			t.Errorf("the e-receipt lacks %q", w)
		}
	}
	// Both series hold a number 1 under the kiosk's symbol: ?seller= picks.
	for _, c := range []struct {
		query string
		want  pos.Invoice
	}{{"", booth}, {"?seller=2001438713", producer}, {"?seller=" + testMST, booth}} {
		r := k.do("GET", fmt.Sprintf("/api/v1/invoices/%s/1.xml%s", booth.Symbol, c.query), nil, "X-Manager-Pin", testPIN)
		if r.Status != 200 {
			t.Fatalf("XML%s: %d %s", c.query, r.Status, r.Body)
		}
		checkInvoiceXML(t, r.Body, c.want)
	}
	if r := k.do("GET", fmt.Sprintf("/api/v1/invoices/%s/1.xml?seller=0100109106-001", booth.Symbol), nil, "X-Manager-Pin", testPIN); r.Status != 404 {
		t.Errorf("a seller with no such invoice: %d", r.Status)
	}
	if r := k.do("GET", "/api/v1/invoices?cursor=nonsense", nil, "X-Manager-Pin", testPIN); r.Status != 400 || r.errCode(t) != "bad_query" {
		t.Errorf("a cursor of the wrong shape: %d %s", r.Status, r.Body)
	}
}
