package kiosk

import (
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ocop-kiosk/kiosk/pos"
)

// withBank gives the kiosk an account for VietQR transfers.
func withBank(c *Config) {
	c.BankBIN, c.BankAccount, c.BankHolder = "970405", "7300205123456", "HTX ONG MAT U MINH HA"
}

// testStopwatch is the clock orders expire by, moved by the test.
type testStopwatch struct {
	mu sync.Mutex
	d  time.Duration
}

func (w *testStopwatch) Elapsed() time.Duration {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.d
}

func (w *testStopwatch) Advance(d time.Duration) {
	w.mu.Lock()
	w.d += d
	w.mu.Unlock()
}

// selfOrder fills a self-service screen's cart and checks it out: the order.
func selfOrder(t *testing.T, self *screen, lines ...any) map[string]any {
	t.Helper()
	for i := 0; i+1 < len(lines); i += 2 {
		self.send(map[string]any{"type": "cart.add", "sku": lines[i], "qty": lines[i+1]})
		self.expect("cart")
	}
	self.send(map[string]any{"type": "checkout", "ref": "co"})
	for {
		m := self.expect("order")
		if m["ref"] == "co" {
			return m["order"].(map[string]any)
		}
	}
}

func TestSelfServiceCheckoutCountsNoUnpaidMoneyInTheXReport(t *testing.T) {
	k := startKiosk(t, t.TempDir(), withBank)
	if r := k.do("POST", "/api/v1/shifts/open", map[string]any{"float": 0}); r.Status != 201 {
		t.Fatalf("open shift: %d %s", r.Status, r.Body)
	}
	self, _ := connect(t, k, "till=SELF1&role=self")
	self.send(map[string]any{"type": "cart.add", "sku": "TV-GHC-5", "qty": 2})
	total := cartTotal(self.expect("cart"))
	self.send(map[string]any{"type": "checkout", "payments": []map[string]any{{"method": "vietqr", "amount": total}}})
	self.expect("cart") // emptied

	var x struct {
		Sales    int
		Gross    int64
		ByMethod map[string]int64 `json:"by_method"`
	}
	k.do("GET", "/api/v1/shifts/current", nil).json(t, &x)
	if x.Sales != 0 || x.Gross != 0 || x.ByMethod["vietqr"] != 0 {
		t.Fatalf("the X-report counts a transfer nobody has seen arrive: %d sales, gross %d, by method %v", x.Sales, x.Gross, x.ByMethod)
	}
}

