package kiosk

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ocop-kiosk/kiosk/pos"
	"github.com/ocop-kiosk/kiosk/printer"
)

// emulatedScale is a scale emulator on one end of a socat pty pair; the
// kiosk opens Device, the other end.
type emulatedScale struct {
	Device string
	emu    *printer.ScaleEmulator
}

func startEmulatedScale(t testing.TB, protocol string) *emulatedScale {
	t.Helper()
	if _, err := exec.LookPath("socat"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("socat is not installed (.ci/test installs it)")
		}
		t.Skip("socat is not installed; apt-get install socat (./.ci/test does)")
	}
	dir := t.TempDir()
	kioskEnd, scaleEnd := filepath.Join(dir, "kiosk-tty"), filepath.Join(dir, "scale-tty")
	cmd := exec.Command("socat", "pty,raw,echo=0,link="+scaleEnd, "pty,raw,echo=0,link="+kioskEnd)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	deadline := time.Now().Add(5 * time.Second)
	for {
		_, e1 := os.Stat(kioskEnd)
		_, e2 := os.Stat(scaleEnd)
		if e1 == nil && e2 == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("socat made no ptys")
		}
		time.Sleep(10 * time.Millisecond)
	}
	emu, err := printer.NewScaleEmulator(protocol)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(scaleEnd, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = emu.Serve(ctx, f); close(done) }()
	t.Cleanup(func() { cancel(); <-done; f.Close() })
	return &emulatedScale{Device: kioskEnd, emu: emu}
}

func (k *testKiosk) scale(t *testing.T) scaleView {
	t.Helper()
	r := k.do("GET", "/api/v1/scale", nil)
	if r.Status != 200 {
		t.Fatalf("GET /api/v1/scale: %d %s", r.Status, r.Body)
	}
	var v scaleView
	r.json(t, &v)
	return v
}

// expectScale reads a till screen's messages until a `scale` message
// accepted by cond arrives.
func (s *screen) expectScale(what string, cond func(map[string]any) bool) map[string]any {
	s.t.Helper()
	for range 200 {
		m := s.expect("scale")
		sc := m["scale"].(map[string]any)
		if cond(sc) {
			return sc
		}
	}
	s.t.Fatalf("no scale message showing %s", what)
	return nil
}

func TestTheTillSeesTheWeightLiveAndTheScaleUnplugged(t *testing.T) {
	sc := startEmulatedScale(t, "continuous")
	sc.emu.Set(1235, false)
	k := startKiosk(t, t.TempDir(), func(c *Config) { c.Scale = "serial:" + sc.Device + "?baud=9600&protocol=continuous" })
	till, _ := connect(t, k, "till=T1&role=till")
	display, _ := connect(t, k, "till=T1&role=display")

	m := till.expectScale("1235 g moving", func(m map[string]any) bool { return m["grams"] == 1235.0 && m["state"] == "unstable" })
	if m["stable"] != false || m["configured"] != true || m["protocol"] != "continuous" {
		t.Fatalf("scale message %v", m)
	}
	sc.emu.Set(1235, true)
	till.expectScale("1235 g settled", func(m map[string]any) bool { return m["state"] == "ok" && m["stable"] == true })
	if v := k.scale(t); v.Grams != 1235 || !v.Stable || v.State != printer.ScaleOK || v.AgeMS == nil || *v.AgeMS > 1000 {
		t.Fatalf("GET /api/v1/scale %+v", v)
	}

	sc.emu.Unplug()
	m = till.expectScale("the scale offline", func(m map[string]any) bool { return m["state"] == "offline" })
	if m["grams"] != 0.0 || m["stable"] != false || m["detail"] == "" {
		t.Fatalf("offline message %v", m)
	}
	if v := k.scale(t); v.State != printer.ScaleOffline || v.Grams != 0 {
		t.Fatalf("GET /api/v1/scale after unplugging %+v", v)
	}

	// The customer display sells nothing: it hears of carts, not of the scale.
	display.send(map[string]any{"type": "ping"})
	for {
		m, err := display.next()
		if err != nil {
			t.Fatal(err)
		}
		if m["type"] == "scale" {
			t.Fatalf("the display got %v", m)
		}
		if m["type"] == "pong" {
			break
		}
	}
}

func TestAKioskWithNoScaleSaysSo(t *testing.T) {
	k := startKiosk(t, t.TempDir())
	v := k.scale(t)
	if v.Configured || v.State != printer.ScaleOffline || !strings.Contains(v.Detail, "-scale") {
		t.Fatalf("GET /api/v1/scale %+v", v)
	}
}

