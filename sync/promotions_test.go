package sync

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gorilla/websocket"

	"github.com/ocop-kiosk/kiosk/pos"
)

// promoReq sends an admin request to the hub's app.
func promoReq(t *testing.T, app *fiber.App, method, target, body string) (*http.Response, []byte) {
	t.Helper()
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+testAdminToken)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	return reconDo(t, app, req)
}

func errorCode(t *testing.T, body []byte) string {
	t.Helper()
	var e struct {
		Error struct{ Code, Message string }
	}
	if err := json.Unmarshal(body, &e); err != nil || e.Error.Message == "" {
		t.Fatalf("want a JSON error body, got %s", body)
	}
	return e.Error.Code
}

const candyPromo = `{"id":"KM-KEO","name":"Mua 2 tặng 1","kind":"buy_get","scope":"sku","target":"KEO","buy":2,"get":1,
	"from":"2026-11-20","to":"2026-11-26","hours":"08:00-21:00","bearer":"producer"}`

func TestTheHubKeepsPromotionsByAdminAPI(t *testing.T) {
	hs := hubStore(t)
	app := (&Hub{Store: hs, AdminHash: TokenHash(testAdminToken), Log: quiet()}).App()

	t.Run("every route wants the admin token", func(t *testing.T) {
		for _, r := range []struct{ method, path string }{{"GET", "/api/v1/promotions"}, {"POST", "/api/v1/promotions"},
			{"GET", "/api/v1/promotions/KM-KEO"}, {"PUT", "/api/v1/promotions/KM-KEO"}, {"DELETE", "/api/v1/promotions/KM-KEO"}} {
			req := httptest.NewRequest(r.method, r.path, strings.NewReader(candyPromo))
			if res, _ := reconDo(t, app, req); res.StatusCode != 401 {
				t.Errorf("%s %s without a token: %d", r.method, r.path, res.StatusCode)
			}
		}
	})

	res, body := promoReq(t, app, "POST", "/api/v1/promotions", candyPromo)
	var made pos.Promotion
	if res.StatusCode != 201 || json.Unmarshal(body, &made) != nil || made.Version != 1 || made.Bearer != "producer" ||
		res.Header.Get("Location") != "/api/v1/promotions/KM-KEO" {
		t.Fatalf("create: %d %s", res.StatusCode, body)
	}

	for _, tt := range []struct {
		name, method, path, body string
		status                   int
		code                     string
	}{
		{"a field the route does not know", "POST", "/api/v1/promotions", `{"name":"x","kind":"percent","percent":10,"scope":"sku","target":"MO","bearer":"booth","origin":"hub"}`, 400, "bad_json"},
		{"a body that is not an object", "POST", "/api/v1/promotions", `null`, 400, "bad_json"},
		{"trailing data", "POST", "/api/v1/promotions", `{"name":"x"} {}`, 400, "bad_json"},
		{"a percentage above 100", "POST", "/api/v1/promotions", `{"name":"x","kind":"percent","percent":100.01,"scope":"sku","target":"MO","bearer":"booth"}`, 422, "bad_promotion"},
		{"no one bears it", "POST", "/api/v1/promotions", `{"name":"x","kind":"percent","percent":10,"scope":"sku","target":"MO"}`, 422, "bad_promotion"},
		{"a new promotion naming a version", "POST", "/api/v1/promotions", `{"name":"x","kind":"percent","percent":10,"scope":"sku","target":"MO","bearer":"booth","version":3}`, 422, "bad_promotion"},
		{"an id already running", "POST", "/api/v1/promotions", candyPromo, 409, "promotion_exists"},
		{"a change to a version read before another change", "PUT", "/api/v1/promotions/KM-KEO", strings.Replace(candyPromo, `"bearer"`, `"version":7,"bearer"`, 1), 409, "promotion_changed"},
		{"a change renaming it", "PUT", "/api/v1/promotions/KM-KEO", strings.Replace(candyPromo, `"KM-KEO"`, `"KM-2"`, 1), 422, "bad_promotion"},
		{"a change to one the hub does not have", "PUT", "/api/v1/promotions/NONE", `{"name":"x","kind":"percent","percent":10,"scope":"sku","target":"MO","bearer":"booth"}`, 404, "unknown_promotion"},
		{"ending one the hub does not have", "DELETE", "/api/v1/promotions/NONE", "", 404, "unknown_promotion"},
		{"ending one at a version not a number", "DELETE", "/api/v1/promotions/KM-KEO?version=x", "", 400, "bad_query"},
	} {
		t.Run(tt.name+" is refused and changes nothing", func(t *testing.T) {
			res, body := promoReq(t, app, tt.method, tt.path, tt.body)
			if res.StatusCode != tt.status || errorCode(t, body) != tt.code {
				t.Errorf("%d %s, want %d %s", res.StatusCode, body, tt.status, tt.code)
			}
			ps, v, err := hs.Promotions()
			if err != nil || v != 1 || len(ps) != 1 || ps[0].Bearer != "producer" {
				t.Errorf("after the refusal: version %d, %+v, %v", v, ps, err)
			}
		})
	}

	t.Run("a change at the version read is the next version", func(t *testing.T) {
		res, body := promoReq(t, app, "PUT", "/api/v1/promotions/KM-KEO", strings.Replace(candyPromo, `"bearer":"producer"`, `"version":1,"bearer":"booth"`, 1))
		var p pos.Promotion
		if res.StatusCode != 200 || json.Unmarshal(body, &p) != nil || p.Version != 2 || p.Bearer != "booth" {
			t.Fatalf("%d %s", res.StatusCode, body)
		}
		res, body = promoReq(t, app, "GET", "/api/v1/promotions", "")
		var list struct {
			Promotions []pos.Promotion
			Version    uint64
		}
		if res.StatusCode != 200 || json.Unmarshal(body, &list) != nil || list.Version != 2 || len(list.Promotions) != 1 {
			t.Errorf("list %d %s", res.StatusCode, body)
		}
	})

	t.Run("an ended promotion is gone and its id free again", func(t *testing.T) {
		if res, body := promoReq(t, app, "DELETE", "/api/v1/promotions/KM-KEO?version=2", ""); res.StatusCode != 204 {
			t.Fatalf("%d %s", res.StatusCode, body)
		}
		if res, body := promoReq(t, app, "GET", "/api/v1/promotions/KM-KEO", ""); res.StatusCode != 404 || errorCode(t, body) != "unknown_promotion" {
			t.Errorf("after ending: %d %s", res.StatusCode, body)
		}
		if ps, v, _ := hs.Promotions(); len(ps) != 0 || v != 3 {
			t.Errorf("after ending: version %d %+v", v, ps)
		}
		if res, body := promoReq(t, app, "POST", "/api/v1/promotions", candyPromo); res.StatusCode != 201 {
			t.Errorf("the id again: %d %s", res.StatusCode, body)
		}
	})
}

