package kiosk

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/gofiber/contrib/websocket"
)

// How many messages one screen may send (web/PROTOCOL.md "Limits"). A
// handheld barcode scanner reads at most about 10 labels a second and a
// presentation scanner about 20, in bursts; a vendor's fingers are slower. So
// a screen may send wsBurst messages at once and wsRate a second for as long
// as it likes. A message beyond that is refused (not handled) with the error
// rate_limited; a screen that keeps sending regardless, wsBurst refused
// messages more than the rate would have let through, is closed with 1008.
// Every accepted cart change goes to each screen of the till, so the limit
// also keeps a flooding till from drowning its own customer display.
const (
	wsRate  = 30
	wsBurst = 60
)

// wsRateClose is the reason of the close frame for a screen that kept flooding.
var wsRateClose = fmt.Sprintf("rate_limited: more than %d messages a second", wsRate)

// msgBucket is one connection's token bucket, with a second bucket that fills
// with refused messages and drains at the same rate: only its reader
// goroutine uses it.
type msgBucket struct {
	tokens  float64
	strikes float64
	last    time.Time
}

// verdicts of msgBucket.take.
const (
	msgTaken   = iota // handle the message
	msgRefused        // answer rate_limited, handle nothing
	msgFlood          // close the connection
)

func newMsgBucket(now time.Time) *msgBucket { return &msgBucket{tokens: wsBurst, last: now} }

func (b *msgBucket) take(now time.Time) int {
	if dt := now.Sub(b.last).Seconds(); dt > 0 {
		b.tokens = min(wsBurst, b.tokens+dt*wsRate)
		b.strikes = max(0, b.strikes-dt*wsRate)
	}
	b.last = now
	if b.tokens >= 1 {
		b.tokens--
		return msgTaken
	}
	b.strikes++
	if b.strikes >= wsBurst {
		return msgFlood
	}
	return msgRefused
}

// drainFlood reads and drops what a flooding screen has already sent, until it
// pauses (or for at most a second), before the connection is closed: a socket
// closed with unread data is reset, and the reset would lose the close frame
// that tells the screen why.
func drainFlood(conn *websocket.Conn) {
	end := time.Now().Add(time.Second)
	for {
		pause := time.Now().Add(100 * time.Millisecond)
		if pause.After(end) {
			return
		}
		_ = conn.SetReadDeadline(pause)
		if _, _, err := conn.ReadMessage(); err != nil {
			return
		}
	}
}

// refOf is the ref of a refused message, for its error; nothing else of it is
// read.
func refOf(data []byte) string {
	var m struct {
		Ref string `json:"ref"`
	}
	_ = json.Unmarshal(data, &m)
	if len(m.Ref) > 64 {
		return m.Ref[:64]
	}
	return m.Ref
}
