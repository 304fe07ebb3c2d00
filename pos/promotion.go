package pos

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"
)

// A promotion is a price a booth runs for a while: a percentage or an amount
// off a product, a producer's products or an OCOP group, "buy X get Y free"
// ("mua 2 tặng 1"), or a bundle price (3 jars for 300.000 ₫). Each has a
// validity window in Vietnam time and says who bears it in settlement: the
// producer (it comes off what the producer is paid) or the booth. PriceCart
// applies them; the rules are in pricing.go.

// Promotion kinds.
const (
	PromoPercent = "percent" // Percent off each line
	PromoAmount  = "amount"  // Amount off each unit (each kg of weighed goods)
	PromoBuyGet  = "buy_get" // for every Buy units bought, Get more free
	PromoBundle  = "bundle"  // BundleQty units for BundlePrice
)

// What a promotion applies to.
const (
	ScopeSKU      = "sku"
	ScopeProducer = "producer"
	ScopeGroup    = "group"
)

// Who bears a promotion in settlement.
const (
	BearerProducer = "producer"
	BearerBooth    = "booth"
)

// Errors of promotions. The kiosk maps each to a status and a stable code.
var (
	ErrBadPromotion     = errors.New("bad promotion")
	ErrPromotionExists  = errors.New("promotion already exists")
	ErrPromotionChanged = errors.New("promotion changed since it was read")
	// ErrPromotionFromHub refuses a kiosk's change to a promotion the hub
	// sent: the hub's copy would undo it at the next sync, so it is changed
	// or ended on the hub.
	ErrPromotionFromHub = errors.New("promotion is the hub's")
)

// OriginHub marks a promotion that came from the hub (Promotion.Origin); a
// kiosk's own promotions have no origin.
const OriginHub = "hub"

// MaxPromotions bounds the promotions a kiosk keeps (deleted ones aside).
const MaxPromotions = 2000

var bPromotions = []byte("promotions") // id → Promotion; the bucket's sequence versions them

// Promotion is one promotion. Version is the store's promotion sequence at
// its last change: every change gets a higher one, so a copy (a screen, the
// hub) can tell which is newer, and an edit can say which version it changes.
type Promotion struct {
	ID          string  `json:"id"`
	Name        string  `json:"name"`
	NameEN      string  `json:"name_en,omitempty"`
	Kind        string  `json:"kind"`
	Scope       string  `json:"scope"`
	Target      string  `json:"target"`
	Percent     Percent `json:"percent,omitempty"`
	Amount      Money   `json:"amount,omitempty"`
	Buy         int64   `json:"buy,omitempty"`
	Get         int64   `json:"get,omitempty"`
	BundleQty   int64   `json:"bundle_qty,omitempty"`
	BundlePrice Money   `json:"bundle_price,omitempty"`
	// From and To are the first and last day (Vietnam time) it runs, either
	// open; Hours, "08:00-21:00", the time of day (Vietnam time, the end not
	// included; an end before the start runs past midnight), empty for all
	// day.
	From    Date      `json:"from,omitzero"`
	To      Date      `json:"to,omitzero"`
	Hours   string    `json:"hours,omitempty"`
	Bearer  string    `json:"bearer"`
	Version uint64    `json:"version"`
	Updated time.Time `json:"updated"`
	Deleted bool      `json:"deleted,omitempty"`
	// Origin is OriginHub for a promotion the hub runs on every kiosk,
	// empty for the kiosk's own. Only the hub's sync sets it.
	Origin string `json:"origin,omitempty"`
}

// AppliedPromotion is a promotion as a priced cart or a sale names it: what
// it saved the customer (the value of free units included) on how many lines.
type AppliedPromotion struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	NameEN string `json:"name_en,omitempty"`
	Kind   string `json:"kind"`
	Bearer string `json:"bearer"`
	Lines  int    `json:"lines"`
	Saved  Money  `json:"saved"`
}

var reHours = regexp.MustCompile(`^([01][0-9]|2[0-3]):([0-5][0-9])-([01][0-9]|2[0-3]):([0-5][0-9])$`)

