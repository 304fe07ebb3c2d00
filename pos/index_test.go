package pos

import (
	"reflect"
	"slices"
	"testing"
)

// indexProducers and indexProducts are a small hand-made catalog whose search
// answers can be worked out by reading it.
var indexProducers = map[string]Producer{
	"P-UMINH": {ID: "P-UMINH", Name: "HTX Ong mật U Minh Hạ", Kind: KindHTX},
	"P-DAK":   {ID: "P-DAK", Name: "Hộ kinh doanh Ba Đức", Kind: KindHousehold},
	"P-BT":    {ID: "P-BT", Name: "Cơ sở Thanh Long", Kind: KindHousehold},
	"P-ORO":   {ID: "P-ORO", Name: "Tổ hợp tác Dược liệu Đất Mũi", Kind: KindTHT},
}

func indexProducts() []Product {
	return []Product{
		{SKU: "MO-500", GTIN: "08935001800002", Name: "Mật ong rừng tràm U Minh Hạ 500ml", NameEN: "U Minh Ha forest honey 500ml",
			Group: GroupFood, Stars: 5, ProducerID: "P-UMINH", Price: 220000, VATRate: 8},
		{SKU: "MO-CF", Name: "Mật ong hoa cà phê 250ml", NameEN: "Coffee blossom honey 250ml",
			Group: GroupFood, Stars: 3, ProducerID: "P-DAK", Price: 120000, VATRate: 8},
		{SKU: "KD-400", Name: "Kẹo dừa Bến Tre 400g", NameEN: "Ben Tre coconut candy 400g", Barcodes: []string{"PLU-77"},
			Group: GroupFood, Stars: 4, ProducerID: "P-BT", Price: 45000, VATRate: 8},
		{SKU: "TRA", Name: "Trà ô rô túi lọc", NameEN: "Sea holly herbal tea",
			Group: GroupHerbal, Stars: 3, ProducerID: "P-ORO", Price: 60000, VATRate: 8},
		{SKU: "DEN-01", GTIN: "00000096385074", Name: "Đèn ngủ gáo dừa", NameEN: "Coconut shell lamp",
			Group: GroupHandicraft, Stars: 4, ProducerID: "P-BT", Price: 180000, VATRate: 8},
		{SKU: "BUOI", GTIN: "00036000291452", Name: "Bưởi da xanh", NameEN: "Green-skin pomelo",
			Group: GroupFood, Stars: 4, ProducerID: "P-BT", Price: 79000, VATRate: 0},
	}
}

func skusOf(ps []*Product) []string {
	out := []string{}
	for _, p := range ps {
		out = append(out, p.SKU)
	}
	return out
}

