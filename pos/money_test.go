package pos

import (
	"errors"
	"math"
	"testing"
)

func TestFormatVND(t *testing.T) {
	tests := []struct {
		name string
		in   Money
		want string
	}{
		{"a typical price is grouped with dots", 125000, "125.000"},
		{"zero is just 0", 0, "0"},
		{"a million has two dots", 1000000, "1.000.000"},
		{"three digits need no dot", 999, "999"},
		{"four digits get one dot", 1000, "1.000"},
		{"a negative amount keeps its sign before the first group", -125000, "-125.000"},
		{"a small negative amount has no dot", -5, "-5"},
		{"a negative amount of exactly three digits gets no stray dot", -100, "-100"},
		{"the largest sale total is grouped throughout", MaxSaleTotal, "10.000.000.000.000"},
		{"the most negative int64 does not lose its digits", math.MinInt64, "-9.223.372.036.854.775.808"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := FormatVND(tt.in); got != tt.want {
				t.Errorf("FormatVND(%d) = %q, want %q", int64(tt.in), got, tt.want)
			}
		})
	}
}

func TestMoneyStringAppendsTheDongSign(t *testing.T) {
	tests := []struct {
		in   Money
		want string
	}{
		{125000, "125.000 ₫"},
		{0, "0 ₫"},
		{-220000, "-220.000 ₫"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := tt.in.String(); got != tt.want {
				t.Errorf("Money(%d).String() = %q, want %q", int64(tt.in), got, tt.want)
			}
		})
	}
}

func TestVATContained(t *testing.T) {
	// Every want is gross × rate / (100 + rate) worked out by hand, rounded half away
	// from zero.
	tests := []struct {
		name  string
		gross Money
		rate  int
		want  Money
	}{
		{"no VAT at 0%", 150000, 0, 0},
		{"a negative rate contains no VAT", 150000, -5, 0},
		{"108.000 at 8% contains exactly 8.000", 108000, 8, 8000},
		{"150.000 at 8% contains 11.111,11 which rounds down to 11.111", 150000, 8, 11111},
		{"220.000 at 8% contains 16.296,30 which rounds down", 220000, 8, 16296},
		{"440.000 at 8% contains 32.592,59 which rounds up", 440000, 8, 32593},
		{"105.000 at 5% contains exactly 5.000", 105000, 5, 5000},
		{"150.000 at 5% contains 7.142,86 which rounds up", 150000, 5, 7143},
		{"110.000 at 10% contains exactly 10.000", 110000, 10, 10000},
		{"100.000 at 10% contains 9.090,91 which rounds up", 100000, 10, 9091},
		{"7 đồng at 8% contains 0,52 which rounds up to 1", 7, 8, 1},
		{"6 đồng at 8% contains 0,44 which rounds down to 0", 6, 8, 0},
		{"zero gross contains no VAT", 0, 8, 0},
		{"a negative gross (a refund) contains negative VAT", -150000, 8, -11111},
		{"a small negative gross rounds away from zero like a positive one", -7, 8, -1},
		{"the largest sale total at 10% does not overflow", MaxSaleTotal, 10, 909_090_909_091},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := VATContained(tt.gross, tt.rate); got != tt.want {
				t.Errorf("VATContained(%d, %d) = %d, want %d", tt.gross, tt.rate, got, tt.want)
			}
		})
	}
}

func TestMulMoney(t *testing.T) {
	tests := []struct {
		name    string
		a       Money
		n       int64
		want    Money
		wantErr bool
	}{
		{"a price times a quantity", 220000, 3, 660000, false},
		{"anything times zero is zero", 220000, 0, 0, false},
		{"the dearest product at the largest quantity is exactly the sale bound", MaxPrice, MaxQty, MaxSaleTotal, false},
		{"one đồng over the sale bound overflows", MaxSaleTotal + 1, 1, 0, true},
		{"twice the sale bound overflows", MaxSaleTotal, 2, 0, true},
		{"a product that wraps 64 bits overflows instead of wrapping", 1 << 62, 4, 0, true},
		{"the largest int64 squared overflows", math.MaxInt64, math.MaxInt64, 0, true},
		{"a negative amount is refused", -1, 1, 0, true},
		{"a negative quantity is refused", 1, -1, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := mulMoney(tt.a, tt.n)
			if tt.wantErr {
				if !errors.Is(err, ErrOverflow) {
					t.Fatalf("mulMoney(%d, %d) = %d, %v; want ErrOverflow", tt.a, tt.n, got, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("mulMoney(%d, %d) = %d, %v; want %d", tt.a, tt.n, got, err, tt.want)
			}
		})
	}
}

func TestAddMoney(t *testing.T) {
	tests := []struct {
		name    string
		a, b    Money
		want    Money
		wantErr bool
	}{
		{"two line totals add up", 440000, 150000, 590000, false},
		{"adding zero changes nothing", 590000, 0, 590000, false},
		{"a sum of exactly the sale bound is allowed", MaxSaleTotal - 1, 1, MaxSaleTotal, false},
		{"one đồng over the sale bound overflows", MaxSaleTotal, 1, 0, true},
		{"a sum that would wrap int64 overflows instead of wrapping", math.MaxInt64, 1, 0, true},
		{"two huge halves overflow", math.MaxInt64 / 2, math.MaxInt64/2 + 2, 0, true},
		{"a negative addend is refused", -1, 5, 0, true},
		{"a negative second addend is refused", 5, -1, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := addMoney(tt.a, tt.b)
			if tt.wantErr {
				if !errors.Is(err, ErrOverflow) {
					t.Fatalf("addMoney(%d, %d) = %d, %v; want ErrOverflow", tt.a, tt.b, got, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("addMoney(%d, %d) = %d, %v; want %d", tt.a, tt.b, got, err, tt.want)
			}
		})
	}
}
