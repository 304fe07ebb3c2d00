package kiosk

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ocop-kiosk/kiosk/pos"
)

const testPIN = "246810"

// testKiosk is a kiosk running in-process on a loopback port with a real store.
type testKiosk struct {
	t    testing.TB
	url  string
	cfg  Config
	stop func()
}

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// startKiosk runs Run on 127.0.0.1:0 in dir and stops it when the test ends.
func startKiosk(t testing.TB, dir string, mutate ...func(*Config)) *testKiosk {
	t.Helper()
	cfg := Defaults()
	cfg.DataDir = dir
	cfg.ManagerPIN = testPIN
	cfg.Logger = quietLogger()
	cfg.Out = io.Discard
	for _, m := range mutate {
		m(&cfg)
	}
	if cfg.Listener == nil {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		cfg.Listener = ln
	}
	ready := make(chan string, 1)
	cfg.Ready = func(addr string) { ready <- addr }
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Run(ctx, cfg) }()
	var addr string
	select {
	case addr = <-ready:
	case err := <-done:
		cancel()
		t.Fatalf("kiosk did not start: %v", err)
	case <-time.After(10 * time.Second):
		cancel()
		t.Fatal("kiosk did not start within 10 s")
	}
	k := &testKiosk{t: t, url: "http://" + addr, cfg: cfg}
	stopped := false
	k.stop = func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run returned %v", err)
			}
		case <-time.After(15 * time.Second):
			t.Error("kiosk did not stop within 15 s")
		}
	}
	t.Cleanup(k.stop)
	return k
}

type resp struct {
	Status int
	Header http.Header
	Body   []byte
}

func (r resp) json(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
}

// errCode returns the stable code of a JSON error body.
func (r resp) errCode(t testing.TB) string {
	t.Helper()
	var e struct {
		Error struct{ Code, Message string }
	}
	if err := json.Unmarshal(r.Body, &e); err != nil || e.Error.Code == "" {
		t.Fatalf("want a JSON error body, got %d %s", r.Status, r.Body)
	}
	return e.Error.Code
}

func (k *testKiosk) do(method, path string, body any, headers ...string) resp {
	k.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			k.t.Fatal(err)
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, k.url+path, rd)
	if err != nil {
		k.t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		k.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		k.t.Fatal(err)
	}
	return resp{res.StatusCode, res.Header, data}
}

func sale(lines ...any) map[string]any {
	var ls []map[string]any
	for i := 0; i+1 < len(lines); i += 2 {
		ls = append(ls, map[string]any{"sku": lines[i], "qty": lines[i+1]})
	}
	return map[string]any{"lines": ls}
}

func (k *testKiosk) product(sku string) productView {
	k.t.Helper()
	r := k.do("GET", "/api/v1/products/"+sku, nil)
	if r.Status != 200 {
		k.t.Fatalf("product %s: %d %s", sku, r.Status, r.Body)
	}
	var out struct{ Product productView }
	r.json(k.t, &out)
	return out.Product
}

func (k *testKiosk) sell(t *testing.T, body map[string]any) pos.Sale {
	t.Helper()
	r := k.do("POST", "/api/v1/sales", body)
	if r.Status != 201 {
		t.Fatalf("sale: %d %s", r.Status, r.Body)
	}
	var s pos.Sale
	r.json(t, &s)
	return s
}

func TestHealthzAnswersWithTheKioskID(t *testing.T) {
	k := startKiosk(t, t.TempDir())
	r := k.do("GET", "/healthz", nil)
	var h struct {
		Status  string `json:"status"`
		KioskID string `json:"kiosk_id"`
	}
	r.json(t, &h)
	if r.Status != 200 || h.Status != "ok" || h.KioskID != "K01" {
		t.Fatalf("healthz: %d %s", r.Status, r.Body)
	}
}