// hoursOf reads "HH:MM-HH:MM" as minutes of the day; ok is false for no hours.
func hoursOf(s string) (from, to int, ok bool) {
	m := reHours.FindStringSubmatch(s)
	if m == nil {
		return 0, 0, false
	}
	n := func(s string) int { return int(s[0]-'0')*10 + int(s[1]-'0') }
	return n(m[1])*60 + n(m[2]), n(m[3])*60 + n(m[4]), true
}

func promoErr(p *Promotion, format string, a ...any) error {
	id := p.ID
	if id == "" {
		id = "new promotion"
	}
	return fmt.Errorf("%w: %s: %s", ErrBadPromotion, id, fmt.Sprintf(format, a...))
}

// Validate checks a promotion's fields, leaving its id, version and time to the
// store.
func (p *Promotion) Validate() error {
	p.Name, p.NameEN = strings.TrimSpace(p.Name), strings.TrimSpace(p.NameEN)
	p.Target, p.Hours = strings.TrimSpace(p.Target), strings.TrimSpace(p.Hours)
	switch {
	case p.ID != "" && !reSKU.MatchString(p.ID):
		return fmt.Errorf("%w: id %q: want 1–40 letters, digits, '.', '_' or '-'", ErrBadPromotion, p.ID)
	case p.Name == "" || len(p.Name) > 120 || len(p.NameEN) > 120:
		return promoErr(p, "name: 1 to 120 bytes (name_en at most 120)")
	case p.Target == "" || len(p.Target) > 40:
		return promoErr(p, "target: the SKU, producer id or group it applies to")
	case p.Bearer != BearerProducer && p.Bearer != BearerBooth:
		return promoErr(p, "bearer %q: producer or booth (who it comes off in settlement)", p.Bearer)
	case !p.From.IsZero() && !p.To.IsZero() && p.To.Time().Before(p.From.Time()):
		return promoErr(p, "to %s is before from %s", p.To, p.From)
	}
	switch p.Scope {
	case ScopeSKU, ScopeProducer:
	case ScopeGroup:
		if !Group(p.Target).Valid() {
			return promoErr(p, "group %q: want food, beverage, herbal, handicraft, flower or tourism", p.Target)
		}
	default:
		return promoErr(p, "scope %q: sku, producer or group", p.Scope)
	}
	if p.Hours != "" {
		from, to, ok := hoursOf(p.Hours)
		if !ok || from == to {
			return promoErr(p, "hours %q: want HH:MM-HH:MM (Vietnam time), start and end apart", p.Hours)
		}
	}
	// A field of another kind is a mistake, not something to ignore: a
	// "percent" on a bundle would be read as meant.
	other := func(set bool, field string) error {
		if set {
			return promoErr(p, "%s does not belong to a %s promotion", field, p.Kind)
		}
		return nil
	}
	var errs []error
	switch p.Kind {
	case PromoPercent:
		if p.Percent <= 0 || p.Percent > Whole {
			return promoErr(p, "percent: more than 0, at most 100, at most two decimals")
		}
		errs = append(errs, other(p.Amount != 0, "amount"), other(p.Buy != 0 || p.Get != 0, "buy/get"), other(p.BundleQty != 0 || p.BundlePrice != 0, "bundle"))
	case PromoAmount:
		if p.Amount <= 0 || p.Amount > MaxPrice {
			return promoErr(p, "amount: đồng off each unit (each kg), 1 to %d", MaxPrice)
		}
		errs = append(errs, other(p.Percent != 0, "percent"), other(p.Buy != 0 || p.Get != 0, "buy/get"), other(p.BundleQty != 0 || p.BundlePrice != 0, "bundle"))
	case PromoBuyGet:
		if p.Buy < 1 || p.Buy > 1000 || p.Get < 1 || p.Get > 1000 {
			return promoErr(p, "buy and get: 1 to 1000 units each")
		}
		errs = append(errs, other(p.Percent != 0, "percent"), other(p.Amount != 0, "amount"), other(p.BundleQty != 0 || p.BundlePrice != 0, "bundle"))
	case PromoBundle:
		if p.BundleQty < 2 || p.BundleQty > 1000 || p.BundlePrice <= 0 || p.BundlePrice > MaxPrice*Money(p.BundleQty) {
			return promoErr(p, "bundle_qty 2 to 1000 units for bundle_price đồng")
		}
		errs = append(errs, other(p.Percent != 0, "percent"), other(p.Amount != 0, "amount"), other(p.Buy != 0 || p.Get != 0, "buy/get"))
	default:
		return promoErr(p, "kind %q: percent, amount, buy_get or bundle", p.Kind)
	}
	return errors.Join(errs...)
}

