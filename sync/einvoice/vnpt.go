package einvoice

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// VNPT's MTT API (its integration guide, "Nhóm hàm PublishService"): one SOAP
// 1.1 call, ImportAndPublishInvMTT(Account, ACpass, xmlInvData, username,
// password, pattern, serial, convert), publishes up to 5,000 invoices of one
// form (pattern) and symbol (serial). xmlInvData is a DSHDon list of HDon
// documents, each led by its Fkey in <key>. The answer is a string:
// "OK:pattern;serial-fkey_number_MCCQT" (one fkey_number_MCCQT per invoice,
// comma-separated), or "ERR:N".
const (
	vnptNamespace = "http://tempuri.org/"
	vnptAction    = vnptNamespace + "ImportAndPublishInvMTT"
)

// vnptErrors are VNPT's answers and what each means for the invoices of the
// call. seller: nothing from this seller can go until its settings are put
// right; invoice: one invoice of the list is refused (found by halving the
// list); split: the list is too long.
var vnptErrors = map[string]struct {
	kind    string // "seller", "invoice", "duplicate", "split"
	meaning string
}{
	"ERR1":  {"seller", "wrong account or no right to publish (Tài khoản đăng nhập sai hoặc không có quyền thêm mới hóa đơn)"},
	"ERR2":  {"seller", "empty pattern or serial"},
	"ERR3":  {"invoice", "the invoice XML is not as the provider requires (Dữ liệu xml đầu vào không đúng quy định)"},
	"ERR4":  {"seller", "the provider has no company for the account"},
	"ERR5":  {"seller", "wrong account, no right to publish, or could not publish"},
	"ERR6":  {"seller", "not enough invoices left in the seller's package (Không đủ số lượng hóa đơn)"},
	"ERR7":  {"seller", "unknown user name"},
	"ERR10": {"split", "more invoices than a call may carry"},
	"ERR11": {"seller", "pattern or serial of the wrong shape"},
	"ERR13": {"duplicate", "an invoice with this Fkey was published already"},
	"ERR15": {"invoice", "issue date after today, or XML of the wrong shape (Ngày lập lớn hơn ngày hiện tại)"},
	"ERR20": {"seller", "pattern and serial not registered for the seller"},
	"ERR21": {"invoice", "an invoice of this number was published already (Trùng số hóa đơn)"},
	"ERR22": {"invoice", "seller details longer than allowed"},
	"ERR23": {"invoice", "empty MCCQT"},
	"ERR30": {"invoice", "issue date before an invoice already published (Ngày hóa đơn nhỏ hơn ngày hóa đơn đã phát hành)"},
}

// VNPT is a client of VNPT's MTT API for one seller's account.
type VNPT struct {
	Settings Settings
	Client   *http.Client
	Timeout  time.Duration // one call
}

// Deliver publishes a batch (see Provider). VNPT takes a list whole or not at
// all: an invoice it refuses is found by halving the list, in order, and a
// duplicate Fkey in a list that repeats a lost call means the whole list was
// published by that call.
func (v *VNPT) Deliver(ctx context.Context, batch []Invoice, resend bool) ([]Result, error) {
	if len(batch) == 0 {
		return nil, nil
	}
	if len(batch) > MaxBatch {
		batch = batch[:MaxBatch]
	}
	for _, inv := range batch[1:] {
		if inv.Form != batch[0].Form || inv.Symbol != batch[0].Symbol {
			return nil, fmt.Errorf("%w: a batch of series %d%s and %d%s", ErrBadSettings, batch[0].Form, batch[0].Symbol, inv.Form, inv.Symbol)
		}
	}
	return v.deliver(ctx, batch, resend)
}

