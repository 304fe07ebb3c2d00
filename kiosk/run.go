package kiosk

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/ocop-kiosk/kiosk/kiosk/netguard"
	"github.com/ocop-kiosk/kiosk/pos"
	hubsync "github.com/ocop-kiosk/kiosk/sync"
)

// Run starts the kiosk and serves until ctx is cancelled (SIGINT/SIGTERM in
// cmd/kiosk), then shuts the server down and closes the store cleanly.
func Run(ctx context.Context, cfg Config) error {
	if err := cfg.normalize(); err != nil {
		return err
	}
	log := cfg.Logger
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return fmt.Errorf("data folder: %w", err)
	}
	store, err := pos.Open(cfg.StorePath(), pos.StoreOptions{KioskID: cfg.KioskID, Now: cfg.clock})
	if err != nil {
		return err
	}
	if err := store.SetDiscountLimit(cfg.DiscountLimit); err != nil {
		store.Close()
		return err
	}
	if err := store.SetInvoicing(cfg.invoicing); err != nil {
		store.Close()
		return fmt.Errorf("invoicing: %w", err)
	}
	defer func() {
		if err := store.Close(); err != nil {
			log.Error("closing store", "err", err)
		} else {
			log.Info("store closed", "path", cfg.StorePath())
		}
	}()

	if cfg.Demo {
		loaded, err := store.LoadDemoIfEmpty()
		if err != nil {
			return fmt.Errorf("demo catalog: %w", err)
		}
		if loaded {
			producers, products, lots, _ := store.CatalogCounts()
			log.Info("loaded the demo OCOP catalog", "producers", producers, "products", products, "lots", lots)
		}
	}
	control, err := ensureControlToken(cfg.controlTokenPath())
	if err != nil {
		return err
	}
	g, err := newGuard(store, control)
	if err != nil {
		return err
	}
	if err := setupPIN(cfg, g); err != nil {
		return err
	}
	srv, err := newServer(cfg, store, g)
	if err != nil {
		return err
	}
	defer srv.closeScans() // after the server stops, before the store closes
	if cfg.HubURL != "" {
		srv.uplink = &hubsync.Uplink{HubURL: cfg.HubURL, KioskID: cfg.KioskID, Token: cfg.HubToken, Store: store,
			Log: log, Wake: make(chan struct{}, 1), OnCatalog: srv.applyCentralCatalog, CatalogVersion: srv.catalogVersion,
			OnPromotions: srv.applyHubPromotions, PromotionsHeld: srv.hubPromotionsHeld}
		if err := verifyNumbering(ctx, store, srv.uplink, log); err != nil {
			return err
		}
	}

	ln := cfg.Listener
	if ln == nil {
		ln, err = net.Listen("tcp", cfg.Addr)
		if err != nil {
			return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
		}
	}
	// Accept errors never stop the kiosk, and the LAN cannot take the
	// connections of the till (loopback) and of the paired devices.
	guarded := netguard.Wrap(ln, cfg.Conns, log)
	g.heard = guarded.Trust
	addr := ln.Addr().String()
	if _, port, err := net.SplitHostPort(addr); err == nil {
		srv.port.Store(&port)
	}
	log.Info("kiosk ready", "kiosk_id", cfg.KioskID, "addr", addr, "data", cfg.DataDir, "printers", cfg.Printers)
	if cfg.Ready != nil {
		cfg.Ready(addr)
	}

	go trimIdempotency(ctx, store, cfg)
	go trimPrintHistory(ctx, store, cfg)
	if srv.uplink != nil {
		uctx, stopUplink := context.WithCancel(context.Background())
		uplinkDone := make(chan struct{})
		go func() { srv.uplink.Run(uctx); close(uplinkDone) }()
		defer func() { stopUplink(); <-uplinkDone }() // before the store closes
	}
	// The queue stops before the store closes (deferred above).
	qctx, stopQueue := context.WithCancel(context.Background())
	queueDone := make(chan struct{})
	stampsDone := make(chan struct{}) // the stamp runs' feeder stops with the queue
	go func() { srv.queue.Run(qctx); close(queueDone) }()
	go func() { srv.feedStamps(qctx); close(stampsDone) }()
	defer func() { stopQueue(); <-queueDone; <-stampsDone }()
	srv.queue.Wake()

	stopWatch := make(chan struct{})
	defer close(stopWatch)
	go srv.hub.watchPrinters(stopWatch)
	go srv.hub.watchPromotions(stopWatch)
	go srv.hub.watchOrders(stopWatch)
	sctx, stopScale := context.WithCancel(context.Background())
	scaleDone := make(chan struct{})
	go func() { srv.runScale(sctx); close(scaleDone) }()
	defer func() { stopScale(); <-scaleDone }()

	served := make(chan error, 1)
	go func() { served <- srv.app.Listener(guarded) }()
	select {
	case err := <-served:
		return fmt.Errorf("server stopped: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down")
	srv.hub.shutdown() // websockets first: the server's shutdown waits for them
	if err := srv.app.ShutdownWithTimeout(10 * time.Second); err != nil {
		log.Error("shutdown", "err", err)
	}
	// fasthttp closes only the listeners Serve has registered: a stop that
	// comes before Serve got that far would leave it accepting for good.
	_ = guarded.Close()
	<-served
	return nil
}

