package pos

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func mustLayout(t testing.TB, s string) BarcodeLayout {
	t.Helper()
	l, err := ParseBarcodeLayout(s)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// withCheck appends the EAN-13 check digit to twelve digits.
func withCheck(twelve string) string { return twelve + string(GTINCheckDigit(twelve)) }

func TestVerifierDigitFollowsTheGS1Tables(t *testing.T) {
	// Worked by hand from GS1 General Specifications 7.9.3:
	// 2875: 2-(2)=4, 2-(8)=5, 3×7=21, 5-(5)=3; 33×3=99 → 9.
	// 14685: 5+(1)=5, 2-(4)=8, 5-(6)=7, 5+(8)=4, 2-(5)=9; 33 → 7 = 5-(6) → 6.
	for _, c := range []struct {
		v    string
		want byte
	}{{"2875", '9'}, {"14685", '6'}, {"0000", '0'}, {"00000", '0'}} {
		got, err := VerifierDigit(c.v)
		if err != nil || got != c.want {
			t.Errorf("VerifierDigit(%s) = %c, %v; want %c", c.v, got, err, c.want)
		}
	}
	for _, bad := range []string{"123", "123456", "12a4", ""} {
		if _, err := VerifierDigit(bad); err == nil {
			t.Errorf("VerifierDigit(%q) took it", bad)
		}
	}
}

func TestVerifierDigitCatchesEverySingleDigitMisread(t *testing.T) {
	for _, n := range []int{4, 5} {
		limit := 1
		for range n {
			limit *= 10
		}
		for v := 0; v < limit; v += 7 {
			s := fmt.Sprintf("%0*d", n, v)
			c, _ := VerifierDigit(s)
			for i := range n {
				for d := byte('0'); d <= '9'; d++ {
					if d == s[i] {
						continue
					}
					m := s[:i] + string(d) + s[i+1:]
					if c2, _ := VerifierDigit(m); c2 == c {
						t.Fatalf("%s and %s have the same verifier digit %c", s, m, c)
					}
				}
			}
		}
	}
}

func TestBarcodeLayoutsAreReadAndChecked(t *testing.T) {
	good := []struct {
		name, in string
		want     BarcodeLayout
	}{
		{"a weight layout takes the rest of the digits for the value", "prefix=21,item=5,value=weight",
			BarcodeLayout{Prefix: "21", ItemDigits: 5, Value: EmbeddedWeight, ValueDigits: 5, Unit: 1}},
		{"a price layout with a verifier digit counts it", "prefix=22, item=4, value=price, check=1, unit=100",
			BarcodeLayout{Prefix: "22", ItemDigits: 4, Value: EmbeddedPrice, ValueDigits: 5, Verifier: true, Unit: 100}},
		{"a weight may count tens of grams", "prefix=23,item=6,value=weight,unit=10g",
			BarcodeLayout{Prefix: "23", ItemDigits: 6, Value: EmbeddedWeight, ValueDigits: 4, Unit: 10}},
		{"value digits may be given when they fill the code", "prefix=24,item=4,value=price,digits=6",
			BarcodeLayout{Prefix: "24", ItemDigits: 4, Value: EmbeddedPrice, ValueDigits: 6, Unit: 1}},
	}
	for _, c := range good {
		t.Run(c.name, func(t *testing.T) {
			l, err := ParseBarcodeLayout(c.in)
			if err != nil {
				t.Fatal(err)
			}
			if l != c.want {
				t.Fatalf("got %+v, want %+v", l, c.want)
			}
			if again := mustLayout(t, l.String()); again != l {
				t.Fatalf("String %q reads back as %+v", l.String(), again)
			}
		})
	}
	bad := []struct{ name, in, says string }{
		{"a prefix outside 20–29 is refused", "prefix=19,item=5,value=weight", "20 to 29"},
		{"a one-digit prefix is refused", "prefix=2,item=5,value=weight", "20 to 29"},
		{"a value that is neither weight nor price is refused", "prefix=21,item=5,value=volume", "weight or price"},
		{"digits that do not make twelve are refused", "prefix=21,item=5,value=weight,digits=4", "12 before its check digit"},
		{"a verifier digit needs a value of 4 or 5 digits", "prefix=21,item=3,value=price,check=1", "4 or 5 digits"},
		{"a weight unit must be grams", "prefix=21,item=5,value=weight,unit=100", "g, 10g or 100g"},
		{"a weight unit of 5 g is refused", "prefix=21,item=5,value=weight,unit=5g", "g, 10g or 100g"},
		{"a price unit of 50 đồng is refused", "prefix=21,item=5,value=price,unit=50", "1, 10, 100 or 1000"},
		{"an unknown key is refused", "prefix=21,item=5,value=weight,decimals=3", "unknown key"},
		{"a key given twice is refused", "prefix=21,prefix=22,item=5,value=weight", "twice"},
		{"a part that is not KEY=VALUE is refused", "prefix=21,item,value=weight", "KEY=VALUE"},
		{"check must be 0 or 1", "prefix=21,item=4,value=weight,check=yes", "0 or 1"},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseBarcodeLayout(c.in)
			if err == nil || !strings.Contains(err.Error(), c.says) {
				t.Fatalf("ParseBarcodeLayout(%q) = %v; want an error saying %q", c.in, err, c.says)
			}
		})
	}
	if err := CheckBarcodeLayouts([]BarcodeLayout{mustLayout(t, "prefix=21,item=5,value=weight"), mustLayout(t, "prefix=21,item=5,value=price")}); err == nil {
		t.Error("two layouts of prefix 21 were taken")
	}
}

