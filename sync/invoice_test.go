package sync

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ocop-kiosk/kiosk/pos"
	"github.com/ocop-kiosk/kiosk/sync/einvoice"
)

// boothMST passes the tax code's check digit (python-stdnum's example).
const boothMST = "0314409058"

func invoicing(symbol string, block pos.InvoiceBlock) pos.InvoiceSettings {
	return pos.InvoiceSettings{Seller: pos.Party{Name: "Hộ kinh doanh Gian hàng OCOP Cà Mau", TaxCode: boothMST, Address: "Số 1 Lý Thường Kiệt, Cà Mau"},
		TaxMethod: pos.TaxDirect, Form: pos.FormSales, Symbol: symbol, CQTCode: "A1B2C", Block: block}
}

// invoicingKiosk is a kiosk store that issues invoices of symbol (block zero:
// it waits for the hub's).
func invoicingKiosk(t testing.TB, id, symbol string, block pos.InvoiceBlock) *pos.Store {
	t.Helper()
	ks := kioskStore(t, id)
	if err := ks.SetInvoicing(invoicing(symbol, block)); err != nil {
		t.Fatal(err)
	}
	return ks
}

// startEmulator serves a provider emulator on loopback until the test ends.
func startEmulator(t testing.TB) (*einvoice.Emulator, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	e := einvoice.NewEmulator()
	srv := &http.Server{Handler: e.Handler()}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return e, "http://" + ln.Addr().String() + "/PublishService.asmx"
}

// runDelivery delivers the hub's invoices to def (the default provider) until
// stop is called or the test ends.
func runDelivery(t testing.TB, h *Hub, st *BoltStore, def einvoice.Settings) (stop func()) {
	return runDeliveryBackoff(t, h, st, def, 20*time.Millisecond)
}

// runDeliveryBackoff is runDelivery whose first wait after a failure is backoff.
func runDeliveryBackoff(t testing.TB, h *Hub, st *BoltStore, def einvoice.Settings, backoff time.Duration) (stop func()) {
	t.Helper()
	h.Delivery = &Delivery{Store: st, Default: def, Log: quiet(), MinBackoff: backoff, MaxBackoff: 10 * backoff,
		OnStates: func([]string) { h.catalogChanged() }}
	return startDelivery(t, h.Delivery)
}

// startDelivery runs d until stop is called or the test ends.
func startDelivery(t testing.TB, d *Delivery) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { d.Run(ctx); close(done) }()
	stopped := false
	stop = func() {
		if !stopped {
			stopped = true
			cancel()
			<-done
		}
	}
	t.Cleanup(stop)
	return stop
}

// publishedOrder says what the emulator holds of one series: the numbers in
// the order they were published, and any published twice.
func publishedOrder(e *einvoice.Emulator) (numbers []int64, twice []string) {
	seen := map[string]bool{}
	for _, p := range e.Published() {
		if seen[p.Key] {
			twice = append(twice, p.Key)
		}
		seen[p.Key] = true
		numbers = append(numbers, p.Number)
	}
	return numbers, twice
}

func inOrderFrom1(numbers []int64, n int) bool {
	if len(numbers) != n {
		return false
	}
	for i, x := range numbers {
		if x != int64(i+1) {
			return false
		}
	}
	return true
}