func TestProductSearchFoldsVietnamese(t *testing.T) {
	k := startKiosk(t, t.TempDir())
	tests := []struct {
		name, query string
		want        string // a SKU that must be in the results
	}{
		{"without tone marks", "mat ong u minh", "CM-MO-500"},
		{"with tone marks", "Mật ong U Minh Hạ", "CM-MO-500"},
		{"by English name", "honey", "CM-MO-500"},
		{"by exact SKU", "CM-MO-500", "CM-MO-500"},
		{"by GTIN-13 as scanned", "8936072100152", "CM-MO-500"},
		{"by d for đ", "dua luoi", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := k.do("GET", "/api/v1/products?q="+urlQuery(tt.query), nil)
			var out struct {
				Products []productView
				Total    int
			}
			r.json(t, &out)
			if r.Status != 200 || out.Total == 0 {
				t.Fatalf("q=%q: %d, %d results", tt.query, r.Status, out.Total)
			}
			if tt.want == "" {
				return
			}
			for _, p := range out.Products {
				if p.SKU == tt.want {
					if p.Price <= 0 || p.ProducerName == "" || p.Stock <= 0 || p.Stars < 3 {
						t.Errorf("product view lacks fields: %+v", p)
					}
					return
				}
			}
			t.Errorf("q=%q: %s not among %d results", tt.query, tt.want, len(out.Products))
		})
	}
	t.Run("filters by stars and group", func(t *testing.T) {
		r := k.do("GET", "/api/v1/products?stars=5&group=food&limit=1000", nil)
		var out struct{ Products []productView }
		r.json(t, &out)
		if len(out.Products) == 0 {
			t.Fatal("no 5-star food products in the demo catalog")
		}
		for _, p := range out.Products {
			if p.Stars != 5 || p.Group != pos.GroupFood {
				t.Errorf("%s: %d stars, group %s", p.SKU, p.Stars, p.Group)
			}
		}
	})
	t.Run("rejects a bad group", func(t *testing.T) {
		r := k.do("GET", "/api/v1/products?group=cars", nil)
		if r.Status != 400 || r.errCode(t) != "bad_query" {
			t.Fatalf("got %d %s", r.Status, r.Body)
		}
	})
}

func urlQuery(s string) string {
	return strings.NewReplacer(" ", "%20").Replace(s)
}

func TestSaleIsPricedByTheServer(t *testing.T) {
	k := startKiosk(t, t.TempDir())
	before := k.product("CM-MO-500")
	body := map[string]any{
		"lines":    []map[string]any{{"sku": "CM-MO-500", "qty": 2, "price": 1, "total": 2}},
		"payments": []map[string]any{{"method": "cash", "amount": 1000000}},
		"total":    2,
	}
	s := k.sell(t, body)
	want := before.Price * 2
	if s.Total != want || s.Lines[0].Price != before.Price {
		t.Fatalf("total %d (line price %d), want %d from the catalog", s.Total, s.Lines[0].Price, want)
	}
	if s.Change != 1000000-want || s.Payments[0].Tendered != 1000000 || s.Payments[0].Amount != want {
		t.Errorf("cash: %+v, change %d", s.Payments, s.Change)
	}
	if s.ReceiptNo != "K01-000001" || !pos.ValidID(s.ID) {
		t.Errorf("receipt %q id %q", s.ReceiptNo, s.ID)
	}
	if got := k.product("CM-MO-500").Stock; got != before.Stock-2 {
		t.Errorf("stock %d, want %d", got, before.Stock-2)
	}
	r := k.do("GET", "/api/v1/sales/"+s.ID, nil)
	var again pos.Sale
	r.json(t, &again)
	if r.Status != 200 || again.ReceiptNo != s.ReceiptNo || again.Total != s.Total {
		t.Errorf("GET sale: %d %s", r.Status, r.Body)
	}
}