func (v *VNPT) deliver(ctx context.Context, batch []Invoice, resend bool) ([]Result, error) {
	answer, err := v.call(ctx, batch)
	if err != nil {
		var pe *ProviderError
		if errors.As(err, &pe) {
			pe.Sent = len(batch)
		}
		return nil, err
	}
	if strings.HasPrefix(answer, "OK:") { // "OK:pattern;serial-fkey_number_MCCQT,…": VNPT publishes a list whole
		return okResults(batch), nil
	}
	code := errCode(answer)
	e, known := vnptErrors[code]
	switch {
	case !known:
		return nil, &ProviderError{Kind: ErrUnavailable, Code: code, Message: "unexpected answer " + strconv.Quote(trim(answer, 200))}
	case e.kind == "seller":
		return nil, &ProviderError{Kind: ErrSeller, Code: code, Message: e.meaning}
	case e.kind == "duplicate" && (resend || len(batch) == 1):
		out := make([]Result, len(batch))
		for i, inv := range batch {
			out[i] = Result{Key: inv.Key, Outcome: Duplicate, Code: code}
		}
		return out, nil
	case e.kind == "invoice" && len(batch) == 1:
		return []Result{{Key: batch[0].Key, Outcome: Refused, Code: code, Reason: code + ": " + e.meaning}}, nil
	case len(batch) == 1: // a list of one too long: nothing to split
		return nil, &ProviderError{Kind: ErrUnavailable, Code: code, Message: e.meaning}
	}
	// Halve the list, in order: the first half's results, then the second's.
	half := len(batch) / 2
	first, err := v.deliver(ctx, batch[:half], false)
	if err != nil || len(first) < half {
		return first, err
	}
	second, err := v.deliver(ctx, batch[half:], false)
	return append(first, second...), err
}

// okResults marks every invoice of a list published.
func okResults(batch []Invoice) []Result {
	out := make([]Result, len(batch))
	for i, inv := range batch {
		out[i] = Result{Key: inv.Key, Outcome: Delivered}
	}
	return out
}

// errCode reads "ERR:13" (or "ERR13", with words after it) as "ERR13".
func errCode(answer string) string {
	a := strings.TrimSpace(answer)
	if !strings.HasPrefix(a, "ERR") {
		return ""
	}
	a = strings.TrimPrefix(strings.TrimPrefix(a, "ERR"), ":")
	n := 0
	for n < len(a) && a[n] >= '0' && a[n] <= '9' {
		n++
	}
	return "ERR" + a[:n]
}

func trim(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// call makes one SOAP call and answers its result string. Anything but a SOAP
// answer (the service down, a timeout, a fault, a proxy's page) is
// ErrUnavailable.
func (v *VNPT) call(ctx context.Context, batch []Invoice) (string, error) {
	body, err := v.envelope(batch)
	if err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(ctx, v.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, v.Settings.URL, bytes.NewReader(body))
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrBadSettings, err)
	}
	req.Header.Set("Content-Type", "text/xml; charset=utf-8")
	req.Header.Set("SOAPAction", `"`+vnptAction+`"`)
	resp, err := v.Client.Do(req)
	if err != nil {
		return "", &ProviderError{Kind: ErrUnavailable, Message: err.Error()}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return "", &ProviderError{Kind: ErrUnavailable, Message: "reading the answer: " + err.Error()}
	}
	answer, fault, err := parseVNPTAnswer(data)
	switch {
	case err != nil:
		return "", &ProviderError{Kind: ErrUnavailable, Message: fmt.Sprintf("HTTP %d, %v", resp.StatusCode, err)}
	case fault != "":
		return "", &ProviderError{Kind: ErrUnavailable, Message: "SOAP fault: " + fault}
	}
	return strings.TrimSpace(answer), nil
}

