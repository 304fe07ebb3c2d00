package pos

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// ErrBadDigitalLink reports a GS1 Digital Link URI (or its parts) that does not
// follow GS1 Digital Link 1.2 as the kiosk uses it.
var ErrBadDigitalLink = errors.New("invalid GS1 Digital Link")

// DigitalLink is a GS1 Digital Link URI for a product, a lot of it, or one
// serialised item: {base}/01/{GTIN-14}[/22/{CPV}][/10/{lot}[/21/{serial}]][?17=YYMMDD].
type DigitalLink struct {
	Base   string // scheme, host and optional path prefix: https://kiosk.example.vn
	GTIN   string // AI 01, 14 digits with a valid check digit
	CPV    string // AI 22, consumer product variant (optional)
	Lot    string // AI 10, batch or lot
	Serial string // AI 21, serial number (needs a lot here)
	Expiry Date   // AI 17, as the query ?17=YYMMDD
}

// isAI82 reports whether c is in GS1's 82-character set (AI 10, 21, 22 values).
func isAI82(c byte) bool {
	switch {
	case c >= '0' && c <= '9', c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z':
		return true
	}
	return strings.IndexByte(`!"%&'()*+,-./:;<=>?_`, c) >= 0
}

func checkAI82(ai, name, v string, maxLen int) error {
	if len(v) < 1 || len(v) > maxLen {
		return fmt.Errorf("%w: %s (AI %s) %q: 1 to %d characters", ErrBadDigitalLink, name, ai, v, maxLen)
	}
	for i := 0; i < len(v); i++ {
		if !isAI82(v[i]) {
			return fmt.Errorf("%w: %s (AI %s) %q: %q is not in the GS1 82-character set", ErrBadDigitalLink, name, ai, v, v[i])
		}
	}
	return nil
}

// Validate checks every part and normalises the GTIN to 14 digits.
func (d *DigitalLink) Validate() error {
	g, err := NormalizeGTIN(d.GTIN)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrBadDigitalLink, err)
	}
	d.GTIN = g
	if d.CPV != "" {
		if err := checkAI82("22", "variant", d.CPV, 20); err != nil {
			return err
		}
	}
	if d.Lot != "" {
		if err := checkAI82("10", "lot", d.Lot, 20); err != nil {
			return err
		}
	}
	if d.Serial != "" {
		if d.Lot == "" {
			return fmt.Errorf("%w: a serial (AI 21) needs its lot (AI 10) here", ErrBadDigitalLink)
		}
		if err := checkAI82("21", "serial", d.Serial, 20); err != nil {
			return err
		}
	}
	if d.Base != "" {
		u, err := url.Parse(d.Base)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			return fmt.Errorf("%w: base %q: want http(s)://host[/path]", ErrBadDigitalLink, d.Base)
		}
	}
	return nil
}

