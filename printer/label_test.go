package printer

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/ocop-kiosk/kiosk/pos"
	"github.com/skip2/go-qrcode"
)

const (
	sampleQR       = "https://kiosk.example.vn/01/08936072100152/10/UM2611-01?17=281015"
	sampleQRSerial = "https://kiosk.example.vn/01/08936072100152/10/UM2611-01/21/0001?17=281015"
)

// sampleLabels are one lot's label without a serial and a serialised one.
func sampleLabels(t testing.TB) []Label {
	t.Helper()
	made, err := pos.ParseDate("2026-10-15")
	if err != nil {
		t.Fatal(err)
	}
	exp, err := pos.ParseDate("2028-10-15")
	if err != nil {
		t.Fatal(err)
	}
	l := Label{
		Name:       "Mật ong rừng tràm U Minh Hạ 500ml",
		NameEN:     "U Minh Ha melaleuca forest honey 500ml",
		Stars:      5,
		Producer:   "HTX Ong mật U Minh Hạ",
		Commune:    "Xã Khánh An",
		Province:   "Cà Mau",
		Lot:        "UM2611-01",
		ProducedOn: made,
		ExpiresOn:  exp,
		Price:      220000,
		QR:         sampleQR,
	}
	s := l
	s.Serial, s.QR = "0001", sampleQRSerial
	return []Label{l, s}
}

// tsplCmd is one parsed TSPL command: the keyword, the rest of its line and,
// for BITMAP, the raster data.
type tsplCmd struct {
	name, args string
	data       []byte
}

// parseTSPL splits a stream into commands. It fails on anything a printer
// could misread: a line that is not CR LF terminated, a control character or
// DEL outside BITMAP data, BITMAP data of the wrong length, a quote that is
// not escaped.
func parseTSPL(b []byte) ([]tsplCmd, error) {
	var cmds []tsplCmd
	for len(b) > 0 {
		if bytes.HasPrefix(b, []byte("BITMAP ")) {
			// BITMAP x,y,widthBytes,height,mode,DATA\r\n
			head, n := b, 0
			for i, c := range head {
				if c == ',' {
					n++
					if n == 5 {
						head = head[:i]
						break
					}
				}
			}
			if n != 5 {
				return cmds, fmt.Errorf("BITMAP header %q: want 5 commas", trunc(b))
			}
			f := strings.Split(string(head[len("BITMAP "):]), ",")
			v := make([]int, 5)
			for i, s := range f {
				x, err := strconv.Atoi(s)
				if err != nil || x < 0 {
					return cmds, fmt.Errorf("BITMAP header %q: %q is not a count", head, s)
				}
				v[i] = x
			}
			size := v[2] * v[3]
			rest := b[len(head)+1:]
			if len(rest) < size+2 || string(rest[size:size+2]) != "\r\n" {
				return cmds, fmt.Errorf("BITMAP %q: want %d×%d = %d data bytes and CR LF", head, v[2], v[3], size)
			}
			cmds = append(cmds, tsplCmd{name: "BITMAP", args: string(head[len("BITMAP "):]), data: rest[:size]})
			b = rest[size+2:]
			continue
		}
		end := bytes.Index(b, []byte("\r\n"))
		if end < 0 {
			return cmds, fmt.Errorf("command %q has no CR LF", trunc(b))
		}
		line := b[:end]
		for _, c := range line {
			if c < 0x20 || c == 0x7F {
				return cmds, fmt.Errorf("command %q holds control byte %#02x", line, c)
			}
		}
		name, args, _ := strings.Cut(string(line), " ")
		quotes := strings.Count(strings.ReplaceAll(args, `\["]`, ""), `"`)
		want := map[string]int{"TEXT": 4, "QRCODE": 2, "BARCODE": 4}[name]
		if quotes != want {
			return cmds, fmt.Errorf("command %q: %d unescaped quotes, want %d", line, quotes, want)
		}
		cmds = append(cmds, tsplCmd{name: name, args: args})
		b = b[end+2:]
	}
	return cmds, nil
}

func trunc(b []byte) []byte { return b[:min(len(b), 40)] }

// ints reads the first n comma-separated numbers of args.
func ints(t testing.TB, args string, n int) []int {
	t.Helper()
	f := strings.SplitN(args, ",", n+1)
	if len(f) < n {
		t.Fatalf("%q: want %d numbers", args, n)
	}
	out := make([]int, n)
	for i := range out {
		v, err := strconv.Atoi(f[i])
		if err != nil {
			t.Fatalf("%q: %v", args, err)
		}
		out[i] = v
	}
	return out
}

