package sync

import (
	"encoding/csv"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ocop-kiosk/kiosk/pos"
)

// The hub exports the central catalog's portal fields (admin only) and
// reports what each product lacks.
func TestTheHubExportsThePortalFields(t *testing.T) {
	hs := hubStore(t)
	demo, err := pos.DemoCatalog()
	if err != nil {
		t.Fatal(err)
	}
	for i := range demo.Products {
		if demo.Products[i].SKU == "CM-MO-250" {
			demo.Products[i].CertNo = "" // no OCOP certificate recorded
		}
	}
	if _, err := hs.PutCatalog(demo, time.Now()); err != nil {
		t.Fatal(err)
	}
	app := (&Hub{Store: hs, AdminHash: TokenHash(testAdminToken), Log: quiet()}).App()
	get := func(path string, admin bool) (*http.Response, []byte) {
		req, _ := http.NewRequest("GET", "http://hub.example"+path, nil)
		if admin {
			req.Header.Set("Authorization", "Bearer "+testAdminToken)
		}
		res, err := app.Test(req, 10000)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res, b
	}
	if res, _ := get("/api/v1/portal/export", false); res.StatusCode != 401 {
		t.Fatalf("without the admin token: %d", res.StatusCode)
	}
	if res, _ := get("/api/v1/portal/export?format=xml", true); res.StatusCode != 400 {
		t.Fatalf("an unknown format: %d", res.StatusCode)
	}
	res, body := get("/api/v1/portal/export", true)
	var e pos.PortalExport
	if err := json.Unmarshal(body, &e); err != nil || res.StatusCode != 200 {
		t.Fatalf("%d %s", res.StatusCode, body)
	}
	if len(e.Products) != len(demo.Products) || len(e.Records) < len(demo.Products) {
		t.Fatalf("%d products, %d rows for %d products", len(e.Products), len(e.Records), len(demo.Products))
	}
	for _, p := range e.Products {
		if !slices.Contains(p.Missing, "brand_or_serial") {
			t.Errorf("%s: the hub cannot know label serials, yet reports none lacking: %v", p.SKU, p.Missing)
		}
		if p.Complete+len(p.Missing) != 10 {
			t.Errorf("%s: %d complete and %d lacking of 10", p.SKU, p.Complete, len(p.Missing))
		}
	}
	for _, r := range e.Records {
		if r.SKU == "CM-MO-250" && r.Lot == "" && !slices.Contains(r.Missing, "standards") {
			t.Errorf("CM-MO-250 without a certificate or a lot lacks %v", r.Missing)
		}
		if r.Lot != "" && r.GTIN != "" && !strings.HasPrefix(r.TraceCode, "http://hub.example/01/") {
			t.Errorf("%s/%s trace code %q", r.SKU, r.Lot, r.TraceCode)
		}
	}
	res, body = get("/api/v1/portal/export?format=csv", true)
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(body), "\ufeff"))).ReadAll()
	if err != nil || res.Header.Get("Content-Type") != "text/csv; charset=utf-8" || len(rows) != len(e.Records)+1 || !slices.Equal(rows[0], pos.PortalCSVHeader) {
		t.Fatalf("CSV: %v %s %d rows", err, res.Header.Get("Content-Type"), len(rows))
	}
}
