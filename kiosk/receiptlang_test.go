package kiosk

import (
	"strings"
	"testing"

	"github.com/ocop-kiosk/kiosk/pos"
)

// With -receipt-lang till a sale records the language its till was set to,
// and its receipt — printed later, from the record — is in that language: a
// tourist served by a till in English gets an English receipt, the next
// customer at a Vietnamese till a Vietnamese one. The checkout names the
// language; a checkout that does not falls back to the one the screen said
// hello in.
func TestReceiptsPrintInTheLanguageOfTheTillThatSold(t *testing.T) {
	dir := t.TempDir()
	k := startKiosk(t, dir, func(c *Config) { c.ReceiptLang = ReceiptLangTill })
	pay := []map[string]any{{"method": "cash", "amount": 500000}}
	english := []string{"RECEIPT", "U Minh Ha melaleuca forest honey 500ml", "Cash given", "Thank you!"}
	vietnamese := []string{"HOÁ ĐƠN BÁN LẺ", "Mật ong rừng tràm U Minh Hạ 500ml", "Khách đưa", "Cảm ơn quý khách!"}
	receiptOf := func(t *testing.T, id string) string {
		t.Helper()
		waitFor(t, "the receipt printed", func() bool { return len(printed(t, dir, id)) >= 1 })
		return printed(t, dir, id)[0]
	}
	has := func(t *testing.T, text string, want, not []string) {
		t.Helper()
		for _, w := range want {
			if !strings.Contains(text, w) {
				t.Errorf("the receipt lacks %q:\n%s", w, text)
			}
		}
		for _, w := range not {
			if strings.Contains(text, w) {
				t.Errorf("the receipt has %q:\n%s", w, text)
			}
		}
	}
	sellOn := func(t *testing.T, till *screen, checkout map[string]any) pos.Sale {
		t.Helper()
		till.send(map[string]any{"type": "cart.add", "sku": honeySKU, "qty": 1})
		till.expect("cart")
		checkout["type"], checkout["payments"] = "checkout", pay
		till.send(checkout)
		var s pos.Sale
		remarshal(t, till.expect("sale")["sale"], &s)
		return s
	}

	t.Run("a checkout in English prints in English", func(t *testing.T) {
		till, _ := connect(t, k, "till=T1&role=till")
		s := sellOn(t, till, map[string]any{"lang": "en"})
		if s.Lang != pos.LangEN {
			t.Errorf("the sale records lang %q", s.Lang)
		}
		has(t, receiptOf(t, s.ID), english, []string{"HOÁ ĐƠN", "Khách đưa"})
	})
	t.Run("a checkout in Vietnamese prints in Vietnamese", func(t *testing.T) {
		till, _ := connect(t, k, "till=T2&role=till")
		s := sellOn(t, till, map[string]any{"lang": "vi"})
		has(t, receiptOf(t, s.ID), vietnamese, []string{"RECEIPT", "Cash given"})
	})
	t.Run("a checkout naming none takes the language of the screen's hello", func(t *testing.T) {
		s3, _, err := dialScreen(t, k, "till=T3&role=till", nil)
		if err != nil {
			t.Fatal(err)
		}
		s3.send(map[string]any{"type": "hello", "v": 1, "lang": "en"})
		s3.expect("state")
		s := sellOn(t, s3, map[string]any{})
		if s.Lang != pos.LangEN {
			t.Errorf("the sale records lang %q", s.Lang)
		}
		has(t, receiptOf(t, s.ID), english, nil)
	})
	t.Run("a void of an English sale prints in English", func(t *testing.T) {
		till, _ := connect(t, k, "till=T4&role=till")
		s := sellOn(t, till, map[string]any{"lang": "en"})
		r := k.do("POST", "/api/v1/sales/"+s.ID+"/void", map[string]any{"reason": "wrong item"}, "X-Manager-Pin", testPIN)
		var v pos.Sale
		r.json(t, &v)
		if r.Status != 201 && r.Status != 200 {
			t.Fatalf("void: %d %s", r.Status, r.Body)
		}
		has(t, receiptOf(t, v.ID), []string{"VOID", "For receipt: " + s.ReceiptNo}, []string{"PHIẾU HUỶ"})
	})
	t.Run("a sale through the API may name its language", func(t *testing.T) {
		body := sale(honeySKU, 1)
		body["payments"], body["lang"] = pay, "en"
		s := k.sell(t, body)
		has(t, receiptOf(t, s.ID), english, nil)
		body["lang"] = ""
		s = k.sell(t, body)
		has(t, receiptOf(t, s.ID), vietnamese, nil)
	})
}

