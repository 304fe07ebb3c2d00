package pos

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net"
	"slices"
	"sort"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
)

// When a label looks copied. A genuine jar is scanned by its buyer, perhaps
// by the buyer's family, on a day or two, from the fair's Wi-Fi and a phone's
// mobile data or a home network. A copied label sits on many jars in many
// hands: scanned on many days from many networks. Both are needed, and
// neither can be made up in minutes: days pass at their own pace, and each
// place is a different network (a /24 of IPv4, a /48 of IPv6), not a
// different address on one network. How often a label is scanned counts for
// nothing: anyone can reload a page.
const (
	SuspiciousDays   = 3 // distinct days (Vietnam time) of scans
	SuspiciousPlaces = 5 // distinct networks the scans came from

	// maxScanEvidence bounds the days and places kept per label: enough to
	// show on the manager page, however long a label is scanned.
	maxScanEvidence = 32
)

// ScanFlushEvery is how often counted scans are written to the store.
const ScanFlushEvery = 5 * time.Second

// maxPendingLabels flushes early when that many labels wait in memory.
const maxPendingLabels = 10_000

// ScanStats counts the scans of one serialised label. No personal data is
// kept: no address and no device, only counts, days and, per network, a
// keyed digest that cannot be turned back into the network.
type ScanStats struct {
	GTIN   string `json:"gtin"`
	Lot    string `json:"lot"`
	Serial string `json:"serial"`
	// Issued says this kiosk printed the label. A serial it never printed
	// is made up or comes from elsewhere: its scans are not counted.
	Issued bool      `json:"issued"`
	First  time.Time `json:"first"`
	Last   time.Time `json:"last"`
	Count  int64     `json:"count"`
	Days   int       `json:"days"`   // distinct days scanned on (at most 32 kept)
	Places int       `json:"places"` // distinct networks scanned from (at most 32 kept)
}

// Suspicious reports whether the label's scans look like a copy's: spread
// over SuspiciousDays days and SuspiciousPlaces networks.
func (s ScanStats) Suspicious() bool {
	return s.Issued && s.Days >= SuspiciousDays && s.Places >= SuspiciousPlaces
}

// scanRecord is what the store keeps of a label's scans (and, in memory, the
// scans not written yet). The first six fields keep the names they had when
// only counts were kept.
type scanRecord struct {
	GTIN   string    `json:"gtin"`
	Lot    string    `json:"lot"`
	Serial string    `json:"serial"`
	First  time.Time `json:"first"`
	Last   time.Time `json:"last"`
	Count  int64     `json:"count"`
	Days   []string  `json:"days,omitempty"`   // YYYY-MM-DD, Vietnam time
	Places []string  `json:"places,omitempty"` // keyed digests of networks
}

func scanKey(gtin, lot, serial string) []byte { return []byte(gtin + "|" + lot + "|" + serial) }

func scanDay(t time.Time) string { return t.In(VietnamTime).Format(time.DateOnly) }

// addEvidence adds what is not there yet, up to maxScanEvidence.
func addEvidence(list []string, more ...string) []string {
	for _, v := range more {
		if v != "" && len(list) < maxScanEvidence && !slices.Contains(list, v) {
			list = append(list, v)
		}
	}
	return list
}

// merge adds o's scans to r. It never changes o, so a transaction that is
// run again merges the same scans again into a fresh copy of the record.
func (r *scanRecord) merge(o *scanRecord) {
	if o.Count == 0 {
		return
	}
	if r.Count == 0 || o.First.Before(r.First) {
		r.First = o.First
	}
	if o.Last.After(r.Last) {
		r.Last = o.Last
	}
	r.Count += o.Count
	r.Days = addEvidence(slices.Clone(r.Days), o.Days...)
	r.Places = addEvidence(slices.Clone(r.Places), o.Places...)
}

// legacy fills the days of a record kept before days were: the days of its
// first and last scans are what it tells.
func (r *scanRecord) legacy() {
	if r.Count > 0 && len(r.Days) == 0 {
		r.Days = addEvidence(nil, scanDay(r.First), scanDay(r.Last))
	}
}

