package sync

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"time"

	"github.com/ocop-kiosk/kiosk/kiosk/netguard"
	"github.com/ocop-kiosk/kiosk/pos"
	"github.com/ocop-kiosk/kiosk/sync/einvoice"
)

// HubConfig is what `go run ./cmd/hub` needs.
type HubConfig struct {
	Addr       string // default ":9090"
	DataDir    string // default "./hub-data"
	AdminToken string // sets the admin token (at least 128 random bits: CheckAdminToken); empty keeps the stored one (or makes one)
	Listener   net.Listener
	Ready      func(addr string)
	Out        io.Writer // where the generated admin token is shown, once
	Logger     *slog.Logger
	// Conns limits the connections the network may hold (loopback is not
	// limited; kiosks that presented their token keep room of their own), and
	// ReadTimeout is how long a request may take to arrive (default 10 s).
	Conns       netguard.Limits
	ReadTimeout time.Duration
	// OpenStore, when set, opens the hub's store (cmd/hub opens PostgreSQL
	// for -db); otherwise it is the bbolt file in DataDir.
	OpenStore func() (Store, error)
	// EInvoice is the provider of sellers without settings of their own
	// (-einvoice-* flags; zero: their invoices wait for settings), and
	// EInvoiceBackoff the first wait after a failed delivery (default 1 s).
	EInvoice        einvoice.Settings
	EInvoiceBackoff time.Duration
	// Seed is what a hub whose central catalog never had a version starts
	// with (seed.go): SeedDemo, or nothing when empty or SeedNone. cmd/hub
	// seeds the demo catalog unless told -seed none.
	Seed string
}

