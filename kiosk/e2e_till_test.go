package kiosk

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/ocop-kiosk/kiosk/pos"
)

// tapCounter clicks as a vendor taps, and counts the taps.
type tapCounter struct{ n int }

func (c *tapCounter) tap(sel string) chromedp.Action {
	return chromedp.ActionFunc(func(ctx context.Context) error {
		c.n++
		return chromedp.Click(sel, chromedp.ByQuery).Do(ctx)
	})
}

// firstInStock answers the SKUs of the first n products the till's grid shows
// with stock left.
func firstInStock(t *testing.T, ctx context.Context, n int) []string {
	t.Helper()
	var skus []string
	within(t, ctx, 10*time.Second,
		poll(fmt.Sprintf(`document.querySelectorAll('%s:not(.sold-out)').length >= %d`, tid("product"), n)),
		chromedp.Evaluate(fmt.Sprintf(`[...document.querySelectorAll('%s:not(.sold-out)')].slice(0, %d).map((e) => e.dataset.sku)`, tid("product"), n), &skus))
	return skus
}

// searchTill types a search into the till and waits until the grid shows its
// answer (a handful of products, sku among them): a tap while the grid still
// shows the whole catalog could land on a card that is being replaced.
func searchTill(q, sku string) chromedp.Action {
	return chromedp.Tasks{
		chromedp.SendKeys(tid("search"), q, chromedp.ByQuery),
		poll(fmt.Sprintf(`document.querySelectorAll('%s').length <= 12 && !!document.querySelector('%s')`,
			tid("product"), tid("product", fmt.Sprintf(`[data-sku="%s"]`, sku)))),
	}
}

// readmeTaps reads a figure the README states: the number before "taps" in
// the sentence that pattern picks.
func readmeTaps(t *testing.T, pattern string) int {
	t.Helper()
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	// The paragraph is wrapped anywhere: a space in the pattern is any blank.
	m := regexp.MustCompile(strings.ReplaceAll(pattern, " ", `\s+`)).FindSubmatch(b)
	if m == nil {
		t.Fatalf("the README does not state %s", pattern)
	}
	n, _ := strconv.Atoi(string(m[1]))
	return n
}

// The README states how many taps a three-item cash sale takes; this test
// makes those sales on the till and counts.
func TestBrowserTapsForAThreeItemCashSaleAreWhatTheREADMESays(t *testing.T) {
	k := startKiosk(t, t.TempDir())
	ctx := browser(t, 1280, 800)
	within(t, ctx, 20*time.Second, chromedp.Navigate(k.url+"/till?till=T1&lang=vi"))
	waitConnected(t, ctx)
	skus := firstInStock(t, ctx, 3)

	sell := func(taps *tapCounter, pay ...string) pos.Sale {
		t.Helper()
		var actions []chromedp.Action
		for _, sku := range skus {
			line := tid("cart-line", fmt.Sprintf(`[data-sku="%s"]`, sku))
			actions = append(actions, taps.tap(tid("product", fmt.Sprintf(`[data-sku="%s"]`, sku))), chromedp.WaitVisible(line, chromedp.ByQuery))
		}
		for _, sel := range pay {
			actions = append(actions, chromedp.WaitVisible(sel, chromedp.ByQuery), taps.tap(sel))
		}
		var receipt string
		var ok bool
		actions = append(actions, chromedp.WaitVisible(tid("sale-result"), chromedp.ByQuery),
			chromedp.AttributeValue(tid("sale-result"), "data-receipt", &receipt, &ok, chromedp.ByQuery))
		within(t, ctx, 30*time.Second, actions...)
		var found struct{ Sales []pos.Sale }
		k.do("GET", "/api/v1/sales?q="+receipt, nil).json(t, &found)
		if len(found.Sales) != 1 || len(found.Sales[0].Lines) != 3 {
			t.Fatalf("sale %q: %+v", receipt, found.Sales)
		}
		return found.Sales[0]
	}

	exact := &tapCounter{}
	s := sell(exact, tid("pay-exact"))
	if p := s.Payments[0]; p.Method != pos.MethodCash || p.Tendered != s.Total || s.Change != 0 {
		t.Errorf("exact cash: %+v, change %d", s.Payments, s.Change)
	}
	// The next customer's first product closes the result: no New sale tap.
	change := &tapCounter{}
	s2 := sell(change, tid("checkout"), "#tenders .tender:not(.tender-exact)", tid("confirm-payment"))
	if s2.Change <= 0 {
		t.Errorf("a suggested amount above the total gave no change: %+v", s2)
	}
	wantExact := readmeTaps(t, `three-item cash sale takes \*\*(\d+) taps\*\* when the customer hands over the exact amount`)
	wantChange := readmeTaps(t, `\*\*(\d+) taps\*\* when change is due`)
	if exact.n != wantExact || change.n != wantChange {
		t.Errorf("taps: %d with the exact amount, %d with change; the README says %d and %d", exact.n, change.n, wantExact, wantChange)
	}
	t.Logf("a three-item cash sale: %d taps with the exact amount, %d with change", exact.n, change.n)
}

