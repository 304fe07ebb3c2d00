package pos

import (
	"bytes"
	"embed"
	"fmt"
	"io"
)

// Catalog file kinds, as import and export name them.
const (
	FileProducers = "producers"
	FileProducts  = "products"
	FileLots      = "lots"
)

// ParseCatalogCSV reads one catalog file of the given kind into a Catalog ready
// for PutCatalog, row by row as r streams in: whatever r holds, the parse keeps
// one row and the records parsed so far. Bad rows are reported in an
// *ImportError; a file that breaks a limit (MaxImportRows, MaxImportRecord,
// MaxImportErrors) is refused at the row where it does, unread beyond it.
func ParseCatalogCSV(kind string, r io.Reader) (Catalog, error) {
	switch kind {
	case FileProducers, FileProducts, FileLots:
		return parseCatalog(kind, newCSVRows(r))
	}
	return Catalog{}, fmt.Errorf("catalog file kind %q, want producers, products or lots", kind)
}

// Len is the number of records in c.
func (c Catalog) Len() int { return len(c.Producers) + len(c.Products) + len(c.Lots) }

// ExportCSV writes the store's records of one kind in the import format.
func (s *Store) ExportCSV(kind string, w io.Writer) error {
	switch kind {
	case FileProducers:
		m, err := s.Producers()
		if err != nil {
			return err
		}
		ps := make([]Producer, 0, len(m))
		for _, p := range m {
			ps = append(ps, p)
		}
		sortProducers(ps)
		return WriteProducersCSV(w, ps)
	case FileProducts:
		ps, err := s.Products()
		if err != nil {
			return err
		}
		return WriteProductsCSV(w, ps)
	case FileLots:
		ls, err := s.Lots("")
		if err != nil {
			return err
		}
		return WriteLotsCSV(w, ls)
	}
	return fmt.Errorf("catalog file kind %q, want producers, products or lots", kind)
}

//go:embed demodata/producers.csv demodata/products.csv demodata/lots.csv
var demoFS embed.FS

// DemoCatalog is the OCOP catalog shipped in the binary: producers and products of
// Cà Mau, Bến Tre and Trà Vinh with their lots, for a kiosk that starts empty.
func DemoCatalog() (Catalog, error) {
	var all Catalog
	for _, kind := range []string{FileProducers, FileProducts, FileLots} {
		data, err := demoFS.ReadFile("demodata/" + kind + ".csv")
		if err != nil {
			return all, err
		}
		c, err := ParseCatalogCSV(kind, bytes.NewReader(data))
		if err != nil {
			return all, fmt.Errorf("demo catalog: %w", err)
		}
		all.merge(c)
	}
	return all, nil
}

// LoadDemoIfEmpty loads the demo catalog into a store that has no products yet and
// reports whether it did.
func (s *Store) LoadDemoIfEmpty() (bool, error) {
	_, products, _, err := s.CatalogCounts()
	if err != nil || products > 0 {
		return false, err
	}
	c, err := DemoCatalog()
	if err != nil {
		return false, err
	}
	return true, s.PutCatalog(c, "demo catalog")
}
