package kiosk

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/ocop-kiosk/kiosk/pos"
)

// A buyer who asks for an invoice in their name is entered at the till; a
// tax code with a wrong check digit is said in words on the field and sells
// nothing; the receipt prints as the invoice with the buyer, and the
// e-receipt page shows the invoice, whose XML downloads from it.
func TestBrowserASaleWithABuyerPrintsAndShowsItsInvoice(t *testing.T) {
	dir := t.TempDir()
	k := startKiosk(t, dir, withInvoicing)
	ctx := browser(t, 1280, 800)
	within(t, ctx, 20*time.Second, chromedp.Navigate(k.url+"/till?till=T1&lang=vi"))
	waitConnected(t, ctx)
	sku := firstInStock(t, ctx, 1)[0]

	var errText, button string
	within(t, ctx, 30*time.Second,
		chromedp.Click(tid("product", fmt.Sprintf(`[data-sku="%s"]`, sku)), chromedp.ByQuery),
		chromedp.WaitVisible(tid("cart-line", fmt.Sprintf(`[data-sku="%s"]`, sku)), chromedp.ByQuery),
		chromedp.Click(tid("checkout"), chromedp.ByQuery),
		chromedp.WaitVisible(tid("buyer-open"), chromedp.ByQuery),
		chromedp.Click(tid("buyer-open"), chromedp.ByQuery),
		chromedp.WaitVisible(tid("buyer-name"), chromedp.ByQuery),
		chromedp.SendKeys(tid("buyer-name"), "Công ty TNHH Du lịch Mũi Cà Mau", chromedp.ByQuery),
		chromedp.SendKeys(tid("buyer-tax_code"), "0100109107", chromedp.ByQuery),
		chromedp.SendKeys(tid("buyer-email"), "ketoan@muicamau.vn", chromedp.ByQuery),
		chromedp.Click(tid("buyer-save"), chromedp.ByQuery),
		poll(fmt.Sprintf(`document.querySelector('%s').textContent.includes('Mũi Cà Mau')`, tid("buyer-open"))),
		chromedp.Click("#tenders .tender-exact", chromedp.ByQuery),
		chromedp.Click(tid("confirm-payment"), chromedp.ByQuery),
		// The kiosk refuses the tax code: the dialog opens on it, in words.
		chromedp.WaitVisible(tid("buyer-error"), chromedp.ByQuery),
		chromedp.Text(tid("buyer-error"), &errText, chromedp.ByQuery),
		poll(fmt.Sprintf(`document.querySelector('%s').getAttribute('aria-invalid') === 'true'`, tid("buyer-tax_code"))),
	)
	screenshot(t, ctx, "till-buyer")
	if !strings.Contains(errText, "Mã số thuế không đúng") {
		t.Errorf("bad_buyer shown as %q", errText)
	}
	var list struct{ Sales []pos.Sale }
	k.do("GET", "/api/v1/sales", nil).json(t, &list)
	if len(list.Sales) != 0 {
		t.Fatalf("a sale with a refused buyer was recorded: %+v", list.Sales)
	}

	var receipt string
	var ok bool
	within(t, ctx, 30*time.Second,
		chromedp.Evaluate(fmt.Sprintf(`document.querySelector('%s').value = ''`, tid("buyer-tax_code")), nil),
		chromedp.SendKeys(tid("buyer-tax_code"), "0100109106", chromedp.ByQuery),
		chromedp.Click(tid("buyer-save"), chromedp.ByQuery),
		chromedp.WaitNotVisible(tid("buyer-dialog"), chromedp.ByQuery),
		chromedp.Text(tid("buyer-open"), &button, chromedp.ByQuery),
		chromedp.Click("#tenders .tender-exact", chromedp.ByQuery),
		chromedp.Click(tid("confirm-payment"), chromedp.ByQuery),
		chromedp.WaitVisible(tid("sale-result"), chromedp.ByQuery),
		chromedp.AttributeValue(tid("sale-result"), "data-receipt", &receipt, &ok, chromedp.ByQuery),
	)
	if !strings.Contains(button, "Mũi Cà Mau") {
		t.Errorf("the checkout's buyer button says %q", button)
	}
	k.do("GET", "/api/v1/sales?q="+receipt, nil).json(t, &list)
	if len(list.Sales) != 1 || len(list.Sales[0].Invoices) != 1 {
		t.Fatalf("sale %q: %+v", receipt, list.Sales)
	}
	s := list.Sales[0]
	inv := s.Invoices[0]
	if inv.Buyer == nil || inv.Buyer.TaxCode != "0100109106" || inv.Buyer.Email != "ketoan@muicamau.vn" {
		t.Errorf("invoice buyer %+v", inv.Buyer)
	}

	waitFor(t, "the receipt printed", func() bool { return len(printed(t, dir, s.ID)) == 1 })
	paper := strings.Join(strings.Fields(printed(t, dir, s.ID)[0]), " ")
	for _, w := range []string{"HOÁ ĐƠN BÁN HÀNG", "(Khởi tạo từ máy tính tiền)", "Ký hiệu: 2" + inv.Symbol, fmt.Sprintf("Số HĐ: %d", inv.Number),
		"MCCQT: " + inv.MCCQT, "Người mua: Công ty TNHH Du lịch Mũi Cà Mau", "MST: 0100109106", "Email: ketoan@muicamau.vn"} {
		if !strings.Contains(paper, w) {
			t.Errorf("the receipt lacks %q:\n%s", w, paper)
		}
	}

	// The e-receipt the receipt's QR opens, on a phone.
	phone := newTab(t, browser(t, 390, 844))
	var page, xmlText, disposition string
	within(t, phone, 20*time.Second,
		chromedp.Navigate(k.url+"/r/"+s.ID+"?lang=vi"),
		chromedp.WaitVisible(tid("invoice"), chromedp.ByQuery),
		chromedp.Text(tid("invoice"), &page, chromedp.ByQuery),
		chromedp.Evaluate(fmt.Sprintf(`fetch(document.querySelector('%s').href).then((r) => r.text())`, tid("invoice-xml")), &xmlText,
			func(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) }),
		chromedp.Evaluate(fmt.Sprintf(`fetch(document.querySelector('%s').href).then((r) => r.headers.get('content-disposition'))`, tid("invoice-xml")), &disposition,
			func(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) }),
	)
	for _, w := range []string{"HOÁ ĐƠN BÁN HÀNG", "Khởi tạo từ máy tính tiền", inv.MCCQT, "Công ty TNHH Du lịch Mũi Cà Mau", "0100109106", inv.TotalWords} {
		if !strings.Contains(page, w) {
			t.Errorf("the e-receipt's invoice lacks %q:\n%s", w, page)
		}
	}
	checkInvoiceXML(t, []byte(xmlText), inv)
	within(t, phone, 10*time.Second, chromedp.ScrollIntoView(tid("invoice"), chromedp.ByQuery))
	screenshot(t, phone, "ereceipt-invoice")
	if os.Getenv("KIOSK_SCREENSHOTS") != "" {
		// The virtual printer's preview of the invoice receipt.
		pngs, _ := filepath.Glob(filepath.Join(dir, "prints", "*"+s.ID+".png"))
		if len(pngs) == 1 {
			if b, err := os.ReadFile(pngs[0]); err == nil {
				_ = os.WriteFile(filepath.Join("..", "web", "screenshots", "receipt-invoice.png"), b, 0o644)
			}
		}
	}
	if !strings.Contains(disposition, fmt.Sprintf(`filename="%s_2%s_%d.xml"`, testMST, inv.Symbol, inv.Number)) {
		t.Errorf("the XML downloads as %q", disposition)
	}
}

