package kiosk

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// scaleShows waits until the till's scale panel is in state and shows weight.
func scaleShows(state, weight string) chromedp.Action {
	return chromedp.Poll(fmt.Sprintf(`(() => {
		const el = document.querySelector('%s');
		const w = el && el.querySelector('%s');
		return !!el && !el.hidden && el.dataset.state === %q && !!w && w.textContent === %q;
	})()`, tid("scale"), tid("scale-weight"), state, weight),
		nil, chromedp.WithPollingTimeout(15*time.Second), chromedp.WithPollingInterval(50*time.Millisecond))
}

func TestBrowserTillShowsTheLiveWeightAndAnUnpluggedScale(t *testing.T) {
	sc := startEmulatedScale(t, "continuous")
	sc.emu.Set(1235, false)
	k := startKiosk(t, t.TempDir(), func(c *Config) { c.Scale = "serial:" + sc.Device + "?baud=9600&protocol=continuous" })
	ctx := browser(t, 1280, 800)
	within(t, ctx, 20*time.Second, chromedp.Navigate(k.url+"/till?till=T1"))
	waitConnected(t, ctx)
	within(t, ctx, 20*time.Second, scaleShows("unstable", "1,235 kg"))
	sc.emu.Set(1240, true)
	within(t, ctx, 20*time.Second, scaleShows("ok", "1,240 kg"))
	var word string
	within(t, ctx, 5*time.Second, chromedp.Text(tid("scale-state"), &word, chromedp.ByQuery))
	if word != "Ổn định" {
		t.Fatalf("a settled weight says %q", word)
	}
	screenshot(t, ctx, "till-scale")
	sc.emu.Unplug()
	within(t, ctx, 20*time.Second, scaleShows("offline", "—"))
}

func TestBrowserTillWithoutAScaleShowsNoPanel(t *testing.T) {
	k := startKiosk(t, t.TempDir())
	ctx := browser(t, 1280, 800)
	within(t, ctx, 20*time.Second, chromedp.Navigate(k.url+"/till?till=T1"))
	waitConnected(t, ctx)
	var hidden bool
	within(t, ctx, 5*time.Second, chromedp.Sleep(300*time.Millisecond),
		chromedp.Evaluate(fmt.Sprintf(`document.querySelector('%s').hidden`, tid("scale")), &hidden))
	if !hidden {
		t.Fatal("a kiosk with no scale shows a scale panel")
	}
}

// A label scale's code for a product the catalog sells by the unit must not
// become a unit of it (its weight would be lost): the till says why and adds
// nothing. Products sold by weight are the pricing work's; their weighed
// lines are sent as {type: cart.add, sku, weight_g}.
func TestBrowserAScaleLabelOfAProductNotSoldByWeightAddsNothing(t *testing.T) {
	k := startKiosk(t, t.TempDir(), func(c *Config) { c.ScaleBarcodes = []string{"prefix=21,item=5,value=weight"} })
	weighedCatalog(t, k, twelveAndCheck("210004200000"))
	ctx := browser(t, 1280, 800)
	within(t, ctx, 20*time.Second, chromedp.Navigate(k.url+"/till?till=T1"))
	waitConnected(t, ctx)
	code := twelveAndCheck("210004201235")
	var toast string
	within(t, ctx, 15*time.Second,
		chromedp.Evaluate(`document.activeElement && document.activeElement.blur()`, nil),
		scannerTypes(code),
		chromedp.WaitVisible(tid("toast", `[data-kind="error"]`), chromedp.ByQuery),
		chromedp.Text(tid("toast", `[data-kind="error"]`), &toast, chromedp.ByQuery),
	)
	if !strings.Contains(toast, "không bán theo cân") {
		t.Fatalf("toast %q", toast)
	}
	var lines int
	within(t, ctx, 5*time.Second, chromedp.Sleep(300*time.Millisecond),
		chromedp.Evaluate(fmt.Sprintf(`document.querySelectorAll('%s').length`, tid("cart-line")), &lines))
	if lines != 0 {
		t.Fatalf("%d cart lines after a scale label of a unit product", lines)
	}
}
