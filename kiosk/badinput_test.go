package kiosk

import (
	"bytes"
	"net"
	"strings"
	"testing"
)

// The demo lot these tests edit, and what its public page shows of it.
const (
	demoLotPath = "/api/v1/lots/CM-MO-500/UM2605-01"
	demoLotPage = "/01/" + honeyGTIN + "/10/UM2605-01"
)

var demoLotShows = []string{"08/05/2026", "15/05/2026", "15/05/2028", "Rừng tràm U Minh Hạ, xã Khánh An", "Hữu cơ"}

// lotAndPage returns the lot as the API answers it and its public trace page.
func (k *testKiosk) lotAndPage(t *testing.T) (lot, page []byte) {
	t.Helper()
	r := k.do("GET", demoLotPath, nil)
	if r.Status != 200 {
		t.Fatalf("get lot: %d %s", r.Status, r.Body)
	}
	p := k.do("GET", demoLotPage, nil, "Accept-Language", "vi")
	if p.Status != 200 {
		t.Fatalf("trace page: %d", p.Status)
	}
	return r.Body, p.Body
}

func TestBadLotEditsAreRefusedAndChangeNothing(t *testing.T) {
	k := startKiosk(t, t.TempDir())
	before, page := k.lotAndPage(t)
	for _, w := range demoLotShows {
		if !bytes.Contains(page, []byte(w)) {
			t.Fatalf("the demo lot's page lacks %q before any edit", w)
		}
	}
	for _, tt := range []struct {
		name   string
		body   string
		status int
		code   string
	}{
		{"null is not a lot", `null`, 400, "bad_json"},
		{"an empty body is not a lot", ``, 400, "bad_json"},
		{"an array is not a lot", `[{"quantity":1}]`, 400, "bad_json"},
		{"a string is not a lot", `"UM2605-01"`, 400, "bad_json"},
		{"a number is not a lot", `42`, 400, "bad_json"},
		{"malformed JSON", `{"quantity":`, 400, "bad_json"},
		{"trailing data", `{"quantity":1} {}`, 400, "bad_json"},
		{"an object naming no field of a lot", `{}`, 422, "bad_field"},
		{"unrelated fields only", `{"colour":"blue","price":5}`, 422, "bad_field"},
		{"an unknown field beside a good one", `{"quantity":40,"colour":"blue"}`, 422, "bad_field"},
		{"a quantity that is a string", `{"quantity":"many"}`, 400, "bad_json"},
		{"an origin that is a number", `{"origin":7}`, 400, "bad_json"},
		{"certifications that are a string", `{"certifications":"Hữu cơ"}`, 400, "bad_json"},
		{"a null origin", `{"origin":null}`, 422, "bad_field"},
		{"a null date", `{"expires_on":null}`, 422, "bad_field"},
		{"a null quantity beside a good field", `{"origin":"Cà Mau","quantity":null}`, 422, "bad_field"},
		{"a month 13", `{"expires_on":"2026-13-01"}`, 422, "bad_date"},
		{"a negative quantity", `{"quantity":-1}`, 422, "bad_field"},
		{"an expiry before production", `{"expires_on":"2020-01-01"}`, 422, "bad_field"},
		{"another lot code than the path", `{"lot":"UM2605-02","quantity":1}`, 422, "bad_field"},
		{"another SKU than the path", `{"sku":"CM-MO-250","quantity":1}`, 422, "bad_field"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := k.do("PUT", demoLotPath, tt.body, "X-Manager-Pin", testPIN)
			if r.Status != tt.status || r.errCode(t) != tt.code {
				t.Fatalf("want %d %s, got %d %s", tt.status, tt.code, r.Status, r.Body)
			}
			after, page := k.lotAndPage(t)
			if !bytes.Equal(after, before) {
				t.Errorf("the lot changed:\nbefore %s\nafter  %s", before, after)
			}
			for _, w := range demoLotShows {
				if !bytes.Contains(page, []byte(w)) {
					t.Errorf("the trace page lost %q", w)
				}
			}
		})
	}
}

func TestLotEditReplacesOnlyTheFieldsItCarries(t *testing.T) {
	k := startKiosk(t, t.TempDir())
	r := k.do("PUT", demoLotPath, `{"quantity":40}`, "X-Manager-Pin", testPIN)
	var lv lotView
	r.json(t, &lv)
	if r.Status != 200 || lv.Quantity != 40 {
		t.Fatalf("edit quantity: %d %s", r.Status, r.Body)
	}
	if lv.ProducedOn.String() != "2026-05-08" || lv.PackedOn.String() != "2026-05-15" || lv.ExpiresOn.String() != "2028-05-15" ||
		!strings.HasPrefix(lv.Origin, "Rừng tràm U Minh Hạ") || len(lv.Certifications) != 1 || lv.Certifications[0] != "Hữu cơ" {
		t.Fatalf("a quantity edit changed other fields: %s", r.Body)
	}
	_, page := k.lotAndPage(t)
	for _, w := range demoLotShows {
		if !bytes.Contains(page, []byte(w)) {
			t.Errorf("after a quantity edit the trace page lost %q", w)
		}
	}
	// The same path and code in the body, as the manager screen sends them, are fine.
	r = k.do("PUT", demoLotPath, `{"sku":"CM-MO-500","lot":"UM2605-01","origin":"Xã Khánh An","certifications":[],"packed_on":""}`, "X-Manager-Pin", testPIN)
	lv = lotView{}
	r.json(t, &lv)
	if r.Status != 200 || lv.Origin != "Xã Khánh An" || len(lv.Certifications) != 0 || !lv.PackedOn.IsZero() ||
		lv.Quantity != 40 || lv.ExpiresOn.String() != "2028-05-15" {
		t.Fatalf("edit origin, clear certifications and packing date: %d %s", r.Status, r.Body)
	}
	if r := k.do("PUT", "/api/v1/lots/CM-MO-500/NO-SUCH", `{"quantity":1}`, "X-Manager-Pin", testPIN); r.Status != 404 || r.errCode(t) != "not_found" {
		t.Fatalf("an unknown lot: %d %s", r.Status, r.Body)
	}
}

