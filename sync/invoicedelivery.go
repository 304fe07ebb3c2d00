package sync

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	gosync "sync"
	"time"

	"github.com/ocop-kiosk/kiosk/pos"
	"github.com/ocop-kiosk/kiosk/sync/einvoice"
)

// InvoiceStore is what delivering invoices needs of the hub's store
// (invoicestore.go for BoltStore; sync/pgstore has it too).
type InvoiceStore interface {
	PendingStreams() (map[string][]InvoiceStream, error)
	NextInvoices(stream string, limit int) (InvoiceBatch, error)
	RecordDelivery(stream string, out DeliveryOutcome, now time.Time) ([]string, error)
	InvoiceStates(kiosk string, after uint64, limit int) ([]pos.InvoiceState, uint64, error)
	AckInvoiceStates(kiosk string, seq uint64) error
	RegisterInvoicing(kiosk, seller string, form int, symbol string, block pos.InvoiceBlock) (pos.InvoiceBlock, error)
	ReserveInvoiceBlock(kiosk string, block pos.InvoiceBlock) error
	NextInvoiceBlock(kiosk string, block pos.InvoiceBlock) (pos.InvoiceBlock, error)
	CheckInvoiceBlock(kiosk string, block pos.InvoiceBlock) error
	SellerSettings(mst string) (einvoice.Settings, error)
	PutSellerSettings(mst string, s einvoice.Settings) error
	DeleteSellerSettings(mst string) error
	Sellers() (map[string]einvoice.Settings, error)
	Streams() ([]InvoiceStream, error)
	// InvoicesIssuedBetween calls fn with the invoices issued in [from, to),
	// in issue order, at a cost that grows with the invoices of the range,
	// not with every invoice held.
	InvoicesIssuedBetween(from, to time.Time, fn func(HubInvoice) error) error
}

// Delivery hands the invoices the kiosks send up to each seller's provider:
// one worker per seller with invoices waiting, which takes its streams' next
// invoices in number order, a batch of up to einvoice.MaxBatch at a time, and
// keeps what each call came to before the next. A provider that is down or
// slow is tried again with backoff (from MinBackoff, doubling, up to
// MaxBackoff); nothing is lost, since the stream moves only past invoices the
// provider answered for, and nothing goes twice, since a call whose answer
// was lost is repeated exactly and a duplicate answer to it is delivery.
type Delivery struct {
	Store InvoiceStore
	// Default is the provider of sellers without settings of their own (the
	// hub's -einvoice-* flags); zero: such sellers' invoices wait.
	Default einvoice.Settings
	Client  *http.Client
	Log     *slog.Logger
	// Batch is the most invoices a call carries (einvoice.MaxBatch).
	Batch                  int
	MinBackoff, MaxBackoff time.Duration
	// XML writes an invoice's document (pos.InvoiceXML).
	XML func(pos.Invoice) ([]byte, error)
	// OnStates hears of kiosks with new invoice states to send down.
	OnStates func(kiosks []string)
	Now      func() time.Time

	mu      gosync.Mutex
	wake    chan struct{}
	workers map[string]chan struct{} // seller → its worker's wake-up
}

func (d *Delivery) init() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.wake == nil {
		d.wake = make(chan struct{}, 1)
		d.workers = map[string]chan struct{}{}
	}
	if d.Batch <= 0 || d.Batch > einvoice.MaxBatch {
		d.Batch = einvoice.MaxBatch
	}
	if d.MinBackoff <= 0 {
		d.MinBackoff = time.Second
	}
	if d.MaxBackoff < d.MinBackoff {
		d.MaxBackoff = max(15*time.Second, d.MinBackoff)
	}
	if d.XML == nil {
		d.XML = pos.InvoiceXML
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Log == nil {
		d.Log = slog.Default()
	}
	if d.Client == nil {
		d.Client = &http.Client{}
	}
}

// Wake makes the delivery look for waiting invoices now (after an ingest, a
// change of settings).
func (d *Delivery) Wake() {
	d.init()
	select {
	case d.wake <- struct{}{}:
	default:
	}
	d.mu.Lock()
	for _, w := range d.workers {
		select {
		case w <- struct{}{}:
		default:
		}
	}
	d.mu.Unlock()
}

// Run delivers until ctx ends: it starts a worker for every seller with
// invoices waiting, when woken and every 30 s.
func (d *Delivery) Run(ctx context.Context) {
	d.init()
	var wg gosync.WaitGroup
	defer wg.Wait()
	tick := time.NewTicker(30 * time.Second)
	defer tick.Stop()
	for {
		pending, err := d.Store.PendingStreams()
		if err != nil {
			d.Log.Error("invoice delivery", "err", err)
		}
		for seller := range pending {
			d.mu.Lock()
			_, running := d.workers[seller]
			if !running {
				w := make(chan struct{}, 1)
				d.workers[seller] = w
				wg.Add(1)
				go func() {
					defer wg.Done()
					d.worker(ctx, seller, w)
				}()
			}
			d.mu.Unlock()
		}
		select {
		case <-ctx.Done():
			return
		case <-d.wake:
		case <-tick.C:
		}
	}
}

