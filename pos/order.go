package pos

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"sort"
	"strings"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
)

// An order is what a tourist's self-service checkout makes: the goods priced
// and their stock held back, waiting for the staff to see the transfer arrive
// (or to take cash or card at the till). Until then it is not a sale: no
// receipt number, no shift, nothing in the X/Z reports or on the hub.

// Order states.
const (
	OrderOpen      = "open"      // waiting for its money; its stock is held
	OrderPaid      = "paid"      // confirmed: it is now the sale SaleID
	OrderCancelled = "cancelled" // the staff (or the tourist) let it go; stock back
	OrderExpired   = "expired"   // nobody confirmed it in time; stock back
)

// Errors of orders. The kiosk maps each to a status and a stable code.
var (
	ErrOrderPaid      = errors.New("order already paid")
	ErrOrderCancelled = errors.New("order cancelled")
	ErrOrderExpired   = errors.New("order expired")
	ErrTooManyOrders  = errors.New("too many open orders on this till")
)

// Order storage: the orders themselves, the pickup codes of the open ones, and
// the idempotency keys of the checkouts that made them.
var (
	bOrders     = []byte("orders")            // id → Order
	bOrderCodes = []byte("order_codes")       // pickup code → id, open orders only
	bOrderIdem  = []byte("order_idempotency") // key → orderIdem
)

// OrderCodeAlphabet is what pickup codes are made of: capitals and digits a
// tourist can read out and a vendor can type without a second look — no 0/O,
// 1/I/L, 2/Z, 5/S, 8/B, 6/G, U/V, Q.
const OrderCodeAlphabet = "ACDEFHJKMNPRTWXY34679"

// OrderCodeLen is the length of a pickup code: 21⁵ ≈ 4 million codes, so a
// code met again weeks later is unlikely, and a clash among open orders is
// drawn again.
const OrderCodeLen = 5

// DefaultOrderTTL is how long an order holds its stock when the kiosk sets no
// other time.
const DefaultOrderTTL = 15 * time.Minute

// MaxOpenOrdersPerTill bounds the orders one self-service screen may leave
// open, so that a game of tapping "pay" cannot hold back the whole shop.
const MaxOpenOrdersPerTill = 20

// OrderRequest is what a self-service screen (or a till) asks for.
type OrderRequest struct {
	Lines []LineRequest `json:"lines"`
	Till  string        `json:"till,omitempty"`
	// Lang is the language of the screen the order was made on ("vi", "en",
	// "" unsaid): the sale it becomes records it, so a tourist who ordered in
	// English gets an English receipt where the kiosk prints in each
	// screen's language.
	Lang string `json:"lang,omitempty"`
	// Buyer is the invoice's buyer block when the buyer asks for one
	// (optional on self-service); the sale the order becomes carries it.
	Buyer *Buyer `json:"buyer,omitempty"`
}

// Order is a priced basket whose stock is held until it is paid, cancelled or
// expires. Its lines keep the prices of the moment it was made: the tourist
// transfers exactly Total.
type Order struct {
	ID string `json:"id"`
	// Code is the pickup code the tourist shows at the till; unique among
	// open orders.
	Code string `json:"code"`
	// Reference goes in the VietQR transfer (tag 62/08) and, once paid, on the
	// sale's VietQR payment and its receipt: "K01 7KP3M".
	Reference string `json:"reference"`
	KioskID   string `json:"kiosk_id"`
	Till      string `json:"till,omitempty"` // where it was made
	Lang      string `json:"lang,omitempty"` // the language of the screen it was made on
	Lines     []Line `json:"lines"`
	Total     Money  `json:"total"`
	// Discount and Promotions are what the promotions valid when the order
	// was made took off (an order takes no manual discount).
	Discount   Money              `json:"discount,omitempty"`
	Promotions []AppliedPromotion `json:"promotions,omitempty"`
	VAT        []VATLine          `json:"vat"`
	Created    time.Time          `json:"created"`
	Expires    time.Time          `json:"expires"` // on the wall clock; see OrderBook for how time is kept
	State      string             `json:"state"`
	// Closed, ClosedBy and Reason say when, by which till, and why it stopped
	// being open; SaleID and ReceiptNo name the sale a paid order became.
	Closed         *time.Time `json:"closed,omitempty"`
	ClosedBy       string     `json:"closed_by,omitempty"`
	Reason         string     `json:"reason,omitempty"`
	SaleID         string     `json:"sale_id,omitempty"`
	ReceiptNo      string     `json:"receipt_no,omitempty"`
	IdempotencyKey string     `json:"idempotency_key,omitempty"`
	// Buyer is the buyer block asked for with the order.
	Buyer *Buyer `json:"buyer,omitempty"`
}

