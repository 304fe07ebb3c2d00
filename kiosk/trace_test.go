package kiosk

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ocop-kiosk/kiosk/pos"
	"github.com/ocop-kiosk/kiosk/printer"
)

const honeyGTIN = "08936072100152" // CM-MO-500 in the demo catalog

func TestTracePagesInVietnameseAndEnglish(t *testing.T) {
	k := startKiosk(t, t.TempDir())
	for _, tt := range []struct {
		name, path string
		headers    []string
		want       []string
	}{
		{"product page in Vietnamese", "/01/" + honeyGTIN, []string{"Accept-Language", "vi-VN,vi;q=0.9"},
			[]string{`lang="vi"`, "Mật ong rừng tràm U Minh Hạ 500ml", "còn hiệu lực", "HTX Ong mật U Minh Hạ", "Hợp tác xã", "UM2605-01"}},
		{"product page in English", "/01/" + honeyGTIN, []string{"Accept-Language", "en-US,en;q=0.9"},
			[]string{`lang="en"`, "U Minh Ha melaleuca forest honey 500ml", "valid", "Cooperative"}},
		{"the switch wins over the browser", "/01/" + honeyGTIN + "?lang=vi", []string{"Accept-Language", "en"}, []string{`lang="vi"`}},
		{"a lot page", "/01/" + honeyGTIN + "/10/UM2605-01", nil, []string{"Lô UM2605-01", "Rừng tràm U Minh Hạ", "15/05/2028", "Hữu cơ"}},
		{"a GTIN-13 scanned as printed", "/01/" + honeyGTIN + "/10/UM2605-01?17=280515", nil, []string{"Lô UM2605-01"}},
		{"an unknown lot shows the product with a notice", "/01/" + honeyGTIN + "/10/NOPE-1", nil, []string{"Không tìm thấy lô NOPE-1", "Mật ong rừng tràm U Minh Hạ 500ml"}},
		{"an expired certificate", "/01/" + gtinOf(t, k, "CM-KCK-500"), nil, []string{"đã hết hiệu lực"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := k.do("GET", tt.path, nil, tt.headers...)
			if r.Status != 200 {
				t.Fatalf("%d %s", r.Status, r.Body)
			}
			if len(r.Body) > 50_000 {
				t.Errorf("page is %d bytes, budget 50 KB", len(r.Body))
			}
			if strings.Contains(string(r.Body), "<script") {
				t.Error("the page needs JavaScript")
			}
			for _, w := range tt.want {
				if !strings.Contains(string(r.Body), w) {
					t.Errorf("page lacks %q", w)
				}
			}
		})
	}
	for _, tt := range []struct {
		name, path string
		status     int
	}{
		{"an unknown GTIN is a 404 page", "/01/08936072199996", 404},
		{"a GTIN with a wrong check digit is a 400 page", "/01/08936072100153", 400},
		{"a malformed path is a 400 page", "/01/" + honeyGTIN + "/10", 400},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := k.do("GET", tt.path, nil, "Accept-Language", "vi")
			if r.Status != tt.status || !strings.Contains(string(r.Body), "Không tìm thấy") {
				t.Fatalf("%d %s", r.Status, r.Body)
			}
		})
	}
}

func gtinOf(t *testing.T, k *testKiosk, sku string) string {
	t.Helper()
	g := k.product(sku).GTIN
	if g == "" {
		t.Fatalf("%s has no GTIN", sku)
	}
	return g
}

