package kiosk

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/ocop-kiosk/kiosk/pos"
)

// pomeloByWeight adds green-skin pomelo sold by the kilo, known to a label
// scale by its PLU 00777 (its SKU), with 80 kg in stock.
func pomeloByWeight(t *testing.T, k *testKiosk) {
	t.Helper()
	csv := "sku,name,name_en,group,stars,producer_id,unit,price,vat_rate,stock,sold_by\n" +
		"00777,Bưởi da xanh Bến Tre,Ben Tre green-skin pomelo,food,4,CM-HTX-UMINH,kg,60000,0,80000,weight\n"
	if r := k.do("POST", "/api/v1/catalog/import?kind=products", []byte(csv), "X-Manager-Pin", testPIN); r.Status != 200 {
		t.Fatalf("import: %d %s", r.Status, r.Body)
	}
}

func (k *testKiosk) promotion(t *testing.T, p map[string]any) {
	t.Helper()
	if r := k.do("POST", "/api/v1/promotions", p, "X-Manager-Pin", testPIN); r.Status != 201 {
		t.Fatalf("promotion %v: %d %s", p["id"], r.Status, r.Body)
	}
}

// scan types a code as a barcode scanner does: fast, Enter at the end, with
// nothing focused.
func scan(code string) chromedp.Action {
	return chromedp.Tasks{
		chromedp.Evaluate(`document.activeElement && document.activeElement.blur()`, nil),
		scannerTypes(code),
	}
}

// textOf is an element's text with its blanks squeezed ("" when none).
func textOf(sel string) string {
	return fmt.Sprintf(`(() => { const el = document.querySelector('%s'); return el ? el.innerText.replace(/\s+/g, ' ').trim() : ''; })()`, sel)
}