func TestSearch(t *testing.T) {
	ix := NewIndex(indexProducts(), indexProducers)
	// Sorted by folded name: buoi da xanh, den ngu gao dua, keo dua ben tre 400g,
	// mat ong hoa ca phe 250ml, mat ong rung tram u minh ha 500ml, tra o ro tui loc.
	all := []string{"BUOI", "DEN-01", "KD-400", "MO-CF", "MO-500", "TRA"}
	tests := []struct {
		name      string
		q         Query
		want      []string
		wantTotal int
	}{
		{"folded words find the Vietnamese name", Query{Text: "mat ong u minh"}, []string{"MO-500"}, 1},
		{"a query with tone marks and capitals folds like the name", Query{Text: "MẬT ONG U Minh"}, []string{"MO-500"}, 1},
		{"two words find every product having both, ordered by name", Query{Text: "mat ong"}, []string{"MO-CF", "MO-500"}, 2},
		{"each word may be the prefix of a word", Query{Text: "ma on u mi"}, []string{"MO-500"}, 1},
		{"word order does not matter", Query{Text: "minh mat"}, []string{"MO-500"}, 1},
		{"an English word finds the English name", Query{Text: "honey"}, []string{"MO-CF", "MO-500"}, 2},
		{"an English prefix finds two groups of products", Query{Text: "coco"}, []string{"DEN-01", "KD-400"}, 2},
		{"the producer's name finds all its products", Query{Text: "thanh long"}, []string{"BUOI", "DEN-01", "KD-400"}, 3},
		{"a producer word with a tone mark finds its products", Query{Text: "Đất Mũi"}, []string{"TRA"}, 1},
		{"a word every name lacks finds nothing", Query{Text: "xyz"}, []string{}, 0},
		{"one word that matches nothing empties an otherwise matching query", Query{Text: "mat ong xyz"}, []string{}, 0},
		{"the empty query lists everything by folded name", Query{}, all, 6},
		{"a query of spaces lists everything", Query{Text: "   "}, all, 6},
		{"an exact SKU comes first, before name matches that sort earlier", Query{Text: "tra"}, []string{"TRA", "MO-500"}, 2},
		{"an exact SKU in lower case is found", Query{Text: "kd-400"}, []string{"KD-400"}, 1},
		{"a GTIN-13 as scanned from an EAN-13 finds its product", Query{Text: "8935001800002"}, []string{"MO-500"}, 1},
		{"the GTIN-14 form finds the same product", Query{Text: "08935001800002"}, []string{"MO-500"}, 1},
		{"a GTIN-8 finds its product", Query{Text: "96385074"}, []string{"DEN-01"}, 1},
		{"a GTIN-12 (UPC-A) finds its product", Query{Text: "036000291452"}, []string{"BUOI"}, 1},
		{"a GTIN-12 read as a 13-digit EAN finds its product", Query{Text: "0036000291452"}, []string{"BUOI"}, 1},
		{"an extra barcode finds its product", Query{Text: "PLU-77"}, []string{"KD-400"}, 1},
		{"an extra barcode in lower case finds its product", Query{Text: "plu-77"}, []string{"KD-400"}, 1},
		{"a scanned code with a trailing newline finds its product", Query{Text: "8935001800002\n"}, []string{"MO-500"}, 1},
		{"a GTIN with a wrong check digit finds nothing", Query{Text: "8935001800003"}, []string{}, 0},
		{"exactly 4 stars", Query{Stars: 4}, []string{"BUOI", "DEN-01", "KD-400"}, 3},
		{"at least 4 stars", Query{MinStars: 4}, []string{"BUOI", "DEN-01", "KD-400", "MO-500"}, 4},
		{"one group", Query{Group: GroupHandicraft}, []string{"DEN-01"}, 1},
		{"one producer", Query{Producer: "P-BT"}, []string{"BUOI", "DEN-01", "KD-400"}, 3},
		{"text and a star filter together", Query{Text: "mat ong", Stars: 5}, []string{"MO-500"}, 1},
		{"text and a producer filter together", Query{Text: "dua", Producer: "P-BT"}, []string{"DEN-01", "KD-400"}, 2},
		{"a filter that excludes the exact match leaves nothing", Query{Text: "KD-400", Group: GroupHerbal}, []string{}, 0},
		{"a filter that excludes the exact match keeps the name matches it allows", Query{Text: "tra", Stars: 5}, []string{"MO-500"}, 1},
		{"filters that exclude each other find nothing", Query{Group: GroupHerbal, MinStars: 4}, []string{}, 0},
		{"a limit cuts the page but not the total", Query{Limit: 2}, []string{"BUOI", "DEN-01"}, 6},
		{"an offset skips into the list", Query{Offset: 2, Limit: 2}, []string{"KD-400", "MO-CF"}, 6},
		{"the last page may be short", Query{Offset: 5, Limit: 2}, []string{"TRA"}, 6},
		{"an offset past the end gives an empty page with the total", Query{Offset: 10}, []string{}, 6},
		{"an offset skips the exact match too", Query{Text: "tra", Offset: 1}, []string{"MO-500"}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := ix.Search(tt.q)
			if got := skusOf(res.Products); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Search(%+v) = %v, want %v", tt.q, got, tt.want)
			}
			if res.Total != tt.wantTotal {
				t.Errorf("Search(%+v).Total = %d, want %d", tt.q, res.Total, tt.wantTotal)
			}
		})
	}
}

func TestSearchDefaultLimitIsFifty(t *testing.T) {
	var ps []Product
	for i := range 120 {
		ps = append(ps, Product{SKU: "S" + string(rune('A'+i/26)) + string(rune('A'+i%26)), Name: "Khô cá", Group: GroupFood, Stars: 3, ProducerID: "P", Price: 1, VATRate: 8})
	}
	ix := NewIndex(ps, nil)
	for _, limit := range []int{0, -1} {
		res := ix.Search(Query{Text: "kho ca", Limit: limit})
		if len(res.Products) != 50 || res.Total != 120 {
			t.Errorf("limit %d: %d products of %d, want 50 of 120", limit, len(res.Products), res.Total)
		}
	}
}