type orderIdem struct {
	Hash    []byte `json:"hash"`
	OrderID string `json:"order_id"`
}

// OrderReference is the VietQR reference of an order: the kiosk id and the
// pickup code, at most 18 ASCII letters, digits and a space.
func OrderReference(kioskID, code string) string { return kioskID + " " + code }

// NormalizeOrderCode reads a pickup code as typed or scanned ("7kp 3m",
// "7KP-3M") and reports whether it can be one.
func NormalizeOrderCode(s string) (string, bool) {
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		switch {
		case r == ' ' || r == '-':
		case strings.ContainsRune(OrderCodeAlphabet, r):
			b.WriteRune(r)
		default:
			return "", false
		}
	}
	return b.String(), b.Len() == OrderCodeLen
}

func newOrderCode() (string, error) {
	var b strings.Builder
	size := big.NewInt(int64(len(OrderCodeAlphabet)))
	for range OrderCodeLen {
		n, err := rand.Int(rand.Reader, size)
		if err != nil {
			return "", err
		}
		b.WriteByte(OrderCodeAlphabet[n.Int64()])
	}
	return b.String(), nil
}

// OrderOptions configures an OrderBook.
type OrderOptions struct {
	TTL time.Duration // how long an order holds its stock; default DefaultOrderTTL
	// Elapsed is a stopwatch that only runs forward. Default: the monotonic
	// clock, which a vendor setting the date or NTP catching up after days
	// offline does not move. Tests pass their own.
	Elapsed func() time.Duration
}

// OrderBook keeps the orders of a store and decides when they expire.
//
// Expiry is measured on Elapsed, not on the wall clock: when the kiosk's clock
// jumps (a vendor fixes the date, the time server is reached after days), an
// order still has the minutes it had, instead of every order expiring, or none,
// at once. The wall-clock Expires is kept for people and for restarts: after a
// restart an order gets what is left of it by the wall clock, never more than
// its full time.
type OrderBook struct {
	s       *Store
	ttl     time.Duration
	elapsed func() time.Duration

	// The wall clock and the stopwatch when the book was made: orders found
	// open in the store get what was left of them at that moment.
	startWall time.Time
	startEl   time.Duration

	mu     sync.Mutex
	loaded bool
	due    map[string]time.Duration // open order id → Elapsed reading when it expires
}

// NewOrderBook returns the order book of s. One kiosk has one.
func NewOrderBook(s *Store, o OrderOptions) *OrderBook {
	if o.TTL <= 0 {
		o.TTL = DefaultOrderTTL
	}
	if o.Elapsed == nil {
		start := time.Now()
		o.Elapsed = func() time.Duration { return time.Since(start) }
	}
	return &OrderBook{s: s, ttl: o.TTL, elapsed: o.Elapsed, startWall: s.now(), startEl: o.Elapsed(), due: map[string]time.Duration{}}
}

// TTL is how long a new order holds its stock.
func (b *OrderBook) TTL() time.Duration { return b.ttl }

// load starts the stopwatch of every order open in the store (once).
func (b *OrderBook) load() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.loaded {
		return nil
	}
	open, err := b.list(OrderOpen, 0)
	if err != nil {
		return err
	}
	for _, o := range open {
		left := min(max(o.Expires.Sub(b.startWall), 0), o.Expires.Sub(o.Created))
		b.due[o.ID] = b.startEl + max(left, 0)
	}
	b.loaded = true
	return nil
}