// promoUplink is a kiosk's uplink following the hub's promotions the way the
// kiosk does: it holds the last set it got, and says so when it connects.
type promoUplink struct {
	got  chan CentralPromotions
	held chan [2]any // version, digest: a channel so the uplink's goroutine and the test share it safely
}

func newPromoUplink(version uint64, digest string) *promoUplink {
	p := &promoUplink{got: make(chan CentralPromotions, 8), held: make(chan [2]any, 1)}
	p.held <- [2]any{version, digest}
	return p
}

func (p *promoUplink) wire(u *Uplink) {
	u.OnPromotions = func(cp CentralPromotions) error {
		<-p.held
		p.held <- [2]any{cp.Version, cp.Digest}
		p.got <- cp
		return nil
	}
	u.PromotionsHeld = func() (uint64, string) {
		h := <-p.held
		p.held <- h
		return h[0].(uint64), h[1].(string)
	}
}

func (p *promoUplink) next(t *testing.T, what string) CentralPromotions {
	t.Helper()
	select {
	case cp := <-p.got:
		return cp
	case <-time.After(10 * time.Second):
		t.Fatalf("%s: no promotions from the hub within 10 s", what)
	}
	return CentralPromotions{}
}

func promoIDs(cp CentralPromotions) string {
	var ids []string
	for _, p := range cp.Promotions {
		ids = append(ids, p.ID+":"+p.Bearer)
	}
	return strings.Join(ids, ",")
}