func TestTraceJSONAndLinkset(t *testing.T) {
	k := startKiosk(t, t.TempDir())
	r := k.do("GET", "/01/"+honeyGTIN+"/10/UM2605-01", nil, "Accept", "application/json")
	var d struct {
		Link    string
		Product struct{ SKU string }
		Lot     *pos.Lot
	}
	r.json(t, &d)
	if r.Status != 200 || d.Product.SKU != "CM-MO-500" || d.Lot == nil || d.Lot.Code != "UM2605-01" || !strings.HasSuffix(d.Link, "/01/"+honeyGTIN+"/10/UM2605-01?17=280515") {
		t.Fatalf("JSON: %d %s", r.Status, r.Body)
	}
	r = k.do("GET", "/01/"+honeyGTIN, nil, "Accept", "application/linkset+json")
	var ls struct {
		Linkset []map[string]json.RawMessage
	}
	r.json(t, &ls)
	if r.Header.Get("Content-Type") != "application/linkset+json" || len(ls.Linkset) != 1 || ls.Linkset[0]["https://gs1.org/voc/pip"] == nil {
		t.Fatalf("linkset: %s %s", r.Header.Get("Content-Type"), r.Body)
	}
	r = k.do("GET", "/api/v1/lots?gtin=8936072100152", nil)
	var lots struct{ Lots []lotView }
	r.json(t, &lots)
	if len(lots.Lots) < 1 || !strings.Contains(lots.Lots[0].DigitalLink, "/01/"+honeyGTIN+"/10/") {
		t.Fatalf("lots by GTIN: %s", r.Body)
	}
}

func TestTraceEventsShowOnTheLotPage(t *testing.T) {
	k := startKiosk(t, t.TempDir())
	path := "/api/v1/lots/CM-MO-500/UM2605-01/events"
	if r := k.do("POST", path, map[string]any{"when": "2026-05-08", "what": "harvest"}); r.Status != 401 {
		t.Fatalf("an event without the PIN: %d", r.Status)
	}
	for _, e := range []map[string]any{
		{"when": "2026-05-15", "what": "packing", "where": "Xưởng HTX, xã Khánh An", "who": "HTX Ong mật U Minh Hạ", "why": "đóng chai 500ml"},
		{"when": "2026-05-08", "what": "harvest", "where": "Rừng tràm U Minh Hạ", "who": "Tổ gác kèo số 3"},
	} {
		if r := k.do("POST", path, e, "X-Manager-Pin", testPIN); r.Status != 201 {
			t.Fatalf("event: %d %s", r.Status, r.Body)
		}
	}
	if r := k.do("POST", path, map[string]any{"when": "2026-05-08", "what": "teleport"}, "X-Manager-Pin", testPIN); r.Status != 422 {
		t.Fatalf("a bad event: %d %s", r.Status, r.Body)
	}
	body := string(k.do("GET", "/01/"+honeyGTIN+"/10/UM2605-01", nil, "Accept-Language", "vi").Body)
	h, p := strings.Index(body, "Thu hoạch"), strings.Index(body, "Đóng gói")
	if h < 0 || p < 0 || h > p || !strings.Contains(body, "Tổ gác kèo số 3") {
		t.Fatalf("timeline missing or out of order (harvest at %d, packing at %d)", h, p)
	}
	// Creating and editing a lot through the API.
	r := k.do("POST", "/api/v1/lots", map[string]any{"sku": "CM-MO-500", "lot": "UM2612-01", "produced_on": "2026-11-20", "quantity": 50}, "X-Manager-Pin", testPIN)
	if r.Status != 201 {
		t.Fatalf("create lot: %d %s", r.Status, r.Body)
	}
	if r := k.do("POST", "/api/v1/lots", map[string]any{"sku": "CM-MO-500", "lot": "UM2612-01"}, "X-Manager-Pin", testPIN); r.Status != 409 {
		t.Fatalf("creating it twice: %d", r.Status)
	}
	if r := k.do("POST", "/api/v1/lots", map[string]any{"sku": "CM-MO-500", "lot": "L9", "expires_on": "2026-13-01"}, "X-Manager-Pin", testPIN); r.Status != 422 || r.errCode(t) != "bad_date" {
		t.Fatalf("a month 13: %d %s", r.Status, r.Body)
	}
	if r := k.do("POST", "/api/v1/lots", map[string]any{"sku": "CM-MO-500", "lot": "BAD LOT"}, "X-Manager-Pin", testPIN); r.Status != 422 {
		t.Fatalf("a lot code with a space: %d %s", r.Status, r.Body)
	}
	// A lot code may hold "/" and "%" (GS1's 82 characters): percent-encoded in the path.
	if r := k.do("POST", "/api/v1/lots", map[string]any{"sku": "CM-MO-500", "lot": "A/B%1"}, "X-Manager-Pin", testPIN); r.Status != 201 {
		t.Fatalf("create lot A/B%%1: %d %s", r.Status, r.Body)
	}
	if r := k.do("GET", "/api/v1/lots/CM-MO-500/A%2FB%251", nil); r.Status != 200 {
		t.Fatalf("get lot A/B%%1: %d %s", r.Status, r.Body)
	}
	r = k.do("PUT", "/api/v1/lots/CM-MO-500/UM2612-01", map[string]any{"quantity": 40, "origin": "Rừng tràm U Minh Hạ"}, "X-Manager-Pin", testPIN)
	var lv lotView
	r.json(t, &lv)
	if r.Status != 200 || lv.Quantity != 40 || lv.Origin != "Rừng tràm U Minh Hạ" {
		t.Fatalf("edit lot: %d %s", r.Status, r.Body)
	}
}