func TestSearchDoesNotSeeLaterChangesToTheCallersProducts(t *testing.T) {
	ps := indexProducts()
	ix := NewIndex(ps, indexProducers)
	ps[0].Name = "Đã đổi tên"
	if got := skusOf(ix.Search(Query{Text: "mat ong u minh"}).Products); !reflect.DeepEqual(got, []string{"MO-500"}) {
		t.Errorf("after the caller renamed its copy, search finds %v, want [MO-500]", got)
	}
}

func TestLookup(t *testing.T) {
	ix := NewIndex(indexProducts(), indexProducers)
	tests := []struct {
		code string
		want string // "" = nothing
	}{
		{"MO-500", "MO-500"},
		{"mo-500", "MO-500"},
		{"8935001800002", "MO-500"},
		{"08935001800002", "MO-500"},
		{"96385074", "DEN-01"},
		{"036000291452", "BUOI"},
		{" PLU-77 ", "KD-400"},
		{"mat ong", ""},
		{"", ""},
	}
	for _, tt := range tests {
		t.Run("looking up "+tt.code+" finds "+tt.want, func(t *testing.T) {
			p := ix.Lookup(tt.code)
			got := ""
			if p != nil {
				got = p.SKU
			}
			if got != tt.want {
				t.Errorf("Lookup(%q) = %q, want %q", tt.code, got, tt.want)
			}
		})
	}
}

func TestSearchTheDemoCatalog(t *testing.T) {
	c, err := DemoCatalog()
	if err != nil {
		t.Fatal(err)
	}
	producers := map[string]Producer{}
	for _, p := range c.Producers {
		producers[p.ID] = p
	}
	ix := NewIndex(c.Products, producers)
	if ix.Len() != len(c.Products) {
		t.Fatalf("index holds %d products, catalog has %d", ix.Len(), len(c.Products))
	}
	tests := []struct {
		name    string
		q       Query
		first   string   // "" = no check
		has     []string // must be among the results
		hasNot  []string // must not be among the results
		wantAll bool     // every product is listed
	}{
		{name: "mat ong u minh finds the U Minh Hạ forest honey", q: Query{Text: "mat ong u minh"},
			has: []string{"CM-MO-500", "CM-MO-250"}, hasNot: []string{"CM-KCL-500", "BT-MHD-250"}},
		{name: "the 13-digit GTIN of the honey finds it alone", q: Query{Text: "8936072100152"}, first: "CM-MO-500"},
		{name: "the 14-digit GTIN of the honey finds it alone", q: Query{Text: "08936072100152"}, first: "CM-MO-500"},
		{name: "a PLU barcode finds the pomelo", q: Query{Text: "PLU-3011"}, first: "BT-BDX-Q"},
		{name: "an in-store EAN finds the melon", q: Query{Text: "2043210000000"}, first: "TV-DL-KG"},
		{name: "an English word finds the honeys", q: Query{Text: "honey"}, has: []string{"CM-MO-500", "CM-MO-250", "CM-MO-HU"}},
		{name: "the empty query lists every product", q: Query{Limit: 1000}, wantAll: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := ix.Search(tt.q)
			got := skusOf(res.Products)
			if tt.first != "" {
				if len(got) != 1 || got[0] != tt.first {
					t.Errorf("Search(%q) = %v, want just %s", tt.q.Text, got, tt.first)
				}
			}
			for _, s := range tt.has {
				if !slices.Contains(got, s) {
					t.Errorf("Search(%q) = %v lacks %s", tt.q.Text, got, s)
				}
			}
			for _, s := range tt.hasNot {
				if slices.Contains(got, s) {
					t.Errorf("Search(%q) = %v includes %s", tt.q.Text, got, s)
				}
			}
			if tt.wantAll {
				if len(got) != len(c.Products) || res.Total != len(c.Products) {
					t.Fatalf("empty query listed %d (total %d) of %d products", len(got), res.Total, len(c.Products))
				}
				for i := 1; i < len(res.Products); i++ {
					if a, b := Fold(res.Products[i-1].Name), Fold(res.Products[i].Name); a > b {
						t.Errorf("%q listed before %q", a, b)
					}
				}
			}
		})
	}
}
