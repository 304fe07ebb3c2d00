package pos

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"
)

// ErrBadVietQR reports a VietQR payload or request that does not follow the
// NAPAS/EMVCo rules.
var ErrBadVietQR = errors.New("invalid VietQR")

// VietQR is a bank-transfer request in the NAPAS VietQR format (EMVCo
// merchant-presented QR): the payee's bank and account, and optionally an amount
// and a reference the customer's banking app fills in.
type VietQR struct {
	BankBIN   string // 6 digits, e.g. 970405 (Agribank)
	Account   string // up to 19 letters/digits
	Amount    Money  // 0 = the payer types it
	Reference string // at most 19 ASCII letters, digits or spaces (the receipt number fits)
}

func tlv(id, value string) string { return fmt.Sprintf("%s%02d%s", id, len(value), value) }

// Payload builds the string to put in the QR code.
func (q VietQR) Payload() (string, error) {
	if !reBankBIN.MatchString(q.BankBIN) {
		return "", fmt.Errorf("%w: bank BIN %q, want 6 digits", ErrBadVietQR, q.BankBIN)
	}
	if !reBankAcct.MatchString(q.Account) {
		return "", fmt.Errorf("%w: account %q, want 1–19 letters or digits", ErrBadVietQR, q.Account)
	}
	if q.Amount < 0 || q.Amount > 9_999_999_999_999 {
		return "", fmt.Errorf("%w: amount %d", ErrBadVietQR, q.Amount)
	}
	ref := vietQRReference(q.Reference)
	var b strings.Builder
	b.WriteString(tlv("00", "01"))
	if q.Amount > 0 {
		b.WriteString(tlv("01", "12")) // dynamic: one payment of this amount
	} else {
		b.WriteString(tlv("01", "11"))
	}
	beneficiary := tlv("00", q.BankBIN) + tlv("01", q.Account)
	b.WriteString(tlv("38", tlv("00", "A000000727")+tlv("01", beneficiary)+tlv("02", "QRIBFTTA")))
	b.WriteString(tlv("53", "704"))
	if q.Amount > 0 {
		b.WriteString(tlv("54", strconv.FormatInt(int64(q.Amount), 10)))
	}
	b.WriteString(tlv("58", "VN"))
	if ref != "" {
		b.WriteString(tlv("62", tlv("08", ref)))
	}
	b.WriteString("6304")
	return b.String() + fmt.Sprintf("%04X", crc16CCITT([]byte(b.String()))), nil
}

// vietQRReference keeps the letters, digits and spaces VietQR allows in the
// purpose field (at most 19), folding Vietnamese and turning the rest into spaces:
// "K01-000123" becomes "K01 000123".
func vietQRReference(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r < 0x80 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == ' '):
			b.WriteRune(r)
		case r >= 0x80:
			if f, ok := foldRune(r); ok && f != "" {
				if unicode.IsUpper(r) {
					f = strings.ToUpper(f)
				}
				b.WriteString(f)
			}
		default:
			b.WriteByte(' ')
		}
	}
	out := strings.Join(strings.Fields(b.String()), " ")
	if len(out) > 19 {
		out = strings.TrimSpace(out[:19])
	}
	return out
}

// crc16CCITT is CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF), as EMVCo asks.
func crc16CCITT(data []byte) uint16 {
	crc := uint16(0xFFFF)
	for _, c := range data {
		crc ^= uint16(c) << 8
		for range 8 {
			if crc&0x8000 != 0 {
				crc = crc<<1 ^ 0x1021
			} else {
				crc <<= 1
			}
		}
	}
	return crc
}

// ParseVietQR reads a VietQR payload back, checking its structure and CRC.
func ParseVietQR(payload string) (VietQR, error) {
	if len(payload) < 8 || len(payload) > 512 {
		return VietQR{}, fmt.Errorf("%w: length %d", ErrBadVietQR, len(payload))
	}
	body := payload[:len(payload)-4]
	if !strings.HasSuffix(body, "6304") {
		return VietQR{}, fmt.Errorf("%w: no CRC field at the end", ErrBadVietQR)
	}
	if want := fmt.Sprintf("%04X", crc16CCITT([]byte(body))); payload[len(payload)-4:] != want {
		return VietQR{}, fmt.Errorf("%w: CRC %s, computed %s", ErrBadVietQR, payload[len(payload)-4:], want)
	}
	fields, err := parseTLV(body[:len(body)-4])
	if err != nil {
		return VietQR{}, err
	}
	var q VietQR
	if fields["00"] != "01" {
		return q, fmt.Errorf("%w: payload format %q", ErrBadVietQR, fields["00"])
	}
	if fields["53"] != "704" || fields["58"] != "VN" {
		return q, fmt.Errorf("%w: not a Vietnamese đồng payment", ErrBadVietQR)
	}
	mai, err := parseTLV(fields["38"])
	if err != nil {
		return q, err
	}
	if mai["00"] != "A000000727" {
		return q, fmt.Errorf("%w: GUID %q is not NAPAS", ErrBadVietQR, mai["00"])
	}
	ben, err := parseTLV(mai["01"])
	if err != nil {
		return q, err
	}
	q.BankBIN, q.Account = ben["00"], ben["01"]
	if a := fields["54"]; a != "" {
		n, err := strconv.ParseInt(a, 10, 64)
		if err != nil || n < 0 {
			return q, fmt.Errorf("%w: amount %q", ErrBadVietQR, a)
		}
		q.Amount = Money(n)
	}
	if add := fields["62"]; add != "" {
		ad, err := parseTLV(add)
		if err != nil {
			return q, err
		}
		q.Reference = ad["08"]
	}
	return q, nil
}

func parseTLV(s string) (map[string]string, error) {
	out := map[string]string{}
	for len(s) > 0 {
		if len(s) < 4 {
			return nil, fmt.Errorf("%w: truncated field %q", ErrBadVietQR, s)
		}
		id := s[:2]
		n, err := strconv.Atoi(s[2:4])
		if err != nil || n < 0 || 4+n > len(s) {
			return nil, fmt.Errorf("%w: field %s length %q", ErrBadVietQR, id, s[2:4])
		}
		out[id] = s[4 : 4+n]
		s = s[4+n:]
	}
	return out, nil
}