func TestBadJSONBodiesAreRefusedOnEveryRouteThatTakesOne(t *testing.T) {
	k := startKiosk(t, t.TempDir())
	pin := []string{"X-Manager-Pin", testPIN}
	sold := k.sell(t, map[string]any{"lines": []map[string]any{{"sku": "CM-MO-500", "qty": 1}},
		"payments": []map[string]any{{"method": "cash", "amount": 500000}}})
	routes := []struct{ method, path string }{
		{"POST", "/api/v1/sales"},
		{"POST", "/api/v1/sales/" + sold.ID + "/void"},
		{"POST", "/api/v1/sales/" + sold.ID + "/refund"},
		{"POST", "/api/v1/shifts/open"},
		{"POST", "/api/v1/shifts/close"},
		{"POST", "/api/v1/stock/CM-MO-500"},
		{"POST", "/api/v1/lots"},
		{"PUT", demoLotPath},
		{"POST", demoLotPath + "/events"},
		{"POST", demoLotPath + "/labels"},
		{"POST", "/api/v1/pairing"},
		{"POST", "/api/v1/devices"},
		{"POST", "/pair/claim"},
	}
	for _, rt := range routes {
		for _, body := range []string{`null`, `[]`, `"x"`, `7`, `{"a":`} {
			t.Run(rt.method+" "+rt.path+" "+body, func(t *testing.T) {
				r := k.do(rt.method, rt.path, body, pin...)
				if r.Status != 400 || r.errCode(t) != "bad_json" {
					t.Fatalf("want 400 bad_json, got %d %s", r.Status, r.Body)
				}
			})
		}
	}
	// Nothing was recorded: the one sale is still the only record and is not voided.
	var list struct{ Sales []struct{ ID, Status string } }
	k.do("GET", "/api/v1/sales", nil).json(t, &list)
	if len(list.Sales) != 1 || list.Sales[0].Status != "completed" {
		t.Fatalf("records after bad bodies: %+v", list.Sales)
	}
	var devices struct{ Devices []any }
	k.do("GET", "/api/v1/devices", nil, pin...).json(t, &devices)
	if len(devices.Devices) != 0 {
		t.Fatalf("devices after bad bodies: %+v", devices.Devices)
	}
}

// loopbackServer is a kiosk server over a store with the demo catalog, served on
// 127.0.0.1:0 (the kiosk's own screen), for tests that look inside the server.
func loopbackServer(t *testing.T) (*Server, *testKiosk) {
	t.Helper()
	srv := lanServer(t)
	if err := setupPIN(Config{ManagerPIN: testPIN}, srv.guard); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.app.Listener(ln) }()
	t.Cleanup(func() {
		if err := srv.app.Shutdown(); err != nil {
			t.Error(err)
		}
		<-served
	})
	return srv, &testKiosk{t: t, url: "http://" + ln.Addr().String(), stop: func() {}}
}

func (s *Server) pairingCodes() int {
	s.pairs.mu.Lock()
	defer s.pairs.mu.Unlock()
	return len(s.pairs.codes)
}

func TestPairingRefusesABodyThatIsNotAPairingRequest(t *testing.T) {
	srv, k := loopbackServer(t)
	for _, tt := range []struct {
		name, body string
		status     int
		code       string
	}{
		{"null", `null`, 400, "bad_json"},
		{"garbage", `garbage`, 400, "bad_json"},
		{"an array", `[{"till":"T1"}]`, 400, "bad_json"},
		{"unrelated fields", `{"hello":"world"}`, 422, "bad_field"},
		{"a till that is a number", `{"till":1,"role":"display"}`, 400, "bad_json"},
		{"a role that is a list", `{"till":"T1","role":["till"]}`, 400, "bad_json"},
		{"an unknown role", `{"till":"T1","role":"admin"}`, 422, "bad_role"},
		{"a till with a space", `{"till":"T 1","role":"display"}`, 422, "bad_till"},
		{"a null role", `{"till":"T1","role":null}`, 422, "bad_field"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := k.do("POST", "/api/v1/pairing", tt.body, "X-Manager-Pin", testPIN)
			if r.Status != tt.status || r.errCode(t) != tt.code {
				t.Fatalf("want %d %s, got %d %s", tt.status, tt.code, r.Status, r.Body)
			}
		})
	}
	if n := srv.pairingCodes(); n != 0 {
		t.Fatalf("%d pairing codes were created by bad requests", n)
	}
	r := k.do("POST", "/api/v1/pairing", `{"till":"T2","role":"till"}`, "X-Manager-Pin", testPIN)
	if r.Status != 201 {
		t.Fatalf("a good pairing request: %d %s", r.Status, r.Body)
	}
	if n := srv.pairingCodes(); n != 1 {
		t.Fatalf("want one code after a good request, have %d", n)
	}
}
