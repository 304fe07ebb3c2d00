package pos

import (
	"errors"
	"testing"
)

func TestNormalizeGTIN(t *testing.T) {
	// Check digits below were worked out by hand with the GS1 mod-10 rule (weights
	// 3,1,3,… from the right), not with GTINCheckDigit.
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"a GTIN-13 from Germany is padded to 14 digits", "4006381333931", "04006381333931"},
		{"a Vietnamese GTIN-13 (prefix 893) is padded to 14 digits", "8935001800002", "08935001800002"},
		{"a GTIN-8 is padded to 14 digits", "96385074", "00000096385074"},
		{"a GTIN-12 (UPC-A) is padded to 14 digits", "036000291452", "00036000291452"},
		{"a GTIN-14 is kept as it is", "09506000134352", "09506000134352"},
		{"a GTIN-14 with indicator digit 1 is kept as it is", "19506000134359", "19506000134359"},
		{"a GTIN-13 already written with its leading zero as 14 digits is kept", "04006381333931", "04006381333931"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := NormalizeGTIN(tt.in)
			if err != nil {
				t.Fatalf("NormalizeGTIN(%q): %v", tt.in, err)
			}
			if got != tt.want {
				t.Errorf("NormalizeGTIN(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestNormalizeGTINRejects(t *testing.T) {
	tests := []struct {
		name string
		in   string
	}{
		{"a GTIN-13 whose check digit is one off", "4006381333932"},
		{"a Vietnamese GTIN-13 with a wrong check digit", "8935001800009"},
		{"a GTIN-8 with a wrong check digit", "96385075"},
		{"a GTIN-12 with a wrong check digit", "036000291453"},
		{"a GTIN-14 with a wrong check digit", "19506000134352"},
		{"a letter among the digits", "400638133393A"},
		{"only letters of a valid length", "ABCDEFGH"},
		{"a leading space", " 4006381333931"},
		{"full-width digits", "４００６３８１３"},
		{"the empty string", ""},
		{"seven digits", "9638507"},
		{"nine digits", "963850740"},
		{"eleven digits", "03600029145"},
		{"fifteen digits", "009506000134352"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := NormalizeGTIN(tt.in)
			if err == nil {
				t.Fatalf("NormalizeGTIN(%q) = %q, want an error", tt.in, got)
			}
			if !errors.Is(err, ErrBadGTIN) {
				t.Errorf("NormalizeGTIN(%q) error %v is not ErrBadGTIN", tt.in, err)
			}
			if got != "" {
				t.Errorf("NormalizeGTIN(%q) returned %q with its error", tt.in, got)
			}
		})
	}
}

func TestGTINCheckDigitAgreesWithHandComputedValues(t *testing.T) {
	tests := []struct {
		data string
		want byte
	}{
		{"400638133393", '1'},
		{"893500180000", '2'},
		{"9638507", '4'},
		{"03600029145", '2'},
		{"0950600013435", '2'},
		{"1950600013435", '9'},
		{"0000000000000", '0'},
	}
	for _, tt := range tests {
		t.Run("the check digit of "+tt.data+" is "+string(tt.want), func(t *testing.T) {
			if got := GTINCheckDigit(tt.data); got != tt.want {
				t.Errorf("GTINCheckDigit(%q) = %q, want %q", tt.data, got, tt.want)
			}
		})
	}
}
