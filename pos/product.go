package pos

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"
)

// Group is one of the six OCOP product groups.
type Group string

// The six OCOP product groups.
const (
	GroupFood       Group = "food"       // thực phẩm
	GroupBeverage   Group = "beverage"   // đồ uống
	GroupHerbal     Group = "herbal"     // thảo dược
	GroupHandicraft Group = "handicraft" // thủ công mỹ nghệ, vải và may mặc
	GroupFlower     Group = "flower"     // hoa, cây cảnh
	GroupTourism    Group = "tourism"    // dịch vụ du lịch cộng đồng, du lịch nông thôn
)

// Groups lists the OCOP groups in their official order.
var Groups = []Group{GroupFood, GroupBeverage, GroupHerbal, GroupHandicraft, GroupFlower, GroupTourism}

// GroupNames gives each group's Vietnamese and English label.
var GroupNames = map[Group][2]string{
	GroupFood:       {"Thực phẩm", "Food"},
	GroupBeverage:   {"Đồ uống", "Beverages"},
	GroupHerbal:     {"Thảo dược", "Herbal products"},
	GroupHandicraft: {"Thủ công mỹ nghệ", "Handicrafts & textiles"},
	GroupFlower:     {"Hoa, cây cảnh", "Flowers & ornamental plants"},
	GroupTourism:    {"Du lịch nông thôn", "Rural tourism"},
}

// Valid reports whether g is one of the six groups.
func (g Group) Valid() bool { _, ok := GroupNames[g]; return ok }

// ProducerKind is the legal form of an OCOP producer ("chủ thể").
type ProducerKind string

// Producer kinds.
const (
	KindHTX        ProducerKind = "htx"        // hợp tác xã, cooperative
	KindTHT        ProducerKind = "tht"        // tổ hợp tác, cooperative group
	KindEnterprise ProducerKind = "enterprise" // doanh nghiệp
	KindHousehold  ProducerKind = "household"  // hộ kinh doanh
)

// Valid reports whether k is a known producer kind.
func (k ProducerKind) Valid() bool {
	switch k {
	case KindHTX, KindTHT, KindEnterprise, KindHousehold:
		return true
	}
	return false
}

// Producer is an OCOP producer a booth sells for and settles with.
type Producer struct {
	ID              string       `json:"id"`
	Name            string       `json:"name"`
	Kind            ProducerKind `json:"kind"`
	TaxCode         string       `json:"tax_code,omitempty"`
	Province        string       `json:"province,omitempty"`
	Commune         string       `json:"commune,omitempty"`
	Address         string       `json:"address,omitempty"`
	Phone           string       `json:"phone,omitempty"`
	BankBIN         string       `json:"bank_bin,omitempty"`
	BankAccount     string       `json:"bank_account,omitempty"`
	BankAccountName string       `json:"bank_account_name,omitempty"`
	// Invoicing is how the producer's goods are invoiced when the booth sells
	// them; nil: in the booth's own name.
	Invoicing *ProducerInvoicing `json:"invoicing,omitempty"`
}

// ProducerInvoicing says a producer delegated issuing invoices to the booth
// (consignment, Circular 32/2025 Art. 4): its goods are invoiced in its name,
// with its tax method, the booth shown as the delegate.
type ProducerInvoicing struct {
	Delegated bool   `json:"delegated"`
	TaxMethod string `json:"tax_method"` // TaxDirect or TaxCredit
	// DirectRate is the percentage of revenue the producer pays as VAT on
	// the direct method (zero: 1 %), for the reduction note.
	DirectRate Percent `json:"direct_rate,omitempty"`
}

// delegates tells a producer whose goods the booth invoices in its name.
func (p *Producer) delegates() bool { return p != nil && p.Invoicing != nil && p.Invoicing.Delegated }

// Product is something a kiosk sells. Price is VAT-inclusive.
type Product struct {
	SKU        string   `json:"sku"`
	GTIN       string   `json:"gtin,omitempty"` // 14-digit form
	Name       string   `json:"name"`
	NameEN     string   `json:"name_en,omitempty"`
	Group      Group    `json:"group"`
	Stars      int      `json:"stars"`
	CertNo     string   `json:"cert_no,omitempty"`
	CertExpiry Date     `json:"cert_expiry,omitzero"`
	ProducerID string   `json:"producer_id"`
	Unit       string   `json:"unit,omitempty"`
	Price      Money    `json:"price"`
	VATRate    int      `json:"vat_rate"`
	Barcodes   []string `json:"barcodes,omitempty"`
	// Stock is units, or grams for a product sold by weight.
	Stock         int64  `json:"stock"`
	Image         string `json:"image,omitempty"`
	Description   string `json:"description,omitempty"`
	DescriptionEN string `json:"description_en,omitempty"`
	// SoldBy is "weight" for goods weighed at the till: Price is per kg,
	// Stock is grams, a sale line carries weight_g. Empty (or "unit", which
	// Validate clears) is sold by the unit.
	SoldBy string `json:"sold_by,omitempty"`
}

