package kiosk

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ocop-kiosk/kiosk/pos"
	"github.com/ocop-kiosk/kiosk/printer"
)

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 10 s", what)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// printed reads back the receipts the virtual printer wrote for a sale.
func printed(t *testing.T, dir, saleID string) []string {
	t.Helper()
	bins, _ := filepath.Glob(filepath.Join(dir, "prints", "*"+saleID+".bin"))
	var out []string
	for _, b := range bins {
		data, err := os.ReadFile(b)
		if err != nil {
			t.Fatal(err)
		}
		doc, err := printer.Decode(data, printer.Profiles[printer.DefaultProfile])
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, doc.Text())
	}
	return out
}

func TestASaleIsPrintedOnTheVirtualPrinterAndCanBeReprinted(t *testing.T) {
	dir := t.TempDir()
	k := startKiosk(t, dir, func(c *Config) {
		c.Seller = printer.Seller{Name: "GIAN HÀNG OCOP CÀ MAU", TaxCode: "2000123456", Address: "Công viên Hùng Vương, TP Cà Mau"}
	})
	price := k.product("CM-MO-500").Price
	body := sale("CM-MO-500", 2)
	body["payments"] = []map[string]any{{"method": "cash", "amount": 500000}}
	s := k.sell(t, body)
	waitFor(t, "the receipt printed", func() bool { return len(printed(t, dir, s.ID)) == 1 })
	text := printed(t, dir, s.ID)[0]
	for _, want := range []string{"GIAN HÀNG OCOP CÀ MAU", "MST: 2000123456", s.ReceiptNo, "Mật ong rừng tràm U Minh Hạ 500ml", pos.FormatVND(price * 2), "Tiền thừa"} {
		if !strings.Contains(text, want) {
			t.Errorf("receipt lacks %q:\n%s", want, text)
		}
	}
	pngs, _ := filepath.Glob(filepath.Join(dir, "prints", "*"+s.ID+".png"))
	if len(pngs) != 1 {
		t.Errorf("no preview PNG: %v", pngs)
	}

	var ps struct{ Printers []printer.PrinterStatus }
	k.do("GET", "/api/v1/printers", nil).json(t, &ps)
	if len(ps.Printers) != 1 || ps.Printers[0].Name != "receipt" || ps.Printers[0].State != "ready" || ps.Printers[0].Printed < 1 {
		t.Fatalf("printers: %+v", ps.Printers)
	}

	r := k.do("POST", "/api/v1/sales/"+s.ID+"/reprint", nil, "X-Kiosk-Client", "1")
	if r.Status != 202 {
		t.Fatalf("reprint: %d %s", r.Status, r.Body)
	}
	waitFor(t, "the copy printed", func() bool { return len(printed(t, dir, s.ID)) == 2 })
	copies := 0
	for _, txt := range printed(t, dir, s.ID) {
		if strings.Contains(txt, "BẢN SAO / COPY") {
			copies++
		}
	}
	if copies != 1 {
		t.Errorf("%d receipts marked as copies, want 1", copies)
	}
	if r := k.do("POST", "/api/v1/sales/NOPE/reprint", nil, "X-Kiosk-Client", "1"); r.Status != 404 {
		t.Errorf("reprint of nothing: %d", r.Status)
	}
}

func TestAPendingTransferIsRefusedAndSellsNothing(t *testing.T) {
	k := startKiosk(t, t.TempDir(), withBank)
	before := k.product("BT-KD-400").Stock
	body := sale("BT-KD-400", 1)
	body["payments"] = []map[string]any{{"method": "vietqr", "amount": k.product("BT-KD-400").Price, "pending": true}}
	r := k.do("POST", "/api/v1/sales", body)
	if r.Status != 422 || r.errCode(t) != "bad_payment" || !strings.Contains(string(r.Body), "order") {
		t.Fatalf("a sale with a transfer nobody has seen: %d %s", r.Status, r.Body)
	}
	if n := len(listAllSales(t, k.url)); n != 0 || k.product("BT-KD-400").Stock != before {
		t.Fatalf("the refused sale left %d sales and stock %d (was %d)", n, k.product("BT-KD-400").Stock, before)
	}
}

