package pos

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func TestProductsCSVCarriesSoldBy(t *testing.T) {
	tests := []struct {
		name     string
		cells    map[string]string
		soldBy   string
		unit     string
		badField string
	}{
		{"an empty cell is sold by the unit", map[string]string{"sold_by": ""}, "", "chai", ""},
		{"unit", map[string]string{"sold_by": "unit"}, "", "chai", ""},
		{"weight with no unit becomes kg", map[string]string{"sold_by": "weight", "unit": ""}, SoldByWeight, "kg", ""},
		{"Weight written with a capital", map[string]string{"sold_by": "Weight", "unit": "kg"}, SoldByWeight, "kg", ""},
		{"weight with a unit other than kg", map[string]string{"sold_by": "weight", "unit": "hũ"}, "", "", "unit"},
		{"something else", map[string]string{"sold_by": "box"}, "", "", "sold_by"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, err := ParseProductsCSV(strings.NewReader(productsFile(productRow(t, tt.cells))))
			if tt.badField != "" {
				var ie *ImportError
				if !errors.As(err, &ie) || ie.Rows[0].Column != tt.badField {
					t.Fatalf("ParseProductsCSV = %v, want a bad %s", err, tt.badField)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if p := rows.Products[0]; p.SoldBy != tt.soldBy || p.Unit != tt.unit {
				t.Errorf("sold_by %q unit %q, want %q %q", p.SoldBy, p.Unit, tt.soldBy, tt.unit)
			}
		})
	}
	// A file without the column (written before it existed) still imports.
	old := strings.Join(ProductColumns[:len(ProductColumns)-1], ",") + "\n" + strings.TrimSuffix(productRow(t, nil), ",") + "\n"
	if _, err := ParseProductsCSV(strings.NewReader(old)); err != nil || strings.Contains(old, "sold_by") {
		t.Errorf("a products file without sold_by: %v", err)
	}
	// The export writes it, and it imports back.
	var b bytes.Buffer
	if err := WriteProductsCSV(&b, []Product{prodFish, prodHoney}); err != nil {
		t.Fatal(err)
	}
	back, err := ParseProductsCSV(&b)
	if err != nil || back.Products[0].SoldBy != SoldByWeight || back.Products[1].SoldBy != "" {
		t.Errorf("exported and imported again: %+v, %v", back.Products, err)
	}
}
