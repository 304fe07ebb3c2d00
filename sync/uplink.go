package sync

import (
	"context"
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
	TrimOutbox(seq uint64) (int, error)
	Acked() (uint64, error)
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

	mu        gosync.Mutex
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

// session is one connection: it resumes from the hub's acknowledgement, sends
// batches while there is anything to send, heartbeats, and applies the central
// catalog whenever the hub sends a newer version. A reader goroutine hands the
// hub's messages over; this goroutine is the only writer.
func (u *Uplink) session(ctx context.Context) error {
	url := strings.Replace(strings.TrimRight(u.HubURL, "/"), "http", "ws", 1) + "/api/v1/uplink"
	h := http.Header{"Authorization": {"Bearer " + u.Token}, "X-Kiosk-Id": {u.KioskID}}
	if u.CatalogVersion != nil {
		h.Set("X-Catalog-Version", fmt.Sprint(u.CatalogVersion()))
	}
	d := websocket.Dialer{HandshakeTimeout: 10 * time.Second}
	conn, resp, err := d.DialContext(ctx, url, h)
	if err != nil {
		if resp != nil {
			return fmt.Errorf("hub refused the uplink: %s", resp.Status)
		}
		return fmt.Errorf("hub unreachable: %w", err)
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	conn.SetReadLimit(MaxMessage)
	done := make(chan struct{})
	defer close(done)
	in, readErr := readMessages(conn, 60*time.Second, done)
	write := func(m Message) error {
		_ = conn.SetWriteDeadline(time.Now().Add(10 * time.Second))
		return conn.WriteJSON(m)
	}
	// handle deals with whatever the hub sends; it reports an acknowledgement.
	handle := func(m Message) (ack uint64, isAck bool, err error) {
		switch m.Type {
		case "ack":
			return m.Seq, true, u.acked(m.Seq)
		case "catalog":
			if m.Catalog == nil || u.OnCatalog == nil {
				return 0, false, nil
			}
			if err := u.OnCatalog(*m.Catalog); err != nil {
				u.Log.Error("central catalog refused", "version", m.Catalog.Version, "err", err)
				return 0, false, nil // keep selling on the last catalog
			}
			return 0, false, write(Message{Type: "catalog_ack", Seq: m.Catalog.Version})
		case "error":
			return 0, false, fmt.Errorf("hub: %s: %s", m.Code, m.Message)
		}
		return 0, false, fmt.Errorf("hub sent %q", m.Type)
	}
	next := func() (Message, error) {
		select {
		case m := <-in:
			return m, nil
		case err := <-readErr:
			return Message{}, err
		case <-time.After(60 * time.Second):
			return Message{}, fmt.Errorf("hub silent for a minute")
		}
	}
	// The hub greets with its acknowledgement.
	for {
		m, err := next()
		if err != nil {
			return err
		}
		if _, isAck, err := handle(m); err != nil {
			return err
		} else if isAck {
			break
		}
	}
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
			if err := write(Message{Type: "batch", Records: recs}); err != nil {
				return err
			}
			for {
				m, err := next()
				if err != nil {
					return err
				}
				ack, isAck, err := handle(m)
				if err != nil {
					return err
				}
				if isAck {
					if ack < recs[len(recs)-1].Seq {
						return fmt.Errorf("hub acknowledged %d of a batch up to %d", ack, recs[len(recs)-1].Seq)
					}
					break
				}
			}
			continue
		}
		select {
		case <-ctx.Done():
			return nil
		case err := <-readErr:
			return err
		case m := <-in:
			if _, _, err := handle(m); err != nil {
				return err
			}
		case <-u.Wake:
		case <-time.After(2 * time.Second):
		case <-heartbeat.C:
			depth, _ := u.Store.OutboxDepth()
			if err := write(Message{Type: "heartbeat", Depth: depth, LastSeq: acked}); err != nil {
				return err
			}
		}
	}
}

// acked trims the outbox up to the hub's acknowledgement.
func (u *Uplink) acked(seq uint64) error {
	if seq == 0 {
		return nil
	}
	if _, err := u.Store.TrimOutbox(seq); err != nil {
		return err
	}
	u.mu.Lock()
	u.lastAck, u.lastSync = seq, time.Now()
	u.mu.Unlock()
	return nil
}