// slowProducts makes the page's product reads answer late, as a busy kiosk
// does: what the grid shows while it waits is then on screen long enough to see.
const slowProducts = `(() => {
	const fetch0 = window.fetch;
	window.fetch = (input, init) => {
		const url = String((input && input.url) || input);
		if (!url.includes('/api/v1/products')) return fetch0(input, init);
		return new Promise((resolve) => setTimeout(resolve, 600)).then(() => fetch0(input, init));
	};
})()`

// countPlaceholders counts from now on the placeholder cells the grid draws,
// in window.__placeholders.
const countPlaceholders = `(() => {
	window.__placeholders = 0;
	new MutationObserver((ms) => {
		for (const m of ms) for (const n of m.addedNodes) {
			if (n.classList && n.classList.contains('placeholder')) window.__placeholders++;
		}
	}).observe(document.querySelector('.vgrid-canvas'), { childList: true });
	return true;
})()`

// A sale changes stock, and the grid reads its pages again. Until the answer
// comes, the cards already on screen stay where they are and answer a tap:
// the next customer's first product, tapped the moment a sale ends, is not a
// blank placeholder. The answer then updates the same cards in place.
func TestBrowserTheGridKeepsItsCardsWhileItReadsTheStockAgain(t *testing.T) {
	k := startKiosk(t, t.TempDir())
	ctx := browser(t, 1280, 800)
	within(t, ctx, 20*time.Second,
		chromedp.ActionFunc(func(ctx context.Context) error {
			_, err := page.AddScriptToEvaluateOnNewDocument(slowProducts).Do(ctx)
			return err
		}),
		chromedp.Navigate(k.url+"/till?till=T1&lang=vi"))
	waitConnected(t, ctx)
	sku := firstInStock(t, ctx, 1)[0]
	before := k.product(sku).Stock
	card := tid("product", fmt.Sprintf(`[data-sku="%s"]`, sku))
	var ok bool
	within(t, ctx, 30*time.Second,
		chromedp.Evaluate(countPlaceholders, &ok),
		// The card is marked, to tell afterwards whether it was replaced.
		chromedp.Evaluate(fmt.Sprintf(`document.querySelector('%s').__mark = document.querySelector('%[1]s .thumb').__mark = 1`, card), nil),
		chromedp.Click(card, chromedp.ByQuery),
		chromedp.WaitVisible(tid("cart-line", fmt.Sprintf(`[data-sku="%s"]`, sku)), chromedp.ByQuery),
		chromedp.Click(tid("pay-exact"), chromedp.ByQuery),
		chromedp.WaitVisible(tid("sale-result"), chromedp.ByQuery),
		// The grid is reading its page again (600 ms): the card is still there.
		chromedp.Click(card, chromedp.ByQuery),
		chromedp.WaitVisible(tid("cart-line", fmt.Sprintf(`[data-sku="%s"][data-qty="1"]`, sku)), chromedp.ByQuery),
		poll(fmt.Sprintf(`document.querySelector('%s').dataset.stock === '%d'`, card, before-1)),
	)
	var placeholders int
	var same bool
	within(t, ctx, 5*time.Second,
		chromedp.Evaluate(`window.__placeholders`, &placeholders),
		chromedp.Evaluate(fmt.Sprintf(`document.querySelector('%s').__mark === 1 && document.querySelector('%[1]s .thumb').__mark === 1`, card), &same))
	if placeholders != 0 {
		t.Errorf("the grid drew %d placeholders over cards it was showing while it read the stock again", placeholders)
	}
	if !same {
		t.Errorf("the card of %s (or its picture) was replaced rather than updated in place", sku)
	}
}

