package kiosk

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/ocop-kiosk/kiosk/pos"
	"github.com/ocop-kiosk/kiosk/printer"
)

// A printer run reaches the print queue a few stamps at a time: stampWindow
// of them wait there at most, so a run of 50,000 is never 50,000 jobs in the
// store or in memory, and a pause withdraws no more than that. The feeder
// looks again every stampFeedEvery, and at once when a run starts or resumes.
const (
	stampWindow    = 16
	stampFeedEvery = 200 * time.Millisecond
)

// stampLabelJob is the payload of a stamp's print job: which stamp of which
// run (the store reads that part) and the label that prints it.
type stampLabelJob struct {
	pos.StampJob
	LabelJob
}

// feedStamps hands the label printer's queue the next stamps of every
// printing run until ctx ends. A run restarted with the kiosk goes on from
// its progress in the store.
func (s *Server) feedStamps(ctx context.Context) {
	t := time.NewTicker(stampFeedEvery)
	defer t.Stop()
	for {
		s.feedStampsOnce()
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-s.stampWake:
		}
	}
}

func (s *Server) feedStampsOnce() {
	runs, err := s.store.PrintingStampRuns()
	if err != nil {
		s.log.Error("reading stamp runs", "err", err)
		return
	}
	for _, r := range runs {
		if _, ok := s.queue.Printer(r.Printer); !ok {
			// Started with a label printer, restarted without one: the run
			// waits, paused, rather than filling a queue nothing drains.
			if _, err := s.store.PauseStampRun(r.ID, "no_printer"); err != nil {
				s.log.Error("pausing stamp run", "run", r.ID, "err", err)
			}
			continue
		}
		payload, err := s.stampPayload(r)
		if err == nil {
			var n int
			if n, err = s.store.FeedStampRun(r.ID, stampWindow, payload); n > 0 {
				s.queue.Wake()
			}
		}
		if err != nil {
			s.log.Error("feeding stamp run", "run", r.ID, "err", err)
		}
	}
}

func (s *Server) wakeStamps() {
	select {
	case s.stampWake <- struct{}{}:
	default:
	}
}

// stampPayload makes the print jobs of a run's stamps: each its serial, its
// Digital Link on the run's base, the product's name and stars.
func (s *Server) stampPayload(r pos.StampRun) (pos.StampPayload, error) {
	lot, err := s.store.Lot(r.SKU, r.Lot)
	if err != nil {
		return nil, err
	}
	p := s.index.Load().Lookup(r.SKU)
	if p == nil || p.SKU != r.SKU || p.GTIN == "" {
		return nil, fmt.Errorf("%w: %q has no GTIN now", pos.ErrUnknownSKU, r.SKU)
	}
	return func(r pos.StampRun, i int, reprint bool) ([]byte, error) {
		serial := r.Serial(i)
		link, err := pos.DigitalLink{Base: r.Base, GTIN: p.GTIN, Lot: lot.Code, Serial: serial, Expiry: lot.ExpiresOn}.String()
		if err != nil {
			return nil, err
		}
		return json.Marshal(stampLabelJob{
			StampJob: pos.StampJob{Run: r.ID, Index: i, Reprint: reprint},
			LabelJob: LabelJob{Size: r.Size, Label: printer.Label{Name: p.Name, Stars: p.Stars, Lot: lot.Code, QR: link, Serial: serial}},
		})
	}, nil
}

// renderStamp lays out one stamp, once the store says it may still print: a
// stamp withdrawn by a pause, or printed already, fails here and never
// reaches paper. A TSPL printer prints it on a square label of the run's
// size, an ESC/POS printer on its roll.
func (s *Server) renderStamp(job pos.PrintJob, p printer.Profile) ([]byte, error) {
	var sj stampLabelJob
	if err := json.Unmarshal(job.Payload, &sj); err != nil {
		return nil, fmt.Errorf("stamp job %d: %w", job.ID, err)
	}
	if err := s.store.StampJobReady(sj.StampJob); err != nil {
		return nil, err
	}
	if p.Language == "tspl" {
		mm := pos.StampSizes[sj.Size]
		t := printer.NewTSPL(p)
		printer.WriteLabelTSPL(t, sj.Label, printer.LabelSize{Name: sj.Size, WidthMM: mm, HeightMM: mm})
		return t.Bytes(), t.Err()
	}
	e := printer.NewEncoder(p)
	printer.WriteLabelESCPOS(e, sj.Label, printer.LabelSizes["58mm"])
	return e.Bytes(), e.Err()
}