func TestEmbeddedCodesAreRead(t *testing.T) {
	weight := mustLayout(t, "prefix=21,item=5,value=weight")
	price := mustLayout(t, "prefix=22,item=4,value=price,check=1,unit=100")
	layouts := []BarcodeLayout{weight, price}
	priceCode := func(item, value string) string {
		c, _ := VerifierDigit(value)
		return withCheck("22" + item + string(c) + value)
	}
	cases := []struct {
		name  string
		code  string
		item  string
		grams int64
		price Money
	}{
		{"a weight label says grams", withCheck("211234501235"), "12345", 1235, 0},
		{"an item code keeps its leading zeros", withCheck("210004200500"), "00042", 500, 0},
		{"a price label with a verifier says hundreds of đồng", priceCode("0042", "03500"), "0042", 0, 350000},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e, ok, err := ParseEmbedded(c.code, layouts)
			if !ok || err != nil {
				t.Fatalf("ParseEmbedded(%s) = ok %v, %v", c.code, ok, err)
			}
			if e.Item != c.item || e.Grams != c.grams || e.Price != c.price {
				t.Fatalf("got %+v", e)
			}
			var value int64 = e.Grams
			if e.Value == EmbeddedPrice {
				value = int64(e.Price)
			}
			again, err := EmbeddedCode(e.Layout, e.Item, value)
			if err != nil || again != c.code {
				t.Fatalf("EmbeddedCode gives %s, %v; want %s", again, err, c.code)
			}
		})
	}

	notEmbedded := []struct{ name, code string }{
		{"a code of another prefix is some other barcode", withCheck("893460500001")},
		{"a prefix with no layout is some other barcode", withCheck("231234501235")},
		{"twelve digits are some other barcode", "211234501235"},
		{"a code with a letter is some other barcode", "21123450123X"},
	}
	for _, c := range notEmbedded {
		t.Run(c.name, func(t *testing.T) {
			if _, ok, err := ParseEmbedded(c.code, layouts); ok || err != nil {
				t.Fatalf("ParseEmbedded(%s) = ok %v, %v; want not embedded", c.code, ok, err)
			}
		})
	}

	good := priceCode("0042", "03500")
	wrongVerifier := []byte(good[:12])
	wrongVerifier[6] = '0' + (wrongVerifier[6]-'0'+1)%10
	bad := []struct{ name, code, says string }{
		{"a wrong EAN-13 check digit is a bad barcode", "2112345012350", "check digit"},
		{"a wrong verifier digit is a bad barcode", withCheck(string(wrongVerifier)), "verifier digit"},
		{"a weight of 0 is a bad barcode", withCheck("211234500000"), "is 0"},
	}
	if withCheck("211234501235") == "2112345012350" {
		t.Fatal("the bad check digit of the test is the right one")
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			_, ok, err := ParseEmbedded(c.code, layouts)
			if !ok || !errors.Is(err, ErrBadBarcode) || !strings.Contains(err.Error(), c.says) {
				t.Fatalf("ParseEmbedded(%s) = ok %v, %v; want ErrBadBarcode saying %q", c.code, ok, err, c.says)
			}
		})
	}
}

