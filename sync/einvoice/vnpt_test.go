package einvoice

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// startEmulator serves an emulator on loopback until the test ends.
func startEmulator(t testing.TB) (*Emulator, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	e := NewEmulator()
	srv := &http.Server{Handler: e.Handler()}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return e, "http://" + ln.Addr().String() + "/PublishService.asmx"
}

// testInvoice is an invoice of series 2C26MAA as the kiosk writes it (the
// fields the provider reads; the rest of HDon does not matter here).
func testInvoice(n int64, day string) Invoice {
	issued, _ := time.ParseInLocation(time.DateOnly, day, vietnam)
	mccqt := fmt.Sprintf("M2-26-A1B2C-%011d", 10_000_000+n)
	doc := fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8"?>
<HDon><DLHDon><TTChung><PBan>2.1.0</PBan><KHMSHDon>2</KHMSHDon><KHHDon>C26MAA</KHHDon><SHDon>%d</SHDon><NLap>%s</NLap></TTChung>`+
		`<NDHDon><NBan><Ten>HTX Ong mật U Minh Hạ &amp; Cà Mau</Ten></NBan></NDHDon></DLHDon><MCCQT>%s</MCCQT></HDon>`, n, day, mccqt)
	return Invoice{Key: fmt.Sprintf("0312345678-2C26MAA-%d", n), Form: 2, Symbol: "C26MAA", Number: n, Issued: issued, MCCQT: mccqt, XML: []byte(doc)}
}

func testClient(t testing.TB, e *Emulator, url string) *VNPT {
	t.Helper()
	p, err := New(e.Settings(url), nil)
	if err != nil {
		t.Fatal(err)
	}
	v := p.(*VNPT)
	v.Timeout = 2 * time.Second
	return v
}

func outcomes(rs []Result) string {
	var b []string
	for _, r := range rs {
		s := r.Outcome.String()
		if r.Code != "" {
			s += "(" + r.Code + ")"
		}
		b = append(b, s)
	}
	return strings.Join(b, " ")
}

func publishedNumbers(e *Emulator) string {
	var b []string
	for _, p := range e.Published() {
		b = append(b, fmt.Sprint(p.Number))
	}
	return strings.Join(b, " ")
}

func TestVNPTDelivery(t *testing.T) {
	today := time.Now().In(vietnam).Format(time.DateOnly)
	yesterday := time.Now().In(vietnam).AddDate(0, 0, -1).Format(time.DateOnly)
	tomorrow := time.Now().In(vietnam).AddDate(0, 0, 1).Format(time.DateOnly)
	batch := func(days ...string) []Invoice {
		var out []Invoice
		for i, d := range days {
			out = append(out, testInvoice(int64(i+1), d))
		}
		return out
	}
	tests := []struct {
		name      string
		setup     func(e *Emulator, v *VNPT)
		batch     []Invoice
		resend    bool
		want      string // outcomes
		wantErr   error
		published string
	}{
		{name: "a batch is published whole, in order", batch: batch(yesterday, today, today),
			want: "delivered delivered delivered", published: "1 2 3"},
		{name: "an invoice dated before one published is refused with ERR30 and the rest go on",
			setup: func(e *Emulator, v *VNPT) { e.Refuse("0312345678-2C26MAA-2", "ERR30") },
			batch: batch(today, today, today, today),
			want:  "delivered refused(ERR30) delivered delivered", published: "1 3 4"},
		{name: "an invoice dated tomorrow is refused with ERR15", batch: batch(today, tomorrow),
			want: "delivered refused(ERR15)", published: "1"},
		{name: "wrong credentials refuse the seller and publish nothing",
			setup: func(e *Emulator, v *VNPT) { v.Settings.Password = "wrong" },
			batch: batch(today), wantErr: ErrSeller},
		{name: "a provider that is down publishes nothing",
			setup: func(e *Emulator, v *VNPT) { e.SetDown(true) },
			batch: batch(today), wantErr: ErrUnavailable},
		{name: "a provider slower than the timeout publishes nothing",
			setup: func(e *Emulator, v *VNPT) { e.SetDelay(time.Second); v.Timeout = 100 * time.Millisecond },
			batch: batch(today), wantErr: ErrUnavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, url := startEmulator(t)
			v := testClient(t, e, url)
			if tt.setup != nil {
				tt.setup(e, v)
			}
			rs, err := v.Deliver(context.Background(), tt.batch, tt.resend)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if got := outcomes(rs); got != tt.want {
				t.Errorf("outcomes %q, want %q", got, tt.want)
			}
			if got := publishedNumbers(e); got != tt.published {
				t.Errorf("published %q, want %q", got, tt.published)
			}
		})
	}
}

// A list whose answer was lost was published: sent again, it is a duplicate,
// which is delivered, and the provider holds each invoice once.
func TestVNPTResendAfterLostAnswerIsDelivered(t *testing.T) {
	e, url := startEmulator(t)
	v := testClient(t, e, url)
	today := time.Now().In(vietnam).Format(time.DateOnly)
	b := []Invoice{testInvoice(1, today), testInvoice(2, today), testInvoice(3, today)}
	e.LoseAnswers(1)
	if _, err := v.Deliver(context.Background(), b, false); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("a lost answer: %v, want ErrUnavailable", err)
	}
	rs, err := v.Deliver(context.Background(), b, true)
	if err != nil {
		t.Fatal(err)
	}
	if got := outcomes(rs); got != "duplicate(ERR13) duplicate(ERR13) duplicate(ERR13)" {
		t.Errorf("resend: %s", got)
	}
	if got := publishedNumbers(e); got != "1 2 3" {
		t.Errorf("published %q", got)
	}
	// A batch that is not a resend but meets a key the provider has is halved
	// until the duplicate is found, and the new invoices still go, in order.
	b = append(b[2:], testInvoice(4, today), testInvoice(5, today))
	rs, err = v.Deliver(context.Background(), b, false)
	if err != nil {
		t.Fatal(err)
	}
	if got := outcomes(rs); got != "duplicate(ERR13) delivered delivered" {
		t.Errorf("a duplicate among new invoices: %s", got)
	}
	if got := publishedNumbers(e); got != "1 2 3 4 5" {
		t.Errorf("published %q", got)
	}
}

func TestSettingsAreCheckedAndSecretsRedacted(t *testing.T) {
	good := Settings{Provider: "vnpt", URL: "https://example.vnpt-invoice.com.vn/PublishService.asmx", Account: "a", ACPass: "b", Username: "c", Password: "d"}
	if err := good.Validate(); err != nil {
		t.Fatal(err)
	}
	for name, s := range map[string]Settings{
		"an unknown provider is refused": {Provider: "viettel", URL: good.URL, Account: "a", ACPass: "b", Username: "c", Password: "d"},
		"a url that is not http(s)":      {Provider: "vnpt", URL: "ftp://x", Account: "a", ACPass: "b", Username: "c", Password: "d"},
		"a missing password":             {Provider: "vnpt", URL: good.URL, Account: "a", ACPass: "b", Username: "c"},
	} {
		if err := s.Validate(); !errors.Is(err, ErrBadSettings) {
			t.Errorf("%s: %v", name, err)
		}
	}
	r := good.Redacted()
	if r.ACPass != "***" || r.Password != "***" || r.Account != "a" {
		t.Errorf("redacted: %+v", r)
	}
}
