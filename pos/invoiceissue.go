package pos

import (
	"encoding/binary"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Issuing. writeRecord calls issueInvoices inside the record's transaction,
// after the record is numbered and before it is written, so a record and its
// invoices are committed together or not at all: no crash can leave a sale
// without its invoice or an invoice without its sale. An invoice that cannot
// be issued (numbering unverified, no block, the block used up, the clock
// before the series' last invoice) aborts the whole transaction: nothing is
// sold, no stock moves, no number is used.

// invoiceGroup is the lines one seller invoices.
type invoiceGroup struct {
	seller     Party
	delegate   *Party
	method     string
	directRate Percent
	lines      []Line
	adjusts    *InvoiceRef
	buyer      *Buyer
}

// issueInvoices issues rec's invoices and indexes them. It does nothing
// while invoicing is off, or for a void or refund of a sale that had none.
func (s *Store) issueInvoices(tx *bolt.Tx, rec *Sale) error {
	st := s.Invoicing()
	if !st.Enabled() {
		// A return of an invoiced sale is adjusted even with invoicing
		// turned off since: in the original's symbol and code.
		var ok bool
		if st, ok = adjustingSettings(tx, rec); !ok {
			return nil
		}
	}
	groups, why, err := s.invoiceGroups(tx, st, rec)
	if err != nil || len(groups) == 0 {
		return err
	}
	if !readNumbering(tx).Verified {
		return abortTx{fmt.Errorf("%w: the store was restored or is new on a kiosk linked to a hub, and numbers the lost store issued are unknown", ErrInvoiceUnverified)}
	}
	m := tx.Bucket(bMeta)
	block, err := invBlock(m)
	if err != nil {
		return abortTx{err}
	}
	if block.IsZero() {
		return abortTx{fmt.Errorf("%w: give -invoice-block, or link the kiosk to the hub, which allocates one", ErrInvoiceNoBlock)}
	}
	series := tx.Bucket(bInvSeries)
	next := max(invNext(series), block.From)
	if next > block.To || block.To-next+1 < uint64(len(groups)) {
		return abortTx{fmt.Errorf("%w: block %s has %d numbers left, the record needs %d", ErrInvoiceCounterFull, block, counterOf(block, next).Left, len(groups))}
	}
	now := rec.Time
	vn := now.In(VietnamTime)
	if y, _ := strconv.Atoi(st.Symbol[1:3]); vn.Year()%100 < y {
		return abortTx{fmt.Errorf("%w: the clock says %s but the symbol %s starts in 20%02d", ErrInvoiceClock, vn.Format("02/01/2006 15:04"), st.Symbol, y)}
	}
	symbol := SymbolFor(st.Symbol, now)
	for _, g := range groups {
		form := FormOf(g.method)
		last := lastIssue(series, []byte("last|"+g.seller.TaxCode))
		if now.Before(last) {
			return abortTx{fmt.Errorf("%w: %s, but seller %s issued an invoice at %s; set the clock right",
				ErrInvoiceClock, vn.Format("02/01/2006 15:04:05"), g.seller.TaxCode, last.In(VietnamTime).Format("02/01/2006 15:04:05"))}
		}
		sb, err := series.CreateBucketIfNotExists([]byte(seriesKey(g.seller.TaxCode, form, symbol)))
		if err != nil {
			return abortTx{err}
		}
		number, err := sb.NextSequence()
		if err != nil {
			return abortTx{err}
		}
		if err := putIssue(sb, []byte("t"), now); err != nil {
			return err
		}
		if err := putIssue(series, []byte("last|"+g.seller.TaxCode), now); err != nil {
			return err
		}
		body := buildInvoiceBody(g.lines, promoNames(rec.Promotions), rec.DiscountReason, g.method, g.directRate, now, g.adjusts, why)
		inv := Invoice{Kind: InvoiceOriginal, Form: form, Symbol: symbol, Number: int64(number),
			MCCQT: MCCQT(form, vn.Year(), st.CQTCode, next), Issued: now, Seller: g.seller, Delegate: g.delegate,
			Buyer: g.buyer, TaxMethod: g.method, PayMethod: payMethodOf(rec.Payments), Lines: body.Lines, Total: body.Total, TotalWords: AmountInWords(body.Total),
			VAT: body.VAT, Note: body.Note, Reduced: body.Reduced, Adjusts: g.adjusts, SaleID: rec.ID, KioskID: rec.KioskID}
		if g.adjusts != nil {
			inv.Kind = InvoiceAdjustment
		}
		next++
		rec.Invoices = append(rec.Invoices, inv)
	}
	if err := series.Put(kInvNext, u64(next)); err != nil {
		return abortTx{err}
	}
	return indexInvoices(tx, rec)
}

// invoiceGroups splits rec's lines by issuing seller. A sale's goods are the
// booth's unless their producer delegated invoicing to it; a void or refund
// adjusts each invoice of its original whose goods it takes back. why says
// what an adjustment is for.
func (s *Store) invoiceGroups(tx *bolt.Tx, st InvoiceSettings, rec *Sale) ([]invoiceGroup, string, error) {
	if rec.Kind == KindSale {
		var groups []invoiceGroup
		at := map[string]int{}
		producers := map[string]*Producer{}
		for _, l := range rec.Lines {
			p, ok := producers[l.ProducerID]
			if !ok {
				var pr Producer
				if found, err := getJSON(tx.Bucket(bProducers), []byte(l.ProducerID), &pr); err != nil {
					return nil, "", abortTx{fmt.Errorf("producer %s: %w", l.ProducerID, err)}
				} else if found {
					p = &pr
				}
				producers[l.ProducerID] = p
			}
			key := ""
			if p.delegates() {
				key = p.ID
			}
			i, ok := at[key]
			if !ok {
				g := invoiceGroup{seller: st.Seller, method: st.TaxMethod, directRate: st.DirectRate, buyer: rec.Buyer}
				if key != "" {
					booth := st.Seller
					g.seller = Party{Name: p.Name, TaxCode: p.TaxCode, Address: p.Address}
					g.delegate, g.method, g.directRate = &booth, p.Invoicing.TaxMethod, p.Invoicing.DirectRate
				}
				i = len(groups)
				at[key] = i
				groups = append(groups, g)
			}
			groups[i].lines = append(groups[i].lines, l)
		}
		// The booth's own invoice first, then the producers' by tax code.
		sort.SliceStable(groups, func(a, b int) bool {
			if (groups[a].delegate == nil) != (groups[b].delegate == nil) {
				return groups[a].delegate == nil
			}
			return groups[a].seller.TaxCode < groups[b].seller.TaxCode
		})
		return groups, "", nil
	}
	var orig Sale
	if _, err := getJSON(tx.Bucket(bSales), []byte(rec.Original), &orig); err != nil {
		return nil, "", abortTx{fmt.Errorf("sale %s: %w", rec.Original, err)}
	}
	if len(orig.Invoices) == 0 {
		return nil, "", nil
	}
	bySKU := map[string]int{}
	for i, inv := range orig.Invoices {
		for _, l := range inv.Lines {
			if l.SKU != "" {
				if _, ok := bySKU[l.SKU]; !ok {
					bySKU[l.SKU] = i
				}
			}
		}
	}
	groups := make([]invoiceGroup, len(orig.Invoices))
	for i, inv := range orig.Invoices {
		ref := inv.Ref()
		groups[i] = invoiceGroup{seller: inv.Seller, delegate: inv.Delegate, method: inv.TaxMethod, adjusts: &ref, buyer: inv.Buyer}
	}
	for _, l := range rec.Lines {
		i := bySKU[l.SKU] // a line the original's invoices do not name goes on its first
		groups[i].lines = append(groups[i].lines, l)
	}
	var out []invoiceGroup
	for _, g := range groups {
		if len(g.lines) > 0 {
			out = append(out, g)
		}
	}
	why := "trả hàng"
	if rec.Kind == KindVoid {
		why = "hủy giao dịch bán"
	}
	if rec.Reason != "" {
		why += ": " + rec.Reason
	}
	return out, why, nil
}

// adjustingSettings are what a void or refund of an invoiced sale needs to
// issue its adjustments while invoicing is off: the symbol and tax authority
// code of the original's first invoice.
func adjustingSettings(tx *bolt.Tx, rec *Sale) (InvoiceSettings, bool) {
	if rec.Kind == KindSale || rec.Original == "" {
		return InvoiceSettings{}, false
	}
	var orig Sale
	if ok, err := getJSON(tx.Bucket(bSales), []byte(rec.Original), &orig); !ok || err != nil || len(orig.Invoices) == 0 {
		return InvoiceSettings{}, false
	}
	inv := orig.Invoices[0]
	parts := strings.Split(inv.MCCQT, "-")
	if len(parts) != 4 || !ValidSymbol(inv.Symbol) {
		return InvoiceSettings{}, false
	}
	return InvoiceSettings{Symbol: inv.Symbol, CQTCode: parts[2]}, true
}

func promoNames(ps []AppliedPromotion) map[string]string {
	m := make(map[string]string, len(ps))
	for _, p := range ps {
		m[p.ID] = p.Name
	}
	return m
}

// seriesKey names a series: seller's tax code, form, symbol.
func seriesKey(taxCode string, form int, symbol string) string {
	return taxCode + "|" + strconv.Itoa(form) + "|" + symbol
}

func lastIssue(b *bolt.Bucket, key []byte) time.Time {
	if v := b.Get(key); len(v) == 8 {
		return time.Unix(0, int64(binary.BigEndian.Uint64(v)))
	}
	return time.Time{}
}

// putIssue moves a last-issue time forward (never back).
func putIssue(b *bolt.Bucket, key []byte, t time.Time) error {
	if !t.After(lastIssue(b, key)) {
		return nil
	}
	if err := b.Put(key, u64(uint64(t.UnixNano()))); err != nil {
		return abortTx{err}
	}
	return nil
}

// invIndexKey orders invoices by symbol and number: symbol|number|MST|form.
func invIndexKey(symbol string, number int64, taxCode string, form int) []byte {
	return fmt.Appendf(nil, "%s|%020d|%s|%d", symbol, number, taxCode, form)
}

// keyIndexKey files an invoice by its provider key; symbols start with a
// capital C, so these keys never mix with the numbers'.
func keyIndexKey(key string) []byte { return []byte("key|" + key) }

// invRef points at an invoice inside its record: record seq, index.
func invRef(seq uint64, i int) []byte {
	v := make([]byte, 9)
	binary.BigEndian.PutUint64(v, seq)
	v[8] = byte(i)
	return v
}

// indexInvoices files a record's invoices by number and by key, and counts
// them in their day. Issue order needs no index: it is the record sequence.
func indexInvoices(tx *bolt.Tx, rec *Sale) error {
	ix := appending(tx, bInvIndex)
	for i, inv := range rec.Invoices {
		ref := invRef(rec.Seq, i)
		if err := ix.Put(invIndexKey(inv.Symbol, inv.Number, inv.Seller.TaxCode, inv.Form), ref); err != nil {
			return abortTx{err}
		}
		if err := ix.Put(keyIndexKey(inv.Key()), ref); err != nil {
			return abortTx{err}
		}
		var adj int64
		if inv.Kind == InvoiceAdjustment {
			adj = 1
		}
		if err := addInts(tx.Bucket(bInvSeries), dayKey(inv), 1, 0, 0, adj); err != nil {
			return err
		}
	}
	return nil
}

// recoverInvoices makes the series, their last issue times and the counter
// continue after the invoices of records recovered from the hub.
func recoverInvoices(tx *bolt.Tx, recs []Sale) error {
	series, m := tx.Bucket(bInvSeries), tx.Bucket(bMeta)
	block, err := invBlock(m)
	if err != nil {
		return abortTx{err}
	}
	next := invNext(series)
	used, err := usedRanges(m)
	if err != nil {
		return abortTx{err}
	}
	changed := false
	for _, r := range recs {
		for _, inv := range r.Invoices {
			sb, err := series.CreateBucketIfNotExists([]byte(seriesKey(inv.Seller.TaxCode, inv.Form, inv.Symbol)))
			if err != nil {
				return abortTx{err}
			}
			if uint64(inv.Number) > sb.Sequence() {
				if err := sb.SetSequence(uint64(inv.Number)); err != nil {
					return abortTx{err}
				}
			}
			if err := putIssue(sb, []byte("t"), inv.Issued); err != nil {
				return err
			}
			if err := putIssue(series, []byte("last|"+inv.Seller.TaxCode), inv.Issued); err != nil {
				return err
			}
			if n, ok := mccqtNumber(inv.MCCQT); ok {
				switch {
				case block.Contains(n):
					next = max(next, n+1)
				default:
					// Issued in another block (before a change of
					// block): never to be issued again.
					used, changed = addUsed(used, n, n), true
				}
			}
		}
	}
	if changed {
		if err := putUsed(m, used); err != nil {
			return abortTx{err}
		}
	}
	if next != invNext(series) {
		if err := series.Put(kInvNext, u64(next)); err != nil {
			return abortTx{err}
		}
	}
	return nil
}

// mccqtNumber is the eleven-digit counter of an MCCQT.
func mccqtNumber(code string) (uint64, bool) {
	if len(code) < 11 {
		return 0, false
	}
	n, err := strconv.ParseUint(code[len(code)-11:], 10, 64)
	return n, err == nil
}

// payMethodOf is HTTToan for a record's payments.
func payMethodOf(ps []Payment) string {
	var cash, other bool
	for _, p := range ps {
		if p.Method == MethodCash {
			cash = true
		} else {
			other = true
		}
	}
	switch {
	case cash && other:
		return "TM/CK"
	case cash:
		return "TM"
	case other:
		return "CK"
	}
	return ""
}
