// Package kiosk is the kiosk application: the Fiber server with its REST API and
// (later) websocket sessions and trace pages, access control for the fair's LAN,
// and the wiring of the pos store, printing and upstream sync. It does not know how
// bytes reach a printer.
package kiosk

import (
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/ocop-kiosk/kiosk/kiosk/netguard"
	"github.com/ocop-kiosk/kiosk/pos"
	"github.com/ocop-kiosk/kiosk/printer"
)

// Config is everything a kiosk needs to run. cmd/kiosk fills it from flags and
// KIOSK_* environment variables; tests fill it directly.
type Config struct {
	Addr       string            // listen address, default ":8080"
	DataDir    string            // default "./kiosk-data"
	KioskID    string            // numbers receipts, default "K01"
	Printers   map[string]string // role → printer URL; default receipt → file:<data>/prints
	HubURL     string
	HubToken   string
	BaseURL    string // origin used in trace QR codes
	Demo       bool   // load the demo OCOP catalog into an empty store
	ManagerPIN string // sets the manager PIN; empty keeps the stored one (or makes one)
	// PrintHistory is how many finished print jobs the store keeps, and how
	// many jobs' files the virtual printer keeps (the newest); default 2000.
	PrintHistory int

	// Seller heads every receipt: the booth or showroom, its tax code (MST) and
	// address.
	Seller printer.Seller
	// ReceiptLang is the language receipts print in: "vi" (the default),
	// "en" for a booth serving tourists, or "till": each receipt in the
	// language of the till that sold.
	ReceiptLang string
	// BankBIN and BankAccount receive VietQR transfers (the QR on a receipt whose
	// transfer is still pending).
	BankBIN     string
	BankAccount string
	// BankHolder and BankName stand next to every VietQR code (customer
	// display, self-service screen) so a payer sees who gets the money before
	// sending it. BankName defaults to the bank's usual name for its BIN.
	BankHolder string
	BankName   string
	// OrderExpiry is how long a self-service order holds its stock waiting for
	// its money before it expires and the stock goes back (default 15 min).
	OrderExpiry time.Duration
	// DiscountLimit is the share of a line or a sale a till may take off
	// without the manager PIN (default 10 %; 0: every discount needs it).
	DiscountLimit pos.Percent
	// orderElapsed, when set, is the stopwatch orders expire by (tests move
	// it; the kiosk uses the monotonic clock).
	orderElapsed func() time.Duration
	// clock, when set, is the store's wall clock (tests set it back to see
	// an invoice refused; the kiosk uses time.Now).
	clock func() time.Time

	// Conns limits the connections the LAN may hold (the kiosk's own machine
	// is never limited), and ReadTimeout is how long a request's headers and
	// body may take to arrive (default 10 s): README "Availability".
	Conns       netguard.Limits
	ReadTimeout time.Duration
	// Hosts are names the kiosk answers to besides its addresses, its
	// machine name and the host of BaseURL (README "Access").
	Hosts []string
	// TrustedProxies are the addresses (or prefixes) of reverse proxies
	// whose X-Forwarded-For names the client; none by default.
	TrustedProxies []string
	trustedProxies []netip.Prefix

	// Scale is the serial scale's URL
	// (serial:/dev/ttyUSB1?baud=9600&protocol=continuous); none by default.
	Scale       string
	scaleTarget *printer.ScaleTarget
	// ScaleBarcodes are the layouts of the weight- or price-embedded EAN-13
	// codes label scales print (pos.ParseBarcodeLayout); none by default.
	ScaleBarcodes  []string
	barcodeLayouts []pos.BarcodeLayout

	// Invoice is the kiosk's cash-register e-invoicing (invoicing.go); off
	// until configured. invoicing is what the store is given.
	Invoice   InvoiceConfig
	invoicing pos.InvoiceSettings

	// Listener, when set, is used instead of listening on Addr (tests pass a
	// 127.0.0.1:0 listener).
	Listener net.Listener
	// Ready, when set, is called with the address the server listens on.
	Ready func(addr string)
	// Out receives the one-time messages meant for the person starting the kiosk
	// (the generated manager PIN). Default: the logger only.
	Out    io.Writer
	Logger *slog.Logger
}

