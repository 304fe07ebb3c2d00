package kiosk

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/ocop-kiosk/kiosk/pos"
)

// screen is a gorilla websocket client bound to a till.
type screen struct {
	t    testing.TB
	conn *websocket.Conn
}

func dialScreen(t testing.TB, k *testKiosk, query string, header http.Header) (*screen, *http.Response, error) {
	t.Helper()
	url := strings.Replace(k.url, "http://", "ws://", 1) + "/ws?" + query
	d := websocket.Dialer{HandshakeTimeout: 5 * time.Second}
	c, resp, err := d.Dial(url, header)
	if err != nil {
		return nil, resp, err
	}
	s := &screen{t: t, conn: c}
	t.Cleanup(func() { c.Close() })
	return s, resp, nil
}

// connect dials and says hello, returning the screen and its first state.
func connect(t testing.TB, k *testKiosk, query string) (*screen, map[string]any) {
	t.Helper()
	s, _, err := dialScreen(t, k, query, nil)
	if err != nil {
		t.Fatalf("dial %s: %v", query, err)
	}
	s.send(map[string]any{"type": "hello", "v": 1})
	return s, s.expect("state")
}

func (s *screen) send(v any) {
	s.t.Helper()
	if err := s.conn.WriteJSON(v); err != nil {
		s.t.Fatalf("send: %v", err)
	}
}

func (s *screen) sendRaw(b []byte) {
	s.t.Helper()
	if err := s.conn.WriteMessage(websocket.TextMessage, b); err != nil {
		s.t.Fatalf("send: %v", err)
	}
}

// next reads one message.
func (s *screen) next() (map[string]any, error) {
	_ = s.conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	var m map[string]any
	_, data, err := s.conn.ReadMessage()
	if err != nil {
		return nil, err
	}
	return m, json.Unmarshal(data, &m)
}

// expect reads messages until one of type typ arrives (printer updates may
// come in between).
func (s *screen) expect(typ string) map[string]any {
	s.t.Helper()
	for range 20 {
		m, err := s.next()
		if err != nil {
			s.t.Fatalf("waiting for %s: %v", typ, err)
		}
		if m["type"] == typ {
			return m
		}
		if m["type"] == "error" && typ != "error" {
			s.t.Fatalf("waiting for %s got error %v: %v", typ, m["code"], m["message"])
		}
	}
	s.t.Fatalf("no %s message", typ)
	return nil
}

func (s *screen) expectError(code string) {
	s.t.Helper()
	m := s.expect("error")
	if m["code"] != code {
		s.t.Fatalf("error %v (%v), want %s", m["code"], m["message"], code)
	}
}

func cartOf(m map[string]any) (seq float64, lines []any, total float64) {
	c := m["cart"].(map[string]any)
	return c["seq"].(float64), c["lines"].([]any), c["total"].(float64)
}

func TestScreensOfATillShareOneCart(t *testing.T) {
	k := startKiosk(t, t.TempDir())
	till, _ := connect(t, k, "till=T1&role=till")
	display, _ := connect(t, k, "till=T1&role=display")
	other, _ := connect(t, k, "till=T2&role=till")

	till.send(map[string]any{"type": "cart.add", "sku": "CM-MO-500", "qty": 2, "ref": "a1"})
	a := till.expect("cart")
	b := display.expect("cart")
	sa, la, ta := cartOf(a)
	sb, lb, tb := cartOf(b)
	if sa != sb || len(la) != 1 || len(lb) != 1 || ta != tb || ta != float64(2*k.product("CM-MO-500").Price) {
		t.Fatalf("till saw seq %v total %v, display seq %v total %v", sa, ta, sb, tb)
	}
	// A scanner's code (the GTIN as printed under the barcode) adds the same product.
	till.send(map[string]any{"type": "cart.add", "code": "8936072100152"})
	if _, lines, _ := cartOf(display.expect("cart")); len(lines) != 1 || lines[0].(map[string]any)["qty"].(float64) != 3 {
		t.Fatalf("after scanning: %v", lines)
	}
	// Till T2 saw nothing.
	other.send(map[string]any{"type": "sync"})
	if _, lines, _ := cartOf(other.expect("state")); len(lines) != 0 {
		t.Fatalf("till T2's cart has %d lines", len(lines))
	}
	// A screen that reconnects gets the full state.
	display.conn.Close()
	again, st := connect(t, k, "till=T1&role=display")
	_ = again
	if seq, lines, _ := cartOf(st); seq != sb+1 || len(lines) != 1 {
		t.Fatalf("resync: seq %v, %d lines", seq, len(lines))
	}
}

