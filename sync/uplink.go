package sync

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strings"
	gosync "sync"
	"time"

	"github.com/gorilla/websocket"

	"github.com/ocop-kiosk/kiosk/pos"
)

// Outbox is what the uplink needs of the kiosk's store.
type Outbox interface {
	Outbox(after uint64, limit int) ([]pos.OutboxRecord, error)
	OutboxDepth() (int, error)
	Acked() (uint64, error)
	SetAcked(seq uint64) error
	Numbering() (pos.Numbering, error)
	RecoverBase() (uint64, error)
	Recover(recs []pos.OutboxRecord, hubAcked uint64) (pos.Recovery, error)
}

// Uplink ships the kiosk's outbox to the hub: in order, in batches, each trimmed
// once the hub acknowledges it; it reconnects with exponential backoff and
// jitter and resumes from the hub's acknowledgement, so a kiosk offline for days
// catches up by itself.
type Uplink struct {
	HubURL  string // http(s)://hub:9090
	KioskID string
	Token   string
	Store   Outbox
	Log     *slog.Logger
	// Wake, when it receives, makes the uplink look at the outbox now (after a
	// sale) instead of at its next poll.
	Wake chan struct{}
	// OnCatalog applies a newer central catalog; CatalogVersion says which the
	// kiosk has. Both may be nil (no catalog following).
	OnCatalog      func(CatalogVersion) error
	CatalogVersion func() uint64
	// OnPromotions applies the hub's set of promotions; PromotionsHeld says
	// the version and digest of the set the kiosk holds. Both nil: the kiosk
	// does not follow the hub's promotions.
	OnPromotions   func(CentralPromotions) error
	PromotionsHeld func() (uint64, string)

	mu        gosync.Mutex
	report    string // a problem to tell the hub at the next connection
	connected bool
	lastErr   string
	lastAck   uint64
	lastSync  time.Time
}

// Status is the uplink as screens show it.
type Status struct {
	Hub       string    `json:"hub"`
	Linked    bool      `json:"linked"`
	Reachable bool      `json:"hub_reachable"`
	LastAcked uint64    `json:"last_acked"`
	LastSync  time.Time `json:"last_sync,omitzero"`
	LastError string    `json:"last_error,omitempty"`
}

// Status reports the uplink's state.
func (u *Uplink) Status() Status {
	u.mu.Lock()
	defer u.mu.Unlock()
	return Status{Hub: u.HubURL, Linked: true, Reachable: u.connected, LastAcked: u.lastAck, LastSync: u.lastSync, LastError: u.lastErr}
}

func (u *Uplink) set(connected bool, err error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.connected = connected
	if err != nil {
		u.lastErr = err.Error()
	} else if connected {
		u.lastErr = ""
	}
}

// Run ships until ctx ends.
func (u *Uplink) Run(ctx context.Context) {
	if u.Log == nil {
		u.Log = slog.Default()
	}
	failures := 0
	for ctx.Err() == nil {
		err := u.session(ctx)
		u.set(false, err)
		if ctx.Err() != nil {
			return
		}
		failures++
		d := min(500*time.Millisecond<<min(failures-1, 7), time.Minute)
		d = d/2 + time.Duration(rand.Int64N(int64(d/2)+1))
		u.Log.Warn("uplink down; retrying", "in", d.Round(time.Millisecond), "err", err)
		select {
		case <-ctx.Done():
			return
		case <-time.After(d):
		}
		if err == nil {
			failures = 0
		}
	}
}

// link is one open uplink connection: a reader goroutine hands the hub's
// messages over; the goroutine that owns the link is its only writer.
type link struct {
	u       *Uplink
	conn    *websocket.Conn
	in      <-chan Message
	readErr <-chan error
	done    chan struct{}
	// catalog collects the parts of a catalog version being received, promos
	// those of a set of promotions.
	catalog *CatalogVersion
	promos  *CentralPromotions
}

// dial opens the uplink and reads the hub's greeting: its acknowledgement and
// the highest sequence it holds.
func (u *Uplink) dial(ctx context.Context) (*link, Message, error) {
	url := strings.Replace(strings.TrimRight(u.HubURL, "/"), "http", "ws", 1) + "/api/v1/uplink"
	h := http.Header{"Authorization": {"Bearer " + u.Token}, "X-Kiosk-Id": {u.KioskID}}
	if u.CatalogVersion != nil {
		h.Set("X-Catalog-Version", fmt.Sprint(u.CatalogVersion()))
	}
	if u.OnPromotions != nil && u.PromotionsHeld != nil {
		v, digest := u.PromotionsHeld()
		h.Set("X-Promotions-Version", fmt.Sprint(v))
		h.Set("X-Promotions-Digest", digest)
	}
	u.invoiceHeaders(h.Set)
	d := websocket.Dialer{HandshakeTimeout: 10 * time.Second}
	conn, resp, err := d.DialContext(ctx, url, h)
	if err != nil {
		if resp != nil {
			return nil, Message{}, fmt.Errorf("hub refused the uplink: %s", resp.Status)
		}
		return nil, Message{}, fmt.Errorf("hub unreachable: %w", err)
	}
	conn.SetReadLimit(MaxMessage)
	l := &link{u: u, conn: conn, done: make(chan struct{})}
	l.in, l.readErr, _ = readMessages(conn, 60*time.Second, l.done)
	for {
		m, err := l.next()
		if err != nil {
			l.close()
			return nil, Message{}, err
		}
		if m.Type == "ack" {
			u.mu.Lock()
			report := u.report
			u.report = ""
			u.mu.Unlock()
			if report != "" {
				_ = l.write(Message{Type: "error", Code: "message_too_large", Message: report})
			}
			return l, m, nil
		}
		if err := l.handle(m); err != nil {
			l.close()
			return nil, Message{}, err
		}
	}
}

