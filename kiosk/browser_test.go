package kiosk

import (
	"context"
	"fmt"
	"log"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// chromiumPath finds Debian's Chromium. Browser tests skip without it, except in
// CI (CI=true), where .ci/test installs it and its absence is a failure.
func chromiumPath(tb testing.TB) string {
	tb.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		tb.Fatal("Chromium is not installed (./.ci/test installs the chromium package)")
	}
	tb.Skip("Chromium is not installed; apt-get install chromium (./.ci/test does) to run the browser tests")
	return ""
}

// browser starts a headless Chromium for the test and returns a context for a
// first tab. More tabs: chromedp.NewContext(ctx). extra adds flags.
func browser(tb testing.TB, width, height int, extra ...chromedp.ExecAllocatorOption) context.Context {
	tb.Helper()
	// The profile folder is removed after Chromium has exited (t.TempDir's own
	// cleanup can race with the browser's last writes).
	profile, err := os.MkdirTemp("", "kiosk-chromium-")
	if err != nil {
		tb.Fatal(err)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath(tb)),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		// Tabs in the background (the customer display beside the till) must
		// keep running their timers and websockets.
		chromedp.Flag("disable-background-timer-throttling", true),
		chromedp.Flag("disable-renderer-backgrounding", true),
		chromedp.Flag("disable-backgrounding-occluded-windows", true),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(width, height),
	}
	opts = append(opts, extra...)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx, chromedp.WithErrorf(quietCDPErrors))
	tb.Cleanup(func() {
		cancel()
		cancelAlloc()
		for range 20 {
			if os.RemoveAll(profile) == nil {
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
	})
	// Start the browser now, so a missing or broken Chromium fails here.
	if err := chromedp.Run(ctx); err != nil {
		tb.Fatalf("starting Chromium: %v", err)
	}
	return ctx
}

// quietCDPErrors drops chromedp's complaints about DOM events newer than its
// protocol tables (Chromium's top-layer events); anything else is logged.
func quietCDPErrors(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if strings.Contains(msg, "unhandled node event") {
		return
	}
	log.Print(msg)
}

// newTab opens another tab in the same browser. Its first Run must be on the
// tab's own context: a tab started under a shorter-lived context closes with it.
func newTab(tb testing.TB, parent context.Context) context.Context {
	tb.Helper()
	ctx, cancel := chromedp.NewContext(parent)
	tb.Cleanup(cancel)
	if err := chromedp.Run(ctx); err != nil {
		tb.Fatalf("opening a tab: %v", err)
	}
	return ctx
}

// within runs actions with a deadline. A failure names the step that failed
// (counted from 1) and what the page showed then, so a test that fails once in
// CI says where it stood.
func within(tb testing.TB, ctx context.Context, d time.Duration, actions ...chromedp.Action) {
	tb.Helper()
	c, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	step := 0
	counted := make([]chromedp.Action, 0, len(actions))
	for i, a := range actions {
		counted = append(counted, chromedp.ActionFunc(func(ctx context.Context) error {
			step = i + 1
			return a.Do(ctx)
		}))
	}
	if err := chromedp.Run(c, counted...); err != nil {
		tb.Fatalf("browser: step %d of %d: %v\n%s", step, len(actions), err, pageState(ctx))
	}
}

// pageStateJS sums up a page for a failure message: its address, the open
// dialogs, the toasts and the elements with a test id that are on screen.
const pageStateJS = `(() => {
	const shown = (e) => !!(e.offsetWidth || e.offsetHeight || e.getClientRects().length);
	const out = ['page: ' + location.pathname + location.search];
	for (const d of document.querySelectorAll('dialog[open]')) out.push('open dialog: #' + d.id + ' .' + d.className);
	for (const e of document.querySelectorAll('[data-testid=toast]')) out.push('toast: ' + e.textContent.trim());
	const ids = {};
	for (const e of document.querySelectorAll('[data-testid]')) {
		if (!shown(e)) continue;
		const k = e.dataset.testid + (e.dataset.sku ? '[' + e.dataset.sku + ']' : '');
		ids[k] = (ids[k] || 0) + 1;
	}
	out.push('on screen: ' + Object.entries(ids).map(([k, n]) => n > 1 ? k + ' x' + n : k).join(', '));
	return out.join('\n');
})()`

// pageState answers pageStateJS's summary, or why it could not be read.
func pageState(ctx context.Context) string {
	c, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	var s string
	if err := chromedp.Run(c, chromedp.Evaluate(pageStateJS, &s)); err != nil {
		return "the page could not be read: " + err.Error()
	}
	return s
}
