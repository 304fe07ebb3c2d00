package pos

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// stillSold lists which of serials of lot UM2611-01 a standing sale holds.
func stillSold(t *testing.T, s *Store, serials ...string) []string {
	t.Helper()
	var out []string
	for _, n := range serials {
		id, err := s.SerialSale("MO-500", "UM2611-01", n)
		if err != nil {
			t.Fatal(err)
		}
		if id != "" {
			out = append(out, n)
		}
	}
	return out
}

// A customer brings back the jar whose stamp is 0002 of three sold: the refund
// names it, and that serial — not the first one scanned — may be sold again.
// Refunds after it give back only what is still out.
func TestARefundGivesBackTheSerialsItNames(t *testing.T) {
	s := serialStore(t)
	sale, err := sellSerials(s, "UM2611-01", 3, "0001", "0002", "0003")
	if err != nil {
		t.Fatal(err)
	}
	ref, err := s.Refund(sale.ID, RefundRequest{Lines: []LineRequest{{SKU: "MO-500", Qty: 1, Serials: []string{"0002"}}}, Reason: "nắp hở"})
	if err != nil {
		t.Fatal(err)
	}
	if len(ref.Lines) != 1 || ref.Lines[0].Qty != -1 || !slices.Equal(ref.Lines[0].Serials, []string{"0002"}) {
		t.Fatalf("refund lines %+v, want one unit with serial 0002", ref.Lines)
	}
	if got := stillSold(t, s, "0001", "0002", "0003"); !slices.Equal(got, []string{"0001", "0003"}) {
		t.Errorf("still sold after giving back 0002: %v, want [0001 0003]", got)
	}
	left, err := s.Refundable(sale.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(left) != 1 || left[0].Qty != 2 || left[0].Lot != "UM2611-01" || !slices.Equal(left[0].Serials, []string{"0001", "0003"}) {
		t.Errorf("left to refund %+v, want 2 units with 0001 and 0003", left)
	}

	// A refund naming no serials gives back those still out, in scan order.
	ref, err = s.Refund(sale.ID, RefundRequest{Lines: []LineRequest{{SKU: "MO-500", Qty: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ref.Lines[0].Serials, []string{"0001"}) {
		t.Errorf("the next refund gave back %v, want [0001] (0002 came back already)", ref.Lines[0].Serials)
	}
	ref, err = s.Refund(sale.ID, RefundRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if len(ref.Lines) != 1 || ref.Lines[0].Qty != -1 || !slices.Equal(ref.Lines[0].Serials, []string{"0003"}) {
		t.Errorf("the rest came back as %+v, want one unit with 0003", ref.Lines)
	}
	if got := stillSold(t, s, "0001", "0002", "0003"); len(got) != 0 {
		t.Errorf("the whole sale came back and %v are still sold", got)
	}
	if got, _ := s.Sale(sale.ID); got.Status != StatusRefunded {
		t.Errorf("sale status %s, want refunded", got.Status)
	}
	if left, err := s.Refundable(sale.ID); err != nil || left != nil {
		t.Errorf("left to refund of a sale refunded whole: %+v, %v", left, err)
	}
}

// Units beyond the named serials come back without one when the line has
// units sold without a label; the labelled units not named stay sold.
func TestARefundNamingSerialsTakesItsOtherUnitsFromTheUnlabelledOnes(t *testing.T) {
	s := serialStore(t)
	sale, err := sellSerials(s, "UM2611-01", 4, "0001", "0002")
	if err != nil {
		t.Fatal(err)
	}
	ref, err := s.Refund(sale.ID, RefundRequest{Lines: []LineRequest{{SKU: "MO-500", Lot: "UM2611-01", Qty: 2, Serials: []string{"0002"}}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(ref.Lines) != 1 || ref.Lines[0].Qty != -2 || !slices.Equal(ref.Lines[0].Serials, []string{"0002"}) {
		t.Fatalf("refund lines %+v, want two units, serial 0002 and one unlabelled", ref.Lines)
	}
	if got := stillSold(t, s, "0001", "0002"); !slices.Equal(got, []string{"0001"}) {
		t.Errorf("still sold: %v, want [0001]", got)
	}
	// One unlabelled unit and 0001 are left: two more units, naming 0001.
	ref, err = s.Refund(sale.ID, RefundRequest{Lines: []LineRequest{{SKU: "MO-500", Qty: 2, Serials: []string{"0001"}}}})
	if err != nil {
		t.Fatal(err)
	}
	if ref.Lines[0].Qty != -2 || !slices.Equal(ref.Lines[0].Serials, []string{"0001"}) {
		t.Errorf("refund lines %+v, want two units with 0001", ref.Lines)
	}
	// The money adds up to the sale's whatever the order of the parts.
	var back Money
	got, _ := s.Sale(sale.ID)
	for _, id := range got.UndoneBy {
		r, _ := s.Sale(id)
		back += r.Total
	}
	if back != -sale.Total || got.Status != StatusRefunded {
		t.Errorf("refunds total %d for a sale of %d, status %s", back, sale.Total, got.Status)
	}
}

func TestARefundNamingSerialsItCannotGiveBackIsRefusedAndChangesNothing(t *testing.T) {
	s := serialStore(t)
	sale, err := sellSerials(s, "UM2611-01", 3, "0001", "0002")
	if err != nil {
		t.Fatal(err)
	}
	other, err := sellSerials(s, "UM2611-01", 1, "0004")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Refund(sale.ID, RefundRequest{Lines: []LineRequest{{SKU: "MO-500", Qty: 1, Serials: []string{"0001"}}}}); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, want string
		line       LineRequest
		wantErr    error
	}{
		{"a serial given back already", "0001 of lot UM2611-01 of MO-500 came back with refund", LineRequest{SKU: "MO-500", Qty: 1, Serials: []string{"0001"}}, ErrRefundTooLarge},
		{"a serial of another sale", "0004 is not on receipt", LineRequest{SKU: "MO-500", Qty: 1, Serials: []string{"0004"}}, ErrUnknownSerial},
		{"a serial never issued", "0009 is not on receipt", LineRequest{SKU: "MO-500", Qty: 1, Serials: []string{"0009"}}, ErrUnknownSerial},
		{"a serial of another lot than the line's", "0002 is not on receipt", LineRequest{SKU: "MO-500", Lot: "UM2612-01", Qty: 1, Serials: []string{"0002"}}, ErrUnknownSerial},
		{"more serials than units", "2 serials for 1", LineRequest{SKU: "MO-500", Qty: 1, Serials: []string{"0002", "0003"}}, ErrTooManySerials},
		{"a serial named twice", "named twice", LineRequest{SKU: "MO-500", Qty: 2, Serials: []string{"0002", "0002"}}, ErrTooManySerials},
		{"a serial too long", "1 to 20 characters", LineRequest{SKU: "MO-500", Qty: 1, Serials: []string{strings.Repeat("9", 21)}}, ErrUnknownSerial},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before, _ := s.SaleCount()
			_, err := s.Refund(sale.ID, RefundRequest{Lines: []LineRequest{c.line}})
			if !errors.Is(err, c.wantErr) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want %v saying %q", err, c.wantErr, c.want)
			}
			if after, _ := s.SaleCount(); after != before {
				t.Errorf("a refused refund wrote a record")
			}
			if got := stillSold(t, s, "0002", "0004"); !slices.Equal(got, []string{"0002", "0004"}) {
				t.Errorf("still sold: %v, want 0002 and 0004", got)
			}
		})
	}
	_ = other
}
