package kiosk

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/ocop-kiosk/kiosk/pos"
	"github.com/ocop-kiosk/kiosk/printer"
)

// printTargets parses the configured printer URLs.
func printTargets(cfg Config) (map[string]printer.Target, error) {
	out := map[string]printer.Target{}
	for name, raw := range cfg.Printers {
		t, err := printer.ParseURL(raw)
		if err != nil {
			return nil, fmt.Errorf("printer %s: %w", name, err)
		}
		out[name] = t
	}
	return out, nil
}

// renderer makes the bytes of a print job for a printer profile: receipts from
// the committed sale, Z-reports from the shift, labels from their payload.
func (s *Server) renderer(job pos.PrintJob, p printer.Profile) ([]byte, error) {
	if job.Doc == "label" {
		return renderLabel(job, p)
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
		printer.WriteZReport(e, z, s.cfg.Seller, names)
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

// receipt lays out a committed record with the seller's details, the e-receipt
// link, and each VietQR transfer's reference.
func (s *Server) receipt(sale pos.Sale) (printer.Receipt, error) {
	orig := ""
	if sale.Original != "" {
		if o, err := s.store.Sale(sale.Original); err == nil {
			orig = o.ReceiptNo
		}
	}
	r := printer.ReceiptFromSale(sale, s.cfg.Seller, s.linkBase(), orig)
	r.Payments = append([]pos.Payment(nil), sale.Payments...)
	for i, p := range r.Payments {
		if p.Method != pos.MethodVietQR {
			continue
		}
		// The transfer's reference (nội dung chuyển khoản) prints with its
		// payment: the receipt, the screen and the bank statement read alike.
		if p.Reference != "" {
			r.Payments[i].Method = "Chuyển khoản VietQR - ND: " + p.Reference
		}
		// Sales recorded before orders existed may still wait for their
		// transfer: their receipt carries the code to pay it.
		if p.Pending && s.cfg.BankBIN != "" {
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
	}
	return r, nil
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

// listPrintJobs answers ?state=pending|printed|failed (default pending) and
// ?sale= to follow one receipt.
func (s *Server) listPrintJobs(c *fiber.Ctx) error {
	state := c.Query("state", pos.JobPending)
	var jobs []pos.PrintJob
	var err error
	if state == pos.JobPending {
		jobs, err = s.store.PendingPrintJobs()
	} else {
		jobs, err = s.store.PrintJobs(state)
	}
	if err != nil {
		return err
	}
	if sale := c.Query("sale"); sale != "" {
		all, err := s.store.PrintJobs("")
		if err != nil {
			return err
		}
		jobs = jobs[:0]
		for _, j := range all {
			if j.SaleID == sale {
				jobs = append(jobs, j)
			}
		}
	}
	if jobs == nil {
		jobs = []pos.PrintJob{}
	}
	sort.Slice(jobs, func(i, j int) bool { return jobs[i].ID < jobs[j].ID })
	return c.JSON(fiber.Map{"jobs": jobs})
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