// stampRunView is a run as the API shows it: its serials, and for a printer
// run the state of the printer it goes to (paper out holds it there).
type stampRunView struct {
	pos.StampRun
	FirstSerial  string `json:"first_serial"`
	LastSerial   string `json:"last_serial"`
	PrinterState string `json:"printer_state,omitempty"`
}

func (s *Server) stampRunView(r pos.StampRun) stampRunView {
	v := stampRunView{StampRun: r, FirstSerial: r.Serial(0), LastSerial: r.Last()}
	if r.Format == pos.StampFormatPrinter {
		v.PrinterState = "none"
		if p, ok := s.queue.Printer(r.Printer); ok {
			v.PrinterState = p.Status().State
		}
	}
	return v
}

// lotStampRun reads {sku}, {lot} and {run} and answers the run, which must be
// the lot's.
func (s *Server) lotStampRun(c *fiber.Ctx) (pos.StampRun, error) {
	sku, code, err := lotParams(c)
	if err != nil {
		return pos.StampRun{}, err
	}
	r, err := s.store.StampRun(c.Params("run"))
	if err != nil {
		return r, err
	}
	if r.SKU != sku || r.Lot != code {
		return r, fmt.Errorf("%w: stamp run %s of lot %s of %s", pos.ErrNotFound, r.ID, code, sku)
	}
	return r, nil
}

// getStampRun answers one run and its progress: GET
// /lots/{sku}/{lot}/stamps/{run}.
func (s *Server) getStampRun(c *fiber.Ctx) error {
	r, err := s.lotStampRun(c)
	if err != nil {
		return err
	}
	return c.JSON(s.stampRunView(r))
}

// changeStampRun is POST /lots/{sku}/{lot}/stamps/{run}/pause, /resume or
// /cancel.
func (s *Server) changeStampRun(c *fiber.Ctx) error {
	r, err := s.lotStampRun(c)
	if err != nil {
		return err
	}
	switch action := c.Params("action"); action {
	case "pause":
		r, err = s.store.PauseStampRun(r.ID, "manager")
	case "resume":
		r, err = s.store.ResumeStampRun(r.ID)
	case "cancel":
		r, err = s.store.CancelStampRun(r.ID)
	default:
		return fmt.Errorf("%w: %s of a stamp run", pos.ErrNotFound, action)
	}
	if err != nil {
		return err
	}
	s.log.Info("stamp run "+r.State, "run", r.ID, "printed", r.Printed, "count", r.Count, "by", who(c))
	s.wakeStamps()
	return c.JSON(s.stampRunView(r))
}

// reprintStamps queues again a range of a run's printed stamps, by serial:
// POST /lots/{sku}/{lot}/stamps/{run}/reprint {"first":"0005","last":"0009"}.
func (s *Server) reprintStamps(c *fiber.Ctx) error {
	var body struct {
		First string `json:"first"`
		Last  string `json:"last"`
	}
	if err := decodeJSON(c, &body); err != nil {
		return err
	}
	r, err := s.lotStampRun(c)
	if err != nil {
		return err
	}
	index := func(serial string) (int, error) {
		n, err := strconv.ParseUint(serial, 10, 64)
		if err != nil || n < r.First || n >= r.First+uint64(r.Count) {
			return 0, fmt.Errorf("%w: serial %q is not one of run %s (%s to %s)", pos.ErrBadStampRun, serial, r.ID, r.Serial(0), r.Last())
		}
		return int(n - r.First), nil
	}
	first, err := index(body.First)
	if err != nil {
		return err
	}
	last, err := index(body.Last)
	if err != nil {
		return err
	}
	payload, err := s.stampPayload(r)
	if err != nil {
		return err
	}
	if r, err = s.store.ReprintStamps(r.ID, first, last, payload); err != nil {
		return err
	}
	s.queue.Wake()
	s.log.Info("stamps reprinted", "run", r.ID, "first", r.Serial(first), "last", r.Serial(last), "by", who(c))
	return c.Status(fiber.StatusAccepted).JSON(fiber.Map{"run": s.stampRunView(r), "reprinted": last - first + 1})
}
