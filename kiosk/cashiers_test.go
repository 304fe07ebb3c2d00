package kiosk

import (
	"strings"
	"testing"

	"github.com/ocop-kiosk/kiosk/pos"
)

// addCashier names a cashier through the manager's API.
func (k *testKiosk) addCashier(t *testing.T, name, pin string) pos.SaleCashier {
	t.Helper()
	r := k.do("POST", "/api/v1/cashiers", map[string]any{"name": name, "pin": pin}, "X-Manager-Pin", testPIN)
	if r.Status != 201 {
		t.Fatalf("adding cashier %s: %d %s", name, r.Status, r.Body)
	}
	var c pos.SaleCashier
	r.json(t, &c)
	return c
}

// A kiosk with cashiers sells at a till only with one signed in, by their
// PIN; the sale records who sold, the receipt prints the name, the Z-report
// totals each, and a removed cashier is signed out of the tills.
func TestACashierSignsInAtTheTillAndTheSalesNameThem(t *testing.T) {
	dir := t.TempDir()
	k := startKiosk(t, dir)
	till, state := connect(t, k, "till=T1&role=till")
	if state["cashiers_required"] != false || state["cashier"] != nil {
		t.Fatalf("a kiosk without cashiers: %v %v", state["cashiers_required"], state["cashier"])
	}

	// Naming cashiers is the manager's; their PINs are never listed.
	if r := k.do("POST", "/api/v1/cashiers", map[string]any{"name": "Lan", "pin": "4821"}); r.Status != 401 && r.Status != 403 {
		t.Fatalf("a cashier added without the manager PIN: %d", r.Status)
	}
	for _, bad := range []map[string]any{{"name": "", "pin": "4821"}, {"name": "Lan", "pin": "48"}, {"name": "Lan", "pin": "abcd"}} {
		if r := k.do("POST", "/api/v1/cashiers", bad, "X-Manager-Pin", testPIN); r.Status != 422 || r.errCode(t) != "bad_cashier" {
			t.Errorf("cashier %v: %d %s", bad, r.Status, r.Body)
		}
	}
	lan := k.addCashier(t, "Nguyễn Thị Lan", "4821")
	if m := till.expect("cashiers"); m["required"] != true {
		t.Errorf("the till was not told cashiers are now required: %v", m)
	}
	list := k.do("GET", "/api/v1/cashiers", nil)
	if list.Status != 200 || !strings.Contains(string(list.Body), "Nguyễn Thị Lan") || strings.Contains(string(list.Body), "hash") ||
		strings.Contains(string(list.Body), "salt") {
		t.Fatalf("cashiers: %d %s", list.Status, list.Body)
	}

	// No cashier at the till: nothing is sold, over the websocket or REST.
	till.send(map[string]any{"type": "cart.add", "sku": "CM-MO-500", "qty": 1})
	till.expect("cart")
	price := k.product("CM-MO-500").Price
	pay := []map[string]any{{"method": "cash", "amount": price}}
	till.send(map[string]any{"type": "checkout", "ref": "c1", "payments": pay})
	till.expectError("cashier_required")
	if r := k.do("POST", "/api/v1/sales", sale("CM-MO-500", 1)); r.Status != 409 || r.errCode(t) != "cashier_required" {
		t.Errorf("a REST sale without its cashier: %d %s", r.Status, r.Body)
	}

	// A wrong PIN signs no one in; the right one does, and the till's
	// screens hear who.
	till.send(map[string]any{"type": "cashier.signin", "id": lan.ID, "pin": "0000"})
	till.expectError("bad_cashier_pin")
	till.send(map[string]any{"type": "cashier.signin", "id": lan.ID, "pin": "4821", "ref": "in"})
	if m := till.expect("cashier"); m["cashier"].(map[string]any)["name"] != "Nguyễn Thị Lan" {
		t.Fatalf("signed in: %v", m)
	}
	till.send(map[string]any{"type": "checkout", "ref": "c2", "payments": pay})
	sold := till.expect("sale")["sale"].(map[string]any)
	if c, _ := sold["cashier"].(map[string]any); c == nil || c["id"] != lan.ID || c["name"] != "Nguyễn Thị Lan" {
		t.Fatalf("the sale's cashier: %v", sold["cashier"])
	}
	id := sold["id"].(string)
	waitFor(t, "the receipt printed", func() bool { return len(printed(t, dir, id)) == 1 })
	if text := printed(t, dir, id)[0]; !strings.Contains(text, "Thu ngân: Nguyễn Thị Lan") {
		t.Errorf("the receipt does not name the cashier:\n%s", text)
	}
	if page := k.do("GET", "/r/"+id, nil); !strings.Contains(string(page.Body), "Thu ngân: Nguyễn Thị Lan") {
		t.Errorf("the e-receipt page does not name the cashier: %d", page.Status)
	}

	// REST names the cashier in headers, PIN and all.
	// A cashier claimed in the body is not who sold: the checked headers are.
	paid := sale("CM-MO-500", 1)
	paid["payments"] = pay
	paid["cashier"] = map[string]any{"id": "x", "name": "Giám đốc"}
	r := k.do("POST", "/api/v1/sales", paid, "X-Cashier-Id", lan.ID, "X-Cashier-Pin", "4821")
	if r.Status != 201 || !strings.Contains(string(r.Body), `"cashier":{"id":"`+lan.ID) || strings.Contains(string(r.Body), "Giám đốc") {
		t.Errorf("a REST sale naming its cashier: %d %s", r.Status, r.Body)
	}
	if r := k.do("POST", "/api/v1/sales", paid, "X-Cashier-Id", lan.ID, "X-Cashier-Pin", "1111"); r.Status != 403 || r.errCode(t) != "bad_cashier_pin" {
		t.Errorf("a REST sale with a wrong cashier PIN: %d %s", r.Status, r.Body)
	}

	// The shift's report totals the cashier's sales.
	var z pos.ZReport
	k.do("GET", "/api/v1/shifts/current", nil).json(t, &z)
	if len(z.ByCashier) != 1 || z.ByCashier[0].Name != "Nguyễn Thị Lan" || z.ByCashier[0].Sales != 2 || z.ByCashier[0].Net != 2*price {
		t.Errorf("by cashier: %+v", z.ByCashier)
	}

	// Closing the shift signs the tills' cashiers out: the next shift signs in anew.
	if r := k.do("POST", "/api/v1/shifts/close", map[string]any{"counted": 0}, "X-Manager-Pin", testPIN); r.Status != 200 {
		t.Fatalf("closing the shift: %d %s", r.Status, r.Body)
	}
	if m := till.expect("cashier"); m["cashier"] != nil {
		t.Errorf("after the shift closed the till's cashier is %v", m["cashier"])
	}
	till.send(map[string]any{"type": "cashier.signin", "id": lan.ID, "pin": "4821"})
	till.expect("cashier")

	// Removed, the cashier is signed out of the till at once.
	if r := k.do("DELETE", "/api/v1/cashiers/"+lan.ID, nil, "X-Manager-Pin", testPIN); r.Status != 204 {
		t.Fatalf("removing: %d %s", r.Status, r.Body)
	}
	if m := till.expect("cashier"); m["cashier"] != nil {
		t.Errorf("after the removal the till's cashier is %v", m["cashier"])
	}
}

