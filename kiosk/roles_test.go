package kiosk

import (
	"testing"
)

func TestDisplayAndSelfServiceTokensReadOnlyWhatTheirScreensShow(t *testing.T) {
	k := startKiosk(t, t.TempDir())
	k.sell(t, map[string]any{"lines": []map[string]any{{"sku": "CM-MO-500", "qty": 1}},
		"payments": []map[string]any{{"method": "cash", "amount": 500000}}})
	_, display := k.pairDevice(t, "customer display", roleDisplay, "T1")
	_, self := k.pairDevice(t, "self-service", roleSelf, "T1")
	for _, screen := range []struct{ role, tok string }{{roleDisplay, display}, {roleSelf, self}} {
		for _, path := range []string{
			"/api/v1/sales",              // every sale, with its e-receipt id
			"/api/v1/sales?order=desc",   // the manager's journal
			"/api/v1/shifts/current",     // the drawer's cash
			"/api/v1/shifts",             // every shift's totals
			"/api/v1/print-jobs",         // receipts waiting to print
			"/api/v1/catalog/export",     // the whole catalog with stock
			"/api/v1/sync",               // the hub and its outbox
			"/api/v1/lots?sku=CM-MO-500", // lots as the manager edits them
			"/api/v1/printers",           // printer names and queues
			"/api/v1/orders?state=all",   // every closed order
		} {
			if screen.role == roleSelf && path == "/api/v1/orders?state=all" {
				continue // its own till's orders: TestScreensPairedForSelfServiceSeeOnlyTheirOwnOrders
			}
			t.Run("a "+screen.role+" reading "+path+" is refused", func(t *testing.T) {
				r := k.do("GET", path, nil, "Authorization", "Bearer "+screen.tok)
				if r.Status != 403 || r.errCode(t) != "not_allowed" {
					t.Fatalf("%d %.200s, want 403 not_allowed", r.Status, r.Body)
				}
			})
		}
	}
	for _, path := range []string{"/api/v1/products?q=mat", "/api/v1/products/CM-MO-500", "/api/v1/producers"} {
		t.Run("a self-service screen browsing "+path+" is served", func(t *testing.T) {
			if r := k.do("GET", path, nil, "Authorization", "Bearer "+self); r.Status != 200 {
				t.Fatalf("%d %.200s", r.Status, r.Body)
			}
		})
	}
}
