package sync

import (
	"time"

	"github.com/ocop-kiosk/kiosk/pos"
)

// Uplink protocol, version 1: JSON messages on the websocket GET /api/v1/uplink,
// which a kiosk opens with "Authorization: Bearer <kiosk token>" and the header
// X-Kiosk-Id.
//
//	kiosk → hub  {"type":"batch","records":[OutboxRecord…]}   in outbox order
//	kiosk → hub  {"type":"heartbeat","depth":N,"last_seq":S}
//	hub → kiosk  {"type":"ack","seq":S}   the highest contiguous sequence held
//	hub → kiosk  {"type":"catalog","catalog":CatalogVersion}   when the kiosk is behind
//	kiosk → hub  {"type":"catalog_ack","seq":VERSION}
//	hub → kiosk  {"type":"error","code":"…","message":"…"}
//
// The kiosk sends its catalog version in the header X-Catalog-Version.
const (
	ProtocolVersion = 1
	MaxBatch        = 200     // records per batch
	MaxMessage      = 4 << 20 // bytes per message
)

// CatalogMessage carries a central catalog version down to a kiosk.
type CatalogMessage struct {
	Type    string         `json:"type"`
	Catalog CatalogVersion `json:"catalog"`
}

// Message is any uplink message.
type Message struct {
	Type    string             `json:"type"`
	Records []pos.OutboxRecord `json:"records,omitempty"`
	Seq     uint64             `json:"seq,omitempty"`
	Depth   int                `json:"depth,omitempty"`
	LastSeq uint64             `json:"last_seq,omitempty"`
	Code    string             `json:"code,omitempty"`
	Message string             `json:"message,omitempty"`
	Catalog *CatalogVersion    `json:"catalog,omitempty"`
}

// jsonConn is the reading side of either websocket library (gorilla on the
// kiosk, fasthttp's on the hub).
type jsonConn interface {
	ReadJSON(v any) error
	SetReadDeadline(t time.Time) error
}

// readMessages reads messages in a goroutine of its own, so that the
// connection's one writer can wait on them together with its other work. A
// read error ends it (reported once on the error channel); so does done.
func readMessages(conn jsonConn, idle time.Duration, done <-chan struct{}) (<-chan Message, <-chan error) {
	in := make(chan Message)
	readErr := make(chan error, 1)
	go func() {
		for {
			_ = conn.SetReadDeadline(time.Now().Add(idle))
			var m Message
			if err := conn.ReadJSON(&m); err != nil {
				readErr <- err
				return
			}
			select {
			case in <- m:
			case <-done:
				return
			}
		}
	}()
	return in, readErr
}