// Guesses at a cashier's PIN are limited: after five wrong ones from the same
// screen, even the right PIN waits.
func TestCashierPINGuessesAreLimited(t *testing.T) {
	k := startKiosk(t, t.TempDir())
	lan := k.addCashier(t, "Lan", "4821")
	till, _ := connect(t, k, "till=T1&role=till")
	for range 5 {
		till.send(map[string]any{"type": "cashier.signin", "id": lan.ID, "pin": "0000"})
		till.expectError("bad_cashier_pin")
	}
	till.send(map[string]any{"type": "cashier.signin", "id": lan.ID, "pin": "4821"})
	till.expectError("pin_locked")
	// A customer display cannot sign anyone in.
	display, _ := connect(t, k, "till=T1&role=display")
	display.send(map[string]any{"type": "cashier.signin", "id": lan.ID, "pin": "4821"})
	display.expectError("forbidden")
}

// A cashier's right PIN forgives the address its slips at cashiers' PINs,
// never at the manager PIN: signing in between guesses buys no more guesses
// at the manager PIN (README "Guessing budget").
func TestACashiersSignInForgivesNoManagerPINGuesses(t *testing.T) {
	k := startKiosk(t, t.TempDir())
	lan := k.addCashier(t, "Lan", "4821")
	till, _ := connect(t, k, "till=T1&role=till")
	check := func(pin string) int { return k.do("GET", "/api/v1/manager/check", nil, "X-Manager-Pin", pin).Status }
	for range 4 {
		if got := check("000000"); got != 403 {
			t.Fatalf("a wrong manager PIN: %d", got)
		}
	}
	till.send(map[string]any{"type": "cashier.signin", "id": lan.ID, "pin": "4821"})
	till.expect("cashier")
	if got := check("000000"); got != 403 {
		t.Fatalf("the fifth wrong manager PIN: %d", got)
	}
	if got := check(testPIN); got != 429 {
		t.Errorf("after five wrong manager PINs from one address, a cashier's sign-in among them, the right one answers %d, want 429", got)
	}
}
