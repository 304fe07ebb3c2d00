package kiosk

import (
	"bufio"
	"fmt"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/ocop-kiosk/kiosk/pos"
	"github.com/ocop-kiosk/kiosk/printer"
)

// stampRunBody is POST /lots/{sku}/{lot}/stamps.
type stampRunBody struct {
	Count  int    `json:"count"`
	Format string `json:"format"`
	Size   string `json:"size"`
}

// issueStamps registers a run of serialised stamps for a lot and answers the
// print-ready PDF of their sheets, or with format "printer" sends them to the
// label printer (stamprun.go) and answers the run. Everything a request can get wrong is
// checked first, so a refused run registers nothing; the serials are then
// registered before the file is made, so a stamp that reaches paper is always
// one the kiosk knows (a file that fails to render leaves its serials issued
// and unused, never reused).
func (s *Server) issueStamps(c *fiber.Ctx) error {
	var body stampRunBody
	if err := decodeJSON(c, &body); err != nil {
		return err
	}
	if body.Format == "" {
		body.Format = "pdf"
	}
	body.Format = strings.ToLower(body.Format)
	if err := pos.CheckStampRun(body.Format, body.Size); err != nil {
		return err
	}
	if body.Count < 1 || body.Count > pos.MaxStamps {
		return fmt.Errorf("%w: %d stamps, want 1 to %d", pos.ErrBadStampRun, body.Count, pos.MaxStamps)
	}
	if _, ok := s.queue.Printer(pos.StampPrinter); body.Format == pos.StampFormatPrinter && !ok {
		return newAPIError(fiber.StatusUnprocessableEntity, "unknown_printer", fmt.Sprintf("no printer %q for a printer run; start the kiosk with -printer %s=URL", pos.StampPrinter, pos.StampPrinter))
	}
	lot, p, err := s.linkedLot(c)
	if err != nil {
		return err
	}
	base := s.origin(c)
	// A link that cannot be made (a lot code outside GS1's characters) is
	// found before any serial is spent on it.
	if _, err := (pos.DigitalLink{Base: base, GTIN: p.GTIN, Lot: lot.Code, Serial: "0001", Expiry: lot.ExpiresOn}).String(); err != nil {
		return newAPIError(fiber.StatusUnprocessableEntity, "bad_lot", fmt.Sprintf("lot %s cannot be put in a Digital Link: %v", lot.Code, err))
	}

	run, err := s.store.IssueStamps(lot.SKU, lot.Code, body.Count, body.Format, body.Size, base, time.Now())
	if err != nil {
		return err
	}
	s.log.Info("stamps issued", "run", run.ID, "lot", lot.ID(), "first", run.Serial(0), "last", run.Last(), "count", run.Count, "by", who(c))
	if run.Format == pos.StampFormatPrinter {
		// The stamps go to the label printer a few at a time (feedStamps);
		// the answer is the run, whose progress GET follows.
		s.wakeStamps()
		return c.Status(fiber.StatusAccepted).JSON(s.stampRunView(run))
	}

	sheet := printer.StampSheet{
		SizeMM: pos.StampSizes[run.Size],
		Name:   p.Name,
		Stars:  p.Stars,
		Title:  fmt.Sprintf("%s · %s · lô %s · %s: %s–%s", run.ID, p.Name, lot.Code, p.GTIN, run.Serial(0), run.Last()),
		Count:  run.Count,
		Stamp: func(i int) (string, string, error) {
			serial := run.Serial(i)
			link, err := pos.DigitalLink{Base: base, GTIN: p.GTIN, Lot: lot.Code, Serial: serial, Expiry: lot.ExpiresOn}.String()
			return link, serial, err
		},
	}
	if err := printer.CheckStampSheet(sheet); err != nil {
		return fmt.Errorf("stamp run %s of lot %s: %w", run.ID, lot.ID(), err)
	}
	c.Set(fiber.HeaderContentType, "application/pdf")
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="stamps-%s.pdf"`, run.ID))
	c.Set("X-Stamp-Run", run.ID)
	c.Set("X-Stamp-First", run.Serial(0))
	c.Set("X-Stamp-Last", run.Last())
	c.Set("X-Stamp-Count", fmt.Sprint(run.Count))
	c.Status(fiber.StatusCreated)
	// The sheets are laid out while they are sent: each finished sheet goes
	// to the connection as the next is drawn, so the kiosk never holds the
	// run's file, in memory or on disk, and the print shop's download starts
	// at once. The link of every stamp was checked above (its lot code and
	// expiry are the run's), so a run that fails here is one whose
	// connection broke; the client then has a cut-off file, and the serials
	// stay issued, as for a file never fetched.
	c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
		if _, err := printer.WriteStampSheets(w, sheet); err != nil {
			s.log.Warn("stamp sheets not delivered", "run", run.ID, "err", err)
			return
		}
		_ = w.Flush()
	})
	return nil
}

// listStampRuns answers the runs of a lot: GET /lots/{sku}/{lot}/stamps.
func (s *Server) listStampRuns(c *fiber.Ctx) error {
	sku, code, err := lotParams(c)
	if err != nil {
		return err
	}
	if _, err := s.store.Lot(sku, code); err != nil {
		return err
	}
	runs, err := s.store.StampRuns(sku, code)
	if err != nil {
		return err
	}
	out := make([]stampRunView, 0, len(runs))
	for _, r := range runs {
		out = append(out, s.stampRunView(r))
	}
	return c.JSON(fiber.Map{"runs": out})
}
