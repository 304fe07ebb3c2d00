package pos

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
)

// ErrBadEPCIS reports an EPCIS document a producer's system sent that the
// hub cannot take: not EPCIS 2.0 as GS1's schema has it, or naming what the
// hub does not know. Nothing of such a document is kept.
var ErrBadEPCIS = errors.New("bad EPCIS document")

// Bounds of a capture: a cooperative's harvest and processing events are a
// few dozen a lot, not a sensor feed.
const (
	MaxEPCISDocument   = 1 << 20 // bytes of one capture
	MaxEPCISEvents     = 500     // events in one capture
	MaxEPCISEventBytes = 16 << 10
	MaxCapturedPerLot  = 200 // events a lot keeps from producers
)

// CapturedEvent is one accepted event: the lots it names and the event as
// sent (compacted).
type CapturedEvent struct {
	EventID string
	Lots    []DigitalLink // GTIN and lot of each lot the event names
	Raw     json.RawMessage
}

var (
	reTZOffset = regexp.MustCompile(`^[+-]((0[0-9]|1[0-3]):[0-5][0-9]|14:00)$`)
	reURI      = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*:[^\s]+$`)
)

// captureEvent is the part of an event the hub checks.
type captureEvent struct {
	Type                string          `json:"type"`
	EventID             string          `json:"eventID"`
	EventTime           string          `json:"eventTime"`
	EventTimeZoneOffset string          `json:"eventTimeZoneOffset"`
	Action              string          `json:"action"`
	BizStep             string          `json:"bizStep"`
	EPCList             []string        `json:"epcList"`
	QuantityList        []EPCISQuantity `json:"quantityList"`
	InputEPCList        []string        `json:"inputEPCList"`
	InputQuantityList   []EPCISQuantity `json:"inputQuantityList"`
	OutputEPCList       []string        `json:"outputEPCList"`
	OutputQuantityList  []EPCISQuantity `json:"outputQuantityList"`
	ReadPoint           *EPCISID        `json:"readPoint"`
	BizLocation         *EPCISID        `json:"bizLocation"`
}

// ParseEPCISCapture reads an EPCISDocument from a producer's system and
// checks each event: an ObjectEvent or TransformationEvent with an eventID,
// its time and zone offset as the schema wants them, and every identifier a
// GS1 Digital Link of a lot known says the hub holds. The error names the
// event (its place and eventID) and what is wrong with it.
func ParseEPCISCapture(doc []byte, known func(gtin, lot string) bool) ([]CapturedEvent, error) {
	if len(doc) > MaxEPCISDocument {
		return nil, fmt.Errorf("%w: %d bytes, at most %d", ErrBadEPCIS, len(doc), MaxEPCISDocument)
	}
	var d struct {
		Context       json.RawMessage `json:"@context"`
		Type          string          `json:"type"`
		SchemaVersion string          `json:"schemaVersion"`
		CreationDate  string          `json:"creationDate"`
		Body          *struct {
			EventList []json.RawMessage `json:"eventList"`
		} `json:"epcisBody"`
	}
	dec := json.NewDecoder(bytes.NewReader(doc))
	if err := dec.Decode(&d); err != nil {
		return nil, fmt.Errorf("%w: not JSON: %v", ErrBadEPCIS, err)
	}
	switch {
	case d.Type != "EPCISDocument":
		return nil, fmt.Errorf("%w: type %q, want EPCISDocument", ErrBadEPCIS, d.Type)
	case d.SchemaVersion != "2.0":
		return nil, fmt.Errorf("%w: schemaVersion %q, want \"2.0\"", ErrBadEPCIS, d.SchemaVersion)
	case !bytes.Contains(d.Context, []byte(EPCISContext)):
		return nil, fmt.Errorf("%w: @context must name %s", ErrBadEPCIS, EPCISContext)
	case !validTime(d.CreationDate):
		return nil, fmt.Errorf("%w: creationDate %q is not an RFC 3339 time", ErrBadEPCIS, d.CreationDate)
	case d.Body == nil || len(d.Body.EventList) == 0:
		return nil, fmt.Errorf("%w: epcisBody.eventList is empty", ErrBadEPCIS)
	case len(d.Body.EventList) > MaxEPCISEvents:
		return nil, fmt.Errorf("%w: %d events, at most %d a document", ErrBadEPCIS, len(d.Body.EventList), MaxEPCISEvents)
	}
	out := make([]CapturedEvent, 0, len(d.Body.EventList))
	seen := map[string]bool{}
	for i, raw := range d.Body.EventList {
		ce, err := checkCaptured(raw, d.Context, known)
		if err != nil {
			name := fmt.Sprintf("event %d", i+1)
			if ce.EventID != "" {
				name += " (" + ce.EventID + ")"
			}
			return nil, fmt.Errorf("%w: %s: %v", ErrBadEPCIS, name, err)
		}
		if seen[ce.EventID] {
			return nil, fmt.Errorf("%w: event %d: eventID %s appears twice", ErrBadEPCIS, i+1, ce.EventID)
		}
		seen[ce.EventID] = true
		out = append(out, ce)
	}
	return out, nil
}

func validTime(s string) bool {
	_, err := time.Parse(time.RFC3339Nano, s)
	return err == nil
}

// checkCaptured checks one event; a kept event carries the document's
// @context when it has none of its own, so its extension fields (a
// cooperative's own prefix) keep their meaning in every document it later
// travels in.
func checkCaptured(raw, docContext json.RawMessage, known func(gtin, lot string) bool) (CapturedEvent, error) {
	var ce CapturedEvent
	if len(raw) > MaxEPCISEventBytes {
		return ce, fmt.Errorf("%d bytes, at most %d an event", len(raw), MaxEPCISEventBytes)
	}
	var e captureEvent
	if err := json.Unmarshal(raw, &e); err != nil {
		return ce, fmt.Errorf("not an event object: %v", err)
	}
	ce.EventID = e.EventID
	var ids []string
	switch e.Type {
	case "ObjectEvent":
		if e.Action != "ADD" && e.Action != "OBSERVE" && e.Action != "DELETE" {
			return ce, fmt.Errorf("action %q: want ADD, OBSERVE or DELETE", e.Action)
		}
		ids = append(ids, e.EPCList...)
		for _, q := range e.QuantityList {
			ids = append(ids, q.EPCClass)
		}
	case "TransformationEvent":
		ids = append(append(ids, e.InputEPCList...), e.OutputEPCList...)
		for _, q := range append(e.InputQuantityList, e.OutputQuantityList...) {
			ids = append(ids, q.EPCClass)
		}
	default:
		return ce, fmt.Errorf("type %q: the hub takes ObjectEvent and TransformationEvent", e.Type)
	}
	switch {
	case e.EventID == "" || !reURI.MatchString(e.EventID):
		return ce, errors.New("eventID missing or not a URI: the hub keeps one copy of each event by it")
	case !validTime(e.EventTime):
		return ce, fmt.Errorf("eventTime %q is not an RFC 3339 time", e.EventTime)
	case !reTZOffset.MatchString(e.EventTimeZoneOffset):
		return ce, fmt.Errorf("eventTimeZoneOffset %q: want ±hh:mm", e.EventTimeZoneOffset)
	case e.ReadPoint != nil && !reURI.MatchString(e.ReadPoint.ID):
		return ce, fmt.Errorf("readPoint.id %q is not a URI", e.ReadPoint.ID)
	case e.BizLocation != nil && !reURI.MatchString(e.BizLocation.ID):
		return ce, fmt.Errorf("bizLocation.id %q is not a URI", e.BizLocation.ID)
	case len(ids) == 0:
		return ce, errors.New("names no lot: give the lot's Digital Link in epcList or quantityList")
	}
	lots := map[string]bool{}
	for _, id := range ids {
		dl, err := ParseDigitalLink(id)
		if err != nil || dl.Base == "" || !strings.HasPrefix(dl.Base, "http") {
			return ce, fmt.Errorf("identifier %q: the hub reads lots as GS1 Digital Link URIs (https://…/01/{GTIN}/10/{lot})", id)
		}
		if dl.Lot == "" {
			return ce, fmt.Errorf("identifier %q names no lot (AI 10)", id)
		}
		if !known(dl.GTIN, dl.Lot) {
			return ce, fmt.Errorf("identifier %q: the hub has no lot %s of GTIN %s", id, dl.Lot, dl.GTIN)
		}
		if k := dl.GTIN + "/" + dl.Lot; !lots[k] {
			lots[k] = true
			ce.Lots = append(ce.Lots, DigitalLink{GTIN: dl.GTIN, Lot: dl.Lot})
		}
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		return ce, fmt.Errorf("not an event object: %v", err)
	}
	if _, own := fields["@context"]; !own {
		fields["@context"] = docContext
	}
	b, err := json.Marshal(fields) // keys sorted, compact
	if err != nil {
		return ce, err
	}
	ce.Raw = b
	return ce, nil
}

// AddCaptured adds events to a lot's captured ones: an event already there
// (by eventID) is not added twice, so a producer's system may send a
// document again. It answers how many were new.
func AddCaptured(l *Lot, evs []CapturedEvent) (int, error) {
	have := map[string]bool{}
	for _, raw := range l.Captured {
		var h struct {
			EventID string `json:"eventID"`
		}
		if json.Unmarshal(raw, &h) == nil {
			have[h.EventID] = true
		}
	}
	n := 0
	for _, e := range evs {
		if have[e.EventID] {
			continue
		}
		if len(l.Captured) >= MaxCapturedPerLot {
			return n, fmt.Errorf("%w: lot %s keeps at most %d events from producers", ErrBadEPCIS, l.ID(), MaxCapturedPerLot)
		}
		have[e.EventID] = true
		l.Captured = append(l.Captured, e.Raw)
		n++
	}
	return n, nil
}

// CapturedTraceEvents are a lot's captured events as the trace pages list
// history: the day (in Vietnam), the step (the kiosk's own name when the
// business step is one it knows, else the step's last word), and where (the
// read point or business location).
func CapturedTraceEvents(captured []json.RawMessage) []TraceEvent {
	steps := map[string]string{}
	for what, bs := range traceBizSteps {
		steps[bs] = what
	}
	steps["harvesting"], steps["receiving"], steps["commissioning"] = "harvest", "shipping", "processing"
	var out []TraceEvent
	for _, raw := range captured {
		var e captureEvent
		var extra struct {
			Disposition string `json:"disposition"`
		}
		if json.Unmarshal(raw, &e) != nil || json.Unmarshal(raw, &extra) != nil {
			continue
		}
		t, err := time.Parse(time.RFC3339Nano, e.EventTime)
		if err != nil {
			continue
		}
		te := TraceEvent{When: DateOf(t.In(VietnamTime)), What: steps[e.BizStep], Why: extra.Disposition}
		if te.What == "" {
			te.What = e.BizStep[strings.LastIndexAny(e.BizStep, "/:#")+1:]
		}
		switch {
		case e.ReadPoint != nil:
			te.Where = e.ReadPoint.ID
		case e.BizLocation != nil:
			te.Where = e.BizLocation.ID
		}
		out = append(out, te)
	}
	return out
}
