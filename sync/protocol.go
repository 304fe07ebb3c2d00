package sync

import (
	"encoding/json"
	"time"

	"github.com/ocop-kiosk/kiosk/pos"
)

// Uplink protocol, version 4: JSON messages on the websocket GET /api/v1/uplink,
// which a kiosk opens with "Authorization: Bearer <kiosk token>" and the header
// X-Kiosk-Id.
//
//	hub → kiosk  {"type":"ack","seq":A,"last_seq":T}   greeting: the highest contiguous
//	             record sequence held (A) and the highest held (T)
//	kiosk → hub  {"type":"recover","seq":S}   send back my records after S
//	hub → kiosk  {"type":"records","records":[OutboxRecord…],"seq":A,"more":bool}
//	kiosk → hub  {"type":"lost","ranges":[{"from":F,"to":T}…]}   sequences lost with
//	             a replaced store before they reached the hub; answered by an ack
//	kiosk → hub  {"type":"batch","records":[OutboxRecord…]}   in record order
//	hub → kiosk  {"type":"ack","seq":A}
//	kiosk → hub  {"type":"heartbeat","depth":N,"last_seq":S}
//	hub → kiosk  {"type":"catalog","catalog":CatalogVersion,"part":I,"parts":N,"delta":bool}
//	             when the kiosk's catalog version differs from the hub's: in parts of
//	             at most MaxPart bytes, only the records changed since the kiosk's
//	             version when delta is true; the kiosk applies the version once it
//	             has every part
//	kiosk → hub  {"type":"catalog_ack","seq":VERSION}
//	hub → kiosk  {"type":"promotions","promotions":{"version":V,"digest":D,"promotions":[Promotion…]},
//	             "part":I,"parts":N}   the hub's running promotions, the whole set, at
//	             the start of a connection and after every change, whenever the
//	             kiosk's set (its version and digest) differs from the hub's; in
//	             parts of at most MaxPart bytes (one part but for a set near
//	             pos.MaxPromotions); the kiosk replaces the promotions it had from
//	             the hub with the set once it has every part, ending those the set
//	             no longer holds, and keeps its own
//	kiosk → hub  {"type":"promotions_ack","seq":VERSION}
//	hub → kiosk  {"type":"invoice_block","block":{"from":F,"to":T}}   before the
//	             greeting's ack, to a kiosk that invoices with no block of the
//	             MCCQT counter: the block the hub registered for it ahead or
//	             allocated now (the kiosk keeps it: pos.Store.SetInvoiceBlock)
//	hub → kiosk  {"type":"invoice_states","states":[InvoiceState…],"seq":S}   what
//	             became of the kiosk's invoices at the provider (delivered,
//	             refused with the provider's reason), in order, after the
//	             last the kiosk acknowledged, at the start of a connection
//	             and whenever more are known; at most 1,000 a message
//	kiosk → hub  {"type":"invoice_states_ack","seq":S}   applied
//	             (pos.Store.SetInvoiceStates)
//	kiosk → hub  {"type":"invoice_states_from","seq":0}   after recovering its
//	             store from the hub: send every state again (a kiosk leaves
//	             states unapplied, and unacknowledged, while its numbering is
//	             not verified; a recover also makes the hub's next connection
//	             start from the first state)
//	either way   {"type":"error","code":"…","message":"…"}   the other side notes it
//	             (the kiosk's uplink status, the hub's kiosk list)
//
// The kiosk sends its catalog version in the header X-Catalog-Version, and the
// version and digest of the hub's promotions it holds in X-Promotions-Version
// and X-Promotions-Digest (0 and empty when it has none); a kiosk that sends
// no X-Promotions-Version (version 2 of the protocol) is sent no promotions.
// A kiosk of version 4 sends X-Invoicing: 1 (it takes invoice states and
// blocks) and, when it issues invoices, its seller's MST, form, symbol and
// block in X-Invoice-Seller, X-Invoice-Form, X-Invoice-Symbol and
// X-Invoice-Block (FROM-TO, empty when it has none); the hub refuses, with an
// error message instead of its ack, a block that overlaps another kiosk's or
// a seller and symbol another kiosk issues (invoice_block_overlap,
// invoice_symbol_taken, invoice_block_mismatch). A kiosk that sends no
// X-Invoicing (version 3) is sent no invoice messages. Invoice states go
// down as they are settled, and at each heartbeat any the hub was not told
// of (another hub process on a shared database settled them). No
// message is larger than MaxMessage: batches and records are cut at MaxPart
// bytes as well as at MaxBatch records.
const (
	ProtocolVersion = 4
	MaxBatch        = 200     // records per batch
	MaxMessage      = 4 << 20 // bytes per message
	MaxPart         = 1 << 20 // bytes of records or catalog in one message, before framing
)

