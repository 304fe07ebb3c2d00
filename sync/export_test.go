package sync

import (
	"testing"

	"github.com/ocop-kiosk/kiosk/pos"
)

// The hub's report exports and the kiosk's catalog export write text by one
// rule, so a cell that reads back through the catalog import reads back the
// same from either.
func TestReportCSVTextFollowsTheCatalogExportsRule(t *testing.T) {
	for _, s := range []string{"=HYPERLINK(\"x\")", "+cmd|' /C calc'!A0", "@SUM(1)", "-2+3", "\t=1", "\r=1", "'=1", "''x", "'Bến Tre", "Mật ong", ""} {
		if got, want := csvCell(s), pos.SpreadsheetText(s); got != want {
			t.Errorf("csvCell(%q) = %q, the catalog export writes %q", s, got, want)
		}
		if back := pos.FromSpreadsheetText(csvCell(s)); back != s {
			t.Errorf("csvCell(%q) reads back as %q", s, back)
		}
	}
}
