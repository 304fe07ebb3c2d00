package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ocop-kiosk/kiosk/sync/pgtest"
)

// TestMain runs the hub's own main when the test binary is started as the
// hub by the tests below.
func TestMain(m *testing.M) {
	if os.Getenv("HUB_RUN_MAIN") == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(pgtest.Main(m))
}

func TestAWeakAdminTokenStopsTheHubAtStart(t *testing.T) {
	for _, tt := range []struct {
		name string
		args []string
		env  string
	}{
		{"-admin-token admin", []string{"-admin-token", "admin"}, ""},
		{"-admin-token of one character repeated", []string{"-admin-token", strings.Repeat("x", 40)}, ""},
		{"HUB_ADMIN_TOKEN admin-secret", nil, "admin-secret"},
	} {
		t.Run(tt.name+" is refused with a clear message", func(t *testing.T) {
			data := filepath.Join(t.TempDir(), "hub-data")
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, os.Args[0], append([]string{"-addr", "127.0.0.1:0", "-data", data}, tt.args...)...)
			cmd.Env = append(os.Environ(), "HUB_RUN_MAIN=1", "HUB_ADMIN_TOKEN="+tt.env)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			err := cmd.Run()
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() != 1 {
				t.Fatalf("the hub did not stop with status 1: %v\n%s", err, stderr.String())
			}
			msg := stderr.String()
			for _, want := range []string{"admin token is too weak", "-admin-token (HUB_ADMIN_TOKEN)", "128 bits", "openssl rand -hex 16"} {
				if !strings.Contains(msg, want) {
					t.Errorf("no %q in %q", want, msg)
				}
			}
			if _, err := os.Stat(data); !os.IsNotExist(err) {
				t.Errorf("the refused start made its data folder: %v", err)
			}
		})
	}
}

func TestKioskAddReservesAnInvoiceBlockAndRefusesAnOverlap(t *testing.T) {
	data := filepath.Join(t.TempDir(), "hub-data")
	run := func(args ...string) (string, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, os.Args[0], append([]string{"-data", data}, args...)...)
		cmd.Env = append(os.Environ(), "HUB_RUN_MAIN=1")
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	tests := []struct {
		name string
		args []string
		ok   bool
		want string
	}{
		{"a kiosk with block 3 is registered with it", []string{"kiosk", "add", "K01", "-invoice-block", "3"}, true, "invoice block 00030000000-00039999999 reserved"},
		{"a kiosk whose range overlaps block 3 is refused", []string{"kiosk", "add", "K02", "-invoice-block", "39999000-40000999"}, false, "overlaps kiosk K01's"},
		{"a block of the wrong shape is refused", []string{"kiosk", "add", "K02", "-invoice-block", "12345"}, false, "N runs from 0 to 9999"},
		{"the refused kiosk can be registered with a free block", []string{"kiosk", "add", "K02", "-invoice-block", "4"}, true, "kiosk K02 registered"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := run(tt.args...)
			if (err == nil) != tt.ok || !strings.Contains(out, tt.want) {
				t.Fatalf("err %v, output:\n%s\nwant %q", err, out, tt.want)
			}
		})
	}
}

// `hub kiosk add` while a hub runs on the bbolt file registers the kiosk
// through that hub (the file is the running hub's): with the admin token it
// prints the kiosk's token, and the hub lists the kiosk; without it the
// command says what it needs and registers nothing.
func TestKioskAddAsksTheHubRunningOnItsBboltFile(t *testing.T) {
	data := filepath.Join(t.TempDir(), "hub-data")
	p := startHub(t, data)
	addr := strings.TrimPrefix(p.url, "http://")
	run := func(args ...string) (string, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, os.Args[0], append([]string{"-data", data, "-addr", addr}, args...)...)
		cmd.Env = append(os.Environ(), "HUB_RUN_MAIN=1", "HUB_ADMIN_TOKEN=")
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	out, err := run("kiosk", "add", "K07")
	if err == nil || !strings.Contains(out, "admin token") {
		t.Fatalf("without the admin token: err %v, output:\n%s", err, out)
	}
	out, err = run("kiosk", "add", "K07", "-admin-token", adminToken, "-invoice-block", "7")
	if err != nil || !strings.Contains(out, "kiosk K07 registered; its token (shown once): ") ||
		!strings.Contains(out, "invoice block 00070000000-00079999999 reserved") {
		t.Fatalf("with the admin token: err %v, output:\n%s", err, out)
	}
	var list struct {
		Kiosks []struct {
			ID string `json:"id"`
		} `json:"kiosks"`
	}
	p.admin(t, "GET", "/api/v1/kiosks", "", &list)
	if len(list.Kiosks) != 1 || list.Kiosks[0].ID != "K07" {
		t.Fatalf("the running hub lists %+v", list.Kiosks)
	}
	out, err = run("kiosk", "add", "K07", "-admin-token", adminToken)
	if err == nil || !strings.Contains(out, "kiosk_exists") {
		t.Fatalf("the same kiosk again: err %v, output:\n%s", err, out)
	}
}
