package printer

import "bytes"

// raster is GS v 0 m xL xH yL yH d…: rows of xL+xH·256 bytes, top bit left.
func (m *machine) raster(b []byte, exec bool) (int, string) {
	if len(b) < 8 {
		return 0, "GS v 0"
	}
	mode := b[3]
	bpr := int(b[4]) | int(b[5])<<8
	rows := int(b[6]) | int(b[7])<<8
	if bpr == 0 || rows == 0 {
		if exec {
			m.unknown("GS v 0 of %d×%d bytes", bpr, rows)
		}
		return 8, ""
	}
	if bpr > maxRasterRowBytes || bpr*rows > maxRasterBytes {
		// Not an image any printer takes: skip the header and read on, as a
		// printer that rejects the command would.
		if exec {
			m.unknown("GS v 0 of %d×%d bytes too large", bpr, rows)
		}
		return 8, ""
	}
	n := 8 + bpr*rows
	if len(b) < n {
		return 0, "GS v 0"
	}
	if !exec {
		return n, ""
	}
	if mode > 3 && (mode < '0' || mode > '3') {
		m.unknown("GS v 0 mode %d", mode)
	}
	sx, sy := 1, 1
	if mode&1 != 0 {
		sx = 2
	}
	if mode&2 != 0 {
		sy = 2
	}
	m.endLine()
	data := b[8:n]
	w := min(bpr*8*sx, m.width)
	img := whiteGray(w, rows*sy)
	for y := 0; y < rows; y++ {
		row := data[y*bpr : (y+1)*bpr]
		for x := 0; x < w; x++ {
			px := x / sx
			if row[px>>3]&(0x80>>(px&7)) == 0 {
				continue
			}
			for dy := 0; dy < sy; dy++ {
				img.Pix[(y*sy+dy)*img.Stride+x] = 0
			}
		}
	}
	m.addImage(img, false)
	return n, ""
}

// bitImage is ESC * m nL nH d…: one stripe of 8 or 24 dots, column by column.
func (m *machine) bitImage(b []byte, exec bool) (int, string) {
	if len(b) < 5 {
		return 0, "ESC *"
	}
	mode := b[2]
	k := int(b[3]) | int(b[4])<<8
	var rowsPerCol, sx int
	switch mode {
	case 0, 1:
		rowsPerCol = 8
	case 32, 33:
		rowsPerCol = 24
	default:
		if exec {
			m.unknown("ESC * mode %d", mode)
		}
		return 5, ""
	}
	sx = 1
	if mode == 0 || mode == 32 {
		sx = 2 // single density: each column is two dots wide
	}
	bpc := rowsPerCol / 8
	n := 5 + k*bpc
	if len(b) < n {
		return 0, "ESC *"
	}
	if !exec || k == 0 {
		return n, ""
	}
	if m.lineOpen {
		m.flushLine()
	}
	data := b[5:n]
	w := min(k*sx, m.width)
	img := whiteGray(w, rowsPerCol)
	for x := 0; x < w; x++ {
		col := data[(x/sx)*bpc : (x/sx+1)*bpc]
		for y := 0; y < rowsPerCol; y++ {
			if col[y>>3]&(0x80>>(y&7)) != 0 {
				img.Pix[y*img.Stride+x] = 0
			}
		}
	}
	m.addImage(img, true)
	m.stripe = true
	return n, ""
}

// userChars is ESC & y c1 c2 [x d1…d(y·x)]…: defined, never drawn.
func (m *machine) userChars(b []byte, exec bool) (int, string) {
	if len(b) < 5 {
		return 0, "ESC &"
	}
	y, c1, c2 := int(b[2]), int(b[3]), int(b[4])
	pos := 5
	if c1 <= c2 {
		for c := c1; c <= c2; c++ {
			if len(b) < pos+1 {
				return 0, "ESC &"
			}
			pos += 1 + y*int(b[pos])
			if len(b) < pos {
				return 0, "ESC &"
			}
		}
	}
	if exec {
		m.unknown("ESC & (user-defined characters) not emulated")
	}
	return pos, ""
}

// tabStops is ESC D n1…nk NUL (k ≤ 32, ascending columns).
func (m *machine) tabStops(b []byte, exec bool) (int, string) {
	end := bytes.IndexByte(b[2:min(len(b), 2+33)], 0)
	if end < 0 {
		if len(b) < 2+33 {
			return 0, "ESC D"
		}
		if exec {
			m.unknown("ESC D without its NUL")
		}
		return 2, ""
	}
	if exec {
		m.tabs = []int{}
		prev := 0
		for _, t := range b[2 : 2+end] {
			if int(t) <= prev {
				break
			}
			m.tabs = append(m.tabs, int(t))
			prev = int(t)
		}
	}
	return 2 + end + 1, ""
}

