package pos

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// EPCIS 2.0 (GS1, JSON-LD binding) is how a lot's story leaves the kiosk: the
// national traceability portal and producers' own systems read and write
// these documents. The kiosk builds them from what it already keeps (the lot,
// its trace events, the sales of it); nothing here is stored twice.

// EPCISContext is the standard's JSON-LD context.
const EPCISContext = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"

// EPCISNamespace is the prefix of the kiosk's own extension fields and
// vocabulary (ocop:why, ocop:harvesting): a URN, so it names no web host
// the kiosk does not own and reads the same from every kiosk and the hub.
const EPCISNamespace = "urn:ocop-kiosk:epcis:"

// epcisContexts is the @context every document and event carries: the
// standard's and the ocop prefix.
func epcisContexts() []any {
	return []any{EPCISContext, map[string]string{"ocop": EPCISNamespace}}
}

// EPCISEvent is one EPCIS 2.0 event: an ObjectEvent the kiosk builds (the
// standard's fields first, then the kiosk's ocop: extension fields: who,
// where and why in words, the receipt a sale printed), or an event a
// producer's system sent, carried as it came.
type EPCISEvent struct {
	Context             []any            `json:"@context,omitempty"`
	Type                string           `json:"type"`
	EventTime           string           `json:"eventTime"`
	EventTimeZoneOffset string           `json:"eventTimeZoneOffset"`
	EventID             string           `json:"eventID"`
	Action              string           `json:"action"`
	EPCList             []string         `json:"epcList,omitempty"`
	QuantityList        []EPCISQuantity  `json:"quantityList,omitempty"`
	BizStep             string           `json:"bizStep,omitempty"`
	Disposition         string           `json:"disposition,omitempty"`
	ReadPoint           *EPCISID         `json:"readPoint,omitempty"`
	BizLocation         *EPCISID         `json:"bizLocation,omitempty"`
	ILMD                *EPCISMasterData `json:"ilmd,omitempty"`
	Who                 string           `json:"ocop:who,omitempty"`
	Where               string           `json:"ocop:where,omitempty"`
	Why                 string           `json:"ocop:why,omitempty"`
	Step                string           `json:"ocop:step,omitempty"`
	Receipt             string           `json:"ocop:receiptNo,omitempty"`
	Kiosk               string           `json:"ocop:kiosk,omitempty"`
	// raw is an event captured from a producer's system, written out as it
	// came (its own extension fields and all).
	raw json.RawMessage
}

// EPCISQuantity is one entry of a quantityList: how much of a class (a lot's
// Digital Link). An absent uom counts items.
type EPCISQuantity struct {
	EPCClass string  `json:"epcClass"`
	Quantity float64 `json:"quantity"`
	UOM      string  `json:"uom,omitempty"`
}

// EPCISID is a readPoint or bizLocation.
type EPCISID struct {
	ID string `json:"id"`
}

// EPCISMasterData is a lot's instance/lot master data (ilmd) at its
// commissioning: the CBV attributes where the CBV has one, ocop: otherwise.
type EPCISMasterData struct {
	ExpiryDate       string   `json:"cbvmda:itemExpirationDate,omitempty"`
	CountryOfOrigin  string   `json:"cbvmda:countryOfOrigin,omitempty"`
	LotNumber        string   `json:"cbvmda:lotNumber,omitempty"`
	ProductionDate   string   `json:"ocop:productionDate,omitempty"`
	PackingDate      string   `json:"ocop:packingDate,omitempty"`
	Origin           string   `json:"ocop:origin,omitempty"`
	Certifications   []string `json:"ocop:certifications,omitempty"`
	OCOPStars        int      `json:"ocop:stars,omitempty"`
	OCOPCertificate  string   `json:"ocop:certificateNo,omitempty"`
	ProductName      string   `json:"ocop:productName,omitempty"`
	Producer         string   `json:"ocop:producer,omitempty"`
	ProducerProvince string   `json:"ocop:producerProvince,omitempty"`
}

// MarshalJSON writes a captured event exactly as it came, and a built one
// from its fields.
func (e EPCISEvent) MarshalJSON() ([]byte, error) {
	if e.raw != nil {
		return e.raw, nil
	}
	type plain EPCISEvent
	return json.Marshal(plain(e))
}

// EPCISDocument is an EPCISDocument with its events.
type EPCISDocument struct {
	Context       []any     `json:"@context"`
	ID            string    `json:"id,omitempty"`
	Type          string    `json:"type"`
	SchemaVersion string    `json:"schemaVersion"`
	CreationDate  string    `json:"creationDate"`
	Sender        string    `json:"sender,omitempty"`
	Body          EPCISBody `json:"epcisBody"`
}

// EPCISBody holds the event list.
type EPCISBody struct {
	EventList []EPCISEvent `json:"eventList"`
}

