package printer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sort"
	"sync"
	"time"

	"github.com/ocop-kiosk/kiosk/pos"
)

// JobStore is what the queue needs of the kiosk's store: the jobs are written
// there in each sale's own transaction, so they survive a restart.
type JobStore interface {
	PendingPrintJobs() ([]pos.PrintJob, error)
	UpdatePrintJob(pos.PrintJob) error
}

// Renderer turns a job into the bytes for a printer with profile p. An error
// means the document cannot be made (the job fails; printing goes on).
type Renderer func(job pos.PrintJob, p Profile) ([]byte, error)

// Timing of the queue.
const (
	holdPoll    = time.Second      // how often a held printer (paper out…) is asked again
	idlePoll    = 5 * time.Second  // how often an idle printer's state is refreshed
	maxBackoff  = 30 * time.Second // longest wait between tries on a failing printer
	baseBackoff = 500 * time.Millisecond
)

// Queue prints the pending jobs of the store on the kiosk's printers: one worker
// per printer, jobs in order, the state read with DLE EOT before each job and
// after it. Paper out, cover open or an unplugged printer hold that printer's
// jobs (never the sale) until it recovers; a job is marked printed only after the
// printer took all of it and still reports itself fine, so after a fault it is
// printed again whole, once. "After" is the port's part (see Port.Query): the
// answer must be to a question asked once the job's bytes have left the line,
// never one that was already waiting, so a printer that hung keeps its job.
type Queue struct {
	store    JobStore
	render   Renderer
	log      *slog.Logger
	printers map[string]*Printer
}

// Printer is one configured printer and what is known of it.
type Printer struct {
	Name   string
	Target Target

	wake chan struct{}

	mu          sync.Mutex
	port        Port
	state       State
	word        string
	lastErr     string
	lastPrinted *time.Time
	printed     int
	queued      int
	failures    int
}

// PrinterStatus is a printer as screens and the API show it.
type PrinterStatus struct {
	Name        string     `json:"name"`
	URL         string     `json:"url"`
	Profile     string     `json:"profile"`
	State       string     `json:"state"` // ready, paper_out, cover_open, error, offline, unknown
	Detail      State      `json:"detail"`
	Queue       int        `json:"queue"`
	LastError   string     `json:"last_error,omitempty"`
	LastPrinted *time.Time `json:"last_printed,omitempty"`
	Printed     int        `json:"printed"`
}

// NewQueue sets up a worker per printer (role name → target).
func NewQueue(store JobStore, render Renderer, targets map[string]Target, log *slog.Logger) *Queue {
	if log == nil {
		log = slog.Default()
	}
	q := &Queue{store: store, render: render, log: log, printers: map[string]*Printer{}}
	for name, t := range targets {
		q.printers[name] = &Printer{Name: name, Target: t, wake: make(chan struct{}, 1), word: "unknown"}
	}
	return q
}

// Wake tells every printer to look for new jobs now (after a sale commits).
func (q *Queue) Wake() {
	for _, p := range q.printers {
		select {
		case p.wake <- struct{}{}:
		default:
		}
	}
}

// Printer returns the printer with the given role name.
func (q *Queue) Printer(name string) (*Printer, bool) {
	p, ok := q.printers[name]
	return p, ok
}

// Status lists every printer, sorted by name.
func (q *Queue) Status() []PrinterStatus {
	out := make([]PrinterStatus, 0, len(q.printers))
	for _, p := range q.printers {
		out = append(out, p.Status())
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Status is the printer's last known state.
func (p *Printer) Status() PrinterStatus {
	p.mu.Lock()
	defer p.mu.Unlock()
	return PrinterStatus{Name: p.Name, URL: p.Target.URL, Profile: p.Target.Profile.Name, State: p.word, Detail: p.state,
		Queue: p.queued, LastError: p.lastErr, LastPrinted: p.lastPrinted, Printed: p.printed}
}

// Run prints until ctx ends, then closes the ports.
func (q *Queue) Run(ctx context.Context) {
	var wg sync.WaitGroup
	for _, p := range q.printers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			q.work(ctx, p)
		}()
	}
	wg.Wait()
}

func (q *Queue) work(ctx context.Context, p *Printer) {
	defer p.closePort()
	for {
		wait := q.drain(ctx, p)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-p.wake:
		case <-t.C:
		}
		t.Stop()
	}
}

// drain prints p's pending jobs in order until one cannot print, and says how
// long to wait before trying again.
func (q *Queue) drain(ctx context.Context, p *Printer) time.Duration {
	jobs, err := q.store.PendingPrintJobs()
	if err != nil {
		q.log.Error("reading print jobs", "err", err)
		return holdPoll
	}
	mine := jobs[:0]
	for _, j := range jobs {
		if j.Printer == p.Name {
			mine = append(mine, j)
		}
	}
	p.mu.Lock()
	p.queued = len(mine)
	p.mu.Unlock()
	if len(mine) == 0 {
		// Idle: keep the state fresh so screens show paper out before the next sale.
		if err := p.refresh(ctx); err != nil {
			return p.backoff()
		}
		return idlePoll
	}
	for _, j := range mine {
		if ctx.Err() != nil {
			return 0
		}
		if wait, err := q.print(ctx, p, j); err != nil {
			return wait
		}
	}
	return idlePoll
}

// errHeld marks a printer that is fine as a connection but cannot print now.
var errHeld = errors.New("held")