// IdempotencyKeep is how many of the newest records keep their Idempotency-Key:
// a till retrying within that many sales gets the first sale back. Keys are aged
// by the record sequence, not the clock, so a clock set ahead cannot expire them.
const IdempotencyKeep = 50_000

// OrdersKeep is how many closed self-service orders (paid, cancelled, expired)
// the store keeps, with their idempotency keys; a paid order's sale is kept as
// every sale is.
const OrdersKeep = 5_000

// trimIdempotency forgets the oldest idempotency keys and closed orders at start
// and then daily.
func trimIdempotency(ctx context.Context, store *pos.Store, cfg Config) {
	t := time.NewTicker(24 * time.Hour)
	defer t.Stop()
	for {
		if n, err := store.TrimIdempotency(IdempotencyKeep); err != nil {
			cfg.Logger.Error("trimming idempotency keys", "err", err)
		} else if n > 0 {
			cfg.Logger.Info("forgot old idempotency keys", "count", n)
		}
		if n, err := store.TrimOrders(OrdersKeep); err != nil {
			cfg.Logger.Error("trimming closed orders", "err", err)
		} else if n > 0 {
			cfg.Logger.Info("forgot old closed orders", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// verifyWait bounds how long a kiosk starting on an unverified store waits for
// the hub before it serves in its provisional receipt series.
const verifyWait = 3 * time.Second

// verifyNumbering makes sure a kiosk linked to a hub never issues a receipt
// number the hub may already hold. A new store may be replacing a machine
// mid-fair, so its numbering starts unverified; so does a restored one. Before
// serving, the kiosk asks the hub once (briefly): if the hub answers, the kiosk
// recovers what it lacks and numbers on after it; if not, it sells in a
// provisional series until the uplink gets through.
func verifyNumbering(ctx context.Context, store *pos.Store, up *hubsync.Uplink, log *slog.Logger) error {
	if store.Fresh() {
		if _, err := store.Unverify("a new store on a kiosk linked to a hub"); err != nil {
			return err
		}
	}
	num, err := store.Numbering()
	if err != nil || num.Verified {
		return err
	}
	vctx, cancel := context.WithTimeout(ctx, verifyWait)
	defer cancel()
	res, err := up.Verify(vctx)
	if err != nil {
		log.Warn("receipt numbering not verified: the hub did not answer; receipts are numbered in a provisional series until it does",
			"series", store.KioskID()+"-"+num.Series, "reason", num.Reason, "err", err)
		return nil
	}
	log.Info("receipt numbering verified with the hub", "recovered", res.Recovered, "moved", res.Moved, "lost", len(res.Lost))
	return nil
}

// setupPIN applies -manager-pin, or makes a PIN on first start and shows it once.
func setupPIN(cfg Config, g *guard) error {
	if cfg.ManagerPIN != "" {
		if g.pinMatches(cfg.ManagerPIN) {
			return nil
		}
		return g.setPIN(cfg.ManagerPIN)
	}
	if g.hasPIN() {
		return nil
	}
	pin, err := randomDigits(6)
	if err != nil {
		return err
	}
	if err := g.setPIN(pin); err != nil {
		return err
	}
	msg := fmt.Sprintf("Manager PIN for this kiosk: %s — write it down, it is shown only this once (set another with -manager-pin).", pin)
	if cfg.Out != nil {
		fmt.Fprintln(cfg.Out, msg)
	} else {
		cfg.Logger.Warn(msg)
	}
	return nil
}

func ensureControlToken(path string) (string, error) {
	if b, err := os.ReadFile(path); err == nil && len(strings.TrimSpace(string(b))) >= 16 {
		return strings.TrimSpace(string(b)), nil
	}
	tok, err := randomToken()
	if err != nil {
		return "", err
	}
	if err := os.WriteFile(path, []byte(tok+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("control token: %w", err)
	}
	return tok, nil
}

// Backup writes a consistent snapshot of the kiosk's store to file. If the kiosk
// is running it downloads the snapshot from it (over loopback, with the control
// token from the data folder) so selling goes on; otherwise it reads the store file
// directly.
func Backup(ctx context.Context, cfg Config, file string) (int64, error) {
	if err := cfg.normalize(); err != nil {
		return 0, err
	}
	tmp := file + ".partial"
	out, err := os.OpenFile(tmp, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return 0, fmt.Errorf("backup: %w", err)
	}
	n, err := backupTo(ctx, cfg, out)
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		_, err = pos.CheckBackup(tmp)
	}
	if err != nil {
		os.Remove(tmp)
		return 0, fmt.Errorf("backup: %w", err)
	}
	return n, os.Rename(tmp, file)
}

func backupTo(ctx context.Context, cfg Config, w io.Writer) (int64, error) {
	if _, err := os.Stat(cfg.StorePath()); err != nil {
		return 0, fmt.Errorf("no kiosk store at %s: %w", cfg.StorePath(), err)
	}
	store, err := pos.Open(cfg.StorePath(), pos.StoreOptions{KioskID: cfg.KioskID, Timeout: 300 * time.Millisecond})
	if err == nil {
		defer store.Close()
		return store.Backup(w, nil)
	}
	if !errors.Is(err, pos.ErrLocked) {
		return 0, err
	}
	// The kiosk is running: ask it.
	tok, terr := os.ReadFile(cfg.controlTokenPath())
	if terr != nil {
		return 0, fmt.Errorf("the kiosk is running but its control token is unreadable: %w", terr)
	}
	url := "http://" + loopbackAddr(cfg.Addr) + "/api/v1/backup"
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	req.Header.Set("X-Kiosk-Control", strings.TrimSpace(string(tok)))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, fmt.Errorf("the store is locked by a running kiosk, and asking it at %s failed: %w (pass its -addr)", url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		return 0, fmt.Errorf("kiosk at %s answered %s: %s", url, resp.Status, body)
	}
	n, err := io.Copy(w, resp.Body)
	if err == nil && resp.ContentLength >= 0 && n != resp.ContentLength {
		err = fmt.Errorf("backup cut short: %d of %d bytes", n, resp.ContentLength)
	}
	return n, err
}

// loopbackAddr turns a listen address (":8080", "0.0.0.0:8080") into one to dial.
func loopbackAddr(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}

// RestoreResult is what `kiosk restore` did.
type RestoreResult struct {
	Sales     int // records in the backup
	Numbering pos.Numbering
	Recovery  pos.Recovery
	HubErr    error // why the hub could not be asked, when it was not
}

// Restore replaces the kiosk's store with a backup. The kiosk must be stopped; the
// replaced store is kept beside the new one. The backup is behind whatever was
// sold after it: with a hub configured, Restore asks it at once for the records
// the backup lacks, so the kiosk numbers on after them; when the hub cannot be
// reached, the kiosk will sell in a provisional receipt series until it can.
func Restore(ctx context.Context, cfg Config, file string) (RestoreResult, error) {
	var r RestoreResult
	if err := cfg.normalize(); err != nil {
		return r, err
	}
	if err := os.MkdirAll(filepath.Dir(cfg.StorePath()), 0o700); err != nil {
		return r, err
	}
	var err error
	if r.Sales, err = pos.Restore(file, cfg.StorePath()); err != nil {
		return r, err
	}
	store, err := pos.Open(cfg.StorePath(), pos.StoreOptions{KioskID: cfg.KioskID})
	if err != nil {
		return r, err
	}
	defer store.Close()
	if cfg.HubURL != "" {
		up := &hubsync.Uplink{HubURL: cfg.HubURL, KioskID: cfg.KioskID, Token: cfg.HubToken, Store: store, Log: cfg.Logger}
		vctx, cancel := context.WithTimeout(ctx, 15*time.Second)
		r.Recovery, r.HubErr = up.Verify(vctx)
		cancel()
	}
	r.Numbering, err = store.Numbering()
	return r, err
}

// Check runs `kiosk check` on the data folder's store: bbolt's consistency check
// and the store's own, without writing.
func Check(cfg Config) (pos.CheckReport, error) {
	if err := cfg.normalize(); err != nil {
		return pos.CheckReport{}, err
	}
	return pos.Check(cfg.StorePath())
}
