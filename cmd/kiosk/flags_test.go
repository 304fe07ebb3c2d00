package main

import (
	"slices"
	"testing"

	"github.com/ocop-kiosk/kiosk/kiosk"
	"github.com/ocop-kiosk/kiosk/pos"
)

func TestAccessFlagsAndTheirEnvironmentTwins(t *testing.T) {
	t.Setenv("KIOSK_TRUSTED_PROXY", "127.0.0.1, 10.0.0.0/8")
	t.Setenv("KIOSK_HOSTS", "quay-ocop.local")
	cfg, _, err := parse([]string{"-hosts", "ocop.fair.example", "-trusted-proxy", "::1"})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"127.0.0.1", "10.0.0.0/8", "::1"}; !slices.Equal(cfg.TrustedProxies, want) {
		t.Errorf("trusted proxies %q, want %q", cfg.TrustedProxies, want)
	}
	if want := []string{"quay-ocop.local", "ocop.fair.example"}; !slices.Equal(cfg.Hosts, want) {
		t.Errorf("hosts %q, want %q", cfg.Hosts, want)
	}
}

func TestReceiptLanguageFlagAndItsEnvironmentTwin(t *testing.T) {
	cfg, _, err := parse(nil)
	if err != nil || cfg.ReceiptLang != "vi" {
		t.Fatalf("default: %q, %v", cfg.ReceiptLang, err)
	}
	t.Setenv("KIOSK_RECEIPT_LANG", "en")
	if cfg, _, err = parse(nil); err != nil || cfg.ReceiptLang != "en" {
		t.Errorf("KIOSK_RECEIPT_LANG=en: %q, %v", cfg.ReceiptLang, err)
	}
	if cfg, _, err = parse([]string{"-receipt-lang", "vi"}); err != nil || cfg.ReceiptLang != "vi" {
		t.Errorf("-receipt-lang vi over the environment: %q, %v", cfg.ReceiptLang, err)
	}
}

func TestScaleFlagsAndTheirEnvironmentTwins(t *testing.T) {
	t.Setenv("KIOSK_SCALE", "serial:/dev/ttyUSB1?baud=9600&protocol=toledo-8217")
	t.Setenv("KIOSK_SCALE_BARCODE", "prefix=21,item=5,value=weight; prefix=22,item=4,value=price,check=1,unit=100")
	cfg, _, err := parse([]string{"-scale-barcode", "prefix=23,item=5,value=price"})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Scale != "serial:/dev/ttyUSB1?baud=9600&protocol=toledo-8217" {
		t.Errorf("scale %q", cfg.Scale)
	}
	want := []string{"prefix=21,item=5,value=weight", "prefix=22,item=4,value=price,check=1,unit=100", "prefix=23,item=5,value=price"}
	if !slices.Equal(cfg.ScaleBarcodes, want) {
		t.Errorf("scale barcodes %q, want %q", cfg.ScaleBarcodes, want)
	}
}

func TestTheDiscountLimitFlagAndItsEnvironmentTwin(t *testing.T) {
	cfg, _, err := parse(nil)
	if err != nil || cfg.DiscountLimit != pos.DefaultDiscountLimit {
		t.Fatalf("default: %v, %v", cfg.DiscountLimit, err)
	}
	if cfg, _, err = parse([]string{"-discount-limit", "12.5"}); err != nil || cfg.DiscountLimit != 1250 {
		t.Errorf("-discount-limit 12.5: %v, %v", cfg.DiscountLimit, err)
	}
	if _, _, err = parse([]string{"-discount-limit", "150"}); err == nil {
		t.Error("-discount-limit 150 accepted")
	}
	t.Setenv("KIOSK_DISCOUNT_LIMIT", "0")
	if cfg, _, err = parse(nil); err != nil || cfg.DiscountLimit != 0 {
		t.Errorf("KIOSK_DISCOUNT_LIMIT=0: %v, %v", cfg.DiscountLimit, err)
	}
}

func TestInvoiceFlagsAndTheirEnvironmentTwins(t *testing.T) {
	cfg, _, err := parse(nil)
	if err != nil || cfg.Invoice != (kiosk.InvoiceConfig{}) {
		t.Fatalf("default: invoicing off, got %+v, %v", cfg.Invoice, err)
	}
	t.Setenv("KIOSK_TAX_METHOD", "credit")
	t.Setenv("KIOSK_INVOICE_SYMBOL", "C26MAB")
	t.Setenv("KIOSK_INVOICE_CQT_CODE", "A1B2C")
	t.Setenv("KIOSK_INVOICE_BLOCK", "7")
	t.Setenv("KIOSK_INVOICE_DIRECT_RATE", "3")
	cfg, _, err = parse([]string{"-invoice-form", "1", "-invoice-symbol", "C26MAA"})
	if err != nil {
		t.Fatal(err)
	}
	want := kiosk.InvoiceConfig{TaxMethod: "credit", Form: 1, Symbol: "C26MAA", CQTCode: "A1B2C", Block: "7", DirectRate: 300}
	if cfg.Invoice != want {
		t.Errorf("invoice config %+v, want %+v", cfg.Invoice, want)
	}
	t.Setenv("KIOSK_INVOICE_FORM", "two")
	if _, _, err := parse(nil); err == nil {
		t.Error("KIOSK_INVOICE_FORM=two accepted")
	}
}