func TestShiftCloseQueuesTheZReport(t *testing.T) {
	dir := t.TempDir()
	k := startKiosk(t, dir)
	body := sale("CM-MO-500", 1)
	body["payments"] = []map[string]any{{"method": "card", "amount": k.product("CM-MO-500").Price}}
	k.sell(t, body)
	r := k.do("POST", "/api/v1/shifts/close", map[string]any{"counted": 0}, "X-Manager-Pin", testPIN)
	if r.Status != 200 {
		t.Fatalf("close: %d %s", r.Status, r.Body)
	}
	waitFor(t, "the Z-report printed", func() bool {
		bins, _ := filepath.Glob(filepath.Join(dir, "prints", "*zreport*.bin"))
		if len(bins) != 1 {
			return false
		}
		data, _ := os.ReadFile(bins[0])
		doc, err := printer.Decode(data, printer.Profiles[printer.DefaultProfile])
		return err == nil && strings.Contains(doc.Text(), "BÁO CÁO CUỐI CA (Z)") && strings.Contains(doc.Text(), "HTX Ong mật U Minh Hạ")
	})
}

func TestAnInvalidPrinterURLStopsTheKioskWithAClearError(t *testing.T) {
	cfg := Defaults()
	cfg.DataDir = t.TempDir()
	cfg.Logger = quietLogger()
	cfg.Addr = "127.0.0.1:0"
	cfg.Printers = map[string]string{"receipt": "serial:/dev/ttyUSB0?baud=12"}
	err := Run(t.Context(), cfg)
	if err == nil || !strings.Contains(err.Error(), "baud") {
		t.Fatalf("Run: %v", err)
	}
}

func TestANegativePrintHistoryStopsTheKioskWithAClearError(t *testing.T) {
	cfg := Defaults()
	cfg.DataDir = t.TempDir()
	cfg.Logger = quietLogger()
	cfg.Addr = "127.0.0.1:0"
	cfg.PrintHistory = -5
	err := Run(t.Context(), cfg)
	if err == nil || !strings.Contains(err.Error(), "print history") {
		t.Fatalf("Run: %v", err)
	}
}

func TestLabelJobsPrintOnATSPLAndAnESCPOSPrinter(t *testing.T) {
	lj := LabelJob{Size: "", Label: printer.Label{Name: "Mật ong rừng tràm U Minh Hạ 500ml", NameEN: "U Minh Ha forest honey", Stars: 5,
		Producer: "HTX Ong mật U Minh Hạ", Lot: "UM2611-01", Price: 220000, QR: "https://kiosk.example.vn/01/08936072100152/10/UM2611-01"}}
	for _, tt := range []struct {
		profile string
		check   func(t *testing.T, b []byte)
	}{
		{"tspl-label", func(t *testing.T, b []byte) {
			s := string(b)
			if !strings.Contains(s, "SIZE 50 mm,30 mm") || !strings.Contains(s, `QRCODE`) || !strings.Contains(s, lj.Label.QR) || !strings.Contains(s, "PRINT 1,1") {
				t.Errorf("TSPL label:\n%.300s", s)
			}
		}},
		{"epson-tm-t20", func(t *testing.T, b []byte) {
			doc, err := printer.Decode(b, printer.Profiles["epson-tm-t20"])
			if err != nil || !strings.Contains(doc.Text(), "Mật ong rừng tràm U Minh Hạ 500ml") || len(doc.QRCodes) != 1 || doc.QRCodes[0] != lj.Label.QR {
				t.Errorf("ESC/POS label: %v\n%s %q", err, doc.Text(), doc.QRCodes)
			}
		}},
	} {
		t.Run(tt.profile, func(t *testing.T) {
			b, err := renderLabel(pos.PrintJob{ID: 1, Doc: "label", Payload: jsonBytes(t, lj)}, printer.Profiles[tt.profile])
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, b)
		})
	}
	if _, err := renderLabel(pos.PrintJob{ID: 2, Doc: "label", Payload: []byte("{")}, printer.Profiles["tspl-label"]); err == nil {
		t.Error("a broken label payload rendered")
	}
}

