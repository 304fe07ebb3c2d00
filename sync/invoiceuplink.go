package sync

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/ocop-kiosk/kiosk/pos"
)

// The invoices' part of the uplink (protocol version 4): the kiosk's greeting
// names its invoice series and block, which the hub checks against every
// other kiosk's and completes with a block when the kiosk has none; the hub
// sends down what became of each invoice at the provider.

// invoiceGreeting checks the invoicing a kiosk's greeting names, before the
// hub's ack. A refusal is said to the kiosk (an error message) and kept for
// the managers (the kiosk list's last_error), and ends the connection: a
// kiosk whose codes could collide with another's must not issue on.
func (h *Hub) invoiceGreeting(id string, st InvoiceStore, header func(string, ...string) string, send func(any) bool) bool {
	seller := header("X-Invoice-Seller")
	if seller == "" {
		return true // the kiosk does not invoice
	}
	refuse := func(code string, err error) bool {
		h.Log.Warn("kiosk's invoicing refused", "kiosk", id, "err", err)
		_ = h.Store.UplinkError(id, code+": "+err.Error(), time.Now())
		_ = send(Message{Type: "error", Code: code, Message: err.Error()})
		return false
	}
	form, _ := strconv.Atoi(header("X-Invoice-Form"))
	symbol := header("X-Invoice-Symbol")
	var block pos.InvoiceBlock
	if b := header("X-Invoice-Block"); b != "" {
		var err error
		if block, err = pos.ParseInvoiceBlock(b); err != nil {
			return refuse("bad_invoice_block", err)
		}
	}
	got, err := st.RegisterInvoicing(id, seller, form, symbol, block)
	switch {
	case errors.Is(err, ErrInvoiceBlockOverlap):
		return refuse("invoice_block_overlap", err)
	case errors.Is(err, ErrInvoiceSymbolTaken):
		return refuse("invoice_symbol_taken", err)
	case errors.Is(err, ErrInvoiceBlockMismatch):
		return refuse("invoice_block_mismatch", err)
	case errors.Is(err, ErrInvoiceBlocksFull):
		return refuse("invoice_blocks_full", err)
	case err != nil:
		return refuse("invoicing_refused", err)
	}
	if got != block { // none yet, or its next after a retired one
		h.Log.Info("invoice block sent to kiosk", "kiosk", id, "block", got.String())
		return send(Message{Type: "invoice_block", Block: &got})
	}
	return true
}

// InvoiceBook is what the uplink needs of a kiosk's store to take part in
// invoicing (pos.Store has it).
type InvoiceBook interface {
	Invoicing() pos.InvoiceSettings
	InvoiceBlock() (pos.InvoiceBlock, error)
	SetInvoiceBlock(b pos.InvoiceBlock) error
	SetInvoiceStates(states []pos.InvoiceState) error
}

// invoiceHeaders adds the kiosk's invoicing to its greeting.
func (u *Uplink) invoiceHeaders(set func(k, v string)) {
	book, ok := u.Store.(InvoiceBook)
	if !ok {
		return
	}
	set("X-Invoicing", "1")
	inv := book.Invoicing()
	if !inv.Enabled() {
		return
	}
	set("X-Invoice-Seller", inv.Seller.TaxCode)
	set("X-Invoice-Form", strconv.Itoa(inv.Form))
	set("X-Invoice-Symbol", inv.Symbol)
	if b, err := book.InvoiceBlock(); err == nil && !b.IsZero() {
		set("X-Invoice-Block", fmt.Sprintf("%d-%d", b.From, b.To))
	}
}

// invoiceMessage applies what the hub sends of invoicing: a block, states.
func (l *link) invoiceMessage(m Message) error {
	book, ok := l.u.Store.(InvoiceBook)
	if !ok {
		return nil
	}
	switch m.Type {
	case "invoice_block":
		if m.Block == nil {
			return nil
		}
		if err := book.SetInvoiceBlock(*m.Block); err != nil {
			l.u.Log.Error("the hub's invoice block refused", "block", m.Block.String(), "err", err)
			return l.write(Message{Type: "error", Code: "invoice_block_refused", Message: err.Error()})
		}
		l.u.Log.Info("invoice block from the hub", "block", m.Block.String())
		return nil
	case "invoice_states":
		if num, err := l.u.Store.Numbering(); err != nil || !num.Verified {
			// A store being recovered may not hold these invoices yet: it
			// asks for every state again once it has recovered.
			return nil
		}
		if err := book.SetInvoiceStates(m.States); err != nil {
			l.u.Log.Error("invoice states from the hub", "err", err)
			return l.write(Message{Type: "error", Code: "invoice_states_refused", Message: err.Error()})
		}
		return l.write(Message{Type: "invoice_states_ack", Seq: m.Seq})
	}
	return nil
}
