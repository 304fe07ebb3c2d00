package kiosk

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	gosync "sync"
	"testing"
	"time"

	"github.com/ocop-kiosk/kiosk/pos"
	"github.com/ocop-kiosk/kiosk/pos/epcistest"

	hubsync "github.com/ocop-kiosk/kiosk/sync"
)

// canonicalEvents maps each event of a document with an eventID to its
// JSON with sorted keys, to compare events whatever the key order. An
// event's own @context is left out: a captured event takes its document's.
func canonicalEvents(t *testing.T, doc []byte) map[string]string {
	t.Helper()
	var d struct {
		EPCISBody struct {
			EventList []map[string]any `json:"eventList"`
		} `json:"epcisBody"`
	}
	if err := json.Unmarshal(doc, &d); err != nil {
		t.Fatalf("%v: %s", err, doc)
	}
	out := map[string]string{}
	for _, e := range d.EPCISBody.EventList {
		id, _ := e["eventID"].(string)
		delete(e, "@context")
		b, _ := json.Marshal(e)
		out[id] = string(b)
	}
	return out
}

func hubDo(t *testing.T, hub, method, path string, body []byte) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest(method, hub+path, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+hubAdminToken)
	if body != nil {
		req.Header.Set("Content-Type", "application/ld+json")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, b
}

func TestAProducersEPCISEventsCapturedAtTheHubComeOutOfTheKiosk(t *testing.T) {
	hubDir := t.TempDir()
	tok, err := hubsync.AddKioskCommand(hubsync.HubConfig{DataDir: hubDir}, "K01")
	if err != nil {
		t.Fatal(err)
	}
	demo, err := pos.DemoCatalog()
	if err != nil {
		t.Fatal(err)
	}
	hs, err := hubsync.OpenHubStore(filepath.Join(hubDir, "hub.db"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := hs.PutCatalog(pos.Catalog{Producers: demo.Producers, Products: demo.Products, Lots: demo.Lots}, time.Now()); err != nil {
		t.Fatal(err)
	}
	hs.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	hubDone := make(chan error, 1)
	go func() {
		hubDone <- hubsync.RunHub(ctx, hubsync.HubConfig{DataDir: hubDir, Listener: ln, AdminToken: hubAdminToken, Logger: quietLogger()})
	}()
	stopHub := gosync.OnceFunc(func() { cancel(); <-hubDone })
	defer stopHub()
	hub := "http://" + ln.Addr().String()
	k := startKiosk(t, t.TempDir(), func(c *Config) { c.HubURL, c.HubToken = hub, tok })

	raw, err := os.ReadFile("../pos/testdata/epcis-capture.jsonld")
	if err != nil {
		t.Fatal(err)
	}
	doc := bytes.ReplaceAll(raw, []byte("08935001800002"), []byte(honeyGTIN))
	epcistest.Valid(t, "the producer's document", doc)
	sent := canonicalEvents(t, doc)

	t.Run("a document naming a lot the hub does not have is refused and keeps nothing", func(t *testing.T) {
		bad := bytes.Replace(doc, []byte("/10/UM2605-01\", \"quantity\": 80"), []byte("/10/NOPE\", \"quantity\": 80"), 1)
		status, body := hubDo(t, hub, "POST", "/api/v1/epcis/capture", bad)
		if status != 422 || !strings.Contains(string(body), `"bad_epcis"`) || !strings.Contains(string(body), "event 2 (urn:uuid:4a1c2e6e-6a39-4f5e-9d0b-6f3c8f0b1a02)") {
			t.Fatalf("%d %s", status, body)
		}
		_, out := hubDo(t, hub, "GET", "/api/v1/epcis/events?gtin="+honeyGTIN+"&lot=UM2605-01", nil)
		for id := range sent {
			if _, ok := canonicalEvents(t, out)[id]; ok {
				t.Fatalf("event %s kept from a refused document", id)
			}
		}
	})
	t.Run("the capture needs the admin token", func(t *testing.T) {
		req, _ := http.NewRequest("POST", hub+"/api/v1/epcis/capture", bytes.NewReader(doc))
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != 401 {
			t.Fatalf("%d without a token", res.StatusCode)
		}
	})

	status, body := hubDo(t, hub, "POST", "/api/v1/epcis/capture", doc)
	if status != 201 || !strings.Contains(string(body), `"added":2`) {
		t.Fatalf("capture: %d %s", status, body)
	}
	if status, body := hubDo(t, hub, "POST", "/api/v1/epcis/capture", doc); status != 200 || !strings.Contains(string(body), `"added":0`) {
		t.Fatalf("the same document again: %d %s; want nothing added", status, body)
	}
	body2 := map[string]any{"lines": []map[string]any{{"sku": "CM-MO-500", "qty": 2, "lot": "UM2605-01"}},
		"payments": []map[string]any{{"method": "cash", "amount": 5_000_000}}}
	k.sell(t, body2)

	var fromKiosk []byte
	waitFor(t, "the producer's events on the kiosk", func() bool {
		r := k.do("GET", "/api/v1/epcis/events?gtin="+honeyGTIN+"&lot=UM2605-01", nil)
		fromKiosk = r.Body
		got := canonicalEvents(t, r.Body)
		for id := range sent {
			if _, ok := got[id]; !ok {
				return false
			}
		}
		return true
	})
	epcistest.Valid(t, "the kiosk's document", fromKiosk)
	if !bytes.Contains(fromKiosk, []byte(`"htx":"https://htx-uminh.example.vn/epcis/"`)) {
		t.Errorf("the producer's events lost their prefix htx: %s", fromKiosk)
	}
	got := canonicalEvents(t, fromKiosk)
	for id, want := range sent {
		if got[id] != want {
			t.Errorf("event %s\nsent:      %s\nkiosk has: %s", id, want, got[id])
		}
	}

	t.Run("the kiosk's trace page lists the producer's steps", func(t *testing.T) {
		r := k.do("GET", "/01/"+honeyGTIN+"/10/UM2605-01", nil, "Accept-Language", "en")
		if r.Status != 200 || !strings.Contains(string(r.Body), "smoking-out") || !strings.Contains(string(r.Body), "https://htx-uminh.example.vn/places/kenh-3") {
			t.Fatalf("%d %s", r.Status, r.Body)
		}
	})
	t.Run("the hub answers the same events with the kiosk's sale", func(t *testing.T) {
		var out []byte
		waitFor(t, "the sale on the hub", func() bool {
			_, out = hubDo(t, hub, "GET", "/api/v1/epcis/events?gtin="+honeyGTIN+"&lot=UM2605-01", nil)
			return strings.Contains(string(out), `"retail_selling"`)
		})
		epcistest.Valid(t, "the hub's document", out)
		hubEvents := canonicalEvents(t, out)
		for id, want := range sent {
			if hubEvents[id] != want {
				t.Errorf("hub's event %s: %s", id, hubEvents[id])
			}
		}
		r, _ := http.Get(hub + "/01/" + honeyGTIN + "/10/UM2605-01?lang=en")
		page, _ := io.ReadAll(r.Body)
		r.Body.Close()
		if !strings.Contains(string(page), "smoking-out") {
			t.Errorf("the hub's trace page lacks the producer's step: %s", page)
		}
	})
}
