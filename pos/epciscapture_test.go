package pos

import (
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/ocop-kiosk/kiosk/pos/epcistest"
)

func producersDocument(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/epcis-capture.jsonld")
	if err != nil {
		t.Fatal(err)
	}
	epcistest.Valid(t, "the producer's document", b)
	return b
}

func knownHoneyLot(gtin, lot string) bool { return gtin == "08935001800002" && lot == "UM2605-01" }

func TestAProducersEventsAreKeptOnTheLotAndComeBackOutAsTheyCame(t *testing.T) {
	s := epcisStore(t)
	evs, err := ParseEPCISCapture(producersDocument(t), knownHoneyLot)
	if err != nil {
		t.Fatal(err)
	}
	l, err := s.Lot("HONEY", "UM2605-01")
	if err != nil {
		t.Fatal(err)
	}
	if n, err := AddCaptured(&l, evs); n != 2 || err != nil {
		t.Fatalf("AddCaptured: %d new, %v", n, err)
	}
	if n, err := AddCaptured(&l, evs); n != 0 || err != nil {
		t.Fatalf("the same document again: %d new, %v; want none", n, err)
	}
	if err := s.PutLot(l); err != nil {
		t.Fatal(err)
	}
	// A lots import carries no captured events: the lot keeps them.
	if err := s.PutCatalog(Catalog{Lots: []Lot{{SKU: "HONEY", Code: "UM2605-01", Quantity: 170}}}, "import"); err != nil {
		t.Fatal(err)
	}
	page, err := s.EPCISEvents(epcisBase, EPCISQuery{GTIN: prodHoney.GTIN, Lot: "UM2605-01",
		From: time.Date(2026, 5, 3, 0, 0, 0, 0, ictZone), To: time.Date(2026, 5, 13, 0, 0, 0, 0, ictZone)})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range page.Events {
		b, _ := json.Marshal(e)
		got = append(got, string(b))
	}
	// Between 3 and 13 May, in time order: the two events sent and the kiosk's
	// processing step between them.
	if len(got) != 3 || !strings.Contains(got[0], `"htx:beekeeper":"Nguyễn Văn Ba"`) || !strings.Contains(got[2], "TransformationEvent") {
		t.Fatalf("events of 3–13 May:\n%s", strings.Join(got, "\n"))
	}
	doc := epcisJSON(t, NewEPCISDocument("K01", time.Date(2026, 11, 23, 10, 0, 0, 0, ictZone), page.Events))
	epcistest.Valid(t, "the lot's document with the producer's events", doc)
	checkGolden(t, "epcis-captured.jsonld.golden", doc)
}

func TestACaptureTheHubCannotTakeIsRefusedNamingTheEvent(t *testing.T) {
	good := string(producersDocument(t))
	for _, tc := range []struct {
		name, from, to, want string
	}{
		{"an unknown lot is refused", "10/UM2605-01\", \"quantity\": 42.5", "10/UM9999-99\", \"quantity\": 42.5",
			"event 1 (urn:uuid:4a1c2e6e-6a39-4f5e-9d0b-6f3c8f0b1a01): identifier \"https://id.htx-uminh.example.vn/01/08935001800002/10/UM9999-99\": the hub has no lot UM9999-99"},
		{"an identifier that is not a Digital Link is refused", `"https://id.htx-uminh.example.vn/01/08935001800002/10/UM2605-01", "quantity": 80`,
			`"urn:epc:class:lgtin:893500.1800000.UM2605-01", "quantity": 80`, "event 2 (urn:uuid:4a1c2e6e-6a39-4f5e-9d0b-6f3c8f0b1a02): identifier \"urn:epc:class:lgtin"},
		{"an event without an eventID is refused", `"eventID": "urn:uuid:4a1c2e6e-6a39-4f5e-9d0b-6f3c8f0b1a02",`, ``, "event 2: eventID missing"},
		{"a zone offset the schema refuses is refused", `"eventTimeZoneOffset": "+07:00",
        "action"`, `"eventTimeZoneOffset": "+7",
        "action"`, "event 1 (urn:uuid:4a1c2e6e-6a39-4f5e-9d0b-6f3c8f0b1a01): eventTimeZoneOffset \"+7\""},
		{"an ObjectEvent without an action is refused", `"action": "OBSERVE",`, ``, "event 1 (urn:uuid:4a1c2e6e-6a39-4f5e-9d0b-6f3c8f0b1a01): action \"\""},
		{"a time that is not a time is refused", `"2026-05-12T14:00:00+07:00"`, `"12/5/2026"`, "event 2 (urn:uuid:4a1c2e6e-6a39-4f5e-9d0b-6f3c8f0b1a02): eventTime \"12/5/2026\""},
		{"another kind of event is refused", `"type": "TransformationEvent"`, `"type": "AssociationEvent"`, "event 2 (urn:uuid:4a1c2e6e-6a39-4f5e-9d0b-6f3c8f0b1a02): type \"AssociationEvent\""},
		{"the same event twice is refused", `4a1c2e6e-6a39-4f5e-9d0b-6f3c8f0b1a02`, `4a1c2e6e-6a39-4f5e-9d0b-6f3c8f0b1a01`, "event 2: eventID urn:uuid:4a1c2e6e-6a39-4f5e-9d0b-6f3c8f0b1a01 appears twice"},
		{"a document of another schema version is refused", `"schemaVersion": "2.0"`, `"schemaVersion": "1.2"`, `schemaVersion "1.2"`},
		{"a document without the EPCIS context is refused", `"https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", `, ``, "@context must name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bad := strings.Replace(good, tc.from, tc.to, 1)
			if bad == good {
				t.Fatalf("%q is not in the document", tc.from)
			}
			_, err := ParseEPCISCapture([]byte(bad), knownHoneyLot)
			if !errors.Is(err, ErrBadEPCIS) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want ErrBadEPCIS naming %q", err, tc.want)
			}
		})
	}
	t.Run("a document over a megabyte is refused before it is read", func(t *testing.T) {
		_, err := ParseEPCISCapture(make([]byte, MaxEPCISDocument+1), knownHoneyLot)
		if !errors.Is(err, ErrBadEPCIS) {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("a lot keeps at most its share of producers' events", func(t *testing.T) {
		l := Lot{SKU: "HONEY", Code: "UM2605-01"}
		var evs []CapturedEvent
		for i := range MaxCapturedPerLot + 1 {
			evs = append(evs, CapturedEvent{EventID: "urn:x:" + string(rune('a'+i%26)) + strings.Repeat("z", i/26), Raw: json.RawMessage(`{}`)})
		}
		if n, err := AddCaptured(&l, evs); !errors.Is(err, ErrBadEPCIS) || n != MaxCapturedPerLot {
			t.Fatalf("%d added, %v", n, err)
		}
	})
}
