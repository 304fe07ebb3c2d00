package pos

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"sort"
	"strconv"
	"strings"

	bolt "go.etcd.io/bbolt"
)

// The national traceability portal asks of a traced product the ten data
// items Circular 02/2024/TT-BKHCN lists. PortalItems names them in that order,
// with their Vietnamese and English names; the export and its validation
// report use the keys.
var PortalItems = []struct{ Key, VI, EN string }{
	{"name", "Tên sản phẩm", "Product name"},
	{"images", "Hình ảnh sản phẩm", "Product images"},
	{"producer", "Cơ sở sản xuất", "Producer"},
	{"address", "Địa chỉ", "Address"},
	{"stages", "Công đoạn (mã sản phẩm, mã địa điểm, thời gian)", "Stages (product code, location code, time)"},
	{"production_time", "Thời gian sản xuất", "Production time"},
	{"trace_code", "Mã truy vết", "Trace code"},
	{"brand_or_serial", "Nhãn hiệu hoặc số sê-ri", "Brand or serial"},
	{"shelf_life", "Hạn sử dụng", "Shelf life"},
	{"standards", "Tiêu chuẩn áp dụng", "Applied standards"},
}

// PortalStage is one stage of a lot as the portal takes it: what was done,
// the product's code, where (the location's code) and when.
type PortalStage struct {
	Stage        string `json:"stage"`
	ProductCode  string `json:"product_code"`
	LocationCode string `json:"location_code"`
	Time         Date   `json:"time"`
}

// PortalRecord is one row of the export: a lot of a product, or a product
// with no lot yet (its lot fields empty, and lacking).
type PortalRecord struct {
	SKU           string        `json:"sku"`
	GTIN          string        `json:"gtin,omitempty"`
	Lot           string        `json:"lot,omitempty"`
	Name          string        `json:"name"`
	NameEN        string        `json:"name_en,omitempty"`
	Images        []string      `json:"images"`
	Producer      string        `json:"producer"`
	Address       string        `json:"address"`
	Stages        []PortalStage `json:"stages"`
	ProducedOn    Date          `json:"production_time,omitzero"`
	TraceCode     string        `json:"trace_code"`
	BrandOrSerial string        `json:"brand_or_serial"`
	ExpiresOn     Date          `json:"expires_on,omitzero"`
	ShelfLifeDays int           `json:"shelf_life_days,omitempty"`
	Standards     []string      `json:"standards"`
	// Missing lists the keys of PortalItems the record lacks, in their order.
	Missing []string `json:"missing"`
}

// PortalProduct is the validation report of one product: how many of the ten
// items all its lots carry, and which items some lot (or the product) lacks.
type PortalProduct struct {
	SKU      string              `json:"sku"`
	Name     string              `json:"name"`
	Lots     int                 `json:"lots"`
	Complete int                 `json:"complete"` // items no row of it lacks, of len(PortalItems)
	Missing  []string            `json:"missing"`
	ByLot    map[string][]string `json:"by_lot,omitempty"` // what each incomplete lot lacks
}

// PortalExport is the whole export with its report.
type PortalExport struct {
	Items    []string        `json:"items"`
	Records  []PortalRecord  `json:"records"`
	Products []PortalProduct `json:"products"`
}

// PortalSource is what the export is built from: the catalog, the origin its
// trace codes carry, and what the caller knows beyond it.
type PortalSource struct {
	Base      string
	Producers []Producer
	Products  []Product
	Lots      []Lot
	// ImageURL turns a product's image into the address the portal fetches
	// it from; nil keeps it as the catalog has it.
	ImageURL func(string) string
	// Serials tells the label serials issued for a lot ("0001–0120"), "" for
	// none or when the caller cannot know (the hub: kiosks number labels).
	Serials func(sku, lot string) string
}

// BuildPortalExport flattens the catalog into the portal's ten items, a row
// per lot (a product with no lot has one row), and reports what each row and
// each product lacks. Products are in SKU order, lots in code order.
func BuildPortalExport(src PortalSource) PortalExport {
	producers := make(map[string]Producer, len(src.Producers))
	for _, p := range src.Producers {
		producers[p.ID] = p
	}
	lots := map[string][]Lot{}
	for _, l := range src.Lots {
		lots[l.SKU] = append(lots[l.SKU], l)
	}
	products := append([]Product(nil), src.Products...)
	sort.Slice(products, func(i, j int) bool { return products[i].SKU < products[j].SKU })
	out := PortalExport{Records: []PortalRecord{}, Products: []PortalProduct{}}
	for _, it := range PortalItems {
		out.Items = append(out.Items, it.Key)
	}
	for _, p := range products {
		pl := lots[p.SKU]
		sort.Slice(pl, func(i, j int) bool { return pl[i].Code < pl[j].Code })
		rep := PortalProduct{SKU: p.SKU, Name: p.Name, Lots: len(pl)}
		missing := map[string]bool{}
		rows := pl
		if len(rows) == 0 {
			rows = []Lot{{SKU: p.SKU}}
		}
		for _, l := range rows {
			r := portalRecord(src, p, producers[p.ProducerID], l)
			for _, k := range r.Missing {
				missing[k] = true
			}
			if len(r.Missing) > 0 && l.Code != "" {
				if rep.ByLot == nil {
					rep.ByLot = map[string][]string{}
				}
				rep.ByLot[l.Code] = r.Missing
			}
			out.Records = append(out.Records, r)
		}
		rep.Missing = []string{}
		for _, it := range PortalItems {
			if missing[it.Key] {
				rep.Missing = append(rep.Missing, it.Key)
			}
		}
		rep.Complete = len(PortalItems) - len(rep.Missing)
		out.Products = append(out.Products, rep)
	}
	return out
}