// ---- applying promotions ----

// PromotionSet is the promotions of a store indexed for pricing: by SKU, by
// producer and by group, each list in id order. It is immutable.
type PromotionSet struct {
	Version    uint64
	byID       map[string]*compiledPromo
	bySKU      map[string][]*compiledPromo
	byProducer map[string][]*compiledPromo
	byGroup    map[string][]*compiledPromo
}

type compiledPromo struct {
	*Promotion
	from, to   int // yyyymmdd, 0 open
	hFrom, hTo int // minutes of the day
	hours      bool
	active     bool // not deleted
}

// NewPromotionSet indexes promotions (deleted ones are kept for their names
// but never apply).
func NewPromotionSet(version uint64, ps []Promotion) *PromotionSet {
	set := &PromotionSet{Version: version, byID: map[string]*compiledPromo{}, bySKU: map[string][]*compiledPromo{},
		byProducer: map[string][]*compiledPromo{}, byGroup: map[string][]*compiledPromo{}}
	sort.Slice(ps, func(i, j int) bool { return ps[i].ID < ps[j].ID })
	for i := range ps {
		p := &ps[i]
		c := &compiledPromo{Promotion: p, active: !p.Deleted, from: dayNumber(p.From), to: dayNumber(p.To)}
		c.hFrom, c.hTo, c.hours = hoursOf(p.Hours)
		set.byID[p.ID] = c
		if !c.active {
			continue
		}
		switch p.Scope {
		case ScopeSKU:
			set.bySKU[p.Target] = append(set.bySKU[p.Target], c)
		case ScopeProducer:
			set.byProducer[p.Target] = append(set.byProducer[p.Target], c)
		case ScopeGroup:
			set.byGroup[p.Target] = append(set.byGroup[p.Target], c)
		}
	}
	return set
}

func dayNumber(d Date) int {
	if d.IsZero() {
		return 0
	}
	return d.y*10000 + d.m*100 + d.d
}

// activeAt tells whether the promotion runs at t (Vietnam time).
func (c *compiledPromo) activeAt(day, minute int) bool {
	if !c.active || c.from != 0 && day < c.from || c.to != 0 && day > c.to {
		return false
	}
	if !c.hours {
		return true
	}
	if c.hFrom < c.hTo {
		return minute >= c.hFrom && minute < c.hTo
	}
	return minute >= c.hFrom || minute < c.hTo // past midnight
}