func TestBadSalesChangeNothing(t *testing.T) {
	k := startKiosk(t, t.TempDir())
	price := k.product("CM-MO-500").Price
	stock := k.product("CM-MO-500").Stock
	cash := func(amount, tendered int64) []map[string]any {
		p := map[string]any{"method": "cash", "amount": amount}
		if tendered > 0 {
			p["tendered"] = tendered
		}
		return []map[string]any{p}
	}
	line := func(sku string, qty any) []map[string]any { return []map[string]any{{"sku": sku, "qty": qty}} }
	tests := []struct {
		name   string
		body   any
		status int
		code   string
	}{
		{"malformed JSON", `{"lines":[`, 400, "bad_json"},
		{"an empty body", ``, 400, "bad_json"},
		{"trailing garbage", `{"lines":[]} x`, 400, "bad_json"},
		{"a string for a quantity", `{"lines":[{"sku":"CM-MO-500","qty":"2"}],"payments":[]}`, 400, "bad_json"},
		{"an unknown SKU", map[string]any{"lines": line("NO-SUCH", 1), "payments": cash(int64(price), 0)}, 422, "unknown_sku"},
		{"a zero quantity", map[string]any{"lines": line("CM-MO-500", 0), "payments": cash(int64(price), 0)}, 422, "bad_quantity"},
		{"a negative quantity", map[string]any{"lines": line("CM-MO-500", -3), "payments": cash(int64(price), 0)}, 422, "bad_quantity"},
		{"an absurd quantity", map[string]any{"lines": line("CM-MO-500", 10001), "payments": cash(int64(price)*10001, 0)}, 422, "bad_quantity"},
		{"a quantity beyond int64", `{"lines":[{"sku":"CM-MO-500","qty":99999999999999999999}],"payments":[]}`, 400, "bad_json"},
		{"no lines", map[string]any{"lines": []any{}, "payments": cash(1000, 0)}, 422, "empty_sale"},
		{"no payments", map[string]any{"lines": line("CM-MO-500", 1)}, 422, "bad_payment"},
		{"payments short of the total", map[string]any{"lines": line("CM-MO-500", 1), "payments": cash(int64(price)-1, 0)}, 422, "payment_short"},
		{"tendered below the cash due", map[string]any{"lines": line("CM-MO-500", 1), "payments": cash(int64(price), int64(price)-1000)}, 422, "tendered_short"},
		{"card above the total", map[string]any{"lines": line("CM-MO-500", 1), "payments": []map[string]any{{"method": "card", "amount": int64(price) + 1}}}, 422, "overpaid"},
		{"an unknown payment method", map[string]any{"lines": line("CM-MO-500", 1), "payments": []map[string]any{{"method": "gold", "amount": int64(price)}}}, 422, "bad_payment"},
		{"a payment that overflows", map[string]any{"lines": line("CM-MO-500", 1), "payments": []map[string]any{{"method": "card", "amount": int64(1) << 62}, {"method": "card", "amount": int64(1) << 62}}}, 422, "bad_payment"},
		{"more than is in stock", map[string]any{"lines": line("CM-MO-500", stock+1), "payments": cash(int64(price)*(stock+1), 0)}, 409, "out_of_stock"},
		// A body over 1 MiB: TestABodyOverTheLimitIsAnsweredNotReset (an HTTP
		// client that is still writing when the 413 comes may report the
		// write's reset instead of the answer).
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := k.do("POST", "/api/v1/sales", tt.body)
			if r.Status != tt.status || r.errCode(t) != tt.code {
				t.Fatalf("got %d %s, want %d %s", r.Status, r.Body, tt.status, tt.code)
			}
		})
	}
	if got := k.product("CM-MO-500").Stock; got != stock {
		t.Errorf("stock moved from %d to %d", stock, got)
	}
	r := k.do("GET", "/api/v1/sales", nil)
	var list struct{ Count int }
	r.json(t, &list)
	if list.Count != 0 {
		t.Fatalf("%d sales recorded by bad requests", list.Count)
	}
	// The next good sale gets the first receipt number: nothing was consumed.
	s := k.sell(t, map[string]any{"lines": line("CM-MO-500", 1), "payments": cash(int64(price), 0)})
	if s.ReceiptNo != "K01-000001" {
		t.Errorf("first good sale numbered %s", s.ReceiptNo)
	}
}

