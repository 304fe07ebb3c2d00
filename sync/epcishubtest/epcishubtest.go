// Package epcishubtest is the hub's EPCIS behaviour run against a hub store
// (bbolt in package sync, PostgreSQL in package pgstore): a producer's
// capture kept and answered, and a lot's events over several kiosks' sales
// in pages.
package epcishubtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	gosync "sync"
	"testing"
	"time"

	"github.com/ocop-kiosk/kiosk/pos"
	"github.com/ocop-kiosk/kiosk/pos/epcistest"
	hubsync "github.com/ocop-kiosk/kiosk/sync"
)

const adminToken = "hub-test-7Qm2Xv9LpK4sWd8Rt3Nz"

var (
	producer = pos.Producer{ID: "UMINH", Name: "HTX Ong mật U Minh Hạ", Kind: pos.KindHTX, Province: "Cà Mau"}
	honey    = pos.Product{SKU: "MO-500", GTIN: "08935001800002", Name: "Mật ong U Minh Hạ 500 ml", Group: pos.GroupFood, Stars: 5,
		ProducerID: "UMINH", Unit: "chai", Price: 220000, VATRate: 8}
	lot = pos.Lot{SKU: "MO-500", Code: "UM2605-01", ProducedOn: pos.DateOf(time.Date(2026, 5, 2, 0, 0, 0, 0, time.UTC)), Quantity: 500}
)