// lanServer is a kiosk server over a store with the demo catalog, answering
// through app.Test, which serves each request from a non-loopback address: a
// phone on the fair's Wi-Fi.
func lanServer(t *testing.T) *Server {
	t.Helper()
	return lanServerWith(t, pos.StoreOptions{})
}

// lanServerWith is lanServer over a store opened with o.
func lanServerWith(t *testing.T, o pos.StoreOptions) *Server {
	t.Helper()
	cfg := Defaults()
	cfg.DataDir = t.TempDir()
	cfg.Logger = quietLogger()
	cfg.Hosts = []string{"192.168.1.10"} // the address the phones of scan_test.go ask for
	if err := cfg.normalize(); err != nil {
		t.Fatal(err)
	}
	store, err := pos.Open(cfg.StorePath(), o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	if _, err := store.LoadDemoIfEmpty(); err != nil {
		t.Fatal(err)
	}
	g, err := newGuard(store, "")
	if err != nil {
		t.Fatal(err)
	}
	srv, err := newServer(cfg, store, g)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.closeScans) // before the store closes
	return srv
}

func lanGet(t *testing.T, srv *Server, path string, headers ...string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", path, nil)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := srv.app.Test(req, 10000)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

func TestTheKiosksOwnScreenDoesNotCountScans(t *testing.T) {
	dir := t.TempDir()
	k := startKiosk(t, dir, func(c *Config) {
		c.Printers = map[string]string{"label": "file:" + filepath.Join(dir, "labels") + "?profile=epson-tm-t20"}
	})
	if r := k.do("POST", "/api/v1/lots/CM-MO-500/UM2605-01/labels", map[string]any{"count": 5, "printer": "label"}, "X-Manager-Pin", testPIN); r.Status != 202 {
		t.Fatalf("labels: %d %s", r.Status, r.Body)
	}
	path := "/01/" + honeyGTIN + "/10/UM2605-01/21/0005"
	for range 3 {
		k.do("GET", path, nil)
	}
	if body := string(k.do("GET", path+"?from=self", nil, "Accept-Language", "en").Body); !strings.Contains(body, "not been scanned") {
		t.Fatal("scans from the kiosk's own screen were counted")
	}
}

func TestPublicPagesAreRateLimited(t *testing.T) {
	srv := lanServer(t)
	limited := 0
	for range publicBurst + 10 {
		if code, _ := lanGet(t, srv, "/01/"+honeyGTIN); code == 429 {
			limited++
		}
	}
	if limited < 5 {
		t.Fatalf("%d of %d requests limited", limited, publicBurst+10)
	}
	// The kiosk's own screens are not limited.
	k := startKiosk(t, t.TempDir())
	for range publicBurst + 10 {
		if r := k.do("GET", "/01/"+honeyGTIN, nil); r.Status != 200 {
			t.Fatalf("the kiosk's own screen was limited: %d", r.Status)
		}
	}
}

func TestEReceiptPage(t *testing.T) {
	k := startKiosk(t, t.TempDir(), func(c *Config) { c.Seller.Name = "GIAN HÀNG OCOP CÀ MAU" })
	body := sale("CM-MO-500", 1)
	body["payments"] = []map[string]any{{"method": "cash", "amount": 500000}}
	s := k.sell(t, body)
	r := k.do("GET", "/r/"+s.ID, nil, "Accept-Language", "vi")
	for _, w := range []string{"GIAN HÀNG OCOP CÀ MAU", s.ReceiptNo, "Mật ong rừng tràm U Minh Hạ 500ml", "Tiền thừa"} {
		if !strings.Contains(string(r.Body), w) {
			t.Errorf("e-receipt lacks %q", w)
		}
	}
	if r := k.do("GET", "/r/"+s.ID+"?lang=en", nil); !strings.Contains(string(r.Body), "U Minh Ha melaleuca forest honey 500ml") {
		t.Error("the English e-receipt lacks the English name")
	}
	for _, id := range []string{"01M84Q3TYV54PWYQAMWT0P3RNT", "nope", "../../etc"} {
		if r := k.do("GET", "/r/"+id, nil); r.Status != 404 {
			t.Errorf("/r/%s: %d", id, r.Status)
		}
	}
}

func TestLabelsForALotGetTheirOwnSerials(t *testing.T) {
	dir := t.TempDir()
	k := startKiosk(t, dir, func(c *Config) {
		c.BaseURL = "https://kiosk.example.vn"
		c.Printers = map[string]string{"label": "file:" + filepath.Join(dir, "labels") + "?profile=epson-tm-t20"}
	})
	r := k.do("POST", "/api/v1/lots/CM-MO-500/UM2605-01/labels", map[string]any{"count": 3, "printer": "label"}, "X-Manager-Pin", testPIN)
	var out struct{ Serials []string }
	r.json(t, &out)
	if r.Status != 202 || strings.Join(out.Serials, ",") != "0001,0002,0003" {
		t.Fatalf("labels: %d %s", r.Status, r.Body)
	}
	r = k.do("POST", "/api/v1/lots/CM-MO-500/UM2605-01/labels", map[string]any{"count": 1}, "X-Manager-Pin", testPIN)
	r.json(t, &out)
	if strings.Join(out.Serials, ",") != "0004" {
		t.Fatalf("second run: %s", r.Body)
	}
	var qrs []string
	waitFor(t, "four labels printed", func() bool {
		bins, _ := filepath.Glob(filepath.Join(dir, "labels", "*label*.bin"))
		if len(bins) != 4 {
			return false
		}
		qrs = qrs[:0]
		for _, b := range bins {
			data, _ := os.ReadFile(b)
			doc, err := printer.Decode(data, printer.Profiles["epson-tm-t20"])
			if err != nil || len(doc.QRCodes) != 1 {
				return false
			}
			qrs = append(qrs, doc.QRCodes[0])
		}
		return true
	})
	for _, serial := range []string{"0001", "0002", "0003", "0004"} {
		want := "https://kiosk.example.vn/01/" + honeyGTIN + "/10/UM2605-01/21/" + serial + "?17=280515"
		found := false
		for _, q := range qrs {
			found = found || q == want
		}
		if !found {
			t.Errorf("no label with %s among %q", want, qrs)
		}
	}
	for _, tt := range []struct {
		body map[string]any
		code int
	}{
		{map[string]any{"count": 0}, 422},
		{map[string]any{"count": 1, "printer": "nope"}, 422},
		{map[string]any{"count": 1, "size": "99x99"}, 422},
	} {
		if r := k.do("POST", "/api/v1/lots/CM-MO-500/UM2605-01/labels", tt.body, "X-Manager-Pin", testPIN); r.Status != tt.code {
			t.Errorf("%v: %d %s", tt.body, r.Status, r.Body)
		}
	}
}
