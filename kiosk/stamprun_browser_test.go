package kiosk

import (
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

func TestBrowserManagerStartsAPrinterRunAndSeesItReachTheEnd(t *testing.T) {
	dir := t.TempDir()
	emu := startStampPrinter(t)
	k := startKiosk(t, dir, func(c *Config) { c.Printers = map[string]string{"label": emu.URL} })
	ctx := browser(t, 1280, 800)
	within(t, ctx, 30*time.Second,
		signedInManager(k.url+"/manager?lang=en"),
		chromedp.Click(tid("tab-lots"), chromedp.ByQuery),
		chromedp.SendKeys(tid("lot-product-search"), "mat ong u minh", chromedp.ByQuery),
		chromedp.Click(tid("lot-product-pick", `[data-sku="CM-MO-500"]`), chromedp.ByQuery),
		chromedp.WaitVisible(tid("lot-row", `[data-lot="UM2605-01"]`), chromedp.ByQuery),
		chromedp.Click(tid("lot-row", `[data-lot="UM2605-01"] `, tid("lot-stamps")), chromedp.ByQuery),
		chromedp.WaitVisible(tid("stamp-count"), chromedp.ByQuery),
		chromedp.SetValue(tid("stamp-count"), "30", chromedp.ByQuery),
		chromedp.SetValue(tid("stamp-output"), "printer", chromedp.ByQuery),
		chromedp.Click(tid("stamp-start"), chromedp.ByQuery),
		chromedp.WaitVisible(tid("stamp-progress"), chromedp.ByQuery),
		poll(fmt.Sprintf(`document.querySelector('%s').dataset.state === 'done'`, tid("stamp-run"))),
	)
	var value float64
	var status string
	within(t, ctx, 5*time.Second,
		chromedp.Evaluate(fmt.Sprintf(`document.querySelector('%s').value`, tid("stamp-progress")), &value),
		chromedp.Text(tid("stamp-status"), &status, chromedp.ByQuery))
	if value != 100 || status != "30 of 30 printed · all printed" {
		t.Errorf("at the end the bar shows %v and the run %q", value, status)
	}
	screenshot(t, ctx, "manager-stamp-run")
	if got := stampsOnPaper(t, emu); len(got) != 30 || got[0] != "0001" || got[29] != "0030" {
		t.Errorf("the printer printed %v, want 0001 to 0030", got)
	}
}