func (l *link) close() {
	close(l.done)
	l.conn.Close()
}

func (l *link) write(m Message) error {
	_ = l.conn.SetWriteDeadline(time.Now().Add(10 * time.Second))
	return l.conn.WriteJSON(m)
}

// next waits for the hub's next message. A message over the size limit is
// reported to the hub at the next connection, so neither side retries in
// silence.
func (l *link) next() (Message, error) {
	select {
	case m := <-l.in:
		return m, nil
	case err := <-l.readErr:
		return Message{}, l.readFailed(err)
	case <-time.After(60 * time.Second):
		return Message{}, fmt.Errorf("hub silent for a minute")
	}
}

// readFailed explains a read error. A message over the size limit has already
// closed the connection (the library answers 1009): the hub is told at the next
// one, right after its greeting.
func (l *link) readFailed(err error) error {
	if !errors.Is(err, websocket.ErrReadLimit) {
		return err
	}
	l.u.mu.Lock()
	l.u.report = fmt.Sprintf("a message from the hub was over %d bytes and was refused", MaxMessage)
	l.u.mu.Unlock()
	return fmt.Errorf("the hub sent a message over %d bytes: %w", MaxMessage, err)
}

// handle deals with what the hub may send at any time: catalog parts,
// promotions and errors. Acknowledgements and records are the callers' to
// wait for.
func (l *link) handle(m Message) error {
	switch m.Type {
	case "catalog":
		if m.Catalog == nil || l.u.OnCatalog == nil {
			return nil
		}
		if m.Part <= 1 || l.catalog == nil || l.catalog.Version != m.Catalog.Version {
			l.catalog = &CatalogVersion{}
		}
		l.catalog.merge(*m.Catalog)
		if m.Part < m.Parts {
			return nil
		}
		cv := *l.catalog
		l.catalog = nil
		if err := l.u.OnCatalog(cv); err != nil {
			l.u.Log.Error("central catalog refused", "version", cv.Version, "err", err)
			_ = l.write(Message{Type: "error", Code: "catalog_refused", Message: fmt.Sprintf("catalog version %d: %v", cv.Version, err)})
			return nil // keep selling on the last catalog
		}
		return l.write(Message{Type: "catalog_ack", Seq: cv.Version})
	case "promotions":
		return l.promotions(m)
	case "invoice_block", "invoice_states":
		return l.invoiceMessage(m)
	case "error":
		return fmt.Errorf("hub: %s: %s", m.Code, m.Message)
	}
	return fmt.Errorf("hub sent %q", m.Type)
}

// promotions collects the parts of the hub's set of promotions and applies the
// set once it has them all. A set the kiosk refuses is reported to the hub; the
// kiosk keeps selling with the promotions it had.
func (l *link) promotions(m Message) error {
	if m.Promotions == nil || l.u.OnPromotions == nil {
		return nil
	}
	if m.Part <= 1 || l.promos == nil || l.promos.Digest != m.Promotions.Digest {
		l.promos = &CentralPromotions{Promotions: []pos.Promotion{}}
	}
	l.promos.Version, l.promos.Digest = m.Promotions.Version, m.Promotions.Digest
	l.promos.Promotions = append(l.promos.Promotions, m.Promotions.Promotions...)
	if m.Part < m.Parts {
		return nil
	}
	cp := *l.promos
	l.promos = nil
	if err := l.u.OnPromotions(cp); err != nil {
		l.u.Log.Error("the hub's promotions refused", "version", cp.Version, "err", err)
		return l.write(Message{Type: "error", Code: "promotions_refused", Message: fmt.Sprintf("promotions version %d: %v", cp.Version, err)})
	}
	return l.write(Message{Type: "promotions_ack", Seq: cp.Version})
}

// await waits for a message of type want, handling whatever else comes first.
func (l *link) await(want string) (Message, error) {
	for {
		m, err := l.next()
		if err != nil {
			return m, err
		}
		if m.Type == want {
			return m, nil
		}
		if err := l.handle(m); err != nil {
			return m, err
		}
	}
}