// isDue reports whether an open order's time is up.
func (b *OrderBook) isDue(o Order) bool {
	b.mu.Lock()
	d, ok := b.due[o.ID]
	b.mu.Unlock()
	if !ok { // made by another book or not yet counted: the wall clock decides
		return !b.s.now().Before(o.Expires)
	}
	return b.elapsed() >= d
}

// Remaining is the time an open order has left (0 for a closed one).
func (b *OrderBook) Remaining(o Order) time.Duration {
	if o.State != OrderOpen {
		return 0
	}
	_ = b.load() // without it, the wall clock answers
	b.mu.Lock()
	d, ok := b.due[o.ID]
	b.mu.Unlock()
	if !ok {
		return max(o.Expires.Sub(b.s.now()), 0)
	}
	return max(d-b.elapsed(), 0)
}

func (b *OrderBook) forget(ids ...string) {
	b.mu.Lock()
	for _, id := range ids {
		delete(b.due, id)
	}
	b.mu.Unlock()
}

// Create prices req from the catalog and holds its stock in one transaction.
// With a non-empty idemKey, a request already made under that key returns the
// first order (replayed true).
func (b *OrderBook) Create(req OrderRequest, idemKey string) (o Order, replayed bool, err error) {
	if len(idemKey) > MaxIdempotencyKey {
		return Order{}, false, fmt.Errorf("%w: idempotency key longer than %d", ErrBadPayment, MaxIdempotencyKey)
	}
	if len(req.Till) > 32 {
		return Order{}, false, fmt.Errorf("%w: till id longer than 32", ErrBadPayment)
	}
	if !ValidLang(req.Lang) {
		return Order{}, false, fmt.Errorf("%w: lang %q: vi or en", ErrBadLang, req.Lang)
	}
	if req.Buyer != nil {
		if err := req.Buyer.Validate(); err != nil {
			return Order{}, false, err
		}
	}
	if err := b.load(); err != nil {
		return Order{}, false, err
	}
	hash := requestHash(idemKey, req)
	s := b.s
	err = s.commit(func(tx *bolt.Tx) error {
		o, replayed = Order{}, false
		if id, err := replayOf(tx.Bucket(bOrderIdem), idemKey, hash); err != nil || id != "" {
			if err == nil {
				_, err = getJSON(tx.Bucket(bOrders), []byte(id), &o)
				replayed = err == nil
			}
			return err
		}
		now := s.now()
		pr, err := s.priceIn(tx, Cart{Lines: req.Lines}, now, true)
		if err != nil {
			return err
		}
		need := map[string]int64{}
		for _, l := range pr.Lines {
			need[l.SKU] += l.Units()
		}
		for sku, q := range need {
			if have := getStock(tx, sku); have < q {
				return fmt.Errorf("%w: %s has %d, the order needs %d", ErrOutOfStock, sku, have, q)
			}
		}
		codes := tx.Bucket(bOrderCodes)
		openHere := 0
		err = codes.ForEach(func(_, id []byte) error {
			var other Order
			if _, err := getJSON(tx.Bucket(bOrders), id, &other); err != nil {
				return err
			}
			if other.Till == req.Till {
				openHere++
			}
			return nil
		})
		if err != nil {
			return err
		}
		if openHere >= MaxOpenOrdersPerTill {
			return fmt.Errorf("%w: %d orders of %q are waiting; confirm or cancel some", ErrTooManyOrders, openHere, req.Till)
		}
		code := ""
		for range 50 {
			c, err := newOrderCode()
			if err != nil {
				return err
			}
			if codes.Get([]byte(c)) == nil {
				code = c
				break
			}
		}
		if code == "" {
			return fmt.Errorf("%w: no free pickup code", ErrTooManyOrders)
		}
		o = Order{ID: NewID(now), Code: code, Reference: OrderReference(s.kioskID, code), KioskID: s.kioskID,
			Till: req.Till, Lang: req.Lang, Lines: pr.Lines, Total: pr.Total, Discount: pr.Discount, Promotions: pr.Promotions,
			VAT: pr.VAT, Created: now, Expires: now.Add(b.ttl),
			State: OrderOpen, IdempotencyKey: idemKey, Buyer: req.Buyer}
		// Everything checked: hold the stock and write.
		for sku, q := range need {
			if err := putStock(tx, sku, getStock(tx, sku)-q); err != nil {
				return err
			}
		}
		if err := putJSON(tx.Bucket(bOrders), []byte(o.ID), o); err != nil {
			return err
		}
		if err := codes.Put([]byte(code), []byte(o.ID)); err != nil {
			return abortTx{err}
		}
		if idemKey != "" {
			return putJSON(tx.Bucket(bOrderIdem), []byte(idemKey), orderIdem{Hash: hash, OrderID: o.ID})
		}
		return nil
	})
	if err == nil && !replayed {
		b.mu.Lock()
		b.due[o.ID] = b.elapsed() + b.ttl
		b.mu.Unlock()
	}
	return o, replayed, err
}

