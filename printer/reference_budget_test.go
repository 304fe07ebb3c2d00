package printer

import (
	"strings"
	"testing"
)

// TestReferenceReceiptMeetsTheBudget: on a TCVN-3 profile the reference receipt
// fits 1,100 bytes (1.2 s at 9600 baud) and reads back with every Vietnamese
// letter exact, capitals with diacritics included.
func TestReferenceReceiptMeetsTheBudget(t *testing.T) {
	ref := referenceReceipt(t)
	for _, profile := range []string{"epson-tm-t20", "epson-tm-t88", "xprinter-58", "rongta-80"} {
		t.Run(profile, func(t *testing.T) {
			data, e := encodeReference(t, profile)
			if e.Rasterised != 0 {
				t.Errorf("%d lines rasterised; the code pages cover Vietnamese", e.Rasterised)
			}
			if strings.HasPrefix(profile, "epson") {
				if len(data) > 1100 {
					t.Errorf("%d bytes, budget 1,100", len(data))
				}
				if s := WireTime(len(data), 9600).Seconds(); s > 1.2 {
					t.Errorf("%.2f s at 9600 baud, budget 1.2 s", s)
				}
			}
			doc, err := Decode(data, Profiles[profile])
			if err != nil {
				t.Fatal(err)
			}
			// Narrow paper wraps the address: compare with lines joined.
			text := strings.Join(strings.Fields(doc.Text()), " ")
			want := []string{ref.Seller.Name, ref.Seller.Address, "TỔNG CỘNG", "Tiền thừa", "Cảm ơn quý khách!"}
			for _, l := range ref.Lines {
				want = append(want, l.Name)
			}
			for _, w := range want {
				if !strings.Contains(text, strings.Join(strings.Fields(w), " ")) {
					t.Errorf("decoded receipt lacks %q", w)
				}
			}
			if len(doc.QRCodes) != 1 || doc.QRCodes[0] != ref.QR {
				t.Errorf("QR codes %q, want [%q]", doc.QRCodes, ref.QR)
			}
			if len(doc.Unknown) > 0 {
				t.Errorf("the emulator did not understand %q", doc.Unknown)
			}
		})
	}
}

// TestReceiptGoldenBytes pins the receipt bytes per profile
// (testdata/receipt-*.golden; go test ./printer -run Golden -update rewrites them).
func TestReceiptGoldenBytes(t *testing.T) {
	for _, profile := range ProfileNames() {
		if Profiles[profile].Language == "tspl" {
			continue
		}
		t.Run(profile, func(t *testing.T) {
			data, _ := encodeReference(t, profile)
			golden(t, "receipt-"+profile, data)
			doc, err := Decode(data, Profiles[profile])
			if err != nil {
				t.Fatal(err)
			}
			if doc.Cuts != 1 && Profiles[profile].Cutter {
				t.Errorf("%d cuts", doc.Cuts)
			}
		})
	}
}

// BenchmarkReferenceReceipt reports, per profile, the bytes of the reference
// receipt and its time on the wire at 9600 and 115200 baud, next to the same
// receipt sent as one bitmap (what image-based printing does).
func BenchmarkReferenceReceipt(b *testing.B) {
	for _, profile := range ProfileNames() {
		if Profiles[profile].Language == "tspl" {
			continue
		}
		b.Run(profile, func(b *testing.B) {
			var n int
			for i := 0; i < b.N; i++ {
				data, _ := encodeReference(b, profile)
				n = len(data)
			}
			b.ReportMetric(float64(n), "bytes/receipt")
			b.ReportMetric(WireTime(n, 9600).Seconds(), "s@9600")
			b.ReportMetric(WireTime(n, 115200).Seconds(), "s@115200")
		})
	}
	// The same receipt as the MTT invoice of a direct-method seller: what the
	// invoice block adds (receipt_invoice_test.go holds its budget).
	for _, profile := range []string{"epson-tm-t20", "epson-tm-t88", "xprinter-58", "rongta-80"} {
		b.Run("invoice/"+profile, func(b *testing.B) {
			plain, _ := encodeReference(b, profile)
			var n int
			for i := 0; i < b.N; i++ {
				data, _ := encodeInvoice(b, profile, referenceInvoice(b))
				n = len(data)
			}
			b.ReportMetric(float64(n), "bytes/receipt")
			b.ReportMetric(float64(n-len(plain)), "invoice-bytes")
			b.ReportMetric(WireTime(n, 9600).Seconds(), "s@9600")
		})
	}
	b.Run("as-one-bitmap-576", func(b *testing.B) {
		data, _ := encodeReference(b, "epson-tm-t20")
		doc, err := Decode(data, Profiles["epson-tm-t20"])
		if err != nil {
			b.Fatal(err)
		}
		img := doc.Render()
		var n int
		for i := 0; i < b.N; i++ {
			e := NewEncoder(Profiles["generic-80"])
			e.Init().Image(img).Cut()
			n = len(e.Bytes())
		}
		b.ReportMetric(float64(n), "bytes/receipt")
		b.ReportMetric(WireTime(n, 9600).Seconds(), "s@9600")
		b.ReportMetric(WireTime(n, 115200).Seconds(), "s@115200")
	})
}