func TestIdempotencyKeyReturnsTheFirstSale(t *testing.T) {
	k := startKiosk(t, t.TempDir())
	body := sale("CM-MO-500", 1)
	body["payments"] = []map[string]any{{"method": "vietqr", "amount": k.product("CM-MO-500").Price}}
	first := k.do("POST", "/api/v1/sales", body, "Idempotency-Key", "till1-0001")
	second := k.do("POST", "/api/v1/sales", body, "Idempotency-Key", "till1-0001")
	var a, b pos.Sale
	first.json(t, &a)
	second.json(t, &b)
	if first.Status != 201 || second.Status != 201 || a.ID != b.ID || a.ReceiptNo != b.ReceiptNo {
		t.Fatalf("retry made another sale: %s vs %s", first.Body, second.Body)
	}
	if second.Header.Get("Idempotent-Replayed") != "true" {
		t.Error("the replay is not marked")
	}
	body["lines"] = []map[string]any{{"sku": "CM-MO-500", "qty": 2}}
	third := k.do("POST", "/api/v1/sales", body, "Idempotency-Key", "till1-0001")
	if third.Status != 409 || third.errCode(t) != "idempotency_key_reused" {
		t.Fatalf("reused key with another body: %d %s", third.Status, third.Body)
	}
}

func TestVoidAndRefundNeedTheManagerPIN(t *testing.T) {
	k := startKiosk(t, t.TempDir())
	price := k.product("BT-KD-400").Price
	stock := k.product("BT-KD-400").Stock
	body := sale("BT-KD-400", 3)
	body["payments"] = []map[string]any{{"method": "card", "amount": price * 3}}
	s := k.sell(t, body)

	if r := k.do("POST", "/api/v1/sales/"+s.ID+"/void", nil); r.Status != 401 || r.errCode(t) != "pin_required" {
		t.Fatalf("void without PIN: %d %s", r.Status, r.Body)
	}
	if r := k.do("POST", "/api/v1/sales/"+s.ID+"/void", nil, "X-Manager-Pin", "000000"); r.Status != 403 || r.errCode(t) != "bad_pin" {
		t.Fatalf("void with a wrong PIN: %d %s", r.Status, r.Body)
	}
	r := k.do("POST", "/api/v1/sales/"+s.ID+"/void", map[string]any{"reason": "wrong item"}, "X-Manager-Pin", testPIN)
	if r.Status != 201 {
		t.Fatalf("void: %d %s", r.Status, r.Body)
	}
	var v pos.Sale
	r.json(t, &v)
	if v.Kind != pos.KindVoid || v.Original != s.ID || v.Total != -s.Total || v.ReceiptNo != "K01-000002" {
		t.Errorf("void record: %+v", v)
	}
	if got := k.product("BT-KD-400").Stock; got != stock {
		t.Errorf("stock after void %d, want %d", got, stock)
	}
	var orig pos.Sale
	k.do("GET", "/api/v1/sales/"+s.ID, nil).json(t, &orig)
	if orig.Status != pos.StatusVoided {
		t.Errorf("original status %q", orig.Status)
	}
	if r := k.do("POST", "/api/v1/sales/"+s.ID+"/void", nil, "X-Manager-Pin", testPIN); r.Status != 409 || r.errCode(t) != "already_voided" {
		t.Errorf("second void: %d %s", r.Status, r.Body)
	}
	if r := k.do("POST", "/api/v1/sales/"+v.ID+"/void", nil, "X-Manager-Pin", testPIN); r.Status != 409 || r.errCode(t) != "not_voidable" {
		t.Errorf("void of a void: %d %s", r.Status, r.Body)
	}
	if r := k.do("POST", "/api/v1/sales/NOPE/void", nil, "X-Manager-Pin", testPIN); r.Status != 404 || r.errCode(t) != "not_found" {
		t.Errorf("void of nothing: %d %s", r.Status, r.Body)
	}

	s2 := k.sell(t, body)
	r = k.do("POST", "/api/v1/sales/"+s2.ID+"/refund", map[string]any{"lines": []map[string]any{{"sku": "BT-KD-400", "qty": 1}}, "method": "card"}, "X-Manager-Pin", testPIN)
	var rf pos.Sale
	r.json(t, &rf)
	if r.Status != 201 || rf.Total != -price || rf.Kind != pos.KindRefund {
		t.Fatalf("refund: %d %s", r.Status, r.Body)
	}
	r = k.do("POST", "/api/v1/sales/"+s2.ID+"/refund", map[string]any{"lines": []map[string]any{{"sku": "BT-KD-400", "qty": 3}}}, "X-Manager-Pin", testPIN)
	if r.Status != 422 || r.errCode(t) != "refund_too_large" {
		t.Errorf("over-refund: %d %s", r.Status, r.Body)
	}
}