// print tries one job and returns how long to wait when it could not print.
func (q *Queue) print(ctx context.Context, p *Printer, j pos.PrintJob) (time.Duration, error) {
	port, err := p.open(ctx)
	if err != nil {
		p.setFault(State{Known: true}, err)
		return p.backoff(), err
	}
	prof := p.Target.Profile
	st, err := p.check(ctx, port)
	if err != nil {
		p.setFault(State{Known: true}, err)
		return p.backoff(), err
	}
	p.setState(st)
	if st.Err() != nil {
		return holdPoll, errHeld
	}
	data, err := q.render(j, prof)
	if err != nil {
		j.State, j.Error = pos.JobFailed, "cannot make the document: "+err.Error()
		q.log.Error("print job failed", "job", j.ID, "doc", j.Doc, "err", err)
		if uerr := q.store.UpdatePrintJob(j); uerr != nil {
			q.log.Error("recording print job", "job", j.ID, "err", uerr)
		}
		return 0, nil
	}
	j.Attempts++
	// A job that has started goes out whole and has its outcome read even
	// when the kiosk is stopping: stopped between the last byte and the check,
	// a job already on paper would stay pending and print a second time after
	// the restart (a stamp twice). The port's own deadlines bound the wait.
	ctx = context.WithoutCancel(ctx)
	name := fmt.Sprintf("job-%06d-%s", j.ID, j.Doc)
	switch {
	case j.SaleID != "":
		name += "-" + j.SaleID
	case j.Ref != "":
		name += "-" + j.Ref // a shift id, or sku/lot/serial for a label
	}
	if jp, ok := port.(JobPort); ok {
		err = jp.WriteJob(ctx, name, data)
	} else {
		err = port.Write(ctx, data)
	}
	if err != nil {
		p.closePort()
		j.Error = err.Error()
		q.record(j)
		p.setFault(State{Known: true}, err)
		q.log.Warn("print job interrupted", "printer", p.Name, "job", j.ID, "err", err)
		return p.backoff(), err
	}
	// Did the printer take it all and stay fine? Paper running out mid-job
	// means the receipt is incomplete: print it again whole after recovery.
	// On failure the job is recorded before the printer's state changes, on
	// success the printer's counters before the job: whoever sees the change
	// sees the rest.
	st, err = p.check(ctx, port)
	if err != nil {
		j.Error = "printer stopped answering after the job: " + err.Error()
		q.record(j)
		p.setFault(State{Known: true}, err)
		return p.backoff(), err
	}
	if st.Err() != nil {
		j.Error = fmt.Sprintf("printer reported %v during the job; it prints again when fixed", st.Err())
		q.record(j)
		p.setState(st)
		return holdPoll, errHeld
	}
	p.setState(st)
	now := time.Now()
	p.mu.Lock()
	p.lastPrinted, p.printed, p.failures, p.lastErr = &now, p.printed+1, 0, ""
	p.queued = max(p.queued-1, 0)
	p.mu.Unlock()
	j.State, j.Error, j.Printed = pos.JobPrinted, "", &now
	q.record(j)
	q.log.Info("printed", "printer", p.Name, "job", j.ID, "doc", j.Doc, "sale", j.SaleID, "bytes", len(data))
	return 0, nil
}

func (q *Queue) record(j pos.PrintJob) {
	if err := q.store.UpdatePrintJob(j); err != nil {
		q.log.Error("recording print job", "job", j.ID, "err", err)
	}
}

// open returns the printer's port, opening it if needed.
func (p *Printer) open(ctx context.Context) (Port, error) {
	p.mu.Lock()
	port := p.port
	p.mu.Unlock()
	if port != nil {
		return port, nil
	}
	port, err := p.Target.Open(ctx)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	p.port = port
	p.mu.Unlock()
	return port, nil
}

func (p *Printer) closePort() {
	p.mu.Lock()
	port := p.port
	p.port = nil
	p.mu.Unlock()
	if port != nil {
		port.Close()
	}
}

// check reads the printer's state (when its profile says it answers). An error
// means the connection is bad (the port is dropped); a state with Err() means
// held. The caller records the state, after the job where a job is involved.
func (p *Printer) check(ctx context.Context, port Port) (State, error) {
	if !p.Target.Profile.Status {
		return State{Known: false}, nil
	}
	st, err := QueryState(ctx, port)
	if err != nil {
		p.closePort()
		if errors.Is(err, ErrNoReply) {
			err = fmt.Errorf("%w (unplugged, switched off, or wrong baud rate?)", ErrNoReply)
		}
		return st, err
	}
	return st, nil
}

// refresh updates the state of an idle printer.
func (p *Printer) refresh(ctx context.Context) error {
	port, err := p.open(ctx)
	if err != nil {
		p.setFault(State{Known: true}, err)
		return err
	}
	st, err := p.check(ctx, port)
	if err != nil {
		p.setFault(State{Known: true}, err)
		return err
	}
	p.setState(st)
	return nil
}

func (p *Printer) setState(st State) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.state, p.word = st, st.Word()
	if e := st.Err(); e != nil {
		p.lastErr = e.Error()
	}
}

// setFault records a printer that cannot be reached: offline.
func (p *Printer) setFault(st State, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	st.Online = false
	p.state, p.word, p.lastErr = st, "offline", err.Error()
}

// backoff is the wait before the next try: exponential with jitter, capped.
func (p *Printer) backoff() time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.failures++
	d := baseBackoff << min(p.failures-1, 6)
	d = min(d, maxBackoff)
	return d/2 + time.Duration(rand.Int64N(int64(d/2)+1))
}