func (c *HubConfig) normalize() {
	if c.Addr == "" {
		c.Addr = ":9090"
	}
	if c.DataDir == "" {
		c.DataDir = "./hub-data"
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
}

// StorePath is the hub's bbolt file.
func (c HubConfig) StorePath() string { return filepath.Join(c.DataDir, "hub.db") }

func (c HubConfig) openStore() (Store, error) {
	if c.OpenStore != nil {
		return c.OpenStore()
	}
	return OpenHubStore(c.StorePath())
}

const metaAdmin = "admin_token_sha256"

// ChangeListener is a store several hub processes share that hears of the
// catalog and promotion changes any of them publishes (pgstore's, through
// PostgreSQL's LISTEN/NOTIFY): the hub wakes its kiosks' uplinks on each.
type ChangeListener interface {
	ListenForChanges(ctx context.Context, changed func())
}

// RunHub serves the hub until ctx ends.
func RunHub(ctx context.Context, cfg HubConfig) error {
	cfg.normalize()
	if err := cfg.Conns.Check(); err != nil {
		return err
	}
	if err := CheckSeed(cfg.Seed); err != nil {
		return err
	}
	if cfg.AdminToken != "" {
		// Before the store is opened: a refused token changes nothing.
		if err := CheckAdminToken(cfg.AdminToken); err != nil {
			return err
		}
	}
	if cfg.EInvoice.Provider != "" {
		if err := cfg.EInvoice.Validate(); err != nil {
			return fmt.Errorf("-einvoice-*: %w", err)
		}
	}
	st, err := cfg.openStore()
	if err != nil {
		return err
	}
	defer st.Close()
	hash, err := adminHash(st, cfg)
	if err != nil {
		return err
	}
	if err := seedCatalog(st, cfg.Seed, time.Now(), cfg.Logger); err != nil {
		return err
	}
	h := &Hub{Store: st, AdminHash: hash, Log: cfg.Logger}
	if is, ok := st.(InvoiceStore); ok {
		h.Delivery = &Delivery{Store: is, Default: cfg.EInvoice, Log: cfg.Logger, MinBackoff: cfg.EInvoiceBackoff,
			OnStates: func([]string) { h.catalogChanged() }}
		deliveryCtx, stopDelivery := context.WithCancel(context.Background())
		delivered := make(chan struct{})
		go func() { defer close(delivered); h.Delivery.Run(deliveryCtx) }()
		// Stopped before the store closes (deferred calls run last first).
		defer func() { stopDelivery(); <-delivered }()
	}
	// Changes other hub processes publish on a shared database reach the
	// kiosks linked to this one; stopped before the store closes.
	listenCtx, stopListening := context.WithCancel(ctx)
	listening := make(chan struct{})
	if l, ok := st.(ChangeListener); ok {
		go func() { defer close(listening); l.ListenForChanges(listenCtx, h.catalogChanged) }()
	} else {
		close(listening)
	}
	defer func() { stopListening(); <-listening }()
	app := h.App()
	if cfg.ReadTimeout > 0 {
		app.Server().ReadTimeout = cfg.ReadTimeout
	}
	ln := cfg.Listener
	if ln == nil {
		if ln, err = net.Listen("tcp", cfg.Addr); err != nil {
			return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
		}
	}
	// Accept errors never stop the hub, and no one address (nor the whole
	// network) can take the connections the kiosks need.
	guarded := netguard.Wrap(ln, cfg.Conns, cfg.Logger)
	h.trusted = guarded.Trust
	cfg.Logger.Info("hub ready", "addr", ln.Addr().String(), "data", cfg.DataDir)
	if cfg.Ready != nil {
		cfg.Ready(ln.Addr().String())
	}
	served := make(chan error, 1)
	go func() { served <- app.Listener(guarded) }()
	select {
	case err := <-served:
		return fmt.Errorf("hub stopped: %w", err)
	case <-ctx.Done():
	}
	_ = app.ShutdownWithTimeout(5 * time.Second)
	// fasthttp closes only the listeners Serve has registered: a stop that
	// comes before Serve got that far would leave it accepting for good.
	_ = guarded.Close()
	<-served
	h.CloseUplinks() // the shutdown leaves websockets be; before the store closes
	return nil
}

// adminHash applies -admin-token (already checked for strength), or makes a
// token of 192 random bits on first start and shows it once. A token set by
// an earlier hub is kept as its hash and cannot be checked again: set a new
// one with -admin-token to be sure of it.
func adminHash(st Store, cfg HubConfig) ([]byte, error) {
	if cfg.AdminToken != "" {
		h := TokenHash(cfg.AdminToken)
		return h, st.SetMeta(metaAdmin, h)
	}
	if h, err := st.Meta(metaAdmin); err != nil || len(h) > 0 {
		return h, err
	}
	tok, err := NewToken()
	if err != nil {
		return nil, err
	}
	h := TokenHash(tok)
	if err := st.SetMeta(metaAdmin, h); err != nil {
		return nil, err
	}
	msg := "Hub admin token: " + tok + " — keep it, it is shown only this once (set another with -admin-token)."
	if cfg.Out != nil {
		fmt.Fprintln(cfg.Out, msg)
	} else {
		cfg.Logger.Warn(msg)
	}
	return h, nil
}

// AddKioskCommand registers a kiosk from the shell (`hub kiosk add K01`): it
// opens the store directly — on PostgreSQL beside running hubs; a bbolt file
// a running hub holds is asked through that hub's API instead.
func AddKioskCommand(cfg HubConfig, id string) (string, error) {
	return AddKioskBlockCommand(cfg, id, pos.InvoiceBlock{})
}

// AddKioskBlockCommand registers a kiosk with its block of the MCCQT counter
// reserved (`hub kiosk add K01 -invoice-block N`).
func AddKioskBlockCommand(cfg HubConfig, id string, block pos.InvoiceBlock) (string, error) {
	cfg.normalize()
	st, err := cfg.openStore()
	if errors.Is(err, ErrHubLocked) {
		// The hub is running on this bbolt file: it registers the kiosk.
		if cfg.AdminToken == "" {
			return "", fmt.Errorf("%w: give the running hub's admin token (-admin-token or HUB_ADMIN_TOKEN) and the kiosk is registered through it", err)
		}
		return addKioskThroughHub(cfg, id, block)
	}
	if err != nil {
		return "", err
	}
	defer st.Close()
	return RegisterKioskWithBlock(st, id, block)
}

// addKioskThroughHub registers a kiosk with POST /api/v1/kiosks to the hub
// running at cfg.Addr on this machine.
func addKioskThroughHub(cfg HubConfig, id string, block pos.InvoiceBlock) (string, error) {
	host, port, err := net.SplitHostPort(cfg.Addr)
	if err != nil {
		return "", fmt.Errorf("the running hub's address %q: %w", cfg.Addr, err)
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	req := map[string]string{"id": id}
	if !block.IsZero() {
		req["invoice_block"] = block.String()
	}
	body, _ := json.Marshal(req)
	url := "http://" + net.JoinHostPort(host, port) + "/api/v1/kiosks"
	r, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("Authorization", "Bearer "+cfg.AdminToken)
	res, err := (&http.Client{Timeout: 15 * time.Second}).Do(r)
	if err != nil {
		return "", fmt.Errorf("the hub holds its store and did not answer at %s: %w", url, err)
	}
	defer res.Body.Close()
	var out struct {
		Token string `json:"token"`
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if err := json.NewDecoder(io.LimitReader(res.Body, 1<<16)).Decode(&out); err != nil {
		return "", fmt.Errorf("the running hub at %s answered %s: %w", url, res.Status, err)
	}
	if res.StatusCode != http.StatusCreated || out.Token == "" {
		return "", fmt.Errorf("the running hub at %s refused: %s %s: %s", url, res.Status, out.Error.Code, out.Error.Message)
	}
	return out.Token, nil
}
