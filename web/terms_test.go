package web

import (
	"encoding/json"
	"os"
	"testing"
)

// The trace pages and the screens read the catalog's words the same way: both
// are checked against the same cases (web/jstest/i18n.test.js for the screens).
func TestCatalogWordsReadInEnglishAsTheScreensReadThem(t *testing.T) {
	b, err := os.ReadFile("jstest/testdata/terms-cases.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases struct{ Units, Certifications, Origins [][2]string }
	if err := json.Unmarshal(b, &cases); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		kind  string
		cases [][2]string
		fn    func(string, string) string
	}{{"unit", cases.Units, UnitName}, {"certification", cases.Certifications, CertName}, {"origin", cases.Origins, OriginName}} {
		for _, c := range tt.cases {
			if got := tt.fn(c[0], "en"); got != c[1] {
				t.Errorf("%s %q in English is %q, want %q", tt.kind, c[0], got, c[1])
			}
			if got, want := tt.fn(c[0], "vi"), squash(c[0]); got != want {
				t.Errorf("%s %q in Vietnamese is %q, want it as it is", tt.kind, c[0], got)
			}
		}
	}
}

func TestTermsFileIsJSONAfterExportDefault(t *testing.T) {
	b, err := os.ReadFile("static/js/terms.js")
	if err != nil {
		t.Fatal(err)
	}
	tm, err := parseTerms(b)
	if err != nil || len(tm.Units) == 0 || len(tm.Certifications) == 0 || len(tm.places) == 0 {
		t.Fatalf("terms.js: %v (%d units)", err, len(tm.Units))
	}
	if _, err := parseTerms([]byte("export default {\"units\": {'chai': 'bottle'}};")); err == nil {
		t.Error("JavaScript that is not JSON was taken")
	}
}
