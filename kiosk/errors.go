package kiosk

import (
	"errors"
	"log/slog"

	"github.com/gofiber/fiber/v2"

	"github.com/ocop-kiosk/kiosk/pos"
)

// apiError is an error with the HTTP status and stable code a client sees.
type apiError struct {
	Status  int
	Code    string
	Message string
	Details any
}

func (e *apiError) Error() string { return e.Code + ": " + e.Message }

func newAPIError(status int, code, msg string) *apiError {
	return &apiError{Status: status, Code: code, Message: msg}
}

// errorCodes maps the domain's sentinel errors to a status and a stable code. It is
// the one place that decides what a client sees for each condition.
var errorCodes = []struct {
	err    error
	status int
	code   string
}{
	{pos.ErrImport, fiber.StatusUnprocessableEntity, "import_rejected"},
	{pos.ErrUnknownSKU, fiber.StatusUnprocessableEntity, "unknown_sku"},
	{pos.ErrUnknownLot, fiber.StatusUnprocessableEntity, "unknown_lot"},
	{pos.ErrBadQuantity, fiber.StatusUnprocessableEntity, "bad_quantity"},
	{pos.ErrBadStampRun, fiber.StatusUnprocessableEntity, "bad_stamp_run"},
	{pos.ErrStampRunState, fiber.StatusConflict, "stamp_run_state"},
	{pos.ErrEmptySale, fiber.StatusUnprocessableEntity, "empty_sale"},
	{pos.ErrTooManyLines, fiber.StatusUnprocessableEntity, "too_many_lines"},
	{pos.ErrOverflow, fiber.StatusUnprocessableEntity, "amount_out_of_range"},
	{pos.ErrOutOfStock, fiber.StatusConflict, "out_of_stock"},
	{pos.ErrPaymentShort, fiber.StatusUnprocessableEntity, "payment_short"},
	{pos.ErrOverpaid, fiber.StatusUnprocessableEntity, "overpaid"},
	{pos.ErrTenderedShort, fiber.StatusUnprocessableEntity, "tendered_short"},
	{pos.ErrBadPayment, fiber.StatusUnprocessableEntity, "bad_payment"},
	{pos.ErrBadAmount, fiber.StatusUnprocessableEntity, "bad_amount"},
	{pos.ErrBadGTIN, fiber.StatusUnprocessableEntity, "bad_gtin"},
	{pos.ErrBadBarcode, fiber.StatusUnprocessableEntity, "bad_barcode"},
	{pos.ErrRefundTooLarge, fiber.StatusUnprocessableEntity, "refund_too_large"},
	{pos.ErrBadCashier, fiber.StatusUnprocessableEntity, "bad_cashier"},
	{pos.ErrCashierPIN, fiber.StatusForbidden, "bad_cashier_pin"},
	{pos.ErrCashierRequired, fiber.StatusConflict, "cashier_required"},
	{pos.ErrNotFound, fiber.StatusNotFound, "not_found"},
	{pos.ErrAlreadyVoided, fiber.StatusConflict, "already_voided"},
	{pos.ErrNotVoidable, fiber.StatusConflict, "not_voidable"},
	{pos.ErrIdempotencyReuse, fiber.StatusConflict, "idempotency_key_reused"},
	{pos.ErrShiftOpen, fiber.StatusConflict, "shift_open"},
	{pos.ErrNoOpenShift, fiber.StatusConflict, "no_open_shift"},
	{pos.ErrShiftClosed, fiber.StatusConflict, "shift_closed"},
	{pos.ErrOrderPaid, fiber.StatusConflict, "order_paid"},
	{pos.ErrOrderCancelled, fiber.StatusConflict, "order_cancelled"},
	{pos.ErrOrderExpired, fiber.StatusConflict, "order_expired"},
	{pos.ErrTooManyOrders, fiber.StatusConflict, "too_many_orders"},
	{pos.ErrBadDiscount, fiber.StatusUnprocessableEntity, "bad_discount"},
	{pos.ErrDiscountNeedsPIN, fiber.StatusForbidden, "discount_needs_pin"},
	{pos.ErrBadWeight, fiber.StatusUnprocessableEntity, "bad_weight"},
	{pos.ErrBadPromotion, fiber.StatusUnprocessableEntity, "bad_promotion"},
	{pos.ErrPromotionExists, fiber.StatusConflict, "promotion_exists"},
	{pos.ErrPromotionChanged, fiber.StatusConflict, "promotion_changed"},
	{pos.ErrPromotionFromHub, fiber.StatusConflict, "promotion_from_hub"},
	{pos.ErrBadLang, fiber.StatusUnprocessableEntity, "bad_lang"},
	{pos.ErrBadBuyer, fiber.StatusUnprocessableEntity, "bad_buyer"},
	{pos.ErrInvoiceUnverified, fiber.StatusConflict, "invoice_unverified"},
	{pos.ErrInvoiceClock, fiber.StatusConflict, "invoice_clock"},
	{pos.ErrInvoiceCounterFull, fiber.StatusConflict, "invoice_counter_full"},
	{pos.ErrInvoiceNoBlock, fiber.StatusConflict, "invoice_no_block"},
	{pos.ErrAdjustAdjustment, fiber.StatusConflict, "invoice_adjustment"},
	{pos.ErrBadInvoiceQuery, fiber.StatusBadRequest, "bad_query"},
	{pos.ErrBadDigitalLink, fiber.StatusBadRequest, "bad_digital_link"},
	{pos.ErrBadEPCISQuery, fiber.StatusBadRequest, "bad_query"},
	{pos.ErrTooManySerials, fiber.StatusUnprocessableEntity, "serials_do_not_fit"},
	{pos.ErrUnknownSerial, fiber.StatusUnprocessableEntity, "unknown_serial"},
	{pos.ErrSerialOtherLot, fiber.StatusUnprocessableEntity, "serial_other_lot"},
	{pos.ErrSerialSold, fiber.StatusConflict, "serial_sold"},
}

