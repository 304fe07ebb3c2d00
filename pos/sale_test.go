package pos

import (
	"errors"
	"fmt"
	"reflect"
	"testing"
)

func cashReq(amount, tendered Money) PaymentRequest {
	return PaymentRequest{Method: MethodCash, Amount: amount, Tendered: tendered}
}

func payReq(method string, amount Money) PaymentRequest {
	return PaymentRequest{Method: method, Amount: amount}
}

func TestSettle(t *testing.T) {
	tests := []struct {
		name       string
		total      Money
		reqs       []PaymentRequest
		want       []Payment
		wantChange Money
	}{
		{
			name:  "exact cash is applied whole with no change",
			total: 150000, reqs: []PaymentRequest{cashReq(150000, 0)},
			want: []Payment{{Method: MethodCash, Amount: 150000, Tendered: 150000}},
		},
		{
			name:  "cash with a tendered note gives change",
			total: 150000, reqs: []PaymentRequest{cashReq(150000, 200000)},
			want:       []Payment{{Method: MethodCash, Amount: 150000, Tendered: 200000, Change: 50000}},
			wantChange: 50000,
		},
		{
			name:  "a cash amount bigger than the total is taken as tendered and gives change",
			total: 150000, reqs: []PaymentRequest{cashReq(500000, 0)},
			want:       []Payment{{Method: MethodCash, Amount: 150000, Tendered: 500000, Change: 350000}},
			wantChange: 350000,
		},
		{
			name:  "a cash amount above the total with a larger tendered uses the tendered for change",
			total: 150000, reqs: []PaymentRequest{cashReq(200000, 500000)},
			want:       []Payment{{Method: MethodCash, Amount: 150000, Tendered: 500000, Change: 350000}},
			wantChange: 350000,
		},
		{
			name:  "a card paying the exact total settles alone",
			total: 370000, reqs: []PaymentRequest{{Method: MethodCard, Amount: 370000, Reference: "APPR 123456"}},
			want: []Payment{{Method: MethodCard, Amount: 370000, Reference: "APPR 123456"}},
		},
		{
			name:  "VietQR and e-wallet together can pay the exact total",
			total: 370000, reqs: []PaymentRequest{payReq(MethodVietQR, 300000), payReq(MethodEwallet, 70000)},
			want: []Payment{{Method: MethodVietQR, Amount: 300000}, {Method: MethodEwallet, Amount: 70000}},
		},
		{
			name:  "a split of VietQR and cash applies only the cash still due and gives change on the rest",
			total: 370000, reqs: []PaymentRequest{payReq(MethodVietQR, 200000), cashReq(200000, 0)},
			want: []Payment{
				{Method: MethodVietQR, Amount: 200000},
				{Method: MethodCash, Amount: 170000, Tendered: 200000, Change: 30000},
			},
			wantChange: 30000,
		},
		{
			name:  "cash listed before the card in a split is settled the same way",
			total: 370000, reqs: []PaymentRequest{cashReq(170000, 0), payReq(MethodCard, 200000)},
			want: []Payment{
				{Method: MethodCash, Amount: 170000, Tendered: 170000},
				{Method: MethodCard, Amount: 200000},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, change, err := settle(tt.total, tt.reqs)
			if err != nil {
				t.Fatalf("settle(%d, %+v): %v", tt.total, tt.reqs, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("payments = %+v\nwant       %+v", got, tt.want)
			}
			if change != tt.wantChange {
				t.Errorf("change = %d, want %d", change, tt.wantChange)
			}
			var applied Money
			for _, p := range got {
				applied += p.Amount
			}
			if applied != tt.total {
				t.Errorf("payments apply %d to a total of %d", applied, tt.total)
			}
		})
	}
}

func TestSettleRejects(t *testing.T) {
	tests := []struct {
		name  string
		total Money
		reqs  []PaymentRequest
		want  error
	}{
		{"no payments at all", 150000, nil, ErrBadPayment},
		{"tendered below the cash amount", 150000, []PaymentRequest{cashReq(150000, 100000)}, ErrTenderedShort},
		{"tendered below the cash due in a split", 370000, []PaymentRequest{payReq(MethodCard, 200000), cashReq(170000, 100000)}, ErrTenderedShort},
		{"cash short of the total", 150000, []PaymentRequest{cashReq(100000, 0)}, ErrPaymentShort},
		{"a card short of the total with no cash", 150000, []PaymentRequest{payReq(MethodCard, 100000)}, ErrPaymentShort},
		{"a split short of the total", 370000, []PaymentRequest{payReq(MethodVietQR, 200000), cashReq(100000, 0)}, ErrPaymentShort},
		{"a card over the total", 150000, []PaymentRequest{payReq(MethodCard, 150001)}, ErrOverpaid},
		{"two non-cash payments over the total together", 150000, []PaymentRequest{payReq(MethodCard, 100000), payReq(MethodVietQR, 60000)}, ErrOverpaid},
		{"cash on a sale the card already covers", 150000, []PaymentRequest{payReq(MethodCard, 150000), cashReq(1000, 0)}, ErrBadPayment},
		{"an unknown method", 150000, []PaymentRequest{payReq("bitcoin", 150000)}, ErrBadPayment},
		{"a method in the wrong case", 150000, []PaymentRequest{payReq("Cash", 150000)}, ErrBadPayment},
		{"a zero amount", 150000, []PaymentRequest{cashReq(0, 200000)}, ErrBadPayment},
		{"a negative amount", 150000, []PaymentRequest{payReq(MethodCard, -150000)}, ErrBadPayment},
		{"a negative tendered", 150000, []PaymentRequest{cashReq(150000, -1)}, ErrBadPayment},
		{"an amount above the sale bound", 150000, []PaymentRequest{cashReq(MaxSaleTotal+1, 0)}, ErrBadPayment},
		{"two cash payments", 150000, []PaymentRequest{cashReq(100000, 0), cashReq(50000, 0)}, ErrBadPayment},
		{"a VietQR transfer not yet seen arriving (an order, not a sale)", 220000, []PaymentRequest{{Method: MethodVietQR, Amount: 220000, Reference: "K01 7KP3M", Pending: true}}, ErrBadPayment},
		{"a pending card payment", 150000, []PaymentRequest{{Method: MethodCard, Amount: 150000, Pending: true}}, ErrBadPayment},
		{"a pending cash payment", 150000, []PaymentRequest{{Method: MethodCash, Amount: 150000, Pending: true}}, ErrBadPayment},
		{"a tendered amount on a card", 150000, []PaymentRequest{{Method: MethodCard, Amount: 150000, Tendered: 200000}}, ErrBadPayment},
		{"a reference longer than 64 characters", 150000, []PaymentRequest{{Method: MethodVietQR, Amount: 150000, Reference: fmt.Sprintf("%065d", 0)}}, ErrBadPayment},
		{"nine payments", 9, []PaymentRequest{
			payReq(MethodCard, 1), payReq(MethodCard, 1), payReq(MethodCard, 1), payReq(MethodCard, 1), payReq(MethodCard, 1),
			payReq(MethodCard, 1), payReq(MethodCard, 1), payReq(MethodCard, 1), payReq(MethodCard, 1)}, ErrBadPayment},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, change, err := settle(tt.total, tt.reqs)
			if !errors.Is(err, tt.want) {
				t.Fatalf("settle(%d, %+v) = %+v, %d, %v; want %v", tt.total, tt.reqs, got, change, err, tt.want)
			}
			if got != nil || change != 0 {
				t.Errorf("a rejected settlement returned payments %+v and change %d", got, change)
			}
		})
	}
}

