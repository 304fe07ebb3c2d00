package web

import (
	"embed"
	"html/template"
	"io"
)

// The central hub's pages for managers: the day's reconciliation per kiosk, the
// settlement per producer over a fair, and the sign-in that starts a session. Server-rendered, readable with no JavaScript, in Vietnamese with
// English subtitles. The hub fills the data with text already formatted
// (amounts as 1.250.000, times in Vietnam time), so these templates only lay
// it out.

//go:embed hubtemplates/*.html
var hubTemplateFS embed.FS

var hubPages = template.Must(template.New("").ParseFS(hubTemplateFS, "hubtemplates/*.html"))

// ReportHead is a column heading: Vietnamese, with an English subtitle.
type ReportHead struct{ Label, Sub string }

// ReportCell is one cell. Num right-aligns it; Warn marks a figure to look
// into (a missing receipt, a price difference).
type ReportCell struct {
	Text      string
	Num, Warn bool
}

// ReportTable is one table of a report page.
type ReportTable struct {
	ID         string // anchor on the page
	Title, Sub string
	Head       []ReportHead
	Rows       [][]ReportCell
	Foot       []ReportCell // totals, when the table has rows
	Empty      string       // shown instead of an empty table
	CSV        string       // link to this table as CSV
}

// ReportStat is one headline figure above the tables.
type ReportStat struct {
	Label, Sub, Value string
	Warn              bool
}

// ReportLink is a download link.
type ReportLink struct{ Label, URL string }

// ReportNav is the pages' header: which page is shown, and the CSRF token of
// the session for its sign-out form (empty when the page was asked for with
// the admin token as a header: there is no session to end).
type ReportNav struct{ Current, CSRF string }

// ReconciliationPage is the managers' page of one day.
type ReconciliationPage struct {
	Nav             ReportNav
	Day, Prev, Next string // YYYY-MM-DD
	Generated       string
	Complete        bool   // the day is over
	Error           string // a bad query, shown above today's figures
	Stats           []ReportStat
	ChartURL        string
	ChartCaption    string
	Tables          []ReportTable
	Exports         []ReportLink
}

// SettlementPage is the managers' page of a settlement over days.
type SettlementPage struct {
	Nav          ReportNav
	From, To     string // YYYY-MM-DD
	Commission   int    // percent
	Generated    string
	Error        string
	Stats        []ReportStat
	ChartURL     string
	ChartCaption string
	Tables       []ReportTable
	Exports      []ReportLink
}

// HubLoginPage asks for the hub's admin token.
type HubLoginPage struct {
	Message string // why the form is shown again
	Next    string // where to go once signed in
	CSRF    string // the form's token, the twin of the browser's sign-in cookie
}

// RenderReconciliationPage writes the reconciliation page.
func RenderReconciliationPage(w io.Writer, p ReconciliationPage) error {
	return hubPages.ExecuteTemplate(w, "hub_reconciliation.html", p)
}

// RenderSettlementPage writes the settlement page.
func RenderSettlementPage(w io.Writer, p SettlementPage) error {
	return hubPages.ExecuteTemplate(w, "hub_settlement.html", p)
}

// RenderHubLoginPage writes the hub's sign-in form.
func RenderHubLoginPage(w io.Writer, p HubLoginPage) error {
	return hubPages.ExecuteTemplate(w, "hub_login.html", p)
}
