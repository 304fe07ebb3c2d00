// Package einvoice hands cash-register e-invoices (MTT invoices, made offline by
// the kiosks) to the seller's e-invoice provider, which carries them to the tax
// authority. It owns the small Provider interface the hub's delivery workers
// use, the first provider behind it (VNPT's MTT API, vnpt.go) and an emulator of
// that API (emulator.go), a real SOAP server that the tests and a demo use,
// since nothing at a fair reaches a provider.
package einvoice

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Invoice is what a provider needs of one invoice: its idempotency key (VNPT's
// Fkey), its series (form and symbol), its number, issue time and MCCQT, and
// its XML document (pos.InvoiceXML: HDon with DLHDon and MCCQT).
type Invoice struct {
	Key    string
	Form   int
	Symbol string
	Number int64
	Issued time.Time
	MCCQT  string
	XML    []byte
}

// Outcome is what became of one invoice.
type Outcome int

const (
	// Delivered: the provider took the invoice now.
	Delivered Outcome = iota + 1
	// Duplicate: the provider already had it (a resend after a lost answer);
	// delivered all the same.
	Duplicate
	// Refused: the provider will never take it as it is; Reason says why.
	Refused
)

func (o Outcome) String() string {
	switch o {
	case Delivered:
		return "delivered"
	case Duplicate:
		return "duplicate"
	case Refused:
		return "refused"
	}
	return "unknown"
}

// Result is the outcome of one invoice of a batch.
type Result struct {
	Key     string
	Outcome Outcome
	Code    string // the provider's code for a refusal (ERR30)
	Reason  string // the provider's words, in its language, and ours
}

// MaxBatch is the most invoices one call may carry (VNPT takes 5,000).
const MaxBatch = 5000

// Provider delivers invoices of one seller to its e-invoice provider.
//
// Deliver takes one batch of one series (same form and symbol), in issue
// order, and answers a result for each invoice of a prefix of the batch, in
// order. An error means the rest of the batch (or all of it) waits: the
// provider is down, did not answer in time, or will not take anything from
// this seller now (wrong credentials, a series it does not know; see
// ProviderError); the caller retries later, never out of order. resend says
// the batch repeats exactly one whose outcome was not known (the answer was
// lost), so that a provider which takes a batch whole or not at all can tell
// a batch refused as duplicate from one it never saw.
type Provider interface {
	Deliver(ctx context.Context, batch []Invoice, resend bool) ([]Result, error)
}

// Errors a delivery worker branches on.
var (
	// ErrUnavailable: the provider could not be reached, failed, or did not
	// answer in time. Nothing is known of the batch: resend it.
	ErrUnavailable = errors.New("e-invoice provider unavailable")
	// ErrSeller: the provider refuses this seller's calls (wrong credentials,
	// a form and symbol it has no registration for, no invoices left in the
	// seller's package). Nothing was taken; a person must fix the settings.
	ErrSeller = errors.New("e-invoice provider refuses the seller's settings")
	// ErrBadSettings: the hub's settings for a seller cannot work.
	ErrBadSettings = errors.New("bad e-invoice provider settings")
)

// ProviderError is a refusal of a whole call: Code is the provider's.
type ProviderError struct {
	Kind    error // ErrUnavailable or ErrSeller
	Code    string
	Message string
	// Sent is how many invoices the failed call carried (after the results
	// answered): when the provider is unavailable their fate is unknown, and
	// the next call must send exactly those again (Deliver's resend).
	Sent int
}

func (e *ProviderError) Error() string {
	if e.Code != "" {
		return fmt.Sprintf("%v: %s %s", e.Kind, e.Code, e.Message)
	}
	return fmt.Sprintf("%v: %s", e.Kind, e.Message)
}

func (e *ProviderError) Unwrap() error { return e.Kind }

// Settings is a seller's account at its provider, as the hub keeps it. The
// secrets (ACPass, Password) never leave the hub: Redacted is what listings
// show.
type Settings struct {
	Provider string `json:"provider"`           // "vnpt"
	URL      string `json:"url"`                // the provider's service, e.g. https://…/PublishService.asmx
	Account  string `json:"account"`            // VNPT: the Cadmin account
	ACPass   string `json:"acpass,omitempty"`   // VNPT: its password
	Username string `json:"username"`           // VNPT: the RoleService user
	Password string `json:"password,omitempty"` // VNPT: its password
	// Timeout bounds one call (default 60 s: a batch of 5,000 takes a while).
	Timeout Duration `json:"timeout,omitzero"`
}

// Duration is a time.Duration written as "30s" in JSON.
type Duration time.Duration

// MarshalJSON writes the duration as Go writes it ("1m30s").
func (d Duration) MarshalJSON() ([]byte, error) {
	return []byte(`"` + time.Duration(d).String() + `"`), nil
}

// UnmarshalJSON reads "30s" (or a number of seconds).
func (d *Duration) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	if v, err := time.ParseDuration(s); err == nil {
		*d = Duration(v)
		return nil
	}
	var secs int64
	if _, err := fmt.Sscan(s, &secs); err != nil {
		return fmt.Errorf("timeout %s: a duration such as \"30s\"", b)
	}
	*d = Duration(time.Duration(secs) * time.Second)
	return nil
}

// Providers are the names Settings.Provider takes.
var Providers = []string{"vnpt"}

// Validate says what in the settings cannot work.
func (s Settings) Validate() error {
	if s.Provider != "vnpt" {
		return fmt.Errorf("%w: provider %q: one of %s", ErrBadSettings, s.Provider, strings.Join(Providers, ", "))
	}
	u, err := url.Parse(s.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%w: url %q: the provider's http(s) address", ErrBadSettings, s.URL)
	}
	if s.Account == "" || s.ACPass == "" || s.Username == "" || s.Password == "" {
		return fmt.Errorf("%w: account, acpass, username and password are all needed", ErrBadSettings)
	}
	if s.Timeout < 0 || time.Duration(s.Timeout) > 10*time.Minute {
		return fmt.Errorf("%w: timeout %s: at most 10m", ErrBadSettings, time.Duration(s.Timeout))
	}
	return nil
}

// Redacted is the settings without their secrets, for listings.
func (s Settings) Redacted() Settings {
	if s.ACPass != "" {
		s.ACPass = "***"
	}
	if s.Password != "" {
		s.Password = "***"
	}
	return s
}

// New makes the provider the settings name.
func New(s Settings, client *http.Client) (Provider, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	if client == nil {
		client = &http.Client{}
	}
	timeout := time.Duration(s.Timeout)
	if timeout == 0 {
		timeout = time.Minute
	}
	return &VNPT{Settings: s, Client: client, Timeout: timeout}, nil
}
