package kiosk

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
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

// accessCodes are the error codes of an access refusal: a route that serves
// a caller answers anything but these.
var accessCodes = map[string]bool{"unauthorized": true, "forbidden": true, "not_allowed": true,
	"pin_required": true, "bad_pin": true, "pin_locked": true, "cross_site": true, "unknown_host": true}

// samplePath fills a route's parameters.
func samplePath(path string) string {
	for param, v := range map[string]string{":sku": "CM-MO-500", ":lot": "UM2605-01", ":ref": "01KAAAAAAAAAAAAAAAAAAAAAAA",
		":id": "01KAAAAAAAAAAAAAAAAAAAAAAA", ":name": "receipt", "*": "nothing-here"} {
		path = strings.ReplaceAll(path, param, v)
	}
	return path
}

func TestEveryRouteAnswersEachCallerAsTheTableSays(t *testing.T) {
	srv, k := loopbackServer(t)
	token := func(role string) string {
		_, tok, err := srv.guard.pair("a "+role+" screen", role, "T1")
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	revoked, revokedTok, err := srv.guard.pair("a stolen till", roleTill, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.guard.revoke(revoked.ID); err != nil {
		t.Fatal(err)
	}
	type callerCase struct {
		name string
		kind access // byLAN for no credential
		tok  string
		lan  bool // from a LAN address (app.Test); else from loopback
		bad  bool // a revoked token
	}
	callers := []callerCase{
		{"anyone on the LAN", byLAN, "", true, false},
		{"a revoked till on the LAN", byLAN, revokedTok, true, true},
		{"the kiosk's own screen", byKiosk, "", false, false},
		{"a paired till", byTill, token(roleTill), true, false},
		{"a screen paired before roles", byTill, token(""), true, false},
		{"a customer display", byDisplay, token(roleDisplay), true, false},
		{"a self-service screen", bySelf, token(roleSelf), true, false},
		{"a customer display on the kiosk machine", byDisplay, token(roleDisplay), false, false},
	}
	call := func(cc callerCase, method, path string, pin bool) answer {
		t.Helper()
		var body io.Reader
		if method != "GET" {
			body = strings.NewReader(`{}`)
		}
		req, err := http.NewRequest(method, path, body)
		if err != nil {
			t.Fatal(err)
		}
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		if cc.tok != "" {
			req.Header.Set("Authorization", "Bearer "+cc.tok)
		}
		if pin {
			req.Header.Set("X-Manager-Pin", testPIN)
		}
		var res *http.Response
		if cc.lan {
			res, err = srv.app.Test(req, 20000)
		} else {
			req.URL, _ = url.Parse(k.url + path)
			req.Host = req.URL.Host
			res, err = http.DefaultClient.Do(req)
		}
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		a := answer{status: res.StatusCode, body: b}
		var e struct{ Error struct{ Code string } }
		if json.Unmarshal(b, &e) == nil {
			a.code = e.Error.Code
		}
		return a
	}
	routes := srv.app.GetRoutes(true)
	seen := map[string]bool{}
	for _, rt := range routes {
		rule, ok := accessOf(rt.Method, rt.Path)
		if !ok {
			t.Errorf("%s %s is served but has no rule in routeTable", rt.Method, rt.Path)
			continue
		}
		if rt.Method == "HEAD" {
			continue // answered as GET
		}
		seen[rt.Method+" "+rt.Path] = true
		for _, cc := range callers {
			for _, pin := range []bool{false, true} {
				if pin && rule&needsPIN == 0 && !(cc.kind == byDisplay || cc.kind == bySelf) {
					continue
				}
				wantStatus, wantCode := 0, "" // 0: served
				switch {
				case rule.admits(byLAN):
				case cc.bad:
					wantStatus, wantCode = 403, "forbidden"
				case cc.kind == byLAN:
					wantStatus, wantCode = 401, "unauthorized"
				case pin && (cc.kind == byDisplay || cc.kind == bySelf):
					wantStatus, wantCode = 403, "not_allowed"
				case !rule.admits(cc.kind):
					wantStatus, wantCode = 403, "not_allowed"
				case rule&needsPIN != 0 && !pin:
					wantStatus, wantCode = 401, "pin_required"
				}
				name := fmt.Sprintf("%s %s by %s", rt.Method, rt.Path, cc.name)
				if pin {
					name += " with the PIN"
				}
				t.Run(name, func(t *testing.T) {
					a := call(cc, rt.Method, samplePath(rt.Path), pin)
					if wantStatus == 0 {
						if accessCodes[a.code] {
							t.Fatalf("refused: %d %.200s", a.status, a.body)
						}
						return
					}
					if a.status != wantStatus || a.code != wantCode {
						t.Fatalf("%d %.200s, want %d %s", a.status, a.body, wantStatus, wantCode)
					}
				})
			}
		}
	}
	for _, r := range routeTable {
		if !seen[r.Method+" "+r.Path] {
			t.Errorf("routeTable names %s %s, which the kiosk does not serve", r.Method, r.Path)
		}
	}
}

// roleTableMarkdown is routeTable as README "Who may call what" shows it.
func roleTableMarkdown() string {
	var b strings.Builder
	b.WriteString("| method and path | LAN | kiosk's own screen | paired till | customer display | self-service |\n")
	b.WriteString("|---|:-:|:-:|:-:|:-:|:-:|\n")
	for _, r := range routeTable {
		fmt.Fprintf(&b, "| `%s %s` |", r.Method, r.Path)
		for _, kind := range []access{byLAN, byKiosk, byTill, byDisplay, bySelf} {
			switch {
			case !r.Access.admits(kind):
				b.WriteString(" – |")
			case r.Access&needsPIN != 0:
				b.WriteString(" PIN |")
			default:
				b.WriteString(" ✓ |")
			}
		}
		b.WriteString("\n")
	}
	return b.String()
}

func TestTheREADMEShowsTheRoleTableOfTheCode(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	want := roleTableMarkdown()
	if !strings.Contains(string(readme), want) {
		t.Fatalf("README \"Who may call what\" differs from routeTable; it should read:\n\n%s", want)
	}
}
