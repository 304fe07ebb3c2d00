// Command hub runs the central hub that kiosks sync their sales to: `hub`
// serves; `hub kiosk add K01 [-invoice-block N]` registers a kiosk and prints
// its token once; `hub check` checks the store without writing; `hub
// einvoice-emulator -listen ADDR` serves an emulator of VNPT's MTT invoice
// service for a demo. Flags have HUB_* environment twins (-admin-token ↔
// HUB_ADMIN_TOKEN, -einvoice-url ↔ HUB_EINVOICE_URL).
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/ocop-kiosk/kiosk/pos"
	hubsync "github.com/ocop-kiosk/kiosk/sync"
	"github.com/ocop-kiosk/kiosk/sync/einvoice"
)

func main() {
	cfg := hubsync.HubConfig{Addr: envOr("HUB_ADDR", ":9090"), DataDir: envOr("HUB_DATA", "./hub-data"), AdminToken: os.Getenv("HUB_ADMIN_TOKEN")}
	fs := flag.NewFlagSet("hub", flag.ExitOnError)
	fs.StringVar(&cfg.Addr, "addr", cfg.Addr, "listen address")
	fs.StringVar(&cfg.DataDir, "data", cfg.DataDir, "data folder")
	fs.StringVar(&cfg.AdminToken, "admin-token", cfg.AdminToken, "admin token: at least 128 random bits, e.g. openssl rand -hex 16 (generated and shown once when unset)")
	e := &cfg.EInvoice
	fs.StringVar(&e.Provider, "einvoice-provider", os.Getenv("HUB_EINVOICE_PROVIDER"), "e-invoice provider of sellers without settings of their own: vnpt (none: their invoices wait)")
	fs.StringVar(&e.URL, "einvoice-url", os.Getenv("HUB_EINVOICE_URL"), "the provider's service, e.g. https://…/PublishService.asmx")
	fs.StringVar(&e.Account, "einvoice-account", os.Getenv("HUB_EINVOICE_ACCOUNT"), "the provider account (VNPT: Cadmin account)")
	fs.StringVar(&e.ACPass, "einvoice-acpass", os.Getenv("HUB_EINVOICE_ACPASS"), "its password (prefer HUB_EINVOICE_ACPASS)")
	fs.StringVar(&e.Username, "einvoice-username", os.Getenv("HUB_EINVOICE_USERNAME"), "the service user (VNPT: RoleService user)")
	fs.StringVar(&e.Password, "einvoice-password", os.Getenv("HUB_EINVOICE_PASSWORD"), "its password (prefer HUB_EINVOICE_PASSWORD)")
	_ = fs.Parse(os.Args[1:])
	cfg.Out = os.Stdout
	cfg.Logger = slog.New(slog.NewTextHandler(os.Stderr, nil))
	args := fs.Args()
	if len(args) >= 3 && args[0] == "kiosk" && args[1] == "add" {
		id := strings.ToUpper(args[2])
		sub := flag.NewFlagSet("hub kiosk add", flag.ExitOnError)
		blockFlag := sub.String("invoice-block", "", "reserve the kiosk's block of the MCCQT counter: N (N×10^7 … +9,999,999) or FROM-TO")
		_ = sub.Parse(args[3:])
		tok, block, err := addKiosk(cfg, id, *blockFlag)
		if err != nil {
			fmt.Fprintln(os.Stderr, "hub:", err)
			os.Exit(1)
		}
		fmt.Printf("kiosk %s registered; its token (shown once): %s\nstart it with: go run ./cmd/kiosk -kiosk-id %s -hub http://HUB:9090 -hub-token %s\n",
			id, tok, id, tok)
		if !block.IsZero() {
			fmt.Printf("invoice block %s reserved for it\n", block)
		}
		return
	}
	if len(args) >= 1 && args[0] == "einvoice-emulator" {
		sub := flag.NewFlagSet("hub einvoice-emulator", flag.ExitOnError)
		listen := sub.String("listen", "127.0.0.1:8089", "address of the emulator")
		_ = sub.Parse(args[1:])
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		if err := einvoice.RunEmulator(ctx, *listen, os.Stdout, cfg.Logger); err != nil {
			fmt.Fprintln(os.Stderr, "hub:", err)
			os.Exit(1)
		}
		return
	}
	if len(args) == 1 && args[0] == "check" {
		r, err := hubsync.CheckHubStore(cfg.StorePath())
		if err != nil {
			fmt.Fprintln(os.Stderr, "hub:", err)
			os.Exit(1)
		}
		fmt.Printf("%s: hub store, %d kiosks, %d records, central catalog version %d\n"+
			"  bbolt's consistency check: no problems found\n", r.Path, r.Kiosks, r.Records, r.Catalog)
		return
	}
	if len(args) > 0 {
		fmt.Fprintln(os.Stderr, "hub: usage: hub [flags] | hub [flags] kiosk add ID [-invoice-block N] | hub [flags] check | hub einvoice-emulator [-listen ADDR]")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := hubsync.RunHub(ctx, cfg); err != nil {
		fmt.Fprintln(os.Stderr, "hub:", err)
		os.Exit(1)
	}
}

// addKiosk registers a kiosk, with its invoice block reserved when one is
// given.
func addKiosk(cfg hubsync.HubConfig, id, blockFlag string) (string, pos.InvoiceBlock, error) {
	var block pos.InvoiceBlock
	if blockFlag != "" {
		var err error
		if block, err = pos.ParseInvoiceBlock(blockFlag); err != nil {
			return "", block, err
		}
	}
	tok, err := hubsync.AddKioskBlockCommand(cfg, id, block)
	return tok, block, err
}

func envOr(key, def string) string {
	if v, ok := os.LookupEnv(key); ok {
		return v
	}
	return def
}
