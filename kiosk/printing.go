package kiosk

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/ocop-kiosk/kiosk/pos"
	"github.com/ocop-kiosk/kiosk/printer"
)

// printTargets parses the configured printer URLs. A virtual printer keeps as
// many jobs' files as the store keeps finished jobs, unless its URL says keep=.
func printTargets(cfg Config) (map[string]printer.Target, error) {
	out := map[string]printer.Target{}
	for name, raw := range cfg.Printers {
		t, err := printer.ParseURL(raw)
		if err != nil {
			return nil, fmt.Errorf("printer %s: %w", name, err)
		}
		if t.Scheme == "file" && t.Query.Get("keep") == "" {
			t.Keep = cfg.PrintHistory
		}
		out[name] = t
	}
	return out, nil
}

// printTrimEvery is how often finished print jobs beyond -print-history are
// trimmed from the store, after the trim at start.
const printTrimEvery = time.Minute

// trimPrintHistory keeps the store's finished print jobs to cfg.PrintHistory:
// at start, then every printTrimEvery, until ctx ends.
func trimPrintHistory(ctx context.Context, store *pos.Store, cfg Config) {
	t := time.NewTicker(printTrimEvery)
	defer t.Stop()
	for {
		n, err := store.TrimPrintJobs(cfg.PrintHistory)
		switch {
		case err != nil && ctx.Err() == nil:
			cfg.Logger.Error("trimming print jobs", "err", err)
		case n > 0:
			cfg.Logger.Info("trimmed finished print jobs", "count", n, "kept", cfg.PrintHistory)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// renderer makes the bytes of a print job for a printer profile: receipts from
// the committed sale, Z-reports from the shift, labels from their payload.
func (s *Server) renderer(job pos.PrintJob, p printer.Profile) ([]byte, error) {
	switch job.Doc {
	case "label":
		return renderLabel(job, p)
	case pos.StampDoc:
		return s.renderStamp(job, p)
	}
	if p.Language == "tspl" {
		return nil, fmt.Errorf("a %s cannot go to a TSPL label printer", job.Doc)
	}
	e := printer.NewEncoder(p)
	switch job.Doc {
	case "receipt":
		sale, err := s.store.Sale(job.SaleID)
		if err != nil {
			return nil, err
		}
		r, err := s.receipt(sale)
		if err != nil {
			return nil, err
		}
		r.Copy = job.Copy
		printer.WriteReceipt(e, r)
	case "zreport":
		z, err := s.store.ShiftReport(job.Ref)
		if err != nil {
			return nil, err
		}
		names := map[string]string{}
		for id, p := range *s.producers.Load() {
			names[id] = p.Name
		}
		// The store's report carries no discounts or promotions yet: when it
		// does, they fill Discounts and Promotions (rows by reason, by name).
		sr := printer.ShiftReport{ZReport: z, Seller: s.cfg.Seller, ProducerNames: names}
		for _, d := range z.DiscountsByReason {
			label := d.Reason
			if label == "" {
				label = "Giảm giá"
			}
			sr.Discounts = append(sr.Discounts, printer.ZRow{Label: label, Count: int(d.Count), Amount: d.Amount})
		}
		for _, p := range z.ByPromotion {
			sr.Promotions = append(sr.Promotions, printer.ZRow{Label: p.Name, Count: int(p.Lines), Amount: p.Saved})
		}
		printer.WriteZReport(e, sr)
	case "test":
		printer.WritePrintTest(e)
	default:
		return nil, fmt.Errorf("unknown document %q", job.Doc)
	}
	return e.Bytes(), e.Err()
}

// LabelJob is the payload of a label print job: one label and its stock size
// ("40x30", "50x30", "58mm"; empty: the printer's own size).
type LabelJob struct {
	Label printer.Label `json:"label"`
	Size  string        `json:"size,omitempty"`
}

// renderLabel lays out a label for a TSPL label printer or an ESC/POS printer.
func renderLabel(job pos.PrintJob, p printer.Profile) ([]byte, error) {
	var lj LabelJob
	if err := json.Unmarshal(job.Payload, &lj); err != nil {
		return nil, fmt.Errorf("label job %d: %w", job.ID, err)
	}
	size, ok := printer.LabelSizes[lj.Size]
	if lj.Size != "" && !ok {
		return nil, fmt.Errorf("label size %q unknown", lj.Size)
	}
	if p.Language == "tspl" {
		t := printer.NewTSPL(p)
		printer.WriteLabelTSPL(t, lj.Label, size)
		return t.Bytes(), t.Err()
	}
	if !ok {
		size = printer.LabelSizes["58mm"]
	}
	e := printer.NewEncoder(p)
	printer.WriteLabelESCPOS(e, lj.Label, size)
	return e.Bytes(), e.Err()
}

// ReceiptLangTill is the -receipt-lang that prints each receipt in the
// language of the till that sold (the sale records it).
const ReceiptLangTill = "till"

// normalizeReceiptLang checks -receipt-lang: vi (the default), en, or till.
func (c *Config) normalizeReceiptLang() error {
	if c.ReceiptLang == "" {
		c.ReceiptLang = printer.LangVI
	}
	if c.ReceiptLang == ReceiptLangTill {
		return nil
	}
	lang, err := printer.ParseReceiptLang(c.ReceiptLang)
	if err != nil {
		return fmt.Errorf("-receipt-lang: %w (or till: each receipt in its till's language)", err)
	}
	c.ReceiptLang = lang
	return nil
}

// receiptLang is the language a record's receipt prints in: the kiosk's, or
// with -receipt-lang till the one the sale recorded — a void or refund, made
// on the manager page, in the language of the sale it undoes — and
// Vietnamese when the till did not say.
func (s *Server) receiptLang(sale pos.Sale, orig *pos.Sale) string {
	if s.cfg.ReceiptLang != ReceiptLangTill {
		return s.cfg.ReceiptLang
	}
	l := sale.Lang
	if l == "" && orig != nil {
		l = orig.Lang
	}
	if l == pos.LangEN {
		return printer.LangEN
	}
	return printer.LangVI
}

// receipt lays out a committed record in its receipt language, with the
// seller's details, the e-receipt link, and the VietQR code of a transfer
// still pending.
func (s *Server) receipt(sale pos.Sale) (printer.Receipt, error) {
	var orig *pos.Sale
	if sale.Original != "" {
		if o, err := s.store.Sale(sale.Original); err == nil {
			orig = &o
		}
	}
	r := receiptFromSale(sale, s.receiptLang(sale, orig))
	r.Seller = s.cfg.Seller
	r.Invoices, r.Buyer = receiptInvoices(sale, r.Lang, s.store.Invoicing().Seller.TaxCode)
	if orig != nil {
		r.Original = orig.ReceiptNo
	}
	if base := s.linkBase(); base != "" {
		r.QR = strings.TrimRight(base, "/") + "/r/" + sale.ID
	}
	for _, p := range sale.Payments {
		// Sales recorded before orders existed may still wait for their
		// transfer: their receipt carries the code to pay it.
		if p.Method != pos.MethodVietQR || !p.Pending || s.cfg.BankBIN == "" {
			continue
		}
		ref := p.Reference
		if ref == "" {
			ref = sale.ReceiptNo
		}
		payload, err := pos.VietQR{BankBIN: s.cfg.BankBIN, Account: s.cfg.BankAccount, Amount: p.Amount, Reference: ref}.Payload()
		if err != nil {
			return r, err
		}
		r.VietQR = payload
	}
	return r, nil
}

// receiptFromSale is what the receipt shows of a committed record, in lang:
// each line under its name in that language (the Vietnamese one when it has
// no English name) with its lot, its quantity and price, and the amount the
// sale recorded for it; the VAT and payments as the sale recorded them.
func receiptFromSale(sale pos.Sale, lang string) printer.Receipt {
	r := printer.Receipt{Lang: lang, Kind: sale.Kind, ReceiptNo: sale.ReceiptNo, Time: sale.Time, Till: sale.Till, Cashier: cashierName(sale),
		VAT: sale.VAT, Payments: append([]pos.Payment(nil), sale.Payments...)}
	promo := map[string]string{}
	for _, p := range sale.Promotions {
		promo[p.ID] = p.Name
		if lang == printer.LangEN && p.NameEN != "" {
			promo[p.ID] = p.NameEN
		}
	}
	for _, l := range sale.Lines {
		name := l.Name
		if lang == printer.LangEN && l.NameEN != "" {
			name = l.NameEN
		}
		if l.Lot != "" {
			name += printer.LotSuffix(lang, l.Lot)
		}
		// The line prints at its worth before anything was taken off, then
		// what its promotion and a discount given at the till took off it; the
		// sale's own discount (spread over the lines by the pricing) prints
		// once, under the total, so nothing is taken off twice.
		rl := printer.ReceiptLine{Name: name, Qty: l.Qty, WeightG: l.WeightG, Price: l.Price, VATRate: l.VATRate, Gross: l.Gross(),
			Serials: l.Serials}
		switch {
		case l.Free:
			rl.Off = append(rl.Off, printer.Deduction{Promotion: promo[l.Promotion]})
		case l.PromotionDiscount != 0:
			rl.Off = append(rl.Off, printer.Deduction{Promotion: promo[l.Promotion], Amount: l.PromotionDiscount})
		}
		if l.LineDiscount != 0 {
			rl.Off = append(rl.Off, printer.Deduction{Reason: l.DiscountReason, Amount: l.LineDiscount})
		}
		r.Lines = append(r.Lines, rl)
		r.Discount.Amount += l.SaleDiscount
	}
	r.Discount.Reason = sale.DiscountReason
	return r
}

func (s *Server) listPrinters(c *fiber.Ctx) error {
	return c.JSON(fiber.Map{"printers": s.queue.Status()})
}

// reprint queues a copy of a receipt, marked "BẢN SAO / COPY".
func (s *Server) reprint(c *fiber.Ctx) error {
	sale, err := s.store.Sale(c.Params("id"))
	if err != nil {
		return err
	}
	job, err := s.store.AddPrintJob(pos.PrintJob{SaleID: sale.ID, Doc: "receipt", Printer: "receipt", Copy: true})
	if err != nil {
		return err
	}
	s.queue.Wake()
	s.log.Info("reprint queued", "receipt", sale.ReceiptNo, "job", job.ID, "by", who(c))
	return c.Status(fiber.StatusAccepted).JSON(job)
}

// listPrintJobs answers ?state=pending|printed|failed|all (default pending) a
// page at a time, newest first: ?limit= (default 100, at most 500) and
// ?before=ID, the "next" of the page before. ?sale= follows one receipt: every
// job of that sale (few), oldest first, as the till reads them, filtered by
// state only when one is asked for.
func (s *Server) listPrintJobs(c *fiber.Ctx) error {
	state := c.Query("state")
	switch state {
	case "", "all", pos.JobPending, pos.JobPrinted, pos.JobFailed:
	default:
		return newAPIError(fiber.StatusBadRequest, "bad_query", fmt.Sprintf("state=%q: want pending, printed, failed or all", state))
	}
	if sale := c.Query("sale"); sale != "" {
		jobs, err := s.store.PrintJobsOfSale(sale)
		if err != nil {
			return err
		}
		if state != "" && state != "all" {
			jobs = slices.DeleteFunc(jobs, func(j pos.PrintJob) bool { return j.State != state })
		}
		return c.JSON(fiber.Map{"jobs": jobs})
	}
	switch state {
	case "":
		state = pos.JobPending
	case "all":
		state = ""
	}
	limit, err := queryInt(c, "limit", 100, 1, 500)
	if err != nil {
		return err
	}
	var before uint64
	if v := c.Query("before"); v != "" {
		if before, err = strconv.ParseUint(v, 10, 64); err != nil || before == 0 {
			return newAPIError(fiber.StatusBadRequest, "bad_query", fmt.Sprintf("before=%q: want a print job id (the next of the page before)", v))
		}
	}
	jobs, next, err := s.store.PrintJobPage(state, before, limit)
	if err != nil {
		return err
	}
	out := fiber.Map{"jobs": jobs}
	if next != 0 {
		out["next"] = next
	}
	return c.JSON(out)
}

// printZReport queues the Z-report of a shift (the open one with ?shift= empty).
func (s *Server) printShiftReport(c *fiber.Ctx) error {
	z, err := s.store.ShiftReport(c.Params("id"))
	if err != nil {
		return err
	}
	job, err := s.store.AddPrintJob(pos.PrintJob{Doc: "zreport", Printer: "receipt", Ref: z.Shift.ID})
	if err != nil {
		return err
	}
	s.queue.Wake()
	return c.Status(fiber.StatusAccepted).JSON(job)
}

// printTest queues the print test (sample receipt, code-page table, QR) on a
// configured printer.
func (s *Server) printTest(c *fiber.Ctx) error {
	name := c.Params("name")
	if _, ok := s.queue.Printer(name); !ok {
		return fmt.Errorf("%w: printer %q", pos.ErrNotFound, name)
	}
	job, err := s.store.AddPrintJob(pos.PrintJob{Doc: "test", Printer: name})
	if err != nil {
		return err
	}
	s.queue.Wake()
	return c.Status(fiber.StatusAccepted).JSON(job)
}

// PrintTest sends the print test straight to a printer URL (no store, no queue)
// and reports the printer's state: `kiosk print-test -printer URL`.
func PrintTest(ctx context.Context, rawURL string) (printer.State, int, error) {
	t, err := printer.ParseURL(rawURL)
	if err != nil {
		return printer.State{}, 0, err
	}
	port, err := t.Open(ctx)
	if err != nil {
		return printer.State{}, 0, err
	}
	defer port.Close()
	st := printer.State{}
	if t.Profile.Status {
		if st, err = printer.QueryState(ctx, port); err != nil {
			return st, 0, fmt.Errorf("reading the printer's state: %w", err)
		}
		if err := st.Err(); err != nil {
			return st, 0, fmt.Errorf("the printer is not ready: %w", err)
		}
	}
	var data []byte
	if t.Profile.Language == "tspl" {
		return st, 0, fmt.Errorf("print-test speaks ESC/POS; %s is a TSPL label profile", t.Profile.Name)
	}
	e := printer.NewEncoder(t.Profile)
	printer.WritePrintTest(e)
	if e.Err() != nil {
		return st, 0, e.Err()
	}
	data = e.Bytes()
	if jp, ok := port.(printer.JobPort); ok {
		err = jp.WriteJob(ctx, "print-test", data)
	} else {
		err = port.Write(ctx, data)
	}
	return st, len(data), err
}

// Ports lists the serial ports of the machine: `kiosk ports`.
func Ports() string {
	ports := printer.SerialPorts()
	if len(ports) == 0 {
		return "no serial ports found (USB printers may appear as /dev/usb/lp0: use dev:/dev/usb/lp0)\n"
	}
	var b strings.Builder
	for _, p := range ports {
		b.WriteString(p.Path)
		if p.Driver != "" {
			b.WriteString("\t" + p.Driver)
		}
		b.WriteString("\n")
	}
	b.WriteString("profiles: " + strings.Join(printer.ProfileNames(), ", ") + "\n")
	return b.String()
}

// cashierName is who sold, as the receipt prints it ("" for none).
func cashierName(sale pos.Sale) string {
	if sale.Cashier == nil {
		return ""
	}
	return sale.Cashier.Name
}
