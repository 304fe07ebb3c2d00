package pos

import (
	"errors"
	"fmt"
	"time"
)

// Errors callers branch on. The kiosk maps each to an HTTP status and a stable code.
var (
	ErrUnknownSKU       = errors.New("unknown sku")
	ErrUnknownLot       = errors.New("unknown lot")
	ErrBadQuantity      = errors.New("bad quantity")
	ErrEmptySale        = errors.New("sale has no lines")
	ErrTooManyLines     = errors.New("too many lines")
	ErrOutOfStock       = errors.New("out of stock")
	ErrBadPayment       = errors.New("bad payment")
	ErrPaymentShort     = errors.New("payments do not cover the total")
	ErrOverpaid         = errors.New("non-cash payments exceed the total")
	ErrTenderedShort    = errors.New("cash tendered is less than the cash due")
	ErrNotFound         = errors.New("not found")
	ErrAlreadyVoided    = errors.New("sale already voided or refunded")
	ErrNotVoidable      = errors.New("only a completed sale can be voided or refunded")
	ErrRefundTooLarge   = errors.New("refund exceeds what was sold")
	ErrIdempotencyReuse = errors.New("idempotency key reused with a different request")
	ErrShiftOpen        = errors.New("a shift is already open")
	ErrNoOpenShift      = errors.New("no open shift")
	ErrShiftClosed      = errors.New("shift already closed")
	ErrBadAmount        = errors.New("bad amount")
	ErrConflict         = errors.New("conflict")
	ErrBadLang          = errors.New("bad language")
)

// Languages a sale may record: the language its till was set to when it
// sold, so that its receipt, printed later from the record, can be in it
// (the kiosk's -receipt-lang till).
const (
	LangVI = "vi"
	LangEN = "en"
)

// ValidLang tells a language a sale may record: vi, en, or none said.
func ValidLang(l string) bool { return l == "" || l == LangVI || l == LangEN }

// MaxQty bounds the quantity of one line; more is a typo or an attack.
const MaxQty = 10_000

// MaxLines bounds the lines of one sale.
const MaxLines = 500

// Payment methods.
const (
	MethodCash    = "cash"
	MethodVietQR  = "vietqr"
	MethodCard    = "card"
	MethodEwallet = "ewallet"
)

// Methods lists the accepted payment methods.
var Methods = []string{MethodCash, MethodVietQR, MethodCard, MethodEwallet}

// Sale kinds and statuses.
const (
	KindSale   = "sale"
	KindVoid   = "void"
	KindRefund = "refund"

	StatusCompleted = "completed"
	StatusVoided    = "voided"
	StatusRefunded  = "refunded" // wholly refunded
	StatusPartial   = "partially_refunded"
)

// LineRequest is one line a till asks for. Any price a client sends is ignored:
// the server prices from its catalog. A product sold by weight takes its grams
// in WeightG instead of a quantity.
type LineRequest struct {
	SKU     string `json:"sku"`
	Qty     int64  `json:"qty,omitempty"`
	WeightG int64  `json:"weight_g,omitempty"`
	Lot     string `json:"lot,omitempty"`
	// Serials are the serials of the lot's units the till scanned (their
	// labels' or stamps' Digital Links): at most Qty, each sold once.
	Serials []string `json:"serials,omitempty"`
	// Discount is the till's manual discount on the line, with its reason.
	Discount       *Discount `json:"discount,omitempty"`
	DiscountReason string    `json:"discount_reason,omitempty"`
}

// PaymentRequest is one payment of a (possibly split) settlement.
type PaymentRequest struct {
	Method    string `json:"method"`
	Amount    Money  `json:"amount"`
	Tendered  Money  `json:"tendered,omitempty"` // cash only: what the customer handed over
	Reference string `json:"reference,omitempty"`
	// Pending marks a transfer not yet seen arriving. A sale refuses it: such
	// money is an order until the staff confirm it (OrderBook).
	Pending bool `json:"pending,omitempty"`
}

// SaleRequest is what a till submits.
type SaleRequest struct {
	Lines    []LineRequest    `json:"lines"`
	Payments []PaymentRequest `json:"payments"`
	Till     string           `json:"till,omitempty"`
	Note     string           `json:"note,omitempty"`
	// Discount is the till's manual discount on the whole sale, spread over
	// its lines (see pricing.go), with its reason.
	Discount       *Discount `json:"discount,omitempty"`
	DiscountReason string    `json:"discount_reason,omitempty"`
	// Approved says the manager approved the request's discounts (the kiosk
	// checked the PIN that came with it). Never read from JSON.
	Approved bool `json:"-"`
	// Lang is the language of the till that sells ("vi", "en"; "" when it
	// does not say), recorded on the sale.
	Lang string `json:"lang,omitempty"`
	// Buyer is the invoice's buyer block, only when the buyer asks for one.
	Buyer *Buyer `json:"buyer,omitempty"`
	// Cashier is who sells: the cashier signed in at the till. The kiosk
	// sets it from the till's session; never read from JSON.
	Cashier *SaleCashier `json:"-"`
}

