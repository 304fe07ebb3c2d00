package sync

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ocop-kiosk/kiosk/pos"
)

func TestCentralCatalogVersionsAndPriceHistory(t *testing.T) {
	hs := hubStore(t)
	t0 := time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
	c := pos.Catalog{
		Producers: []pos.Producer{{ID: "UMINH", Name: "HTX Ong mật U Minh Hạ", Kind: pos.KindHTX}},
		Products:  []pos.Product{{SKU: "MO-500", Name: "Mật ong", Group: pos.GroupFood, Stars: 5, ProducerID: "UMINH", Price: 220000, VATRate: 8, Stock: 9}},
	}
	v1, err := hs.PutCatalog(c, t0)
	if err != nil || v1.Version != 1 || v1.Products[0].Stock != 0 {
		t.Fatalf("v1: %+v %v", v1, err)
	}
	c.Producers = nil
	c.Products[0].Price = 240000
	v2, err := hs.PutCatalog(c, t0.Add(48*time.Hour))
	if err != nil || v2.Version != 2 || len(v2.Producers) != 1 {
		t.Fatalf("v2: %+v %v", v2, err)
	}
	for _, tt := range []struct {
		at    time.Time
		price pos.Money
		ok    bool
	}{
		{t0.Add(-time.Hour), 0, false},
		{t0, 220000, true},
		{t0.Add(24 * time.Hour), 220000, true},
		{t0.Add(48 * time.Hour), 240000, true},
		{t0.Add(100 * time.Hour), 240000, true},
	} {
		p, ok, err := hs.CentralPrice("MO-500", tt.at)
		if err != nil || p != tt.price || ok != tt.ok {
			t.Errorf("price at %s: %d %v %v, want %d %v", tt.at, p, ok, err, tt.price, tt.ok)
		}
	}
	if _, err := hs.PutCatalog(pos.Catalog{Products: []pos.Product{{SKU: "X", Name: "X", Group: pos.GroupFood, Stars: 4, ProducerID: "NOPE", Price: 1, VATRate: 8}}}, t0); err == nil {
		t.Fatal("a product of an unknown producer was published")
	}
	if cur, _ := hs.Catalog(); cur.Version != 2 {
		t.Fatalf("a refused update moved the version to %d", cur.Version)
	}
}

func TestTheHubServesTracePagesForItsCatalog(t *testing.T) {
	hs := hubStore(t)
	demo, err := pos.DemoCatalog()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := hs.PutCatalog(demo, time.Now()); err != nil {
		t.Fatal(err)
	}
	app := (&Hub{Store: hs, Log: quiet()}).App()
	get := func(path, lang string) (int, string) {
		req, _ := http.NewRequest("GET", path, nil)
		req.Header.Set("Accept-Language", lang)
		res, err := app.Test(req, 10000)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	code, body := get("/01/08936072100152/10/UM2605-01", "vi")
	if code != 200 || !strings.Contains(body, "Mật ong rừng tràm U Minh Hạ 500ml") || !strings.Contains(body, "Lô UM2605-01") {
		t.Fatalf("lot page on the hub: %d", code)
	}
	if code, body := get("/01/08936072100152", "en"); code != 200 || !strings.Contains(body, "U Minh Ha melaleuca forest honey") {
		t.Fatalf("product page in English: %d", code)
	}
	if code, _ := get("/01/08936072199996", "vi"); code != 404 {
		t.Fatalf("unknown GTIN: %d", code)
	}
}

func TestHubCatalogAPI(t *testing.T) {
	hs := hubStore(t)
	app := (&Hub{Store: hs, AdminHash: TokenHash(testAdminToken), Log: quiet()}).App()
	do := func(method, path, body string) (int, string) {
		req, _ := http.NewRequest(method, path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+testAdminToken)
		res, err := app.Test(req, 10000)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	producers := strings.Join(pos.ProducerColumns, ",") + "\nUMINH,HTX Ong mật U Minh Hạ,htx,,Cà Mau,,,,,,\n"
	if code, body := do("POST", "/api/v1/catalog/import?kind=producers", producers); code != 200 {
		t.Fatalf("producers: %d %s", code, body)
	}
	bad := strings.Join(pos.ProductColumns, ",") + "\nMO-500,,Mật ong,,food,9,,,UMINH,chai,220000,8,,,,,\n"
	if code, body := do("POST", "/api/v1/catalog/import?kind=products", bad); code != 422 || !strings.Contains(body, `"row":2`) {
		t.Fatalf("a bad row: %d %s", code, body)
	}
	if code, body := do("PUT", "/api/v1/products/MO-500", `{"name":"Mật ong","group":"food","stars":5,"producer_id":"UMINH","price":220000,"vat_rate":8}`); code != 200 {
		t.Fatalf("put product: %d %s", code, body)
	}
	if code, body := do("PUT", "/api/v1/products/MO-500/price", `{"price":230000}`); code != 200 || !strings.Contains(body, `"version":3`) {
		t.Fatalf("price: %d %s", code, body)
	}
	if code, _ := do("PUT", "/api/v1/products/NOPE/price", `{"price":1}`); code != 404 {
		t.Fatalf("price of an unknown product: %d", code)
	}
	if code, _ := do("PUT", "/api/v1/products/MO-500", `{"name":"x","group":"cars"}`); code != 422 {
		t.Fatalf("a bad product: %d", code)
	}
}