// reconcile brings the kiosk's store and the hub into agreement after the
// greeting. A store that is not verified, or behind what the hub holds, first
// takes in the hub's records and verifies its numbering; otherwise the hub's
// acknowledgement becomes the outbox cursor — also when it is behind what the
// kiosk thought was acknowledged (a hub restored from an older snapshot), so
// that what the hub lost is sent again from the sales store.
func (l *link) reconcile(greet Message) (pos.Recovery, error) {
	st := l.u.Store
	num, err := st.Numbering()
	if err != nil {
		return pos.Recovery{}, err
	}
	base, err := st.RecoverBase()
	if err != nil {
		return pos.Recovery{}, err
	}
	if num.Verified && greet.LastSeq <= base {
		if acked, err := st.Acked(); err == nil && greet.Seq < acked {
			l.u.Log.Warn("the hub holds less than it acknowledged before (restored from an older snapshot?); sending again",
				"hub_acked", greet.Seq, "kiosk_acked", acked)
		}
		return pos.Recovery{}, st.SetAcked(greet.Seq)
	}
	var recs []pos.OutboxRecord
	after, hubAcked := base, uint64(0)
	for {
		if err := l.write(Message{Type: "recover", Seq: after}); err != nil {
			return pos.Recovery{}, err
		}
		m, err := l.await("records")
		if err != nil {
			return pos.Recovery{}, fmt.Errorf("recovering from the hub: %w", err)
		}
		recs = append(recs, m.Records...)
		hubAcked = m.Seq
		if len(m.Records) > 0 {
			after = m.Records[len(m.Records)-1].Seq
		}
		if !m.More || len(m.Records) == 0 {
			break
		}
	}
	res, err := st.Recover(recs, hubAcked)
	if err != nil {
		return res, fmt.Errorf("recovering from the hub: %w", err)
	}
	l.u.Log.Info("receipt numbering verified with the hub", "recovered", res.Recovered, "moved", res.Moved,
		"lost", len(res.Lost), "hub_acked", hubAcked)
	if len(res.Skipped) > 0 {
		l.u.Log.Warn("records from the hub not taken in", "records", res.Skipped)
	}
	if _, ok := st.(InvoiceBook); ok {
		// What became of the recovered invoices at the provider.
		if err := l.write(Message{Type: "invoice_states_from", Seq: 0}); err != nil {
			return res, err
		}
	}
	if len(res.Lost) > 0 {
		if err := l.write(Message{Type: "lost", Ranges: res.Lost}); err != nil {
			return res, err
		}
		m, err := l.await("ack")
		if err != nil {
			return res, err
		}
		if err := st.SetAcked(m.Seq); err != nil {
			return res, err
		}
	}
	return res, nil
}

// Verify connects once, recovers from the hub whatever the store lacks and
// verifies its numbering, then disconnects (`kiosk restore`, and a kiosk
// starting on an unverified store before it serves).
func (u *Uplink) Verify(ctx context.Context) (pos.Recovery, error) {
	if u.Log == nil {
		u.Log = slog.Default()
	}
	l, greet, err := u.dial(ctx)
	if err != nil {
		return pos.Recovery{}, err
	}
	defer l.close()
	stop := context.AfterFunc(ctx, func() { l.conn.Close() })
	defer stop()
	return l.reconcile(greet)
}

// session is one connection: it reconciles with the hub's greeting, sends
// batches while there is anything to send, heartbeats, and applies the central
// catalog and promotions whenever the hub sends another version.
func (u *Uplink) session(ctx context.Context) error {
	l, greet, err := u.dial(ctx)
	if err != nil {
		return err
	}
	defer l.close()
	stop := context.AfterFunc(ctx, func() { l.conn.Close() })
	defer stop()
	if _, err := l.reconcile(greet); err != nil {
		return err
	}
	u.noteAck(greet.Seq)
	u.set(true, nil)
	heartbeat := time.NewTicker(20 * time.Second)
	defer heartbeat.Stop()
	for {
		acked, err := u.Store.Acked()
		if err != nil {
			return err
		}
		recs, err := u.Store.Outbox(acked, MaxBatch)
		if err != nil {
			return err
		}
		if len(recs) > 0 {
			recs = fitRecords(recs)
			if err := l.write(Message{Type: "batch", Records: recs}); err != nil {
				return err
			}
			m, err := l.await("ack")
			if err != nil {
				return err
			}
			if m.Seq < recs[len(recs)-1].Seq {
				return fmt.Errorf("hub acknowledged %d of a batch up to %d", m.Seq, recs[len(recs)-1].Seq)
			}
			if err := u.Store.SetAcked(m.Seq); err != nil {
				return err
			}
			u.noteAck(m.Seq)
			continue
		}
		select {
		case <-ctx.Done():
			return nil
		case err := <-l.readErr:
			return l.readFailed(err)
		case m := <-l.in:
			if m.Type == "ack" {
				continue
			}
			if err := l.handle(m); err != nil {
				return err
			}
		case <-u.Wake:
		case <-time.After(2 * time.Second):
		case <-heartbeat.C:
			depth, _ := u.Store.OutboxDepth()
			if err := l.write(Message{Type: "heartbeat", Depth: depth, LastSeq: acked}); err != nil {
				return err
			}
		}
	}
}

// noteAck remembers the hub's last acknowledgement for the status.
func (u *Uplink) noteAck(seq uint64) {
	u.mu.Lock()
	u.lastAck, u.lastSync = seq, time.Now()
	u.mu.Unlock()
}
