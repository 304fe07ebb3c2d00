package kiosk

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ocop-kiosk/kiosk/pos"
)

const stampsPath = demoLotPath + "/stamps"

// stampTool finds pdftoppm or zbarimg: a missing one skips the test locally
// and fails it in CI, where .ci/packages installs both.
func stampTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not installed (.ci/packages lists it)", name)
		}
		t.Skipf("%s is not installed (Debian: poppler-utils, zbar-tools)", name)
	}
	return p
}

// pdfPageQRs renders one page of a PDF at 600 dpi and answers the QRs on it.
func pdfPageQRs(t *testing.T, pdf []byte, page int) []string {
	t.Helper()
	pdftoppm, zbarimg := stampTool(t, "pdftoppm"), stampTool(t, "zbarimg")
	dir := t.TempDir()
	in := filepath.Join(dir, "run.pdf")
	if err := os.WriteFile(in, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	n := fmt.Sprint(page)
	if out, err := exec.Command(pdftoppm, "-f", n, "-l", n, "-r", "600", "-gray", "-png", "-singlefile", in, filepath.Join(dir, "page")).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm page %d: %v\n%s", page, err, out)
	}
	out, err := exec.Command(zbarimg, "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", filepath.Join(dir, "page.png")).Output()
	if err != nil {
		t.Fatalf("zbarimg page %d: %v", page, err)
	}
	return strings.Fields(string(out))
}

