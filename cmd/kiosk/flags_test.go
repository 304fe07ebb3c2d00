package main

import (
	"slices"
	"testing"

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