// Active lists the promotions running at now, in id order.
func (set *PromotionSet) Active(now time.Time) []Promotion {
	if set == nil {
		return nil
	}
	day, minute := vnDayMinute(now)
	var out []Promotion
	for _, c := range set.byID {
		if c.activeAt(day, minute) {
			out = append(out, *c.Promotion)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

func vnDayMinute(t time.Time) (day, minute int) {
	t = t.In(VietnamTime)
	y, m, d := t.Date()
	return y*10000 + int(m)*100 + d, t.Hour()*60 + t.Minute()
}

// saving is what c does for a line of qty units (or grams of a weighed line)
// of p worth gross: the đồng it takes off the line, the units it gives free,
// and the value of both to the customer.
func (c *compiledPromo) saving(p *Product, qty, grams int64, gross Money) (off Money, free int64, value Money) {
	switch c.Kind {
	case PromoPercent:
		off = c.Percent.Of(gross)
	case PromoAmount:
		if grams > 0 {
			off = mulDivHalfUp(c.Amount, grams, 1000)
		} else {
			off = c.Amount * Money(qty) // ≤ MaxPrice × MaxQty
		}
		off = min(off, gross)
	case PromoBundle:
		if grams > 0 {
			return 0, 0, 0 // bundles count units
		}
		if full := p.Price * Money(c.BundleQty); full > c.BundlePrice {
			off = Money(qty/c.BundleQty) * (full - c.BundlePrice)
		}
	case PromoBuyGet:
		if grams > 0 {
			return 0, 0, 0
		}
		group := c.Buy + c.Get
		k, r := qty/group, qty%group
		free = k*c.Get + max(0, r-c.Buy)
		return 0, free, p.Price * Money(free)
	}
	return off, 0, off
}

// best is the promotion that saves the customer most on a line of p (qty
// units, or grams of a weighed line, worth gross) at now, with the đồng it
// takes off the line and the units it gives free. Ties go to the smaller id;
// a promotion that saves nothing is none.
func (set *PromotionSet) best(p *Product, qty, grams int64, gross Money, now time.Time) (*Promotion, Money, int64) {
	if set == nil || len(set.byID) == 0 {
		return nil, 0, 0
	}
	day, minute := vnDayMinute(now)
	var (
		win       *compiledPromo
		winOff    Money
		winFree   int64
		winSaving Money
	)
	for _, list := range [3][]*compiledPromo{set.bySKU[p.SKU], set.byProducer[p.ProducerID], set.byGroup[string(p.Group)]} {
		for _, c := range list {
			if !c.activeAt(day, minute) {
				continue
			}
			off, free, value := c.saving(p, qty, grams, gross)
			if value <= 0 {
				continue
			}
			if win == nil || value > winSaving || value == winSaving && c.ID < win.ID {
				win, winOff, winFree, winSaving = c, off, free, value
			}
		}
	}
	if win == nil {
		return nil, 0, 0
	}
	return win.Promotion, winOff, winFree
}

// applied names the promotions of priced lines with what each saved.
func (set *PromotionSet) applied(lines []Line) []AppliedPromotion {
	var out []AppliedPromotion
	at := map[string]int{}
	for _, l := range lines {
		if l.Promotion == "" {
			continue
		}
		i, ok := at[l.Promotion]
		if !ok {
			a := AppliedPromotion{ID: l.Promotion}
			if c := set.lookup(l.Promotion); c != nil {
				a.Name, a.NameEN, a.Kind, a.Bearer = c.Name, c.NameEN, c.Kind, c.Bearer
			}
			i = len(out)
			at[l.Promotion] = i
			out = append(out, a)
		}
		out[i].Lines++
		out[i].Saved += l.PromotionSaved()
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// live counts the promotions that are not deleted.
func (set *PromotionSet) live() int {
	n := 0
	for _, c := range set.byID {
		if c.active {
			n++
		}
	}
	return n
}

func (set *PromotionSet) lookup(id string) *compiledPromo {
	if set == nil {
		return nil
	}
	return set.byID[id]
}

// PromotionSaved is what the line's promotion saved the customer: its
// discount, or the catalog value of the units it gave free.
func (l Line) PromotionSaved() Money {
	if l.Free {
		return l.ListPrice * Money(l.Qty)
	}
	return l.PromotionDiscount
}

// appliedOf names the promotions of undo lines (a void or refund) as the
// original sale named them.
func appliedOf(lines []Line, orig []AppliedPromotion) []AppliedPromotion {
	ps := make([]Promotion, len(orig))
	for i, a := range orig {
		ps[i] = Promotion{ID: a.ID, Name: a.Name, NameEN: a.NameEN, Kind: a.Kind, Bearer: a.Bearer}
	}
	return NewPromotionSet(0, ps).applied(lines)
}

// ---- the store's promotions ----

// promoCache is the store's promotions indexed, as of a committed version of
// the promotions bucket (its sequence). A sale's transaction uses it when the
// bucket's sequence in the transaction is that version, so a promotion
// changed in the same batch is never missed.
type promoCache struct{ set atomic.Pointer[PromotionSet] }

// readPromotions reads every promotion of the bucket, deleted ones included.
func readPromotions(b *bolt.Bucket) ([]Promotion, error) {
	var out []Promotion
	err := b.ForEach(func(k, v []byte) error {
		var p Promotion
		if err := json.Unmarshal(v, &p); err != nil {
			return fmt.Errorf("promotion %s: %w", k, err)
		}
		out = append(out, p)
		return nil
	})
	return out, err
}

// promotionsIn is the promotion set a transaction sees.
func (s *Store) promotionsIn(tx *bolt.Tx) (*PromotionSet, error) {
	b := tx.Bucket(bPromotions)
	v := b.Sequence()
	if set := s.promos.set.Load(); set != nil && set.Version == v {
		return set, nil
	}
	ps, err := readPromotions(b)
	if err != nil {
		return nil, err
	}
	set := NewPromotionSet(v, ps)
	if !tx.Writable() { // committed: safe to share
		s.promos.set.Store(set)
	}
	return set, nil
}

// PromotionSet is the store's promotions indexed for PriceCart.
func (s *Store) PromotionSet() (*PromotionSet, error) {
	var set *PromotionSet
	err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		set, err = s.promotionsIn(tx)
		return err
	})
	return set, err
}

// Promotions lists the promotions that are not deleted, in id order, and the
// version of the whole list.
func (s *Store) Promotions() ([]Promotion, uint64, error) {
	set, err := s.PromotionSet()
	if err != nil {
		return nil, 0, err
	}
	out := []Promotion{}
	for _, c := range set.byID {
		if c.active {
			out = append(out, *c.Promotion)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, set.Version, nil
}

// Promotion returns one promotion (ErrNotFound when it is not there or was
// deleted).
func (s *Store) Promotion(id string) (Promotion, error) {
	set, err := s.PromotionSet()
	if err != nil {
		return Promotion{}, err
	}
	if c := set.lookup(id); c != nil && c.active {
		return *c.Promotion, nil
	}
	return Promotion{}, fmt.Errorf("%w: promotion %q", ErrNotFound, id)
}

// PutPromotion creates (create) or replaces a promotion. An id is made when a
// new one has none. ifVersion, when not 0, is the version the caller read:
// a promotion changed since is refused with ErrPromotionChanged.
func (s *Store) PutPromotion(p Promotion, create bool, ifVersion uint64) (Promotion, error) {
	if err := p.Validate(); err != nil {
		return Promotion{}, err
	}
	err := s.commit(func(tx *bolt.Tx) error {
		b := tx.Bucket(bPromotions)
		now := s.now()
		if p.ID == "" {
			p.ID = NewID(now)
		}
		var old Promotion
		exists, err := getJSON(b, []byte(p.ID), &old)
		if err != nil {
			return err
		}
		live := exists && !old.Deleted
		switch {
		case live && old.Origin == OriginHub && p.Origin != OriginHub:
			return fmt.Errorf("%w: %s: change or end it on the hub", ErrPromotionFromHub, p.ID)
		case create && live:
			return fmt.Errorf("%w: %s", ErrPromotionExists, p.ID)
		case !create && !live:
			return fmt.Errorf("%w: promotion %q", ErrNotFound, p.ID)
		case ifVersion != 0 && old.Version != ifVersion:
			return fmt.Errorf("%w: %s is at version %d, not %d", ErrPromotionChanged, p.ID, old.Version, ifVersion)
		}
		if create {
			set, err := s.promotionsIn(tx)
			if err != nil {
				return err
			}
			if set.live() >= MaxPromotions {
				return fmt.Errorf("%w: at most %d promotions; delete some first", ErrBadPromotion, MaxPromotions)
			}
		}
		return s.writePromotion(tx, &p, now)
	})
	if err != nil {
		return Promotion{}, err
	}
	s.refreshPromotions()
	return p, nil
}

// DeletePromotion ends one of the kiosk's own promotions. It is kept, marked
// deleted, so that reports still name it and a copy elsewhere learns of the
// deletion. A promotion from the hub is ended on the hub
// (ErrPromotionFromHub).
func (s *Store) DeletePromotion(id string, ifVersion uint64) (Promotion, error) {
	return s.deletePromotion(id, ifVersion, "")
}

// EndHubPromotion ends a promotion the hub no longer sends.
func (s *Store) EndHubPromotion(id string) (Promotion, error) {
	return s.deletePromotion(id, 0, OriginHub)
}

func (s *Store) deletePromotion(id string, ifVersion uint64, origin string) (Promotion, error) {
	var p Promotion
	err := s.commit(func(tx *bolt.Tx) error {
		ok, err := getJSON(tx.Bucket(bPromotions), []byte(id), &p)
		if err != nil {
			return err
		}
		if !ok || p.Deleted {
			return fmt.Errorf("%w: promotion %q", ErrNotFound, id)
		}
		if p.Origin != origin {
			if p.Origin == OriginHub {
				return fmt.Errorf("%w: %s: end it on the hub", ErrPromotionFromHub, id)
			}
			return fmt.Errorf("%w: promotion %q is the kiosk's own", ErrNotFound, id)
		}
		if ifVersion != 0 && p.Version != ifVersion {
			return fmt.Errorf("%w: %s is at version %d, not %d", ErrPromotionChanged, id, p.Version, ifVersion)
		}
		p.Deleted = true
		return s.writePromotion(tx, &p, s.now())
	})
	if err != nil {
		return Promotion{}, err
	}
	s.refreshPromotions()
	return p, nil
}

func (s *Store) writePromotion(tx *bolt.Tx, p *Promotion, now time.Time) error {
	b := tx.Bucket(bPromotions)
	v, err := b.NextSequence()
	if err != nil {
		return abortTx{err}
	}
	p.Version, p.Updated = v, now
	return putJSON(b, []byte(p.ID), p)
}

// refreshPromotions indexes the committed promotions again, so the next sale
// does not pay for it.
func (s *Store) refreshPromotions() { _, _ = s.PromotionSet() }

// promotionName is a promotion's name for a report, deleted ones included.
func promotionName(tx *bolt.Tx, id string) string {
	var p Promotion
	if ok, err := getJSON(tx.Bucket(bPromotions), []byte(id), &p); err != nil || !ok {
		return ""
	}
	return p.Name
}

// SameTerms tells whether two promotions say the same, whatever their versions,
// times and deletion.
func (p Promotion) SameTerms(o Promotion) bool {
	terms := func(x Promotion) string {
		x.Version, x.Updated, x.Deleted = 0, time.Time{}, false
		out, _ := json.Marshal(x)
		return string(out)
	}
	return terms(p) == terms(o)
}

// ApplyHubPromotions makes the hub's promotions the kiosk's set of hub
// promotions, in one transaction: each one sent is written (marked as the
// hub's) when it is new or says something else, a hub promotion the hub no
// longer sends is ended, and the kiosk's own are left alone (one of the same id
// as a hub promotion is replaced by it; replaced lists those). It returns how
// many promotions changed.
func (s *Store) ApplyHubPromotions(sent []Promotion) (changed int, replaced []string, err error) {
	for i := range sent {
		sent[i].Origin, sent[i].Version, sent[i].Deleted = OriginHub, 0, false
		if err := sent[i].Validate(); err != nil {
			return 0, nil, fmt.Errorf("hub promotion %s: %w", sent[i].ID, err)
		}
	}
	err = s.commit(func(tx *bolt.Tx) error {
		changed, replaced = 0, nil
		b := tx.Bucket(bPromotions)
		now := s.now()
		ids := map[string]bool{}
		for i := range sent {
			p := sent[i]
			ids[p.ID] = true
			var old Promotion
			exists, err := getJSON(b, []byte(p.ID), &old)
			if err != nil {
				return err
			}
			if exists && !old.Deleted && old.Origin == OriginHub && old.SameTerms(p) {
				continue
			}
			if exists && !old.Deleted && old.Origin != OriginHub {
				replaced = append(replaced, p.ID)
			}
			if err := s.writePromotion(tx, &p, now); err != nil {
				return err
			}
			changed++
		}
		var gone []Promotion
		err := b.ForEach(func(k, v []byte) error {
			var p Promotion
			if err := json.Unmarshal(v, &p); err != nil {
				return fmt.Errorf("promotion %s: %w", k, err)
			}
			if p.Origin == OriginHub && !p.Deleted && !ids[p.ID] {
				gone = append(gone, p)
			}
			return nil
		})
		if err != nil {
			return err
		}
		for i := range gone {
			gone[i].Deleted = true
			if err := s.writePromotion(tx, &gone[i], now); err != nil {
				return err
			}
			changed++
		}
		return nil
	})
	if err == nil && changed > 0 {
		s.refreshPromotions()
	}
	return changed, replaced, err
}