// serialsIssued opens a stopped kiosk's store and answers which serials of
// the demo honey lot it registered.
func serialsIssued(t *testing.T, k *testKiosk, serials ...string) map[string]bool {
	t.Helper()
	k.stop()
	st, err := pos.Open(k.cfg.StorePath(), pos.StoreOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	out := map[string]bool{}
	for _, s := range serials {
		ok, err := st.SerialIssued("CM-MO-500", "UM2605-01", s)
		if err != nil {
			t.Fatal(err)
		}
		out[s] = ok
	}
	return out
}

func TestEveryQROnAStampSheetIsTheDigitalLinkOfARegisteredSerial(t *testing.T) {
	k := startKiosk(t, t.TempDir(), func(c *Config) { c.BaseURL = "https://truyxuat.example.vn" })
	// 25 mm stamps sit 6 by 9 on A4: 120 stamps fill two sheets and put 12 on the third.
	r := k.do("POST", stampsPath, map[string]any{"count": 120, "format": "pdf", "size": "25x25"}, "X-Manager-Pin", testPIN)
	if r.Status != 201 {
		t.Fatalf("stamps: %d %s", r.Status, r.Body)
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/pdf" || !strings.HasPrefix(string(r.Body), "%PDF-") {
		t.Fatalf("answer is %q, starting %q", ct, r.Body[:min(8, len(r.Body))])
	}
	if r.Header.Get("X-Stamp-First") != "0001" || r.Header.Get("X-Stamp-Last") != "0120" {
		t.Fatalf("run serials %s–%s, want 0001–0120", r.Header.Get("X-Stamp-First"), r.Header.Get("X-Stamp-Last"))
	}
	seen := map[string]bool{}
	for _, page := range []struct{ n, stamps int }{{1, 54}, {3, 12}} {
		links := pdfPageQRs(t, r.Body, page.n)
		if len(links) != page.stamps {
			t.Errorf("page %d: %d QRs decoded, want %d", page.n, len(links), page.stamps)
		}
		for _, l := range links {
			dl, err := pos.ParseDigitalLink(l)
			if err != nil {
				t.Errorf("page %d: %q is not a Digital Link: %v", page.n, l, err)
				continue
			}
			if dl.Base != "https://truyxuat.example.vn" || dl.GTIN != honeyGTIN || dl.Lot != "UM2605-01" || dl.Serial == "" {
				t.Errorf("page %d: %q names another product, lot or origin", page.n, l)
			}
			if seen[dl.Serial] {
				t.Errorf("serial %s on two stamps", dl.Serial)
			}
			seen[dl.Serial] = true
		}
	}
	var serials []string
	for s := range seen {
		serials = append(serials, s)
	}
	serials = append(serials, "0121") // one past the run: never issued
	issued := serialsIssued(t, k, serials...)
	for _, s := range serials {
		if want := s != "0121"; issued[s] != want {
			t.Errorf("serial %s issued = %v, want %v", s, issued[s], want)
		}
	}
}

func TestAStampRunsSerialsAreRegisteredBeforeItsFileAndNeverReused(t *testing.T) {
	dir := t.TempDir()
	k := startKiosk(t, dir, func(c *Config) {
		c.Printers = map[string]string{"label": "file:" + filepath.Join(dir, "labels") + "?profile=epson-tm-t20"}
	})
	// The client reads the headers and walks away from the PDF.
	body, _ := json.Marshal(map[string]any{"count": 300, "size": "20x20"})
	req, _ := http.NewRequest("POST", k.url+stampsPath, strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Manager-Pin", testPIN)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.CopyN(io.Discard, res.Body, 100)
	res.Body.Close()
	if res.StatusCode != 201 {
		t.Fatalf("stamps: %d", res.StatusCode)
	}
	// The trace page of the run's last stamp knows it as one the kiosk issued,
	// as it knows its labels.
	page := k.do("GET", "/01/"+honeyGTIN+"/10/UM2605-01/21/0300", nil, "Accept", "application/json")
	var d struct{ Scan map[string]any }
	page.json(t, &d)
	if d.Scan["issued"] != true {
		t.Errorf("the page of stamp 0300 does not know it: %s", page.Body)
	}
	// Labels printed after the run and a second run take the numbers after it.
	lr := k.do("POST", demoLotPath+"/labels", map[string]any{"count": 2, "printer": "label"}, "X-Manager-Pin", testPIN)
	var labels struct{ Serials []string }
	lr.json(t, &labels)
	if strings.Join(labels.Serials, ",") != "0301,0302" {
		t.Errorf("labels after a run of 300 stamps got %v, want 0301,0302", labels.Serials)
	}
	r2 := k.do("POST", stampsPath, map[string]any{"count": 5, "size": "30x30"}, "X-Manager-Pin", testPIN)
	if r2.Status != 201 || r2.Header.Get("X-Stamp-First") != "0303" || r2.Header.Get("X-Stamp-Last") != "0307" {
		t.Errorf("second run: %d %s–%s, want 0303–0307", r2.Status, r2.Header.Get("X-Stamp-First"), r2.Header.Get("X-Stamp-Last"))
	}
	runs := k.do("GET", stampsPath, nil, "X-Manager-Pin", testPIN)
	var rl struct {
		Runs []struct {
			ID          string
			Count       int
			FirstSerial string `json:"first_serial"`
			LastSerial  string `json:"last_serial"`
		}
	}
	runs.json(t, &rl)
	if len(rl.Runs) != 2 || rl.Runs[0].FirstSerial != "0001" || rl.Runs[0].LastSerial != "0300" || rl.Runs[1].Count != 5 {
		t.Errorf("runs of the lot: %s", runs.Body)
	}
	issued := serialsIssued(t, k, "0001", "0300", "0307", "0308")
	if !issued["0001"] || !issued["0300"] || !issued["0307"] || issued["0308"] {
		t.Errorf("issued after the runs: %v", issued)
	}
}

func TestABadStampRunIsRefusedAndRegistersNothing(t *testing.T) {
	k := startKiosk(t, t.TempDir())
	pin := []string{"X-Manager-Pin", testPIN}
	cases := []struct {
		name   string
		path   string
		body   any
		pin    []string
		status int
		code   string
	}{
		{"no stamps at all", stampsPath, map[string]any{"count": 0, "size": "25x25"}, pin, 422, "bad_stamp_run"},
		{"a negative count", stampsPath, map[string]any{"count": -5, "size": "25x25"}, pin, 422, "bad_stamp_run"},
		{"more than 100,000 stamps", stampsPath, map[string]any{"count": 100_001, "size": "25x25"}, pin, 422, "bad_stamp_run"},
		{"a size not offered", stampsPath, map[string]any{"count": 10, "size": "40x40"}, pin, 422, "bad_stamp_run"},
		{"no size", stampsPath, map[string]any{"count": 10}, pin, 422, "bad_stamp_run"},
		{"a format not offered", stampsPath, map[string]any{"count": 10, "size": "25x25", "format": "svg"}, pin, 422, "bad_stamp_run"},
		{"an unknown field", stampsPath, map[string]any{"count": 10, "size": "25x25", "colour": "red"}, pin, 422, "bad_field"},
		{"a lot that does not exist", "/api/v1/lots/CM-MO-500/NO-SUCH-LOT/stamps", map[string]any{"count": 10, "size": "25x25"}, pin, 404, "not_found"},
		{"a product that does not exist", "/api/v1/lots/NO-SUCH/UM2605-01/stamps", map[string]any{"count": 10, "size": "25x25"}, pin, 404, "not_found"},
		{"no manager PIN", stampsPath, map[string]any{"count": 10, "size": "25x25"}, nil, 0, ""},
		{"a wrong manager PIN", stampsPath, map[string]any{"count": 10, "size": "25x25"}, []string{"X-Manager-Pin", "000000"}, 0, ""},
	}
	for _, c := range cases {
		t.Run(c.name+" is refused", func(t *testing.T) {
			r := k.do("POST", c.path, c.body, c.pin...)
			// status 0: any 4xx (the PIN's own answers are pinned elsewhere)
			if r.Status/100 != 4 || (c.status != 0 && r.Status != c.status) {
				t.Fatalf("got %d %s, want %d", r.Status, r.Body, c.status)
			}
			code := r.errCode(t)
			if c.code != "" && code != c.code {
				t.Errorf("code %q, want %q (%s)", code, c.code, r.Body)
			}
		})
	}
	if r := k.do("GET", stampsPath, nil, pin...); !strings.Contains(string(r.Body), `"runs":[]`) {
		t.Errorf("refused runs were kept: %s", r.Body)
	}
	if issued := serialsIssued(t, k, "0001"); issued["0001"] {
		t.Error("a refused run spent a serial")
	}
}
