package pos

import "testing"

func TestLinkTypesAreReadAsCURIEsOrURIs(t *testing.T) {
	for _, tt := range []struct {
		name, in, term string
		ok             bool
	}{
		{"a CURIE", "gs1:pip", LinkPIP, true},
		{"the URI", "https://gs1.org/voc/traceability", LinkTraceability, true},
		{"the ref.gs1.org URI", "https://ref.gs1.org/voc/certificationInfo", LinkCertification, true},
		{"all", "all", LinkAll, true},
		{"another vocabulary", "schema:url", "", false},
		{"a bare word", "pip", "", false},
		{"an empty term", "gs1:", "", false},
		{"a term with a slash", "gs1:pip/x", "", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			term, ok := ParseLinkType(tt.in)
			if term != tt.term || ok != tt.ok {
				t.Errorf("ParseLinkType(%q) = %q, %v; want %q, %v", tt.in, term, ok, tt.term, tt.ok)
			}
		})
	}
}

func TestAProductWithoutACertificateHasNoCertificationLink(t *testing.T) {
	dl := DigitalLink{GTIN: "08936072100152", Lot: "L1"}
	with := NewTraceLinks("https://k.example/", dl, Product{Name: "Mật ong", CertNo: "123/QĐ"})
	if href, ok := with.Target(LinkCertification); !ok || href != "https://k.example/01/08936072100152#ocop-certificate" {
		t.Errorf("with a certificate: %q %v", href, ok)
	}
	without := NewTraceLinks("https://k.example", dl, Product{Name: "Mật ong"})
	if _, ok := without.Target(LinkCertification); ok {
		t.Error("a link to a certificate the product has not")
	}
	if h := with.LinkHeader("x"); !isASCII(h) {
		t.Errorf("the Link header is not ASCII: %s", h)
	}
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
