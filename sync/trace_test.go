package sync

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ocop-kiosk/kiosk/pos"
)

// The hub cannot know which labels a kiosk printed, so its page of a label
// says so rather than vouch for it or count it.
func TestTheHubsLabelPageSaysItCannotCheckTheLabel(t *testing.T) {
	hs := hubStore(t)
	demo, err := pos.DemoCatalog()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := hs.PutCatalog(demo, time.Now()); err != nil {
		t.Fatal(err)
	}
	app := (&Hub{Store: hs, Log: quiet()}).App()
	get := func(path string, headers ...string) string {
		req, _ := http.NewRequest("GET", path, nil)
		for i := 0; i+1 < len(headers); i += 2 {
			req.Header.Set(headers[i], headers[i+1])
		}
		res, err := app.Test(req, 10000)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		if res.StatusCode != 200 {
			t.Fatalf("%s: %d", path, res.StatusCode)
		}
		return string(b)
	}
	page := get("/01/08936072100152/10/UM2605-01/21/0042", "Accept-Language", "en")
	for _, want := range []string{"Label no. 0042", "cannot check label numbers", "Lot UM2605-01"} {
		if !strings.Contains(page, want) {
			t.Errorf("the hub's label page lacks %q", want)
		}
	}
	if strings.Contains(page, "scanned") || strings.Contains(page, "not a label we issued") {
		t.Error("the hub's label page tells what it cannot know")
	}
	var d struct{ Label map[string]any }
	if err := json.Unmarshal([]byte(get("/01/08936072100152/10/UM2605-01/21/0042", "Accept", "application/json")), &d); err != nil {
		t.Fatal(err)
	}
	if d.Label["serial"] != "0042" || d.Label["checked"] != false {
		t.Errorf("JSON label: %v", d.Label)
	}
}
