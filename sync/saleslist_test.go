package sync

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"
)

// The hub's sales listing comes a page at a time, by kiosk and record
// sequence, and refuses a cursor it did not give out or a page size out of
// range with 400 bad_query.
func TestTheSalesListingComesAPageAtATime(t *testing.T) {
	hs := hubStore(t)
	want := map[string][]string{}
	for _, id := range []string{"K02", "K01"} {
		if _, err := RegisterKiosk(hs, id); err != nil {
			t.Fatal(err)
		}
		ks := kioskStore(t, id)
		sellN(t, ks, 4)
		recs, err := ks.Outbox(0, 10)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := hs.Ingest(id, recs, time.Now()); err != nil {
			t.Fatal(err)
		}
		for _, r := range recs {
			want[id] = append(want[id], r.SaleID)
		}
	}
	app := (&Hub{Store: hs, AdminHash: TokenHash("admin"), Log: quiet()}).App()
	get := func(q url.Values) (int, []byte) {
		t.Helper()
		req := httptest.NewRequest(http.MethodGet, "/api/v1/sales?"+q.Encode(), nil)
		req.Header.Set("Authorization", "Bearer admin")
		res, err := app.Test(req, 10000)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		return res.StatusCode, body
	}
	for _, tt := range []struct {
		name  string
		kiosk string
		want  []string
	}{
		{"every kiosk, K01 first", "", append(append([]string{}, want["K01"]...), want["K02"]...)},
		{"one kiosk", "K02", want["K02"]},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			after, pages := "", 0
			for {
				status, body := get(url.Values{"kiosk": {tt.kiosk}, "limit": {"3"}, "after": {after}})
				var page struct {
					Sales []HubSale `json:"sales"`
					Count int       `json:"count"`
					Next  string    `json:"next"`
				}
				if status != 200 || json.Unmarshal(body, &page) != nil || page.Count != len(page.Sales) || len(page.Sales) > 3 {
					t.Fatalf("page %d: %d %s", pages+1, status, body)
				}
				for _, s := range page.Sales {
					got = append(got, s.Sale.ID)
				}
				pages++
				if after = page.Next; after == "" {
					break
				}
			}
			if len(got) != len(tt.want) {
				t.Fatalf("listed %d sales in %d pages, want %d", len(got), pages, len(tt.want))
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("sale %d: %s, want %s", i+1, got[i], tt.want[i])
				}
			}
		})
	}
	for _, q := range []url.Values{
		{"after": {"K01.1"}},
		{"after": {"K01.x." + want["K01"][0]}},
		{"after": {"k01.1." + want["K01"][0]}},
		{"limit": {"0"}},
		{"limit": {"5001"}},
		{"limit": {"ten"}},
		{"kiosk": {"K-01"}},
	} {
		status, body := get(q)
		var e struct {
			Error struct {
				Code string `json:"code"`
			} `json:"error"`
		}
		if status != 400 || json.Unmarshal(body, &e) != nil || e.Error.Code != "bad_query" {
			t.Errorf("GET /api/v1/sales?%s: %d %s, want 400 bad_query", q.Encode(), status, body)
		}
	}
}
