package kiosk

import (
	"fmt"
	"strings"

	"github.com/ocop-kiosk/kiosk/pos"
)

// InvoiceConfig is the kiosk's cash-register invoicing as the flags give it
// (-tax-method, -invoice-form, -invoice-symbol, -invoice-cqt-code,
// -invoice-block, -invoice-direct-rate); the seller is the receipt header's
// -seller-*. All empty: invoicing is off.
type InvoiceConfig struct {
	TaxMethod  string
	Form       int    // 0: the form of the tax method
	Symbol     string // C26MAA
	CQTCode    string // the five characters the tax authority issued
	Block      string // "N" or "FROM-TO"; empty: the hub allocates one when the kiosk links
	DirectRate pos.Percent
}

// set tells whether any invoice flag was given.
func (ic InvoiceConfig) set() bool {
	return ic.TaxMethod != "" || ic.Form != 0 || ic.Symbol != "" || ic.CQTCode != "" || ic.Block != "" || ic.DirectRate != 0
}

// normalizeInvoicing turns the invoice flags into the store's settings and
// checks them, so that a wrong setting stops the kiosk at start with a
// message naming the flag, before anything is sold without its invoice.
func (c *Config) normalizeInvoicing() error {
	ic := c.Invoice
	if !ic.set() {
		return nil
	}
	if ic.Symbol == "" || ic.CQTCode == "" || ic.TaxMethod == "" {
		return fmt.Errorf("invoicing: -tax-method, -invoice-symbol and -invoice-cqt-code are all needed to issue invoices (or give none of the invoice flags: invoicing stays off)")
	}
	if strings.TrimSpace(c.Seller.Name) == "" {
		return fmt.Errorf("invoicing: the seller's legal name is needed on every invoice: give -seller-name")
	}
	st := pos.InvoiceSettings{
		Seller:     pos.Party{Name: c.Seller.Name, TaxCode: c.Seller.TaxCode, Address: c.Seller.Address},
		TaxMethod:  strings.ToLower(strings.TrimSpace(ic.TaxMethod)),
		Form:       ic.Form,
		Symbol:     strings.ToUpper(strings.TrimSpace(ic.Symbol)),
		CQTCode:    strings.ToUpper(strings.TrimSpace(ic.CQTCode)),
		DirectRate: ic.DirectRate,
	}
	if st.Form == 0 {
		st.Form = pos.FormOf(st.TaxMethod)
	}
	if ic.Block != "" {
		b, err := pos.ParseInvoiceBlock(ic.Block)
		if err != nil {
			return fmt.Errorf("invoicing: -invoice-block: %w", err)
		}
		st.Block = b
	} else if c.HubURL == "" {
		return fmt.Errorf("invoicing: -invoice-block is needed without a hub (the hub allocates a block to a linked kiosk): give this kiosk's block, N or FROM-TO")
	}
	if err := st.Validate(); err != nil {
		return fmt.Errorf("invoicing: %w", err)
	}
	c.invoicing = st
	return nil
}