// priceLines prices plain lines (no discounts, no promotions) with PriceCart,
// as the store did before discounts: lines, total and VAT, or nothing.
func priceLines(lines []LineRequest, look func(string) (*Product, error), lot func(sku, code string) bool) ([]Line, Money, []VATLine, error) {
	pr, err := PriceCart(Cart{Lines: lines}, PriceEnv{Product: look, Lot: lot, DiscountLimit: DefaultDiscountLimit})
	if err != nil {
		return nil, 0, nil, err
	}
	return pr.Lines, pr.Total, pr.VAT, nil
}

// catalogLookup is PriceCart's product lookup over a fixed set of products.
func catalogLookup(ps ...Product) func(string) (*Product, error) {
	m := map[string]Product{}
	for _, p := range ps {
		m[p.SKU] = p
	}
	return func(sku string) (*Product, error) {
		p, ok := m[sku]
		if !ok {
			return nil, fmt.Errorf("%w: %q", ErrUnknownSKU, sku)
		}
		return &p, nil
	}
}

func noLots(sku, code string) bool { return false }

var (
	prodHoney = Product{SKU: "HONEY", GTIN: "08935001800002", Name: "Mật ong rừng tràm U Minh Hạ 500ml", NameEN: "U Minh Ha forest honey", Unit: "chai",
		Group: GroupFood, Stars: 5, ProducerID: "P-UMINH", Price: 220000, VATRate: 8}
	prodRice  = Product{SKU: "RICE", Name: "Gạo hữu cơ Rạch Lọp 5kg", Unit: "túi", Group: GroupFood, Stars: 4, ProducerID: "P-RICE", Price: 150000, VATRate: 5}
	prodWine  = Product{SKU: "WINE", Name: "Rượu dừa Mỏ Cày 500ml", Unit: "chai", Group: GroupBeverage, Stars: 3, ProducerID: "P-RICE", Price: 45000, VATRate: 10}
	prodMelon = Product{SKU: "MELON", Name: "Dưa lưới Phú Cần (kg)", Unit: "kg", Group: GroupFood, Stars: 4, ProducerID: "P-UMINH", Price: 79000, VATRate: 0}
)