// Line is a sold line: a snapshot of the product as it was priced.
//
// Total is what the customer pays for it: Gross() (price × qty, or price per
// kg × weight_g / 1000 for a weighed line) less Discount, which is the sum of
// what its promotion, its own manual discount and its share of the sale's
// discount took off. A unit given free by a promotion is a line of its own at
// price 0, Free, naming the promotion, with the catalog price in ListPrice.
// Voids and refunds negate quantities, weights, discounts and totals.
type Line struct {
	SKU        string `json:"sku"`
	GTIN       string `json:"gtin,omitempty"`
	Name       string `json:"name"`
	NameEN     string `json:"name_en,omitempty"`
	Unit       string `json:"unit,omitempty"`
	ProducerID string `json:"producer_id"`
	Lot        string `json:"lot,omitempty"`
	Qty        int64  `json:"qty"`
	// Serials are the scanned serials of the line's units (of its lot); the
	// other units were sold without one (see serials.go).
	Serials []string `json:"serials,omitempty"`
	// WeightG is the weight of a weighed line in grams (its Qty is 1); its
	// Price is per kg.
	WeightG int64 `json:"weight_g,omitempty"`
	Price   Money `json:"price"`
	VATRate int   `json:"vat_rate"`
	// Discount is everything taken off the line; the parts follow.
	Discount          Money  `json:"discount,omitempty"`
	Promotion         string `json:"promotion,omitempty"`
	PromotionDiscount Money  `json:"promotion_discount,omitempty"`
	LineDiscount      Money  `json:"line_discount,omitempty"`
	DiscountReason    string `json:"discount_reason,omitempty"`
	SaleDiscount      Money  `json:"sale_discount,omitempty"`
	Free              bool   `json:"free,omitempty"`
	ListPrice         Money  `json:"list_price,omitempty"`
	Total             Money  `json:"total"`
	VAT               Money  `json:"vat"`
}

// Payment is a settled payment. For cash, Amount is what was applied to the sale,
// Tendered what was handed over and Change what went back.
type Payment struct {
	Method    string `json:"method"`
	Amount    Money  `json:"amount"`
	Tendered  Money  `json:"tendered,omitempty"`
	Change    Money  `json:"change,omitempty"`
	Reference string `json:"reference,omitempty"`
	Pending   bool   `json:"pending,omitempty"`
}

// VATLine is the VAT contained at one rate.
type VATLine struct {
	Rate  int   `json:"rate"`
	Gross Money `json:"gross"`
	VAT   Money `json:"vat"`
}

// Sale is a committed record: a sale, or a void or refund pointing at one. It is
// never edited in place; Status of the original is derived from the records that
// point at it.
type Sale struct {
	ID        string    `json:"id"`
	Kind      string    `json:"kind"`
	KioskID   string    `json:"kiosk_id"`
	Seq       uint64    `json:"seq"`
	ReceiptNo string    `json:"receipt_no"`
	ShiftID   string    `json:"shift_id"`
	Till      string    `json:"till,omitempty"`
	Time      time.Time `json:"time"`
	Lines     []Line    `json:"lines"`
	Total     Money     `json:"total"` // negative for voids and refunds
	// Discount is everything discounts and promotions took off the lines
	// (the sum of the lines' Discount; free units are lines at price 0 and
	// count in Promotions, not here). SaleDiscount is the sale's own manual
	// discount, spread over the lines, with its reason.
	Discount       Money              `json:"discount,omitempty"`
	SaleDiscount   Money              `json:"sale_discount,omitempty"`
	DiscountReason string             `json:"discount_reason,omitempty"`
	Promotions     []AppliedPromotion `json:"promotions,omitempty"`
	VAT            []VATLine          `json:"vat"`
	Payments       []Payment          `json:"payments"`
	Change         Money              `json:"change"`
	Status         string             `json:"status"`
	Original       string             `json:"original,omitempty"` // voids and refunds: the sale they undo
	Reason         string             `json:"reason,omitempty"`
	// Restocked tells of a refund whether its goods went back on the shelf (a
	// void always puts them back), so a store recovering the record from the
	// hub can replay its stock change.
	Restocked bool     `json:"restocked,omitempty"`
	Note      string   `json:"note,omitempty"`
	UndoneBy  []string `json:"undone_by,omitempty"` // voids/refunds recorded against this sale
	// Lang is the language the till that sold was set to ("" when it did
	// not say): with -receipt-lang till the receipt prints in it.
	Lang string `json:"lang,omitempty"`
	// Buyer is the buyer block the buyer asked for (nil: none).
	Buyer *Buyer `json:"buyer,omitempty"`
	// Cashier is who sold (cashier.go), nil when the till had none signed
	// in; a void or refund names the cashier of the sale it undoes.
	Cashier *SaleCashier `json:"cashier,omitempty"`
	// Invoices are the invoices issued with the record, in its own
	// transaction: one per issuing seller (the booth, or a producer that
	// delegated invoicing to it); adjustments on a void or refund. Empty
	// while invoicing is off.
	Invoices []Invoice `json:"invoices,omitempty"`
}

