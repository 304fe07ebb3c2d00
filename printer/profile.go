package printer

import (
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// Profile describes a printer model family: what the encoder may use. Code-page
// numbers for the Epson TM series come from escpos-printer-db (CC BY 4.0); clone
// numbers vary by firmware, so every field can be overridden from the printer URL.
type Profile struct {
	Name      string
	Vendor    string
	WidthDots int // printable width: 384 for 58 mm, 576 for 80 mm (203 dpi)
	ColumnsA  int // characters per line in font A (12×24)
	ColumnsB  int // font B (9×17)
	// Pages maps each Vietnamese-capable code page to its ESC t number.
	Pages map[string]byte
	// LeaveChinese sends FS . first: many clones start in a Chinese double-byte
	// mode that would swallow the bytes above 0x7F.
	LeaveChinese bool
	NativeQR     bool // GS ( k model 2
	Status       bool // answers DLE EOT
	Cutter       bool
	Drawer       bool
	Language     string // "escpos" or "tspl"
	// LabelWidthMM and LabelHeightMM are the default label size for TSPL printers.
	LabelWidthMM, LabelHeightMM int
}

// Profiles are the built-in printer models by name.
var Profiles = map[string]Profile{
	"epson-tm-t20": {Name: "epson-tm-t20", Vendor: "Epson", WidthDots: 576, ColumnsA: 48, ColumnsB: 64,
		Pages: map[string]byte{PageTCVN3Lower: 30, PageTCVN3Upper: 31, PageCP1258: 52}, NativeQR: true, Status: true, Cutter: true, Drawer: true},
	"epson-tm-t82": {Name: "epson-tm-t82", Vendor: "Epson", WidthDots: 576, ColumnsA: 48, ColumnsB: 64,
		Pages: map[string]byte{PageTCVN3Lower: 30, PageTCVN3Upper: 31, PageCP1258: 52}, NativeQR: true, Status: true, Cutter: true, Drawer: true},
	"epson-tm-t88": {Name: "epson-tm-t88", Vendor: "Epson", WidthDots: 512, ColumnsA: 42, ColumnsB: 56,
		Pages: map[string]byte{PageTCVN3Lower: 30, PageTCVN3Upper: 31, PageCP1258: 52}, NativeQR: true, Status: true, Cutter: true, Drawer: true},
	"xprinter-58": {Name: "xprinter-58", Vendor: "Xprinter", WidthDots: 384, ColumnsA: 32, ColumnsB: 42,
		Pages: map[string]byte{PageCP1258: 27}, LeaveChinese: true, NativeQR: true, Status: true, Cutter: false, Drawer: true},
	"xprinter-80": {Name: "xprinter-80", Vendor: "Xprinter", WidthDots: 576, ColumnsA: 48, ColumnsB: 64,
		Pages: map[string]byte{PageCP1258: 27}, LeaveChinese: true, NativeQR: true, Status: true, Cutter: true, Drawer: true},
	"rongta-80": {Name: "rongta-80", Vendor: "Rongta", WidthDots: 576, ColumnsA: 48, ColumnsB: 64,
		Pages: map[string]byte{PageCP1258: 35}, LeaveChinese: true, NativeQR: true, Status: true, Cutter: true, Drawer: true},
	"generic-58": {Name: "generic-58", Vendor: "generic", WidthDots: 384, ColumnsA: 32, ColumnsB: 42,
		Pages: map[string]byte{}, LeaveChinese: true, NativeQR: false, Status: true},
	"generic-80": {Name: "generic-80", Vendor: "generic", WidthDots: 576, ColumnsA: 48, ColumnsB: 64,
		Pages: map[string]byte{}, LeaveChinese: true, NativeQR: false, Status: true, Cutter: true},
	"tspl-label": {Name: "tspl-label", Vendor: "generic", WidthDots: 400, Language: "tspl", NativeQR: true,
		LabelWidthMM: 50, LabelHeightMM: 30},
}

// DefaultProfile is used when a printer URL names none: an Epson TM-T20-class
// 80 mm printer with TCVN-3, which most Vietnamese resellers ship configured.
const DefaultProfile = "epson-tm-t20"

// ProfileNames lists the built-in profiles, sorted.
func ProfileNames() []string {
	names := make([]string, 0, len(Profiles))
	for n := range Profiles {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// ProfileFromQuery picks the profile named by ?profile= (default DefaultProfile)
// and applies overrides from the query: width=DOTS, cols=N (font A), colsb=N,
// tcvn3=LOWER,UPPER or tcvn3=none, cp1258=N or cp1258=none, fs=0|1 (leave Chinese
// mode), qr=0|1 (native QR), status=0|1, cut=0|1, drawer=0|1, label=WxH (mm).
func ProfileFromQuery(q url.Values) (Profile, error) {
	name := q.Get("profile")
	if name == "" {
		name = DefaultProfile
	}
	base, ok := Profiles[name]
	if !ok {
		return Profile{}, fmt.Errorf("printer profile %q unknown; known: %s", name, strings.Join(ProfileNames(), ", "))
	}
	p := base
	p.Pages = map[string]byte{}
	for k, v := range base.Pages {
		p.Pages[k] = v
	}
	num := func(key string, lo, hi int) (int, bool, error) {
		v := q.Get(key)
		if v == "" {
			return 0, false, nil
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < lo || n > hi {
			return 0, false, fmt.Errorf("printer URL %s=%q: want %d to %d", key, v, lo, hi)
		}
		return n, true, nil
	}
	flag := func(key string, dst *bool) error {
		switch q.Get(key) {
		case "":
		case "1", "true", "yes":
			*dst = true
		case "0", "false", "no":
			*dst = false
		default:
			return fmt.Errorf("printer URL %s=%q: want 0 or 1", key, q.Get(key))
		}
		return nil
	}
	if n, ok, err := num("width", 96, 2400); err != nil {
		return p, err
	} else if ok {
		p.WidthDots = n
	}
	if n, ok, err := num("cols", 16, 96); err != nil {
		return p, err
	} else if ok {
		p.ColumnsA = n
	}
	if n, ok, err := num("colsb", 16, 128); err != nil {
		return p, err
	} else if ok {
		p.ColumnsB = n
	}
	if v := q.Get("tcvn3"); v != "" {
		delete(p.Pages, PageTCVN3Lower)
		delete(p.Pages, PageTCVN3Upper)
		if v != "none" {
			lo, up, ok := strings.Cut(v, ",")
			l, err1 := strconv.Atoi(lo)
			u, err2 := strconv.Atoi(up)
			if !ok || err1 != nil || err2 != nil || l < 0 || l > 255 || u < 0 || u > 255 {
				return p, fmt.Errorf("printer URL tcvn3=%q: want LOWER,UPPER ESC t numbers like 30,31, or none", v)
			}
			p.Pages[PageTCVN3Lower], p.Pages[PageTCVN3Upper] = byte(l), byte(u)
		}
	}
	if v := q.Get("cp1258"); v != "" {
		delete(p.Pages, PageCP1258)
		if v != "none" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 || n > 255 {
				return p, fmt.Errorf("printer URL cp1258=%q: want an ESC t number like 52, or none", v)
			}
			p.Pages[PageCP1258] = byte(n)
		}
	}
	for key, dst := range map[string]*bool{"fs": &p.LeaveChinese, "qr": &p.NativeQR, "status": &p.Status, "cut": &p.Cutter, "drawer": &p.Drawer} {
		if err := flag(key, dst); err != nil {
			return p, err
		}
	}
	if v := q.Get("label"); v != "" {
		w, h, ok := strings.Cut(v, "x")
		wi, err1 := strconv.Atoi(w)
		hi, err2 := strconv.Atoi(h)
		if !ok || err1 != nil || err2 != nil || wi < 10 || hi < 10 || wi > 120 || hi > 300 {
			return p, fmt.Errorf("printer URL label=%q: want WIDTHxHEIGHT in mm like 50x30", v)
		}
		p.LabelWidthMM, p.LabelHeightMM = wi, hi
	}
	return p, nil
}

// Columns is the characters per line in font A.
func (p Profile) Columns() int {
	if p.ColumnsA > 0 {
		return p.ColumnsA
	}
	return p.WidthDots / 12
}