// CatalogMessage carries a central catalog version, or one part of it, down to
// a kiosk.
type CatalogMessage struct {
	Type    string         `json:"type"`
	Catalog CatalogVersion `json:"catalog"`
	Part    int            `json:"part"`  // 1…Parts
	Parts   int            `json:"parts"` // how many parts the version has
	Delta   bool           `json:"delta,omitempty"`
}

// Message is any uplink message.
type Message struct {
	Type    string             `json:"type"`
	Records []pos.OutboxRecord `json:"records,omitempty"`
	Seq     uint64             `json:"seq,omitempty"`
	Depth   int                `json:"depth,omitempty"`
	LastSeq uint64             `json:"last_seq,omitempty"`
	More    bool               `json:"more,omitempty"`
	Ranges  []pos.SeqRange     `json:"ranges,omitempty"`
	Code    string             `json:"code,omitempty"`
	Message string             `json:"message,omitempty"`
	Catalog *CatalogVersion    `json:"catalog,omitempty"`
	Part    int                `json:"part,omitempty"`
	Parts   int                `json:"parts,omitempty"`
	Delta   bool               `json:"delta,omitempty"`
	// Promotions is one part of the hub's promotions (Part of Parts).
	Promotions *CentralPromotions `json:"promotions,omitempty"`
	// States are delivery states of the kiosk's invoices; Block is the
	// kiosk's block of the MCCQT counter.
	States []pos.InvoiceState `json:"states,omitempty"`
	Block  *pos.InvoiceBlock  `json:"block,omitempty"`
}

// MaxStates is the most invoice states one message carries.
const MaxStates = 1000

// fitRecords cuts recs to the longest prefix of at most MaxPart bytes of JSON
// (at least one record).
func fitRecords(recs []pos.OutboxRecord) []pos.OutboxRecord {
	size := 0
	for i, r := range recs {
		b, _ := json.Marshal(r)
		size += len(b) + 1
		if size > MaxPart && i > 0 {
			return recs[:i]
		}
	}
	return recs
}

// catalogParts splits a catalog version into parts of at most about MaxPart
// bytes each; every part carries the version and its date.
func catalogParts(cv CatalogVersion) []CatalogVersion {
	parts := []CatalogVersion{{Version: cv.Version, Published: cv.Published}}
	size := 0
	room := func(v any) *CatalogVersion {
		b, _ := json.Marshal(v)
		if size+len(b) > MaxPart && size > 0 {
			parts = append(parts, CatalogVersion{Version: cv.Version, Published: cv.Published})
			size = 0
		}
		size += len(b) + 1
		return &parts[len(parts)-1]
	}
	for _, p := range cv.Producers {
		c := room(p)
		c.Producers = append(c.Producers, p)
	}
	for _, p := range cv.Products {
		c := room(p)
		c.Products = append(c.Products, p)
	}
	for _, l := range cv.Lots {
		c := room(l)
		c.Lots = append(c.Lots, l)
	}
	return parts
}

// merge adds a part's records to a catalog being received.
func (c *CatalogVersion) merge(part CatalogVersion) {
	c.Version, c.Published = part.Version, part.Published
	c.Producers = append(c.Producers, part.Producers...)
	c.Products = append(c.Products, part.Products...)
	c.Lots = append(c.Lots, part.Lots...)
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
// ended is closed when the goroutine has stopped touching conn.
func readMessages(conn jsonConn, idle time.Duration, done <-chan struct{}) (in <-chan Message, readErr <-chan error, ended <-chan struct{}) {
	msgs := make(chan Message)
	errs := make(chan error, 1)
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		for {
			_ = conn.SetReadDeadline(time.Now().Add(idle))
			var m Message
			if err := conn.ReadJSON(&m); err != nil {
				errs <- err
				return
			}
			select {
			case msgs <- m:
			case <-done:
				return
			}
		}
	}()
	return msgs, errs, stopped
}