// errorHandler turns any error a handler returns into the JSON error body
// {"error":{"code","message"}}.
func errorHandler(log *slog.Logger) fiber.ErrorHandler {
	return func(c *fiber.Ctx, err error) error {
		ae := toAPIError(err)
		if ae.Status >= 500 {
			log.Error("request failed", "method", c.Method(), "path", c.Path(), "err", err)
		}
		body := fiber.Map{"code": ae.Code, "message": ae.Message}
		if ae.Details != nil {
			body["details"] = ae.Details
		}
		return c.Status(ae.Status).JSON(fiber.Map{"error": body})
	}
}

func toAPIError(err error) *apiError {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae
	}
	var we *wsErr
	if errors.As(err, &we) {
		return we.apiError()
	}
	var ie *pos.ImportError
	if errors.As(err, &ie) {
		return &apiError{Status: fiber.StatusUnprocessableEntity, Code: "import_rejected", Message: ie.Error(), Details: ie}
	}
	var bf *pos.FieldError
	if errors.Is(err, pos.ErrBadBuyer) && errors.As(err, &bf) {
		// The screen says what is wrong with which field, in its language.
		return &apiError{Status: fiber.StatusUnprocessableEntity, Code: "bad_buyer", Message: err.Error(), Details: fiber.Map{"field": bf.Field}}
	}
	if isDiskFull(err) {
		return newAPIError(fiber.StatusInsufficientStorage, "disk_full",
			"the kiosk's disk is full: nothing was saved. Make room (old prints, backups) and try again")
	}
	for _, m := range errorCodes {
		if errors.Is(err, m.err) {
			return &apiError{Status: m.status, Code: m.code, Message: err.Error()}
		}
	}
	var fe *fiber.Error
	if errors.As(err, &fe) {
		switch fe.Code {
		case fiber.StatusRequestEntityTooLarge:
			return newAPIError(fe.Code, "body_too_large", "request body larger than the limit")
		case fiber.StatusNotFound:
			return newAPIError(fe.Code, "not_found", fe.Message)
		case fiber.StatusMethodNotAllowed:
			return newAPIError(fe.Code, "method_not_allowed", fe.Message)
		}
		if fe.Code < 500 {
			return newAPIError(fe.Code, "bad_request", fe.Message)
		}
	}
	return newAPIError(fiber.StatusInternalServerError, "internal", "internal error; the kiosk log has the details")
}