// kioskStates counts the kiosk's invoices by the state the hub sent down.
func kioskStates(t testing.TB, ks *pos.Store) map[string]int {
	t.Helper()
	invs, _, err := ks.Invoices(pos.InvoiceQuery{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, inv := range invs {
		out[inv.State]++
	}
	return out
}

func TestInvoicesReachTheProviderOnceAndInOrderAfterAnOutage(t *testing.T) {
	e, purl := startEmulator(t)
	e.SetDown(true)
	hs := hubStore(t)
	tok, err := RegisterKiosk(hs, "K01")
	if err != nil {
		t.Fatal(err)
	}
	h, url := startHub(t, hs, "127.0.0.1:0")
	runDelivery(t, h, hs, e.Settings(purl))
	// Invoicing on but no block: the kiosk cannot issue until the hub gives it one.
	ks := invoicingKiosk(t, "K01", "C26MAA", pos.InvoiceBlock{})
	if _, _, err := ks.CommitSale(pos.SaleRequest{Lines: []pos.LineRequest{{SKU: "MO-500", Qty: 1}},
		Payments: []pos.PaymentRequest{{Method: pos.MethodCard, Amount: 220000}}}, ""); err == nil {
		t.Fatal("a sale was invoiced with no block")
	}
	u := &Uplink{HubURL: url, KioskID: "K01", Token: tok, Store: ks, Log: quiet(), Wake: make(chan struct{}, 1)}
	runUplink(t, u)
	eventually(t, "the hub's block at the kiosk", 10*time.Second, func() bool {
		b, _ := ks.InvoiceBlock()
		return b == pos.InvoiceBlock{From: pos.BlockSize, To: 2*pos.BlockSize - 1}
	})
	sellN(t, ks, 30)
	eventually(t, "the sales at the hub", 10*time.Second, func() bool { d, _ := ks.OutboxDepth(); return d == 0 })
	time.Sleep(300 * time.Millisecond) // the worker tries the provider that is down, more than once
	if n := len(e.Published()); n != 0 {
		t.Fatalf("%d published while the provider is down", n)
	}
	if e.Calls() < 2 {
		t.Fatalf("the provider was called %d times while down: no retry", e.Calls())
	}
	if got := kioskStates(t, ks); got[pos.InvoiceIssued] != 30 {
		t.Fatalf("kiosk states while the provider is down: %v", got)
	}
	e.SetDown(false)
	eventually(t, "every invoice published", 10*time.Second, func() bool { return len(e.Published()) >= 30 })
	numbers, twice := publishedOrder(e)
	if !inOrderFrom1(numbers, 30) || len(twice) > 0 {
		t.Fatalf("published %v (twice: %v), want 1…30 once each", numbers, twice)
	}
	eventually(t, "the states at the kiosk", 10*time.Second, func() bool { return kioskStates(t, ks)[pos.InvoiceDelivered] == 30 })
	r, err := InvoiceReport(hs, time.Now(), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Kiosks) != 1 || r.Kiosks[0].Issued != 30 || r.Kiosks[0].Delivered != 30 || r.Kiosks[0].Late != 0 {
		t.Fatalf("the day's report: %+v", r.Kiosks)
	}
}

func TestARefusedInvoiceIsShownWithTheProvidersReasonAndTheRestGoOn(t *testing.T) {
	e, purl := startEmulator(t)
	hs := hubStore(t)
	tok, _ := RegisterKiosk(hs, "K01")
	h, url := startHub(t, hs, "127.0.0.1:0")
	ks := invoicingKiosk(t, "K01", "C26MAA", pos.InvoiceBlock{From: 50_000_000, To: 59_999_999})
	sellN(t, ks, 5)
	invs, _, _ := ks.Invoices(pos.InvoiceQuery{Limit: 10})
	var second pos.Invoice
	for _, inv := range invs {
		if inv.Number == 2 {
			second = inv
		}
	}
	e.Refuse(second.Key(), "ERR30")
	runDelivery(t, h, hs, e.Settings(purl))
	runUplink(t, &Uplink{HubURL: url, KioskID: "K01", Token: tok, Store: ks, Log: quiet()})
	eventually(t, "the states at the kiosk", 10*time.Second, func() bool {
		s := kioskStates(t, ks)
		return s[pos.InvoiceDelivered] == 4 && s[pos.InvoiceRefused] == 1
	})
	numbers, _ := publishedOrder(e)
	if fmt.Sprint(numbers) != "[1 3 4 5]" {
		t.Fatalf("published %v", numbers)
	}
	got, err := ks.InvoiceOf(boothMST, second.Symbol, 2)
	if err != nil || got.State != pos.InvoiceRefused || !strings.Contains(got.StateReason, "ERR30") {
		t.Fatalf("the refused invoice at the kiosk: %q %q %v", got.State, got.StateReason, err)
	}
	// The hub's report and its CSV name it, with the reason.
	res := adminGet(t, url, "/api/v1/einvoice.csv?table=refused")
	if !strings.Contains(res, ",2,"+second.MCCQT) || !strings.Contains(res, "ERR30") {
		t.Fatalf("refused CSV:\n%s", res)
	}
	res = adminGet(t, url, "/api/v1/einvoice")
	if !strings.Contains(res, `"refused":1`) || !strings.Contains(res, "ERR30") {
		t.Fatalf("report: %s", res)
	}
	// So does the managers' page of the day, beside the reconciliation.
	res = adminGet(t, url, "/reports/reconciliation")
	for _, want := range []string{"Hóa đơn điện tử theo quầy", "Invoices the provider refused", second.MCCQT, "ERR30", "/reports/einvoice.csv?day="} {
		if !strings.Contains(res, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
}

func adminGet(t *testing.T, base, path string) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, base+path, nil)
	req.Header.Set("Authorization", "Bearer "+testAdminToken)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 {
		t.Fatalf("GET %s: %d %s", path, res.StatusCode, b)
	}
	return string(b)
}

func adminDo(t *testing.T, method, url, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+testAdminToken)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// A call whose answer is lost (the provider took the list, then the hub timed
// out) is sent again as it was, across a restart of the hub, and the
// provider's duplicate answer counts as delivered: each invoice once.
func TestALostAnswerAcrossAHubRestartDeliversEachInvoiceOnce(t *testing.T) {
	e, purl := startEmulator(t)
	path := filepath.Join(t.TempDir(), "hub.db")
	hs, err := OpenHubStore(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := RegisterKiosk(hs, "K01"); err != nil {
		t.Fatal(err)
	}
	ks := invoicingKiosk(t, "K01", "C26MAA", pos.InvoiceBlock{From: 50_000_000, To: 59_999_999})
	sellN(t, ks, 12)
	recs, _ := ks.Outbox(0, 100)
	if _, err := hs.Ingest("K01", recs, time.Now()); err != nil {
		t.Fatal(err)
	}
	e.LoseAnswers(1)
	// A long wait after the failure: the hub stops before it calls again.
	stop := runDeliveryBackoff(t, &Hub{Store: hs, Log: quiet()}, hs, e.Settings(purl), time.Minute)
	eventually(t, "the first call published", 10*time.Second, func() bool { return len(e.Published()) == 12 })
	eventually(t, "the lost answer noted", 10*time.Second, func() bool {
		sts, _ := hs.Streams()
		return len(sts) == 1 && sts[0].Uncertain == 12
	})
	stop()
	hs.Close()

	hs, err = OpenHubStore(path)
	if err != nil {
		t.Fatal(err)
	}
	defer hs.Close()
	if sts, _ := hs.Streams(); sts[0].Uncertain != 12 || sts[0].Next != 1 {
		t.Fatalf("after the restart: %+v", sts[0])
	}
	calls := e.Calls()
	runDelivery(t, &Hub{Store: hs, Log: quiet()}, hs, e.Settings(purl))
	eventually(t, "the stream settled", 10*time.Second, func() bool {
		sts, _ := hs.Streams()
		return sts[0].Next == 13
	})
	// One call: the same list again, answered as duplicate (a list not known
	// to repeat a lost one would be halved down to each invoice: 23 calls).
	if n := e.Calls() - calls; n != 1 {
		t.Errorf("%d calls to settle the lost list, want 1", n)
	}
	numbers, twice := publishedOrder(e)
	if !inOrderFrom1(numbers, 12) || len(twice) > 0 {
		t.Fatalf("published %v (twice %v)", numbers, twice)
	}
	r, _ := InvoiceReport(hs, time.Now(), time.Now())
	if r.Totals.Delivered != 12 || r.Totals.Refused != 0 {
		t.Fatalf("report: %+v", r.Totals)
	}
}

// A provider slower than the hub's timeout publishes nothing of the call it
// dropped; the hub retries, and everything arrives once, in order.
func TestAProviderThatTimesOutLosesNothing(t *testing.T) {
	e, purl := startEmulator(t)
	e.SetDelay(time.Second)
	hs := hubStore(t)
	RegisterKiosk(hs, "K01")
	ks := invoicingKiosk(t, "K01", "C26MAA", pos.InvoiceBlock{From: 50_000_000, To: 59_999_999})
	sellN(t, ks, 8)
	recs, _ := ks.Outbox(0, 100)
	if _, err := hs.Ingest("K01", recs, time.Now()); err != nil {
		t.Fatal(err)
	}
	set := e.Settings(purl)
	set.Timeout = einvoice.Duration(150 * time.Millisecond)
	runDelivery(t, &Hub{Store: hs, Log: quiet()}, hs, set)
	eventually(t, "timeouts", 10*time.Second, func() bool { return e.Calls() >= 2 })
	sts, _ := hs.Streams()
	if !strings.Contains(sts[0].LastError, "unavailable") || sts[0].Next != 1 {
		t.Fatalf("while timing out: %+v", sts[0])
	}
	e.SetDelay(0)
	eventually(t, "all published", 10*time.Second, func() bool { return len(e.Published()) == 8 })
	numbers, twice := publishedOrder(e)
	if !inOrderFrom1(numbers, 8) || len(twice) > 0 {
		t.Fatalf("published %v (twice %v)", numbers, twice)
	}
}

func TestOverlappingBlocksAndTakenSymbolsAreRefused(t *testing.T) {
	hs := hubStore(t)
	if _, err := RegisterKioskWithBlock(hs, "K01", pos.InvoiceBlock{From: 5 * pos.BlockSize, To: 6*pos.BlockSize - 1}); err != nil {
		t.Fatal(err)
	}
	tok2, _ := RegisterKiosk(hs, "K02")
	tok3, _ := RegisterKiosk(hs, "K03")
	h, url := startHub(t, hs, "127.0.0.1:0")
	_ = h
	session := func(id, tok string, ks *pos.Store) error {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		return (&Uplink{HubURL: url, KioskID: id, Token: tok, Store: ks, Log: quiet()}).session(ctx)
	}
	tests := []struct {
		name, kiosk, tok, symbol string
		block                    pos.InvoiceBlock
		code                     string
	}{
		{"a block inside another kiosk's is refused", "K02", tok2, "C26MBB", pos.InvoiceBlock{From: 55_000_000, To: 55_999_999}, "invoice_block_overlap"},
		{"a block across the end of another kiosk's is refused", "K02", tok2, "C26MBB", pos.InvoiceBlock{From: 59_999_999, To: 60_000_100}, "invoice_block_overlap"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := session(tt.kiosk, tt.tok, invoicingKiosk(t, tt.kiosk, tt.symbol, tt.block))
			if err == nil || !strings.Contains(err.Error(), tt.code) {
				t.Fatalf("kiosk side: %v, want %s", err, tt.code)
			}
			k, _ := hs.Kiosk(tt.kiosk)
			if !strings.Contains(k.LastError, tt.code) {
				t.Fatalf("hub side: %q", k.LastError)
			}
			if k.Invoicing != nil && !k.Invoicing.Block.IsZero() {
				t.Fatalf("a refused block was kept: %+v", k.Invoicing)
			}
		})
	}
	// K02 with a block of its own is taken; K03 with K02's seller and symbol
	// letters (another year's digits) is refused.
	if err := session("K02", tok2, invoicingKiosk(t, "K02", "C26MBB", pos.InvoiceBlock{From: 70_000_000, To: 70_999_999})); err != nil &&
		strings.Contains(err.Error(), "invoice") {
		t.Fatalf("K02 with a free block: %v", err)
	}
	if k, _ := hs.Kiosk("K02"); k.Invoicing == nil || k.Invoicing.Block.From != 70_000_000 {
		t.Fatalf("K02's block not registered: %+v", k.Invoicing)
	}
	err := session("K03", tok3, invoicingKiosk(t, "K03", "C27MBB", pos.InvoiceBlock{From: 80_000_000, To: 80_999_999}))
	if err == nil || !strings.Contains(err.Error(), "invoice_symbol_taken") {
		t.Fatalf("K03 with K02's symbol: %v", err)
	}
	// Registering ahead: an overlapping block is refused and the kiosk not made.
	code, body := adminDo(t, http.MethodPost, url+"/api/v1/kiosks", `{"id":"K04","invoice_block":"5"}`)
	if code != http.StatusConflict || !strings.Contains(body, "invoice_block_overlap") {
		t.Fatalf("POST /kiosks with block 5: %d %s", code, body)
	}
	if _, err := hs.Kiosk("K04"); err == nil {
		t.Fatal("K04 was registered with an overlapping block")
	}
	code, body = adminDo(t, http.MethodPost, url+"/api/v1/kiosks", `{"id":"K04","invoice_block":"9"}`)
	if code != http.StatusCreated {
		t.Fatalf("POST /kiosks with block 9: %d %s", code, body)
	}
}

func TestSellerSettingsKeepTheirSecrets(t *testing.T) {
	hs := hubStore(t)
	_, url := startHub(t, hs, "127.0.0.1:0")
	good := `{"provider":"vnpt","url":"https://demo.vnpt-invoice.com.vn/PublishService.asmx","account":"acc","acpass":"s3cret-ac","username":"svc","password":"s3cret-pw","timeout":"30s"}`
	tests := []struct {
		name, mst, body string
		code            int
		want            string
	}{
		{"settings for a seller are kept", boothMST, good, 200, `"acpass":"***"`},
		{"a tax code with a wrong check digit is refused", "0314409059", good, 422, "bad_tax_code"},
		{"an unknown provider is refused", boothMST, strings.Replace(good, `"vnpt"`, `"viettel"`, 1), 422, "bad_einvoice_settings"},
		{"an unknown field is refused", boothMST, strings.Replace(good, `"provider"`, `"pin":"1","provider"`, 1), 400, "bad_json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, body := adminDo(t, http.MethodPut, url+"/api/v1/einvoice/sellers/"+tt.mst, tt.body)
			if code != tt.code || !strings.Contains(body, tt.want) || strings.Contains(body, "s3cret") {
				t.Fatalf("%d %s", code, body)
			}
		})
	}
	list := adminGet(t, url, "/api/v1/einvoice/sellers")
	if !strings.Contains(list, boothMST) || strings.Contains(list, "s3cret") || strings.Contains(list, "0314409059") {
		t.Fatalf("listing: %s", list)
	}
	set, err := hs.SellerSettings(boothMST)
	if err != nil || set.ACPass != "s3cret-ac" {
		t.Fatalf("the hub lost the secret it needs: %+v %v", set, err)
	}
}

// A consignment cart is invoiced per issuing seller: the producer who
// delegated invoicing to the booth has its own series, delivered to its own
// provider account, and the booth's goes to the hub's default.
func TestEachSellersInvoicesGoToItsOwnProviderAccount(t *testing.T) {
	const producerMST = "0100233488"
	boothEmu, boothURL := startEmulator(t)
	prodEmu, prodURL := startEmulator(t)
	prodEmu.Account, prodEmu.ACPass = "htx-rice", "htx-rice-ac"
	hs := hubStore(t)
	RegisterKiosk(hs, "K01")
	ks := invoicingKiosk(t, "K01", "C26MAA", pos.InvoiceBlock{From: 50_000_000, To: 59_999_999})
	err := ks.PutCatalog(pos.Catalog{
		Producers: []pos.Producer{{ID: "RICE", Name: "Hộ kinh doanh Gạo Rạch Lọp", Kind: pos.KindHousehold, TaxCode: producerMST,
			Address: "Vĩnh Long", Invoicing: &pos.ProducerInvoicing{Delegated: true, TaxMethod: pos.TaxDirect}}},
		Products: []pos.Product{{SKU: "GAO-5", Name: "Gạo ST25", Group: pos.GroupFood, Stars: 4, ProducerID: "RICE",
			Price: 150000, VATRate: 5, Stock: pos.MaxStock}},
	}, "consignment")
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if _, _, err := ks.CommitSale(pos.SaleRequest{Lines: []pos.LineRequest{{SKU: "MO-500", Qty: 1}, {SKU: "GAO-5", Qty: 2}},
			Payments: []pos.PaymentRequest{{Method: pos.MethodCard, Amount: 520000}}}, ""); err != nil {
			t.Fatal(err)
		}
	}
	recs, _ := ks.Outbox(0, 10)
	if len(recs[0].Sale.Invoices) != 2 {
		t.Fatalf("a mixed cart has %d invoices, want 2", len(recs[0].Sale.Invoices))
	}
	if _, err := hs.Ingest("K01", recs, time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := hs.PutSellerSettings(producerMST, prodEmu.Settings(prodURL)); err != nil {
		t.Fatal(err)
	}
	h := &Hub{Store: hs, Log: quiet()}
	runDelivery(t, h, hs, boothEmu.Settings(boothURL))
	eventually(t, "both series delivered", 10*time.Second, func() bool {
		return len(boothEmu.Published()) == 3 && len(prodEmu.Published()) == 3
	})
	for name, e := range map[string]*einvoice.Emulator{"booth": boothEmu, "producer": prodEmu} {
		if numbers, twice := publishedOrder(e); !inOrderFrom1(numbers, 3) || len(twice) > 0 {
			t.Errorf("%s's provider published %v (twice %v)", name, numbers, twice)
		}
	}
	for _, p := range prodEmu.Published() {
		for _, b := range boothEmu.Published() {
			if p.Key == b.Key {
				t.Fatalf("invoice %s went to both providers", p.Key)
			}
		}
	}
}

// An invoice whose XML the hub cannot write is refused at the hub, with the
// reason, and the invoices after it go on.
func TestAnInvoiceTheHubCannotWriteIsRefusedAndTheSeriesGoesOn(t *testing.T) {
	e, purl := startEmulator(t)
	hs := hubStore(t)
	RegisterKiosk(hs, "K01")
	ks := invoicingKiosk(t, "K01", "C26MAA", pos.InvoiceBlock{From: 50_000_000, To: 59_999_999})
	sellN(t, ks, 4)
	recs, _ := ks.Outbox(0, 10)
	if _, err := hs.Ingest("K01", recs, time.Now()); err != nil {
		t.Fatal(err)
	}
	startDelivery(t, &Delivery{Store: hs, Default: e.Settings(purl), Log: quiet(), MinBackoff: 20 * time.Millisecond,
		XML: func(inv pos.Invoice) ([]byte, error) {
			if inv.Number == 2 {
				return nil, fmt.Errorf("a field out of range")
			}
			return pos.InvoiceXML(inv)
		}})
	eventually(t, "the series settled", 10*time.Second, func() bool {
		sts, _ := hs.Streams()
		return len(sts) == 1 && sts[0].Next == 5
	})
	if numbers, _ := publishedOrder(e); fmt.Sprint(numbers) != "[1 3 4]" {
		t.Fatalf("published %v", numbers)
	}
	r, _ := InvoiceReport(hs, time.Now(), time.Now())
	if r.Totals.Refused != 1 || !strings.Contains(r.Kiosks[0].RefusedList[0].Reason, "could not write its XML") {
		t.Fatalf("%+v", r.Kiosks)
	}
}

// A kiosk put back from a backup recovers its invoices from the hub, and
// learns again what became of each at the provider.
func TestARestoredKioskLearnsItsInvoicesStatesAgain(t *testing.T) {
	e, purl := startEmulator(t)
	hs := hubStore(t)
	tok, _ := RegisterKiosk(hs, "K01")
	h, url := startHub(t, hs, "127.0.0.1:0")
	runDelivery(t, h, hs, e.Settings(purl))
	block := pos.InvoiceBlock{From: 50_000_000, To: 59_999_999}
	old := invoicingKiosk(t, "K01", "C26MAA", block)
	backup := filepath.Join(t.TempDir(), "backup.db")
	if err := writeBackup(old, backup); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		(&Uplink{HubURL: url, KioskID: "K01", Token: tok, Store: old, Log: quiet()}).Run(ctx)
		close(done)
	}()
	sellN(t, old, 5)
	eventually(t, "delivered, as the old store knows", 10*time.Second, func() bool { return kioskStates(t, old)[pos.InvoiceDelivered] == 5 })
	cancel()
	<-done

	path := filepath.Join(t.TempDir(), "kiosk.db")
	if _, err := pos.Restore(backup, path); err != nil {
		t.Fatal(err)
	}
	st, err := pos.Open(path, pos.StoreOptions{KioskID: "K01"})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.SetInvoicing(invoicing("C26MAA", block)); err != nil {
		t.Fatal(err)
	}
	u := &Uplink{HubURL: url, KioskID: "K01", Token: tok, Store: st, Log: quiet()}
	if res, err := u.Verify(context.Background()); err != nil || res.Recovered != 5 {
		t.Fatalf("Verify: %+v %v", res, err)
	}
	runUplink(t, u)
	eventually(t, "the states at the restored kiosk", 10*time.Second, func() bool { return kioskStates(t, st)[pos.InvoiceDelivered] == 5 })
	// It numbers on after the recovered invoices, and those go out too.
	sellN(t, st, 2)
	eventually(t, "7 published", 10*time.Second, func() bool { return len(e.Published()) == 7 })
	if numbers, twice := publishedOrder(e); !inOrderFrom1(numbers, 7) || len(twice) > 0 {
		t.Fatalf("published %v (twice %v)", numbers, twice)
	}
}