func TestBadScaleSettingsStopTheKiosk(t *testing.T) {
	for _, c := range []struct {
		name   string
		mutate func(*Config)
		says   string
	}{
		{"a scale on another scheme", func(c *Config) { c.Scale = "tcp://192.0.2.1:4001" }, "serial:"},
		{"an unknown protocol", func(c *Config) { c.Scale = "serial:/dev/ttyUSB1?protocol=cas" }, "protocol"},
		{"a bad barcode layout", func(c *Config) { c.ScaleBarcodes = []string{"prefix=31,item=5,value=weight"} }, "20 to 29"},
		{"two layouts of one prefix", func(c *Config) {
			c.ScaleBarcodes = []string{"prefix=21,item=5,value=weight", "prefix=21,item=5,value=price"}
		}, "prefix 21"},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg := Defaults()
			cfg.DataDir = t.TempDir()
			c.mutate(&cfg)
			err := Run(context.Background(), cfg)
			if err == nil || !strings.Contains(err.Error(), c.says) {
				t.Fatalf("Run = %v; want an error saying %q", err, c.says)
			}
		})
	}
}

// weighedCatalog is two products a label scale prints labels for: dried fish
// known by the barcode of its labels with the value zeroed, and pomelo known
// by its PLU as its SKU.
func weighedCatalog(t *testing.T, k *testKiosk, fishBase string) {
	t.Helper()
	csv := "sku,name,group,stars,producer_id,unit,price,vat_rate,barcodes,stock\n" +
		"CM-KHO-CA,Khô cá lóc Cà Mau,food,4,CM-HTX-UMINH,kg,350000,8," + fishBase + ",50\n" +
		"00777,Bưởi da xanh,food,4,CM-HTX-UMINH,kg,60000,0,,80\n"
	if r := k.do("POST", "/api/v1/catalog/import?kind=products", []byte(csv), "X-Manager-Pin", testPIN); r.Status != 200 {
		t.Fatalf("import: %d %s", r.Status, r.Body)
	}
}

func twelveAndCheck(twelve string) string { return twelve + string(pos.GTINCheckDigit(twelve)) }

func TestScaleLabelsFindTheirProductWithTheWeight(t *testing.T) {
	k := startKiosk(t, t.TempDir(), func(c *Config) {
		c.ScaleBarcodes = []string{"prefix=21,item=5,value=weight", "prefix=22,item=5,value=price,unit=100"}
	})
	fishBase := twelveAndCheck("210004200000")
	weighedCatalog(t, k, fishBase)
	type answer struct {
		Product productView
		Scanned *scannedLabel
	}
	cases := []struct {
		name, code, sku string
		grams           int64
		price           pos.Money
	}{
		{"a weight label names the product by its base barcode", twelveAndCheck("210004201235"), "CM-KHO-CA", 1235, 0},
		{"a weight label names the product by its PLU as SKU", twelveAndCheck("210077700850"), "00777", 850, 0},
		{"a price label is weighed at the price per kg", twelveAndCheck("220077700450"), "00777", 750, 45000},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := k.do("GET", "/api/v1/products/"+c.code, nil)
			if r.Status != 200 {
				t.Fatalf("%d %s", r.Status, r.Body)
			}
			var a answer
			r.json(t, &a)
			if a.Product.SKU != c.sku || a.Scanned == nil || a.Scanned.WeightG != c.grams || a.Scanned.Price != c.price || a.Scanned.Code != c.code {
				t.Fatalf("got %s", r.Body)
			}
		})
	}
	t.Run("the product's own barcode is found as itself, with nothing scanned", func(t *testing.T) {
		r := k.do("GET", "/api/v1/products/"+fishBase, nil)
		var a answer
		r.json(t, &a)
		if r.Status != 200 || a.Product.SKU != "CM-KHO-CA" || a.Scanned != nil {
			t.Fatalf("%d %s", r.Status, r.Body)
		}
	})

	good := twelveAndCheck("210004201235")
	badCheck := good[:12] + string('0'+(good[12]-'0'+1)%10)
	bad := []struct {
		name, code string
		status     int
		errCode    string
	}{
		{"a wrong check digit is a bad barcode", badCheck, 422, "bad_barcode"},
		{"a label of 0 g is a bad barcode", twelveAndCheck("210004300000"), 422, "bad_barcode"},
		{"an item code no product has is not found", twelveAndCheck("219999901235"), 404, "not_found"},
		{"a code of another prefix is not found", twelveAndCheck("230004201235"), 404, "not_found"},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			r := k.do("GET", "/api/v1/products/"+c.code, nil)
			if r.Status != c.status || r.errCode(t) != c.errCode {
				t.Fatalf("%d %s; want %d %s", r.Status, r.Body, c.status, c.errCode)
			}
		})
	}
}

func TestWithoutLayoutsAScaleLabelIsJustAnUnknownCode(t *testing.T) {
	k := startKiosk(t, t.TempDir())
	weighedCatalog(t, k, twelveAndCheck("210004200000"))
	r := k.do("GET", "/api/v1/products/"+twelveAndCheck("210004201235"), nil)
	if r.Status != 404 || r.errCode(t) != "not_found" {
		t.Fatalf("%d %s", r.Status, r.Body)
	}
}