// One sale the way a fair sells: honey with the vendor's discount for a
// regular customer (above the kiosk's 10 %, so the manager's PIN approves
// it), small honey with a promotion the kiosk applies by itself, coconut
// candy "mua 2 tặng 1", dried fish weighed on the scale (a tap takes the
// settled weight) and a pomelo by the price label a label scale printed. The
// customer display mirrors each, the sale is what the till showed, and the
// receipt's decoded text carries each.
func TestBrowserASaleWithDiscountsPromotionsAFreeUnitAndWeighedGoods(t *testing.T) {
	sc := startEmulatedScale(t, "continuous")
	sc.emu.Set(1235, true)
	dir := t.TempDir()
	k := startKiosk(t, dir, func(c *Config) {
		c.Scale = "serial:" + sc.Device + "?baud=9600&protocol=continuous"
		c.ScaleBarcodes = []string{"prefix=22,item=5,value=price,unit=100"}
	})
	pomeloByWeight(t, k)
	k.promotion(t, map[string]any{"id": "KM-MO250", "name": "Giảm 10% mật ong nhỏ", "name_en": "10% off small honey", "kind": "percent",
		"scope": "sku", "target": "CM-MO-250", "percent": 10, "bearer": "booth"})
	k.promotion(t, map[string]any{"id": "M2T1", "name": "Mua 2 tặng 1", "name_en": "Buy 2 get 1 free", "kind": "buy_get",
		"scope": "sku", "target": "BT-KD-400", "buy": 2, "get": 1, "bearer": "producer"})

	till := browser(t, 1280, 800)
	display := newTab(t, till)
	within(t, display, 20*time.Second, chromedp.Navigate(k.url+"/display?till=T1&lang=vi"))
	waitConnected(t, display)
	within(t, till, 20*time.Second, chromedp.Navigate(k.url+"/till?till=T1&lang=vi"))
	waitConnected(t, till)
	line := func(sku string, more ...string) string {
		return tid("cart-line", fmt.Sprintf(`[data-sku="%s"] `, sku)+strings.Join(more, ""))
	}
	product := func(sku string) string { return tid("product", fmt.Sprintf(`[data-sku="%s"]`, sku)) }

	// Honey, 15 % off for a regular customer: above the limit, so the PIN.
	var pinAsked bool
	within(t, till, 30*time.Second,
		searchTill("mat ong u minh", honeySKU),
		chromedp.Click(product(honeySKU), chromedp.ByQuery),
		chromedp.WaitVisible(line(honeySKU), chromedp.ByQuery),
		chromedp.Click(line(honeySKU, tid("line-discount-open")), chromedp.ByQuery),
		chromedp.WaitVisible(tid("discount-dialog"), chromedp.ByQuery),
		chromedp.Click(tid("disc-quick-15"), chromedp.ByQuery),
		chromedp.Click(tid("disc-reason-regular"), chromedp.ByQuery),
		poll(fmt.Sprintf(`document.querySelector('%s').dataset.off === '33000'`, tid("disc-preview"))),
		chromedp.Click(tid("disc-apply"), chromedp.ByQuery),
		chromedp.WaitVisible(tid("disc-pin"), chromedp.ByQuery),
		chromedp.Evaluate(visible(tid("disc-error")), &pinAsked),
		chromedp.SendKeys(tid("disc-pin"), testPIN, chromedp.ByQuery),
		chromedp.Click(tid("disc-apply"), chromedp.ByQuery),
		chromedp.WaitNotVisible(tid("discount-dialog"), chromedp.ByQuery),
		chromedp.WaitVisible(line(honeySKU, tid("line-discount")), chromedp.ByQuery),
	)
	if !pinAsked {
		t.Error("a discount above the limit did not say why it asks for the PIN")
	}
	// Small honey (its promotion applies by itself), three candies (one free),
	// dried fish from the scale, a pomelo by its price label.
	label := twelveAndCheck("220077700450") // 45.000 ₫ of pomelo at 60.000 ₫/kg: 750 g
	within(t, till, 40*time.Second,
		searchTill("mat ong u minh", "CM-MO-250"),
		chromedp.Click(product("CM-MO-250"), chromedp.ByQuery),
		chromedp.WaitVisible(line("CM-MO-250", tid("line-promotion")), chromedp.ByQuery),
		searchTill("keo dua", "BT-KD-400"),
		chromedp.Click(product("BT-KD-400"), chromedp.ByQuery),
		chromedp.WaitVisible(line("BT-KD-400"), chromedp.ByQuery),
		chromedp.Click(line("BT-KD-400", tid("qty-plus")), chromedp.ByQuery),
		poll(fmt.Sprintf(`document.querySelector('%s').dataset.qty === '2'`, line("BT-KD-400"))),
		chromedp.Click(line("BT-KD-400", tid("qty-plus")), chromedp.ByQuery),
		chromedp.WaitVisible(line("BT-KD-400", tid("line-free")), chromedp.ByQuery),
		searchTill("kho ca loc", fishSKU),
		chromedp.Click(product(fishSKU), chromedp.ByQuery),
		chromedp.WaitVisible(line(fishSKU), chromedp.ByQuery),
		scan(label),
		chromedp.WaitVisible(line("00777"), chromedp.ByQuery),
	)
	texts := map[string]string{}
	for name, sel := range map[string]string{
		"honey discount": line(honeySKU, tid("line-discount")),
		"small honey":    line("CM-MO-250", tid("line-promotion")),
		"free candy":     line("BT-KD-400", tid("line-free")),
		"fish":           line(fishSKU, tid("line-amounts")),
		"pomelo":         line("00777", tid("line-amounts")),
	} {
		var s string
		within(t, till, 5*time.Second, chromedp.Evaluate(textOf(sel), &s))
		texts[name] = s
	}
	for name, want := range map[string]string{
		"honey discount": "Giảm giá 15 %: Khách quen -33.000 ₫",
		"small honey":    "Khuyến mãi: Giảm 10% mật ong nhỏ -12.000 ₫",
		"free candy":     "Tặng kèm 1 gói Khuyến mãi: Mua 2 tặng 1 52.000 ₫ 0 ₫",
		"fish":           "1,235 kg × 460.000 ₫/kg",
		"pomelo":         "0,750 kg × 60.000 ₫/kg",
	} {
		if texts[name] != want {
			t.Errorf("the till's %s reads %q, want %q", name, texts[name], want)
		}
	}
	var shown string
	within(t, till, 5*time.Second, chromedp.AttributeValue(tid("cart-total"), "data-total", &shown, nil, chromedp.ByQuery))

	// The customer display mirrors every line, every deduction, the weights.
	within(t, display, 15*time.Second,
		poll(fmt.Sprintf(`document.querySelectorAll('%s').length === 5 && document.querySelector('%s').dataset.total === %q`,
			tid("display-line"), tid("display-total"), shown)))
	for name, c := range map[string]struct{ sel, want string }{
		"honey discount": {tid("display-line", `[data-sku="CM-MO-500"] `, tid("display-discount")), "Giảm giá 15 %: Khách quen -33.000 ₫"},
		"small honey":    {tid("display-line", `[data-sku="CM-MO-250"] `, tid("display-promotion")), "Khuyến mãi: Giảm 10% mật ong nhỏ -12.000 ₫"},
		"free candy":     {tid("display-line", `[data-sku="BT-KD-400"] `, tid("display-free")), "Tặng kèm 1 gói · Khuyến mãi: Mua 2 tặng 1 0 ₫"},
		"fish":           {tid("display-line", `[data-sku="CM-KCL-KG"] `, tid("display-weight")), "1,235 kg × 460.000 ₫/kg"},
		"pomelo":         {tid("display-line", `[data-sku="00777"] `, tid("display-weight")), "0,750 kg × 60.000 ₫/kg"},
	} {
		var s string
		within(t, display, 5*time.Second, chromedp.Evaluate(textOf(c.sel), &s))
		if s != c.want {
			t.Errorf("the display's %s reads %q, want %q", name, s, c.want)
		}
	}
	if os.Getenv("KIOSK_SCREENSHOTS") != "" { // the cart from its first line, no toast over it
		within(t, till, 5*time.Second, chromedp.Evaluate(`document.querySelector('#cart-lines').scrollTop = 0;
			document.querySelectorAll('[data-testid=toast]').forEach((e) => e.remove())`, nil))
	}
	screenshot(t, till, "till-pricing")
	screenshot(t, display, "display-pricing")

	// Exact cash: the sale is what the till showed.
	var receipt string
	within(t, till, 20*time.Second,
		chromedp.Click(tid("pay-exact"), chromedp.ByQuery),
		chromedp.WaitVisible(tid("sale-result"), chromedp.ByQuery),
		chromedp.AttributeValue(tid("sale-result"), "data-receipt", &receipt, nil, chromedp.ByQuery),
	)
	var found struct{ Sales []pos.Sale }
	k.do("GET", "/api/v1/sales?q="+receipt, nil).json(t, &found)
	if len(found.Sales) != 1 {
		t.Fatalf("sale %q: %+v", receipt, found.Sales)
	}
	s := found.Sales[0]
	if fmt.Sprint(int64(s.Total)) != shown {
		t.Errorf("the sale's total %d, the till showed %s", s.Total, shown)
	}
	if s.Lang != pos.LangVI || len(s.Lines) != 6 || len(s.Promotions) != 2 {
		t.Errorf("the sale: lang %q, %d lines, promotions %+v", s.Lang, len(s.Lines), s.Promotions)
	}
	waitFor(t, "the receipt printed", func() bool { return len(printed(t, dir, s.ID)) == 1 })
	text := printed(t, dir, s.ID)[0]
	for _, w := range []string{"Giảm giá: Khách quen", "-33.000", "Khuyến mãi: Giảm 10% mật ong nhỏ", "-12.000",
		"Khuyến mãi: Mua 2 tặng 1", "1,235 kg x 460.000", "0,750 kg x 60.000", "TỔNG CỘNG", pos.FormatVND(s.Total)} {
		if !strings.Contains(text, w) {
			t.Errorf("the receipt lacks %q:\n%s", w, text)
		}
	}
}