// segment percent-encodes a path value: everything but unreserved characters.
func segment(v string) string {
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || strings.IndexByte("-._~", c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// Path is the URI path from /01/ on, with the expiry query.
func (d DigitalLink) Path() (string, error) {
	if err := d.Validate(); err != nil {
		return "", err
	}
	p := "/01/" + d.GTIN
	if d.CPV != "" {
		p += "/22/" + segment(d.CPV)
	}
	if d.Lot != "" {
		p += "/10/" + segment(d.Lot)
	}
	if d.Serial != "" {
		p += "/21/" + segment(d.Serial)
	}
	if !d.Expiry.IsZero() {
		p += "?17=" + d.Expiry.Time().Format("060102")
	}
	return p, nil
}

// String builds the URI (with Base; without one, the path alone).
func (d DigitalLink) String() (string, error) {
	p, err := d.Path()
	if err != nil {
		return "", err
	}
	return strings.TrimRight(d.Base, "/") + p, nil
}

// ParseDigitalLink reads a GS1 Digital Link URI or path: /01/ then optionally
// 22, 10 and 21 in that order, each once, and in the query only 17 (expiry,
// YYMMDD; DD 00 is the month's last day). Anything else is refused.
func ParseDigitalLink(raw string) (DigitalLink, error) {
	if len(raw) > 2048 {
		return DigitalLink{}, fmt.Errorf("%w: longer than 2048 characters", ErrBadDigitalLink)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return DigitalLink{}, fmt.Errorf("%w: %v", ErrBadDigitalLink, err)
	}
	if u.Fragment != "" {
		return DigitalLink{}, fmt.Errorf("%w: a fragment is not allowed", ErrBadDigitalLink)
	}
	path := u.EscapedPath()
	i := strings.Index(path, "/01/")
	if i < 0 {
		return DigitalLink{}, fmt.Errorf("%w: no /01/{GTIN} in %q", ErrBadDigitalLink, raw)
	}
	var d DigitalLink
	if u.Scheme != "" || u.Host != "" {
		d.Base = u.Scheme + "://" + u.Host + path[:i]
	} else if i > 0 {
		d.Base = path[:i]
	}
	segs := strings.Split(strings.TrimSuffix(path[i+1:], "/"), "/")
	if len(segs)%2 != 0 {
		return DigitalLink{}, fmt.Errorf("%w: path %q: application identifiers and values come in pairs", ErrBadDigitalLink, path[i:])
	}
	order := map[string]int{"01": 0, "22": 1, "10": 2, "21": 3}
	last := -1
	for k := 0; k < len(segs); k += 2 {
		ai := segs[k]
		pos, ok := order[ai]
		if !ok {
			return DigitalLink{}, fmt.Errorf("%w: AI %q in the path; the kiosk knows 01, 22, 10, 21", ErrBadDigitalLink, ai)
		}
		if pos <= last {
			return DigitalLink{}, fmt.Errorf("%w: AI %s out of order or repeated (the order is 01, 22, 10, 21)", ErrBadDigitalLink, ai)
		}
		last = pos
		v, err := url.PathUnescape(segs[k+1])
		if err != nil {
			return DigitalLink{}, fmt.Errorf("%w: AI %s value %q: %v", ErrBadDigitalLink, ai, segs[k+1], err)
		}
		switch ai {
		case "01":
			d.GTIN = v
		case "22":
			d.CPV = v
		case "10":
			d.Lot = v
		case "21":
			d.Serial = v
		}
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return DigitalLink{}, fmt.Errorf("%w: query: %v", ErrBadDigitalLink, err)
	}
	for k, vs := range q {
		if k != "17" {
			return DigitalLink{}, fmt.Errorf("%w: query key %q; only 17 (expiry) is used", ErrBadDigitalLink, k)
		}
		if len(vs) != 1 {
			return DigitalLink{}, fmt.Errorf("%w: expiry given %d times", ErrBadDigitalLink, len(vs))
		}
		if d.Expiry, err = parseYYMMDD(vs[0]); err != nil {
			return DigitalLink{}, err
		}
	}
	if len(d.GTIN) != 14 {
		return DigitalLink{}, fmt.Errorf("%w: GTIN %q: a Digital Link carries 14 digits", ErrBadDigitalLink, d.GTIN)
	}
	if err := d.Validate(); err != nil {
		return DigitalLink{}, err
	}
	return d, nil
}

// parseYYMMDD reads a GS1 date: YY in the window of the GS1 general
// specifications (51–99 are 19xx only when that is more than 50 years back),
// DD 00 meaning the last day of the month.
func parseYYMMDD(s string) (Date, error) {
	if len(s) != 6 {
		return Date{}, fmt.Errorf("%w: expiry %q: want YYMMDD", ErrBadDigitalLink, s)
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return Date{}, fmt.Errorf("%w: expiry %q: want YYMMDD", ErrBadDigitalLink, s)
	}
	yy, mm, dd := n/10000, n/100%100, n%100
	if mm < 1 || mm > 12 {
		return Date{}, fmt.Errorf("%w: expiry %q: month %02d", ErrBadDigitalLink, s, mm)
	}
	year := 2000 + yy
	if yy >= 51 {
		year = 1900 + yy
	}
	if year < time.Now().Year()-49 {
		year += 100
	}
	last := time.Date(year, time.Month(mm)+1, 0, 0, 0, 0, 0, time.UTC).Day()
	if dd == 0 {
		dd = last
	}
	if dd > last {
		return Date{}, fmt.Errorf("%w: expiry %q: day %02d", ErrBadDigitalLink, s, dd)
	}
	return Date{year, mm, dd}, nil
}
