package sync

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// hubBrowser starts a headless Chromium (skipped without one, except in CI)
// and answers a context for its first tab.
func hubBrowser(t *testing.T) context.Context {
	t.Helper()
	var path string
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			path = p
			break
		}
	}
	if path == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("Chromium is not installed (./.ci/test installs the chromium package)")
		}
		t.Skip("Chromium is not installed; apt-get install chromium (./.ci/test does) to run the browser tests")
	}
	profile, err := os.MkdirTemp("", "hub-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), chromedp.ExecPath(path), chromedp.Headless,
		chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-dev-shm-usage", true), chromedp.UserDataDir(profile))
	ctx, cancel := chromedp.NewContext(actx)
	ctx, cancelTime := context.WithTimeout(ctx, 30*time.Second)
	t.Cleanup(func() {
		cancelTime()
		cancel()
		cancelAlloc()
		for range 20 {
			if os.RemoveAll(profile) == nil {
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
	})
	if err := chromedp.Run(ctx); err != nil {
		t.Fatalf("starting Chromium: %v", err)
	}
	return ctx
}

// TestAManagerSignsInAndOutInABrowser drives the pages as a manager does, in
// Chromium: the browser's own Origin and Referer headers must pass the checks
// of the hub's own forms, and a foreign page's form — here on another port
// of the same machine, which SameSite=Strict treats as the same site and so
// sends the cookie to — must not sign the manager out.
func TestAManagerSignsInAndOutInABrowser(t *testing.T) {
	ctx := hubBrowser(t)
	_, base := startHub(t, hubStore(t), "127.0.0.1:0")
	foreign := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><form id="f" method="post" action="%s/reports/logout"></form>`+
			`<script>document.getElementById("f").submit()</script>`, base)
	}))
	defer foreign.Close()
	signedIn := `form[action="/reports/logout"] button`
	var loc string

	if err := chromedp.Run(ctx,
		chromedp.Navigate(base+"/reports/reconciliation"),
		chromedp.WaitVisible(`input[name="token"]`),
		chromedp.SendKeys(`input[name="token"]`, testAdminToken),
		chromedp.Submit(`input[name="token"]`),
		chromedp.WaitVisible(signedIn),
		chromedp.Location(&loc),
	); err != nil || !strings.HasSuffix(loc, "/reports/reconciliation") {
		t.Fatalf("signing in with the form: %v, at %q", err, loc)
	}

	if err := chromedp.Run(ctx, chromedp.Navigate(foreign.URL)); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); !strings.HasPrefix(loc, base); { // the form took the browser to the hub
		if time.Now().After(deadline) {
			t.Fatalf("the foreign form was not posted: at %q", loc)
		}
		time.Sleep(50 * time.Millisecond)
		if err := chromedp.Run(ctx, chromedp.Location(&loc)); err != nil {
			t.Fatal(err)
		}
	}
	if err := chromedp.Run(ctx,
		chromedp.Navigate(base+"/reports/settlement"),
		chromedp.WaitVisible(signedIn),
	); err != nil {
		t.Fatalf("after the foreign page's form the manager is signed out: %v", err)
	}

	if err := chromedp.Run(ctx,
		chromedp.Click(signedIn),
		chromedp.WaitVisible(`input[name="token"]`),
		chromedp.Location(&loc),
	); err != nil || !strings.HasSuffix(loc, "/reports/login") {
		t.Fatalf("signing out with the page's button: %v, at %q", err, loc)
	}
	var signInForm bool
	if err := chromedp.Run(ctx,
		chromedp.Navigate(base+"/reports/reconciliation"),
		chromedp.WaitVisible(`input[name="token"]`),
		chromedp.Evaluate(`document.querySelector('form[action="/reports/logout"]') === null`, &signInForm),
	); err != nil || !signInForm {
		t.Errorf("after signing out the page is still shown: %v", err)
	}
}