// txProduct looks products up in a transaction, for PriceCart.
func txProduct(tx *bolt.Tx) func(sku string) (*Product, error) {
	return func(sku string) (*Product, error) {
		var p Product
		ok, err := getJSON(tx.Bucket(bProducts), []byte(sku), &p)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, fmt.Errorf("%w: %q", ErrUnknownSKU, sku)
		}
		return &p, nil
	}
}

// openOrder reads an order that must still be open.
func openOrder(tx *bolt.Tx, id string) (Order, error) {
	var o Order
	ok, err := getJSON(tx.Bucket(bOrders), []byte(id), &o)
	if err != nil {
		return o, fmt.Errorf("order %s: %w", id, err)
	}
	if !ok {
		return o, fmt.Errorf("%w: order %q", ErrNotFound, id)
	}
	switch o.State {
	case OrderPaid:
		return o, fmt.Errorf("%w: order %s is sale %s", ErrOrderPaid, o.Code, o.ReceiptNo)
	case OrderCancelled:
		return o, fmt.Errorf("%w: order %s", ErrOrderCancelled, o.Code)
	case OrderExpired:
		return o, fmt.Errorf("%w: order %s", ErrOrderExpired, o.Code)
	}
	return o, nil
}

// closeOrder marks o closed in state and frees its pickup code; the caller has
// checked everything.
func closeOrder(tx *bolt.Tx, o *Order, state, by, reason string, at time.Time) error {
	o.State, o.ClosedBy, o.Reason = state, by, reason
	o.Closed = &at
	if err := putJSON(tx.Bucket(bOrders), []byte(o.ID), o); err != nil {
		return err
	}
	if err := tx.Bucket(bOrderCodes).Delete([]byte(o.Code)); err != nil {
		return abortTx{err}
	}
	return nil
}

// releaseStock puts an order's held stock back on the shelf.
func releaseStock(tx *bolt.Tx, lines []Line) error {
	for _, l := range lines {
		if tx.Bucket(bProducts).Get([]byte(l.SKU)) == nil {
			continue // product since removed from the catalog
		}
		if err := putStock(tx, l.SKU, getStock(tx, l.SKU)+l.Units()); err != nil {
			return err
		}
	}
	return nil
}

