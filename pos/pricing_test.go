package pos

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"
	"time"
)

func pct(s string) *Percent {
	p, err := ParsePercent(s)
	if err != nil {
		panic(err)
	}
	return &p
}

func amt(m Money) *Money { return &m }

// fishKG is dried fish sold by weight at 350.000 ₫ a kg.
var prodFish = Product{SKU: "FISH", Name: "Khô cá lóc đồng U Minh", Unit: "kg", Group: GroupFood, Stars: 4,
	ProducerID: "P-UMINH", Price: 350000, VATRate: 8, SoldBy: SoldByWeight}

// candy is coconut candy at 50.000 ₫, the "mua 2 tặng 1" product.
var prodCandy = Product{SKU: "CANDY", Name: "Kẹo dừa Bến Tre", Unit: "hộp", Group: GroupFood, Stars: 4,
	ProducerID: "P-CANDY", Price: 50000, VATRate: 8}

var monday9 = time.Date(2026, 11, 23, 9, 0, 0, 0, VietnamTime)

func testEnv(promos ...Promotion) PriceEnv {
	return PriceEnv{Product: catalogLookup(prodHoney, prodRice, prodWine, prodMelon, prodFish, prodCandy),
		Lot: noLots, Promotions: NewPromotionSet(1, promos), Now: monday9, DiscountLimit: DefaultDiscountLimit}
}

func TestParsePercent(t *testing.T) {
	tests := []struct {
		in   string
		want Percent
		ok   bool
	}{
		{"10", 1000, true}, {"12.5", 1250, true}, {"7.25", 725, true}, {"100", Whole, true}, {"0", 0, true},
		{"10%", 1000, true}, {"100.01", 0, false}, {"-5", 0, false}, {"1.234", 0, false}, {"1e1", 0, false}, {"", 0, false},
	}
	for _, tt := range tests {
		got, err := ParsePercent(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParsePercent(%q) = %v, %v; want %v (ok %v)", tt.in, got, err, tt.want, tt.ok)
		}
	}
	if s := Percent(1250).String(); s != "12.5" {
		t.Errorf("1250 hundredths print as %q, want 12.5", s)
	}
}

func TestAPercentageIsRoundedHalfUpToTheDongOncePerLine(t *testing.T) {
	tests := []struct {
		name  string
		base  Money
		p     string
		wantD Money
	}{
		{"an exact tenth", 220000, "10", 22000},
		{"half a đồng goes up", 45005, "10", 4501},
		{"less than half a đồng goes down", 45004, "10", 4500},
		{"two decimals of a percent", 100000, "12.25", 12250},
		{"12.5 % of 7 đồng is 0.875, one đồng", 7, "12.5", 1},
		{"everything", 99999, "100", 99999},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := pct(tt.p).Of(tt.base); got != tt.wantD {
				t.Errorf("%s %% of %d = %d, want %d", tt.p, tt.base, got, tt.wantD)
			}
		})
	}
}

func TestLineGrossOfAWeighedLineIsPricePerKgTimesGramsRoundedHalfUp(t *testing.T) {
	tests := []struct {
		price Money
		grams int64
		want  Money
	}{
		{350000, 1235, 432250},
		{79000, 1235, 97565},
		{33333, 1, 33}, // 33,333 đồng
		{1500, 1, 2},   // 1,5 đồng: half up
		{1499, 1, 1},   // 1,499 đồng
		{350000, -1235, -432250},
		{MaxPrice, MaxWeightG, 100_000_000_000},
	}
	for _, tt := range tests {
		if got := LineGross(tt.price, 1, tt.grams); got != tt.want {
			t.Errorf("LineGross(%d, %d g) = %d, want %d", tt.price, tt.grams, got, tt.want)
		}
	}
}