// NewEPCISDocument wraps events in a document made at now by sender (the
// kiosk's or hub's id). The events drop their own @context, which the
// document carries.
func NewEPCISDocument(sender string, now time.Time, events []EPCISEvent) EPCISDocument {
	if events == nil {
		events = []EPCISEvent{}
	}
	for i := range events {
		events[i].Context = nil
	}
	return EPCISDocument{
		Context: epcisContexts(), Type: "EPCISDocument", SchemaVersion: "2.0",
		CreationDate: epcisTime(now), Sender: sender, Body: EPCISBody{EventList: events},
	}
}

// epcisTime is an RFC 3339 time in Vietnam's zone, milliseconds kept.
func epcisTime(t time.Time) string { return t.In(VietnamTime).Format("2006-01-02T15:04:05.000Z07:00") }

// epcisDay is the start of a calendar day in Vietnam, where the kiosk's
// dates (a harvest, a packing) happened.
func epcisDay(d Date) string {
	return epcisTime(time.Date(d.y, time.Month(d.m), d.d, 0, 0, 0, 0, VietnamTime))
}

// eventID is a stable identifier of an event: the same lot, trace step or
// sale gives the same id in every export, so a receiver that reads a lot
// twice keeps one copy. It is a name-based UUID (version 8, RFC 9562) of
// SHA-256 over the parts.
func eventID(parts ...string) string {
	h := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	h[6] = h[6]&0x0f | 0x80
	h[8] = h[8]&0x3f | 0x80
	return fmt.Sprintf("urn:uuid:%x-%x-%x-%x-%x", h[0:4], h[4:6], h[6:8], h[8:10], h[10:16])
}

// EPCISParty is a URN for a place or a party the kiosk knows only by name
// or id (no GLN): urn:ocop-kiosk:epcis:{kind}:{percent-encoded name}.
func EPCISParty(kind, name string) string {
	return EPCISNamespace + kind + ":" + url.PathEscape(strings.TrimSpace(name))
}

// traceBizSteps maps the kiosk's trace steps to CBV business steps; the CBV
// has none for harvesting or processing, so those are the kiosk's own.
var traceBizSteps = map[string]string{
	"harvest":       "ocop:harvesting",
	"processing":    "ocop:processing",
	"packing":       "packing",
	"shipping":      "shipping",
	"certification": "inspecting",
	"other":         "other",
}

// EPCISLotSource is what a lot's events are built from: the lot, its
// product and producer, and the Digital Link base of the labels.
type EPCISLotSource struct {
	Base     string // the labels' Digital Link base (https://kiosk.example.vn)
	Lot      Lot
	Product  Product
	Producer Producer
}

// LotClass is the lot's Digital Link without expiry: the class every item of
// the lot belongs to (epcClass), as its labels name it.
func (src EPCISLotSource) LotClass() (string, error) {
	return DigitalLink{Base: src.Base, GTIN: src.Product.GTIN, Lot: src.Lot.Code}.String()
}

// LotEvents are a lot's commissioning (ObjectEvent ADD, its master data in
// ilmd) and its trace events, in date order.
func LotEvents(src EPCISLotSource) ([]EPCISEvent, error) {
	class, err := src.LotClass()
	if err != nil {
		return nil, fmt.Errorf("lot %s: %w", src.Lot.ID(), err)
	}
	l, p := src.Lot, src.Product
	when := l.ProducedOn
	if when.IsZero() {
		when = l.PackedOn
	}
	var out []EPCISEvent
	if !when.IsZero() {
		md := &EPCISMasterData{
			LotNumber: l.Code, Origin: l.Origin, Certifications: l.Certifications,
			ProductName: p.Name, OCOPStars: p.Stars, OCOPCertificate: p.CertNo,
			Producer: src.Producer.Name, ProducerProvince: src.Producer.Province,
		}
		if !l.ExpiresOn.IsZero() {
			md.ExpiryDate = l.ExpiresOn.String()
		}
		if !l.ProducedOn.IsZero() {
			md.ProductionDate = l.ProducedOn.String()
		}
		if !l.PackedOn.IsZero() {
			md.PackingDate = l.PackedOn.String()
		}
		if strings.HasPrefix(p.GTIN, "0893") {
			md.CountryOfOrigin = "VN" // GS1 Vietnam's prefix 893
		}
		ev := EPCISEvent{
			Type: "ObjectEvent", EventTime: epcisDay(when), EventTimeZoneOffset: "+07:00",
			EventID: eventID("commissioning", class), Action: "ADD",
			QuantityList: []EPCISQuantity{{EPCClass: class, Quantity: float64(l.Quantity)}},
			BizStep:      "commissioning", Disposition: "active", ILMD: md,
		}
		if l.Quantity <= 0 {
			ev.QuantityList[0].Quantity = 0
		}
		if src.Producer.ID != "" {
			ev.BizLocation = &EPCISID{ID: EPCISParty("producer", src.Producer.ID)}
			ev.Who = src.Producer.Name
		}
		out = append(out, ev)
	}
	for i, te := range l.Events {
		ev := EPCISEvent{
			Type: "ObjectEvent", EventTime: epcisDay(te.When), EventTimeZoneOffset: "+07:00",
			EventID: eventID("trace", class, fmt.Sprint(i), te.When.String(), te.What, te.Where, te.Who, te.Why),
			Action:  "OBSERVE", QuantityList: []EPCISQuantity{{EPCClass: class, Quantity: float64(max(l.Quantity, 0))}},
			BizStep: traceBizSteps[te.What], Who: te.Who, Where: te.Where, Why: te.Why, Step: te.What,
		}
		if ev.BizStep == "" {
			ev.BizStep = "other"
		}
		if te.Where != "" {
			ev.ReadPoint = &EPCISID{ID: EPCISParty("place", te.Where)}
		}
		if src.Producer.ID != "" {
			ev.BizLocation = &EPCISID{ID: EPCISParty("producer", src.Producer.ID)}
		}
		out = append(out, ev)
	}
	return out, nil
}