func TestBrowserSearchClearsAfterAnAddAndStockIsCheckedAtTheCart(t *testing.T) {
	k := startKiosk(t, t.TempDir())
	k.setStock(t, "CM-MO-500", 0)
	k.setStock(t, "BT-KD-400", 1)
	ctx := browser(t, 1280, 800)
	within(t, ctx, 20*time.Second, chromedp.Navigate(k.url+"/till?till=T1&lang=vi"))
	waitConnected(t, ctx)
	lastToast := `(() => { const t = [...document.querySelectorAll('[data-testid=toast]')].pop(); return t ? t.textContent : ''; })()`

	// A product added from a search clears the search: the next one is typed
	// from scratch, and the grid shows everything again.
	var value string
	var count int
	within(t, ctx, 15*time.Second,
		searchTill("mat ong u minh", "CM-MO-250"),
		chromedp.Click(tid("product", `[data-sku="CM-MO-250"]`), chromedp.ByQuery),
		chromedp.WaitVisible(tid("cart-line", `[data-sku="CM-MO-250"]`), chromedp.ByQuery),
		poll(fmt.Sprintf(`document.querySelector('%s').value === ''`, tid("search"))),
		chromedp.Value(tid("search"), &value, chromedp.ByQuery),
		poll(fmt.Sprintf(`document.querySelectorAll('%s').length > 6`, tid("product"))),
		chromedp.Evaluate(fmt.Sprintf(`document.querySelectorAll('%s').length`, tid("product")), &count),
	)
	if value != "" || count <= 6 {
		t.Fatalf("after adding from a search: the box says %q and the grid shows %d products", value, count)
	}

	// A sold-out product shows as such and is not added; the message names it.
	var text string
	within(t, ctx, 15*time.Second,
		searchTill("mat ong u minh", "CM-MO-500"),
		chromedp.WaitVisible(tid("product", `[data-sku="CM-MO-500"].sold-out`), chromedp.ByQuery),
		chromedp.Click(tid("product", `[data-sku="CM-MO-500"]`), chromedp.ByQuery),
		poll(lastToast+`.includes('Hết hàng')`),
		chromedp.Evaluate(lastToast, &text),
	)
	if !strings.Contains(text, "Hết hàng: Mật ong rừng tràm U Minh Hạ 500ml") {
		t.Errorf("tapping a sold-out product says %q", text)
	}
	// One candy left: the cart takes one, and "+" is refused with its name.
	within(t, ctx, 15*time.Second,
		chromedp.Click("#search-clear", chromedp.ByQuery),
		searchTill("keo dua", "BT-KD-400"),
		chromedp.Click(tid("product", `[data-sku="BT-KD-400"]`), chromedp.ByQuery),
		chromedp.WaitVisible(tid("cart-line", `[data-sku="BT-KD-400"]`), chromedp.ByQuery),
		chromedp.Click(tid("cart-line", `[data-sku="BT-KD-400"] `, tid("qty-plus")), chromedp.ByQuery),
		poll(lastToast+`.includes('chỉ còn 1')`),
		chromedp.Evaluate(lastToast, &text),
	)
	if name := k.product("BT-KD-400").Name; !strings.Contains(text, name+": chỉ còn 1") {
		t.Errorf("one more than the stock says %q, want the product named", text)
	}
	var qty string
	within(t, ctx, 5*time.Second, chromedp.Sleep(300*time.Millisecond),
		chromedp.AttributeValue(tid("cart-line", `[data-sku="BT-KD-400"]`), "data-qty", &qty, nil, chromedp.ByQuery))
	if qty != "1" {
		t.Errorf("the cart holds %s candies with one in stock", qty)
	}
	if found := k.do("GET", "/api/v1/sales", nil); !strings.Contains(string(found.Body), `"count":0`) {
		t.Errorf("something was sold: %s", found.Body)
	}
}

