package sync

import (
	"crypto/sha256"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ocop-kiosk/kiosk/pos"
	"github.com/ocop-kiosk/kiosk/web"
)

var (
	reHubStyle     = regexp.MustCompile(`(?s)<style[^>]*>(.*?)</style>`)
	reHubStyleAttr = regexp.MustCompile(`(?i)<[^>]+\s(?:style|on[a-z]+)\s*=`)
	reHubScript    = regexp.MustCompile(`(?i)<script\b`)
)

func TestEveryAnswerOfTheHubCarriesTheContentSecurityPolicy(t *testing.T) {
	hs := hubStore(t)
	demo, err := pos.DemoCatalog()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := hs.PutCatalog(demo, time.Now()); err != nil {
		t.Fatal(err)
	}
	app := (&Hub{Store: hs, AdminHash: TokenHash("admin"), Log: quiet()}).App()
	for _, tt := range []struct {
		path  string
		admin bool
		html  bool
	}{
		{"/reports/login", false, true},
		{"/reports/reconciliation?day=2026-11-21", true, true},
		{"/reports/settlement?from=2026-11-20&to=2026-11-22", true, true},
		{"/reports/reconciliation", false, true}, // the sign-in form, 401
		{"/01/08936072100152", false, true},
		{"/01/08936072100152/10/UM2605-01/21/0001", false, true},
		{"/01/08936072199994", false, true}, // 404 page
		{"/healthz", false, false},
		{"/api/v1/kiosks", true, false},
		{"/reports/reconciliation.csv?day=2026-11-21", true, false},
	} {
		req := httptest.NewRequest(http.MethodGet, tt.path, nil)
		req.Header.Set("Accept", "text/html,application/xhtml+xml,*/*;q=0.8")
		if tt.admin {
			req.Header.Set("Authorization", "Bearer admin")
		}
		res, err := app.Test(req, 10000)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		policy := res.Header.Get("Content-Security-Policy")
		switch {
		case strings.HasPrefix(tt.path, "/reports/") && tt.html:
			// The report pages set a policy of their own (renderReportPage):
			// nothing but their chart, no script at all.
			if !strings.HasPrefix(policy, "default-src 'none'") || strings.Contains(policy, "script-src") {
				t.Errorf("GET %s (%d): report page policy %q", tt.path, res.StatusCode, policy)
			}
		case policy != web.ContentSecurityPolicy():
			t.Errorf("GET %s (%d): policy %q, want the hub's", tt.path, res.StatusCode, policy)
			continue
		}
		if !tt.html {
			continue
		}
		if !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
			t.Errorf("GET %s: %s, want a page", tt.path, res.Header.Get("Content-Type"))
		}
		for _, m := range reHubStyle.FindAllSubmatch(body, -1) {
			sum := sha256.Sum256(m[1])
			if h := "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"; !strings.Contains(web.ContentSecurityPolicy(), h) {
				t.Errorf("GET %s: a <style> whose hash %s the policy does not allow", tt.path, h)
			}
		}
		if m := reHubStyleAttr.Find(body); m != nil {
			t.Errorf("GET %s: an inline style or handler the policy blocks: %s", tt.path, m)
		}
		if reHubScript.Match(body) {
			t.Errorf("GET %s: a script", tt.path)
		}
	}
	// The chart is an image with a policy of its own, stricter still.
	req := httptest.NewRequest(http.MethodGet, "/reports/chart.svg?from=2026-11-20&to=2026-11-22", nil)
	req.Header.Set("Authorization", "Bearer admin")
	res, err := app.Test(req, 10000)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if p := res.Header.Get("Content-Security-Policy"); !strings.HasPrefix(p, "default-src 'none'") {
		t.Errorf("chart: policy %q", p)
	}
}