func TestPriceCartRefusesBadDiscountsAndWeights(t *testing.T) {
	tests := []struct {
		name string
		cart Cart
		env  func(*PriceEnv)
		want error
	}{
		{"a line discount above 100 %", Cart{Lines: []LineRequest{{SKU: "HONEY", Qty: 1, Discount: &Discount{Percent: pct("100")}}}}, nil, nil},
		{"a percentage above 100", Cart{Lines: []LineRequest{{SKU: "HONEY", Qty: 1, Discount: &Discount{Percent: func() *Percent { p := Percent(10001); return &p }()}}}}, nil, ErrBadDiscount},
		{"a negative percentage", Cart{Lines: []LineRequest{{SKU: "HONEY", Qty: 1, Discount: &Discount{Percent: func() *Percent { p := Percent(-100); return &p }()}}}}, nil, ErrBadDiscount},
		{"an amount above the line", Cart{Lines: []LineRequest{{SKU: "HONEY", Qty: 1, Discount: &Discount{Amount: amt(220001)}}}}, nil, ErrBadDiscount},
		{"a negative amount", Cart{Lines: []LineRequest{{SKU: "HONEY", Qty: 1, Discount: &Discount{Amount: amt(-1)}}}}, nil, ErrBadDiscount},
		{"both a percentage and an amount", Cart{Lines: []LineRequest{{SKU: "HONEY", Qty: 1, Discount: &Discount{Percent: pct("5"), Amount: amt(100)}}}}, nil, ErrBadDiscount},
		{"a reason longer than 200 bytes", Cart{Lines: []LineRequest{{SKU: "HONEY", Qty: 1, Discount: &Discount{Percent: pct("5")}, DiscountReason: string(make([]byte, 201))}}}, nil, ErrBadDiscount},
		{"a sale discount above the sale", Cart{Lines: []LineRequest{{SKU: "HONEY", Qty: 1}}, Discount: &Discount{Amount: amt(220001)}}, nil, ErrBadDiscount},
		{"a sale discount above what the lines cost after their own", Cart{Lines: []LineRequest{{SKU: "HONEY", Qty: 1, Discount: &Discount{Amount: amt(20000)}}}, Discount: &Discount{Amount: amt(200001)}}, nil, ErrBadDiscount},
		{"a discount on an order", Cart{Lines: []LineRequest{{SKU: "HONEY", Qty: 1, Discount: &Discount{Percent: pct("5")}}}}, func(e *PriceEnv) { e.NoDiscounts = true }, ErrBadDiscount},
		{"a sale discount on an order", Cart{Lines: []LineRequest{{SKU: "HONEY", Qty: 1}}, Discount: &Discount{Amount: amt(1)}}, func(e *PriceEnv) { e.NoDiscounts = true }, ErrBadDiscount},
		{"a weighed product without a weight", Cart{Lines: []LineRequest{{SKU: "FISH", Qty: 1}}}, nil, ErrBadWeight},
		{"a weighed product of 0 grams", Cart{Lines: []LineRequest{{SKU: "FISH", WeightG: 0}}}, nil, ErrBadWeight},
		{"a weighed product of negative grams", Cart{Lines: []LineRequest{{SKU: "FISH", WeightG: -5}}}, nil, ErrBadWeight},
		{"a weighed product above 100 kg", Cart{Lines: []LineRequest{{SKU: "FISH", WeightG: MaxWeightG + 1}}}, nil, ErrBadWeight},
		{"a weighed product with a quantity of 2", Cart{Lines: []LineRequest{{SKU: "FISH", Qty: 2, WeightG: 500}}}, nil, ErrBadQuantity},
		{"a weight on a product sold by the unit", Cart{Lines: []LineRequest{{SKU: "HONEY", Qty: 1, WeightG: 500}}}, nil, ErrBadWeight},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := testEnv()
			if tt.env != nil {
				tt.env(&env)
			}
			pr, err := PriceCart(tt.cart, env)
			if !errors.Is(err, tt.want) {
				t.Fatalf("PriceCart = total %d, %v; want %v", pr.Total, err, tt.want)
			}
			if tt.want != nil && (pr.Lines != nil || pr.Total != 0) {
				t.Errorf("a refused cart was priced anyway: %+v", pr)
			}
		})
	}
}