func TestBrowserKeyboardShortcutsSellAndAreListedOnScreen(t *testing.T) {
	k := startKiosk(t, t.TempDir())
	ctx := browser(t, 1280, 800)
	within(t, ctx, 20*time.Second, chromedp.Navigate(k.url+"/till?till=T1&lang=en"))
	waitConnected(t, ctx)
	focused := func(id string) string {
		return fmt.Sprintf(`document.activeElement === document.querySelector('%s')`, tid(id))
	}
	var help string
	within(t, ctx, 15*time.Second,
		chromedp.KeyEvent(kb.F1),
		chromedp.WaitVisible(tid("keys-dialog"), chromedp.ByQuery),
		chromedp.Text(tid("keys-list"), &help, chromedp.ByQuery),
		chromedp.KeyEvent(kb.Escape),
		chromedp.WaitNotVisible(tid("keys-dialog"), chromedp.ByQuery),
	)
	for _, w := range []string{"F2", "Search products", "F4", "Pay cash", "F9", "Exact cash", "F6", "Quantity", "F8", "Clear the cart", "F1"} {
		if !strings.Contains(help, w) {
			t.Errorf("the shortcuts list lacks %q: %q", w, help)
		}
	}
	// F2, a code, Enter; F6 and a quantity; F4 opens cash, Esc leaves; F9
	// sells for the exact amount.
	candy := k.product("BT-KD-400")
	within(t, ctx, 20*time.Second,
		chromedp.KeyEvent(kb.F2),
		poll(focused("search")),
		scannerTypes("BT-KD-400"),
		chromedp.WaitVisible(tid("cart-line", `[data-sku="BT-KD-400"]`), chromedp.ByQuery),
		chromedp.Evaluate(`document.activeElement && document.activeElement.blur()`, nil),
		chromedp.KeyEvent(kb.F6),
		poll(focused("qty-input")),
		chromedp.KeyEvent(kb.Backspace+"3\r"),
		poll(fmt.Sprintf(`(document.querySelector('%s') || {dataset: {}}).dataset.qty === '3'`, tid("cart-line", `[data-sku="BT-KD-400"]`))),
		chromedp.KeyEvent(kb.F4),
		poll(focused("tendered")),
		chromedp.KeyEvent(kb.Escape),
		poll(`!document.querySelector('#checkout-dialog').open`),
		chromedp.KeyEvent(kb.F9),
		chromedp.WaitVisible(tid("sale-result"), chromedp.ByQuery),
	)
	var list struct{ Sales []pos.Sale }
	k.do("GET", "/api/v1/sales", nil).json(t, &list)
	if len(list.Sales) != 1 || list.Sales[0].Total != 3*candy.Price || list.Sales[0].Payments[0].Tendered != 3*candy.Price {
		t.Fatalf("F9 sold %+v", list.Sales)
	}
	// F8 clears the next cart (with an undo).
	within(t, ctx, 15*time.Second,
		chromedp.KeyEvent(kb.F2),
		scannerTypes("BT-KD-400"),
		chromedp.WaitVisible(tid("cart-line", `[data-sku="BT-KD-400"]`), chromedp.ByQuery),
		poll("!"+visible(tid("sale-result"))),
		chromedp.KeyEvent(kb.F8),
		chromedp.WaitNotPresent(tid("cart-line"), chromedp.ByQuery),
	)
}

func TestBrowserNoBankNoHubMeansNoVietQRAndNoSyncBadge(t *testing.T) {
	for _, tt := range []struct {
		name   string
		mutate func(*Config)
		vietqr bool
	}{
		{"no bank account", func(*Config) {}, false},
		{"a bank account", withBank, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			k := startKiosk(t, t.TempDir(), tt.mutate)
			ctx := browser(t, 1280, 800)
			within(t, ctx, 20*time.Second, chromedp.Navigate(k.url+"/till?till=T1&lang=vi"))
			waitConnected(t, ctx)
			var badgeHidden, vietqrVisible bool
			var options []string
			within(t, ctx, 15*time.Second,
				// The badge is decided once GET /api/v1/sync has answered.
				chromedp.Sleep(1500*time.Millisecond),
				chromedp.Evaluate(fmt.Sprintf(`document.querySelector('%s').hidden`, tid("sync-status")), &badgeHidden),
				searchTill("keo dua", "BT-KD-400"),
				chromedp.Click(tid("product", `[data-sku="BT-KD-400"]`), chromedp.ByQuery),
				chromedp.WaitVisible(tid("cart-line"), chromedp.ByQuery),
				chromedp.Click(tid("checkout"), chromedp.ByQuery),
				chromedp.WaitVisible(tid("pay-cash"), chromedp.ByQuery),
				chromedp.Evaluate(visible(tid("pay-vietqr")), &vietqrVisible),
				chromedp.Click(tid("pay-split"), chromedp.ByQuery),
				chromedp.WaitVisible(tid("split-method"), chromedp.ByQuery),
				chromedp.Evaluate(fmt.Sprintf(`[...document.querySelector('%s').options].map((o) => o.value)`, tid("split-method")), &options),
			)
			if !badgeHidden {
				t.Error("a kiosk with no hub shows a sync badge")
			}
			if vietqrVisible != tt.vietqr || strings.Contains(strings.Join(options, " "), "vietqr") != tt.vietqr {
				t.Errorf("VietQR offered: %v (split methods %q), want %v", vietqrVisible, options, tt.vietqr)
			}
		})
	}
}