// worker delivers one seller's streams until none has anything waiting.
func (d *Delivery) worker(ctx context.Context, seller string, wake chan struct{}) {
	defer func() {
		d.mu.Lock()
		delete(d.workers, seller)
		d.mu.Unlock()
		// Invoices that arrived as the worker ended are found by the next
		// look.
		select {
		case d.wake <- struct{}{}:
		default:
		}
	}()
	failures := 0
	said := map[string]string{} // the last problem logged per stream: each is logged once
	for ctx.Err() == nil {
		pending, err := d.Store.PendingStreams()
		if err != nil {
			d.Log.Error("invoice delivery", "seller", seller, "err", err)
			return
		}
		streams := pending[seller]
		if len(streams) == 0 {
			return
		}
		progressed, failed := false, false
		for _, st := range streams {
			n, err := d.deliverStream(ctx, seller, st.Key)
			progressed = progressed || n > 0
			if err != nil {
				failed = true
				if ctx.Err() == nil && said[st.Key] != err.Error() {
					d.Log.Warn("invoice delivery held; trying again", "seller", seller, "series", st.Key, "err", err)
				}
				said[st.Key] = err.Error()
			} else if said[st.Key] != "" {
				d.Log.Info("invoice delivery resumed", "seller", seller, "series", st.Key)
				delete(said, st.Key)
			}
		}
		if !failed {
			failures = 0
			if progressed {
				continue
			}
			// Only gaps are left: wait for the numbers that are missing.
			failures = 7
		} else {
			failures++
		}
		wait := min(d.MinBackoff<<min(failures-1, 16), d.MaxBackoff)
		wait = wait/2 + time.Duration(rand.Int64N(int64(wait/2)+1))
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		case <-wake:
			if failed {
				// New invoices do not make a failing provider answer sooner;
				// changed settings may, and a wake-up comes with them too.
				failures = 0
			}
		}
	}
}

// deliverStream makes one call for a stream's next invoices and keeps what it
// came to; it answers how many invoices were settled, and the error that
// holds the rest.
func (d *Delivery) deliverStream(ctx context.Context, seller, key string) (int, error) {
	set, err := d.Store.SellerSettings(seller)
	if errors.Is(err, ErrUnknownSeller) && d.Default.Provider != "" {
		set, err = d.Default, nil
	}
	var prov einvoice.Provider
	if err == nil {
		prov, err = einvoice.New(set, d.Client)
	}
	if err != nil {
		err = fmt.Errorf("seller %s: %w", seller, err)
		_, _ = d.Store.RecordDelivery(key, DeliveryOutcome{Err: err}, d.Now())
		return 0, err
	}
	b, err := d.Store.NextInvoices(key, d.Batch)
	if err != nil || len(b.Invoices) == 0 {
		return 0, err
	}
	batch := make([]einvoice.Invoice, 0, len(b.Invoices))
	for _, hi := range b.Invoices {
		doc, err := d.XML(hi.Invoice)
		if err != nil && len(batch) == 0 && !b.Resend {
			// An invoice the hub cannot write never will be: refused here,
			// with the reason, so that the series goes on.
			reason := "the hub could not write its XML: " + err.Error()
			kiosks, rerr := d.Store.RecordDelivery(key, DeliveryOutcome{Results: []einvoice.Result{{Key: hi.Key, Outcome: einvoice.Refused, Reason: reason}}}, d.Now())
			if rerr == nil && d.OnStates != nil {
				d.OnStates(kiosks)
			}
			return 1, rerr
		}
		if err != nil {
			break // sent on its own, next
		}
		inv := hi.Invoice
		batch = append(batch, einvoice.Invoice{Key: hi.Key, Form: inv.Form, Symbol: inv.Symbol, Number: inv.Number, Issued: inv.Issued, MCCQT: inv.MCCQT, XML: doc})
	}
	if b.Resend && len(batch) < len(b.Invoices) {
		return 0, fmt.Errorf("invoice %s: its XML cannot be written again for the repeat of a lost call", b.Invoices[len(batch)].Key)
	}
	results, callErr := prov.Deliver(ctx, batch, b.Resend)
	out := DeliveryOutcome{Results: results, Err: callErr}
	var pe *einvoice.ProviderError
	if errors.As(callErr, &pe) && errors.Is(callErr, einvoice.ErrUnavailable) {
		out.Unknown = pe.Sent
	} else if callErr != nil && !errors.Is(callErr, einvoice.ErrSeller) {
		// Anything else (a cancelled call): treat it as unknown, the safe way.
		out.Err = fmt.Errorf("%w: %v", einvoice.ErrUnavailable, callErr)
		out.Unknown = len(batch) - len(results)
	}
	kiosks, err := d.Store.RecordDelivery(key, out, d.Now())
	if err != nil {
		return 0, err
	}
	if len(kiosks) > 0 && d.OnStates != nil {
		d.OnStates(kiosks)
	}
	return len(results), callErr
}
