package printer

import (
	"fmt"
	"time"

	"github.com/ocop-kiosk/kiosk/pos"
)

// SampleReceipt is a short Vietnamese receipt with every letter form a real one
// needs (capitals with diacritics included) for `kiosk print-test`.
func SampleReceipt() Receipt {
	return Receipt{
		Seller:    Seller{Name: "GIAN HÀNG OCOP CÀ MAU", TaxCode: "2000123456", Address: "Hội chợ OCOP, Công viên Hùng Vương, TP Cà Mau"},
		Kind:      pos.KindSale,
		ReceiptNo: "TEST-000001",
		Time:      time.Now(),
		Lines: []ReceiptLine{
			{Name: "Mật ong rừng tràm U Minh Hạ 500ml", Qty: 1, Price: 220000, VATRate: 8},
			{Name: "ĐẶC SẢN: Ổi, Ớt, Ấu, Ẩm thực Đất Mũi", Qty: 2, Price: 45000, VATRate: 8},
			{Name: "Bưởi da xanh Bến Tre", Qty: 1, Price: 75000, VATRate: 0},
		},
		Payments: []pos.Payment{{Method: pos.MethodCash, Amount: 385000, Tendered: 500000, Change: 115000}},
		QR:       "https://kiosk.local/print-test",
	}
}

// WriteCodePageTable prints every Vietnamese code page of the profile, each with
// its ESC t number and a sentence using it, so a vendor with an unknown clone can
// see which numbers print Vietnamese correctly and set them in the printer URL
// (tcvn3=LOWER,UPPER or cp1258=N). It also tries the numbers clones are known to
// use.
func WriteCodePageTable(e *Encoder) {
	e.Init()
	e.SetAlign(AlignCenter).Bold(true).Line("BẢNG MÃ / CODE PAGES").Bold(false).SetAlign(AlignLeft)
	e.Line("Profile: " + e.p.Name)
	sample := "Tiếng Việt: Đặc sản Ổi Ớt Ẩm Ấu đủ dấu"
	for _, name := range []string{PageTCVN3Lower, PageTCVN3Upper, PageCP1258} {
		n, ok := e.p.Pages[name]
		if !ok {
			continue
		}
		e.Line(fmt.Sprintf("%s = ESC t %d:", name, n))
		for _, l := range Wrap(sample, e.Columns()) {
			e.Line(l)
		}
	}
	// Raw bytes of the upper half under candidate numbers: the row that shows
	// Vietnamese letters is the number to use.
	cs := Charsets[PageTCVN3Lower]
	for _, n := range []byte{30, 31, 27, 35, 52, 94} {
		e.Raw(ESC, 't', n)
		line := fmt.Sprintf("ESC t %-3d ", n)
		e.Raw([]byte(line)...)
		for b := 0xA8; b <= 0xAE; b++ {
			e.Raw(byte(b))
		}
		for _, b := range []byte{0xB5, 0xB8, 0xD5, 0xE8} {
			e.Raw(b)
		}
		e.Raw(LF)
	}
	e.page = "" // the raw rows changed the page behind the encoder's back
	want := ""
	for b := 0xA8; b <= 0xAE; b++ {
		r, _ := cs.Decode(byte(b))
		want += string(r)
	}
	for _, l := range Wrap("TCVN-3 lower page should read: "+want+"àáếố", e.Columns()) {
		e.Line(l)
	}
	e.Feed(1)
}

// WritePrintTest is what `kiosk print-test` sends: the sample receipt, the code
// page table and a QR code.
func WritePrintTest(e *Encoder) {
	WriteCodePageTable(e)
	e.SetAlign(AlignCenter).Line("QR:").QR("https://kiosk.local/print-test", 6, QRLevelM).SetAlign(AlignLeft)
	e.Feed(2)
	WriteReceipt(e, SampleReceipt())
}
