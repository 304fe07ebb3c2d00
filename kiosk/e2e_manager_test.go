package kiosk

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/ocop-kiosk/kiosk/pos"
)

// signedInManager opens the manager page at url and enters the PIN.
func signedInManager(url string) chromedp.Action {
	return chromedp.Tasks{
		chromedp.Navigate(url),
		chromedp.WaitVisible(tid("manager-pin"), chromedp.ByQuery),
		chromedp.SendKeys(tid("manager-pin"), testPIN, chromedp.ByQuery),
		chromedp.Click(tid("manager-pin-ok"), chromedp.ByQuery),
		chromedp.WaitNotVisible(tid("manager-pin"), chromedp.ByQuery),
	}
}

// managerIn opens the manager page in a browser whose zone is zone and enters
// the PIN.
func managerIn(t *testing.T, k *testKiosk, zone string) context.Context {
	t.Helper()
	ctx := browser(t, 1280, 900)
	within(t, ctx, 20*time.Second,
		chromedp.ActionFunc(func(ctx context.Context) error { return emulation.SetTimezoneOverride(zone).Do(ctx) }),
		signedInManager(k.url+"/manager?lang=vi"),
	)
	return ctx
}

// The manager page on a machine left in UTC showed 18:55 for a sale whose
// receipt says 01:55 the next day. Every time is Vietnam's, as on the receipt.
func TestBrowserManagerShowsVietnamTimeInABrowserSetToUTC(t *testing.T) {
	k := startKiosk(t, t.TempDir())
	s := k.sell(t, map[string]any{"lines": []map[string]any{{"sku": "CM-MO-500", "qty": 1}},
		"payments": []map[string]any{{"method": "cash", "amount": 500000}}})
	ctx := managerIn(t, k, "UTC")
	var zone, row, sum, day string
	within(t, ctx, 20*time.Second,
		chromedp.Evaluate(`Intl.DateTimeFormat().resolvedOptions().timeZone`, &zone),
		chromedp.Click(tid("tab-sales"), chromedp.ByQuery),
		chromedp.WaitVisible(tid("sale-row", fmt.Sprintf(`[data-id="%s"]`, s.ID)), chromedp.ByQuery),
		chromedp.Text(tid("sale-row", fmt.Sprintf(`[data-id="%s"]`, s.ID)), &row, chromedp.ByQuery),
	)
	if zone != "UTC" {
		t.Fatalf("the browser's zone is %q, want UTC", zone)
	}
	vn := s.Time.In(pos.VietnamTime)
	if want := vn.Format("02/01/2006 15:04"); !strings.Contains(row, want) {
		t.Errorf("the sale's row says %q, want Vietnam time %s (UTC %s)", row, want, s.Time.UTC().Format("15:04"))
	}
	within(t, ctx, 20*time.Second,
		chromedp.Click(tid("sales-today"), chromedp.ByQuery),
		chromedp.WaitVisible(tid("sales-today-sum"), chromedp.ByQuery),
		chromedp.Text(tid("sales-today-sum"), &sum, chromedp.ByQuery),
		chromedp.AttributeValue(tid("sales-today-sum"), "data-day", &day, nil, chromedp.ByQuery),
	)
	if day != vn.Format(time.DateOnly) || !strings.Contains(sum, "1 đơn bán") {
		t.Errorf("today is %q with %q; want %s in Vietnam with the sale", day, sum, vn.Format(time.DateOnly))
	}
}