func TestADiscountReadFromJSON(t *testing.T) {
	tests := []struct {
		body string
		want error
	}{
		{`{"percent": 10}`, nil},
		{`{"percent": 12.5}`, nil},
		{`{"amount": 20000}`, nil},
		{`{"percent": 10.125}`, ErrBadDiscount},
		{`{"percent": 101}`, ErrBadDiscount},
		{`{"percent": -1}`, ErrBadDiscount},
		{`{"amount": 2000.5}`, ErrBadDiscount},
		{`{"amount": -2000}`, ErrBadDiscount},
		{`{"percent": 10, "amount": 2000}`, ErrBadDiscount},
		{`{}`, ErrBadDiscount},
	}
	for _, tt := range tests {
		var d Discount
		if err := json.Unmarshal([]byte(tt.body), &d); err != nil {
			t.Fatalf("%s: %v", tt.body, err)
		}
		_, err := PriceCart(Cart{Lines: []LineRequest{{SKU: "HONEY", Qty: 1, Discount: &d}}}, testEnv())
		if !errors.Is(err, tt.want) {
			t.Errorf("discount %s: %v, want %v", tt.body, err, tt.want)
		}
	}
}

func TestASaleDiscountIsSpreadProRataWithTheLeftoverToTheLargestLines(t *testing.T) {
	// Lines of 220.000 (8 %), 150.000 (5 %) and 45.000 (10 %): 415.000; 100.001 off.
	pr, err := PriceCart(Cart{Lines: []LineRequest{{SKU: "HONEY", Qty: 1}, {SKU: "RICE", Qty: 1}, {SKU: "WINE", Qty: 1}},
		Discount: &Discount{Amount: amt(100001)}, DiscountReason: "khách quen", Approved: true}, testEnv())
	if err != nil {
		t.Fatal(err)
	}
	// 100.001 × 220/415 = 53.012,6 → 53.012; × 150/415 = 36.144,9 → 36.144;
	// × 45/415 = 10.843,5 → 10.843; the 2 đồng left over go to the two
	// largest lines.
	var shares []Money
	for _, l := range pr.Lines {
		shares = append(shares, l.SaleDiscount)
	}
	if want := []Money{53013, 36145, 10843}; !reflect.DeepEqual(shares, want) {
		t.Errorf("shares = %v, want %v", shares, want)
	}
	if pr.SaleDiscount != 100001 || pr.Discount != 100001 || pr.Total != 415000-100001 || pr.DiscountReason != "khách quen" {
		t.Errorf("sale discount %d, discount %d, total %d, reason %q", pr.SaleDiscount, pr.Discount, pr.Total, pr.DiscountReason)
	}
	// VAT is contained in what is paid per rate: 8 % of 166.987, 5 % of 113.855, 10 % of 34.157.
	want := []VATLine{{Rate: 5, Gross: 113855, VAT: 5422}, {Rate: 8, Gross: 166987, VAT: 12369}, {Rate: 10, Gross: 34157, VAT: 3105}}
	if !reflect.DeepEqual(pr.VAT, want) {
		t.Errorf("VAT = %+v\nwant  %+v", pr.VAT, want)
	}
}

func TestTheLeftoverOfASaleDiscountNeverPushesALineBelowZero(t *testing.T) {
	// Three lines of 1 đồng worth, 2 đồng off: each share rounds to 0, and the
	// two đồng left over cannot both go to the largest line.
	tiny := Product{SKU: "TINY", Name: "Tăm tre", Group: GroupHandicraft, Stars: 3, ProducerID: "P", Price: 1, VATRate: 0}
	env := testEnv()
	env.Product = catalogLookup(tiny)
	pr, err := PriceCart(Cart{Lines: []LineRequest{{SKU: "TINY", Qty: 1}, {SKU: "TINY", Qty: 1}, {SKU: "TINY", Qty: 1}},
		Discount: &Discount{Amount: amt(2)}, Approved: true}, env)
	if err != nil {
		t.Fatal(err)
	}
	var totals []Money
	for _, l := range pr.Lines {
		totals = append(totals, l.Total)
	}
	if want := []Money{0, 0, 1}; !reflect.DeepEqual(totals, want) || pr.Total != 1 {
		t.Errorf("line totals %v (total %d), want %v", totals, pr.Total, want)
	}
}