func TestPriceLines(t *testing.T) {
	look := catalogLookup(prodHoney, prodRice, prodWine, prodMelon)
	lines, total, vat, err := priceLines([]LineRequest{
		{SKU: "HONEY", Qty: 2},
		{SKU: "RICE", Qty: 1},
		{SKU: "WINE", Qty: 3},
		{SKU: "MELON", Qty: 1},
		{SKU: "HONEY", Qty: 1},
	}, look, noLots)
	if err != nil {
		t.Fatal(err)
	}
	// 2×220.000 + 150.000 + 3×45.000 + 79.000 + 220.000
	if want := Money(440000 + 150000 + 135000 + 79000 + 220000); total != want {
		t.Errorf("total = %d, want %d", total, want)
	}
	wantLine0 := Line{SKU: "HONEY", GTIN: "08935001800002", Name: prodHoney.Name, NameEN: prodHoney.NameEN, Unit: "chai", ProducerID: "P-UMINH",
		Qty: 2, Price: 220000, VATRate: 8, Total: 440000, VAT: 32593}
	if !reflect.DeepEqual(lines[0], wantLine0) {
		t.Errorf("first line = %+v\nwant         %+v", lines[0], wantLine0)
	}
	// Per rate the VAT is worked out on the rate's gross, not summed from rounded lines:
	// 8%: 660.000 → 48.888,89; 5%: 150.000 → 7.142,86; 10%: 135.000 → 12.272,73.
	wantVAT := []VATLine{
		{Rate: 0, Gross: 79000, VAT: 0},
		{Rate: 5, Gross: 150000, VAT: 7143},
		{Rate: 8, Gross: 660000, VAT: 48889},
		{Rate: 10, Gross: 135000, VAT: 12273},
	}
	if !reflect.DeepEqual(vat, wantVAT) {
		t.Errorf("VAT breakdown = %+v\nwant            %+v", vat, wantVAT)
	}
	var gross Money
	for _, v := range vat {
		gross += v.Gross
	}
	if gross != total {
		t.Errorf("VAT breakdown gross sums to %d, total is %d", gross, total)
	}
}

func TestPriceLinesRejects(t *testing.T) {
	dear := Product{SKU: "DEAR", Name: "Bình gốm", Group: GroupHandicraft, Stars: 5, ProducerID: "P", Price: MaxPrice, VATRate: 8}
	look := catalogLookup(prodHoney, dear)
	tooMany := make([]LineRequest, MaxLines+1)
	for i := range tooMany {
		tooMany[i] = LineRequest{SKU: "HONEY", Qty: 1}
	}
	tests := []struct {
		name  string
		lines []LineRequest
		want  error
	}{
		{"no lines", nil, ErrEmptySale},
		{"an empty list of lines", []LineRequest{}, ErrEmptySale},
		{"a quantity of zero", []LineRequest{{SKU: "HONEY", Qty: 0}}, ErrBadQuantity},
		{"a negative quantity", []LineRequest{{SKU: "HONEY", Qty: -1}}, ErrBadQuantity},
		{"a quantity one above the maximum", []LineRequest{{SKU: "HONEY", Qty: MaxQty + 1}}, ErrBadQuantity},
		{"a bad quantity on a later line", []LineRequest{{SKU: "HONEY", Qty: 1}, {SKU: "HONEY", Qty: 0}}, ErrBadQuantity},
		{"an unknown sku", []LineRequest{{SKU: "NOPE", Qty: 1}}, ErrUnknownSKU},
		{"an unknown lot", []LineRequest{{SKU: "HONEY", Qty: 1, Lot: "UM-404"}}, ErrUnknownLot},
		{"more lines than a sale may have", tooMany, ErrTooManyLines},
		{"two lines of the dearest product at the largest quantity overflow the sale bound",
			[]LineRequest{{SKU: "DEAR", Qty: MaxQty}, {SKU: "DEAR", Qty: 1}}, ErrOverflow},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lines, total, vat, err := priceLines(tt.lines, look, noLots)
			if !errors.Is(err, tt.want) {
				t.Fatalf("priceLines = %d lines, total %d, %v; want %v", len(lines), total, err, tt.want)
			}
			if lines != nil || total != 0 || vat != nil {
				t.Errorf("a rejected sale was priced anyway: %d lines, total %d", len(lines), total)
			}
		})
	}
}

func TestPriceLinesAcceptsTheLargestQuantityAndAKnownLot(t *testing.T) {
	lots := func(sku, code string) bool { return sku == "HONEY" && code == "UM2605-01" }
	lines, total, _, err := priceLines([]LineRequest{{SKU: "HONEY", Qty: MaxQty, Lot: "UM2605-01"}}, catalogLookup(prodHoney), lots)
	if err != nil {
		t.Fatal(err)
	}
	if want := Money(220000 * MaxQty); total != want {
		t.Errorf("total = %d, want %d", total, want)
	}
	if lines[0].Lot != "UM2605-01" {
		t.Errorf("line lot = %q, want UM2605-01", lines[0].Lot)
	}
}