func jsonBytes(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

type printJobsAnswer struct {
	Jobs []pos.PrintJob `json:"jobs"`
	Next uint64         `json:"next"`
}

func (k *testKiosk) printJobs(t *testing.T, query string) printJobsAnswer {
	t.Helper()
	r := k.do("GET", "/api/v1/print-jobs?"+query, nil)
	if r.Status != 200 {
		t.Fatalf("print jobs ?%s: %d %s", query, r.Status, r.Body)
	}
	var a printJobsAnswer
	r.json(t, &a)
	return a
}

func TestPrintHistoryIsBoundedInTheStoreAndInThePrintsFolder(t *testing.T) {
	dir := t.TempDir()
	keep := func(c *Config) { c.PrintHistory = 3 }
	k := startKiosk(t, dir, keep)
	price := k.product("CM-MO-500").Price
	var sales []pos.Sale
	for range 6 {
		body := sale("CM-MO-500", 1)
		body["payments"] = []map[string]any{{"method": "card", "amount": price}}
		sales = append(sales, k.sell(t, body))
	}
	last := sales[len(sales)-1]
	waitFor(t, "every receipt printed", func() bool {
		jobs := k.printJobs(t, "sale="+last.ID).Jobs
		return len(jobs) == 1 && jobs[0].State == pos.JobPrinted
	})
	// The virtual printer keeps the newest three jobs' files.
	bins, _ := filepath.Glob(filepath.Join(dir, "prints", "*.bin"))
	pngs, _ := filepath.Glob(filepath.Join(dir, "prints", "*.png"))
	if len(bins) != 3 || len(pngs) != 3 {
		t.Fatalf("prints folder: %d .bin and %d .png, want 3 of each", len(bins), len(pngs))
	}
	for _, s := range sales[3:] {
		if len(printed(t, dir, s.ID)) != 1 {
			t.Errorf("the receipt of %s, one of the newest three, is not in the folder", s.ReceiptNo)
		}
	}

	// The store trims at start (and every quarter of an hour).
	k.stop()
	k = startKiosk(t, dir, keep)
	var ids []uint64
	waitFor(t, "the store trimmed to three printed jobs", func() bool {
		a := k.printJobs(t, "state=printed")
		ids = ids[:0]
		for _, j := range a.Jobs {
			ids = append(ids, j.ID)
		}
		return len(a.Jobs) == 3 && a.Next == 0
	})
	if ids[0] != 6 || ids[2] != 4 {
		t.Fatalf("printed jobs kept: %v, want 6, 5, 4 (newest first)", ids)
	}
	if jobs := k.printJobs(t, "sale="+sales[0].ID).Jobs; len(jobs) != 0 {
		t.Errorf("the first sale's job is still held: %+v", jobs)
	}
	if jobs := k.printJobs(t, "sale="+last.ID).Jobs; len(jobs) != 1 || jobs[0].State != pos.JobPrinted {
		t.Errorf("the last sale's job: %+v", jobs)
	}
}

func TestPrintJobsAreListedAPageAtATimeNewestFirst(t *testing.T) {
	dir := t.TempDir()
	k := startKiosk(t, dir)
	price := k.product("CM-MO-500").Price
	var sales []pos.Sale
	for range 5 {
		body := sale("CM-MO-500", 1)
		body["payments"] = []map[string]any{{"method": "card", "amount": price}}
		sales = append(sales, k.sell(t, body))
	}
	if r := k.do("POST", "/api/v1/sales/"+sales[0].ID+"/reprint", nil, "X-Kiosk-Client", "1"); r.Status != 202 {
		t.Fatalf("reprint: %d %s", r.Status, r.Body)
	}
	waitFor(t, "every job printed", func() bool { return len(k.printJobs(t, "state=pending").Jobs) == 0 })

	var got []uint64
	query := "state=all&limit=2"
	for pages := 0; ; pages++ {
		if pages > 5 {
			t.Fatal("paging does not end")
		}
		a := k.printJobs(t, query)
		for _, j := range a.Jobs {
			got = append(got, j.ID)
		}
		if a.Next == 0 {
			break
		}
		query = "state=all&limit=2&before=" + strconv.FormatUint(a.Next, 10)
	}
	if !slices.Equal(got, []uint64{6, 5, 4, 3, 2, 1}) {
		t.Fatalf("walked %v, want 6 to 1", got)
	}
	// Following one receipt: its jobs, oldest first (the till takes the last).
	jobs := k.printJobs(t, "sale="+sales[0].ID).Jobs
	if len(jobs) != 2 || jobs[0].Copy || !jobs[1].Copy {
		t.Fatalf("jobs of the reprinted sale: %+v", jobs)
	}
	if jobs := k.printJobs(t, "sale="+sales[0].ID+"&state=pending").Jobs; len(jobs) != 0 {
		t.Fatalf("pending jobs of a printed sale: %+v", jobs)
	}

	for _, tt := range []struct{ name, query string }{
		{"a limit of zero", "limit=0"},
		{"a limit over 500", "limit=501"},
		{"a cursor that is not a number", "before=abc"},
		{"a cursor of zero", "before=0"},
		{"an unknown state", "state=lost"},
	} {
		t.Run(tt.name+" is refused", func(t *testing.T) {
			r := k.do("GET", "/api/v1/print-jobs?"+tt.query, nil)
			if r.Status != 400 || r.errCode(t) != "bad_query" {
				t.Fatalf("%d %s", r.Status, r.Body)
			}
		})
	}
}

// TestReceiptsPrintInTheKioskLanguage: -receipt-lang en prints the receipt's
// words and the products' names in English; the default is Vietnamese, with
// the cash words the screens use.
func TestReceiptsPrintInTheKioskLanguage(t *testing.T) {
	for _, tc := range []struct {
		lang   string
		want   []string
		absent []string
	}{
		{"", []string{"HOÁ ĐƠN BÁN LẺ", "Quầy: T1", "Mật ong rừng tràm U Minh Hạ 500ml", "Khách đưa", "Tiền thừa", "Cảm ơn quý khách!"},
			[]string{"RECEIPT", "Cash given"}},
		{"en", []string{"RECEIPT", "Till: T1", "U Minh Ha melaleuca forest honey 500ml", "Cash given", "Change", "TOTAL", "Thank you!"},
			[]string{"HOÁ ĐƠN", "Khách đưa", "Tiền thừa", "Mật ong"}},
	} {
		t.Run("lang "+tc.lang, func(t *testing.T) {
			dir := t.TempDir()
			k := startKiosk(t, dir, func(c *Config) { c.ReceiptLang = tc.lang })
			price := k.product("CM-MO-500").Price
			body := sale("CM-MO-500", 2)
			body["till"] = "T1"
			body["payments"] = []map[string]any{{"method": "cash", "amount": price * 2, "tendered": price*2 + 60_000}}
			s := k.sell(t, body)
			waitFor(t, "the receipt printed", func() bool { return len(printed(t, dir, s.ID)) == 1 })
			text := printed(t, dir, s.ID)[0]
			for _, w := range append(tc.want, pos.FormatVND(60_000)) {
				if !strings.Contains(text, w) {
					t.Errorf("receipt lacks %q:\n%s", w, text)
				}
			}
			for _, w := range tc.absent {
				if strings.Contains(text, w) {
					t.Errorf("receipt has %q:\n%s", w, text)
				}
			}
		})
	}
}

func TestReceiptLanguageSetting(t *testing.T) {
	for _, tc := range []struct {
		name, lang, want, err string
	}{
		{"none is Vietnamese", "", "vi", ""},
		{"English", "en", "en", ""},
		{"each in the language of the till that sold", "till", "till", ""},
		{"an unknown language is refused", "fr", "", "want vi or en"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := Defaults()
			c.ReceiptLang = tc.lang
			err := c.normalize()
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("normalize: %v, want an error about %q", err, tc.err)
				}
				return
			}
			if err != nil || c.ReceiptLang != tc.want {
				t.Fatalf("normalize: %v, language %q, want %q", err, c.ReceiptLang, tc.want)
			}
		})
	}
}
