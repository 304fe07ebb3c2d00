package printer

import (
	"fmt"

	"github.com/ocop-kiosk/kiosk/pos"
)

// Receipt languages. Vietnamese is the default; an English receipt is for a
// tourist served by a till set to English.
const (
	LangVI = "vi"
	LangEN = "en"
)

// receiptWords are the fixed words of a receipt in one language. The cash
// words are the ones the till and the customer display show ("Khách đưa",
// "Tiền thừa"), so screen and paper read alike.
type receiptWords struct {
	title, void, refund                  string
	no, till, cashier, forReceipt        string
	subtotal, discount, promotion, total string
	saved                                string
	vat                                  string // with %d for the rate
	tendered, change                     string
	transferRef                          string // names a VietQR transfer's reference
	scanToPay, thanks, lot               string
	serials                              string // names the serials scanned into a line
	methods                              map[string]string
	// decimal separates whole kilograms from grams.
	decimal string
}

var receiptLangs = map[string]receiptWords{
	LangVI: {
		// "Hoá đơn bán lẻ", not "hoá đơn điện tử": that is the tax e-invoice.
		title: "HOÁ ĐƠN BÁN LẺ", void: "PHIẾU HUỶ", refund: "PHIẾU HOÀN TIỀN",
		no: "Số: ", till: "Quầy: ", cashier: "Thu ngân: ", forReceipt: "Cho phiếu: ",
		subtotal: "Cộng tiền hàng", discount: "Giảm giá", promotion: "Khuyến mãi", total: "TỔNG CỘNG",
		saved: "Tổng giảm giá", vat: "Thuế GTGT %d%% (đã gồm)",
		tendered: "Khách đưa", change: "Tiền thừa", transferRef: "ND: ",
		scanToPay: "Quét mã để chuyển khoản", thanks: "Cảm ơn quý khách!", lot: "lô", serials: "Số sê-ri: ",
		methods: map[string]string{
			pos.MethodCash:    "Tiền mặt",
			pos.MethodVietQR:  "Chuyển khoản VietQR",
			pos.MethodCard:    "Thẻ",
			pos.MethodEwallet: "Ví điện tử",
		},
		decimal: ",",
	},
	LangEN: {
		title: "RECEIPT", void: "VOID", refund: "REFUND",
		no: "No.: ", till: "Till: ", cashier: "Cashier: ", forReceipt: "For receipt: ",
		subtotal: "Subtotal", discount: "Discount", promotion: "Promotion", total: "TOTAL",
		saved: "Total discount", vat: "VAT %d%% (included)",
		tendered: "Cash given", change: "Change", transferRef: "Ref: ",
		scanToPay: "Scan to pay by bank transfer", thanks: "Thank you!", lot: "lot", serials: "Serials: ",
		methods: map[string]string{
			pos.MethodCash:    "Cash",
			pos.MethodVietQR:  "VietQR transfer",
			pos.MethodCard:    "Card",
			pos.MethodEwallet: "E-wallet",
		},
		decimal: ".",
	},
}

// ParseReceiptLang checks a receipt language setting: vi or en.
func ParseReceiptLang(s string) (string, error) {
	if _, ok := receiptLangs[s]; ok {
		return s, nil
	}
	return "", fmt.Errorf("receipt language %q: want vi or en", s)
}

// wordsFor is the words of lang, Vietnamese when lang is unknown or empty.
func wordsFor(lang string) receiptWords {
	if w, ok := receiptLangs[lang]; ok {
		return w
	}
	return receiptLangs[LangVI]
}

// method is the printed name of a payment method.
func (w receiptWords) method(m string) string {
	if n, ok := w.methods[m]; ok {
		return n
	}
	return m
}

// LotSuffix is how a line names its lot: " (lô UM2611-01)".
func LotSuffix(lang, lot string) string {
	return " (" + wordsFor(lang).lot + " " + lot + ")"
}

// kilograms writes grams as kilograms with three decimals: "1,235 kg" (in
// English "1.235 kg").
func (w receiptWords) kilograms(g int64) string {
	sign := ""
	if g < 0 {
		sign, g = "-", -g
	}
	return fmt.Sprintf("%s%d%s%03d kg", sign, g/1000, w.decimal, g%1000)
}
