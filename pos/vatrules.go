package pos

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The VAT reductions in force are data, not code (vatrules.json): a new
// resolution extending or ending one is an edit of that file. Goods at
// full_rate are at reduced_rate inside the window (the catalog already prices
// them so and says so with its VAT rate); a direct-method seller, who pays VAT
// as a percentage of revenue, gets direct_share_off percent of that
// percentage off for the same goods, and its invoice says how much with the
// note.

//go:embed vatrules.json
var vatRulesJSON []byte

// VATReduction is one reduction window.
type VATReduction struct {
	From        Date   `json:"from"`
	To          Date   `json:"to"`
	FullRate    int    `json:"full_rate"`
	ReducedRate int    `json:"reduced_rate"`
	ShareOff    int    `json:"direct_share_off"`
	Basis       string `json:"basis"`
	Decree      string `json:"decree"`
	Note        string `json:"note"`
}

type vatRules struct {
	Reductions []VATReduction `json:"reductions"`
}

// loadVATRules parses the embedded rules once; the file is part of the
// binary, so an error is a build mistake a test catches.
var loadVATRules = sync.OnceValues(func() (vatRules, error) {
	var r vatRules
	if err := json.Unmarshal(vatRulesJSON, &r); err != nil {
		return r, fmt.Errorf("vatrules.json: %w", err)
	}
	for i, x := range r.Reductions {
		if x.From.IsZero() || x.To.IsZero() || x.To.Time().Before(x.From.Time()) || x.ShareOff <= 0 || x.ShareOff > 100 ||
			!strings.Contains(x.Note, "{amount}") {
			return r, fmt.Errorf("vatrules.json: reduction %d is incomplete", i+1)
		}
	}
	return r, nil
})

// VATReductionOn is the reduction in force on t's day in Vietnam time, if any.
func VATReductionOn(t time.Time) (VATReduction, bool) {
	r, err := loadVATRules()
	if err != nil {
		return VATReduction{}, false
	}
	day := DateOf(t.In(VietnamTime)).Time()
	for _, x := range r.Reductions {
		if !day.Before(x.From.Time()) && !day.After(x.To.Time()) {
			return x, true
		}
	}
	return VATReduction{}, false
}

// NoteFor writes the reduction note for amount đồng.
func (x VATReduction) NoteFor(amount Money) string {
	return strings.NewReplacer("{amount}", FormatVND(amount), "{share}", strconv.Itoa(x.ShareOff), "{basis}", x.Basis).Replace(x.Note)
}
