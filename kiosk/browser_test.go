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

// within runs actions with a deadline.
func within(tb testing.TB, ctx context.Context, d time.Duration, actions ...chromedp.Action) {
	tb.Helper()
	c, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	if err := chromedp.Run(c, actions...); err != nil {
		tb.Fatalf("browser: %v", err)
	}
}
