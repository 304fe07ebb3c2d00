package printer

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
)

// The two ways cheap shop scales talk over RS-232, and how their frames read.
//
// continuous: the scale sends its reading by itself several times a second, one
// ASCII line each, as many Chinese indicators and counter scales do:
//
//	ST,GS,+  1.235kg<CR><LF>
//
// status ST (stable), US (unstable), OL (overload), UL (underload), then GS
// (gross) or NT (net), the sign, the weight with its decimal point and the
// unit, kg or g. Indicators differ in spaces and commas: "ST,GS+ 5.12KG"
// (Selleton SL-7515/7516 manuals, "Communication format"), "ST,GS,    0.0,kg"
// with an RS-485 address "01" in front (Dini Argeo DGT4X/LTP manuals,
// "Standard string"). The parser takes all of these.
//
// toledo-8217: the Mettler Toledo 8217 protocol, which many POS scales offer
// (9600 baud, 7 data bits, even parity; Mettler Toledo DIVA service manual
// 6.1.4; Odoo's Toledo 8217 scale driver). The kiosk sends "W"; the scale
// answers STX "01.235" CR with the weight in kg and three decimals (a net
// weight adds "N"; pounds come with two decimals), or, when it has no weight
// to give — in motion, over capacity, under zero, a zero error — STX "?" and
// a status byte, CR. Status bits: 0 in motion, 1 over capacity, 2 under zero,
// 3 outside the zero capture range, 4 centre of zero, 5 net; bit 6 is always
// 1 and bit 7 is the parity bit.

// ScaleState says what a scale's reading is worth.
type ScaleState string

// Scale states.
const (
	ScaleOK       ScaleState = "ok"       // a stable weight, zero or more
	ScaleUnstable ScaleState = "unstable" // the weight is moving
	ScaleOverload ScaleState = "overload" // over capacity
	ScaleNegative ScaleState = "negative" // below zero (a tare with the plate off)
	ScaleError    ScaleState = "error"    // the scale reports a fault (a zero error)
	ScaleOffline  ScaleState = "offline"  // no reading: unplugged, switched off, or not understood
)

// Weighing is one reading a scale sent.
type Weighing struct {
	Grams  int64 // 0 when the scale gives no weight (overload, toledo in motion)
	Stable bool
	State  ScaleState
	Net    bool
}

// errScaleFrame marks a frame the protocol does not read (line noise, a wrong
// baud rate, another protocol).
var errScaleFrame = errors.New("scale frame not understood")

// errScaleUnit marks a weight in pounds or ounces: the kiosk sells by the kg.
var errScaleUnit = errors.New("the scale weighs in another unit than kg or g: set it to kg")

// maxScaleFrame bounds one frame: the longest real one is about 30 bytes.
const maxScaleFrame = 64

// maxScaleGrams bounds a weight (a platform scale's 100 t).
const maxScaleGrams = 100_000_000

// scaleProtocol is one of the protocols above.
type scaleProtocol struct {
	name string
	// request is what asks the scale for a reading; nil when it sends by itself.
	request []byte
	// dataBits and parity are the protocol's usual line settings, used when
	// the scale URL does not give them.
	dataBits int
	parity   byte
	parse    func(frame []byte) (Weighing, error)
}

var scaleProtocols = map[string]scaleProtocol{
	"continuous":  {name: "continuous", dataBits: 8, parity: 'N', parse: parseContinuous},
	"toledo-8217": {name: "toledo-8217", request: []byte("W"), dataBits: 7, parity: 'E', parse: parseToledo8217},
}

// ScaleProtocols names the protocols a scale URL may ask for.
func ScaleProtocols() []string { return []string{"continuous", "toledo-8217"} }

// scaleFramer cuts the bytes of a line into frames at CR or LF. A run of more
// than maxScaleFrame bytes without one is line noise: it comes out as a frame
// of its own (which will not parse) so that it is counted, not kept.
type scaleFramer struct{ buf []byte }

func (f *scaleFramer) push(b []byte) [][]byte {
	var out [][]byte
	for _, c := range b {
		if c == '\r' || c == '\n' {
			if len(f.buf) > 0 {
				out = append(out, f.buf)
				f.buf = nil
			}
			continue
		}
		f.buf = append(f.buf, c)
		if len(f.buf) > maxScaleFrame {
			out = append(out, f.buf)
			f.buf = nil
		}
	}
	return out
}

func (f *scaleFramer) reset() { f.buf = nil }