var reKioskID = regexp.MustCompile(`^[A-Z0-9]{1,12}$`)

// Defaults returns the configuration `go run ./cmd/kiosk` uses with no flags.
func Defaults() Config {
	return Config{Addr: ":8080", DataDir: "./kiosk-data", KioskID: "K01", Demo: true, Printers: map[string]string{},
		PrintHistory: 2000, OrderExpiry: pos.DefaultOrderTTL, DiscountLimit: pos.DefaultDiscountLimit}
}

// normalize fills defaults and checks the fields.
func (c *Config) normalize() error {
	d := Defaults()
	if c.Addr == "" {
		c.Addr = d.Addr
	}
	if c.DataDir == "" {
		c.DataDir = d.DataDir
	}
	if c.KioskID == "" {
		c.KioskID = d.KioskID
	}
	c.KioskID = strings.ToUpper(c.KioskID)
	if !reKioskID.MatchString(c.KioskID) {
		return fmt.Errorf("kiosk id %q: want 1–12 letters or digits, like K01", c.KioskID)
	}
	if c.Printers == nil {
		c.Printers = map[string]string{}
	}
	if c.PrintHistory == 0 {
		c.PrintHistory = d.PrintHistory
	}
	if c.PrintHistory < 1 {
		return fmt.Errorf("print history %d: want how many finished print jobs to keep, at least 1", c.PrintHistory)
	}
	if _, ok := c.Printers["receipt"]; !ok {
		c.Printers["receipt"] = "file:" + filepath.Join(c.DataDir, "prints")
	}
	if c.HubURL != "" {
		u, err := url.Parse(c.HubURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("hub %q: want http(s)://HOST:PORT", c.HubURL)
		}
		if c.HubToken == "" {
			return fmt.Errorf("-hub needs -hub-token (the token `hub kiosk add %s` printed)", c.KioskID)
		}
	}
	// Before the default name: an invoice carries the seller's legal name.
	if err := c.normalizeInvoicing(); err != nil {
		return err
	}
	if c.Seller.Name == "" {
		c.Seller.Name = "GIAN HÀNG OCOP"
	}
	if err := c.normalizeReceiptLang(); err != nil {
		return err
	}
	if (c.BankBIN == "") != (c.BankAccount == "") {
		return fmt.Errorf("VietQR needs both -bank-bin and -bank-account")
	}
	if c.BankBIN != "" {
		if _, err := (pos.VietQR{BankBIN: c.BankBIN, Account: c.BankAccount}).Payload(); err != nil {
			return fmt.Errorf("bank account for VietQR: %w", err)
		}
	}
	if err := c.normalizeOrders(); err != nil {
		return err
	}
	if err := c.normalizeConns(); err != nil {
		return err
	}
	if err := c.normalizeAccess(); err != nil {
		return err
	}
	if err := c.normalizeScale(); err != nil {
		return err
	}
	if c.DiscountLimit < 0 || c.DiscountLimit > pos.Whole {
		return fmt.Errorf("discount limit %s %%: want 0 to 100", c.DiscountLimit)
	}
	if c.ManagerPIN != "" && !pos.ValidManagerPIN(c.ManagerPIN) {
		return fmt.Errorf("manager PIN: want 4 to 12 digits")
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return nil
}

// StorePath is the bbolt file of the kiosk's data folder.
func (c Config) StorePath() string { return filepath.Join(c.DataDir, "kiosk.db") }

// controlTokenPath holds a secret that lets commands run on the kiosk machine
// itself (such as `kiosk backup`) act as the manager: whoever can read the data
// folder can copy the store anyway.
func (c Config) controlTokenPath() string { return filepath.Join(c.DataDir, "control.token") }

// ParsePrinterFlag splits a -printer NAME=URL value.
func ParsePrinterFlag(v string) (name, url string, err error) {
	name, url, ok := strings.Cut(v, "=")
	name = strings.TrimSpace(name)
	if !ok || name == "" || strings.TrimSpace(url) == "" {
		return "", "", fmt.Errorf("printer %q: want NAME=URL, like receipt=serial:/dev/ttyUSB0?baud=19200", v)
	}
	return name, strings.TrimSpace(url), nil
}