// A language the kiosk does not know is refused where it comes in, with
// bad_lang, and nothing is sold.
func TestAnUnknownTillLanguageIsRefusedAndSellsNothing(t *testing.T) {
	k := startKiosk(t, t.TempDir(), func(c *Config) { c.ReceiptLang = ReceiptLangTill })
	body := sale(honeySKU, 1)
	body["payments"], body["lang"] = []map[string]any{{"method": "cash", "amount": 500000}}, "fr"
	if r := k.do("POST", "/api/v1/sales", body); r.Status != 422 || r.errCode(t) != "bad_lang" {
		t.Errorf("a sale in French: %d %s", r.Status, r.Body)
	}
	s, _, err := dialScreen(t, k, "till=T1&role=till", nil)
	if err != nil {
		t.Fatal(err)
	}
	s.send(map[string]any{"type": "hello", "v": 1, "lang": "fr"})
	s.expectError("bad_lang")
	s.send(map[string]any{"type": "hello", "v": 1, "lang": "vi"})
	s.expect("state")
	s.send(map[string]any{"type": "cart.add", "sku": honeySKU, "qty": 1})
	s.expect("cart")
	s.send(map[string]any{"type": "checkout", "lang": "de", "payments": []map[string]any{{"method": "cash", "amount": 500000}}})
	s.expectError("bad_lang")
	if r := k.do("GET", "/api/v1/sales", nil); !strings.Contains(string(r.Body), `"count":0`) {
		t.Errorf("something was sold: %s", r.Body)
	}
}

// A tourist who orders on a self-service screen in English and pays at a
// Vietnamese till gets the receipt in English: the order keeps the language
// of the screen it was made on and the sale it becomes records it. An order
// made through the API may name its language too, and a wrong one is refused.
func TestASelfServiceOrderPrintsInTheLanguageItWasMadeIn(t *testing.T) {
	dir := t.TempDir()
	k := startKiosk(t, dir, func(c *Config) { c.ReceiptLang = ReceiptLangTill })
	self, _, err := dialScreen(t, k, "till=SELF1&role=self", nil)
	if err != nil {
		t.Fatal(err)
	}
	self.send(map[string]any{"type": "hello", "v": 1, "lang": "en"})
	self.expect("state")
	order := selfOrder(t, self, honeySKU, 1)
	if order["lang"] != "en" {
		t.Errorf("the order records lang %v", order["lang"])
	}
	till, _ := connect(t, k, "till=T1&role=till")
	till.send(map[string]any{"type": "order.confirm", "id": order["id"], "lang": "vi",
		"payments": []map[string]any{{"method": "cash", "amount": order["total"], "tendered": 500000}}})
	var s pos.Sale
	remarshal(t, till.expect("sale")["sale"], &s)
	if s.Lang != pos.LangEN {
		t.Errorf("the sale records lang %q", s.Lang)
	}
	waitFor(t, "the receipt printed", func() bool { return len(printed(t, dir, s.ID)) >= 1 })
	if text := printed(t, dir, s.ID)[0]; !strings.Contains(text, "RECEIPT") || strings.Contains(text, "Khách đưa") {
		t.Errorf("the receipt is not in English:\n%s", text)
	}

	r := k.do("POST", "/api/v1/orders", map[string]any{"lines": []map[string]any{{"sku": honeySKU, "qty": 1}}, "lang": "fr"})
	if r.Status != 422 || r.errCode(t) != "bad_lang" {
		t.Errorf("an order in French: %d %s", r.Status, r.Body)
	}
	r = k.do("POST", "/api/v1/orders", map[string]any{"lines": []map[string]any{{"sku": honeySKU, "qty": 1}}, "lang": "en"})
	var o pos.Order
	r.json(t, &o)
	if r.Status != 201 || o.Lang != pos.LangEN {
		t.Errorf("an order in English: %d %s", r.Status, r.Body)
	}
}