func TestDiscountsAboveTheLimitNeedTheManager(t *testing.T) {
	tests := []struct {
		name string
		cart Cart
		want []int
	}{
		{"10 % of a line is within a 10 % limit", Cart{Lines: []LineRequest{{SKU: "HONEY", Qty: 1, Discount: &Discount{Percent: pct("10")}}}}, nil},
		{"10.01 % of a line is not", Cart{Lines: []LineRequest{{SKU: "HONEY", Qty: 1, Discount: &Discount{Percent: pct("10.01")}}}}, []int{0}},
		{"22.000 off a line of 220.000 is within", Cart{Lines: []LineRequest{{SKU: "HONEY", Qty: 1, Discount: &Discount{Amount: amt(22000)}}}}, nil},
		{"22.001 off it is not", Cart{Lines: []LineRequest{{SKU: "RICE", Qty: 1}, {SKU: "HONEY", Qty: 1, Discount: &Discount{Amount: amt(22001)}}}}, []int{1}},
		{"a sale discount above 10 % of the sale", Cart{Lines: []LineRequest{{SKU: "HONEY", Qty: 1}}, Discount: &Discount{Percent: pct("15")}}, []int{-1}},
		{"the manager approved everything", Cart{Lines: []LineRequest{{SKU: "HONEY", Qty: 1, Discount: &Discount{Percent: pct("50")}}},
			Discount: &Discount{Percent: pct("50")}, Approved: true}, nil},
		{"an approved 30 % line", Cart{Lines: []LineRequest{{SKU: "HONEY", Qty: 1, Discount: &Discount{Percent: pct("30"), Approved: 3000}}}}, nil},
		{"a line approved for 20 % asking 30", Cart{Lines: []LineRequest{{SKU: "HONEY", Qty: 1, Discount: &Discount{Percent: pct("30"), Approved: 2000}}}}, []int{0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pr, err := PriceCart(tt.cart, testEnv())
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(pr.NeedsPIN, tt.want) {
				t.Errorf("needs PIN = %v, want %v", pr.NeedsPIN, tt.want)
			}
			if err := pr.needsPIN(DefaultDiscountLimit); (err != nil) != (tt.want != nil) || err != nil && !errors.Is(err, ErrDiscountNeedsPIN) {
				t.Errorf("needsPIN = %v", err)
			}
		})
	}
}

func TestAnApprovedAmountHoldsWhileTheLineDoesNotShrink(t *testing.T) {
	d := &Discount{Amount: amt(60000)} // 27.27… % of one jar of honey
	d.Approve(220000)
	for _, tt := range []struct {
		qty  int64
		need bool
	}{{1, false}, {3, false}} {
		pr, err := PriceCart(Cart{Lines: []LineRequest{{SKU: "HONEY", Qty: tt.qty, Discount: d}}}, testEnv())
		if err != nil {
			t.Fatal(err)
		}
		if (len(pr.NeedsPIN) > 0) != tt.need {
			t.Errorf("%d jars with the approved 60.000 off: needs PIN %v, want %v", tt.qty, pr.NeedsPIN, tt.need)
		}
	}
	d2 := &Discount{Amount: amt(60000)}
	d2.Approve(440000) // approved on two jars: 13.64 %
	pr, err := PriceCart(Cart{Lines: []LineRequest{{SKU: "HONEY", Qty: 1, Discount: d2}}}, testEnv())
	if err != nil {
		t.Fatal(err)
	}
	if len(pr.NeedsPIN) != 1 {
		t.Errorf("60.000 approved off two jars, now off one: needs PIN %v, want the line", pr.NeedsPIN)
	}
}

