package pos

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Cash-register e-invoices (hóa đơn điện tử khởi tạo từ máy tính tiền, "MTT").
// When the kiosk's invoicing is configured, every sale, void and refund gets its
// invoices in its own transaction, kept inside the record (Sale.Invoices), so
// they ride the uplink with it, come back with Recover and are never edited.
// The rules followed are in README "Invoicing — the invoice itself".

// Errors of invoicing. The kiosk maps them to HTTP codes in one place.
var (
	// ErrBadBuyer is a buyer block of the wrong shape (the message names the field).
	ErrBadBuyer = errors.New("bad buyer")
	// ErrBadInvoiceSettings is invoicing configured wrongly (refused at start).
	ErrBadInvoiceSettings = errors.New("bad invoice settings")
	// ErrInvoiceUnverified refuses to invoice while the store's numbering is not
	// verified with the hub: the lost store may have issued numbers it cannot know.
	ErrInvoiceUnverified = errors.New("invoice numbering not verified: recover from the hub first")
	// ErrInvoiceClock refuses an invoice dated before the last one of its series.
	ErrInvoiceClock = errors.New("clock is before the last invoice issued")
	// ErrInvoiceCounterFull refuses an invoice past the end of the kiosk's block
	// of the MCCQT counter.
	ErrInvoiceCounterFull = errors.New("invoice counter block used up")
	// ErrInvoiceNoBlock refuses an invoice while the kiosk has no block of the
	// MCCQT counter (the hub allocates one when the kiosk links).
	ErrInvoiceNoBlock = errors.New("no invoice counter block")
	// ErrAdjustAdjustment refuses a void or refund of an adjustment invoice's record.
	ErrAdjustAdjustment = errors.New("an adjustment invoice cannot be adjusted")
)

// Tax methods of a seller.
const (
	TaxDirect = "direct" // phương pháp trực tiếp: form 2, amounts with VAT included
	TaxCredit = "credit" // phương pháp khấu trừ: form 1, VAT shown per line and rate
)

// Invoice forms (KHMSHDon).
const (
	FormVAT   = 1 // hóa đơn giá trị gia tăng, credit method
	FormSales = 2 // hóa đơn bán hàng, direct method
)

// Invoice kinds.
const (
	InvoiceOriginal   = "original"
	InvoiceAdjustment = "adjustment"
)

// Invoice delivery states (the hub sends them down).
const (
	InvoiceIssued    = "issued"
	InvoiceDelivered = "delivered"
	InvoiceRefused   = "refused"
)

// Line kinds of an invoice (VNPT's MTT field TChat).
const (
	LineGoods     = 1 // hàng hóa, dịch vụ
	LinePromotion = 2 // khuyến mại: units given free
	LineDiscount  = 3 // chiết khấu thương mại
	LineNote      = 4 // ghi chú, diễn giải
)

// FormOf is the invoice form a tax method issues.
func FormOf(method string) int {
	if method == TaxCredit {
		return FormVAT
	}
	return FormSales
}

// Party is a seller (or the booth issuing for one).
type Party struct {
	Name    string `json:"name"`
	TaxCode string `json:"tax_code"`
	Address string `json:"address"`
}

// InvoiceSettings are the kiosk's own invoicing, set at start (flags/env).
type InvoiceSettings struct {
	Seller    Party  // the booth's MST, name, address (from -seller-*)
	TaxMethod string // TaxDirect or TaxCredit
	Form      int    // 1 (credit) or 2 (direct); a mismatch with TaxMethod is refused
	// Symbol is the six-character symbol, e.g. C26MAA: its year digits are the
	// first year it may be used; at issue they follow the year in Vietnam time.
	Symbol string
	// CQTCode is the five characters the tax authority issued for MTT codes.
	CQTCode string
	// Block is this kiosk's range of the eleven-digit counter; zero asks the hub.
	Block InvoiceBlock
	// DirectRate is the percentage of revenue a direct-method seller pays as
	// VAT for its trade (1 % distribution of goods, 3 % production…): the 20 %
	// reduction note states 20 % of it. Zero means 1 %, the rate for goods.
	DirectRate Percent
}

// MaxMCCQT is the last number of the eleven-digit counter.
const MaxMCCQT = 99_999_999_999

// BlockSize is the size of block N of the counter ("-invoice-block N").
const BlockSize = 10_000_000

// InvoiceBlock is a range of the eleven-digit MCCQT counter, both ends included.
type InvoiceBlock struct {
	From uint64 `json:"from"`
	To   uint64 `json:"to"`
}

// IsZero tells no block.
func (b InvoiceBlock) IsZero() bool { return b == InvoiceBlock{} }

// Size is how many numbers the block holds.
func (b InvoiceBlock) Size() uint64 {
	if b.IsZero() {
		return 0
	}
	return b.To - b.From + 1
}

// Contains tells whether n lies in the block.
func (b InvoiceBlock) Contains(n uint64) bool { return !b.IsZero() && n >= b.From && n <= b.To }

