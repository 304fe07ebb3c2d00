package kiosk

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/ocop-kiosk/kiosk/pos"
)

// A stamp of a stamp run scanned at the till sells that item: the cart's
// line names the lot and serial, the same stamp scanned again is refused on
// screen, and the lot's EPCIS story shows the serial in the sale's epcList.
func TestBrowserAStampScannedAtTheTillIsSoldByItsSerial(t *testing.T) {
	k := startKiosk(t, t.TempDir())
	issueStamps(t, k, 2)
	ctx := browser(t, 1280, 800)
	within(t, ctx, 20*time.Second, chromedp.Navigate(k.url+"/till?till=T1&lang=vi"))
	waitConnected(t, ctx)

	lotLine := tid("cart-line", `[data-lot="UM2605-01"]`)
	serials := `(document.querySelector('[data-testid=cart-line][data-lot="UM2605-01"] [data-testid=line-lot]') || {dataset: {}}).dataset.serials`
	within(t, ctx, 20*time.Second,
		chromedp.Evaluate(`document.activeElement && document.activeElement.blur()`, nil),
		scannerTypes(honeyLink("0002")),
		chromedp.WaitVisible(lotLine, chromedp.ByQuery),
		poll(serials+` === '0002'`),
		scannerTypes(honeyLink("0001")),
		poll(serials+` === '0002 0001'`),
		poll(`document.querySelector('[data-testid=cart-line][data-lot="UM2605-01"]').dataset.qty === '2'`),
	)
	var shown string
	within(t, ctx, 10*time.Second,
		chromedp.Text(tid("line-lot"), &shown, chromedp.ByQuery),
		scannerTypes(honeyLink("0002")),
		poll(`[...document.querySelectorAll('[data-testid=toast]')].some((e) => e.textContent.includes('Tem này đã quét rồi'))`),
	)
	if !strings.Contains(shown, "Lô UM2605-01") || !strings.Contains(shown, "Tem số 0002, 0001") {
		t.Errorf("the line shows %q, want its lot and serials", shown)
	}
	var qty string
	var ok bool
	within(t, ctx, 5*time.Second, chromedp.AttributeValue(lotLine, "data-qty", &qty, &ok, chromedp.ByQuery))
	if qty != "2" {
		t.Fatalf("after the same stamp scanned twice the line has %s units, want 2", qty)
	}
	screenshot(t, ctx, "till-serials")

	// The refusal's toast may cover the button: the click goes to the button itself.
	var receipt string
	within(t, ctx, 30*time.Second,
		chromedp.Evaluate(`document.querySelector('[data-testid=pay-exact]').click()`, nil),
		chromedp.WaitVisible(tid("sale-result"), chromedp.ByQuery),
		chromedp.AttributeValue(tid("sale-result"), "data-receipt", &receipt, &ok, chromedp.ByQuery),
	)
	var found struct{ Sales []pos.Sale }
	k.do("GET", "/api/v1/sales?q="+receipt, nil).json(t, &found)
	if len(found.Sales) != 1 || !slices.Equal(found.Sales[0].Lines[0].Serials, []string{"0002", "0001"}) {
		t.Fatalf("sale %q: %+v", receipt, found.Sales)
	}

	var doc epcisDoc
	k.do("GET", "/api/v1/epcis/events?gtin="+honeyGTIN+"&lot=UM2605-01", nil).json(t, &doc)
	var epcs []string
	for _, e := range doc.EPCISBody.EventList {
		if e["bizStep"] == "retail_selling" && e["ocop:receiptNo"] == receipt {
			for _, v := range e["epcList"].([]any) {
				epcs = append(epcs, v.(string))
			}
		}
	}
	if len(epcs) != 2 || !strings.HasSuffix(epcs[0], "/01/"+honeyGTIN+"/10/UM2605-01/21/0002") ||
		!strings.HasSuffix(epcs[1], "/01/"+honeyGTIN+"/10/UM2605-01/21/0001") {
		t.Fatalf("the sale's epcList %v, want the two stamps' Digital Links", epcs)
	}
}