// barcode is GS k in both forms: m = 0…6 with NUL-terminated data, m = 65…79
// with a length byte.
func (m *machine) barcode(b []byte, exec bool) (int, string) {
	if len(b) < 3 {
		return 0, "GS k"
	}
	sym := b[2]
	var data []byte
	var n int
	switch {
	case sym <= 6:
		end := bytes.IndexByte(b[3:min(len(b), 3+maxBarcodeA+1)], 0)
		if end < 0 {
			if len(b) < 3+maxBarcodeA+1 {
				return 0, "GS k"
			}
			if exec {
				m.unknown("GS k %d without its NUL", sym)
			}
			return 3, ""
		}
		data, n, sym = b[3:3+end], 3+end+1, sym+65
	case sym >= 65 && sym <= 79:
		if len(b) < 4 {
			return 0, "GS k"
		}
		n = 4 + int(b[3])
		if len(b) < n {
			return 0, "GS k"
		}
		data = b[4:n]
	default:
		if exec {
			m.unknown("GS k %d", sym)
		}
		return 3, ""
	}
	if !exec {
		return n, ""
	}
	text := latin1(data)
	if sym == 73 {
		text = code128Text(data)
	}
	m.endLine()
	m.doc.Elements = append(m.doc.Elements, Element{Kind: ElementBarcode, Align: m.st.align, Data: text,
		Symbology: sym, Height: m.barH, Module: m.barW, HRI: m.hri})
	m.doc.Barcodes = append(m.doc.Barcodes, text)
	m.cont = nil
	return n, ""
}

func latin1(b []byte) string {
	r := make([]rune, len(b))
	for i, c := range b {
		r[i] = rune(c)
	}
	return string(r)
}

// code128Text is the human-readable text of GS k 73 data: "{A", "{B", "{C" select
// a code set, "{{" is a brace, "{S" and "{1"…"{4" (shift, FNC) print nothing, and
// in code set C each byte 0…99 is two digits.
func code128Text(data []byte) string {
	var out []rune
	set := byte('B')
	for i := 0; i < len(data); i++ {
		c := data[i]
		if c == '{' && i+1 < len(data) {
			i++
			switch d := data[i]; d {
			case 'A', 'B', 'C':
				set = d
			case '{':
				out = append(out, '{')
			case 'S', '1', '2', '3', '4':
			default:
				out = append(out, '{', rune(d))
			}
			continue
		}
		if set == 'C' {
			if c < 100 {
				out = append(out, rune('0'+c/10), rune('0'+c%10))
			}
			continue
		}
		out = append(out, rune(c))
	}
	return string(out)
}

// gsParen is GS ( fn pL pH …, of which only GS ( k (QR) is drawn.
func (m *machine) gsParen(b []byte, exec bool) (int, string) {
	if len(b) < 5 {
		return 0, "GS ("
	}
	fn := b[2]
	name := "GS ( " + string(rune(fn))
	n := 5 + (int(b[3]) | int(b[4])<<8)
	if len(b) < n {
		return 0, name
	}
	if !exec {
		return n, ""
	}
	params := b[5:n]
	switch fn {
	case 'k':
		m.symbol(params)
	case 'K', 'D', 'E', 'H', 'M', 'N', 'P', 'Q', 'z':
		// print control, real-time switches, setup, response requests, page
		// mode, character effects: nothing drawn.
	default:
		if len(params) > 0 {
			m.unknown("GS ( %c fn %d not emulated", fn, params[0])
		} else {
			m.unknown("GS ( 0x%02X not emulated", fn)
		}
	}
	return n, ""
}

// symbol handles GS ( k cn fn …, the 2-D symbols; QR (cn 49) is emulated.
func (m *machine) symbol(p []byte) {
	if len(p) < 2 {
		m.unknown("GS ( k with %d parameter bytes", len(p))
		return
	}
	cn, fn := p[0], p[1]
	if cn != '1' {
		m.unknown("GS ( k cn %d fn %d (2-D symbol other than QR) not emulated", cn, fn)
		return
	}
	switch fn {
	case 'A', 'B', 'R': // model, micro QR size, size information
	case 'C':
		if len(p) > 2 && p[2] >= 1 && p[2] <= 16 {
			m.qrModule = int(p[2])
		}
	case 'E':
		if len(p) > 2 && p[2] >= QRLevelL && p[2] <= QRLevelH {
			m.qrLevel = p[2]
		}
	case 'P':
		if len(p) < 3 {
			m.unknown("GS ( k QR store without data")
			return
		}
		m.qrData = string(p[3:])
	case 'Q':
		if m.qrData == "" {
			m.unknown("GS ( k QR print with nothing stored")
			return
		}
		m.endLine()
		m.doc.Elements = append(m.doc.Elements, Element{Kind: ElementQR, Align: m.st.align, Data: m.qrData,
			Module: m.qrModule, Level: m.qrLevel})
		m.doc.QRCodes = append(m.doc.QRCodes, m.qrData)
		m.cont = nil
	default:
		m.unknown("GS ( k QR fn %d", fn)
	}
}
