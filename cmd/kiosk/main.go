// Command kiosk runs an OCOP sales kiosk: `kiosk` serves the till, API and public
// pages; `kiosk backup FILE` and `kiosk restore FILE` save and restore its store
// (restore recovers from the hub what the backup lacks); `kiosk check` checks the
// store without writing;
// `kiosk print-test -printer URL` prints a sample receipt, a code-page table and a
// QR; `kiosk ports` lists serial ports. Every flag has a KIOSK_* environment twin
// (-kiosk-id ↔ KIOSK_KIOSK_ID).
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

	"github.com/ocop-kiosk/kiosk/kiosk"
	"github.com/ocop-kiosk/kiosk/kiosk/netguard"
	"github.com/ocop-kiosk/kiosk/pos"
)

func main() {
	cfg, args, err := parse(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "kiosk:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := dispatch(ctx, cfg, args); err != nil {
		fmt.Fprintln(os.Stderr, "kiosk:", err)
		os.Exit(1)
	}
}

func dispatch(ctx context.Context, cfg kiosk.Config, args []string) error {
	if len(args) == 0 || args[0] == "run" {
		return kiosk.Run(ctx, cfg)
	}
	switch args[0] {
	case "ports":
		fmt.Print(kiosk.Ports())
		return nil
	case "print-test":
		fs := flag.NewFlagSet("print-test", flag.ContinueOnError)
		url := fs.String("printer", "", "printer URL, e.g. serial:/dev/ttyUSB0?baud=9600&profile=xprinter-58")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		if *url == "" {
			return fmt.Errorf("usage: kiosk print-test -printer URL")
		}
		st, n, err := kiosk.PrintTest(ctx, *url)
		if err != nil {
			return err
		}
		fmt.Printf("sent %d bytes; printer state: %s\n", n, st.Word())
		return nil
	case "backup", "restore":
		if len(args) != 2 {
			return fmt.Errorf("usage: kiosk [flags] %s FILE", args[0])
		}
		if args[0] == "backup" {
			n, err := kiosk.Backup(ctx, cfg, args[1])
			if err == nil {
				fmt.Printf("backup written to %s (%d bytes)\n", args[1], n)
			}
			return err
		}
		r, err := kiosk.Restore(ctx, cfg, args[1])
		if err != nil {
			return err
		}
		fmt.Printf("store restored from %s (%d sales records)\n", args[1], r.Sales)
		switch {
		case r.Numbering.Verified && cfg.HubURL != "":
			fmt.Printf("checked with the hub: %d records sold after the backup recovered; receipt numbers go on after them\n", r.Recovery.Recovered)
			if len(r.Recovery.Lost) > 0 {
				fmt.Printf("records lost with the old store before they reached the hub: %v (the hub's reconciliation lists them)\n", r.Recovery.Lost)
			}
		case cfg.HubURL != "":
			fmt.Printf("the hub could not be asked (%v): until it can, receipts are numbered %s-%s-000001, … so that no number is used twice\n",
				r.HubErr, cfg.KioskID, r.Numbering.Series)
		default:
			fmt.Printf("no hub given (-hub): receipts are numbered %s-%s-000001, … until the kiosk is linked to its hub and has recovered what it sold after the backup\n",
				cfg.KioskID, r.Numbering.Series)
		}
		fmt.Println("start the kiosk again")
		return nil
	case "check":
		r, err := kiosk.Check(cfg)
		if err != nil {
			return err
		}
		fmt.Print(r)
		if len(r.Problems) > 0 {
			return fmt.Errorf("%d problems found", len(r.Problems))
		}
		return nil
	}
	return fmt.Errorf("unknown command %q; commands: run (default), check, backup FILE, restore FILE, print-test -printer URL, ports", args[0])
}

type printerFlags map[string]string

func (p printerFlags) String() string { return fmt.Sprint(map[string]string(p)) }
func (p printerFlags) Set(v string) error {
	name, url, err := kiosk.ParsePrinterFlag(v)
	if err != nil {
		return err
	}
	p[name] = url
	return nil
}

// listFlag is a flag given several times or as a comma-separated list.
type listFlag struct{ list *[]string }

func (l listFlag) String() string {
	if l.list == nil {
		return ""
	}
	return strings.Join(*l.list, ",")
}

func (l listFlag) Set(v string) error {
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			*l.list = append(*l.list, p)
		}
	}
	return nil
}

// layoutFlag is a flag given once per barcode layout (a layout holds commas).
type layoutFlag struct{ list *[]string }

