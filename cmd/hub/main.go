// Command hub runs the central hub that kiosks sync their sales to: `hub`
// serves; `hub kiosk add K01` registers a kiosk and prints its token once; `hub
// check` checks the store without writing. Flags
// have HUB_* environment twins (-admin-token ↔ HUB_ADMIN_TOKEN).
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

	hubsync "github.com/ocop-kiosk/kiosk/sync"
)

func main() {
	cfg := hubsync.HubConfig{Addr: envOr("HUB_ADDR", ":9090"), DataDir: envOr("HUB_DATA", "./hub-data"), AdminToken: os.Getenv("HUB_ADMIN_TOKEN")}
	fs := flag.NewFlagSet("hub", flag.ExitOnError)
	fs.StringVar(&cfg.Addr, "addr", cfg.Addr, "listen address")
	fs.StringVar(&cfg.DataDir, "data", cfg.DataDir, "data folder")
	fs.StringVar(&cfg.AdminToken, "admin-token", cfg.AdminToken, "admin token: at least 128 random bits, e.g. openssl rand -hex 16 (generated and shown once when unset)")
	_ = fs.Parse(os.Args[1:])
	cfg.Out = os.Stdout
	cfg.Logger = slog.New(slog.NewTextHandler(os.Stderr, nil))
	args := fs.Args()
	if len(args) == 3 && args[0] == "kiosk" && args[1] == "add" {
		tok, err := hubsync.AddKioskCommand(cfg, strings.ToUpper(args[2]))
		if err != nil {
			fmt.Fprintln(os.Stderr, "hub:", err)
			os.Exit(1)
		}
		fmt.Printf("kiosk %s registered; its token (shown once): %s\nstart it with: go run ./cmd/kiosk -kiosk-id %s -hub http://HUB:9090 -hub-token %s\n",
			strings.ToUpper(args[2]), tok, strings.ToUpper(args[2]), tok)
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
		fmt.Fprintln(os.Stderr, "hub: usage: hub [flags] | hub [flags] kiosk add ID | hub [flags] check")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := hubsync.RunHub(ctx, cfg); err != nil {
		fmt.Fprintln(os.Stderr, "hub:", err)
		os.Exit(1)
	}
}

func envOr(key, def string) string {
	if v, ok := os.LookupEnv(key); ok {
		return v
	}
	return def
}