func TestAWeighedLine(t *testing.T) {
	pr, err := PriceCart(Cart{Lines: []LineRequest{{SKU: "FISH", WeightG: 1235}}}, testEnv())
	if err != nil {
		t.Fatal(err)
	}
	l := pr.Lines[0]
	if l.Qty != 1 || l.WeightG != 1235 || l.Price != 350000 || l.Total != 432250 || l.Units() != 1235 || pr.Total != 432250 {
		t.Errorf("weighed line %+v", l)
	}
}

func promo(id, kind, scope, target string, f func(*Promotion)) Promotion {
	p := Promotion{ID: id, Name: id, Kind: kind, Scope: scope, Target: target, Bearer: BearerProducer}
	if f != nil {
		f(&p)
	}
	return p
}

func TestPromotions(t *testing.T) {
	percent := func(v string) func(*Promotion) { return func(p *Promotion) { p.Percent = *pct(v) } }
	tests := []struct {
		name   string
		promos []Promotion
		lines  []LineRequest
		// what the customer pays per priced line, and the promotion each names
		totals []Money
		ids    []string
		free   []bool
	}{
		{"10 % off a SKU", []Promotion{promo("P10", PromoPercent, ScopeSKU, "HONEY", percent("10"))},
			[]LineRequest{{SKU: "HONEY", Qty: 2}}, []Money{396000}, []string{"P10"}, nil},
		{"an amount off each unit of a producer's goods", []Promotion{promo("A5", PromoAmount, ScopeProducer, "P-RICE", func(p *Promotion) { p.Amount = 5000 })},
			[]LineRequest{{SKU: "RICE", Qty: 2}, {SKU: "WINE", Qty: 3}, {SKU: "HONEY", Qty: 1}}, []Money{290000, 120000, 220000}, []string{"A5", "A5", ""}, nil},
		{"a group's percentage on a weighed line", []Promotion{promo("G", PromoPercent, ScopeGroup, "food", percent("5"))},
			[]LineRequest{{SKU: "FISH", WeightG: 1235}}, []Money{410637}, []string{"G"}, nil}, // 432.250 − 21.612,5 → 21.613
		{"an amount off each kg of a weighed line", []Promotion{promo("KG", PromoAmount, ScopeSKU, "FISH", func(p *Promotion) { p.Amount = 20000 })},
			[]LineRequest{{SKU: "FISH", WeightG: 1235}}, []Money{407550}, []string{"KG"}, nil},
		{"buy 2 get 1: three candies, the third a free line", []Promotion{promo("M2T1", PromoBuyGet, ScopeSKU, "CANDY", func(p *Promotion) { p.Buy, p.Get = 2, 1 })},
			[]LineRequest{{SKU: "CANDY", Qty: 3}}, []Money{100000, 0}, []string{"", "M2T1"}, []bool{false, true}},
		{"buy 2 get 1: five candies, one free", []Promotion{promo("M2T1", PromoBuyGet, ScopeSKU, "CANDY", func(p *Promotion) { p.Buy, p.Get = 2, 1 })},
			[]LineRequest{{SKU: "CANDY", Qty: 5}}, []Money{200000, 0}, []string{"", "M2T1"}, []bool{false, true}},
		{"buy 2 get 1: two candies, none free", []Promotion{promo("M2T1", PromoBuyGet, ScopeSKU, "CANDY", func(p *Promotion) { p.Buy, p.Get = 2, 1 })},
			[]LineRequest{{SKU: "CANDY", Qty: 2}}, []Money{100000}, []string{""}, nil},
		{"buy X get Y never applies to weighed goods", []Promotion{promo("B", PromoBuyGet, ScopeSKU, "FISH", func(p *Promotion) { p.Buy, p.Get = 1, 1 })},
			[]LineRequest{{SKU: "FISH", WeightG: 2000}}, []Money{700000}, []string{""}, nil},
		{"3 jars for 600.000: seven jars are two bundles and one jar", []Promotion{promo("B3", PromoBundle, ScopeSKU, "HONEY", func(p *Promotion) { p.BundleQty, p.BundlePrice = 3, 600000 })},
			[]LineRequest{{SKU: "HONEY", Qty: 7}}, []Money{1420000}, []string{"B3"}, nil},
		{"a bundle dearer than its units saves nothing", []Promotion{promo("B3", PromoBundle, ScopeSKU, "HONEY", func(p *Promotion) { p.BundleQty, p.BundlePrice = 3, 700000 })},
			[]LineRequest{{SKU: "HONEY", Qty: 3}}, []Money{660000}, []string{""}, nil},
		{"the best of several for the customer, alone", []Promotion{
			promo("SKU5", PromoPercent, ScopeSKU, "CANDY", percent("5")),
			promo("GRP20", PromoPercent, ScopeGroup, "food", percent("20")),
			promo("M2T1", PromoBuyGet, ScopeSKU, "CANDY", func(p *Promotion) { p.Buy, p.Get = 2, 1 }),
		}, []LineRequest{{SKU: "CANDY", Qty: 3}}, []Money{100000, 0}, []string{"", "M2T1"}, []bool{false, true}}, // 50.000 free beats 30.000 and 7.500
		{"the best differs line by line", []Promotion{
			promo("GRP20", PromoPercent, ScopeGroup, "food", percent("20")),
			promo("M2T1", PromoBuyGet, ScopeSKU, "CANDY", func(p *Promotion) { p.Buy, p.Get = 2, 1 }),
		}, []LineRequest{{SKU: "CANDY", Qty: 2}, {SKU: "HONEY", Qty: 1}}, []Money{80000, 176000}, []string{"GRP20", "GRP20"}, nil},
		{"a tie goes to the smaller id", []Promotion{promo("B", PromoPercent, ScopeSKU, "HONEY", percent("10")), promo("A", PromoAmount, ScopeSKU, "HONEY", func(p *Promotion) { p.Amount = 22000 })},
			[]LineRequest{{SKU: "HONEY", Qty: 1}}, []Money{198000}, []string{"A"}, nil},
		{"a deleted promotion never applies", []Promotion{promo("P10", PromoPercent, ScopeSKU, "HONEY", func(p *Promotion) { p.Percent = 1000; p.Deleted = true })},
			[]LineRequest{{SKU: "HONEY", Qty: 1}}, []Money{220000}, []string{""}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pr, err := PriceCart(Cart{Lines: tt.lines}, testEnv(tt.promos...))
			if err != nil {
				t.Fatal(err)
			}
			var totals []Money
			var ids []string
			var free []bool
			anyFree := false
			for _, l := range pr.Lines {
				totals, ids, free = append(totals, l.Total), append(ids, l.Promotion), append(free, l.Free)
				anyFree = anyFree || l.Free
				if l.Free && (l.Price != 0 || l.Total != 0 || l.ListPrice == 0) {
					t.Errorf("free line %+v: want price 0, total 0 and its list price", l)
				}
			}
			if !anyFree {
				free = nil
			}
			if !reflect.DeepEqual(totals, tt.totals) || !reflect.DeepEqual(ids, tt.ids) || !reflect.DeepEqual(free, tt.free) {
				t.Errorf("lines pay %v naming %v (free %v), want %v naming %v (free %v)", totals, ids, free, tt.totals, tt.ids, tt.free)
			}
		})
	}
}

