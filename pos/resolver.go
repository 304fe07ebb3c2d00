package pos

import (
	"fmt"
	"net/url"
	"strings"
)

// The GS1 link types the kiosk and the hub resolve a Digital Link to (GS1 Web
// Vocabulary terms; the GS1-Conformant Resolver standard 1.2 names them as
// CURIEs, gs1:pip, or as URIs in https://gs1.org/voc/).
const (
	LinkDefault       = "defaultLink"
	LinkPIP           = "pip"
	LinkTraceability  = "traceability"
	LinkCertification = "certificationInfo"
	// LinkAll asks for every link at once: the linkset.
	LinkAll = "all"
)

// GS1Voc is the namespace of GS1's link types as a linkset writes them.
const GS1Voc = "https://gs1.org/voc/"

// gs1VocAliases are the spellings of the namespace the standard treats as one.
var gs1VocAliases = []string{"https://gs1.org/voc/", "http://gs1.org/voc/", "https://www.gs1.org/voc/", "https://ref.gs1.org/voc/", "gs1:"}

// ParseLinkType reads a linkType query value: all, a CURIE (gs1:pip) or the
// type's URI (https://gs1.org/voc/pip, https://ref.gs1.org/voc/pip). It
// answers the GS1 term and whether the value named a GS1 link type at all; a
// link type of another vocabulary, or a malformed one, is not.
func ParseLinkType(v string) (string, bool) {
	if v == LinkAll {
		return LinkAll, true
	}
	for _, ns := range gs1VocAliases {
		if term, ok := strings.CutPrefix(v, ns); ok && term != "" && len(term) <= 64 && isVocTerm(term) {
			return term, true
		}
	}
	return "", false
}

