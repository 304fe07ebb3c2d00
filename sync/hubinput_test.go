package sync

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ocop-kiosk/kiosk/pos"
)

func TestTheHubRefusesBodiesThatAreNotItsObject(t *testing.T) {
	hs := hubStore(t)
	if _, err := hs.PutCatalog(pos.Catalog{
		Producers: []pos.Producer{{ID: "UMINH", Name: "HTX Ong mật U Minh Hạ", Kind: pos.KindHTX}},
		Products: []pos.Product{{SKU: "MO-500", Name: "Mật ong", Group: pos.GroupFood, Stars: 5, ProducerID: "UMINH",
			Price: 220000, VATRate: 8}},
	}, time.Now()); err != nil {
		t.Fatal(err)
	}
	_, url := startHub(t, hs, "127.0.0.1:0")
	for _, tt := range []struct{ method, path, body string }{
		{"POST", "/api/v1/kiosks", `null`},
		{"POST", "/api/v1/kiosks", `{"id":"K05","admin":true}`},
		{"POST", "/api/v1/kiosks", `{"id":"K05"} {"id":"K06"}`},
		{"PUT", "/api/v1/products/MO-500/price", `null`},
		{"PUT", "/api/v1/products/MO-500/price", `{"prize":1}`},
		{"PUT", "/api/v1/products/MO-500", `[]`},
	} {
		req, _ := http.NewRequest(tt.method, url+tt.path, strings.NewReader(tt.body))
		req.Header.Set("Authorization", "Bearer "+testAdminToken)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != 400 {
			t.Errorf("%s %s %s: %d, want 400", tt.method, tt.path, tt.body, res.StatusCode)
		}
	}
	if ks, _ := hs.Kiosks(); len(ks) != 0 {
		t.Errorf("kiosks registered: %+v", ks)
	}
	cv, _ := hs.Catalog()
	if cv.Version != 1 || cv.Products[0].Price != 220000 {
		t.Errorf("the catalog changed: version %d, price %d", cv.Version, cv.Products[0].Price)
	}
}