func TestAPromotionRunsInItsWindowOfVietnamDaysAndHours(t *testing.T) {
	fair := promo("FAIR", PromoPercent, ScopeSKU, "HONEY", func(p *Promotion) {
		p.Percent = 1000
		p.From, p.To, p.Hours = mustDate("2026-11-23"), mustDate("2026-11-25"), "08:00-21:00"
	})
	night := promo("NIGHT", PromoPercent, ScopeSKU, "RICE", func(p *Promotion) { p.Percent = 1000; p.Hours = "20:00-02:00" })
	tests := []struct {
		name string
		at   time.Time
		sku  string
		on   bool
	}{
		{"on its first day at 08:00", time.Date(2026, 11, 23, 8, 0, 0, 0, VietnamTime), "HONEY", true},
		{"a minute before its hours", time.Date(2026, 11, 23, 7, 59, 0, 0, VietnamTime), "HONEY", false},
		{"at 21:00, its end", time.Date(2026, 11, 23, 21, 0, 0, 0, VietnamTime), "HONEY", false},
		{"on its last day at 20:59", time.Date(2026, 11, 25, 20, 59, 0, 0, VietnamTime), "HONEY", true},
		{"the day after", time.Date(2026, 11, 26, 10, 0, 0, 0, VietnamTime), "HONEY", false},
		{"the day before", time.Date(2026, 11, 22, 10, 0, 0, 0, VietnamTime), "HONEY", false},
		// 2026-11-23 01:30 UTC is 08:30 in Vietnam: the window is Vietnam time.
		{"on a UTC clock, 01:30 is 08:30 in Vietnam", time.Date(2026, 11, 23, 1, 30, 0, 0, time.UTC), "HONEY", true},
		{"on a UTC clock, 2026-11-25 17:00 is the 26th in Vietnam", time.Date(2026, 11, 25, 17, 0, 0, 0, time.UTC), "HONEY", false},
		{"past midnight in a night window", time.Date(2026, 11, 24, 1, 0, 0, 0, VietnamTime), "RICE", true},
		{"before a night window", time.Date(2026, 11, 24, 19, 0, 0, 0, VietnamTime), "RICE", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := testEnv(fair, night)
			env.Now = tt.at
			pr, err := PriceCart(Cart{Lines: []LineRequest{{SKU: tt.sku, Qty: 1}}}, env)
			if err != nil {
				t.Fatal(err)
			}
			if on := pr.Lines[0].Promotion != ""; on != tt.on {
				t.Errorf("promotion applied %v, want %v", on, tt.on)
			}
		})
	}
}