// settle checks the payments against total and works out cash applied, tendered
// and change. Non-cash payments must not exceed the total; cash covers the rest
// and any excess cash is change.
func settle(total Money, reqs []PaymentRequest) ([]Payment, Money, error) {
	if len(reqs) == 0 && total == 0 {
		return []Payment{}, 0, nil // everything given away (a 100 % discount): nothing to pay
	}
	if len(reqs) == 0 {
		return nil, 0, fmt.Errorf("%w: no payments", ErrBadPayment)
	}
	if len(reqs) > 8 {
		return nil, 0, fmt.Errorf("%w: %d payments, at most 8", ErrBadPayment, len(reqs))
	}
	var nonCash, cash, tendered Money
	var err error
	cashIdx := -1
	for i, r := range reqs {
		if r.Amount <= 0 || r.Amount > MaxSaleTotal || r.Tendered < 0 || r.Tendered > MaxSaleTotal {
			return nil, 0, fmt.Errorf("%w: payment %d amount %d", ErrBadPayment, i+1, r.Amount)
		}
		if r.Pending {
			// Money nobody has seen arrive is not a sale: it is an order,
			// confirmed when the transfer is in (OrderBook.Confirm).
			return nil, 0, fmt.Errorf("%w: payment %d: a transfer not yet seen arriving makes an order, not a sale (POST /api/v1/orders, then confirm it)", ErrBadPayment, i+1)
		}
		if len(r.Reference) > 64 {
			return nil, 0, fmt.Errorf("%w: payment %d reference longer than 64 characters", ErrBadPayment, i+1)
		}
		switch r.Method {
		case MethodCash:
			if cashIdx >= 0 {
				return nil, 0, fmt.Errorf("%w: more than one cash payment", ErrBadPayment)
			}
			cashIdx = i
			cash = r.Amount
			tendered = r.Tendered
		case MethodVietQR, MethodCard, MethodEwallet:
			if r.Tendered != 0 {
				return nil, 0, fmt.Errorf("%w: payment %d: only cash has a tendered amount", ErrBadPayment, i+1)
			}
			if nonCash, err = addMoney(nonCash, r.Amount); err != nil {
				return nil, 0, fmt.Errorf("%w: payments: %v", ErrBadPayment, err)
			}
		default:
			return nil, 0, fmt.Errorf("%w: payment %d method %q, want cash, vietqr, card or ewallet", ErrBadPayment, i+1, r.Method)
		}
	}
	if nonCash > total {
		return nil, 0, fmt.Errorf("%w: %s by card/transfer for a total of %s", ErrOverpaid, nonCash, total)
	}
	due := total - nonCash // cash due
	if cashIdx < 0 {
		if due > 0 {
			return nil, 0, fmt.Errorf("%w: paid %s of %s", ErrPaymentShort, nonCash, total)
		}
	} else {
		// A till may send the cash handed over as amount, as tendered, or both.
		if tendered == 0 {
			tendered = cash
		}
		if tendered < cash {
			return nil, 0, fmt.Errorf("%w: tendered %s but cash amount %s", ErrTenderedShort, tendered, cash)
		}
		if cash < due {
			return nil, 0, fmt.Errorf("%w: paid %s of %s", ErrPaymentShort, cash+nonCash, total)
		}
		if tendered < due {
			return nil, 0, fmt.Errorf("%w: tendered %s, cash due %s", ErrTenderedShort, tendered, due)
		}
		if due == 0 {
			return nil, 0, fmt.Errorf("%w: cash payment on a sale already covered", ErrBadPayment)
		}
	}
	out := make([]Payment, 0, len(reqs))
	var change Money
	for _, r := range reqs {
		p := Payment{Method: r.Method, Amount: r.Amount, Reference: r.Reference, Pending: r.Pending}
		if r.Method == MethodCash {
			p.Amount = due
			p.Tendered = tendered
			p.Change = tendered - due
			change = p.Change
		}
		out = append(out, p)
	}
	return out, change, nil
}