// Overlaps tells whether two blocks share a number.
func (b InvoiceBlock) Overlaps(o InvoiceBlock) bool {
	return !b.IsZero() && !o.IsZero() && b.From <= o.To && o.From <= b.To
}

func (b InvoiceBlock) String() string {
	if b.IsZero() {
		return ""
	}
	return fmt.Sprintf("%011d-%011d", b.From, b.To)
}

var reBlock = regexp.MustCompile(`^([0-9]{1,11})(?:-([0-9]{1,11}))?$`)

// ParseInvoiceBlock reads "N" (block N of 10,000,000: N×10^7 … N×10^7+9,999,999,
// N 0–9999) or "FROM-TO" (eleven-digit numbers, FROM ≤ TO).
func ParseInvoiceBlock(s string) (InvoiceBlock, error) {
	s = strings.TrimSpace(s)
	m := reBlock.FindStringSubmatch(s)
	if m == nil {
		return InvoiceBlock{}, fmt.Errorf("%w: invoice block %q: want N (0–9999) or FROM-TO (up to 11 digits each)", ErrBadInvoiceSettings, s)
	}
	a, _ := strconv.ParseUint(m[1], 10, 64)
	if m[2] == "" {
		if a > MaxMCCQT/BlockSize {
			return InvoiceBlock{}, fmt.Errorf("%w: invoice block %d: N runs from 0 to %d", ErrBadInvoiceSettings, a, MaxMCCQT/BlockSize)
		}
		return InvoiceBlock{From: a * BlockSize, To: a*BlockSize + BlockSize - 1}, nil
	}
	b, _ := strconv.ParseUint(m[2], 10, 64)
	if a > b {
		return InvoiceBlock{}, fmt.Errorf("%w: invoice block %q: FROM is after TO", ErrBadInvoiceSettings, s)
	}
	return InvoiceBlock{From: a, To: b}, nil
}

// reSymbol is KHHDon of an MTT invoice: C, two year digits, M, two capital
// letters (YY when the seller chose none).
var reSymbol = regexp.MustCompile(`^C[0-9]{2}M[A-Z]{2}$`)

// reCQTCode is the five characters the tax authority issued.
var reCQTCode = regexp.MustCompile(`^[0-9A-Z]{5}$`)

// ValidSymbol tells an MTT invoice symbol: C26MAA.
func ValidSymbol(s string) bool { return reSymbol.MatchString(s) }

// Enabled tells whether invoicing is configured (off until it is).
func (st InvoiceSettings) Enabled() bool { return st.Symbol != "" || st.CQTCode != "" }

// Validate checks complete settings; zero settings (invoicing off) are valid.
func (st InvoiceSettings) Validate() error {
	if !st.Enabled() {
		return nil
	}
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w: %s", ErrBadInvoiceSettings, fmt.Sprintf(format, a...))
	}
	switch {
	case strings.TrimSpace(st.Seller.Name) == "":
		return bad("the seller's legal name is empty (-seller-name)")
	case strings.TrimSpace(st.Seller.Address) == "":
		return bad("the seller's address is empty (-seller-address)")
	case ValidMST(st.Seller.TaxCode) != nil:
		return bad("the seller's tax code (-seller-tax-code): %v", ValidMST(st.Seller.TaxCode))
	case st.TaxMethod != TaxDirect && st.TaxMethod != TaxCredit:
		return bad("tax method %q: want direct or credit", st.TaxMethod)
	case st.Form != FormVAT && st.Form != FormSales:
		return bad("invoice form %d: want 1 (credit method) or 2 (direct method)", st.Form)
	case st.Form != FormOf(st.TaxMethod):
		return bad("invoice form %d does not go with the %s method (form %d)", st.Form, st.TaxMethod, FormOf(st.TaxMethod))
	case !ValidSymbol(st.Symbol):
		return bad("invoice symbol %q: want C, two year digits, M and two capital letters, e.g. C26MAA", st.Symbol)
	case !reCQTCode.MatchString(st.CQTCode):
		return bad("tax authority code %q: want the five characters (digits, capital letters) it issued", st.CQTCode)
	case st.DirectRate < 0 || st.DirectRate > 10_00:
		return bad("direct-method VAT percentage %s: want 0 to 10", st.DirectRate)
	case !st.Block.IsZero() && (st.Block.To > MaxMCCQT || st.Block.From > st.Block.To):
		return bad("invoice block %s: out of the eleven-digit counter", st.Block)
	}
	return nil
}

// InvoiceRef names an invoice (the original an adjustment adjusts).
type InvoiceRef struct {
	Form    int       `json:"form"`
	Symbol  string    `json:"symbol"`
	Number  int64     `json:"number"`
	Issued  time.Time `json:"issued"`
	MCCQT   string    `json:"mccqt"`
	TaxCode string    `json:"tax_code"` // the seller's
}