func TestShiftOpensCloseOnceWithAZReport(t *testing.T) {
	k := startKiosk(t, t.TempDir())
	r := k.do("POST", "/api/v1/shifts/open", map[string]any{"float": 500000})
	if r.Status != 201 {
		t.Fatalf("open: %d %s", r.Status, r.Body)
	}
	if r := k.do("POST", "/api/v1/shifts/open", map[string]any{"float": 1}); r.Status != 409 || r.errCode(t) != "shift_open" {
		t.Fatalf("second open: %d %s", r.Status, r.Body)
	}
	honey := k.product("CM-MO-500").Price
	body := sale("CM-MO-500", 1)
	body["payments"] = []map[string]any{{"method": "cash", "amount": honey, "tendered": honey + 30000}}
	k.sell(t, body)
	body["payments"] = []map[string]any{{"method": "vietqr", "amount": 20000}, {"method": "cash", "amount": honey - 20000}}
	k.sell(t, body)

	if r := k.do("POST", "/api/v1/shifts/close", map[string]any{"counted": 1}); r.Status != 401 {
		t.Fatalf("close without PIN: %d", r.Status)
	}
	r = k.do("POST", "/api/v1/shifts/close", map[string]any{"counted": 500000 + 2*honey - 20000 - 5000}, "X-Manager-Pin", testPIN)
	var z pos.ZReport
	r.json(t, &z)
	if r.Status != 200 || !z.Closed || z.Sales != 2 {
		t.Fatalf("close: %d %s", r.Status, r.Body)
	}
	wantCash := 2*honey - 20000
	if z.ByMethod["cash"] != wantCash || z.ByMethod["vietqr"] != 20000 || z.ExpectedCash != 500000+wantCash || z.CashDifference != -5000 {
		t.Errorf("Z-report cash: %+v", z)
	}
	if r := k.do("POST", "/api/v1/shifts/close", map[string]any{"counted": 1, "shift_id": z.Shift.ID}, "X-Manager-Pin", testPIN); r.Status != 409 || r.errCode(t) != "shift_closed" {
		t.Fatalf("second close: %d %s", r.Status, r.Body)
	}
	if r := k.do("POST", "/api/v1/shifts/close", map[string]any{"counted": 1}, "X-Manager-Pin", testPIN); r.Status != 409 || r.errCode(t) != "no_open_shift" {
		t.Fatalf("close with none open: %d %s", r.Status, r.Body)
	}
}

