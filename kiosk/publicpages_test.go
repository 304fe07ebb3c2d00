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

// A tourist reading a lot's page in English reads its origin and
// certifications in English, and sees the product's picture when the kiosk
// has one.
func TestTheTracePageInEnglishTranslatesTheCatalogsWordsAndShowsThePicture(t *testing.T) {
	k := startKiosk(t, t.TempDir())
	lot := "/01/" + honeyGTIN + "/10/UM2605-01"
	en := string(k.do("GET", lot+"?lang=en", nil).Body)
	for _, w := range []string{"U Minh Hạ melaleuca forest, Khánh An commune, Cà Mau", "<dd>Organic</dd>"} {
		if !strings.Contains(en, w) {
			t.Errorf("the English page lacks %q", w)
		}
	}
	if strings.Contains(en, "Hữu cơ") || strings.Contains(en, "Rừng tràm") {
		t.Error("the English page still says Hữu cơ or Rừng tràm")
	}
	vi := string(k.do("GET", lot+"?lang=vi", nil).Body)
	if !strings.Contains(vi, "Rừng tràm U Minh Hạ, xã Khánh An, Cà Mau") || !strings.Contains(vi, "<dd>Hữu cơ</dd>") {
		t.Error("the Vietnamese page does not keep the catalog's words")
	}
	if strings.Contains(vi, "<img") {
		t.Error("a product without a picture shows an image")
	}
	if r := k.do("POST", "/api/v1/products/CM-MO-500/image", jpegOf(t, photo(640, 480), 80), "X-Manager-Pin", testPIN); r.Status != 200 {
		t.Fatalf("upload: %d %s", r.Status, r.Body)
	}
	if page := string(k.do("GET", lot+"?lang=en", nil).Body); !strings.Contains(page, `<img class="pic" src="/img/cm-mo-500.jpg"`) {
		t.Errorf("the page does not show the product's picture:\n%s", page)
	}
}