// quoted is the last quoted argument of args, unescaped.
func quoted(args string) string {
	s := strings.ReplaceAll(args, `\["]`, "\x00")
	s = strings.TrimSuffix(s, `"`)
	s = s[strings.LastIndex(s, `"`)+1:]
	return strings.ReplaceAll(s, "\x00", `"`)
}

// box is the rectangle a TEXT, BITMAP or QRCODE command draws, in dots
// (ok false for other commands).
func box(t testing.TB, c tsplCmd) (r image.Rectangle, ok bool) {
	t.Helper()
	switch c.name {
	case "TEXT":
		v := ints(t, c.args, 2)
		fontName := strings.Trim(strings.Split(c.args, ",")[2], `"`)
		for _, f := range tsplFonts {
			if f.name == fontName {
				return image.Rect(v[0], v[1], v[0]+len(quoted(c.args))*f.w, v[1]+f.h), true
			}
		}
		t.Errorf("TEXT %s: unknown font %q", c.args, fontName)
	case "BITMAP":
		v := ints(t, c.args, 4)
		return image.Rect(v[0], v[1], v[0]+v[2]*8, v[1]+v[3]), true
	case "QRCODE":
		v := ints(t, c.args, 2)
		cell, _ := strconv.Atoi(strings.Split(c.args, ",")[3])
		data := quoted(c.args)
		if q, err := qrcode.New(data, qrcode.Medium); err == nil && len(q.Bitmap())-8 > qrModulesM(len(data)) {
			t.Errorf("QRCODE %q: go-qrcode needs %d modules, the layout reserved %d", data, len(q.Bitmap())-8, qrModulesM(len(data)))
		}
		side := qrModulesM(len(data)) * cell
		return image.Rect(v[0], v[1], v[0]+side, v[1]+side), true
	}
	return r, false
}

// checkInside fails when a command draws outside a w×h dot label or over
// another.
func checkInside(t testing.TB, cmds []tsplCmd, w, h int) {
	t.Helper()
	label := image.Rect(0, 0, w, h)
	var drawn []image.Rectangle
	for _, c := range cmds {
		r, ok := box(t, c)
		if !ok {
			continue
		}
		if !r.In(label) {
			t.Errorf("%s %.60q draws %v, off the %d×%d label", c.name, c.args, r, w, h)
		}
		for _, o := range drawn {
			if r.Overlaps(o) {
				t.Errorf("%s %.60q draws %v over %v", c.name, c.args, r, o)
			}
		}
		drawn = append(drawn, r)
	}
}

// find returns the commands named name.
func find(cmds []tsplCmd, name string) []tsplCmd {
	var out []tsplCmd
	for _, c := range cmds {
		if c.name == name {
			out = append(out, c)
		}
	}
	return out
}

