package pos

import (
	"math/bits"
	"sort"
	"strings"
)

// Query is a catalog search: free text folded the Vietnamese way plus filters.
type Query struct {
	Text     string // "mat ong u minh", a SKU, a barcode or a GTIN
	Stars    int    // 0 = any; otherwise exactly 3, 4 or 5
	MinStars int    // 0 = any
	Group    Group  // "" = any
	Producer string // producer id, "" = any
	Province string // the producer's province, folded ("ca mau" finds Cà Mau), "" = any
	Offset   int
	Limit    int // 0 = 50
}

// Result is one page of a search.
type Result struct {
	Products []*Product
	Total    int // matches before paging
}

// Index answers catalog searches from memory. It is immutable once built: the kiosk
// builds a new one when the catalog changes and swaps it in, so searches never lock.
type Index struct {
	products []*Product // sorted by folded name
	folded   []string   // folded search text per product
	province []string   // folded province of each product's producer
	exact    map[string][]int32
	vocab    []string  // sorted distinct tokens
	postings [][]int32 // product ordinals per vocab token, ascending
	words    int       // bitset words per query
}

// NewIndex builds an index over products (which it keeps; callers must not mutate
// them afterwards). producers supplies the names that are searchable too.
func NewIndex(products []Product, producers map[string]Producer) *Index {
	ps := make([]*Product, len(products))
	for i := range products {
		p := products[i]
		ps[i] = &p
	}
	names := make([]string, len(ps))
	for i, p := range ps {
		names[i] = Fold(p.Name)
	}
	sort.Sort(byFolded{ps, names})
	ix := &Index{products: ps, folded: names, exact: make(map[string][]int32), words: (len(ps) + 63) / 64,
		province: make([]string, len(ps))}
	tokens := make(map[string][]int32)
	for i, p := range ps {
		o := int32(i)
		ix.province[i] = Fold(producers[p.ProducerID].Province)
		text := names[i] + " " + Fold(p.NameEN) + " " + Fold(producers[p.ProducerID].Name) + " " + Fold(p.SKU)
		seen := make(map[string]bool)
		for _, t := range strings.Fields(text) {
			if !seen[t] {
				seen[t] = true
				tokens[t] = append(tokens[t], o)
			}
		}
		ix.addExact(p.SKU, o)
		ix.addExact(strings.ToUpper(p.SKU), o)
		if p.GTIN != "" {
			ix.addExact(p.GTIN, o)
			ix.addExact(strings.TrimLeft(p.GTIN, "0"), o) // GTIN-13 as scanned from an EAN-13
		}
		for _, b := range p.Barcodes {
			ix.addExact(b, o)
		}
	}
	ix.vocab = make([]string, 0, len(tokens))
	for t := range tokens {
		ix.vocab = append(ix.vocab, t)
	}
	sort.Strings(ix.vocab)
	ix.postings = make([][]int32, len(ix.vocab))
	for i, t := range ix.vocab {
		ix.postings[i] = tokens[t]
	}
	return ix
}

func (ix *Index) addExact(key string, o int32) {
	l := ix.exact[key]
	if len(l) > 0 && l[len(l)-1] == o {
		return
	}
	ix.exact[key] = append(l, o)
}

type byFolded struct {
	p []*Product
	n []string
}

func (b byFolded) Len() int { return len(b.p) }
func (b byFolded) Less(i, j int) bool {
	if b.n[i] != b.n[j] {
		return b.n[i] < b.n[j]
	}
	return b.p[i].SKU < b.p[j].SKU
}
func (b byFolded) Swap(i, j int) {
	b.p[i], b.p[j] = b.p[j], b.p[i]
	b.n[i], b.n[j] = b.n[j], b.n[i]
}

// Len is the number of products indexed.
func (ix *Index) Len() int { return len(ix.products) }

// Lookup finds a product by exact SKU, barcode or GTIN (any of the 8/12/13/14-digit
// forms), as a scanner reads them.
func (ix *Index) Lookup(code string) *Product {
	code = strings.TrimSpace(code)
	if os, ok := ix.exact[code]; ok {
		return ix.products[os[0]]
	}
	if g, err := NormalizeGTIN(code); err == nil {
		if os, ok := ix.exact[g]; ok {
			return ix.products[os[0]]
		}
	}
	if os, ok := ix.exact[strings.ToUpper(code)]; ok {
		return ix.products[os[0]]
	}
	return nil
}

// Search answers q: products whose every query word is a prefix of a word of their
// Vietnamese or English name, producer or SKU, after folding; an exact SKU, barcode
// or GTIN match comes first. Results are ordered by name.
func (ix *Index) Search(q Query) Result {
	limit := q.Limit
	if limit <= 0 {
		limit = 50
	}
	var exact *Product
	if q.Text != "" {
		exact = ix.Lookup(q.Text)
		if exact != nil && !q.accepts(exact) {
			exact = nil
		}
	}
	words := strings.Fields(Fold(q.Text))
	var set []uint64
	for _, w := range words {
		ws := ix.prefixSet(w)
		if set == nil {
			set = ws
		} else {
			for i := range set {
				set[i] &= ws[i]
			}
		}
	}
	var res Result
	add := func(p *Product) {
		if res.Total >= q.Offset && len(res.Products) < limit {
			res.Products = append(res.Products, p)
		}
		res.Total++
	}
	if exact != nil {
		add(exact)
	}
	province := Fold(q.Province)
	inProvince := func(o int) bool { return province == "" || ix.province[o] == province }
	visit := func(o int) {
		p := ix.products[o]
		if p != exact && q.accepts(p) && inProvince(o) {
			add(p)
		}
	}
	if set == nil {
		if len(words) == 0 && (exact == nil || q.Text == "") {
			for o := range ix.products {
				visit(o)
			}
		}
		return res
	}
	for wi, w := range set {
		for w != 0 {
			b := bits.TrailingZeros64(w)
			w &= w - 1
			visit(wi*64 + b)
		}
	}
	return res
}

// prefixSet marks every product having a token that starts with w.
func (ix *Index) prefixSet(w string) []uint64 {
	set := make([]uint64, ix.words)
	i := sort.SearchStrings(ix.vocab, w)
	for ; i < len(ix.vocab) && strings.HasPrefix(ix.vocab[i], w); i++ {
		for _, o := range ix.postings[i] {
			set[o>>6] |= 1 << (uint(o) & 63)
		}
	}
	return set
}

func (q Query) accepts(p *Product) bool {
	return (q.Stars == 0 || p.Stars == q.Stars) &&
		(q.MinStars == 0 || p.Stars >= q.MinStars) &&
		(q.Group == "" || p.Group == q.Group) &&
		(q.Producer == "" || p.ProducerID == q.Producer)
}