// soapEnvelope is the SOAP 1.1 envelope of a call and of its answer.
type soapEnvelope struct {
	XMLName xml.Name `xml:"http://schemas.xmlsoap.org/soap/envelope/ Envelope"`
	Body    struct {
		Publish *publishCall   `xml:"http://tempuri.org/ ImportAndPublishInvMTT"`
		Answer  *publishAnswer `xml:"http://tempuri.org/ ImportAndPublishInvMTTResponse"`
		Fault   *struct {
			Code   string `xml:"faultcode"`
			String string `xml:"faultstring"`
		} `xml:"http://schemas.xmlsoap.org/soap/envelope/ Fault"`
	} `xml:"http://schemas.xmlsoap.org/soap/envelope/ Body"`
}

type publishCall struct {
	Account    string `xml:"Account"`
	ACpass     string `xml:"ACpass"`
	XMLInvData string `xml:"xmlInvData"`
	Username   string `xml:"username"`
	Password   string `xml:"password"`
	Pattern    string `xml:"pattern"`
	Serial     string `xml:"serial"`
	Convert    int    `xml:"convert"`
}

type publishAnswer struct {
	Result string `xml:"ImportAndPublishInvMTTResult"`
}

func parseVNPTAnswer(data []byte) (answer, fault string, err error) {
	var env soapEnvelope
	if err := xml.Unmarshal(data, &env); err != nil {
		return "", "", fmt.Errorf("not a SOAP answer: %w", err)
	}
	switch {
	case env.Body.Fault != nil:
		return "", env.Body.Fault.Code + " " + env.Body.Fault.String, nil
	case env.Body.Answer == nil:
		return "", "", errors.New("a SOAP answer without ImportAndPublishInvMTTResult")
	}
	return env.Body.Answer.Result, "", nil
}

// envelope writes the call: the list as VNPT's DSHDon, escaped into
// xmlInvData as the string parameter it is.
func (v *VNPT) envelope(batch []Invoice) ([]byte, error) {
	list, err := invoiceList(batch)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.Grow(len(list)*6/5 + 1024)
	b.WriteString(`<?xml version="1.0" encoding="utf-8"?>` +
		`<soap:Envelope xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">` +
		`<soap:Body><ImportAndPublishInvMTT xmlns="` + vnptNamespace + `">`)
	field := func(name, value string) {
		b.WriteString("<" + name + ">")
		_ = xml.EscapeText(&b, []byte(value))
		b.WriteString("</" + name + ">")
	}
	s := v.Settings
	field("Account", s.Account)
	field("ACpass", s.ACPass)
	b.WriteString("<xmlInvData>")
	_ = xml.EscapeText(&b, list)
	b.WriteString("</xmlInvData>")
	field("username", s.Username)
	field("password", s.Password)
	field("pattern", strconv.Itoa(batch[0].Form))
	field("serial", batch[0].Symbol)
	field("convert", "0")
	b.WriteString(`</ImportAndPublishInvMTT></soap:Body></soap:Envelope>`)
	return b.Bytes(), nil
}

// invoiceList writes <DSHDon> with each invoice's HDon document, its Fkey put
// first inside HDon as <key>, as VNPT's sample list has it.
func invoiceList(batch []Invoice) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString("<DSHDon>")
	for _, inv := range batch {
		doc := inv.XML
		if i := bytes.Index(doc, []byte("?>")); bytes.HasPrefix(bytes.TrimSpace(doc), []byte("<?xml")) && i >= 0 {
			doc = doc[i+2:]
		}
		doc = bytes.TrimSpace(doc)
		if !bytes.HasPrefix(doc, []byte("<HDon")) {
			return nil, fmt.Errorf("invoice %s: its XML does not start with HDon", inv.Key)
		}
		end := bytes.IndexByte(doc, '>')
		if end < 0 || doc[end-1] == '/' {
			return nil, fmt.Errorf("invoice %s: an empty HDon", inv.Key)
		}
		b.Write(doc[:end+1])
		b.WriteString("<key>")
		_ = xml.EscapeText(&b, []byte(inv.Key))
		b.WriteString("</key>")
		b.Write(doc[end+1:])
	}
	b.WriteString("</DSHDon>")
	return b.Bytes(), nil
}