// parseContinuous reads one line of the continuous protocol.
func parseContinuous(frame []byte) (Weighing, error) {
	s := bytes.TrimSpace(bytes.TrimLeft(frame, "\x02"))
	// An RS-485 address in front: "01ST,GS,…".
	if len(s) >= 4 && isDigit(s[0]) && isDigit(s[1]) && !isDigit(s[2]) {
		s = s[2:]
	}
	if len(s) < 2 {
		return Weighing{}, fmt.Errorf("%w: %q", errScaleFrame, frame)
	}
	var w Weighing
	switch string(bytes.ToUpper(s[:2])) {
	case "ST":
		w.Stable = true
	case "US":
	case "OL":
		return Weighing{State: ScaleOverload}, nil
	case "UL":
		return Weighing{State: ScaleNegative}, nil
	default:
		return Weighing{}, fmt.Errorf("%w: %q", errScaleFrame, frame)
	}
	s = trimSeparators(s[2:])
	if len(s) >= 2 {
		switch string(bytes.ToUpper(s[:2])) {
		case "GS":
			s = s[2:]
		case "NT":
			w.Net = true
			s = s[2:]
		}
	}
	// What is left is sign, number and unit, with spaces or commas between.
	var rest []byte
	for _, c := range s {
		if c != ' ' && c != ',' {
			rest = append(rest, c)
		}
	}
	neg := false
	if len(rest) > 0 && (rest[0] == '+' || rest[0] == '-') {
		neg = rest[0] == '-'
		rest = rest[1:]
	}
	end := 0
	for end < len(rest) && (isDigit(rest[end]) || rest[end] == '.') {
		end++
	}
	num, unit := rest[:end], string(bytes.ToLower(rest[end:]))
	var scale int64
	switch unit {
	case "kg":
		scale = 1000
	case "g":
		scale = 1
	case "lb", "oz", "lbs":
		return Weighing{}, fmt.Errorf("%w (it sends %s)", errScaleUnit, unit)
	default:
		return Weighing{}, fmt.Errorf("%w: unit %q in %q", errScaleFrame, unit, frame)
	}
	g, err := decimalToGrams(num, scale)
	if err != nil {
		return Weighing{}, fmt.Errorf("%w: %v in %q", errScaleFrame, err, frame)
	}
	if neg {
		g = -g
	}
	w.Grams = g
	switch {
	case g < 0:
		w.State = ScaleNegative
	case w.Stable:
		w.State = ScaleOK
	default:
		w.State = ScaleUnstable
	}
	return w, nil
}

// parseToledo8217 reads one answer of the 8217 protocol (up to its CR).
func parseToledo8217(frame []byte) (Weighing, error) {
	f := make([]byte, len(frame))
	for i, c := range frame {
		f[i] = c & 0x7f // 7 data bits: a set top bit is the parity
	}
	i := bytes.LastIndexByte(f, 0x02)
	if i < 0 {
		return Weighing{}, fmt.Errorf("%w: no STX in %q", errScaleFrame, frame)
	}
	body := f[i+1:]
	if len(body) == 2 && body[0] == '?' {
		st := body[1]
		if st&0x40 == 0 {
			return Weighing{}, fmt.Errorf("%w: status byte %#x without bit 6", errScaleFrame, st)
		}
		w := Weighing{Net: st&0x20 != 0}
		switch {
		case st&0x02 != 0:
			w.State = ScaleOverload
		case st&0x04 != 0:
			w.State = ScaleNegative
		case st&0x08 != 0:
			w.State = ScaleError
		case st&0x01 != 0:
			w.State = ScaleUnstable
		default:
			return Weighing{}, fmt.Errorf("%w: status %#x names no reason to withhold the weight", errScaleFrame, st)
		}
		return w, nil
	}
	body = bytes.TrimSpace(body)
	var w Weighing
	if n := len(body); n > 0 && body[n-1] == 'N' {
		w.Net = true
		body = body[:n-1]
	}
	if n := len(body); n > 2 {
		switch string(bytes.ToUpper(body[n-2:])) {
		case "KG":
			body = body[:n-2]
		case "LB":
			return Weighing{}, fmt.Errorf("%w (it sends LB)", errScaleUnit)
		}
	}
	dot := bytes.IndexByte(body, '.')
	if dot < 0 {
		return Weighing{}, fmt.Errorf("%w: no decimal point in %q", errScaleFrame, frame)
	}
	if len(body)-dot-1 == 2 {
		// 0WW.WW: the scale is set to pounds.
		return Weighing{}, fmt.Errorf("%w (two decimals: pounds)", errScaleUnit)
	}
	if len(body)-dot-1 != 3 {
		return Weighing{}, fmt.Errorf("%w: %q is not kg with three decimals", errScaleFrame, frame)
	}
	g, err := decimalToGrams(body, 1000)
	if err != nil {
		return Weighing{}, fmt.Errorf("%w: %v in %q", errScaleFrame, err, frame)
	}
	w.Grams, w.Stable, w.State = g, true, ScaleOK
	return w, nil
}

// decimalToGrams reads "1.235" times scale grams (1000 for kg, 1 for g),
// rounding to the gram half up, without floats.
func decimalToGrams(num []byte, scale int64) (int64, error) {
	for _, c := range num {
		if !isDigit(c) && c != '.' {
			return 0, fmt.Errorf("%q is not a number", num)
		}
	}
	intPart, frac, hasDot := bytes.Cut(num, []byte("."))
	if len(intPart) == 0 && len(frac) == 0 {
		return 0, errors.New("no number")
	}
	if hasDot && bytes.IndexByte(frac, '.') >= 0 {
		return 0, errors.New("two decimal points")
	}
	if len(intPart) > 9 || len(frac) > 9 {
		return 0, errors.New("too many digits")
	}
	var n int64
	if len(intPart) > 0 {
		v, err := strconv.ParseInt(string(intPart), 10, 64)
		if err != nil {
			return 0, err
		}
		n = v * scale
	}
	// The fraction in grams: frac × scale / 10^len(frac), half up.
	if len(frac) > 0 {
		f, err := strconv.ParseInt(string(frac), 10, 64)
		if err != nil {
			return 0, err
		}
		den := int64(1)
		for range frac {
			den *= 10
		}
		n += (f*scale*2 + den) / (2 * den)
	}
	if n > maxScaleGrams {
		return 0, fmt.Errorf("%d g is beyond any shop scale", n)
	}
	return n, nil
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func trimSeparators(s []byte) []byte {
	for len(s) > 0 && (s[0] == ',' || s[0] == ' ') {
		s = s[1:]
	}
	return s
}