// How a product is sold.
const (
	SoldByUnit   = "unit"
	SoldByWeight = "weight"
)

// ByWeight tells a product sold by weight.
func (p *Product) ByWeight() bool { return p.SoldBy == SoldByWeight }

// Lot is a production batch of a product.
type Lot struct {
	SKU            string       `json:"sku"`
	Code           string       `json:"lot"`
	ProducedOn     Date         `json:"produced_on,omitzero"`
	PackedOn       Date         `json:"packed_on,omitzero"`
	ExpiresOn      Date         `json:"expires_on,omitzero"`
	Origin         string       `json:"origin,omitempty"`
	Certifications []string     `json:"certifications,omitempty"`
	Quantity       int64        `json:"quantity"`
	Events         []TraceEvent `json:"events,omitempty"`
	// Captured are EPCIS events producers' own systems sent to the hub
	// (POST /api/v1/epcis/capture), kept as they came and carried down to
	// the kiosks with the lot. A lot put without them keeps its own.
	Captured []json.RawMessage `json:"epcis,omitempty"`
}

// ID is the lot's key: SKU and lot code.
func (l Lot) ID() string { return l.SKU + "/" + l.Code }

// MaxPrice bounds a catalog price (one billion đồng per unit).
const MaxPrice Money = 1_000_000_000

// MaxStock bounds a stock figure.
const MaxStock = 100_000_000