// The manager's invoices tab: the settings the flags gave, the counter's
// warning when the block runs out (also raised on opening any tab), the
// day's count, the invoices with their state and XML.
func TestBrowserManagerInvoicesTabWarnsWhenTheBlockRunsOut(t *testing.T) {
	k := startKiosk(t, t.TempDir(), withInvoicing, func(c *Config) { c.Invoice.Block = "00000000001-00000000050" })
	s := k.sell(t, invoicedSale(map[string]any{"name": "Công ty A"}))
	ctx := managerIn(t, k, "Asia/Ho_Chi_Minh")
	var toastText, settings, low, row, href, days string
	within(t, ctx, 20*time.Second,
		poll(`[...document.querySelectorAll('[data-testid=toast]')].some((e) => e.textContent.includes('49'))`),
		chromedp.Evaluate(`[...document.querySelectorAll('[data-testid=toast]')].map((e) => e.textContent).join(' | ')`, &toastText),
		chromedp.Click(tid("tab-invoices"), chromedp.ByQuery),
		chromedp.WaitVisible(tid("inv-row"), chromedp.ByQuery),
		chromedp.Text(tid("inv-settings"), &settings, chromedp.ByQuery),
		chromedp.Text(tid("inv-low"), &low, chromedp.ByQuery),
		chromedp.Text(tid("inv-row"), &row, chromedp.ByQuery),
		chromedp.Text(tid("inv-days"), &days, chromedp.ByQuery),
		chromedp.AttributeValue(tid("inv-xml"), "href", &href, nil, chromedp.ByQuery),
	)
	screenshot(t, ctx, "manager-invoices")
	inv := s.Invoices[0]
	for _, c := range []struct{ what, text, want string }{
		{"the warning on opening", toastText, "Sắp hết dải số hoá đơn: còn 49 số"},
		{"the tab's warning", low, "còn 49 số"},
		{"the settings", settings, "HỘ KINH DOANH OCOP CÀ MAU"},
		{"the settings", settings, "2" + inv.Symbol},
		{"the settings", settings, "A1B2C"},
		{"the settings", settings, "00000000001–00000000050"},
		{"the row", row, inv.MCCQT},
		{"the row", row, "Công ty A"},
		{"the row", row, "Đã lập"},
		{"the days", days, "1"},
	} {
		if !strings.Contains(c.text, c.want) {
			t.Errorf("%s lacks %q: %q", c.what, c.want, c.text)
		}
	}
	if want := "/r/" + s.ID + "/invoices/" + inv.Key() + ".xml"; href != want {
		t.Errorf("XML link %q, want %q", href, want)
	}
}