func mustDate(s string) Date {
	d, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

func TestPromotionsAndManualDiscountsCombineInOrder(t *testing.T) {
	// 10 % promotion on honey; then 5.000 off the line; then 10 % off the sale.
	env := testEnv(promo("P10", PromoPercent, ScopeSKU, "HONEY", func(p *Promotion) { p.Percent = 1000 }))
	pr, err := PriceCart(Cart{Lines: []LineRequest{{SKU: "HONEY", Qty: 1, Discount: &Discount{Amount: amt(5000)}, DiscountReason: "móp hộp"}},
		Discount: &Discount{Percent: pct("10")}, DiscountReason: "khách đoàn"}, env)
	if err != nil {
		t.Fatal(err)
	}
	l := pr.Lines[0]
	// 220.000 − 22.000 = 198.000; − 5.000 = 193.000; the sale's 10 % is 19.300.
	if l.PromotionDiscount != 22000 || l.LineDiscount != 5000 || l.SaleDiscount != 19300 || l.Discount != 46300 || l.Total != 173700 ||
		pr.Bases[0] != 198000 || pr.SaleBase != 193000 || len(pr.NeedsPIN) != 0 {
		t.Errorf("line %+v, bases %v/%d, needs PIN %v", l, pr.Bases, pr.SaleBase, pr.NeedsPIN)
	}
	if want := []AppliedPromotion{{ID: "P10", Name: "P10", Kind: PromoPercent, Bearer: BearerProducer, Lines: 1, Saved: 22000}}; !reflect.DeepEqual(pr.Promotions, want) {
		t.Errorf("promotions %+v, want %+v", pr.Promotions, want)
	}
}

func TestPromotionValidate(t *testing.T) {
	ok := func(p Promotion) Promotion { p.Bearer = BearerBooth; return p }
	tests := []struct {
		name string
		p    Promotion
		ok   bool
	}{
		{"a percentage off a SKU", ok(promo("X", PromoPercent, ScopeSKU, "HONEY", func(p *Promotion) { p.Percent = 1000 })), true},
		{"a bundle for a group", ok(promo("X", PromoBundle, ScopeGroup, "food", func(p *Promotion) { p.BundleQty, p.BundlePrice = 3, 300000 })), true},
		{"no kind", ok(promo("X", "", ScopeSKU, "HONEY", nil)), false},
		{"an unknown group", ok(promo("X", PromoPercent, ScopeGroup, "snacks", func(p *Promotion) { p.Percent = 1000 })), false},
		{"a percentage of 0", ok(promo("X", PromoPercent, ScopeSKU, "HONEY", nil)), false},
		{"a percentage read badly from JSON", ok(promo("X", PromoPercent, ScopeSKU, "HONEY", func(p *Promotion) { p.Percent = -1 })), false},
		{"a percentage on a bundle", ok(promo("X", PromoBundle, ScopeSKU, "HONEY", func(p *Promotion) { p.BundleQty, p.BundlePrice, p.Percent = 3, 300000, 500 })), false},
		{"buy 0", ok(promo("X", PromoBuyGet, ScopeSKU, "HONEY", func(p *Promotion) { p.Get = 1 })), false},
		{"no bearer", promo("X", PromoPercent, ScopeSKU, "HONEY", func(p *Promotion) { p.Percent = 1000; p.Bearer = "" }), false},
		{"bad hours", ok(promo("X", PromoPercent, ScopeSKU, "HONEY", func(p *Promotion) { p.Percent = 1000; p.Hours = "8h-21h" })), false},
		{"an end before the start", ok(promo("X", PromoPercent, ScopeSKU, "HONEY", func(p *Promotion) {
			p.Percent = 1000
			p.From, p.To = mustDate("2026-11-25"), mustDate("2026-11-23")
		})), false},
		{"an id with a space", ok(promo("X Y", PromoPercent, ScopeSKU, "HONEY", func(p *Promotion) { p.Percent = 1000 })), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.p.Validate()
			if (err == nil) != tt.ok || err != nil && !errors.Is(err, ErrBadPromotion) {
				t.Errorf("Validate = %v, want ok %v", err, tt.ok)
			}
		})
	}
}

