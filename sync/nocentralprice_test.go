package sync

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/ocop-kiosk/kiosk/pos"
)

// A hub that has no central price for what a kiosk sold has checked nothing:
// the reconciliation says so, and never that every line was at the central
// price.
func TestTheReconciliationNeverClaimsAPriceCheckWithoutACentralPrice(t *testing.T) {
	for _, tt := range []struct {
		name      string
		catalog   bool
		want      string
		wantLines int
	}{
		{"a hub with no catalog", false, "3 lines had no central price to check against", 3},
		{"a hub with the products' prices", true, "Every line at the central price", 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			hs := hubStore(t)
			if _, err := RegisterKiosk(hs, "K01"); err != nil {
				t.Fatal(err)
			}
			ks := kioskStore(t, "K01")
			sellN(t, ks, 3)
			recs, err := ks.Outbox(0, 10)
			if err != nil {
				t.Fatal(err)
			}
			if tt.catalog {
				products, err := ks.Products()
				if err != nil {
					t.Fatal(err)
				}
				cat := pos.Catalog{Producers: []pos.Producer{{ID: "UMINH", Name: "HTX Ong mật U Minh Hạ", Kind: pos.KindHTX}}, Products: products}
				if _, err := hs.PutCatalog(cat, recs[0].Sale.Time.Add(-time.Hour)); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := hs.Ingest("K01", recs, time.Now()); err != nil {
				t.Fatal(err)
			}
			lines := 0
			for _, r := range recs {
				lines += len(r.Sale.Lines)
			}
			if tt.wantLines != 0 && lines != tt.wantLines {
				t.Fatalf("the kiosk sold %d lines, the test expects %d", lines, tt.wantLines)
			}
			app := (&Hub{Store: hs, AdminHash: TokenHash("admin"), Log: quiet()}).App()
			req := httptest.NewRequest(http.MethodGet, "/reports/reconciliation?day="+recs[0].Sale.Time.In(reconICT).Format(time.DateOnly), nil)
			req.Header.Set("Authorization", "Bearer admin")
			res, err := app.Test(req, 10000)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if !strings.Contains(string(body), tt.want) {
				t.Errorf("the page does not say %q:\n%s", tt.want, body)
			}
			if !tt.catalog && strings.Contains(string(body), "Every line at the central price") {
				t.Error("the page claims every line was at the central price, with no central price held")
			}
		})
	}
}