func TestTSPLCommandsAreWhatThePrinterExpects(t *testing.T) {
	p := Profiles["tspl-label"]
	for _, tc := range []struct {
		name string
		do   func(*TSPL)
		want string
	}{
		{"size in millimetres", func(t *TSPL) { t.Size(50, 30) }, "SIZE 50 mm,30 mm\r\n"},
		{"gap and offset", func(t *TSPL) { t.Gap(2, 0) }, "GAP 2 mm,0 mm\r\n"},
		{"direction", func(t *TSPL) { t.Direction(1) }, "DIRECTION 1\r\n"},
		{"clear", func(t *TSPL) { t.CLS() }, "CLS\r\n"},
		{"ascii text in font 3", func(t *TSPL) { t.Text(8, 16, "NSX 15/10/2026") }, "TEXT 8,16,\"3\",0,1,1,\"NSX 15/10/2026\"\r\n"},
		{"quotes escaped the TSPL way", func(t *TSPL) { t.Text(0, 0, `say "hi"`) }, "TEXT 0,0,\"3\",0,1,1,\"say \\[\"]hi\\[\"]\"\r\n"},
		{"non-ascii text in a built-in font is a question mark", func(t *TSPL) { t.Text(0, 0, "Hạ") }, "TEXT 0,0,\"3\",0,1,1,\"H?\"\r\n"},
		{"control characters are dropped from text", func(t *TSPL) { t.Text(0, 0, "a\r\nb\x00") }, "TEXT 0,0,\"3\",0,1,1,\"a  b \"\r\n"},
		{"negative coordinates stay on the label", func(t *TSPL) { t.Text(-5, -1, "x") }, "TEXT 0,0,\"3\",0,1,1,\"x\"\r\n"},
		{"qr code", func(t *TSPL) { t.QRCode(200, 72, 'M', 4, sampleQR) }, "QRCODE 200,72,M,4,A,0,\"" + sampleQR + "\"\r\n"},
		{"qr with an unknown level is M", func(t *TSPL) { t.QRCode(0, 0, 'x', 3, "a\"b") }, "QRCODE 0,0,M,3,A,0,\"a\\[\"]b\"\r\n"},
		{"barcode 128", func(t *TSPL) { t.Barcode128(8, 100, 40, "UM2611-01") }, "BARCODE 8,100,\"128\",40,1,0,2,2,\"UM2611-01\"\r\n"},
		{"print", func(t *TSPL) { t.Print(1, 1) }, "PRINT 1,1\r\n"},
		{"empty text sends nothing", func(t *TSPL) { t.Text(0, 0, ""); t.QRCode(0, 0, 'M', 3, "\x01"); t.Barcode128(0, 0, 9, "ạ") }, ""},
		{"ascii TextAny picks the built-in font under px", func(t *TSPL) { t.TextAny(8, 8, "HSD 15/10/2028", 20, true, 200) }, "TEXT 8,8,\"2\",0,1,1,\"HSD 15/10/2028\"\r\n"},
		{"ascii TextAny is cut to the width", func(t *TSPL) { t.TextAny(0, 0, "abcdefghij", 12, false, 40) }, "TEXT 0,0,\"1\",0,1,1,\"abcde\"\r\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := NewTSPL(p)
			tc.do(e)
			if got := string(e.Bytes()); got != tc.want {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestTSPLBitmapPolarityIsInvertedAgainstESCPOS(t *testing.T) {
	gray := func(w, h int, y uint8) *image.Gray {
		img := image.NewGray(image.Rect(0, 0, w, h))
		for i := range img.Pix {
			img.Pix[i] = y
		}
		return img
	}
	for _, tc := range []struct {
		name string
		img  *image.Gray
		want []byte
	}{
		{"a blank region is all ones", gray(20, 2, 255), bytes.Repeat([]byte{0xFF}, 6)},
		{"black pixels are zero bits", gray(16, 2, 0), make([]byte, 4)},
		{"row padding is white", gray(10, 1, 0), []byte{0x00, 0x3F}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := NewTSPL(Profiles["tspl-label"])
			e.Bitmap(3, 4, tc.img)
			cmds, err := parseTSPL(e.Bytes())
			if err != nil {
				t.Fatal(err)
			}
			if len(cmds) != 1 || cmds[0].name != "BITMAP" {
				t.Fatalf("got %q, want one BITMAP", e.Bytes())
			}
			wb, h := (tc.img.Bounds().Dx()+7)/8, tc.img.Bounds().Dy()
			if want := fmt.Sprintf("3,4,%d,%d,0", wb, h); cmds[0].args != want {
				t.Errorf("header %q, want %q", cmds[0].args, want)
			}
			if !bytes.Equal(cmds[0].data, tc.want) {
				t.Errorf("data % x, want % x", cmds[0].data, tc.want)
			}
		})
	}
	t.Run("a pixel at the image's origin is the first bit of a sub-image", func(t *testing.T) {
		img := gray(16, 4, 255)
		img.SetGray(9, 2, color.Gray{})
		e := NewTSPL(Profiles["tspl-label"])
		e.Bitmap(0, 0, img.SubImage(image.Rect(9, 2, 17, 3)).(*image.Gray))
		cmds, err := parseTSPL(e.Bytes())
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(cmds[0].data, []byte{0x7F}) {
			t.Errorf("data % x, want 7f", cmds[0].data)
		}
	})
}

func TestTSPLTextAnySendsVietnameseAsABitmapOfItsText(t *testing.T) {
	e := NewTSPL(Profiles["tspl-label"])
	const s = "Mật ong rừng tràm"
	e.TextAny(8, 8, s, 24, true, 304)
	cmds, err := parseTSPL(e.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if len(cmds) != 1 || cmds[0].name != "BITMAP" || e.Bitmaps != 1 {
		t.Fatalf("got %d commands (%d bitmaps), want one BITMAP", len(cmds), e.Bitmaps)
	}
	v := ints(t, cmds[0].args, 4)
	img, err := RenderText(s, 304, false, true, 1, 1, AlignLeft)
	if err != nil {
		t.Fatal(err)
	}
	ink := inkWidth(img)
	if v[2] != (ink+7)/8 || v[3] != 24 {
		t.Fatalf("BITMAP is %d bytes × %d rows; the text is %d dots wide, 24 tall", v[2], v[3], ink)
	}
	if v[2]*8 >= 304 || ink < 17*8 {
		t.Errorf("the bitmap (%d bytes a row) is not cropped to the %d-dot text", v[2], ink)
	}
	for y := 0; y < v[3]; y++ {
		for x := 0; x < v[2]*8; x++ {
			bit := cmds[0].data[y*v[2]+x/8] & (0x80 >> (x % 8))
			if dark := img.GrayAt(x, y).Y < 128; dark != (bit == 0) {
				t.Fatalf("pixel (%d,%d): rendered dark=%v but bit=%d (TSPL prints 0 bits)", x, y, dark, bit)
			}
		}
	}
}

func TestTSPLLabelsFitAndCarryTheirData(t *testing.T) {
	p := Profiles["tspl-label"]
	for _, size := range []string{"40x30", "50x30"} {
		t.Run(size, func(t *testing.T) {
			ls := LabelSizes[size]
			var job []byte
			for _, l := range sampleLabels(t) {
				e := NewTSPL(p)
				WriteLabelTSPL(e, l, ls)
				if e.Err() != nil {
					t.Fatal(e.Err())
				}
				b := e.Bytes()
				t.Logf("%s serial %q: %d bytes, %d bitmaps", size, l.Serial, len(b), e.Bitmaps)
				job = append(job, b...)
				cmds, err := parseTSPL(b)
				if err != nil {
					t.Fatal(err)
				}
				head := []string{fmt.Sprintf("SIZE %d mm,%d mm", ls.WidthMM, ls.HeightMM), "GAP 2 mm,0 mm", "DIRECTION 1", "CLS"}
				for i, want := range head {
					if got := strings.TrimSpace(cmds[i].name + " " + cmds[i].args); got != want {
						t.Errorf("command %d is %q, want %q", i, got, want)
					}
				}
				if last := cmds[len(cmds)-1]; last.name+" "+last.args != "PRINT 1,1" {
					t.Errorf("last command %q %q, want PRINT 1,1", last.name, last.args)
				}
				qrs := find(cmds, "QRCODE")
				if len(qrs) != 1 || quoted(qrs[0].args) != l.QR || !strings.Contains(qrs[0].args, ",M,3,A,0,") {
					t.Errorf("QRCODE commands %q, want one at level M, cell 3, with %q", qrs, l.QR)
				}
				var texts []string
				for _, c := range find(cmds, "TEXT") {
					texts = append(texts, quoted(c.args))
				}
				want := []string{"U Minh Ha melaleuca forest honey 500ml", "NSX 15/10/2026", "HSD 15/10/2028"}
				if l.Serial != "" {
					want = append(want, "S/N 0001")
				}
				slices.Sort(texts)
				slices.Sort(want)
				if !slices.Equal(texts, want) {
					t.Errorf("TEXT lines %q, want %q", texts, want)
				}
				// The name, stars, producer, commune, lot and price are bitmaps.
				if n := len(find(cmds, "BITMAP")); n < 7 || n != e.Bitmaps {
					t.Errorf("%d BITMAPs (%d counted), want at least 7", n, e.Bitmaps)
				}
				checkInside(t, cmds, ls.WidthMM*DotsPerMM, ls.HeightMM*DotsPerMM)
			}
			golden(t, "label-tspl-label-"+size, job)
		})
	}
}

func TestTSPLLabelDropsWhatDoesNotFitRatherThanSpill(t *testing.T) {
	long := strings.Repeat("Bánh phồng tôm Năm Căn đặc biệt loại một ", 6)
	l := Label{Name: long, NameEN: long, Stars: 9, Producer: long, Commune: long, Province: long,
		Lot: strings.Repeat("L", 80), Price: 9_999_999_999, QR: sampleQR + strings.Repeat("x", 300), Serial: strings.Repeat("9", 40)}
	l.ProducedOn, _ = pos.ParseDate("2026-01-02")
	l.ExpiresOn, _ = pos.ParseDate("2027-01-02")
	for _, size := range []LabelSize{LabelSizes["40x30"], LabelSizes["50x30"], {Name: "30x20", WidthMM: 30, HeightMM: 20}, LabelSizes["58mm"]} {
		t.Run(size.Name, func(t *testing.T) {
			e := NewTSPL(Profiles["tspl-label"])
			WriteLabelTSPL(e, l, size)
			cmds, err := parseTSPL(e.Bytes())
			if err != nil {
				t.Fatal(err)
			}
			w, h := size.WidthMM*DotsPerMM, size.HeightMM*DotsPerMM
			if size.Continuous {
				w, h = Profiles["tspl-label"].WidthDots, continuousLabelMM*DotsPerMM
			}
			checkInside(t, cmds, w, h)
			if find(cmds, "PRINT") == nil {
				t.Error("no PRINT")
			}
		})
	}
}

func TestESCPOSLabels(t *testing.T) {
	for _, profile := range []string{"epson-tm-t20", "xprinter-58", "generic-58"} {
		t.Run(profile, func(t *testing.T) {
			p := Profiles[profile]
			var job []byte
			for _, l := range sampleLabels(t) {
				e := NewEncoder(p)
				WriteLabelESCPOS(e, l, LabelSizes["58mm"])
				if e.Err() != nil {
					t.Fatal(e.Err())
				}
				b := e.Bytes()
				t.Logf("%s serial %q: %d bytes, %d raster lines", profile, l.Serial, len(b), e.Rasterised)
				job = append(job, b...)
				checkESCPOSLabel(t, p, b, l)
			}
			golden(t, "label-"+profile+"-58mm", job)
		})
	}
}

func TestESCPOSLabelLeavesOutWhatItDoesNotHave(t *testing.T) {
	p := Profiles["epson-tm-t20"]
	e := NewEncoder(p)
	WriteLabelESCPOS(e, Label{Name: "Kẹo dừa Bến Tre"}, LabelSizes["58mm"])
	doc, err := Decode(e.Bytes(), p)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, el := range doc.Elements {
		kinds = append(kinds, el.Kind.String())
	}
	if doc.Text() != "Kẹo dừa Bến Tre" || len(doc.QRCodes) != 0 || doc.Cuts != 1 {
		t.Errorf("printed %q as %v, want the name alone and a cut", doc.Text(), kinds)
	}
}

// printedLine is a line an ESC/POS label should print, with its style.
type printedLine struct {
	text  string
	bold  bool
	align Align
	size  int
}

// labelLines are the lines an ESC/POS label prints for the sample at cols
// characters a line, before the QR code and after it.
func labelLines(l Label, cols int) (before, after []printedLine) {
	centre := func(s string, bold bool, size int) { before = append(before, printedLine{s, bold, AlignCenter, size}) }
	left := func(s string) { before = append(before, printedLine{s, false, AlignLeft, 1}) }
	for _, s := range Wrap(l.Name, cols) {
		centre(s, true, 1)
	}
	for _, s := range Wrap(l.NameEN, cols) {
		centre(s, false, 1)
	}
	centre("OCOP ***** (5 sao)", false, 1)
	left("HTX Ong mật U Minh Hạ")
	left("Xã Khánh An, Cà Mau")
	left("Lô/Lot: UM2611-01")
	if cols >= 30 {
		left("NSX 15/10/2026  HSD 15/10/2028")
	} else {
		left("NSX 15/10/2026")
		left("HSD 15/10/2028")
	}
	centre("220.000 đ", true, 2)
	if l.Serial != "" {
		after = append(after, printedLine{"S/N " + l.Serial, false, AlignCenter, 1})
	}
	return before, after
}

// checkESCPOSLabel reads b back with the emulator and checks every line: the
// text, exactly, in its style where the profile's code pages carry it, or a
// raster image identical to that text drawn by RenderText where they do not;
// then the QR code: the exact payload natively, or the raster of exactly that
// payload.
func checkESCPOSLabel(t *testing.T, p Profile, b []byte, l Label) {
	t.Helper()
	doc, err := Decode(b, p)
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.Unknown) > 0 || doc.Unprinted != "" {
		t.Errorf("the printer would not understand %q, or not print %q", doc.Unknown, doc.Unprinted)
	}
	if p.Cutter && doc.Cuts != 1 {
		t.Errorf("%d cuts, want 1", doc.Cuts)
	}
	var els []Element
	for _, el := range doc.Elements {
		if el.Kind == ElementText && strings.TrimSpace(el.Line.Text) == "" || el.Kind == ElementFeed || el.Kind == ElementCut {
			continue
		}
		els = append(els, el)
	}
	before, after := labelLines(l, p.Columns())
	e := NewEncoder(p)
	check := func(want printedLine) {
		t.Helper()
		if len(els) == 0 {
			t.Errorf("the label ends before %q", want.text)
			return
		}
		el := els[0]
		els = els[1:]
		if e.encodable(want.text) {
			got := el.Line
			if el.Kind != ElementText || got.Text != want.text || got.Bold != want.bold || got.Align != want.align || got.Width != want.size || got.Height != want.size {
				t.Errorf("printed %v %q (bold %v, align %d, size %d), want %q (bold %v, align %d, size %d)",
					el.Kind, got.Text, got.Bold, got.Align, got.Width, want.text, want.bold, want.align, want.size)
			}
			return
		}
		// A raster line is only as wide as its text, placed by ESC a.
		width := min(p.WidthDots, (textWidth(want.text)*12*want.size+7)/8*8)
		img, err := RenderText(want.text, width, false, want.bold, want.size, want.size, AlignLeft)
		if err != nil {
			t.Fatal(err)
		}
		if el.Kind != ElementImage || !sameInk(el.Image, img) || el.Align != want.align {
			t.Errorf("printed %v (%q), want the raster of %q", el.Kind, el.Line.Text, want.text)
		}
	}
	for _, w := range before {
		check(w)
	}
	switch {
	case len(els) == 0:
		t.Fatal("no QR code")
	case p.NativeQR:
		if els[0].Kind != ElementQR || els[0].Data != l.QR || els[0].Align != AlignCenter || len(doc.QRCodes) != 1 {
			t.Errorf("QR codes %q (first element %v), want one centred with %q", doc.QRCodes, els[0].Kind, l.QR)
		}
	default:
		img, err := QRImage(l.QR, 4, QRLevelM)
		if err != nil {
			t.Fatal(err)
		}
		if els[0].Kind != ElementImage || !sameInk(els[0].Image, img) || els[0].Align != AlignCenter {
			t.Errorf("printed %v, want the raster QR code of %q", els[0].Kind, l.QR)
		}
	}
	els = els[1:]
	for _, w := range after {
		check(w)
	}
	for _, el := range els {
		t.Errorf("unexpected %v %q at the end", el.Kind, el.Line.Text)
	}
}

// sameInk reports whether two images print the same dots; a is what the printer
// printed (raster rows are whole bytes, so it may be up to 7 dots wider, white).
func sameInk(a, b *image.Gray) bool { return a != nil && b != nil && emuSameInk(a, b) }

func FuzzTSPLText(f *testing.F) {
	for _, s := range []string{"", "Mật ong rừng tràm U Minh Hạ", `a"b\[R]c\`, "\r\n\x00\x1b@", "\xff\xfe", "ĐẶC SẢN ★", strings.Repeat("ẫ", 300), "\u0301\u0323", "x\u2028y\u00a0z", sampleQR} {
		f.Add(s)
	}
	p := Profiles["tspl-label"]
	f.Fuzz(func(t *testing.T, s string) {
		e := NewTSPL(p)
		e.Text(0, 0, s)
		e.TextAny(8, 8, s, 20, false, 200)
		e.TextAny(8, 8, s, 24, true, 0)
		e.TextAny(8, 8, s, 12, false, 50)
		e.QRCode(0, 0, 'H', 3, s)
		e.Barcode128(0, 0, 40, s)
		WriteLabelTSPL(e, Label{Name: s, NameEN: s, Stars: len(s) % 7, Producer: s, Commune: s, Province: s, Lot: s, Price: pos.Money(len(s)), QR: s, Serial: s}, LabelSizes["40x30"])
		if e.Err() != nil {
			t.Fatal(e.Err())
		}
		cmds, err := parseTSPL(e.Bytes())
		if err != nil {
			t.Fatal(err)
		}
		var label []tsplCmd
		for i, c := range cmds {
			if c.name == "SIZE" {
				label = cmds[i:]
			}
		}
		checkInside(t, label, 320, 240)
	})
}
