package pos

import (
	"testing"
	"time"
)

func TestDemoCatalog(t *testing.T) {
	c, err := DemoCatalog()
	if err != nil {
		t.Fatalf("DemoCatalog: %v", err)
	}
	if len(c.Products) < 40 {
		t.Errorf("%d products, want at least 40", len(c.Products))
	}
	if len(c.Producers) < 12 {
		t.Errorf("%d producers, want at least 12", len(c.Producers))
	}
	if len(c.Lots) == 0 {
		t.Error("no lots")
	}
	if len(c.StockGiven) != len(c.Products) || len(c.ProductRows) != len(c.Products) || len(c.LotRows) != len(c.Lots) {
		t.Errorf("bookkeeping slices out of step: %d products, %d StockGiven, %d ProductRows; %d lots, %d LotRows",
			len(c.Products), len(c.StockGiven), len(c.ProductRows), len(c.Lots), len(c.LotRows))
	}

	producers := map[string]Producer{}
	kinds := map[ProducerKind]bool{}
	provinces := map[string]bool{}
	for _, p := range c.Producers {
		producers[p.ID] = p
		kinds[p.Kind] = true
		provinces[p.Province] = true
	}
	groups := map[Group]bool{}
	stars := map[int]bool{}
	skus := map[string]bool{}
	day := time.Date(2026, 11, 23, 10, 0, 0, 0, time.FixedZone("ICT", 7*3600))
	var expired []string
	for _, p := range c.Products {
		groups[p.Group] = true
		stars[p.Stars] = true
		skus[p.SKU] = true
		if _, ok := producers[p.ProducerID]; !ok {
			t.Errorf("product %s names producer %q, which is not in the catalog", p.SKU, p.ProducerID)
		}
		if p.GTIN != "" {
			if g, err := NormalizeGTIN(p.GTIN); err != nil || g != p.GTIN {
				t.Errorf("product %s GTIN %q: normalised %q, %v", p.SKU, p.GTIN, g, err)
			}
			if p.GTIN[1:4] != "893" {
				t.Errorf("product %s GTIN %s lacks Vietnam's 893 prefix", p.SKU, p.GTIN)
			}
		}
		q := p
		if err := q.Validate(); err != nil {
			t.Errorf("product %s does not validate: %v", p.SKU, err)
		}
		if !p.CertValid(day) {
			expired = append(expired, p.SKU)
		}
	}
	for _, g := range Groups {
		if !groups[g] {
			t.Errorf("no product in group %s", g)
		}
	}
	for _, s := range []int{3, 4, 5} {
		if !stars[s] {
			t.Errorf("no %d-star product", s)
		}
	}
	for _, k := range []ProducerKind{KindHTX, KindTHT, KindEnterprise, KindHousehold} {
		if !kinds[k] {
			t.Errorf("no producer of kind %s", k)
		}
	}
	for _, p := range []string{"Cà Mau", "Bến Tre", "Trà Vinh"} {
		if !provinces[p] {
			t.Errorf("no producer in %s", p)
		}
	}
	if len(expired) == 0 {
		t.Error("no product's certificate has expired by 2026-11-23; the demo should show one")
	}
	for _, l := range c.Lots {
		if !skus[l.SKU] {
			t.Errorf("lot %s names sku %q, which is not in the catalog", l.Code, l.SKU)
		}
	}
}

func TestDemoCatalogHasTheKnownExpiredCertificate(t *testing.T) {
	c, err := DemoCatalog()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		day  time.Time
		want bool
	}{
		{"valid the day before it expires", time.Date(2026, 6, 11, 23, 0, 0, 0, time.UTC), true},
		{"valid on its expiry day", time.Date(2026, 6, 12, 23, 59, 0, 0, time.UTC), true},
		{"expired the day after", time.Date(2026, 6, 13, 0, 0, 0, 0, time.UTC), false},
		{"expired at the fair on 2026-11-23", time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC), false},
	}
	var dried *Product
	for i := range c.Products {
		if c.Products[i].SKU == "CM-KCK-500" {
			dried = &c.Products[i]
		}
	}
	if dried == nil {
		t.Fatal("CM-KCK-500 (cert expiring 2026-06-12) is not in the demo catalog")
	}
	for _, tt := range tests {
		t.Run("the dried fish certificate is "+tt.name, func(t *testing.T) {
			if got := dried.CertValid(tt.day); got != tt.want {
				t.Errorf("CertValid(%s) = %v, want %v (expiry %s)", tt.day, got, tt.want, dried.CertExpiry)
			}
		})
	}
	if (&Product{}).CertValid(time.Now()) {
		t.Error("a product with no certificate expiry counts as certified")
	}
}