// English mode: the units, origins and certifications a tourist reads.
func TestBrowserEnglishScreensTranslateUnitsOriginsAndCertifications(t *testing.T) {
	k := startKiosk(t, t.TempDir())
	ctx := browser(t, 1080, 1920)
	within(t, ctx, 20*time.Second, chromedp.Navigate(k.url+"/self?lang=en"))
	waitConnected(t, ctx)
	var detail, cart string
	within(t, ctx, 20*time.Second,
		chromedp.Click(tid("start-en"), chromedp.ByQuery),
		searchTill("mat ong u minh", "CM-MO-500"),
		chromedp.Click(tid("product", `[data-sku="CM-MO-500"]`), chromedp.ByQuery),
		chromedp.WaitVisible(tid("lot", `[data-lot="UM2605-01"]`), chromedp.ByQuery),
		chromedp.Text(tid("product-detail"), &detail, chromedp.ByQuery),
		chromedp.Click(tid("detail-add"), chromedp.ByQuery),
		chromedp.WaitVisible(tid("cart-line", `[data-sku="CM-MO-500"]`), chromedp.ByQuery),
		chromedp.Text(tid("cart-line", `[data-sku="CM-MO-500"]`), &cart, chromedp.ByQuery),
	)
	for _, w := range []string{"/ bottle", "U Minh Hạ melaleuca forest, Khánh An commune, Cà Mau", "Organic"} {
		if !strings.Contains(detail, w) {
			t.Errorf("the English product story lacks %q:\n%s", w, detail)
		}
	}
	for _, w := range []string{"chai", "Rừng tràm", "Hữu cơ", "Chủ thể"} {
		if strings.Contains(detail, w) {
			t.Errorf("the English product story says %q", w)
		}
	}
	if !strings.Contains(cart, "/ bottle") {
		t.Errorf("the English cart line: %q", cart)
	}
}

// A product's picture shows on the till, the self-service screen and the
// trace page; a product without one keeps its tile.
func TestBrowserProductPicturesShowOnTheScreensAndTracePages(t *testing.T) {
	k := startKiosk(t, t.TempDir())
	if r := k.do("POST", "/api/v1/products/CM-MO-500/image", jpegOf(t, photo(800, 600), 85), "X-Manager-Pin", testPIN); r.Status != 200 {
		t.Fatalf("upload: %d %s", r.Status, r.Body)
	}
	ctx := browser(t, 1280, 800)
	loaded := func(sel string) string {
		return fmt.Sprintf(`(() => { const i = document.querySelector('%s'); return !!i && i.complete && i.naturalWidth > 0; })()`, sel)
	}
	var tile bool
	within(t, ctx, 20*time.Second, chromedp.Navigate(k.url+"/till?till=T1"))
	waitConnected(t, ctx)
	within(t, ctx, 15*time.Second,
		searchTill("mat ong u minh", "CM-MO-250"),
		poll(loaded(tid("product", `[data-sku="CM-MO-500"] img[src="/img/cm-mo-500.jpg"]`))),
		chromedp.Evaluate(fmt.Sprintf(`!document.querySelector('%s img') && !!document.querySelector('%s .initials')`,
			tid("product", `[data-sku="CM-MO-250"]`), tid("product", `[data-sku="CM-MO-250"]`)), &tile),
	)
	if !tile {
		t.Error("a product without a picture lost its tile")
	}
	within(t, ctx, 20*time.Second, chromedp.Navigate(k.url+"/self?lang=vi"))
	waitConnected(t, ctx)
	within(t, ctx, 15*time.Second,
		chromedp.Click(tid("start-vi"), chromedp.ByQuery),
		searchTill("mat ong u minh", "CM-MO-500"),
		chromedp.Click(tid("product", `[data-sku="CM-MO-500"]`), chromedp.ByQuery),
		poll(loaded(tid("product-detail")+` img[src="/img/cm-mo-500.jpg"]`)),
	)
	within(t, ctx, 20*time.Second, chromedp.Navigate(k.url+"/01/"+honeyGTIN+"?lang=en"),
		poll(loaded(`img.pic[src="/img/cm-mo-500.jpg"]`)))
}
