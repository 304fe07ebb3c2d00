package kiosk

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/ocop-kiosk/kiosk/pos/epcistest"
)

type epcisDoc struct {
	Type      string `json:"type"`
	EPCISBody struct {
		EventList []map[string]any `json:"eventList"`
	} `json:"epcisBody"`
}

func TestTheKiosksEPCISEventsOfALotAreValidAndPaged(t *testing.T) {
	k := startKiosk(t, t.TempDir())
	honeySale := func(n int) map[string]any {
		return map[string]any{"lines": []map[string]any{{"sku": "CM-MO-500", "qty": n, "lot": "UM2605-01"}},
			"payments": []map[string]any{{"method": "cash", "amount": 5_000_000}}}
	}
	for i := range 5 {
		k.sell(t, honeySale(i+1))
	}
	other := sale("CM-MO-500", 1) // no lot: not an event of the lot
	other["payments"] = []map[string]any{{"method": "cash", "amount": 5_000_000}}
	k.sell(t, other)
	r := k.do("GET", "/api/v1/epcis/events?gtin="+honeyGTIN+"&lot=UM2605-01", nil)
	if r.Status != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/ld+json") {
		t.Fatalf("%d %s %s", r.Status, r.Header.Get("Content-Type"), r.Body)
	}
	epcistest.Valid(t, "the kiosk's answer", r.Body)
	var doc epcisDoc
	r.json(t, &doc)
	sold := 0
	for _, e := range doc.EPCISBody.EventList {
		if e["bizStep"] == "retail_selling" {
			sold++
			ql := e["quantityList"].([]any)[0].(map[string]any)
			if !strings.HasSuffix(ql["epcClass"].(string), "/01/"+honeyGTIN+"/10/UM2605-01") {
				t.Errorf("sale of %v", ql["epcClass"])
			}
		}
	}
	if doc.Type != "EPCISDocument" || doc.EPCISBody.EventList[0]["bizStep"] != "commissioning" || sold != 5 {
		t.Fatalf("want the lot's commissioning first and its 5 sales, got %s", r.Body)
	}

	t.Run("pages follow the Link header and hold every sale once", func(t *testing.T) {
		path := "/api/v1/epcis/events?gtin=" + honeyGTIN + "&lot=UM2605-01&limit=2"
		seen := map[string]bool{}
		for pages := 1; ; pages++ {
			r := k.do("GET", path, nil)
			if r.Status != 200 {
				t.Fatalf("%s: %d %s", path, r.Status, r.Body)
			}
			epcistest.Valid(t, path, r.Body)
			var d epcisDoc
			r.json(t, &d)
			for _, e := range d.EPCISBody.EventList {
				if e["bizStep"] == "retail_selling" {
					id := e["eventID"].(string)
					if seen[id] {
						t.Fatalf("%s on two pages", id)
					}
					seen[id] = true
				}
			}
			link := r.Header.Get("Link")
			if link == "" {
				if len(seen) != 5 || pages != 3 {
					t.Fatalf("%d sales over %d pages, want 5 over 3", len(seen), pages)
				}
				return
			}
			if !strings.HasPrefix(link, "</api/v1/epcis/events?") || !strings.HasSuffix(link, `>; rel="next"`) {
				t.Fatalf("Link %q", link)
			}
			path = strings.TrimSuffix(strings.TrimPrefix(link, "<"), `>; rel="next"`)
		}
	})

	for _, tc := range []struct {
		name, query string
		status      int
		code        string
	}{
		{"a query without a GTIN is refused", "?lot=UM2605-01", 400, "bad_query"},
		{"a bad from is refused", "?gtin=" + honeyGTIN + "&from=yesterday", 400, "bad_query"},
		{"from after to is refused", "?gtin=" + honeyGTIN + "&from=2026-12-01&to=2026-11-01", 400, "bad_query"},
		{"a limit over a page is refused", "?gtin=" + honeyGTIN + "&limit=5000", 400, "bad_query"},
		{"a GTIN with a wrong check digit is refused", "?gtin=08936072100153", 400, "bad_query"},
		{"an unknown lot is not found", "?gtin=" + honeyGTIN + "&lot=NOPE", 404, "not_found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := k.do("GET", "/api/v1/epcis/events"+tc.query, nil)
			if got := r.errCode(t); got != tc.code || r.Status != tc.status {
				t.Fatalf("%d %s, want %d %s", r.Status, got, tc.status, tc.code)
			}
		})
	}
	t.Run("a day range keeps the sales of those days", func(t *testing.T) {
		r := k.do("GET", "/api/v1/epcis/events?gtin="+honeyGTIN+"&lot=UM2605-01&from=2000-01-01&to=2000-01-02", nil)
		var d epcisDoc
		r.json(t, &d)
		if r.Status != 200 || len(d.EPCISBody.EventList) != 0 {
			b, _ := json.Marshal(d)
			t.Fatalf("%d %s", r.Status, b)
		}
	})
}

// Anyone may read a lot's own story — the resolver's gs1:traceability link
// sends a phone here — but only the tills read what sold when: another
// caller gets the lot's commissioning and trace steps and none of its sales.
func TestALotsEPCISStoryIsPublicAndItsSalesAreTheTills(t *testing.T) {
	k := startKiosk(t, t.TempDir())
	s := map[string]any{"lines": []map[string]any{{"sku": "CM-MO-500", "qty": 1, "lot": "UM2605-01"}},
		"payments": []map[string]any{{"method": "cash", "amount": 500_000}}}
	k.sell(t, s)
	_, display := k.pairDevice(t, "quầy khách", "display", "T1")
	path := "/api/v1/epcis/events?gtin=" + honeyGTIN + "&lot=UM2605-01"
	count := func(r resp) (all, sales int) {
		t.Helper()
		if r.Status != 200 {
			t.Fatalf("%d %s", r.Status, r.Body)
		}
		epcistest.Valid(t, path, r.Body)
		var doc epcisDoc
		r.json(t, &doc)
		for _, e := range doc.EPCISBody.EventList {
			if e["bizStep"] == "retail_selling" {
				sales++
			}
		}
		return len(doc.EPCISBody.EventList), sales
	}
	if all, sales := count(k.do("GET", path, nil)); sales != 1 || all < 2 {
		t.Errorf("the kiosk's own screen: %d events, %d sales; want the sale", all, sales)
	}
	if all, sales := count(k.do("GET", path, nil, "Authorization", "Bearer "+display)); sales != 0 || all < 1 {
		t.Errorf("a customer display: %d events, %d sales; want the lot's story without its sales", all, sales)
	}
}