// The README states the taps a weighed item takes; this test sells one on
// the till with the emulated scale and counts.
func TestBrowserTapsForAWeighedItemAreWhatTheREADMESays(t *testing.T) {
	sc := startEmulatedScale(t, "continuous")
	sc.emu.Set(1235, true)
	k := startKiosk(t, t.TempDir(), func(c *Config) { c.Scale = "serial:" + sc.Device + "?baud=9600&protocol=continuous" })
	ctx := browser(t, 1280, 800)
	within(t, ctx, 20*time.Second, chromedp.Navigate(k.url+"/till?till=T1&lang=vi"))
	waitConnected(t, ctx)
	within(t, ctx, 20*time.Second, scaleShows("ok", "1,235 kg"))

	taps := &tapCounter{}
	var receipt string
	within(t, ctx, 30*time.Second,
		searchTill("kho ca loc", fishSKU), // typed, as any search: no tap
		taps.tap(tid("product", `[data-sku="CM-KCL-KG"]`)),
		chromedp.WaitVisible(tid("cart-line", `[data-sku="CM-KCL-KG"][data-weight="1235"]`), chromedp.ByQuery),
	)
	weighing := taps.n
	within(t, ctx, 30*time.Second,
		taps.tap(tid("pay-exact")),
		chromedp.WaitVisible(tid("sale-result"), chromedp.ByQuery),
		chromedp.AttributeValue(tid("sale-result"), "data-receipt", &receipt, nil, chromedp.ByQuery),
	)
	var found struct{ Sales []pos.Sale }
	k.do("GET", "/api/v1/sales?q="+receipt, nil).json(t, &found)
	if len(found.Sales) != 1 || len(found.Sales[0].Lines) != 1 || found.Sales[0].Lines[0].WeightG != 1235 ||
		found.Sales[0].Total != pos.LineGross(460000, 1, 1235) {
		t.Fatalf("the weighed sale: %+v", found.Sales)
	}
	wantItem := readmeTaps(t, `A weighed item takes \*\*(\d+) tap\*\*`)
	wantSale := readmeTaps(t, `weighed item sold alone takes \*\*(\d+) taps\*\*`)
	if weighing != wantItem || taps.n != wantSale {
		t.Errorf("a weighed item took %d taps, sold alone for the exact amount %d; the README says %d and %d", weighing, taps.n, wantItem, wantSale)
	}
	t.Logf("a weighed item: %d tap; sold alone for the exact amount: %d taps", weighing, taps.n)
}
