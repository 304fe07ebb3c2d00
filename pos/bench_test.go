package pos

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"
)

// benchStore opens a store with a small catalog whose stock never runs out.
func benchStore(b *testing.B) *Store {
	b.Helper()
	s, err := Open(filepath.Join(b.TempDir(), "bench.db"), StoreOptions{KioskID: "K01"})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	c := Catalog{Producers: []Producer{{ID: "P1", Name: "HTX Ong mật U Minh Hạ", Kind: KindHTX}}}
	for i := range 50 {
		c.Products = append(c.Products, Product{SKU: fmt.Sprintf("SKU-%03d", i), Name: fmt.Sprintf("Mật ong rừng tràm %d", i),
			Group: GroupFood, Stars: 4, ProducerID: "P1", Price: Money(50_000 + 1_000*i), VATRate: 8, Stock: MaxStock})
	}
	if err := s.PutCatalog(c, "bench"); err != nil {
		b.Fatal(err)
	}
	return s
}

// benchSale is a typical fair-booth sale: three lines, cash with change.
func benchSale(i int) SaleRequest {
	return SaleRequest{
		Lines: []LineRequest{
			{SKU: fmt.Sprintf("SKU-%03d", i%50), Qty: 2},
			{SKU: fmt.Sprintf("SKU-%03d", (i+7)%50), Qty: 1},
			{SKU: fmt.Sprintf("SKU-%03d", (i+19)%50), Qty: 3},
		},
		Payments: []PaymentRequest{{Method: MethodCash, Amount: 2_000_000}},
	}
}

func quantile(d []time.Duration, q float64) float64 {
	if len(d) == 0 {
		return 0
	}
	slices.Sort(d)
	return float64(d[int(q*float64(len(d)-1))].Microseconds()) / 1000
}

// BenchmarkCommitSale is one till selling: each sale durable (fsync'ed) before the
// next. DESIGN budget: p99 ≤ 3 ms.
func BenchmarkCommitSale(b *testing.B) {
	s := benchStore(b)
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		if _, _, err := s.CommitSale(benchSale(i), ""); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t0))
	}
	el := time.Since(start)
	b.ReportMetric(float64(b.N)/el.Seconds(), "sales/s")
	b.ReportMetric(quantile(lat, 0.50), "p50-ms")
	b.ReportMetric(quantile(lat, 0.99), "p99-ms")
}

