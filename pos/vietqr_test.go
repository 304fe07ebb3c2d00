package pos

import (
	"errors"
	"strings"
	"testing"
)

func TestCRC16CCITTFalseMatchesTheCheckValue(t *testing.T) {
	// The catalogue check value of CRC-16/CCITT-FALSE.
	if got := crc16CCITT([]byte("123456789")); got != 0x29B1 {
		t.Fatalf("crc16(123456789) = %04X, want 29B1", got)
	}
}

func TestVietQRPayloadHasTheNAPASFields(t *testing.T) {
	q := VietQR{BankBIN: "970405", Account: "7300205123456", Amount: 1365000, Reference: "K01-000123"}
	p, err := q.Payload()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"000201", "010212", "0010A000000727", "0006970405", "01137300205123456", "0208QRIBFTTA",
		"5303704", "54071365000", "5802VN", "62140810K01 000123", "6304"} {
		if !strings.Contains(p, want) {
			t.Errorf("payload %s lacks %s", p, want)
		}
	}
	back, err := ParseVietQR(p)
	if err != nil {
		t.Fatal(err)
	}
	if back.BankBIN != q.BankBIN || back.Account != q.Account || back.Amount != q.Amount || back.Reference != "K01 000123" {
		t.Errorf("round trip: %+v", back)
	}
}

func TestVietQRWithoutAmountIsStatic(t *testing.T) {
	p, err := VietQR{BankBIN: "970436", Account: "0011004123456"}.Payload()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(p, "000201010211") || strings.Contains(p, "5404") {
		t.Fatalf("static payload %s", p)
	}
}

func TestVietQRRejects(t *testing.T) {
	good, _ := VietQR{BankBIN: "970405", Account: "123", Amount: 5000}.Payload()
	tests := []struct {
		name string
		q    VietQR
	}{
		{"a five-digit BIN", VietQR{BankBIN: "97040", Account: "123"}},
		{"an account with a dash", VietQR{BankBIN: "970405", Account: "12-3"}},
		{"a negative amount", VietQR{BankBIN: "970405", Account: "123", Amount: -1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := tt.q.Payload(); !errors.Is(err, ErrBadVietQR) {
				t.Fatalf("err = %v", err)
			}
		})
	}
	for name, p := range map[string]string{
		"a wrong CRC":      good[:len(good)-1] + "0",
		"a truncated body": good[10:],
		"empty":            "",
	} {
		t.Run("parsing "+name, func(t *testing.T) {
			if _, err := ParseVietQR(p); !errors.Is(err, ErrBadVietQR) {
				t.Fatalf("err = %v", err)
			}
		})
	}
}

func TestVietQRReferenceFoldsAndTrims(t *testing.T) {
	if got := vietQRReference("Đơn hàng K01-000123 tại hội chợ"); got != "Don hang K01 000123" {
		t.Fatalf("got %q", got)
	}
}

func FuzzParseVietQR(f *testing.F) {
	good, _ := VietQR{BankBIN: "970405", Account: "123", Amount: 5000, Reference: "K01"}.Payload()
	f.Add(good)
	f.Add("00020101021238")
	f.Fuzz(func(t *testing.T, s string) {
		q, err := ParseVietQR(s)
		if err != nil {
			return
		}
		// Whatever parses must build back to a payload that parses the same.
		if q.BankBIN == "" || q.Account == "" {
			return
		}
		p, err := q.Payload()
		if err != nil {
			return
		}
		if q2, err := ParseVietQR(p); err != nil || q2.BankBIN != q.BankBIN || q2.Amount != q.Amount {
			t.Fatalf("rebuilt payload %q: %v %+v", p, err, q2)
		}
	})
}
