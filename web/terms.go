package web

import (
	"encoding/json"
	"io/fs"
	"regexp"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The catalog's words a tourist reads — units, certifications, the common
// nouns of origins — in English, for the trace pages. The dictionary is the
// screens' own (static/js/terms.js, strict JSON after "export default"), so a
// trace page and a screen never word one lot two ways; the rules are those of
// i18n.js (unitName, certName, originName), pinned for both by
// jstest/testdata/terms-cases.json.
type terms struct {
	Units          map[string]string `json:"units"`
	Certifications map[string]string `json:"certifications"`
	Places         map[string]string `json:"places"`
	places         []place           // longest first
}

type place struct{ vi, en, prefix string }

var catalogTerms = loadTerms()

func loadTerms() *terms {
	b, err := fs.ReadFile(Static(), "js/terms.js")
	if err != nil {
		panic("web: terms.js missing: " + err.Error()) // cannot happen: it is embedded
	}
	t, err := parseTerms(b)
	if err != nil {
		panic("web: terms.js: " + err.Error()) // TestTermsFileIsJSON catches it first
	}
	return t
}

// parseTerms reads terms.js: comment lines, then "export default", the JSON
// object, and a semicolon.
func parseTerms(b []byte) (*terms, error) {
	s := string(b)
	i := strings.Index(s, "export default ")
	j := strings.LastIndex(s, "};")
	if i < 0 || j < i {
		return nil, errTermsLayout
	}
	var t terms
	if err := json.Unmarshal([]byte(s[i+len("export default "):j+1]), &t); err != nil {
		return nil, err
	}
	for vi, en := range t.Places {
		p := place{vi: vi, en: en}
		if strings.HasSuffix(vi, " {}") {
			p.prefix = strings.TrimSuffix(vi, " {}")
		}
		t.places = append(t.places, p)
	}
	sort.Slice(t.places, func(a, b int) bool {
		la, lb := utf8.RuneCountInString(t.places[a].vi), utf8.RuneCountInString(t.places[b].vi)
		if la != lb {
			return la > lb
		}
		return t.places[a].vi < t.places[b].vi
	})
	return &t, nil
}

type termsError string

func (e termsError) Error() string { return string(e) }

const errTermsLayout = termsError(`want comment lines, then "export default {…};"`)

var reSpaces = regexp.MustCompile(`\s+`)

func squash(s string) string { return strings.TrimSpace(reSpaces.ReplaceAllString(s, " ")) }

// UnitName is a catalog unit in lang ("chai" is "bottle" in English).
func UnitName(unit, lang string) string {
	u := squash(unit)
	if lang != "en" {
		return u
	}
	if en, ok := catalogTerms.Units[strings.ToLower(u)]; ok {
		return en
	}
	return u
}

// CertName is a lot's certification in lang ("Hữu cơ" is "Organic").
func CertName(cert, lang string) string {
	c := squash(cert)
	if lang != "en" {
		return c
	}
	if en, ok := catalogTerms.Certifications[strings.ToLower(c)]; ok {
		return en
	}
	return c
}

// OriginName is a lot's origin in lang, read part by part against the
// dictionary's places as i18n.js's originName reads it.
func OriginName(origin, lang string) string {
	o := squash(origin)
	if lang != "en" || o == "" {
		return o
	}
	var parts []string
	for _, part := range strings.Split(o, ",") {
		if p := catalogTerms.placeName(strings.TrimSpace(part)); p != "" {
			parts = append(parts, p)
		}
	}
	out := strings.Join(parts, ", ")
	r, n := utf8.DecodeRuneInString(out)
	return string(unicode.ToUpper(r)) + out[n:]
}

func (t *terms) placeName(part string) string {
	low := strings.ToLower(part)
	for _, p := range t.places {
		if p.prefix == "" && low == p.vi {
			return p.en
		}
	}
	if both := strings.Split(part, " và "); len(both) > 1 {
		for i, x := range both {
			both[i] = t.placeName(strings.TrimSpace(x))
		}
		return strings.Join(both, " and ")
	}
	for _, p := range t.places {
		if p.prefix != "" && strings.HasPrefix(low, p.prefix+" ") {
			if rest := strings.TrimSpace(part[len(p.prefix)+1:]); rest != "" {
				return strings.Replace(p.en, "{}", t.placeName(rest), 1)
			}
		}
	}
	return part
}