// producersDocument is the cooperative's document the pos tests use.
func producersDocument(t *testing.T) []byte {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	b, err := os.ReadFile(filepath.Join(filepath.Dir(file), "..", "..", "pos", "testdata", "epcis-capture.jsonld"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

type hubApp struct {
	t   *testing.T
	h   *hubsync.Hub
	app interface {
		Test(*http.Request, ...int) (*http.Response, error)
	}
}

func (a hubApp) do(method, path string, body []byte, token string) (int, http.Header, []byte) {
	a.t.Helper()
	req, _ := http.NewRequest(method, "http://hub.example.vn"+path, bytes.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := a.app.Test(req, 30_000)
	if err != nil {
		a.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header, b
}

// honeyKiosk is a kiosk store of id selling the honey and its lot, in stock
// without end; closed when the test ends.
func honeyKiosk(t *testing.T, id string) *pos.Store {
	t.Helper()
	k, err := pos.Open(filepath.Join(t.TempDir(), id+".db"), pos.StoreOptions{KioskID: id})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { k.Close() })
	h := honey
	h.Stock = pos.MaxStock
	if err := k.PutCatalog(pos.Catalog{Producers: []pos.Producer{producer}, Products: []pos.Product{h}, Lots: []pos.Lot{lot}}, "test"); err != nil {
		t.Fatal(err)
	}
	return k
}

// kioskSells makes a kiosk store of id, sells n times (qty units of the lot
// and one without a lot each) and hands its records to the hub store.
func kioskSells(t *testing.T, st hubsync.Store, id string, n int) {
	t.Helper()
	k := honeyKiosk(t, id)
	for range n {
		if _, _, err := k.CommitSale(pos.SaleRequest{Lines: []pos.LineRequest{{SKU: "MO-500", Qty: 2, Lot: "UM2605-01"}, {SKU: "MO-500", Qty: 1}},
			Payments: []pos.PaymentRequest{{Method: pos.MethodCard, Amount: 660000}}}, ""); err != nil {
			t.Fatal(err)
		}
	}
	recs, err := k.Outbox(0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.AddKiosk(id, hubsync.TokenHash("kiosk-token-"+id)); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Ingest(id, recs, time.Now()); err != nil {
		t.Fatal(err)
	}
}

func events(t *testing.T, doc []byte) []map[string]any {
	t.Helper()
	epcistest.Valid(t, "the hub's answer", doc)
	var d struct {
		EPCISBody struct {
			EventList []map[string]any `json:"eventList"`
		} `json:"epcisBody"`
	}
	if err := json.Unmarshal(doc, &d); err != nil {
		t.Fatal(err)
	}
	return d.EPCISBody.EventList
}

// Run runs the hub's EPCIS behaviour on fresh stores made by open.
func Run(t *testing.T, open func(t *testing.T) hubsync.Store) {
	for _, tt := range []struct {
		name string
		run  func(t *testing.T, a hubApp, st hubsync.Store)
	}{
		{"a producer's document is checked whole, kept once, and answered with the lot's events", capture},
		{"a lot's sales on several kiosks come a page at a time, each once", pages},
		{"bad queries are refused with a stable code", badQueries},
		{"anyone reads a lot's story; its sales only with the admin token", publicStory},
		{"captures through two hub processes at once are all kept", capturesAtOnce},
		{"a sale's scanned serials reach the hub's records, reports and EPCIS events", serials},
	} {
		t.Run(tt.name, func(t *testing.T) {
			st := open(t)
			if _, err := st.PutCatalog(pos.Catalog{Producers: []pos.Producer{producer}, Products: []pos.Product{honey}, Lots: []pos.Lot{lot}}, time.Now()); err != nil {
				t.Fatal(err)
			}
			h := &hubsync.Hub{Store: st, AdminHash: hubsync.TokenHash(adminToken), Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
			tt.run(t, hubApp{t: t, h: h, app: h.App()}, st)
		})
	}
}

const eventsPath = "/api/v1/epcis/events?gtin=08935001800002&lot=UM2605-01"

func capture(t *testing.T, a hubApp, st hubsync.Store) {
	doc := producersDocument(t)
	if status, _, _ := a.do("POST", "/api/v1/epcis/capture", doc, ""); status != 401 {
		t.Fatalf("a capture without the admin token: %d", status)
	}
	bad := bytes.Replace(doc, []byte(`"eventTimeZoneOffset": "+07:00",
        "inputQuantityList"`), []byte(`"eventTimeZoneOffset": "7h",
        "inputQuantityList"`), 1)
	if bytes.Equal(bad, doc) {
		t.Fatal("the document changed shape; fix the test")
	}
	status, _, body := a.do("POST", "/api/v1/epcis/capture", bad, adminToken)
	if status != 422 || !strings.Contains(string(body), `"bad_epcis"`) || !strings.Contains(string(body), "event 2 (urn:uuid:4a1c2e6e-6a39-4f5e-9d0b-6f3c8f0b1a02): eventTimeZoneOffset") {
		t.Fatalf("a document with a bad second event: %d %s", status, body)
	}
	if cv, _ := st.Catalog(); len(cv.Lots) != 1 || len(cv.Lots[0].Captured) != 0 {
		t.Fatalf("a refused document left %d events on the lot", len(cv.Lots[0].Captured))
	}
	status, _, body = a.do("POST", "/api/v1/epcis/capture", doc, adminToken)
	if status != 201 || !strings.Contains(string(body), `"added":2`) {
		t.Fatalf("capture: %d %s", status, body)
	}
	status, _, body = a.do("POST", "/api/v1/epcis/capture", doc, adminToken)
	if status != 200 || !strings.Contains(string(body), `"added":0`) {
		t.Fatalf("the same document again: %d %s", status, body)
	}
	status, _, body = a.do("GET", eventsPath, nil, adminToken)
	if status != 200 {
		t.Fatalf("%d %s", status, body)
	}
	var steps []string
	for _, e := range events(t, body) {
		steps = append(steps, e["bizStep"].(string))
	}
	want := []string{"commissioning", "https://htx-uminh.example.vn/epcis/step/smoking-out", "packing"}
	if strings.Join(steps, " ") != strings.Join(want, " ") {
		t.Fatalf("steps %v, want %v", steps, want)
	}
}

func publicStory(t *testing.T, a hubApp, st hubsync.Store) {
	kioskSells(t, st, "K01", 2)
	sales := func(token string) (all, sold int) {
		t.Helper()
		status, _, body := a.do("GET", eventsPath, nil, token)
		if status != 200 {
			t.Fatalf("%q: %d %s", token, status, body)
		}
		for _, e := range events(t, body) {
			if e["bizStep"] == "retail_selling" {
				sold++
			}
			all++
		}
		return all, sold
	}
	if all, sold := sales(""); sold != 0 || all < 1 {
		t.Errorf("without a token: %d events, %d sales; want the lot's story, no sales", all, sold)
	}
	if _, sold := sales(adminToken); sold != 2 {
		t.Errorf("with the admin token: %d sales, want 2", sold)
	}
	if status, _, _ := a.do("GET", eventsPath, nil, "not-the-token-4kQ9zX2mVb7Lp3Rt"); status != 403 {
		t.Errorf("a wrong token: %d, want 403", status)
	}
}

func pages(t *testing.T, a hubApp, st hubsync.Store) {
	kioskSells(t, st, "K01", 3)
	kioskSells(t, st, "K02", 2)
	path := eventsPath + "&limit=2"
	perKiosk := map[string]int{}
	seen := map[string]bool{}
	for n := 1; ; n++ {
		status, h, body := a.do("GET", path, nil, adminToken)
		if status != 200 {
			t.Fatalf("%s: %d %s", path, status, body)
		}
		for _, e := range events(t, body) {
			if e["bizStep"] != "retail_selling" {
				continue
			}
			id := e["eventID"].(string)
			if seen[id] {
				t.Fatalf("%s on two pages", id)
			}
			seen[id] = true
			perKiosk[e["ocop:kiosk"].(string)]++
			if q := e["quantityList"].([]any)[0].(map[string]any)["quantity"]; q != 2.0 {
				t.Errorf("a sale of %v units of the lot, want 2 (the line without a lot is not the lot's)", q)
			}
		}
		link := h.Get("Link")
		if link == "" {
			if perKiosk["K01"] != 3 || perKiosk["K02"] != 2 || n != 3 {
				t.Fatalf("sales per kiosk %v over %d pages, want 3 and 2 over 3", perKiosk, n)
			}
			return
		}
		path = strings.TrimSuffix(strings.TrimPrefix(link, "<"), `>; rel="next"`)
		if n > 10 {
			t.Fatal("the pages do not end")
		}
	}
}

func badQueries(t *testing.T, a hubApp, _ hubsync.Store) {
	for _, tc := range []struct {
		name, path string
		status     int
		code       string
	}{
		{"a query without a GTIN is refused", "/api/v1/epcis/events?lot=UM2605-01", 400, "bad_query"},
		{"a cursor that is not one is refused", eventsPath + "&after=12", 400, "bad_query"},
		{"a GTIN with a wrong check digit is refused", "/api/v1/epcis/events?gtin=08935001800003", 400, "bad_query"},
		{"a lot the catalog lacks is not found", "/api/v1/epcis/events?gtin=08935001800002&lot=NOPE", 404, "not_found"},
		{"a GTIN the catalog lacks is not found", "/api/v1/epcis/events?gtin=08936072100152", 404, "not_found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, _, body := a.do("GET", tc.path, nil, adminToken)
			var e struct{ Error struct{ Code string } }
			_ = json.Unmarshal(body, &e)
			if status != tc.status || e.Error.Code != tc.code {
				t.Fatalf("%d %s, want %d %s", status, body, tc.status, tc.code)
			}
		})
	}
	if status, _, _ := a.do("POST", "/api/v1/epcis/capture", []byte("{}"), ""); status != 401 {
		t.Fatalf("a capture without the admin token: %d", status)
	}
	t.Run("a request naming no host still gets absolute identifiers", func(t *testing.T) {
		req, _ := http.NewRequest("GET", eventsPath, nil)
		req.Header.Set("Authorization", "Bearer "+adminToken)
		res, err := a.app.Test(req, 30_000)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		if res.StatusCode != 200 {
			t.Fatalf("%d %s", res.StatusCode, body)
		}
		events(t, body)
	})
}

// capturesAtOnce: two hubs on one store (two hub processes on one database)
// take producers' documents at the same moment; every event of every
// document stays on the lot.
func capturesAtOnce(t *testing.T, a hubApp, st hubsync.Store) {
	other := &hubsync.Hub{Store: st, AdminHash: hubsync.TokenHash(adminToken), Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	b := hubApp{t: t, h: other, app: other.App()}
	doc := producersDocument(t)
	const each = 6
	var wg gosync.WaitGroup
	failed := make(chan string, 2*each)
	for h, app := range []hubApp{a, b} {
		wg.Go(func() {
			for i := range each {
				// The same two events under ids of this document's own.
				d := bytes.ReplaceAll(doc, []byte("4a1c2e6e-6a39"), fmt.Appendf(nil, "%08x-6a39", h*each+i))
				if status, _, body := app.do("POST", "/api/v1/epcis/capture", d, adminToken); status != 201 {
					failed <- fmt.Sprintf("capture %d at hub %d: %d %s", i, h, status, body)
				}
			}
		})
	}
	wg.Wait()
	close(failed)
	for f := range failed {
		t.Fatal(f)
	}
	cv, err := st.Catalog()
	if err != nil || len(cv.Lots) != 1 {
		t.Fatalf("catalog: %v, %v", cv.Lots, err)
	}
	if got := len(cv.Lots[0].Captured); got != 2*2*each {
		t.Errorf("the lot kept %d of the %d events captured at once", got, 2*2*each)
	}
}