// InvoiceLine is one line of an invoice. Amount is what the line adds to the
// invoice's total (VAT included), negative for a discount line and on an
// adjustment for a return, so the total is the sum of the lines. For a
// credit-method seller Net and VAT split it (Net + VAT = Amount).
type InvoiceLine struct {
	Kind int    `json:"kind"` // LineGoods, LinePromotion, LineDiscount, LineNote
	No   int    `json:"no"`
	SKU  string `json:"sku,omitempty"`
	Code string `json:"code,omitempty"` // MHHDVu: GTIN or SKU
	Name string `json:"name"`
	Unit string `json:"unit,omitempty"`
	// Weighed tells a line sold by weight: its quantity is kg.
	Weighed bool `json:"weighed,omitempty"`
	// Qty is the quantity in thousandths: units × 1000, or grams of a weighed
	// line (kg with three decimals).
	Qty int64 `json:"qty_milli,omitempty"`
	// Price is the unit price (per kg for a weighed line) as the seller's
	// method shows it: before VAT for credit, VAT included for direct.
	Price   Money `json:"price,omitempty"`
	VATRate int   `json:"vat_rate"`
	Amount  Money `json:"amount"`
	Net     Money `json:"net,omitempty"`
	VAT     Money `json:"vat,omitempty"`
}

// InvoiceVAT is an invoice's sums at one VAT rate.
type InvoiceVAT struct {
	Rate  int   `json:"rate"`
	Net   Money `json:"net"`   // before VAT
	VAT   Money `json:"vat"`   // VAT
	Gross Money `json:"gross"` // with VAT
}

// Invoice is an issued MTT invoice. It lives inside its record and is never
// edited: a return or correction issues an adjustment naming it.
type Invoice struct {
	Kind      string    `json:"kind"`
	Form      int       `json:"form"`
	Symbol    string    `json:"symbol"`
	Number    int64     `json:"number"`
	MCCQT     string    `json:"mccqt"`
	Issued    time.Time `json:"issued"`
	Seller    Party     `json:"seller"`
	Delegate  *Party    `json:"delegate,omitempty"`
	Buyer     *Buyer    `json:"buyer,omitempty"`
	TaxMethod string    `json:"tax_method"`
	// PayMethod is how the record was paid (HTTToan): TM cash, CK transfer
	// or card, TM/CK both ("" nothing paid).
	PayMethod  string        `json:"pay_method,omitempty"`
	Lines      []InvoiceLine `json:"lines"`
	Total      Money         `json:"total"`
	TotalWords string        `json:"total_words"`
	VAT        []InvoiceVAT  `json:"vat"`
	Note       string        `json:"note,omitempty"`
	// Reduced is the đồng the 8 % rules took off (the note's amount).
	Reduced Money       `json:"reduced,omitempty"`
	Adjusts *InvoiceRef `json:"adjusts,omitempty"`
	SaleID  string      `json:"sale_id"`
	KioskID string      `json:"kiosk_id"`
	// State is the delivery state in listings (issued until the hub says
	// otherwise), with the provider's reason for a refusal. Not kept in the
	// record: the store keeps states beside it.
	State       string `json:"state,omitempty"`
	StateReason string `json:"state_reason,omitempty"`
}

// Key is the provider's idempotency key (VNPT's Fkey): the MCCQT without its
// dashes, unique across the seller's kiosks because each has its own block.
func (inv Invoice) Key() string { return strings.ReplaceAll(inv.MCCQT, "-", "") }

// Ref names the invoice.
func (inv Invoice) Ref() InvoiceRef {
	return InvoiceRef{Form: inv.Form, Symbol: inv.Symbol, Number: inv.Number, Issued: inv.Issued, MCCQT: inv.MCCQT, TaxCode: inv.Seller.TaxCode}
}

// InvoiceState is an invoice's delivery state as the hub reports it.
type InvoiceState struct {
	Key    string    `json:"key"`
	State  string    `json:"state"` // issued, delivered, refused
	Reason string    `json:"reason,omitempty"`
	At     time.Time `json:"at"`
}

// InvoiceQuery filters and pages Store.Invoices.
type InvoiceQuery struct {
	Symbol string // only this symbol ("" all)
	Day    Date   // only invoices issued that day in Vietnam time (zero: all)
	Limit  int    // page size (default and at most MaxPage)
	Cursor string // the next cursor of the page before ("" the newest)
}

// InvoiceCounter is how much of the kiosk's block is used.
type InvoiceCounter struct {
	Block InvoiceBlock `json:"block"`
	Next  uint64       `json:"next"` // the next number to issue
	Used  uint64       `json:"used"`
	Left  uint64       `json:"left"`
	// Warn says fewer than 5 % of the block or 10,000 numbers are left.
	Warn bool `json:"warn"`
}

// MCCQT formats the tax authority code of an MTT invoice:
// M{form}-{yy}-{five characters}-{eleven digits}.
func MCCQT(form, year int, cqt string, n uint64) string {
	return fmt.Sprintf("M%d-%02d-%s-%011d", form, year%100, cqt, n)
}

// SymbolFor is symbol with its year digits set to the year of t in Vietnam time.
func SymbolFor(symbol string, t time.Time) string {
	if len(symbol) != 6 {
		return symbol
	}
	return fmt.Sprintf("%c%02d%s", symbol[0], t.In(VietnamTime).Year()%100, symbol[3:])
}