func isVocTerm(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// TraceLinks are the links a Digital Link resolves to on a kiosk or the hub:
// its page, its EPCIS events and the product's OCOP certificate.
type TraceLinks struct {
	Anchor      string // the Digital Link asked about, with the resolver's origin
	Page        string // the trace page (gs1:pip and the default link)
	Title       string // the product's name, the page's title
	Events      string // GET /api/v1/epcis/events for the product or lot
	Certificate string // the OCOP certificate on the product's page; "" without one
	CertNo      string
}

// NewTraceLinks builds the links of dl (a product, a lot or a label) on the
// resolver at base, for product p.
func NewTraceLinks(base string, dl DigitalLink, p Product) TraceLinks {
	base = strings.TrimRight(base, "/")
	anchorDL := dl
	anchorDL.Base = base
	anchor, _ := anchorDL.String()
	pageDL := anchorDL
	pageDL.Expiry = Date{} // the page of a label is the label's path, whatever expiry it carried
	page, _ := pageDL.String()
	q := url.Values{"gtin": {dl.GTIN}}
	if dl.Lot != "" {
		q.Set("lot", dl.Lot)
	}
	t := TraceLinks{Anchor: anchor, Page: page, Title: p.Name, Events: base + "/api/v1/epcis/events?" + q.Encode(), CertNo: p.CertNo}
	if p.CertNo != "" {
		product, _ := DigitalLink{Base: base, GTIN: dl.GTIN}.String()
		t.Certificate = product + "#ocop-certificate"
	}
	return t
}

// Target is where a link type leads, and whether this Digital Link has a
// link of that type.
func (t TraceLinks) Target(term string) (string, bool) {
	switch term {
	case LinkDefault, LinkPIP:
		return t.Page, true
	case LinkTraceability:
		return t.Events, true
	case LinkCertification:
		return t.Certificate, t.Certificate != ""
	}
	return "", false
}

// LinksetLink is one target in a linkset (RFC 9264 target attributes).
type LinksetLink struct {
	Href     string   `json:"href"`
	Title    string   `json:"title,omitempty"`
	Type     string   `json:"type,omitempty"`
	Hreflang []string `json:"hreflang,omitempty"`
}

// links lists the link types in the order the Link header gives them.
func (t TraceLinks) links() []struct {
	Term string
	Link LinksetLink
} {
	page := LinksetLink{Href: t.Page, Title: t.Title, Type: "text/html", Hreflang: []string{"vi", "en"}}
	out := []struct {
		Term string
		Link LinksetLink
	}{
		{LinkDefault, page},
		{LinkPIP, page},
		{LinkTraceability, LinksetLink{Href: t.Events, Title: "EPCIS 2.0 · Truy xuất nguồn gốc / Traceability", Type: "application/ld+json"}},
	}
	if t.Certificate != "" {
		out = append(out, struct {
			Term string
			Link LinksetLink
		}{LinkCertification, LinksetLink{Href: t.Certificate, Title: "OCOP " + t.CertNo, Type: "text/html", Hreflang: []string{"vi", "en"}}})
	}
	return out
}

// Linkset is the RFC 9264 JSON document (application/linkset+json) that
// linkType=all answers: one context object anchored at the Digital Link, each
// GS1 link type as a relation of full URI.
func (t TraceLinks) Linkset() map[string][]map[string]any {
	ctx := map[string]any{"anchor": t.Anchor}
	for _, l := range t.links() {
		ctx[GS1Voc+l.Term] = []LinksetLink{l.Link}
	}
	return map[string][]map[string]any{"linkset": {ctx}}
}

// LinkHeader is the HTTP Link header (RFC 8288) that every answer about the
// Digital Link carries: each link type, and the linkset itself (rel linkset).
func (t TraceLinks) LinkHeader(linkset string) string {
	var parts []string
	for _, l := range t.links() {
		if l.Term == LinkDefault {
			continue // the same target as gs1:pip; the linkset names it
		}
		p := fmt.Sprintf("<%s>; rel=%q; type=%q", l.Link.Href, GS1Voc+l.Term, l.Link.Type)
		if l.Link.Title != "" {
			p += fmt.Sprintf("; title=%q", asciiTitle(l.Link.Title))
		}
		parts = append(parts, p)
	}
	parts = append(parts, fmt.Sprintf("<%s>; rel=\"linkset\"; type=\"application/linkset+json\"", linkset))
	return strings.Join(parts, ", ")
}

// asciiTitle keeps a header's title to ASCII (an HTTP header is not UTF-8):
// Vietnamese letters fold to their base letters, anything else is dropped.
func asciiTitle(s string) string {
	f := Fold(s)
	var b strings.Builder
	for i := 0; i < len(f); i++ {
		if c := f[i]; c >= 0x20 && c < 0x7f && c != '"' && c != '\\' {
			b.WriteByte(c)
		}
	}
	return b.String()
}

// ResolverDescription is the resolver description file served at
// /.well-known/gs1resolver (GS1-Conformant Resolver standard 1.2, whose JSON
// schema names these fields).
type ResolverDescription struct {
	Name                        string          `json:"name"`
	ResolverRoot                string          `json:"resolverRoot"`
	SupportedPrimaryKeys        []string        `json:"supportedPrimaryKeys"`
	SupportedLinkType           []LinkNamespace `json:"supportedLinkType"`
	LinkTypeDefaultCanBeLinkset bool            `json:"linkTypeDefaultCanBeLinkset"`
	LinkTypeDefaultCanBeAll     bool            `json:"linkTypeDefaultCanBeAll"`
}

// LinkNamespace is a vocabulary the resolver recognises and its CURIE prefix.
type LinkNamespace struct {
	Namespace string `json:"namespace"`
	Prefix    string `json:"prefix"`
}

// NewResolverDescription describes the resolver at root: GTINs (AI 01) with
// their qualifiers, GS1's link types.
func NewResolverDescription(name, root string) ResolverDescription {
	return ResolverDescription{Name: name, ResolverRoot: strings.TrimRight(root, "/"),
		SupportedPrimaryKeys: []string{"01"},
		SupportedLinkType:    []LinkNamespace{{Namespace: GS1Voc, Prefix: "gs1:"}}}
}
