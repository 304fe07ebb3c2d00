package pos

import (
	"math/rand/v2"
	"testing"
	"time"
)

// TestInvoiceProperties invoices random carts — discounts, promotions, free
// units, weighed lines, several sellers, both tax methods, and their voids —
// and checks what must hold of every invoice: the invoices of a record add up
// to what the customer paid, each invoice's lines to its total, VAT never
// exceeds the total, and the words read back as the figure.
func TestInvoiceProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(12, 2026))
	issued := time.Date(2026, 11, 23, 10, 0, 0, 0, VietnamTime)
	for iter := range 1000 {
		ps := randomCatalog(r, 5+r.IntN(40))
		promos := randomPromotions(r, ps, r.IntN(60))
		c := randomCart(r, ps)
		c.Approved = true
		env := PriceEnv{Product: catalogLookup(ps...), Promotions: NewPromotionSet(1, promos),
			Now: time.Date(2026, 11, 20+r.IntN(12), r.IntN(24), r.IntN(60), 0, 0, VietnamTime), DiscountLimit: DefaultDiscountLimit}
		pr, err := PriceCart(c, env)
		if err != nil {
			continue // a sale discount above the lines: refused, nothing to invoice
		}
		undo := make([]Line, len(pr.Lines))
		for i, l := range pr.Lines {
			undo[i] = undoLine(l, 0, l.Qty)
		}
		for _, rec := range []struct {
			lines []Line
			total Money
		}{{pr.Lines, pr.Total}, {undo, -pr.Total}} {
			// Producers P0 and P1 delegated their invoicing, one on each method.
			groups := map[string][]Line{}
			for _, l := range rec.lines {
				groups[l.ProducerID] = append(groups[l.ProducerID], l)
			}
			var sum Money
			for producer, lines := range groups {
				method := []string{TaxDirect, TaxCredit}[r.IntN(2)]
				var adjusts *InvoiceRef
				if rec.total < 0 {
					adjusts = &InvoiceRef{Form: FormOf(method), Symbol: "C26MAA", Number: 1, Issued: issued}
				}
				b := buildInvoiceBody(lines, promoNames(pr.Promotions), c.DiscountReason, method, Percent(r.IntN(5_00)), issued, adjusts, "trả hàng")
				var want, lineSum Money
				for _, l := range lines {
					want += l.Total
				}
				for _, l := range b.Lines {
					lineSum += l.Amount
					if method == TaxCredit && l.Net+l.VAT != l.Amount {
						t.Fatalf("cart %d %s: line %+v: net + VAT ≠ amount", iter, producer, l)
					}
				}
				if b.Total != want || lineSum != b.Total {
					t.Fatalf("cart %d %s %s: invoice total %d, lines %d, the record's lines %d", iter, producer, method, b.Total, lineSum, want)
				}
				var vat Money
				for _, v := range b.VAT {
					vat += v.VAT
					if abs(v.VAT) > abs(v.Gross) || v.Net+v.VAT != v.Gross {
						t.Fatalf("cart %d: rate %+v", iter, v)
					}
				}
				if abs(vat) > abs(b.Total) {
					t.Fatalf("cart %d: VAT %d exceeds the total %d", iter, vat, b.Total)
				}
				inv := Invoice{Kind: InvoiceOriginal, Form: FormOf(method), Symbol: "C26MAA", Number: int64(iter + 1), MCCQT: "M1-26-A1B2C-00000000001",
					Issued: issued, Seller: boothParty, TaxMethod: method, Lines: b.Lines, Total: b.Total,
					TotalWords: AmountInWords(b.Total), VAT: b.VAT, Adjusts: adjusts}
				if n, ok := parseWords(inv.TotalWords); !ok || n != int64(b.Total) {
					t.Fatalf("cart %d: %q reads back as %d, total %d", iter, inv.TotalWords, n, b.Total)
				}
				if iter%20 == 0 {
					doc, err := InvoiceXML(inv)
					if err != nil {
						t.Fatal(err)
					}
					checkInvoiceXML(t, inv, doc)
				}
				sum += b.Total
			}
			if sum != rec.total {
				t.Fatalf("cart %d: invoices sum to %d, the customer paid %d", iter, sum, rec.total)
			}
		}
	}
}

func abs(m Money) Money {
	if m < 0 {
		return -m
	}
	return m
}