func TestSelfServiceOrderIsConfirmedAtTheTill(t *testing.T) {
	dir := t.TempDir()
	k := startKiosk(t, dir, withBank)
	stock := k.product("CM-MO-500").Stock
	till, _ := connect(t, k, "till=T1&role=till")
	display, _ := connect(t, k, "till=T1&role=display")
	self, _ := connect(t, k, "till=SELF1&role=self")

	order := selfOrder(t, self, "CM-MO-500", 2)
	id, code, ref := order["id"].(string), order["code"].(string), order["reference"].(string)
	total := order["total"].(float64)
	if ref != "K01 "+code || order["state"] != "open" || order["expires_in"].(float64) < 890 {
		t.Fatalf("order: %v", order)
	}
	// The tourist's screen has the transfer to make and whom it goes to.
	q := order["vietqr"].(map[string]any)
	v, err := pos.ParseVietQR(q["payload"].(string))
	if err != nil || v.Reference != ref || float64(v.Amount) != total || q["reference"] != ref {
		t.Fatalf("the order's VietQR: %+v %v (shown reference %v)", v, err, q["reference"])
	}
	bank := q["bank"].(map[string]any)
	if bank["name"] != "Agribank" || bank["account"] != "7300205123456" || bank["holder"] != "HTX ONG MAT U MINH HA" || bank["bin"] != "970405" {
		t.Fatalf("bank beside the QR: %v", bank)
	}
	// The till's queue hears of it; stock shown is what is left.
	if got := till.expect("order")["order"].(map[string]any); got["id"] != id {
		t.Fatalf("the till heard of %v", got["id"])
	}
	if n := k.product("CM-MO-500").Stock; n != stock-2 {
		t.Fatalf("stock %d, want %d", n, stock-2)
	}
	late, st := connect(t, k, "till=T2&role=till")
	_ = late
	if orders := st["orders"].([]any); len(orders) != 1 || orders[0].(map[string]any)["code"] != code {
		t.Fatalf("a till connecting later sees the queue %v", orders)
	}
	if _, st := connect(t, k, "till=T1&role=display"); len(st["orders"].([]any)) != 0 {
		t.Fatalf("a customer display sees the queue")
	}
	if r := k.do("GET", "/api/v1/orders/"+strings.ToLower(code), nil); r.Status != 200 || !strings.Contains(string(r.Body), id) {
		t.Fatalf("order by its code typed in lower case: %d %s", r.Status, r.Body)
	}

	// The vendor sees the transfer in the bank app and confirms it.
	till.send(map[string]any{"type": "order.confirm", "ref": "ok1", "id": id,
		"payments": []map[string]any{{"method": "vietqr", "amount": total}}})
	s := till.expect("sale")
	sale := s["sale"].(map[string]any)
	pay := sale["payments"].([]any)[0].(map[string]any)
	if s["ref"] != "ok1" || sale["total"].(float64) != total || pay["reference"] != ref || pay["pending"] != nil {
		t.Fatalf("sale: %v", s)
	}
	if done := display.expect("sale.done"); done["receipt_no"] != sale["receipt_no"] {
		t.Fatalf("the display thanks for %v", done["receipt_no"])
	}
	for {
		m := self.expect("order")["order"].(map[string]any)
		if m["state"] == "paid" {
			if m["receipt_no"] != sale["receipt_no"] {
				t.Fatalf("the tourist's screen: %v", m)
			}
			break
		}
	}
	if n := k.product("CM-MO-500").Stock; n != stock-2 {
		t.Fatalf("stock after the confirm %d, want %d", n, stock-2)
	}
	var x struct {
		Sales    int
		ByMethod map[string]float64 `json:"by_method"`
	}
	k.do("GET", "/api/v1/shifts/current", nil).json(t, &x)
	if x.Sales != 1 || x.ByMethod["vietqr"] != total {
		t.Fatalf("X-report: %d sales, %v", x.Sales, x.ByMethod)
	}
	// The receipt prints the reference the customer's bank sent.
	saleID := sale["id"].(string)
	waitFor(t, "the receipt printed", func() bool { return len(printed(t, dir, saleID)) == 1 })
	if text := printed(t, dir, saleID)[0]; !strings.Contains(text, "ND: "+ref) {
		t.Fatalf("the receipt lacks the reference %q:\n%s", ref, text)
	}
	// Once only.
	till.send(map[string]any{"type": "order.confirm", "id": id, "payments": []map[string]any{{"method": "vietqr", "amount": total}}})
	till.expectError("order_paid")
	if n := len(listAllSales(t, k.url)); n != 1 {
		t.Fatalf("%d sales", n)
	}
}

func TestAnOrderIsPaidInCashAtTheTillByItsCode(t *testing.T) {
	k := startKiosk(t, t.TempDir()) // no bank account: the tourist pays at the till
	self, _ := connect(t, k, "till=SELF1&role=self")
	order := selfOrder(t, self, "BT-KD-400", 1)
	if order["vietqr"] != nil {
		t.Fatalf("a VietQR without an account: %v", order["vietqr"])
	}
	var found struct {
		ID    string
		Total pos.Money
	}
	k.do("GET", "/api/v1/orders/"+order["code"].(string), nil).json(t, &found)
	till, _ := connect(t, k, "till=T1&role=till")
	till.send(map[string]any{"type": "order.confirm", "id": found.ID,
		"payments": []map[string]any{{"method": "cash", "amount": found.Total, "tendered": 500000}}})
	sale := till.expect("sale")["sale"].(map[string]any)
	if sale["change"].(float64) != float64(500000-found.Total) || sale["till"] != "T1" {
		t.Fatalf("sale: %v", sale)
	}
}