func portalRecord(src PortalSource, p Product, pr Producer, l Lot) PortalRecord {
	r := PortalRecord{SKU: p.SKU, GTIN: p.GTIN, Lot: l.Code, Name: p.Name, NameEN: p.NameEN, Images: []string{},
		Producer: pr.Name, Stages: []PortalStage{}, ProducedOn: l.ProducedOn, ExpiresOn: l.ExpiresOn, Standards: []string{}}
	if p.Image != "" {
		img := p.Image
		if src.ImageURL != nil {
			img = src.ImageURL(img)
		}
		if img != "" {
			r.Images = append(r.Images, img)
		}
	}
	r.Address = pr.Address
	if r.Address == "" {
		r.Address = strings.Trim(strings.Join([]string{pr.Commune, pr.Province}, ", "), ", ")
	}
	code := p.GTIN
	if code == "" {
		code = p.SKU
	}
	stagesOK := len(l.Events) > 0
	for _, e := range l.Events {
		r.Stages = append(r.Stages, PortalStage{Stage: e.What, ProductCode: code, LocationCode: e.Where, Time: e.When})
		if e.Where == "" {
			stagesOK = false // a stage the portal cannot place
		}
	}
	if p.GTIN != "" && l.Code != "" {
		r.TraceCode, _ = DigitalLink{Base: src.Base, GTIN: p.GTIN, Lot: l.Code, Expiry: l.ExpiresOn}.String()
	}
	if src.Serials != nil && l.Code != "" {
		r.BrandOrSerial = src.Serials(p.SKU, l.Code)
	}
	if !l.ProducedOn.IsZero() && !l.ExpiresOn.IsZero() {
		r.ShelfLifeDays = int(l.ExpiresOn.Time().Sub(l.ProducedOn.Time()).Hours() / 24)
	}
	if p.CertNo != "" {
		r.Standards = append(r.Standards, fmt.Sprintf("OCOP %d sao (%s)", p.Stars, p.CertNo))
	}
	r.Standards = append(r.Standards, l.Certifications...)
	has := map[string]bool{
		"name":            r.Name != "",
		"images":          len(r.Images) > 0,
		"producer":        r.Producer != "",
		"address":         r.Address != "",
		"stages":          stagesOK,
		"production_time": !r.ProducedOn.IsZero(),
		"trace_code":      r.TraceCode != "",
		"brand_or_serial": r.BrandOrSerial != "",
		"shelf_life":      !r.ExpiresOn.IsZero(),
		"standards":       len(r.Standards) > 0,
	}
	r.Missing = []string{}
	for _, it := range PortalItems {
		if !has[it.Key] {
			r.Missing = append(r.Missing, it.Key)
		}
	}
	return r
}

// PortalCSVHeader is the export's first row.
var PortalCSVHeader = []string{"sku", "gtin", "lot", "name", "name_en", "images", "producer", "address", "stages",
	"production_time", "trace_code", "brand_or_serial", "expires_on", "shelf_life_days", "standards", "missing"}

// CSV writes the records flat, one row each, text cells escaped for
// spreadsheets (SpreadsheetText): several values in a cell are joined by
// " | ", a stage as "date stage @ location [product code]".
func (e PortalExport) CSV() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString("\ufeff") // spreadsheets read the file as UTF-8
	w := csv.NewWriter(&buf)
	if err := w.Write(PortalCSVHeader); err != nil {
		return nil, err
	}
	date := func(d Date) string {
		if d.IsZero() {
			return ""
		}
		return d.String()
	}
	for _, r := range e.Records {
		var stages []string
		for _, s := range r.Stages {
			stages = append(stages, fmt.Sprintf("%s %s @ %s [%s]", date(s.Time), s.Stage, s.LocationCode, s.ProductCode))
		}
		days := ""
		if r.ShelfLifeDays != 0 {
			days = strconv.Itoa(r.ShelfLifeDays)
		}
		row := []string{r.SKU, r.GTIN, r.Lot, r.Name, r.NameEN, strings.Join(r.Images, " | "), r.Producer, r.Address,
			strings.Join(stages, " | "), date(r.ProducedOn), r.TraceCode, r.BrandOrSerial, date(r.ExpiresOn), days,
			strings.Join(r.Standards, " | "), strings.Join(r.Missing, " ")}
		for i := range row {
			row[i] = SpreadsheetText(row[i])
		}
		if err := w.Write(row); err != nil {
			return nil, err
		}
	}
	w.Flush()
	return buf.Bytes(), w.Error()
}

// SerialRange tells the label serials this store issued for a lot, as
// "0001–0120" ("0001" for one), "" for none.
func (s *Store) SerialRange(sku, code string) (string, error) {
	var n uint64
	err := s.db.View(func(tx *bolt.Tx) error {
		if root := tx.Bucket(bSerials); root != nil {
			if b := root.Bucket([]byte(sku + "/" + code)); b != nil {
				n = b.Sequence()
			}
		}
		return nil
	})
	switch {
	case err != nil || n == 0:
		return "", err
	case n == 1:
		return "0001", nil
	}
	return fmt.Sprintf("0001–%04d", n), nil
}
