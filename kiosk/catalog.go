package kiosk

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/ocop-kiosk/kiosk/pos"
)

// importCatalog takes a catalog file as the raw body or as the "file" field of a
// multipart form: a CSV of one kind (?kind=producers|products|lots), or an .xlsx
// workbook (sheets named producers, products, lots, or ?kind= for its first
// sheet). Nothing is written unless every row is good; bad rows come back with
// their row numbers.
//
// A CSV is parsed as it is read, from the body the server holds or from the
// form's file (which the server keeps on disk when it is large), so a file of
// 32 MiB costs the kiosk its 32 MiB and no more, whatever it holds. Asking a
// multipart request for its Body would rebuild the whole form in memory: only
// a raw body is read that way.
func (s *Server) importCatalog(c *fiber.Ctx) error {
	kind := c.Query("kind")
	var file io.Reader
	if strings.HasPrefix(c.Get(fiber.HeaderContentType), fiber.MIMEMultipartForm) {
		fh, err := c.FormFile("file")
		if err != nil {
			return newAPIError(fiber.StatusBadRequest, "bad_request", "multipart import needs a \"file\" field")
		}
		if fh.Size > MaxImportBody {
			return newAPIError(fiber.StatusRequestEntityTooLarge, "body_too_large", "the file is larger than the import limit")
		}
		f, err := fh.Open()
		if err != nil {
			return err
		}
		defer f.Close()
		file = f
		if kind == "" {
			kind = strings.TrimSuffix(strings.ToLower(fh.Filename), ".csv")
		}
	} else {
		file = bytes.NewReader(c.Body())
	}
	br := bufio.NewReader(file)
	var cat pos.Catalog
	var err error
	if magic, _ := br.Peek(4); bytes.Equal(magic, []byte("PK\x03\x04")) { // a zip: .xlsx
		cat, err = pos.ParseCatalogXLSX(c.Query("kind"), br)
	} else {
		cat, err = pos.ParseCatalogCSV(kind, br)
	}
	if err != nil {
		var ie *pos.ImportError
		if !errors.As(err, &ie) {
			return newAPIError(fiber.StatusBadRequest, "bad_query", err.Error())
		}
		return err
	}
	if err := s.store.PutCatalog(cat, "import ("+who(c)+")"); err != nil {
		return err
	}
	if err := s.reindex(); err != nil {
		return err
	}
	s.hub.broadcastAll(map[string]any{"type": "catalog", "version": time.Now().UnixMilli()})
	s.log.Info("catalog imported", "producers", len(cat.Producers), "products", len(cat.Products), "lots", len(cat.Lots), "by", who(c))
	return c.JSON(fiber.Map{"imported": cat.Len(), "producers": len(cat.Producers), "products": len(cat.Products), "lots": len(cat.Lots)})
}

// exportCatalog answers one kind as CSV, or with ?format=xlsx the whole catalog
// as a workbook that imports back as it is.
func (s *Server) exportCatalog(c *fiber.Ctx) error {
	var buf bytes.Buffer
	if c.Query("format") == "xlsx" {
		if err := s.store.WriteCatalogXLSX(&buf); err != nil {
			return err
		}
		c.Set(fiber.HeaderContentType, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
		c.Set(fiber.HeaderContentDisposition, `attachment; filename="catalog-`+s.cfg.KioskID+`.xlsx"`)
		return c.Send(buf.Bytes())
	}
	kind := c.Query("kind", pos.FileProducts)
	if err := s.store.ExportCSV(kind, &buf); err != nil {
		return newAPIError(fiber.StatusBadRequest, "bad_query", err.Error())
	}
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+kind+`.csv"`)
	return c.Send(buf.Bytes())
}