func TestBadMessagesGetAnErrorAndChangeNothing(t *testing.T) {
	k := startKiosk(t, t.TempDir())
	s, _, err := dialScreen(t, k, "till=T1&role=till", nil)
	if err != nil {
		t.Fatal(err)
	}
	s.send(map[string]any{"type": "cart.add", "sku": "CM-MO-500"})
	s.expectError("hello_required")
	s.send(map[string]any{"type": "hello", "v": 2})
	s.expectError("bad_version")
	s.send(map[string]any{"type": "hello", "v": 1})
	s.expect("state")
	s.send(map[string]any{"type": "cart.add", "sku": "CM-MO-500"})
	s.expect("cart")

	for _, tt := range []struct {
		name string
		msg  string
		code string
	}{
		{"malformed JSON", `{"type":"cart.add",`, "bad_json"},
		{"two objects in one message", `{"type":"ping"}{"type":"ping"}`, "bad_json"},
		{"no type", `{"sku":"CM-MO-500"}`, "bad_json"},
		{"an unknown type", `{"type":"cart.explode"}`, "unknown_type"},
		{"an unknown SKU", `{"type":"cart.add","sku":"NOPE"}`, "unknown_sku"},
		{"a zero quantity", `{"type":"cart.add","sku":"CM-MO-500","qty":0}`, "bad_quantity"},
		{"a negative quantity", `{"type":"cart.set","sku":"CM-MO-500","qty":-1}`, "bad_quantity"},
		{"an absurd quantity", `{"type":"cart.add","sku":"CM-MO-500","qty":10001}`, "bad_quantity"},
		{"a quantity as text", `{"type":"cart.add","sku":"CM-MO-500","qty":"2"}`, "bad_json"},
		{"removing what is not there", `{"type":"cart.remove","sku":"BT-KD-400"}`, "not_in_cart"},
		{"cancelling no transfer", `{"type":"pay.cancel"}`, "no_pending_transfer"},
		{"VietQR with no bank account", `{"type":"pay.vietqr"}`, "vietqr_not_configured"},
		{"a checkout that does not pay", `{"type":"checkout","payments":[{"method":"cash","amount":1}]}`, "payment_short"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s.sendRaw([]byte(tt.msg))
			s.expectError(tt.code)
		})
	}
	s.send(map[string]any{"type": "sync"})
	if seq, lines, _ := cartOf(s.expect("state")); seq != 1 || len(lines) != 1 {
		t.Fatalf("the cart changed: seq %v, %d lines", seq, len(lines))
	}
	if r := k.do("GET", "/api/v1/sales", nil); !strings.Contains(string(r.Body), `"count":0`) {
		t.Fatalf("a bad checkout sold something: %s", r.Body)
	}

	t.Run("a display cannot change the cart", func(t *testing.T) {
		d, _ := connect(t, k, "till=T1&role=display")
		d.send(map[string]any{"type": "cart.clear"})
		d.expectError("forbidden")
	})
	t.Run("an oversized message closes the connection with 1009", func(t *testing.T) {
		s.sendRaw([]byte(`{"type":"ping","ref":"` + strings.Repeat("x", MaxWSMessage) + `"}`))
		for {
			if _, err := s.next(); err != nil {
				if !websocket.IsCloseError(err, websocket.CloseMessageTooBig) {
					t.Fatalf("closed with %v, want 1009", err)
				}
				break
			}
		}
		s2, st := connect(t, k, "till=T1&role=till")
		_ = s2
		if _, lines, _ := cartOf(st); len(lines) != 1 {
			t.Fatalf("the cart changed: %d lines", len(lines))
		}
	})
}

func TestCheckoutOverTheWebsocket(t *testing.T) {
	k := startKiosk(t, t.TempDir(), func(c *Config) { c.BankBIN, c.BankAccount = "970405", "7300205123456" })
	till, _ := connect(t, k, "till=T1&role=till")
	display, _ := connect(t, k, "till=T1&role=display")
	price := k.product("BT-KD-400").Price
	till.send(map[string]any{"type": "cart.add", "sku": "BT-KD-400", "qty": 2})
	till.expect("cart")
	display.expect("cart")

	till.send(map[string]any{"type": "pay.vietqr"})
	v := display.expect("vietqr")["pending"].(map[string]any)
	q, err := pos.ParseVietQR(v["payload"].(string))
	if err != nil || q.Amount != 2*price || q.Account != "7300205123456" {
		t.Fatalf("VietQR on the display: %v %+v", err, q)
	}
	till.expect("vietqr")

	till.send(map[string]any{"type": "checkout", "ref": "pay1", "idempotency_key": "T1-1",
		"payments": []map[string]any{{"method": "cash", "amount": 2 * price, "tendered": 200000}}})
	sale := till.expect("sale")
	s := sale["sale"].(map[string]any)
	if sale["ref"] != "pay1" || s["total"].(float64) != float64(2*price) || s["change"].(float64) != float64(200000-2*price) {
		t.Fatalf("sale: %v", sale)
	}
	done := display.expect("sale.done")
	if done["receipt_no"] != s["receipt_no"] {
		t.Fatalf("display thanks for %v, sale %v", done["receipt_no"], s["receipt_no"])
	}
	if _, lines, _ := cartOf(display.expect("cart")); len(lines) != 0 {
		t.Fatal("the cart was not emptied")
	}
	if r := k.do("GET", "/api/v1/sales/"+s["id"].(string), nil); r.Status != 200 {
		t.Fatalf("the sale is not in the store: %d", r.Status)
	}
	till.send(map[string]any{"type": "checkout", "payments": []map[string]any{{"method": "card", "amount": 1}}})
	till.expectError("empty_cart")
}