func (r scanRecord) stats(issued bool) ScanStats {
	return ScanStats{GTIN: r.GTIN, Lot: r.Lot, Serial: r.Serial, Issued: issued, First: r.First, Last: r.Last,
		Count: r.Count, Days: len(r.Days), Places: len(r.Places)}
}

var kScanKey = []byte("scan_network_key")

// ScanTally counts the scans of serialised labels. A trace page is public and
// a phone may reload it as often as it likes, so a scan is not a durable
// write of its own: scans are kept in memory and written to the store in one
// transaction every ScanFlushEvery (and by Flush and Close), so a flood of
// page loads costs a few small transactions instead of one each. A crash
// loses at most the last few seconds of counts; a clean stop loses none.
type ScanTally struct {
	store   *Store
	every   time.Duration
	onError func(error)

	mu      sync.Mutex
	key     []byte                 // keys the network digests; kept in the store
	pending map[string]*scanRecord // scans not yet written, by scanKey
	timer   *time.Timer
	armed   bool
	closed  bool
}

// NewScanTally counts scans into s, writing every `every` (ScanFlushEvery when
// 0). onError hears of a write that failed in the background (the scans stay
// in memory and are tried again).
func NewScanTally(s *Store, every time.Duration, onError func(error)) *ScanTally {
	if every <= 0 {
		every = ScanFlushEvery
	}
	return &ScanTally{store: s, every: every, onError: onError, pending: map[string]*scanRecord{}}
}

// Record counts one scan of a label from a client at ip and returns the
// label's counts with it. A serial this kiosk never printed is not counted:
// it answers Issued false and nothing else.
func (t *ScanTally) Record(sku, gtin, lot, serial string, ip net.IP) (ScanStats, error) {
	return t.look(sku, gtin, lot, serial, ip, true)
}

// Peek returns a label's counts without counting a scan (the kiosk's own
// screen showing a label to the staff).
func (t *ScanTally) Peek(sku, gtin, lot, serial string) (ScanStats, error) {
	return t.look(sku, gtin, lot, serial, nil, false)
}

func (t *ScanTally) look(sku, gtin, lot, serial string, ip net.IP, count bool) (ScanStats, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	// Read under the lock, so a write of the pending scans cannot fall
	// between reading the store and adding what waits in memory.
	rec := scanRecord{GTIN: gtin, Lot: lot, Serial: serial}
	var issued bool
	err := t.store.db.View(func(tx *bolt.Tx) error {
		issued = serialIssued(tx, sku, lot, serial)
		if b := tx.Bucket(bScans); b != nil && issued {
			_, err := getJSON(b, scanKey(gtin, lot, serial), &rec)
			return err
		}
		return nil
	})
	if err != nil {
		return ScanStats{}, fmt.Errorf("scans of label %s of lot %s: %w", serial, lot, err)
	}
	if !issued {
		return ScanStats{GTIN: gtin, Lot: lot, Serial: serial}, nil
	}
	rec.legacy()
	k := string(scanKey(gtin, lot, serial))
	// While the store refuses the writes (a full disk), the labels already
	// waiting go on counting but no more than maxPendingLabels wait.
	if count && !t.closed && (t.pending[k] != nil || len(t.pending) < maxPendingLabels) {
		place, err := t.place(ip)
		if err != nil {
			return ScanStats{}, err
		}
		now := t.store.now()
		p := t.pending[k]
		if p == nil {
			p = &scanRecord{GTIN: gtin, Lot: lot, Serial: serial}
			t.pending[k] = p
		}
		p.merge(&scanRecord{First: now, Last: now, Count: 1, Days: []string{scanDay(now)}, Places: addEvidence(nil, place)})
		t.arm()
	}
	if p := t.pending[k]; p != nil {
		rec.merge(p)
	}
	if len(t.pending) >= maxPendingLabels {
		if err := t.flush(); err != nil && t.onError != nil {
			t.onError(err)
		}
	}
	return rec.stats(true), nil
}