// Confirm turns an open order into a completed sale paid with pays, in one
// transaction that consumes the held stock, commits the sale with its receipt
// print job and outbox record, and closes the order. A VietQR payment carries
// the order's reference. till is where the money was taken ("" keeps the
// order's own till), cashier who took it (nil: none signed in). An order
// whose time is up cannot be confirmed: its stock is about to go back, and
// the staff ring the goods up as a new sale.
func (b *OrderBook) Confirm(id string, pays []PaymentRequest, till string, cashier *SaleCashier) (Order, Sale, error) {
	if len(till) > 32 {
		return Order{}, Sale{}, fmt.Errorf("%w: till id longer than 32", ErrBadPayment)
	}
	if err := b.load(); err != nil {
		return Order{}, Sale{}, err
	}
	s := b.s
	var o Order
	var sale Sale
	err := s.commit(func(tx *bolt.Tx) error {
		var err error
		if o, err = openOrder(tx, id); err != nil {
			return err
		}
		if b.isDue(o) {
			return fmt.Errorf("%w: order %s ran out of time at %s", ErrOrderExpired, o.Code, o.Expires.In(VietnamTime).Format("15:04"))
		}
		reqs := make([]PaymentRequest, len(pays))
		for i, p := range pays {
			if p.Method == MethodVietQR {
				p.Reference = o.Reference // the words the customer's bank sent
			}
			reqs[i] = p
		}
		paid, change, err := settle(o.Total, reqs)
		if err != nil {
			return err
		}
		now := s.now()
		shiftID, err := s.ensureShift(tx, now)
		if err != nil {
			return err
		}
		if till == "" {
			till = o.Till
		}
		sale = Sale{ID: NewID(now), Kind: KindSale, KioskID: s.kioskID, ShiftID: shiftID, Till: till, Time: now,
			Lines: o.Lines, Total: o.Total, Discount: o.Discount, Promotions: o.Promotions, VAT: o.VAT,
			Payments: paid, Change: change, Status: StatusCompleted, Note: "order " + o.Code, Lang: o.Lang, Buyer: o.Buyer,
			Cashier: cashier}
		if err := s.writeRecord(tx, &sale); err != nil {
			return err
		}
		o.SaleID, o.ReceiptNo = sale.ID, sale.ReceiptNo
		return closeOrder(tx, &o, OrderPaid, till, "", now)
	})
	if err != nil {
		return o, Sale{}, err
	}
	b.forget(o.ID)
	return o, sale, nil
}

// Cancel lets an open order go and puts its stock back. by names the till or
// screen that cancelled it.
func (b *OrderBook) Cancel(id, by, reason string) (Order, error) {
	if len(reason) > 500 {
		reason = reason[:500]
	}
	if err := b.load(); err != nil {
		return Order{}, err
	}
	var o Order
	err := b.s.commit(func(tx *bolt.Tx) error {
		var err error
		if o, err = openOrder(tx, id); err != nil {
			return err
		}
		if err := releaseStock(tx, o.Lines); err != nil {
			return err
		}
		return closeOrder(tx, &o, OrderCancelled, by, reason, b.s.now())
	})
	if err != nil {
		return o, err
	}
	b.forget(o.ID)
	return o, nil
}

