package kiosk

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// noRedirect asks the kiosk without following a redirect, as a resolver's
// client sees the answer.
func (k *testKiosk) noRedirect(path string, headers ...string) resp {
	k.t.Helper()
	req, err := http.NewRequest("GET", k.url+path, nil)
	if err != nil {
		k.t.Fatal(err)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Do(req)
	if err != nil {
		k.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return resp{res.StatusCode, res.Header, b}
}

// Each GS1 link type on a Digital Link path leads where the resolver
// standard says: the page, the lot's EPCIS events, the OCOP certificate, the
// linkset for all, and the default link, with a note, for a type the item
// has no link of.
func TestTheKioskResolvesEachLinkType(t *testing.T) {
	k := startKiosk(t, t.TempDir())
	lot := "/01/" + honeyGTIN + "/10/UM2605-01"
	for _, tt := range []struct {
		name, path string
		location   string // the path and query the 307 leads to; "" for a 200
		note       bool
	}{
		{"gs1:pip leads to the lot's page", lot + "?linkType=gs1:pip", lot, false},
		{"the link type's URI is the same as its CURIE", lot + "?linkType=" + url.QueryEscape("https://gs1.org/voc/pip"), lot, false},
		{"gs1:defaultLink leads to the page", lot + "?linkType=gs1:defaultLink", lot, false},
		{"gs1:traceability leads to the lot's EPCIS events", lot + "?linkType=gs1:traceability", "/api/v1/epcis/events?gtin=" + honeyGTIN + "&lot=UM2605-01", false},
		{"gs1:traceability of a product leads to all its events", "/01/" + honeyGTIN + "?linkType=gs1:traceability", "/api/v1/epcis/events?gtin=" + honeyGTIN, false},
		{"gs1:certificationInfo leads to the OCOP certificate", lot + "?linkType=gs1:certificationInfo", "/01/" + honeyGTIN + "#ocop-certificate", false},
		{"a label's expiry stays out of the page it leads to", lot + "/21/0001?17=280515&linkType=gs1:pip", lot + "/21/0001", false},
		{"a link type the item lacks leads to the default link with a note", lot + "?linkType=gs1:recipeInfo", lot, true},
		{"a link type of another vocabulary is not one of GS1's", lot + "?linkType=schema:url", lot, true},
		{"a query the resolver does not use is passed on", lot + "?utm_source=poster&linkType=gs1:pip&utm_campaign=h%E1%BB%99i+ch%E1%BB%A3", lot + "?utm_source=poster&utm_campaign=h%E1%BB%99i+ch%E1%BB%A3", false},
		{"passed on after the target's own query", lot + "?linkType=gs1:traceability&utm_source=poster", "/api/v1/epcis/events?gtin=" + honeyGTIN + "&lot=UM2605-01&utm_source=poster", false},
		{"passed on before the target's fragment", lot + "?linkType=gs1:certificationInfo&utm_source=poster", "/01/" + honeyGTIN + "?utm_source=poster#ocop-certificate", false},
		{"the expiry and the page's language are not passed on", lot + "/21/0001?17=280515&lang=en&linkType=gs1:pip&ref=qr", lot + "/21/0001?ref=qr", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := k.noRedirect(tt.path)
			if r.Status != http.StatusTemporaryRedirect {
				t.Fatalf("status %d, want 307: %s", r.Status, r.Body)
			}
			u, err := url.Parse(r.Header.Get("Location"))
			if err != nil || !u.IsAbs() {
				t.Fatalf("Location %q is not an absolute URL", r.Header.Get("Location"))
			}
			got := u.EscapedPath()
			if u.RawQuery != "" {
				got += "?" + u.RawQuery
			}
			if u.Fragment != "" {
				got += "#" + u.Fragment
			}
			if got != tt.location {
				t.Errorf("Location %s, want …%s", r.Header.Get("Location"), tt.location)
			}
			if note := r.Header.Get("X-GS1-Resolver-Note"); (note != "") != tt.note {
				t.Errorf("note %q, want one: %v", note, tt.note)
			}
		})
	}

	t.Run("linkType=all answers the linkset as RFC 9264 JSON", func(t *testing.T) {
		r := k.noRedirect(lot + "?linkType=all")
		if r.Status != 200 || r.Header.Get("Content-Type") != "application/linkset+json" {
			t.Fatalf("%d %s: %s", r.Status, r.Header.Get("Content-Type"), r.Body)
		}
		var ls struct {
			Linkset []map[string]json.RawMessage `json:"linkset"`
		}
		r.json(t, &ls)
		if len(ls.Linkset) != 1 {
			t.Fatalf("linkset: %s", r.Body)
		}
		var anchor string
		_ = json.Unmarshal(ls.Linkset[0]["anchor"], &anchor)
		if !strings.HasSuffix(anchor, lot) {
			t.Errorf("anchor %q", anchor)
		}
		for _, rel := range []string{"defaultLink", "pip", "traceability", "certificationInfo"} {
			var targets []struct{ Href, Type string }
			if err := json.Unmarshal(ls.Linkset[0]["https://gs1.org/voc/"+rel], &targets); err != nil || len(targets) != 1 || targets[0].Href == "" {
				t.Errorf("gs1:%s: %s", rel, ls.Linkset[0]["https://gs1.org/voc/"+rel])
			}
		}
	})

	t.Run("the page carries its links in a Link header, and CORS", func(t *testing.T) {
		r := k.noRedirect(lot)
		if r.Status != 200 {
			t.Fatalf("%d", r.Status)
		}
		link := r.Header.Get("Link")
		for _, want := range []string{`rel="https://gs1.org/voc/pip"`, `rel="https://gs1.org/voc/traceability"`,
			`rel="https://gs1.org/voc/certificationInfo"`, `?linkType=all>; rel="linkset"`} {
			if !strings.Contains(link, want) {
				t.Errorf("Link header lacks %s: %s", want, link)
			}
		}
		if r.Header.Get("Access-Control-Allow-Origin") != "*" {
			t.Errorf("no CORS: %v", r.Header)
		}
		if h := k.do("HEAD", lot+"?linkType=all", nil); h.Status != 200 || h.Header.Get("Content-Type") != "application/linkset+json" || len(h.Body) != 0 {
			t.Errorf("HEAD: %d %s %q", h.Status, h.Header.Get("Content-Type"), h.Body)
		}
	})

	t.Run("a malformed Digital Link is a 400, an unknown GTIN a 404", func(t *testing.T) {
		if r := k.noRedirect("/01/08936072100153?linkType=gs1:pip"); r.Status != 400 {
			t.Errorf("wrong check digit: %d", r.Status)
		}
		if r := k.noRedirect("/01/"+honeyGTIN+"/10?linkType=all", "Accept", "application/json"); r.Status != 400 || !strings.Contains(string(r.Body), "bad_digital_link") {
			t.Errorf("malformed path: %d %s", r.Status, r.Body)
		}
		if r := k.noRedirect("/01/08936072199996?linkType=gs1:pip"); r.Status != 404 {
			t.Errorf("unknown GTIN: %d", r.Status)
		}
	})
}

func TestTheKioskDescribesItsResolver(t *testing.T) {
	k := startKiosk(t, t.TempDir())
	r := k.noRedirect("/.well-known/gs1resolver")
	var d struct {
		Name                        string
		ResolverRoot                string
		SupportedPrimaryKeys        []string
		SupportedLinkType           []struct{ Namespace, Prefix string }
		LinkTypeDefaultCanBeLinkset *bool
	}
	r.json(t, &d)
	if r.Status != 200 || d.Name == "" || !strings.HasPrefix(d.ResolverRoot, "http") || len(d.SupportedPrimaryKeys) != 1 || d.SupportedPrimaryKeys[0] != "01" ||
		len(d.SupportedLinkType) != 1 || d.SupportedLinkType[0].Prefix != "gs1:" || d.SupportedLinkType[0].Namespace != "https://gs1.org/voc/" || d.LinkTypeDefaultCanBeLinkset == nil {
		t.Fatalf("%d %s", r.Status, r.Body)
	}
}

// A page of another site may ask the resolver across origins with headers of
// its own (Accept: application/linkset+json): the browser's preflight gets
// its answer; and a query the resolver does not use does not make the page an
// error.
func TestTheKioskAnswersAResolverPreflightAndIgnoresOtherQueries(t *testing.T) {
	k := startKiosk(t, t.TempDir())
	for _, path := range []string{"/01/" + honeyGTIN + "/10/UM2605-01", "/.well-known/gs1resolver"} {
		req, _ := http.NewRequest(http.MethodOptions, k.url+path, nil)
		req.Header.Set("Origin", "https://shop.example")
		req.Header.Set("Access-Control-Request-Method", "GET")
		req.Header.Set("Access-Control-Request-Headers", "accept")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusNoContent || res.Header.Get("Access-Control-Allow-Origin") != "*" ||
			!strings.Contains(res.Header.Get("Access-Control-Allow-Methods"), "GET") ||
			!strings.Contains(res.Header.Get("Access-Control-Allow-Headers"), "Accept") ||
			!strings.Contains(res.Header.Get("Allow"), "OPTIONS") {
			t.Errorf("OPTIONS %s: %d %v", path, res.StatusCode, res.Header)
		}
	}
	if r := k.do("GET", "/01/"+honeyGTIN+"/10/UM2605-01?utm_source=poster", nil); r.Status != 200 || !strings.Contains(string(r.Body), "UM2605-01") {
		t.Errorf("the page with a campaign's query: %d", r.Status)
	}
	// A GS1 key the kiosk does not use still changes what is identified: refused.
	if r := k.do("GET", "/01/"+honeyGTIN+"?3103=000500", nil); r.Status != 400 {
		t.Errorf("a net weight in the query: %d, want 400", r.Status)
	}
}