func TestBrowserManagerConfirmsAShiftCloseAndNamesWhatDialogButtonsDo(t *testing.T) {
	k := startKiosk(t, t.TempDir())
	k.setStock(t, "BT-KD-400", 2)
	s := k.sell(t, map[string]any{"lines": []map[string]any{{"sku": "CM-MO-500", "qty": 1}},
		"payments": []map[string]any{{"method": "cash", "amount": 500000}}})
	ctx := managerIn(t, k, "Asia/Ho_Chi_Minh")

	// Voiding: the buttons say "Huỷ đơn" (void it) and "Đóng" (close), and
	// closing voids nothing.
	var ok, cancel string
	within(t, ctx, 20*time.Second,
		chromedp.Click(tid("tab-sales"), chromedp.ByQuery),
		chromedp.Click(tid("sale-row", fmt.Sprintf(`[data-id="%s"] `, s.ID), tid("sale-void")), chromedp.ByQuery),
		chromedp.WaitVisible(tid("form-ok"), chromedp.ByQuery),
		chromedp.Text(tid("form-ok"), &ok, chromedp.ByQuery),
		chromedp.Text("#form-cancel", &cancel, chromedp.ByQuery),
		chromedp.Click("#form-cancel", chromedp.ByQuery),
		poll(`!document.querySelector('#form-dialog').open`),
	)
	if ok != "Huỷ đơn" || cancel != "Đóng" {
		t.Errorf("the void dialog's buttons say %q and %q, want Huỷ đơn and Đóng", ok, cancel)
	}
	if got := k.do("GET", "/api/v1/sales/"+s.ID, nil); !strings.Contains(string(got.Body), `"status":"completed"`) {
		t.Fatalf("closing the void dialog voided the sale: %s", got.Body)
	}

	// Closing the shift: expected, counted and the difference first.
	var expected, counted, diff, text string
	within(t, ctx, 20*time.Second,
		chromedp.Click(tid("tab-shift"), chromedp.ByQuery),
		chromedp.WaitVisible(tid("shift-counted"), chromedp.ByQuery),
		chromedp.SendKeys(tid("shift-counted"), "200000", chromedp.ByQuery),
		chromedp.Click(tid("shift-close"), chromedp.ByQuery),
		chromedp.WaitVisible(tid("shift-confirm"), chromedp.ByQuery),
		chromedp.AttributeValue(tid("shift-confirm"), "data-expected", &expected, nil, chromedp.ByQuery),
		chromedp.AttributeValue(tid("shift-confirm"), "data-counted", &counted, nil, chromedp.ByQuery),
		chromedp.AttributeValue(tid("shift-confirm"), "data-difference", &diff, nil, chromedp.ByQuery),
		chromedp.Text(tid("shift-confirm"), &text, chromedp.ByQuery),
	)
	want := int64(k.product("CM-MO-500").Price)
	if expected != fmt.Sprint(want) || counted != "200000" || diff != fmt.Sprint(200000-want) {
		t.Errorf("confirmation: expected %s, counted %s, difference %s; want %d, 200000, %d", expected, counted, diff, want, 200000-want)
	}
	for _, w := range []string{"Tiền mặt dự kiến", pos.FormatVND(pos.Money(want)), "Tiền mặt đếm được", "200.000", "Chênh lệch", "Thiếu " + pos.FormatVND(pos.Money(want-200000))} {
		if !strings.Contains(text, w) {
			t.Errorf("the confirmation lacks %q: %q", w, text)
		}
	}
	if r := k.do("GET", "/api/v1/shifts/current", nil); r.Status != 200 {
		t.Fatalf("the shift closed before it was confirmed: %d %s", r.Status, r.Body)
	}
	within(t, ctx, 20*time.Second,
		chromedp.Click(tid("shift-close-confirm"), chromedp.ByQuery),
		chromedp.WaitVisible(tid("z-report"), chromedp.ByQuery),
	)
	if r := k.do("GET", "/api/v1/shifts/current", nil); r.Status != 409 {
		t.Fatalf("after confirming, the shift is still open: %d", r.Status)
	}

	// The low-stock list: the candy with 2 left, under the threshold of 5.
	var stock string
	within(t, ctx, 20*time.Second,
		chromedp.Click(tid("tab-stock"), chromedp.ByQuery),
		chromedp.WaitVisible(tid("low-row", `[data-sku="BT-KD-400"]`), chromedp.ByQuery),
		chromedp.AttributeValue(tid("low-row", `[data-sku="BT-KD-400"]`), "data-stock", &stock, nil, chromedp.ByQuery),
	)
	if stock != "2" {
		t.Errorf("low-stock row of the candy says %q left", stock)
	}
}

// The manager gives a product its picture from the stock tab, and imports a
// zip of pictures beside the catalog.
func TestBrowserManagerUploadsAPictureAndAZipOfPictures(t *testing.T) {
	dir := t.TempDir()
	k := startKiosk(t, dir)
	setProductImage(t, k, "CM-MO-250", "mo-250.jpg")
	files := t.TempDir()
	photoFile := files + "/honey.jpg"
	zipFile := files + "/pictures.zip"
	if err := os.WriteFile(photoFile, jpegOf(t, photo(1200, 900), 85), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(zipFile, zipOf(t, "pictures/mo-250.jpg", jpegOf(t, photo(300, 300), 80)), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx := managerIn(t, k, "Asia/Ho_Chi_Minh")
	var result string
	within(t, ctx, 30*time.Second,
		chromedp.Click(tid("tab-stock"), chromedp.ByQuery),
		chromedp.SendKeys(tid("stock-search"), "mat ong u minh", chromedp.ByQuery),
		chromedp.Click(tid("stock-pick", `[data-sku="CM-MO-500"]`), chromedp.ByQuery),
		chromedp.WaitVisible(tid("picture-file"), chromedp.ByQuery),
		chromedp.SetUploadFiles(tid("picture-file"), []string{photoFile}, chromedp.ByQuery),
		chromedp.Click(tid("picture-upload"), chromedp.ByQuery),
		poll(fmt.Sprintf(`(() => { const i = document.querySelector('%s img'); return !!i && i.complete && i.naturalWidth === 480; })()`, tid("picture-now"))),
		chromedp.Click(tid("tab-import"), chromedp.ByQuery),
		chromedp.WaitVisible(tid("pictures-file"), chromedp.ByQuery),
		chromedp.SetUploadFiles(tid("pictures-file"), []string{zipFile}, chromedp.ByQuery),
		chromedp.Click(tid("pictures-submit"), chromedp.ByQuery),
		poll(fmt.Sprintf(`document.querySelector('%s').textContent.includes('Đã lưu 1 ảnh')`, tid("pictures-result"))),
		chromedp.Text(tid("pictures-result"), &result, chromedp.ByQuery),
	)
	if got := k.product("CM-MO-500").Image; got != "cm-mo-500.jpg" {
		t.Errorf("the honey's image is %q after the upload", got)
	}
	if names := k.pictures(t); !slices.Equal(names, []string{"cm-mo-500.jpg", "mo-250.jpg"}) {
		t.Errorf("pictures stored: %q", names)
	}
	t.Logf("zip import: %q", result)
}