func TestCatalogImportReportsBadRowsAndWritesNothing(t *testing.T) {
	k := startKiosk(t, t.TempDir())
	csv := strings.Join([]string{
		strings.Join(pos.ProductColumns, ","),
		"NEW-1,,Bánh tráng Trà Vinh,Rice paper,food,4,,,TV-HTX-RACHLOP,gói,30000,8,,10,,,",
		"NEW-2,,Bad price,,food,4,,,TV-HTX-RACHLOP,gói,-5,8,,10,,,",
		"NEW-3,,Bad producer,,food,4,,,NO-SUCH,gói,5000,8,,10,,,",
	}, "\n")
	r := k.do("POST", "/api/v1/catalog/import?kind=products", csv, "X-Manager-Pin", testPIN, "Content-Type", "text/csv")
	if r.Status != 422 || r.errCode(t) != "import_rejected" {
		t.Fatalf("import: %d %s", r.Status, r.Body)
	}
	var e struct {
		Error struct {
			Details struct {
				Rows []pos.RowError `json:"rows"`
			}
		}
	}
	r.json(t, &e)
	if len(e.Error.Details.Rows) != 1 || e.Error.Details.Rows[0].Row != 3 {
		t.Fatalf("want row 3 reported, got %+v", e.Error.Details.Rows)
	}
	if r := k.do("GET", "/api/v1/products/NEW-1", nil); r.Status != 404 {
		t.Fatalf("NEW-1 half-imported: %d", r.Status)
	}
	// With the bad price mended, the unknown producer is the row reported.
	csv = strings.Replace(csv, "gói,-5,", "gói,5,", 1)
	r = k.do("POST", "/api/v1/catalog/import?kind=products", csv, "X-Manager-Pin", testPIN)
	r.json(t, &e)
	if r.Status != 422 || len(e.Error.Details.Rows) != 1 || e.Error.Details.Rows[0].Row != 4 {
		t.Fatalf("import: %d %s", r.Status, r.Body)
	}
	csv = strings.Replace(csv, "NO-SUCH", "TV-HTX-RACHLOP", 1)
	r = k.do("POST", "/api/v1/catalog/import?kind=products", csv, "X-Manager-Pin", testPIN)
	if r.Status != 200 {
		t.Fatalf("good import: %d %s", r.Status, r.Body)
	}
	if p := k.product("NEW-1"); p.Name != "Bánh tráng Trà Vinh" || p.Stock != 10 {
		t.Errorf("imported product: %+v", p)
	}
	r = k.do("GET", "/api/v1/products?q=banh%20trang%20tra%20vinh", nil)
	if !bytes.Contains(r.Body, []byte("NEW-1")) {
		t.Error("the search index did not pick up the import")
	}
	r = k.do("GET", "/api/v1/catalog/export?kind=products", nil)
	if r.Status != 200 || !bytes.Contains(r.Body, []byte("NEW-1,,Bánh tráng Trà Vinh")) {
		t.Errorf("export: %d", r.Status)
	}
}