func TestSelfScreenCancelsOnlyItsOwnOrderAndGetsItsCartBack(t *testing.T) {
	k := startKiosk(t, t.TempDir(), withBank)
	stock := k.product("BT-KD-400").Stock
	self, _ := connect(t, k, "till=SELF1&role=self")
	order := selfOrder(t, self, "BT-KD-400", 3)
	other, _ := connect(t, k, "till=SELF1&role=self")
	other.send(map[string]any{"type": "order.cancel", "id": order["id"]})
	other.expectError("forbidden")
	display, _ := connect(t, k, "till=T1&role=display")
	display.send(map[string]any{"type": "order.cancel", "id": order["id"]})
	display.expectError("forbidden")

	self.send(map[string]any{"type": "order.cancel", "id": order["id"]})
	_, lines, _ := cartOf(self.expect("cart"))
	if len(lines) != 1 || lines[0].(map[string]any)["qty"].(float64) != 3 {
		t.Fatalf("the cart after going back: %v", lines)
	}
	for {
		if got := self.expect("order")["order"].(map[string]any); got["state"] == "cancelled" {
			break
		}
	}
	if n := k.product("BT-KD-400").Stock; n != stock {
		t.Fatalf("stock %d, want %d", n, stock)
	}
	// The till cancels any order, over REST too; a second cancel is refused.
	order = selfOrder(t, self, "BT-KD-400", 1)
	if r := k.do("POST", "/api/v1/orders/"+order["id"].(string)+"/cancel", map[string]any{"reason": "left"}); r.Status != 200 {
		t.Fatalf("cancel: %d %s", r.Status, r.Body)
	}
	if r := k.do("POST", "/api/v1/orders/"+order["id"].(string)+"/cancel", nil, "X-Kiosk-Client", "1"); r.Status != 409 || r.errCode(t) != "order_cancelled" {
		t.Fatalf("second cancel: %d %s", r.Status, r.Body)
	}
	if n := k.product("BT-KD-400").Stock; n != stock {
		t.Fatalf("stock %d, want %d", n, stock)
	}
}

func TestOrdersExpireReleaseTheirStockAndCannotBeConfirmed(t *testing.T) {
	w := &testStopwatch{}
	k := startKiosk(t, t.TempDir(), withBank, func(c *Config) { c.OrderExpiry = 10 * time.Minute; c.orderElapsed = w.Elapsed })
	stock := k.product("TV-GHC-5").Stock
	till, _ := connect(t, k, "till=T1&role=till")
	self, _ := connect(t, k, "till=SELF1&role=self")
	order := selfOrder(t, self, "TV-GHC-5", 2)
	if order["expires_in"].(float64) != 600 {
		t.Fatalf("expires in %v s, want 600", order["expires_in"])
	}
	till.expect("order")
	w.Advance(10 * time.Minute)

	// The confirm that comes too late is refused and the queue hears at once.
	till.send(map[string]any{"type": "order.confirm", "id": order["id"], "payments": []map[string]any{{"method": "card", "amount": order["total"]}}})
	var expired, refused bool
	for !expired || !refused {
		m, err := till.next()
		if err != nil {
			t.Fatal(err)
		}
		switch m["type"] {
		case "error":
			if m["code"] != "order_expired" {
				t.Fatalf("late confirm: %v", m)
			}
			refused = true
		case "order":
			expired = m["order"].(map[string]any)["state"] == "expired"
		}
	}
	for {
		if got := self.expect("order")["order"].(map[string]any); got["state"] == "expired" {
			break
		}
	}
	if n := k.product("TV-GHC-5").Stock; n != stock {
		t.Fatalf("stock %d, want %d", n, stock)
	}
	r := k.do("POST", "/api/v1/orders/"+order["id"].(string)+"/confirm", map[string]any{"payments": []map[string]any{{"method": "vietqr", "amount": order["total"]}}})
	if r.Status != 409 || r.errCode(t) != "order_expired" || len(listAllSales(t, k.url)) != 0 {
		t.Fatalf("confirming an expired order: %d %s", r.Status, r.Body)
	}
	// Nobody has to confirm anything for an order to expire: the loop does it.
	order = selfOrder(t, self, "TV-GHC-5", 1)
	w.Advance(10 * time.Minute)
	for {
		m := till.expect("order")["order"].(map[string]any)
		if m["id"] == order["id"] && m["state"] == "expired" {
			break
		}
	}
}