func TestAPriceLabelIsWeighedAtThePricePerKg(t *testing.T) {
	l := mustLayout(t, "prefix=22,item=5,value=price")
	cases := []struct {
		name       string
		price      int64
		perKg      Money
		grams      int64
		refused    bool
		totalAgain Money // price per kg × grams / 1000, rounded to the đồng
	}{
		{"a price that is a whole weight gives that weight", 35000, 350000, 100, false, 35000},
		{"a weight is rounded to the gram, half up", 1, 2000, 1, false, 2},
		{"a price under half a gram's worth is refused", 100, 700000, 0, true, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, err := EmbeddedCode(l, "00042", c.price)
			if err != nil {
				t.Fatal(err)
			}
			e, _, err := ParseEmbedded(code, []BarcodeLayout{l})
			if err != nil {
				t.Fatal(err)
			}
			g, err := e.GramsAt(c.perKg)
			if c.refused {
				if !errors.Is(err, ErrBadBarcode) {
					t.Fatalf("GramsAt = %d, %v; want ErrBadBarcode", g, err)
				}
				return
			}
			if err != nil || g != c.grams {
				t.Fatalf("GramsAt(%d) = %d, %v; want %d", c.perKg, g, err, c.grams)
			}
			if total := (int64(c.perKg)*g + 500) / 1000; Money(total) != c.totalAgain {
				t.Fatalf("priced again: %d, want %d", total, c.totalAgain)
			}
		})
	}
}

func TestTheBaseCodeZeroesTheValue(t *testing.T) {
	l := mustLayout(t, "prefix=22,item=4,value=price,check=1")
	code, err := EmbeddedCode(l, "0042", 12345)
	if err != nil {
		t.Fatal(err)
	}
	e, _, err := ParseEmbedded(code, []BarcodeLayout{l})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := e.BaseCode(), withCheck("220042000000"); got != want {
		t.Fatalf("BaseCode = %s, want %s", got, want)
	}
}

// FuzzParseEmbedded: any input is read without a panic, and a code that is
// read whole is the code its reading makes again.
func FuzzParseEmbedded(f *testing.F) {
	layouts := []BarcodeLayout{
		mustLayout(f, "prefix=21,item=5,value=weight"),
		mustLayout(f, "prefix=22,item=4,value=price,check=1,unit=100"),
		mustLayout(f, "prefix=23,item=6,value=weight,unit=10g"),
	}
	for _, s := range []string{withCheck("211234501235"), "2112345012350", withCheck("220042903500"), withCheck("231234560123"),
		"", "2", "21123450123a", "8934605000017", "０１２３４５６７８９０１２"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, code string) {
		e, ok, err := ParseEmbedded(code, layouts)
		if !ok {
			if err != nil {
				t.Fatalf("not embedded, yet %v", err)
			}
			return
		}
		if err != nil {
			if !errors.Is(err, ErrBadBarcode) {
				t.Fatalf("error %v is not ErrBadBarcode", err)
			}
			return
		}
		value := e.Grams
		if e.Value == EmbeddedPrice {
			value = int64(e.Price)
		}
		if value <= 0 {
			t.Fatalf("read %s as %+v", code, e)
		}
		again, err := EmbeddedCode(e.Layout, e.Item, value)
		if err != nil || again != strings.TrimSpace(code) {
			t.Fatalf("%q read as %+v makes %q, %v", code, e, again, err)
		}
		if b := e.BaseCode(); len(b) != 13 || b[12] != GTINCheckDigit(b[:12]) {
			t.Fatalf("base code %q", b)
		}
	})
}