// Expire closes every open order whose time is up and puts its stock back, in
// one transaction, and returns them.
func (b *OrderBook) Expire() ([]Order, error) {
	if err := b.load(); err != nil {
		return nil, err
	}
	b.mu.Lock()
	el := b.elapsed()
	var ids []string
	for id, d := range b.due {
		if el >= d {
			ids = append(ids, id)
		}
	}
	b.mu.Unlock()
	if len(ids) == 0 {
		return nil, nil
	}
	sort.Strings(ids) // oldest first: ids are time-ordered
	var out []Order
	err := b.s.commit(func(tx *bolt.Tx) error {
		out = out[:0]
		now := b.s.now()
		for _, id := range ids {
			o, err := openOrder(tx, id)
			if err != nil {
				continue // confirmed or cancelled meanwhile
			}
			if err := releaseStock(tx, o.Lines); err != nil {
				return err
			}
			if err := closeOrder(tx, &o, OrderExpired, "", "", now); err != nil {
				return err
			}
			out = append(out, o)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	b.forget(ids...)
	return out, nil
}

// Order finds an order by its id, or by its pickup code: the open order with
// that code, else the latest one that had it.
func (b *OrderBook) Order(idOrCode string) (Order, error) {
	var o Order
	err := b.s.db.View(func(tx *bolt.Tx) error {
		if ValidID(idOrCode) {
			ok, err := getJSON(tx.Bucket(bOrders), []byte(idOrCode), &o)
			if err == nil && !ok {
				err = fmt.Errorf("%w: order %q", ErrNotFound, idOrCode)
			}
			return err
		}
		code, ok := NormalizeOrderCode(idOrCode)
		if !ok {
			return fmt.Errorf("%w: order %q (an order id or a %d-character pickup code)", ErrNotFound, idOrCode, OrderCodeLen)
		}
		if id := tx.Bucket(bOrderCodes).Get([]byte(code)); id != nil {
			_, err := getJSON(tx.Bucket(bOrders), id, &o)
			return err
		}
		c := tx.Bucket(bOrders).Cursor()
		for k, v := c.Last(); k != nil; k, v = c.Prev() {
			var x Order
			if err := json.Unmarshal(v, &x); err != nil {
				return fmt.Errorf("order %s: %w", k, err)
			}
			if x.Code == code {
				o = x
				return nil
			}
		}
		return fmt.Errorf("%w: no order with code %s", ErrNotFound, code)
	})
	return o, err
}

// Orders lists orders in state ("" for every state), newest first, at most
// limit (0: all).
func (b *OrderBook) Orders(state string, limit int) ([]Order, error) {
	return b.list(state, limit)
}

func (b *OrderBook) list(state string, limit int) ([]Order, error) {
	out := []Order{}
	err := b.s.db.View(func(tx *bolt.Tx) error {
		if state == OrderOpen { // the code index holds exactly the open ones
			return tx.Bucket(bOrderCodes).ForEach(func(_, id []byte) error {
				var o Order
				if _, err := getJSON(tx.Bucket(bOrders), id, &o); err != nil {
					return err
				}
				out = append(out, o)
				return nil
			})
		}
		c := tx.Bucket(bOrders).Cursor()
		for k, v := c.Last(); k != nil && (limit <= 0 || len(out) < limit); k, v = c.Prev() {
			var o Order
			if err := json.Unmarshal(v, &o); err != nil {
				return fmt.Errorf("order %s: %w", k, err)
			}
			if state == "" || o.State == state {
				out = append(out, o)
			}
		}
		return nil
	})
	if state == OrderOpen {
		sort.Slice(out, func(i, j int) bool { return out[i].ID > out[j].ID })
		if limit > 0 && len(out) > limit {
			out = out[:limit]
		}
	}
	return out, err
}

// ByKey returns the order a checkout made under an idempotency key, or
// ErrNotFound.
func (b *OrderBook) ByKey(key string) (Order, error) {
	var o Order
	err := b.s.db.View(func(tx *bolt.Tx) error {
		var rec orderIdem
		ok, err := getJSON(tx.Bucket(bOrderIdem), []byte(key), &rec)
		if err != nil {
			return fmt.Errorf("order idempotency key %q: %w", key, err)
		}
		if !ok {
			return fmt.Errorf("%w: no order under idempotency key %q", ErrNotFound, key)
		}
		_, err = getJSON(tx.Bucket(bOrders), []byte(rec.OrderID), &o)
		return err
	})
	return o, err
}

// TrimOrders forgets closed orders (paid, cancelled, expired) beyond the newest
// keep of them, with their idempotency keys, so the order book does not grow over
// a long fair; open orders are never touched. A paid order's sale stays in the
// sales records. It returns how many orders went.
func (s *Store) TrimOrders(keep int) (int, error) {
	removed := 0
	err := s.commit(func(tx *bolt.Tx) error {
		removed = 0
		orders, codes := tx.Bucket(bOrders), tx.Bucket(bOrderCodes)
		open := map[string]bool{}
		if err := codes.ForEach(func(_, id []byte) error { open[string(id)] = true; return nil }); err != nil {
			return err
		}
		var old [][]byte
		closed := 0
		c := orders.Cursor()
		for k, _ := c.Last(); k != nil; k, _ = c.Prev() {
			if open[string(k)] {
				continue
			}
			if closed++; closed > keep {
				old = append(old, bytes.Clone(k))
			}
		}
		if len(old) == 0 {
			return nil
		}
		gone := map[string]bool{}
		for _, k := range old {
			gone[string(k)] = true
			if err := orders.Delete(k); err != nil {
				return abortTx{err}
			}
		}
		idem := tx.Bucket(bOrderIdem)
		var keys [][]byte
		err := idem.ForEach(func(k, v []byte) error {
			var r orderIdem
			if json.Unmarshal(v, &r) != nil || gone[r.OrderID] {
				keys = append(keys, bytes.Clone(k))
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, k := range keys {
			if err := idem.Delete(k); err != nil {
				return abortTx{err}
			}
		}
		removed = len(old)
		return nil
	})
	return removed, err
}