func TestSelfServiceChecksOutAsAnOrderAndCannotConfirmIt(t *testing.T) {
	k := startKiosk(t, t.TempDir(), withBank)
	self, _ := connect(t, k, "till=SELF1&role=self")
	self.send(map[string]any{"type": "cart.add", "sku": "TV-GHC-5"})
	total := cartTotal(self.expect("cart"))
	self.send(map[string]any{"type": "pay.vietqr"})
	self.expectError("forbidden")
	self.send(map[string]any{"type": "checkout", "ref": "c1"})
	o := self.expect("order")
	order := o["order"].(map[string]any)
	if o["ref"] != "c1" || order["state"] != "open" || order["total"].(float64) != total {
		t.Fatalf("order: %v", o)
	}
	self.send(map[string]any{"type": "order.confirm", "id": order["id"],
		"payments": []map[string]any{{"method": "vietqr", "amount": total}}})
	self.expectError("forbidden")
	if n := len(listAllSales(t, k.url)); n != 0 {
		t.Fatalf("%d sales", n)
	}
}

func cartTotal(m map[string]any) float64 {
	_, _, total := cartOf(m)
	return total
}

func TestWebsocketAccessAndOrigin(t *testing.T) {
	k := startKiosk(t, t.TempDir())
	_, resp, err := dialScreen(t, k, "till=T1", http.Header{"Origin": {"http://evil.example"}})
	if err == nil || resp == nil || resp.StatusCode != 403 {
		t.Fatalf("a foreign origin: %v %v", err, resp)
	}
	host := strings.TrimPrefix(k.url, "http://")
	if _, _, err := dialScreen(t, k, "till=T1", http.Header{"Origin": {"http://" + host}}); err != nil {
		t.Fatalf("the kiosk's own origin: %v", err)
	}
	if _, resp, err := dialScreen(t, k, "till=bad%20till", nil); err == nil || resp.StatusCode != 400 {
		t.Fatalf("a bad till id: %v", err)
	}
}

func TestShutdownClosesScreensWithGoingAway(t *testing.T) {
	k := startKiosk(t, t.TempDir())
	s, _ := connect(t, k, "till=T1&role=till")
	go k.stop()
	for {
		_, err := s.next()
		if err != nil {
			if !websocket.IsCloseError(err, websocket.CloseGoingAway) {
				t.Fatalf("closed with %v, want 1001", err)
			}
			return
		}
	}
}

func TestPairingCodesComeFromTheManager(t *testing.T) {
	k := startKiosk(t, t.TempDir())
	if r := k.do("POST", "/api/v1/pairing", map[string]any{"till": "T1", "role": "display"}); r.Status != 401 {
		t.Fatalf("pairing without the PIN: %d", r.Status)
	}
	r := k.do("POST", "/api/v1/pairing", map[string]any{"till": "T1", "role": "display"}, "X-Manager-Pin", testPIN)
	var p struct{ Code, URL, Role string }
	r.json(t, &p)
	if r.Status != 201 || len(p.Code) != 6 || !strings.HasSuffix(p.URL, "/pair?code="+p.Code) || p.Role != "display" {
		t.Fatalf("pairing: %d %s", r.Status, r.Body)
	}
	c := k.do("POST", "/pair/claim", map[string]any{"code": p.Code})
	var claim struct{ Token, Till, Role string }
	c.json(t, &claim)
	if c.Status != 201 || claim.Token == "" || claim.Till != "T1" {
		t.Fatalf("claim: %d %s", c.Status, c.Body)
	}
	if r := k.do("POST", "/api/v1/pairing", map[string]any{"till": "T 1"}, "X-Manager-Pin", testPIN); r.Status != 422 {
		t.Fatalf("a bad till: %d", r.Status)
	}
}
