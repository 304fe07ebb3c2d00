package kiosk

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The manager's portal tab shows each product's completeness and what it
// lacks, in the manager's language.
func TestBrowserManagerShowsWhatEachProductLacksForThePortal(t *testing.T) {
	k := startKiosk(t, t.TempDir())
	ctx := managerIn(t, k, "Asia/Ho_Chi_Minh")
	var complete, missing, summary string
	within(t, ctx, 20*time.Second,
		chromedp.Click(tid("tab-portal"), chromedp.ByQuery),
		chromedp.WaitVisible(tid("portal-row", `[data-sku="CM-MO-500"]`), chromedp.ByQuery),
		chromedp.AttributeValue(tid("portal-row", `[data-sku="CM-MO-500"]`), "data-complete", &complete, nil, chromedp.ByQuery),
		chromedp.Text(tid("portal-row", `[data-sku="CM-MO-500"] `, tid("portal-missing")), &missing, chromedp.ByQuery),
		chromedp.Text(tid("portal-summary"), &summary, chromedp.ByQuery),
	)
	if complete == "" || complete == "10" {
		t.Errorf("CM-MO-500 has %q of 10 items; its lots have no labels printed, so it lacks some", complete)
	}
	if !strings.Contains(missing, "Nhãn hiệu hoặc số sê-ri") || !strings.Contains(missing, "Lô UM2605-01") {
		t.Errorf("CM-MO-500 lacks %q; want the serial named and its lot listed", missing)
	}
	if !strings.Contains(summary, "sản phẩm đủ thông tin") {
		t.Errorf("summary %q", summary)
	}
}
