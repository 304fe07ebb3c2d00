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
// batches while there is anything to send, and heartbeats.
func (u *Uplink) session(ctx context.Context) error {
	url := strings.Replace(strings.TrimRight(u.HubURL, "/"), "http", "ws", 1) + "/api/v1/uplink"
	h := http.Header{"Authorization": {"Bearer " + u.Token}, "X-Kiosk-Id": {u.KioskID}}
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
	read := func() (Message, error) {
		_ = conn.SetReadDeadline(time.Now().Add(30 * time.Second))
		var m Message
		err := conn.ReadJSON(&m)
		return m, err
	}
	first, err := read()
	if err != nil || first.Type != "ack" {
		return fmt.Errorf("hub greeting: %v %+v", err, first)
	}
	if err := u.acked(first.Seq); err != nil {
		return err
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
			_ = conn.SetWriteDeadline(time.Now().Add(10 * time.Second))
			if err := conn.WriteJSON(Message{Type: "batch", Records: recs}); err != nil {
				return err
			}
			m, err := read()
			if err != nil {
				return err
			}
			switch m.Type {
			case "ack":
				if err := u.acked(m.Seq); err != nil {
					return err
				}
				if m.Seq < recs[len(recs)-1].Seq {
					return fmt.Errorf("hub acknowledged %d of a batch up to %d", m.Seq, recs[len(recs)-1].Seq)
				}
				continue
			case "error":
				return fmt.Errorf("hub: %s: %s", m.Code, m.Message)
			default:
				return fmt.Errorf("hub sent %q", m.Type)
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-u.Wake:
		case <-time.After(2 * time.Second):
		case <-heartbeat.C:
			depth, _ := u.Store.OutboxDepth()
			_ = conn.SetWriteDeadline(time.Now().Add(10 * time.Second))
			if err := conn.WriteJSON(Message{Type: "heartbeat", Depth: depth, LastSeq: acked}); err != nil {
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