func TestTheHubsPromotionsReachItsKiosks(t *testing.T) {
	hs := hubStore(t)
	tok, _ := RegisterKiosk(hs, "K01")
	h, url := startHub(t, hs, "127.0.0.1:0")
	admin := func(method, path, body string) {
		t.Helper()
		req, _ := http.NewRequest(method, url+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+testAdminToken)
		res, err := http.DefaultClient.Do(req)
		if err != nil || res.StatusCode >= 300 {
			t.Fatalf("%s %s: %v %v", method, path, err, res)
		}
		res.Body.Close()
	}
	kiosk := newPromoUplink(0, "")
	u := &Uplink{HubURL: url, KioskID: "K01", Token: tok, Store: kioskStore(t, "K01"), Log: quiet()}
	kiosk.wire(u)
	runUplink(t, u)
	eventually(t, "the uplink up", 10*time.Second, func() bool { return u.Status().Reachable })

	admin("POST", "/api/v1/promotions", candyPromo)
	if cp := kiosk.next(t, "a promotion made"); cp.Version != 1 || promoIDs(cp) != "KM-KEO:producer" || cp.Digest == "" {
		t.Fatalf("made: %+v", cp)
	}
	admin("PUT", "/api/v1/promotions/KM-KEO", strings.Replace(candyPromo, `"producer"`, `"booth"`, 1))
	if cp := kiosk.next(t, "a promotion changed"); cp.Version != 2 || promoIDs(cp) != "KM-KEO:booth" {
		t.Fatalf("changed: %+v", cp)
	}
	admin("DELETE", "/api/v1/promotions/KM-KEO", "")
	if cp := kiosk.next(t, "a promotion ended"); cp.Version != 3 || len(cp.Promotions) != 0 {
		t.Fatalf("ended: %+v", cp)
	}
	h.catalogChanged() // nothing new: the kiosk holds the hub's set and gets nothing
	select {
	case cp := <-kiosk.got:
		t.Errorf("the same set sent again: %+v", cp)
	case <-time.After(300 * time.Millisecond):
	}
}

func TestAKioskAwayWhenPromotionsChangedGetsThemWhenItReturns(t *testing.T) {
	hs := hubStore(t)
	tok, _ := RegisterKiosk(hs, "K01")
	_, url := startHub(t, hs, "127.0.0.1:0")
	// Made while the kiosk was away.
	p := pos.Promotion{ID: "KM-MO", Name: "Mật ong −10 %", Kind: pos.PromoPercent, Scope: pos.ScopeSKU, Target: "MO-500",
		Percent: 1000, Bearer: pos.BearerProducer}
	if _, err := hs.PutPromotion(p, true, 0, time.Now()); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name    string
		version uint64
		digest  string
	}{
		{"a kiosk that never had any", 0, ""},
		{"a kiosk with an older set", 1, "d1"},
		// A hub put back from an older copy: its version went back, or came
		// round again to the number the kiosk holds with other promotions.
		{"a kiosk ahead of a hub restored from an older copy", 9, "d9"},
		{"a kiosk at the same version of another history", 1, "other"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			kiosk := newPromoUplink(tt.version, tt.digest)
			u := &Uplink{HubURL: url, KioskID: "K01", Token: tok, Store: kioskStore(t, "K01"), Log: quiet()}
			kiosk.wire(u)
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan struct{})
			go func() { u.Run(ctx); close(done) }()
			defer func() { cancel(); <-done }()
			if cp := kiosk.next(t, "on connecting"); cp.Version != 1 || promoIDs(cp) != "KM-MO:producer" {
				t.Errorf("got %+v", cp)
			}
		})
	}
	t.Run("a kiosk that holds the hub's set gets nothing", func(t *testing.T) {
		cp, err := centralPromotions(hs)
		if err != nil {
			t.Fatal(err)
		}
		kiosk := newPromoUplink(cp.Version, cp.Digest)
		u := &Uplink{HubURL: url, KioskID: "K01", Token: tok, Store: kioskStore(t, "K01"), Log: quiet()}
		kiosk.wire(u)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { u.Run(ctx); close(done) }()
		defer func() { cancel(); <-done }()
		eventually(t, "the uplink up", 10*time.Second, func() bool { return u.Status().Reachable })
		select {
		case cp := <-kiosk.got:
			t.Errorf("sent again: %+v", cp)
		case <-time.After(300 * time.Millisecond):
		}
	})
}