// place is the keyed digest of the network ip belongs to ("" without one).
func (t *ScanTally) place(ip net.IP) (string, error) {
	var network []byte
	if v4 := ip.To4(); v4 != nil {
		network = v4.Mask(net.CIDRMask(24, 32))
	} else if len(ip) == net.IPv6len {
		network = ip.Mask(net.CIDRMask(48, 128))
	} else {
		return "", nil
	}
	if t.key == nil {
		key, err := t.loadKey()
		if err != nil {
			return "", err
		}
		t.key = key
	}
	mac := hmac.New(sha256.New, t.key)
	mac.Write(network)
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil)[:9]), nil
}

// loadKey reads the store's network key, making it on first use: random, so
// that a digest says nothing of the network, and kept, so that a network
// seen before a restart is the same place after it.
func (t *ScanTally) loadKey() ([]byte, error) {
	var key []byte
	err := t.store.commit(func(tx *bolt.Tx) error {
		m := tx.Bucket(bMeta)
		if v := m.Get(kScanKey); len(v) == 32 {
			key = slices.Clone(v)
			return nil
		}
		key = make([]byte, 32)
		if _, err := rand.Read(key); err != nil {
			return err
		}
		if err := m.Put(kScanKey, key); err != nil {
			return abortTx{err}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("scan network key: %w", err)
	}
	return key, nil
}

// arm schedules the next write, unless one is scheduled.
func (t *ScanTally) arm() {
	if t.armed {
		return
	}
	t.armed = true
	if t.timer == nil {
		t.timer = time.AfterFunc(t.every, t.tick)
	} else {
		t.timer.Reset(t.every)
	}
}

func (t *ScanTally) tick() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.armed = false
	if t.closed {
		return
	}
	if err := t.flush(); err != nil {
		if t.onError != nil {
			t.onError(err)
		}
		if len(t.pending) > 0 {
			t.arm()
		}
	}
}

// Flush writes the scans waiting in memory now, in one transaction.
func (t *ScanTally) Flush() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.flush()
}

func (t *ScanTally) flush() error {
	if len(t.pending) == 0 {
		return nil
	}
	err := t.store.commit(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bScans)
		if err != nil {
			return abortTx{err}
		}
		for k, p := range t.pending {
			var rec scanRecord
			if _, err := getJSON(b, []byte(k), &rec); err != nil {
				return err
			}
			rec.legacy()
			rec.GTIN, rec.Lot, rec.Serial = p.GTIN, p.Lot, p.Serial
			rec.merge(p)
			if err := putJSON(b, []byte(k), rec); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("write the scans of %d labels: %w", len(t.pending), err)
	}
	t.pending = map[string]*scanRecord{}
	return nil
}

// Close writes what waits and stops counting; call it before the store
// closes. Scans looked at afterwards are shown but not counted.
func (t *ScanTally) Close() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.closed = true
	if t.timer != nil {
		t.timer.Stop()
	}
	return t.flush()
}

// Flagged writes what waits, then lists the labels whose scans look like a
// copy's (Suspicious), the most widely scanned first.
func (t *ScanTally) Flagged() ([]ScanStats, error) {
	if err := t.Flush(); err != nil {
		return nil, err
	}
	return t.store.FlaggedScans()
}

// FlaggedScans lists the labels the store holds whose scans look like a
// copy's, the most widely scanned first.
func (s *Store) FlaggedScans() ([]ScanStats, error) {
	// Only labels this kiosk printed are counted (Record), so every record
	// is of an issued label.
	recs, err := listJSON(s, bScans, func(_ *bolt.Tx, r *scanRecord) bool {
		r.legacy()
		return r.stats(true).Suspicious()
	})
	out := make([]ScanStats, 0, len(recs))
	for _, r := range recs {
		out = append(out, r.stats(true))
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Places != b.Places {
			return a.Places > b.Places
		}
		if a.Days != b.Days {
			return a.Days > b.Days
		}
		return a.Count > b.Count
	})
	return out, err
}