func TestOrdersOverREST(t *testing.T) {
	k := startKiosk(t, t.TempDir(), withBank)
	r := k.do("POST", "/api/v1/orders", map[string]any{"till": "T9", "lines": []map[string]any{{"sku": "CM-MO-500", "qty": 1}}}, "Idempotency-Key", "T9-1")
	var o orderView
	r.json(t, &o)
	if r.Status != 201 || o.State != pos.OrderOpen || o.Till != "T9" || o.VietQR == nil {
		t.Fatalf("create: %d %s", r.Status, r.Body)
	}
	if again := k.do("POST", "/api/v1/orders", map[string]any{"till": "T9", "lines": []map[string]any{{"sku": "CM-MO-500", "qty": 1}}}, "Idempotency-Key", "T9-1"); again.Header.Get("Idempotent-Replayed") != "true" || !strings.Contains(string(again.Body), o.ID) {
		t.Fatalf("retry: %d %s", again.Status, again.Body)
	}
	var list struct {
		Orders []orderView
		Count  int
	}
	k.do("GET", "/api/v1/orders?state=open", nil).json(t, &list)
	if list.Count != 1 || list.Orders[0].ID != o.ID {
		t.Fatalf("open orders: %+v", list)
	}
	for _, tt := range []struct {
		name, method, path string
		body               any
		status             int
		code               string
	}{
		{"a state that is not one", "GET", "/api/v1/orders?state=pending", nil, 400, "bad_query"},
		{"an order that is not there", "GET", "/api/v1/orders/01KAAAAAAAAAAAAAAAAAAAAAAA", nil, 404, "not_found"},
		{"a code that cannot be", "GET", "/api/v1/orders/0000", nil, 404, "not_found"},
		{"out of stock", "POST", "/api/v1/orders", map[string]any{"lines": []map[string]any{{"sku": "CM-MO-500", "qty": 10000}}}, 409, "out_of_stock"},
		{"a bad till", "POST", "/api/v1/orders", map[string]any{"till": "T 1", "lines": []map[string]any{{"sku": "CM-MO-500", "qty": 1}}}, 422, "bad_till"},
		{"a confirm short of the total", "POST", "/api/v1/orders/" + o.ID + "/confirm", map[string]any{"payments": []map[string]any{{"method": "card", "amount": 1}}}, 422, "payment_short"},
		{"a confirm with the transfer still pending", "POST", "/api/v1/orders/" + o.ID + "/confirm", map[string]any{"payments": []map[string]any{{"method": "vietqr", "amount": o.Total, "pending": true}}}, 422, "bad_payment"},
		{"a confirm of no order", "POST", "/api/v1/orders/NOPE/confirm", map[string]any{"payments": []map[string]any{{"method": "card", "amount": 1}}}, 404, "not_found"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := k.do(tt.method, tt.path, tt.body)
			if r.Status != tt.status || r.errCode(t) != tt.code {
				t.Fatalf("%d %s, want %d %s", r.Status, r.Body, tt.status, tt.code)
			}
		})
	}
	r = k.do("POST", "/api/v1/orders/"+o.ID+"/confirm", map[string]any{"till": "T1", "payments": []map[string]any{{"method": "card", "amount": o.Total}}})
	var paid struct {
		Order orderView
		Sale  pos.Sale
	}
	r.json(t, &paid)
	if r.Status != 201 || paid.Order.State != pos.OrderPaid || paid.Sale.ID != paid.Order.SaleID || paid.Order.VietQR != nil {
		t.Fatalf("confirm: %d %s", r.Status, r.Body)
	}
	k.do("GET", "/api/v1/orders?state=all", nil).json(t, &list)
	if list.Count != 1 || list.Orders[0].State != pos.OrderPaid {
		t.Fatalf("all orders: %+v", list)
	}
}