func TestAKioskThatDoesNotFollowPromotionsIsSentNone(t *testing.T) {
	hs := hubStore(t)
	tok, _ := RegisterKiosk(hs, "K01")
	if _, err := hs.PutPromotion(pos.Promotion{Name: "x", Kind: pos.PromoPercent, Scope: pos.ScopeSKU, Target: "MO-500",
		Percent: 1000, Bearer: pos.BearerBooth}, true, 0, time.Now()); err != nil {
		t.Fatal(err)
	}
	_, url := startHub(t, hs, "127.0.0.1:0")
	// A kiosk of protocol version 2 sends no X-Promotions-Version: a message
	// type it does not know would end its session.
	h := http.Header{"Authorization": {"Bearer " + tok}, "X-Kiosk-Id": {"K01"}}
	c, _, err := websocket.DefaultDialer.Dial(strings.Replace(url, "http", "ws", 1)+"/api/v1/uplink", h)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var greet Message
	if err := c.ReadJSON(&greet); err != nil || greet.Type != "ack" {
		t.Fatalf("greeting %+v %v", greet, err)
	}
	_ = c.SetReadDeadline(time.Now().Add(500 * time.Millisecond))
	var m Message
	if err := c.ReadJSON(&m); err == nil {
		t.Errorf("the hub sent %q", m.Type)
	}
}

func TestAFullSetOfPromotionsGoesDownInPartsThatFitAMessage(t *testing.T) {
	long := strings.Repeat("<&>", 40) // 120 bytes, each escaped to six in JSON
	cp := CentralPromotions{Version: 9}
	for i := range pos.MaxPromotions {
		cp.Promotions = append(cp.Promotions, pos.Promotion{ID: fmt.Sprintf("%s%04d", strings.Repeat("P", 30), i), Name: long, NameEN: long,
			Kind: pos.PromoBundle, Scope: pos.ScopeSKU, Target: strings.Repeat("S", 40), BundleQty: 1000, BundlePrice: pos.MaxPrice * 1000,
			From: pos.DateOf(time.Now()), To: pos.DateOf(time.Now()), Hours: "20:00-02:00", Bearer: pos.BearerProducer,
			Version: 1 << 60, Updated: time.Now()})
	}
	cp.Digest = digestOf(cp.Version, cp.Promotions)
	parts := promotionParts(cp)
	if len(parts) < 2 {
		t.Fatalf("%d parts for a set of about %d MB", len(parts), len(mustJSON(t, cp))>>20)
	}
	var back []pos.Promotion
	for i, p := range parts {
		b := mustJSON(t, Message{Type: "promotions", Promotions: &p, Part: i + 1, Parts: len(parts)})
		if len(b) > MaxPart+4096 || len(b) > MaxMessage {
			t.Errorf("part %d is %d bytes", i+1, len(b))
		}
		if p.Version != 9 || p.Digest != cp.Digest {
			t.Errorf("part %d names version %d digest %s", i+1, p.Version, p.Digest)
		}
		back = append(back, p.Promotions...)
	}
	if digestOf(cp.Version, back) != cp.Digest {
		t.Error("the parts together are not the set")
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
