package pos

import (
	"errors"
	"strings"
	"testing"
)

func TestDigitalLinkRoundTrips(t *testing.T) {
	tests := []struct {
		name string
		d    DigitalLink
		want string
	}{
		{"a product", DigitalLink{Base: "https://kiosk.example.vn", GTIN: "8936072100152"}, "https://kiosk.example.vn/01/08936072100152"},
		{"a lot with expiry", DigitalLink{Base: "https://kiosk.example.vn", GTIN: "08936072100152", Lot: "UM2611-01", Expiry: Date{2028, 10, 15}},
			"https://kiosk.example.vn/01/08936072100152/10/UM2611-01?17=281015"},
		{"a serialised item", DigitalLink{Base: "http://192.0.2.1:8080", GTIN: "08936072100152", Lot: "UM2611-01", Serial: "0001"},
			"http://192.0.2.1:8080/01/08936072100152/10/UM2611-01/21/0001"},
		{"a base with a path prefix and a variant", DigitalLink{Base: "https://id.example.vn/ocop", GTIN: "08936072100152", CPV: "A1", Lot: "L1"},
			"https://id.example.vn/ocop/01/08936072100152/22/A1/10/L1"},
		{"characters that need percent-encoding", DigitalLink{Base: "https://k.vn", GTIN: "08936072100152", Lot: `AB/12%"<>`},
			"https://k.vn/01/08936072100152/10/AB%2F12%25%22%3C%3E"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.d.String()
			if err != nil || got != tt.want {
				t.Fatalf("String() = %q, %v; want %q", got, err, tt.want)
			}
			back, err := ParseDigitalLink(got)
			if err != nil {
				t.Fatal(err)
			}
			want := tt.d
			_ = want.Validate()
			if back != want {
				t.Errorf("parsed back %+v, want %+v", back, want)
			}
		})
	}
}

func TestDigitalLinkRejects(t *testing.T) {
	for _, tt := range []struct{ name, uri string }{
		{"no GTIN", "https://k.vn/10/LOT"},
		{"a GTIN with a wrong check digit", "https://k.vn/01/08936072100153"},
		{"a 13-digit GTIN in the URI", "https://k.vn/01/8936072100152"},
		{"lot before variant", "https://k.vn/01/08936072100152/10/L1/22/A1"},
		{"serial before lot", "https://k.vn/01/08936072100152/21/S1/10/L1"},
		{"a serial without a lot", "https://k.vn/01/08936072100152/21/S1"},
		{"a repeated lot", "https://k.vn/01/08936072100152/10/L1/10/L2"},
		{"an unknown AI in the path", "https://k.vn/01/08936072100152/99/X"},
		{"a dangling AI", "https://k.vn/01/08936072100152/10"},
		{"a lot of 21 characters", "https://k.vn/01/08936072100152/10/" + strings.Repeat("A", 21)},
		{"a lot outside the 82-character set", "https://k.vn/01/08936072100152/10/L%C3%B4"},
		{"a space in a lot", "https://k.vn/01/08936072100152/10/A%20B"},
		{"an unknown query key", "https://k.vn/01/08936072100152?linkType=all"},
		{"a month 13", "https://k.vn/01/08936072100152/10/L1?17=281315"},
		{"February 30", "https://k.vn/01/08936072100152/10/L1?17=280230"},
		{"an expiry of 5 digits", "https://k.vn/01/08936072100152/10/L1?17=28101"},
		{"a fragment", "https://k.vn/01/08936072100152#x"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if d, err := ParseDigitalLink(tt.uri); !errors.Is(err, ErrBadDigitalLink) {
				t.Fatalf("ParseDigitalLink(%q) = %+v, %v", tt.uri, d, err)
			}
		})
	}
}

func TestDigitalLinkExpiryDay00IsTheMonthsLastDay(t *testing.T) {
	d, err := ParseDigitalLink("https://k.vn/01/08936072100152/10/L1?17=280200")
	if err != nil || d.Expiry != (Date{2028, 2, 29}) {
		t.Fatalf("%+v %v", d.Expiry, err)
	}
}

func FuzzParseDigitalLink(f *testing.F) {
	f.Add("https://kiosk.example.vn/01/08936072100152/10/UM2611-01/21/0001?17=281015")
	f.Add("/01/08936072100152/22/A1/10/L%2F1")
	f.Add("https://k.vn/01/08936072100152?17=280200")
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDigitalLink(s)
		if err != nil {
			return
		}
		// What parses builds back to a URI that parses to the same link.
		uri, err := d.String()
		if err != nil {
			t.Fatalf("%+v parsed from %q does not build: %v", d, s, err)
		}
		back, err := ParseDigitalLink(uri)
		if err != nil || back != d {
			t.Fatalf("%q → %+v → %q → %+v, %v", s, d, uri, back, err)
		}
	})
}
