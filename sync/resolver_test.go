package sync

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ocop-kiosk/kiosk/pos"
)

// The hub resolves the central catalog's Digital Links as a kiosk does.
func TestTheHubResolvesEachLinkType(t *testing.T) {
	hs := hubStore(t)
	demo, err := pos.DemoCatalog()
	if err != nil {
		t.Fatal(err)
	}
	var noCert string // a product whose OCOP certificate the catalog lacks
	for i := range demo.Products {
		if demo.Products[i].SKU == "CM-MO-250" {
			demo.Products[i].CertNo = ""
			noCert = demo.Products[i].GTIN
		}
	}
	if _, err := hs.PutCatalog(demo, time.Now()); err != nil {
		t.Fatal(err)
	}
	app := (&Hub{Store: hs, Log: quiet()}).App()
	get := func(path string) (*http.Response, string) {
		req, _ := http.NewRequest("GET", "http://hub.example"+path, nil)
		res, err := app.Test(req, 10000)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res, string(b)
	}
	lot := "/01/08936072100152/10/UM2605-01"
	for _, tt := range []struct {
		name, path, location string
		note                 bool
	}{
		{"gs1:pip leads to the lot's page", lot + "?linkType=gs1:pip", "http://hub.example" + lot, false},
		{"gs1:traceability leads to the hub's EPCIS events of the lot", lot + "?linkType=gs1:traceability",
			"http://hub.example/api/v1/epcis/events?gtin=08936072100152&lot=UM2605-01", false},
		{"gs1:certificationInfo leads to the OCOP certificate", lot + "?linkType=gs1:certificationInfo",
			"http://hub.example/01/08936072100152#ocop-certificate", false},
		{"a product without a certificate has no gs1:certificationInfo: the default link, with a note",
			"/01/" + noCert + "?linkType=gs1:certificationInfo", "http://hub.example/01/" + noCert, true},
		{"an unknown link type: the default link, with a note", lot + "?linkType=gs1:nutritionalInfo", "http://hub.example" + lot, true},
		{"a query the resolver does not use is passed on", lot + "?linkType=gs1:certificationInfo&utm_source=poster",
			"http://hub.example/01/08936072100152?utm_source=poster#ocop-certificate", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res, body := get(tt.path)
			if res.StatusCode != http.StatusTemporaryRedirect || res.Header.Get("Location") != tt.location {
				t.Fatalf("%d Location %q, want 307 %q: %s", res.StatusCode, res.Header.Get("Location"), tt.location, body)
			}
			if note := res.Header.Get("X-GS1-Resolver-Note"); (note != "") != tt.note {
				t.Errorf("note %q, want one: %v", note, tt.note)
			}
		})
	}
	t.Run("linkType=all is the linkset, without a certificate it has none", func(t *testing.T) {
		res, body := get("/01/" + noCert + "?linkType=all")
		var ls struct{ Linkset []map[string]json.RawMessage }
		if err := json.Unmarshal([]byte(body), &ls); err != nil || res.Header.Get("Content-Type") != "application/linkset+json" || len(ls.Linkset) != 1 {
			t.Fatalf("%d %s %s", res.StatusCode, res.Header.Get("Content-Type"), body)
		}
		if ls.Linkset[0]["https://gs1.org/voc/pip"] == nil || ls.Linkset[0]["https://gs1.org/voc/traceability"] == nil {
			t.Errorf("linkset lacks pip or traceability: %s", body)
		}
		if ls.Linkset[0]["https://gs1.org/voc/certificationInfo"] != nil {
			t.Errorf("linkset names a certificate the product has not: %s", body)
		}
	})
	t.Run("the page has its Link header, a bad link is a 400, a preflight is answered, the description is served", func(t *testing.T) {
		res, _ := get(lot)
		if res.StatusCode != 200 || !strings.Contains(res.Header.Get("Link"), `rel="linkset"`) || res.Header.Get("Access-Control-Allow-Origin") != "*" {
			t.Errorf("page: %d %v", res.StatusCode, res.Header)
		}
		if res, _ := get("/01/08936072100153"); res.StatusCode != 400 {
			t.Errorf("a wrong check digit: %d", res.StatusCode)
		}
		req, _ := http.NewRequest(http.MethodOptions, "http://hub.example"+lot, nil)
		req.Header.Set("Origin", "https://shop.example")
		req.Header.Set("Access-Control-Request-Method", "GET")
		pre, err := app.Test(req, 10000)
		if err != nil {
			t.Fatal(err)
		}
		pre.Body.Close()
		if pre.StatusCode != http.StatusNoContent || pre.Header.Get("Access-Control-Allow-Origin") != "*" || !strings.Contains(pre.Header.Get("Access-Control-Allow-Methods"), "GET") {
			t.Errorf("preflight: %d %v", pre.StatusCode, pre.Header)
		}
		if res, _ := get(lot + "?utm_source=poster"); res.StatusCode != 200 {
			t.Errorf("the page with a campaign's query: %d", res.StatusCode)
		}
		res, body := get("/.well-known/gs1resolver")
		var d pos.ResolverDescription
		if err := json.Unmarshal([]byte(body), &d); err != nil || res.StatusCode != 200 || d.ResolverRoot != "http://hub.example" || d.SupportedPrimaryKeys[0] != "01" {
			t.Errorf("description: %d %s", res.StatusCode, body)
		}
	})
}