func (l layoutFlag) String() string {
	if l.list == nil {
		return ""
	}
	return strings.Join(*l.list, ";")
}

func (l layoutFlag) Set(v string) error {
	if v = strings.TrimSpace(v); v != "" {
		*l.list = append(*l.list, v)
	}
	return nil
}

// percentFlag is a percentage flag: 10, 12.5, 7.25 %.
type percentFlag struct{ p *pos.Percent }

func (f percentFlag) String() string {
	if f.p == nil {
		return ""
	}
	return f.p.String()
}

func (f percentFlag) Set(v string) error {
	p, err := pos.ParsePercent(v)
	if err != nil {
		return err
	}
	*f.p = p
	return nil
}

// parse reads flags, with KIOSK_* environment variables as defaults.
func parse(argv []string) (kiosk.Config, []string, error) {
	cfg := kiosk.Defaults()
	fs := flag.NewFlagSet("kiosk", flag.ContinueOnError)
	printers := printerFlags{}
	fs.StringVar(&cfg.Addr, "addr", cfg.Addr, "listen address")
	fs.StringVar(&cfg.DataDir, "data", cfg.DataDir, "data folder (store, prints, control token)")
	fs.StringVar(&cfg.KioskID, "kiosk-id", cfg.KioskID, "kiosk id, prefix of receipt numbers")
	fs.Var(printers, "printer", "printer NAME=URL (repeatable): serial:/dev/ttyUSB0?baud=19200, tcp://HOST:9100, dev:/dev/usb/lp0, file:DIR")
	fs.StringVar(&cfg.HubURL, "hub", "", "central hub URL")
	fs.StringVar(&cfg.HubToken, "hub-token", "", "this kiosk's token on the hub")
	fs.StringVar(&cfg.BaseURL, "base-url", "", "origin used in trace QR codes")
	fs.BoolVar(&cfg.Demo, "demo", cfg.Demo, "load the demo OCOP catalog into an empty store")
	fs.StringVar(&cfg.ManagerPIN, "manager-pin", "", "manager PIN (4–12 digits); generated on first start when unset")
	fs.StringVar(&cfg.Seller.Name, "seller-name", "", "name at the top of receipts (default GIAN HÀNG OCOP)")
	fs.StringVar(&cfg.Seller.TaxCode, "seller-tax-code", "", "seller's tax code (MST) on receipts")
	fs.StringVar(&cfg.Seller.Address, "seller-address", "", "seller's address on receipts")
	fs.StringVar(&cfg.ReceiptLang, "receipt-lang", "vi", "language receipts print in: vi, en, or till (each in the language of the till that sold)")
	fs.StringVar(&cfg.BankBIN, "bank-bin", "", "bank BIN (6 digits) receiving VietQR transfers")
	fs.StringVar(&cfg.BankAccount, "bank-account", "", "account receiving VietQR transfers")
	fs.IntVar(&cfg.PrintHistory, "print-history", cfg.PrintHistory, "finished print jobs kept in the store, and jobs kept as files by the virtual printer")
	fs.StringVar(&cfg.BankHolder, "bank-holder", "", "account holder's name, shown next to the VietQR code (as the bank writes it, e.g. HTX ONG MAT U MINH HA)")
	fs.StringVar(&cfg.BankName, "bank-name", "", "bank name shown next to the VietQR code (default: from the BIN)")
	fs.DurationVar(&cfg.OrderExpiry, "order-expiry", cfg.OrderExpiry, "how long a self-service order holds its stock waiting for its money (1m to 24h)")
	fs.IntVar(&cfg.Conns.PerAddr, "max-conns-per-addr", netguard.DefaultPerAddr, "connections one LAN address may hold at once (the kiosk's own machine is not limited)")
	fs.IntVar(&cfg.Conns.Public, "max-lan-conns", netguard.DefaultPublic, "connections the whole LAN may hold at once, besides paired devices")
	fs.DurationVar(&cfg.ReadTimeout, "read-timeout", kiosk.DefaultReadTimeout, "how long a request may take to arrive (500ms to 5m)")
	fs.Var(listFlag{&cfg.TrustedProxies}, "trusted-proxy", "address or prefix of a reverse proxy whose X-Forwarded-For names the client (repeatable or comma-separated; none by default)")
	fs.StringVar(&cfg.Scale, "scale", "", "serial scale: serial:/dev/ttyUSB1?baud=9600&protocol=continuous (or protocol=toledo-8217)")
	fs.Var(layoutFlag{&cfg.ScaleBarcodes}, "scale-barcode", "layout of the weight- or price-embedded barcodes a label scale prints, e.g. prefix=21,item=5,value=weight (repeatable; KIOSK_SCALE_BARCODE separates layouts with ';')")
	fs.Var(percentFlag{&cfg.DiscountLimit}, "discount-limit", "share of a line or a sale (percent, e.g. 10 or 12.5) a till may take off without the manager PIN")
	fs.StringVar(&cfg.Invoice.TaxMethod, "tax-method", "", "cash-register e-invoices: the seller's tax method, direct (sales invoice, form 2) or credit (VAT invoice, form 1); invoicing is off until set")
	fs.IntVar(&cfg.Invoice.Form, "invoice-form", 0, "invoice form, 1 (credit method) or 2 (direct method); default: the tax method's")
	fs.StringVar(&cfg.Invoice.Symbol, "invoice-symbol", "", "invoice symbol, e.g. C26MAA (C, the year, M, two letters); the year follows the issue year")
	fs.StringVar(&cfg.Invoice.CQTCode, "invoice-cqt-code", "", "the five characters the tax authority issued for cash-register invoice codes (MCCQT)")
	fs.StringVar(&cfg.Invoice.Block, "invoice-block", "", "this kiosk's block of the eleven-digit MCCQT counter: N (0–9999, block of 10,000,000) or FROM-TO; empty: the hub allocates one when the kiosk links")
	fs.Var(percentFlag{&cfg.Invoice.DirectRate}, "invoice-direct-rate", "a direct-method seller's VAT percentage of revenue (1 goods, 3 production…; default 1), for the 20 % reduction note")
	fs.Var(listFlag{&cfg.Hosts}, "hosts", "names the kiosk answers to besides its addresses, machine name and -base-url host (comma-separated)")
	// Environment twins: KIOSK_ADDR, KIOSK_DATA, KIOSK_KIOSK_ID, KIOSK_PRINTER
	// (comma-separated NAME=URL), KIOSK_HUB, KIOSK_HUB_TOKEN, KIOSK_BASE_URL,
	// KIOSK_DEMO, KIOSK_MANAGER_PIN, KIOSK_SELLER_NAME, KIOSK_SELLER_TAX_CODE,
	// KIOSK_SELLER_ADDRESS, KIOSK_RECEIPT_LANG, KIOSK_BANK_BIN, KIOSK_BANK_ACCOUNT,
	// KIOSK_BANK_HOLDER, KIOSK_BANK_NAME, KIOSK_ORDER_EXPIRY (a Go duration: 15m), KIOSK_PRINT_HISTORY,
	// KIOSK_MAX_CONNS_PER_ADDR, KIOSK_MAX_LAN_CONNS, KIOSK_READ_TIMEOUT,
	// KIOSK_DISCOUNT_LIMIT, KIOSK_TRUSTED_PROXY and KIOSK_HOSTS (comma-separated),
	// KIOSK_SCALE and KIOSK_SCALE_BARCODE (layouts separated by ';'),
	// KIOSK_TAX_METHOD, KIOSK_INVOICE_FORM, KIOSK_INVOICE_SYMBOL,
	// KIOSK_INVOICE_CQT_CODE, KIOSK_INVOICE_BLOCK, KIOSK_INVOICE_DIRECT_RATE.
	var envErr error
	fs.VisitAll(func(f *flag.Flag) {
		v, ok := os.LookupEnv("KIOSK_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_")))
		if !ok || envErr != nil {
			return
		}
		if f.Name == "scale-barcode" {
			cfg.ScaleBarcodes = append(cfg.ScaleBarcodes, kiosk.ParseScaleBarcodes(v)...)
			return
		}
		if f.Name == "printer" {
			for _, p := range strings.Split(v, ",") {
				if err := f.Value.Set(strings.TrimSpace(p)); err != nil {
					envErr = err
				}
			}
			return
		}
		if err := f.Value.Set(v); err != nil {
			envErr = fmt.Errorf("KIOSK_%s: %w", strings.ToUpper(f.Name), err)
		}
	})
	if envErr != nil {
		return cfg, nil, envErr
	}
	if err := fs.Parse(argv); err != nil {
		return cfg, nil, err
	}
	cfg.Printers = printers
	cfg.Out = os.Stdout
	cfg.Logger = slog.New(slog.NewTextHandler(os.Stderr, nil))
	return cfg, fs.Args(), nil
}
