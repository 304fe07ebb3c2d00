package kiosk

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ocop-kiosk/kiosk/pos"
)

// The page a receipt's QR opens is the receipt itself: "Hoá đơn bán lẻ" /
// "Receipt". "Hoá đơn điện tử" is what Vietnam calls a tax e-invoice, which
// this page is not. Cash handed over and change carry the words the paper
// receipt and the till use: "Khách đưa", "Tiền thừa".
func TestTheEReceiptIsTitledAReceiptAndNamesCashGivenAndChange(t *testing.T) {
	k := startKiosk(t, t.TempDir())
	body := sale("CM-MO-500", 1)
	body["payments"] = []map[string]any{{"method": "cash", "amount": 500000}}
	s := k.sell(t, body)
	title := regexp.MustCompile(`<title>([^<]*)</title>`)
	for _, tt := range []struct {
		lang, title  string
		words, never []string
	}{
		{"vi", "Hoá đơn bán lẻ " + s.ReceiptNo, []string{"Khách đưa", "500.000 ₫", "Tiền thừa", "280.000 ₫"}, []string{"điện tử", "Tiền thối"}},
		{"en", "Receipt " + s.ReceiptNo, []string{"Cash given", "500.000 ₫", "Change", "280.000 ₫"}, []string{"E-receipt", "e-invoice"}},
	} {
		t.Run(tt.lang, func(t *testing.T) {
			page := string(k.do("GET", "/r/"+s.ID+"?lang="+tt.lang, nil).Body)
			if m := title.FindStringSubmatch(page); m == nil || m[1] != tt.title {
				t.Errorf("title %q, want %q", m, tt.title)
			}
			for _, w := range tt.words {
				if !strings.Contains(page, w) {
					t.Errorf("the page lacks %q", w)
				}
			}
			for _, w := range tt.never {
				if strings.Contains(page, w) {
					t.Errorf("the page says %q", w)
				}
			}
		})
	}
}

// The producer is "Nhà sản xuất" on the trace page as on the receipt and the
// screens.
func TestTheTracePageCallsTheProducerNhaSanXuat(t *testing.T) {
	k := startKiosk(t, t.TempDir())
	page := string(k.do("GET", "/01/"+honeyGTIN+"?lang=vi", nil).Body)
	if !strings.Contains(page, "<h2>Nhà sản xuất</h2>") || strings.Contains(page, "Chủ thể") {
		t.Errorf("the trace page's producer card is not headed Nhà sản xuất:\n%s", page)
	}
}

// ?since=YYYY-MM-DD is a day in Vietnam, as the screens' "today" is and the
// receipts' dates are, whatever zone the kiosk machine is set to.
func TestSinceADayMeansThatDayInVietnam(t *testing.T) {
	got, err := parseSince("2026-05-15")
	if want := time.Date(2026, 5, 15, 0, 0, 0, 0, pos.VietnamTime); err != nil || !got.Equal(want) {
		t.Fatalf("since=2026-05-15 is %v (%v), want %v", got, err, want)
	}
	got, err = parseSince("2026-05-15T00:00:00+07:00")
	if err != nil || !got.Equal(time.Date(2026, 5, 14, 17, 0, 0, 0, time.UTC)) {
		t.Fatalf("an RFC 3339 time keeps its own offset: %v %v", got, err)
	}
}