var (
	reSKU      = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$`)
	reTaxCode  = regexp.MustCompile(`^[0-9]{10}(-[0-9]{3})?$`)
	reLotCode  = regexp.MustCompile(`^[!"%&'()*+,\-./0-9:;<=>?A-Z_a-z]{1,20}$`) // GS1 AI 10: 82-character set
	reBankBIN  = regexp.MustCompile(`^[0-9]{6}$`)
	reBankAcct = regexp.MustCompile(`^[0-9A-Za-z]{1,19}$`)
)

// FieldError is a validation error of one field, named as the catalog files name
// their columns, so an import can say which cell is wrong.
type FieldError struct {
	Field string
	Err   error
}

func (e *FieldError) Error() string { return e.Err.Error() }
func (e *FieldError) Unwrap() error { return e.Err }

func fieldErr(field, format string, a ...any) error {
	return &FieldError{Field: field, Err: fmt.Errorf(format, a...)}
}

// VATRates are the rates a product may carry, in percent.
var VATRates = []int{0, 5, 8, 10}

func validVAT(r int) bool {
	for _, v := range VATRates {
		if v == r {
			return true
		}
	}
	return false
}

// Validate checks a producer's fields.
func (p *Producer) Validate() error {
	p.ID = strings.TrimSpace(p.ID)
	p.Name = strings.TrimSpace(p.Name)
	switch {
	case !reSKU.MatchString(p.ID):
		return fieldErr("id", "producer id %q: want 1–40 letters, digits, '.', '_' or '-'", p.ID)
	case p.Name == "":
		return fieldErr("name", "producer %s: name is empty", p.ID)
	case !p.Kind.Valid():
		return fieldErr("kind", "producer %s: kind %q, want htx, tht, enterprise or household", p.ID, p.Kind)
	case p.TaxCode != "" && !reTaxCode.MatchString(p.TaxCode):
		return fieldErr("tax_code", "producer %s: tax code %q, want 10 digits or 10-3 digits", p.ID, p.TaxCode)
	case p.BankBIN != "" && !reBankBIN.MatchString(p.BankBIN):
		return fieldErr("bank_bin", "producer %s: bank BIN %q, want 6 digits", p.ID, p.BankBIN)
	case p.BankAccount != "" && !reBankAcct.MatchString(p.BankAccount):
		return fieldErr("bank_account", "producer %s: bank account %q, want up to 19 letters or digits", p.ID, p.BankAccount)
	}
	if pi := p.Invoicing; pi != nil {
		switch {
		case pi.TaxMethod != TaxDirect && pi.TaxMethod != TaxCredit && (pi.Delegated || pi.TaxMethod != ""):
			return fieldErr("invoice_tax_method", "producer %s: invoice tax method %q, want direct or credit", p.ID, pi.TaxMethod)
		case pi.DirectRate < 0 || pi.DirectRate > 10_00:
			return fieldErr("invoice_direct_rate", "producer %s: direct-method percentage %s, want 0 to 10", p.ID, pi.DirectRate)
		case pi.Delegated && p.TaxCode == "":
			return fieldErr("tax_code", "producer %s delegated its invoicing: its invoices carry its tax code, which is empty", p.ID)
		case pi.Delegated && ValidMST(p.TaxCode) != nil:
			return fieldErr("tax_code", "producer %s delegated its invoicing: %v", p.ID, ValidMST(p.TaxCode))
		case pi.Delegated && strings.TrimSpace(p.Address) == "":
			return fieldErr("address", "producer %s delegated its invoicing: its invoices carry its address, which is empty", p.ID)
		}
	}
	return nil
}

// Validate checks a product's fields and normalises its GTIN to 14 digits.
func (p *Product) Validate() error {
	p.SKU = strings.TrimSpace(p.SKU)
	p.Name = strings.TrimSpace(p.Name)
	switch {
	case !reSKU.MatchString(p.SKU):
		return fieldErr("sku", "sku %q: want 1–40 letters, digits, '.', '_' or '-'", p.SKU)
	case p.Name == "":
		return fieldErr("name", "product %s: name is empty", p.SKU)
	case !p.Group.Valid():
		return fieldErr("group", "product %s: group %q, want one of food, beverage, herbal, handicraft, flower, tourism", p.SKU, p.Group)
	case p.Stars < 3 || p.Stars > 5:
		return fieldErr("stars", "product %s: %d stars, OCOP certifies 3, 4 or 5", p.SKU, p.Stars)
	case p.ProducerID == "":
		return fieldErr("producer_id", "product %s: producer is empty", p.SKU)
	case p.Price <= 0 || p.Price > MaxPrice:
		return fieldErr("price", "product %s: price %d, want 1 to %d đồng", p.SKU, p.Price, MaxPrice)
	case !validVAT(p.VATRate):
		return fieldErr("vat_rate", "product %s: VAT rate %d%%, want 0, 5, 8 or 10", p.SKU, p.VATRate)
	case p.Stock < 0 || p.Stock > MaxStock:
		return fieldErr("stock", "product %s: stock %d out of range", p.SKU, p.Stock)
	}
	switch strings.ToLower(strings.TrimSpace(p.SoldBy)) {
	case "", SoldByUnit:
		p.SoldBy = ""
	case SoldByWeight:
		// The price is per kilogram, so the unit is too: a weighed product
		// with another unit would print a price per "hũ" that is per kg.
		p.SoldBy = SoldByWeight
		switch strings.ToLower(strings.TrimSpace(p.Unit)) {
		case "", "kg":
			p.Unit = "kg"
		default:
			return fieldErr("unit", "product %s is sold by weight: its price is per kg, so its unit is kg, not %q", p.SKU, p.Unit)
		}
	default:
		return fieldErr("sold_by", "product %s: sold_by %q, want unit or weight", p.SKU, p.SoldBy)
	}
	if p.GTIN != "" {
		g, err := NormalizeGTIN(p.GTIN)
		if err != nil {
			return &FieldError{Field: "gtin", Err: fmt.Errorf("product %s: %w", p.SKU, err)}
		}
		p.GTIN = g
	}
	for _, b := range p.Barcodes {
		if b == "" || len(b) > 48 || strings.ContainsAny(b, " \t\r\n") {
			return fieldErr("barcodes", "product %s: barcode %q, want 1–48 characters without spaces", p.SKU, b)
		}
	}
	return nil
}

// CertValid reports whether the product's OCOP certificate is still valid on day.
func (p *Product) CertValid(day time.Time) bool {
	return !p.CertExpiry.IsZero() && !p.CertExpiry.Time().Before(truncDay(day))
}

// Validate checks a lot's fields.
func (l *Lot) Validate() error {
	l.SKU = strings.TrimSpace(l.SKU)
	l.Code = strings.TrimSpace(l.Code)
	switch {
	case l.SKU == "":
		return fieldErr("sku", "lot %q: sku is empty", l.Code)
	case !reLotCode.MatchString(l.Code):
		return fieldErr("lot", "lot %q of %s: want 1–20 characters of the GS1 set", l.Code, l.SKU)
	case l.Quantity < 0 || l.Quantity > MaxStock:
		return fieldErr("quantity", "lot %s/%s: quantity %d out of range", l.SKU, l.Code, l.Quantity)
	case !l.ProducedOn.IsZero() && !l.PackedOn.IsZero() && l.PackedOn.Time().Before(l.ProducedOn.Time()):
		return fieldErr("packed_on", "lot %s/%s: packed %s before produced %s", l.SKU, l.Code, l.PackedOn, l.ProducedOn)
	case !l.ExpiresOn.IsZero() && !l.ProducedOn.IsZero() && l.ExpiresOn.Time().Before(l.ProducedOn.Time()):
		return fieldErr("expires_on", "lot %s/%s: expires %s before produced %s", l.SKU, l.Code, l.ExpiresOn, l.ProducedOn)
	}
	return nil
}
