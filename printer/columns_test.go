package printer

import (
	"slices"
	"strings"
	"testing"
)

// TestColumns2 prints a label and an amount at 32 columns and reads back the
// lines the printer printed: nothing the printer had to break, the amount
// whole and flush right.
func TestColumns2(t *testing.T) {
	cases := []struct {
		name        string
		left, right string
		want        []string
	}{
		{"a row that fits is one line", "Tiền đầu ca", "2.000.000",
			[]string{"Tiền đầu ca            2.000.000"}},
		{"an ellipsis counts as the three dots it prints", "Phiếu", "K01-000001 … K01-001234",
			[]string{"Phiếu  K01-000001 ... K01-001234"}},
		{"a long label wraps and the amount joins its last line", "Tiền mặt đếm được", "100.001.500.000",
			[]string{"Tiền mặt đếm", "được             100.001.500.000"}},
		{"an indented label keeps its indent when it wraps", "  Chuyển khoản VietQR", "23.455.456.000",
			[]string{"  Chuyển khoản", "  VietQR          23.455.456.000"}},
		{"a label word too wide to share a line leaves the amount under it", "Mã:ABCDEFGHIJKLMNOPQRSTUVWXYZ", "1.000",
			[]string{"Mã:ABCDEFGHIJKLMNOPQRSTUVWXYZ", "                           1.000"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := Profiles["xprinter-58"]
			e := NewEncoder(p)
			e.Init().Columns2(c.left, c.right)
			doc, err := Decode(e.Bytes(), p)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, l := range doc.Lines {
				if l.Wrapped {
					t.Errorf("the printer had to break %q", l.Text)
				}
				got = append(got, l.Text)
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("printed\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(c.want, "\n"))
			}
		})
	}
}