// BenchmarkCommitSale16Tills is sixteen tills selling at once; the store's group
// commit shares each fsync among them. DESIGN budget: ≥ 5,000 sales/s.
func BenchmarkCommitSale16Tills(b *testing.B) {
	s := benchStore(b)
	const tills = 16
	var mu sync.Mutex
	lat := make([]time.Duration, 0, b.N)
	var next int64
	var wg sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	for range tills {
		wg.Add(1)
		go func() {
			defer wg.Done()
			local := make([]time.Duration, 0, b.N/tills+1)
			for {
				mu.Lock()
				i := next
				next++
				mu.Unlock()
				if i >= int64(b.N) {
					break
				}
				t0 := time.Now()
				if _, _, err := s.CommitSale(benchSale(int(i)), ""); err != nil {
					b.Error(err)
					return
				}
				local = append(local, time.Since(t0))
			}
			mu.Lock()
			lat = append(lat, local...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	el := time.Since(start)
	b.ReportMetric(float64(b.N)/el.Seconds(), "sales/s")
	b.ReportMetric(quantile(lat, 0.99), "p99-ms")
}

// GenerateProducts makes n plausible OCOP products (Vietnamese names from a word
// pool) across 200 producers, for search benchmarks.
func generateProducts(n int) ([]Product, map[string]Producer) {
	r := rand.New(rand.NewPCG(1, 2))
	kinds := []string{"Mật ong", "Bánh phồng tôm", "Khô cá lóc", "Kẹo dừa", "Bưởi da xanh", "Gạo hữu cơ", "Dưa lưới",
		"Trà mãng cầu", "Mắm tôm chà", "Nước cốt dừa", "Tinh dầu", "Rượu nếp", "Túi cỏ bàng", "Trà đinh lăng", "Mứt vỏ bưởi"}
	places := []string{"U Minh Hạ", "Cà Mau", "Bến Tre", "Trà Vinh", "Năm Căn", "Đất Mũi", "Chợ Lách", "Mỏ Cày", "Cầu Kè", "Rạch Lọp", "Phú Cần", "Sông Đốc"}
	extras := []string{"500g", "250ml", "hộp quà", "đặc biệt", "sấy dẻo", "nguyên chất", "hữu cơ", "túi lọc", "1kg", "lá dứa", "sầu riêng", "tôm đất"}
	producers := map[string]Producer{}
	for i := range 200 {
		id := fmt.Sprintf("P%03d", i)
		producers[id] = Producer{ID: id, Name: "HTX " + places[i%len(places)] + fmt.Sprintf(" %d", i), Kind: KindHTX}
	}
	ps := make([]Product, n)
	for i := range ps {
		ps[i] = Product{
			SKU:        fmt.Sprintf("G-%05d", i),
			GTIN:       gtinFor(i),
			Name:       fmt.Sprintf("%s %s %s %d", kinds[r.IntN(len(kinds))], places[r.IntN(len(places))], extras[r.IntN(len(extras))], i),
			NameEN:     "OCOP product",
			Group:      Groups[r.IntN(len(Groups))],
			Stars:      3 + r.IntN(3),
			ProducerID: fmt.Sprintf("P%03d", r.IntN(200)),
			Price:      Money(10_000 + 1_000*r.IntN(500)),
			VATRate:    8,
		}
	}
	return ps, producers
}

func gtinFor(i int) string {
	data := fmt.Sprintf("893%09d", 100000000+i)
	return data + string(GTINCheckDigit(data))
}

// BenchmarkSearch20k answers typical till and tourist queries over 20,000 products.
// DESIGN budget: p99 ≤ 1 ms.
func BenchmarkSearch20k(b *testing.B) {
	products, producers := generateProducts(20_000)
	ix := NewIndex(products, producers)
	queries := []Query{
		{Text: "mat ong u minh"}, {Text: "Bánh phồng tôm"}, {Text: "keo dua ben tre"}, {Text: "m"},
		{Text: "G-01234"}, {Text: gtinFor(777)}, {Text: "tra", Stars: 5}, {Text: "", Group: GroupHerbal},
		{Text: "gao huu co rach lop 1kg"}, {Text: "khô cá", MinStars: 4, Limit: 100},
	}
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		res := ix.Search(queries[i%len(queries)])
		lat = append(lat, time.Since(t0))
		if res.Total == 0 && i < len(queries) {
			b.Fatalf("query %+v found nothing", queries[i%len(queries)])
		}
	}
	b.ReportMetric(quantile(lat, 0.99)*1000, "p99-µs")
	b.ReportMetric(quantile(lat, 0.50)*1000, "p50-µs")
}

// BenchmarkIndexBuild20k is the cost of rebuilding the index after an import.
func BenchmarkIndexBuild20k(b *testing.B) {
	products, producers := generateProducts(20_000)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		NewIndex(products, producers)
	}
}

// BenchmarkPriceCart50Lines200Promotions prices a 50-line cart (a few lines
// weighed, some with discounts, a sale discount) against 200 promotions valid
// at once, of every kind and scope, as the cart on the screens and the sale
// at commit are priced. DESIGN budget: p99 ≤ 1 ms.
func BenchmarkPriceCart50Lines200Promotions(b *testing.B) {
	r := rand.New(rand.NewPCG(3, 4))
	ps := randomCatalog(r, 400)
	promos := randomPromotions(r, ps, 200)
	for i := range promos {
		promos[i].From, promos[i].To, promos[i].Hours, promos[i].Deleted = Date{}, Date{}, "", false // all valid
	}
	env := PriceEnv{Product: catalogLookup(ps...), Promotions: NewPromotionSet(1, promos), Now: monday9, DiscountLimit: DefaultDiscountLimit}
	var c Cart
	for len(c.Lines) < 50 {
		c = randomCart(r, ps)
	}
	c.Lines = c.Lines[:50]
	c.Discount = &Discount{Percent: pct("5")}
	if _, err := PriceCart(c, env); err != nil {
		b.Fatal(err)
	}
	lat := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		if _, err := PriceCart(c, env); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t0))
	}
	b.ReportMetric(quantile(lat, 0.50), "p50-ms")
	b.ReportMetric(quantile(lat, 0.99), "p99-ms")
}