func TestScreensPairedForSelfServiceSeeOnlyTheirOwnOrders(t *testing.T) {
	srv := lanServer(t)
	mine, _, err := srv.hub.orders.Create(pos.OrderRequest{Till: "SELF1", Lines: []pos.LineRequest{{SKU: "CM-MO-500", Qty: 1}}}, "")
	if err != nil {
		t.Fatal(err)
	}
	theirs, _, err := srv.hub.orders.Create(pos.OrderRequest{Till: "SELF2", Lines: []pos.LineRequest{{SKU: "CM-MO-500", Qty: 1}}}, "")
	if err != nil {
		t.Fatal(err)
	}
	_, bound, err := srv.guard.pair("self-service 1", roleSelf, "SELF1")
	if err != nil {
		t.Fatal(err)
	}
	_, unbound, err := srv.guard.pair("self-service", roleSelf, "")
	if err != nil {
		t.Fatal(err)
	}
	_, tillTok, err := srv.guard.pair("second till", "", "")
	if err != nil {
		t.Fatal(err)
	}
	auth := func(tok string) []string { return []string{"Authorization", "Bearer " + tok} }
	for _, tt := range []struct {
		name   string
		path   string
		tok    string
		status int
		has    string
	}{
		{"its own order by id", "/api/v1/orders/" + mine.ID, bound, 200, mine.ID},
		{"another till's order by id", "/api/v1/orders/" + theirs.ID, bound, 404, ""},
		{"an order by its guessable code", "/api/v1/orders/" + mine.Code, bound, 403, ""},
		{"the list of its till", "/api/v1/orders", bound, 200, mine.ID},
		{"the list, from a screen bound to no till", "/api/v1/orders", unbound, 403, ""},
		{"any order by id, from a screen bound to no till", "/api/v1/orders/" + theirs.ID, unbound, 200, theirs.ID},
		{"the queue, from a paired till", "/api/v1/orders", tillTok, 200, theirs.ID},
		{"an order by code, from a paired till", "/api/v1/orders/" + theirs.Code, tillTok, 200, theirs.ID},
	} {
		t.Run(tt.name, func(t *testing.T) {
			status, body := lanGet(t, srv, tt.path, auth(tt.tok)...)
			if status != tt.status || !strings.Contains(body, tt.has) {
				t.Fatalf("%d %s, want %d with %q", status, body, tt.status, tt.has)
			}
			if tt.path == "/api/v1/orders" && tt.tok == bound && strings.Contains(body, theirs.ID) {
				t.Fatalf("a self-service screen sees another till's order: %s", body)
			}
		})
	}
	req, _ := http.NewRequest("POST", "/api/v1/orders/"+mine.ID+"/confirm", strings.NewReader(`{"payments":[{"method":"vietqr","amount":1}]}`))
	req.Header.Set("Authorization", "Bearer "+bound)
	if res, err := srv.app.Test(req, 10000); err != nil || res.StatusCode != 403 {
		t.Fatalf("a self-service screen confirming: %v %v, want 403", err, res.StatusCode)
	}
}

