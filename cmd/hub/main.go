// Command hub runs the central hub that kiosks sync their sales to: `hub`
// serves; `hub kiosk add K01 [-invoice-block N]` registers a kiosk and prints
// its token once; `hub check` checks the bbolt store without writing; with -db
// (PostgreSQL), `hub migrate` brings the database's schema up to date and `hub
// partitions [-detach-before 2024-01]` lists the months of sales held and
// detaches old ones; `hub einvoice-emulator -listen ADDR` serves an emulator of
// VNPT's MTT invoice service for a demo. Flags have HUB_* environment twins
// (-admin-token ↔ HUB_ADMIN_TOKEN, -einvoice-url ↔ HUB_EINVOICE_URL) and may
// come before or after the command's words.
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
	"time"

	"github.com/ocop-kiosk/kiosk/pos"
	hubsync "github.com/ocop-kiosk/kiosk/sync"
	"github.com/ocop-kiosk/kiosk/sync/einvoice"
	"github.com/ocop-kiosk/kiosk/sync/pgstore"
)

const usage = "hub: usage: hub [flags] | hub [flags] kiosk add ID [-invoice-block N] | hub [flags] check | hub -db URL migrate | hub -db URL partitions [-detach-before YYYY-MM] | hub einvoice-emulator [-listen ADDR]"

func main() {
	cfg := hubsync.HubConfig{Addr: envOr("HUB_ADDR", ":9090"), DataDir: envOr("HUB_DATA", "./hub-data"), AdminToken: os.Getenv("HUB_ADMIN_TOKEN"),
		Seed: envOr("HUB_SEED", hubsync.SeedDemo)}
	db := os.Getenv("HUB_DB")
	var detachBefore string
	fs := flag.NewFlagSet("hub", flag.ExitOnError)
	fs.StringVar(&cfg.Addr, "addr", cfg.Addr, "listen address")
	fs.StringVar(&cfg.DataDir, "data", cfg.DataDir, "data folder (the bbolt store, when no -db is given)")
	fs.StringVar(&cfg.AdminToken, "admin-token", cfg.AdminToken, "admin token: at least 128 random bits, e.g. openssl rand -hex 16 (generated and shown once when unset)")
	fs.StringVar(&db, "db", db, "PostgreSQL database URL, postgres://user@host/db: keeps the hub's data there instead of in -data")
	fs.StringVar(&cfg.Seed, "seed", cfg.Seed, "what a hub with no central catalog starts with: demo (the kiosk's demo OCOP catalog) or none")
	fs.StringVar(&detachBefore, "detach-before", "", "with partitions: detach the months before this one (YYYY-MM)")
	blockFlag := fs.String("invoice-block", "", "with kiosk add: reserve the kiosk's block of the MCCQT counter: N (N×10^7 … +9,999,999) or FROM-TO")
	listen := fs.String("listen", "127.0.0.1:8089", "with einvoice-emulator: the emulator's address")
	e := &cfg.EInvoice
	fs.StringVar(&e.Provider, "einvoice-provider", os.Getenv("HUB_EINVOICE_PROVIDER"), "e-invoice provider of sellers without settings of their own: vnpt (none: their invoices wait)")
	fs.StringVar(&e.URL, "einvoice-url", os.Getenv("HUB_EINVOICE_URL"), "the provider's service, e.g. https://…/PublishService.asmx")
	fs.StringVar(&e.Account, "einvoice-account", os.Getenv("HUB_EINVOICE_ACCOUNT"), "the provider account (VNPT: Cadmin account)")
	fs.StringVar(&e.ACPass, "einvoice-acpass", os.Getenv("HUB_EINVOICE_ACPASS"), "its password (prefer HUB_EINVOICE_ACPASS)")
	fs.StringVar(&e.Username, "einvoice-username", os.Getenv("HUB_EINVOICE_USERNAME"), "the service user (VNPT: RoleService user)")
	fs.StringVar(&e.Password, "einvoice-password", os.Getenv("HUB_EINVOICE_PASSWORD"), "its password (prefer HUB_EINVOICE_PASSWORD)")
	words := parse(fs, os.Args[1:])
	cfg.Out = os.Stdout
	cfg.Logger = slog.New(slog.NewTextHandler(os.Stderr, nil))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if db != "" {
		cfg.OpenStore = func() (hubsync.Store, error) { return pgstore.Open(ctx, db, cfg.Logger) }
	}
	switch {
	case len(words) == 3 && words[0] == "kiosk" && words[1] == "add":
		id := strings.ToUpper(words[2])
		tok, block, err := addKiosk(cfg, id, *blockFlag)
		exitOn(err)
		fmt.Printf("kiosk %s registered; its token (shown once): %s\nstart it with: go run ./cmd/kiosk -kiosk-id %s -hub http://HUB:9090 -hub-token %s\n",
			id, tok, id, tok)
		if !block.IsZero() {
			fmt.Printf("invoice block %s reserved for it\n", block)
		}
	case len(words) == 1 && words[0] == "einvoice-emulator":
		exitOn(einvoice.RunEmulator(ctx, *listen, os.Stdout, cfg.Logger))
	case len(words) == 1 && words[0] == "check":
		if db != "" {
			exitUsage("hub check reads the bbolt store in -data; on PostgreSQL, hub migrate says the schema's version")
		}
		r, err := hubsync.CheckHubStore(cfg.StorePath())
		exitOn(err)
		fmt.Printf("%s: hub store, %d kiosks, %d records, central catalog version %d\n"+
			"  bbolt's consistency check: no problems found\n", r.Path, r.Kiosks, r.Records, r.Catalog)
	case len(words) == 1 && words[0] == "migrate":
		needDB(db)
		v, err := pgstore.Migrate(ctx, db, cfg.Logger)
		exitOn(err)
		fmt.Printf("%s: hub schema at version %d\n", pgstore.Redact(db), v)
	case len(words) == 1 && words[0] == "partitions":
		needDB(db)
		partitions(ctx, db, detachBefore)
	case len(words) > 0:
		exitUsage(usage)
	default:
		exitOn(hubsync.RunHub(ctx, cfg))
	}
}