// FuzzDiscountJSON prices a line and a sale with discounts read from any JSON:
// a discount is taken or refused with ErrBadDiscount, never a panic, a
// negative total or a line below zero.
func FuzzDiscountJSON(f *testing.F) {
	for _, s := range []string{`{"percent": 10}`, `{"amount": 20000}`, `{"percent": 12.5}`, `{"percent": 100}`, `{"amount": 220000}`,
		`{"percent": -1}`, `{"percent": 1e2}`, `{"amount": 1.5}`, `{"percent": 10, "amount": 1}`, `{}`, `{"percent": "10"}`,
		`{"amount": 99999999999999999999}`, `{"percent": 100.001}`} {
		f.Add(s, s)
	}
	f.Fuzz(func(t *testing.T, line, sale string) {
		var ld, sd Discount
		if json.Unmarshal([]byte(line), &ld) != nil || json.Unmarshal([]byte(sale), &sd) != nil {
			return
		}
		pr, err := PriceCart(Cart{Lines: []LineRequest{{SKU: "HONEY", Qty: 2, Discount: &ld}, {SKU: "FISH", WeightG: 777}},
			Discount: &sd}, testEnv())
		if err != nil {
			if !errors.Is(err, ErrBadDiscount) {
				t.Fatalf("%s / %s: %v", line, sale, err)
			}
			return
		}
		for _, l := range pr.Lines {
			if l.Total < 0 || l.Discount < 0 || l.Total != l.Gross()-l.Discount {
				t.Fatalf("%s / %s: line %+v", line, sale, l)
			}
		}
		if pr.Total < 0 || pr.Total > 440000+271950 {
			t.Fatalf("%s / %s: total %d", line, sale, pr.Total)
		}
	})
}