func TestTillFindsASaleByItsCheckoutKeyOnly(t *testing.T) {
	k := startKiosk(t, t.TempDir())
	till, _ := connect(t, k, "till=T1&role=till")
	checkout := func(sku, key string) map[string]any {
		till.send(map[string]any{"type": "cart.add", "sku": sku})
		price := cartTotal(till.expect("cart"))
		till.send(map[string]any{"type": "checkout", "idempotency_key": key, "payments": []map[string]any{{"method": "card", "amount": price}}})
		return till.expect("sale")["sale"].(map[string]any)
	}
	find := func(key string) map[string]any {
		till.send(map[string]any{"type": "sale.find", "idempotency_key": key, "ref": "f-" + key})
		for {
			m := till.expect("sale.found")
			if m["ref"] == "f-"+key {
				if m["idempotency_key"] != key {
					t.Fatalf("answer for key %v", m["idempotency_key"])
				}
				s, _ := m["sale"].(map[string]any)
				return s
			}
		}
	}
	previous := checkout("BT-KD-400", "T1-previous")
	// The next customer's checkout never reached the kiosk: no sale under its
	// key, whatever was sold a moment before.
	if s := find("T1-next"); s != nil {
		t.Fatalf("the next customer's key finds %v (the previous customer's is %v)", s["receipt_no"], previous["receipt_no"])
	}
	next := checkout("CM-MO-500", "T1-next")
	if s := find("T1-next"); s == nil || s["id"] != next["id"] {
		t.Fatalf("the next customer's key finds %v, want %v", s, next["id"])
	}
	if s := find("T1-previous"); s == nil || s["id"] != previous["id"] {
		t.Fatalf("the previous customer's key finds %v", s)
	}
	display, _ := connect(t, k, "till=T1&role=display")
	display.send(map[string]any{"type": "sale.find", "idempotency_key": "T1-next"})
	display.expectError("forbidden")
}

func TestTheCustomerDisplayShowsWhomATransferGoesTo(t *testing.T) {
	dir := t.TempDir()
	k := startKiosk(t, dir, withBank, func(c *Config) { c.BankName = "Agribank Cà Mau" })
	till, _ := connect(t, k, "till=T1&role=till")
	display, st := connect(t, k, "till=T1&role=display")
	if b := st["bank"].(map[string]any); b["name"] != "Agribank Cà Mau" || b["holder"] != "HTX ONG MAT U MINH HA" {
		t.Fatalf("bank in the state: %v", b)
	}
	till.send(map[string]any{"type": "cart.add", "sku": "BT-KD-400"})
	till.expect("cart")
	till.send(map[string]any{"type": "pay.vietqr"})
	p := display.expect("vietqr")["pending"].(map[string]any)
	b := p["bank"].(map[string]any)
	if b["bin"] != "970405" || b["account"] != "7300205123456" || b["holder"] != "HTX ONG MAT U MINH HA" || b["name"] != "Agribank Cà Mau" {
		t.Fatalf("the display shows the account as %v", b)
	}
	// The transfer's reference, as shown, goes with the sale and on its receipt.
	ref := p["reference"].(string)
	till.send(map[string]any{"type": "checkout", "payments": []map[string]any{{"method": "vietqr", "amount": p["amount"]}}})
	sale := till.expect("sale")["sale"].(map[string]any)
	if got := sale["payments"].([]any)[0].(map[string]any)["reference"]; got != ref {
		t.Fatalf("the sale's transfer reference %v, the screens showed %q", got, ref)
	}
	id := sale["id"].(string)
	waitFor(t, "the receipt printed", func() bool { return len(printed(t, dir, id)) == 1 })
	if text := printed(t, dir, id)[0]; !strings.Contains(text, "ND: "+ref) {
		t.Fatalf("the receipt lacks %q:\n%s", ref, text)
	}
}

func TestOrderSettingsAreChecked(t *testing.T) {
	for _, tt := range []struct {
		name string
		set  func(*Config)
		want string
	}{
		{"an order expiry under a minute", func(c *Config) { c.OrderExpiry = 30 * time.Second }, "order expiry"},
		{"an order expiry of days", func(c *Config) { c.OrderExpiry = 72 * time.Hour }, "order expiry"},
		{"a holder with no account", func(c *Config) { c.BankHolder = "NGUYEN VAN A" }, "-bank-bin"},
		{"a holder on two lines", func(c *Config) { withBank(c); c.BankHolder = "A\nB" }, "one line"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := Defaults()
			tt.set(&c)
			if err := c.normalize(); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("normalize: %v, want an error about %q", err, tt.want)
			}
		})
	}
	c := Defaults()
	if err := c.normalize(); err != nil || c.OrderExpiry != 15*time.Minute {
		t.Fatalf("defaults: %v, expiry %s", err, c.OrderExpiry)
	}
}