func TestAPIRefusesOtherClientsUntilPaired(t *testing.T) {
	cfg := Defaults()
	cfg.DataDir = t.TempDir()
	cfg.Logger = quietLogger()
	if err := cfg.normalize(); err != nil {
		t.Fatal(err)
	}
	store, err := pos.Open(cfg.StorePath(), pos.StoreOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	g, err := newGuard(store, "control-secret-for-tests")
	if err != nil {
		t.Fatal(err)
	}
	if err := g.setPIN(testPIN); err != nil {
		t.Fatal(err)
	}
	srv, err := newServer(cfg, store, g)
	if err != nil {
		t.Fatal(err)
	}
	// app.Test serves each request from a non-loopback address (0.0.0.0), as a
	// phone on the fair's Wi-Fi would be.
	lan := func(method, path string, headers ...string) int {
		req, _ := http.NewRequest(method, path, nil)
		for i := 0; i+1 < len(headers); i += 2 {
			req.Header.Set(headers[i], headers[i+1])
		}
		res, err := srv.app.Test(req, 10000)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	if got := lan("GET", "/healthz"); got != 200 {
		t.Errorf("healthz from the LAN: %d", got)
	}
	// Trace pages are public (this store is empty: the GTIN is unknown).
	if got := lan("GET", "/01/08936072100152"); got != 404 {
		t.Errorf("a trace page from the LAN: %d, want the public 404 page", got)
	}
	if got := lan("GET", "/api/v1/products"); got != 401 {
		t.Errorf("products from an unpaired device: %d, want 401", got)
	}
	if got := lan("GET", "/api/v1/products", "Authorization", "Bearer made-up"); got != 403 {
		t.Errorf("products with a made-up token: %d, want 403", got)
	}
	if got := lan("GET", "/api/v1/backup", "X-Kiosk-Control", "control-secret-for-tests"); got != 401 {
		t.Errorf("the control token from the LAN: %d, want 401", got)
	}
	d, tok, err := g.pair("second till", "", "")
	if err != nil {
		t.Fatal(err)
	}
	if got := lan("GET", "/api/v1/products", "Authorization", "Bearer "+tok); got != 200 {
		t.Errorf("products from the paired device: %d", got)
	}
	if got := lan("POST", "/api/v1/sales/x/void", "Authorization", "Bearer "+tok); got != 401 {
		t.Errorf("a manager action from the paired device without PIN: %d, want 401", got)
	}
	for range pinMaxFailures {
		lan("POST", "/api/v1/shifts/close", "Authorization", "Bearer "+tok, "X-Manager-Pin", "111111")
	}
	if got := lan("POST", "/api/v1/shifts/close", "Authorization", "Bearer "+tok, "X-Manager-Pin", testPIN); got != 429 {
		t.Errorf("the right PIN right after %d wrong ones: %d, want 429 (locked out)", pinMaxFailures, got)
	}
	wsUpgrade := []string{"Upgrade", "websocket", "Connection", "Upgrade", "Sec-WebSocket-Version", "13", "Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="}
	if got := lan("GET", "/ws?till=T1", wsUpgrade...); got != 401 {
		t.Errorf("websocket from an unpaired device: %d, want 401", got)
	}
	if got := lan("GET", "/ws?till=T1&token=made-up", wsUpgrade...); got != 403 {
		t.Errorf("websocket with a made-up token: %d, want 403", got)
	}
	if err := g.revoke(d.ID); err != nil {
		t.Fatal(err)
	}
	if got := lan("GET", "/api/v1/products", "Authorization", "Bearer "+tok); got != 403 {
		t.Errorf("products after revoking: %d, want 403", got)
	}
	// Pairing a screen with a short code: shown on the kiosk, claimed from the LAN.
	// (The manager's side, POST /api/v1/pairing, is tested over loopback in
	// TestPairingCodesComeFromTheManager; here the code is put in place.)
	code := "123456"
	srv.pairs.mu.Lock()
	srv.pairs.codes[code] = pairingCode{Till: "T1", Role: roleDisplay, Expires: time.Now().Add(time.Minute)}
	srv.pairs.mu.Unlock()
	claim := func(c string) (int, string) {
		req, _ := http.NewRequest("POST", "/pair/claim", strings.NewReader(`{"code":"`+c+`"}`))
		req.Header.Set("Content-Type", "application/json")
		res, err := srv.app.Test(req, 10000)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var out struct{ Token string }
		_ = json.NewDecoder(res.Body).Decode(&out)
		return res.StatusCode, out.Token
	}
	status, screenTok := claim(code)
	if status != 201 || screenTok == "" {
		t.Fatalf("claiming a pairing code: %d", status)
	}
	if got := lan("GET", "/api/v1/me", "Authorization", "Bearer "+screenTok); got != 200 {
		t.Errorf("the paired screen asking who it is: %d", got)
	}
	if status, _ := claim(code); status != 404 {
		t.Errorf("a code claimed twice: %d, want 404", status)
	}
	// A screen paired as a customer display reads but cannot sell.
	req, _ := http.NewRequest("POST", "/api/v1/sales", strings.NewReader(`{"lines":[{"sku":"X","qty":1}]}`))
	req.Header.Set("Authorization", "Bearer "+screenTok)
	if res, err := srv.app.Test(req, 10000); err != nil || res.StatusCode != 403 {
		t.Errorf("a sale from a display token: %v %v, want 403", err, res.StatusCode)
	}
	if got := lan("GET", "/ws?till=T2&role=display&token="+screenTok, wsUpgrade...); got != 403 {
		t.Errorf("a display of T1 watching T2: %d, want 403", got)
	}
	if got := lan("GET", "/ws?till=T1&role=till&token="+screenTok, wsUpgrade...); got != 403 {
		t.Errorf("a display acting as a till: %d, want 403", got)
	}
	for range pairingMaxClaims {
		claim("000000")
	}
	if status, _ := claim("000001"); status != 429 {
		t.Errorf("guessing codes: %d, want 429", status)
	}
	// A restarted kiosk still knows the paired devices (and not the revoked one).
	d2, tok2, err := g.pair("another till", "", "")
	if err != nil {
		t.Fatal(err)
	}
	g2, err := newGuard(store, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := g2.device(tok2); !ok {
		t.Errorf("device %s forgotten after restart", d2.ID)
	}
	if _, ok := g2.device(tok); ok {
		t.Error("revoked device accepted after restart")
	}
}

func TestBackupWhileSellingAndRestore(t *testing.T) {
	dir := t.TempDir()
	k := startKiosk(t, dir)
	price := k.product("CM-MO-500").Price
	body := sale("CM-MO-500", 1)
	body["payments"] = []map[string]any{{"method": "cash", "amount": price}}
	first := k.sell(t, body)

	if r := k.do("GET", "/api/v1/backup", nil); r.Status != 401 {
		t.Fatalf("backup without PIN: %d", r.Status)
	}
	r := k.do("GET", "/api/v1/backup", nil, "X-Manager-Pin", testPIN)
	if r.Status != 200 || len(r.Body) < 4096 {
		t.Fatalf("backup download: %d, %d bytes", r.Status, len(r.Body))
	}

	// `kiosk backup FILE` while the kiosk runs goes through the running kiosk.
	file := t.TempDir() + "/backup.db"
	cfg := k.cfg
	cfg.Addr = strings.TrimPrefix(k.url, "http://")
	cfg.Listener = nil
	if _, err := Backup(context.Background(), cfg, file); err != nil {
		t.Fatalf("backup while running: %v", err)
	}
	second := k.sell(t, body) // after the backup
	if _, err := Restore(context.Background(), cfg, file); err == nil {
		t.Fatal("restore into a running kiosk's store succeeded")
	}
	k.stop()
	if r, err := Restore(context.Background(), cfg, file); err != nil || r.Sales != 1 {
		t.Fatalf("restore: %d sales, %v", r.Sales, err)
	}
	k2 := startKiosk(t, dir)
	if r := k2.do("GET", "/api/v1/sales/"+first.ID, nil); r.Status != 200 {
		t.Errorf("sale from before the backup missing: %d", r.Status)
	}
	if r := k2.do("GET", "/api/v1/sales/"+second.ID, nil); r.Status != 404 {
		t.Errorf("sale from after the backup present: %d", r.Status)
	}
	// The sale made after the backup was K01-000002 and may be printed and
	// kept by its customer: the restored kiosk must not issue that number again.
	s := k2.sell(t, body)
	if s.ReceiptNo == second.ReceiptNo || s.ReceiptNo != "K01-R1-000001" {
		t.Errorf("after restore the next receipt is %s (the lost sale was %s), want K01-R1-000001", s.ReceiptNo, second.ReceiptNo)
	}
}

func TestSecondKioskOnTheSameDataFailsFast(t *testing.T) {
	dir := t.TempDir()
	startKiosk(t, dir)
	cfg := Defaults()
	cfg.DataDir = dir
	cfg.Addr = "127.0.0.1:0"
	cfg.Logger = quietLogger()
	start := time.Now()
	err := Run(context.Background(), cfg)
	if err == nil || !strings.Contains(err.Error(), "in use by another kiosk") {
		t.Fatalf("second kiosk: %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %s to fail", d)
	}
}

func TestUnknownAPIRouteIsAJSONError(t *testing.T) {
	k := startKiosk(t, t.TempDir())
	r := k.do("GET", "/api/v1/nothing-here", nil)
	if r.Status != 404 || r.errCode(t) != "not_found" {
		t.Fatalf("got %d %s", r.Status, r.Body)
	}
}

func TestSyncStatusCountsTheOutbox(t *testing.T) {
	k := startKiosk(t, t.TempDir())
	body := sale("CM-MO-500", 1)
	body["payments"] = []map[string]any{{"method": "card", "amount": k.product("CM-MO-500").Price}}
	k.sell(t, body)
	var st struct {
		OutboxDepth  int  `json:"outbox_depth"`
		HubReachable bool `json:"hub_reachable"`
	}
	r := k.do("GET", "/api/v1/sync", nil)
	r.json(t, &st)
	if r.Status != 200 || st.OutboxDepth != 1 || st.HubReachable {
		t.Fatalf("sync: %d %s", r.Status, r.Body)
	}
}