// parse takes flags wherever they are among the command's words
// (`hub partitions -db URL` and `hub -db URL partitions` alike).
func parse(fs *flag.FlagSet, args []string) []string {
	var words []string
	for {
		_ = fs.Parse(args)
		args = fs.Args()
		if len(args) == 0 {
			return words
		}
		words, args = append(words, args[0]), args[1:]
	}
}

func partitions(ctx context.Context, db, detachBefore string) {
	if detachBefore != "" {
		month, err := time.ParseInLocation("2006-01", detachBefore, pos.VietnamTime)
		if err != nil {
			exitUsage("hub: -detach-before " + detachBefore + ": a month, YYYY-MM")
		}
		gone, err := pgstore.DetachBefore(ctx, db, month)
		exitOn(err)
		for _, p := range gone {
			fmt.Printf("detached %s: %s (now archived_…: pg_dump them, then DROP TABLE)\n", p.Month.Format("2006-01"), strings.Join(p.Tables, ", "))
		}
		if len(gone) == 0 {
			fmt.Println("no month before " + detachBefore + " to detach")
		}
	}
	ps, err := pgstore.Partitions(ctx, db)
	exitOn(err)
	fmt.Printf("%-8s %12s %12s  %s\n", "month", "sales (est.)", "size (MB)", "tables")
	for _, p := range ps {
		fmt.Printf("%-8s %12d %12.1f  %s\n", p.Month.Format("2006-01"), p.Rows, float64(p.Bytes)/(1<<20), strings.Join(p.Tables, ", "))
	}
}

func needDB(db string) {
	if db == "" {
		exitUsage("hub: this command works on PostgreSQL: give -db postgres://… (or HUB_DB)")
	}
}

func exitOn(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "hub:", err)
		os.Exit(1)
	}
}

func exitUsage(msg string) {
	fmt.Fprintln(os.Stderr, msg)
	os.Exit(2)
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