// SaleEvents are a record's retail events for the lots of the lines keep
// selects: a sale is retail_selling (disposition retail_sold); a void or a
// refund is the goods coming back (receiving, returned). One event per lot
// the record touches: the units scanned by their serial are its epcList, as
// the Digital Links on their labels (without the expiry, which names the lot,
// not the item), and the units sold without one its quantityList (units, or
// kilograms when weighed).
func SaleEvents(base string, sl Sale, keep func(sku, lot string) (gtin string, ok bool)) ([]EPCISEvent, error) {
	type key struct{ sku, lot string }
	type lotSold struct {
		q    EPCISQuantity
		epcs []string
	}
	var order []key
	sold := map[key]*lotSold{}
	for _, ln := range sl.Lines {
		if ln.Lot == "" {
			continue
		}
		gtin, ok := keep(ln.SKU, ln.Lot)
		if !ok {
			continue
		}
		k := key{ln.SKU, ln.Lot}
		ls := sold[k]
		if ls == nil {
			class, err := DigitalLink{Base: base, GTIN: gtin, Lot: ln.Lot}.String()
			if err != nil {
				return nil, fmt.Errorf("sale %s lot %s/%s: %w", sl.ReceiptNo, ln.SKU, ln.Lot, err)
			}
			ls = &lotSold{q: EPCISQuantity{EPCClass: class}}
			sold[k] = ls
			order = append(order, k)
		}
		for _, serial := range ln.Serials {
			epc, err := DigitalLink{Base: base, GTIN: gtin, Lot: ln.Lot, Serial: serial}.String()
			if err != nil {
				return nil, fmt.Errorf("sale %s lot %s/%s serial %s: %w", sl.ReceiptNo, ln.SKU, ln.Lot, serial, err)
			}
			ls.epcs = append(ls.epcs, epc)
		}
		if ln.WeightG != 0 {
			ls.q.UOM = "KGM"
			ls.q.Quantity += float64(abs64(ln.WeightG)) / 1000
		} else {
			ls.q.Quantity += float64(abs64(ln.Qty) - int64(len(ln.Serials)))
		}
	}
	out := make([]EPCISEvent, 0, len(order))
	for _, k := range order {
		ls := sold[k]
		ev := EPCISEvent{
			Type: "ObjectEvent", EventTime: epcisTime(sl.Time), EventTimeZoneOffset: "+07:00",
			EventID: eventID("sale", sl.KioskID, sl.ReceiptNo, k.sku, k.lot), Action: "OBSERVE",
			EPCList: ls.epcs, BizStep: "retail_selling", Disposition: "retail_sold",
			ReadPoint: &EPCISID{ID: EPCISParty("kiosk", sl.KioskID)}, Receipt: sl.ReceiptNo, Kiosk: sl.KioskID,
		}
		if ls.q.Quantity > 0 || len(ls.epcs) == 0 {
			ev.QuantityList = []EPCISQuantity{ls.q}
		}
		ev.BizLocation = ev.ReadPoint
		if sl.Kind != KindSale {
			ev.BizStep, ev.Disposition, ev.Why = "receiving", "returned", sl.Kind
			if sl.Reason != "" {
				ev.Why += ": " + sl.Reason
			}
		}
		out = append(out, ev)
	}
	return out, nil
}

func abs64(n int64) int64 {
	if n < 0 {
		return -n
	}
	return n
}

// CapturedEPCISEvent is an event a producer's system sent, kept and written
// out as it came; its eventTime orders it among the lot's events.
func CapturedEPCISEvent(raw json.RawMessage, eventTime string) EPCISEvent {
	return EPCISEvent{raw: raw, EventTime: eventTime}
}
