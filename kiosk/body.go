package kiosk

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// decodeJSON reads a request body that must be one JSON object naming only
// fields of v, none of them null, with nothing after it. Go's json.Unmarshal
// takes `null` (or an object of unrelated fields) into a struct without a word
// and leaves it empty, and an empty request means "defaults" or "clear
// everything" to most handlers — so a stray `null` once wiped a lot and voided
// a sale. Malformed JSON, a body that is not an object and a wrong type answer
// 400 bad_json; an unknown or null field answers 422 bad_field naming it.
func decodeJSON(c *fiber.Ctx, v any) error {
	return decodeObject(c.Body(), v, true)
}

// decodeSaleJSON is decodeJSON for sales, which keep their old leniency about
// fields they do not define: a till may send the prices and totals it shows,
// and the kiosk prices the sale itself.
func decodeSaleJSON(c *fiber.Ctx, v any) error {
	return decodeObject(c.Body(), v, false)
}

// decodeOptionalJSON is decodeJSON for bodies that may be left out entirely
// (a void without a reason). A body that is there must still be an object.
func decodeOptionalJSON(c *fiber.Ctx, v any) error {
	if len(bytes.TrimSpace(c.Body())) == 0 {
		return nil
	}
	return decodeJSON(c, v)
}

func decodeObject(body []byte, v any, strict bool) error {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		return newAPIError(fiber.StatusBadRequest, "bad_json", "request body is empty; want a JSON object")
	}
	if trimmed[0] != '{' {
		return newAPIError(fiber.StatusBadRequest, "bad_json", "want a JSON object, got "+jsonKind(trimmed))
	}
	if strict {
		// Top-level fields first: a null must not pass as "left out".
		var fields map[string]json.RawMessage
		if err := json.Unmarshal(trimmed, &fields); err == nil {
			names := make([]string, 0, len(fields))
			for name, raw := range fields {
				if string(raw) == "null" {
					names = append(names, name)
				}
			}
			if len(names) > 0 {
				sort.Strings(names)
				return fieldError(names[0], fmt.Sprintf("field %q is null: leave it out to keep its value, or give one", names[0]))
			}
		}
	}
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	if strict {
		dec.DisallowUnknownFields()
	}
	if err := dec.Decode(v); err != nil {
		return decodeError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return newAPIError(fiber.StatusBadRequest, "bad_json", "malformed JSON: data after the JSON object")
	}
	return nil
}

// decodeError turns a json decoding error into the API's words for it.
func decodeError(err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &te):
		ae := newAPIError(fiber.StatusBadRequest, "bad_json", fmt.Sprintf("field %q: want %s, got a JSON %s", te.Field, te.Type, te.Value))
		ae.Details = fiber.Map{"field": te.Field}
		return ae
	case errors.As(err, &se):
		return newAPIError(fiber.StatusBadRequest, "bad_json", "malformed JSON: "+err.Error())
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		// encoding/json has no type for it; the message is `json: unknown field "x"`.
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return fieldError(name, fmt.Sprintf("unknown field %q", name))
	case strings.Contains(err.Error(), "want YYYY-MM-DD"):
		// Well-formed JSON with a date that is not a date.
		return newAPIError(fiber.StatusUnprocessableEntity, "bad_date", err.Error())
	}
	return newAPIError(fiber.StatusBadRequest, "bad_json", "malformed JSON: "+err.Error())
}

// fieldError is a 422 bad_field naming the field, as the manager screen uses it
// to mark the input.
func fieldError(field, msg string) *apiError {
	return &apiError{Status: fiber.StatusUnprocessableEntity, Code: "bad_field", Message: msg, Details: fiber.Map{"field": field}}
}

// jsonKind names the JSON value that starts b, for an error message.
func jsonKind(b []byte) string {
	switch {
	case bytes.HasPrefix(b, []byte("null")):
		return "null"
	case b[0] == '[':
		return "an array"
	case b[0] == '"':
		return "a string"
	case bytes.HasPrefix(b, []byte("true")), bytes.HasPrefix(b, []byte("false")):
		return "a boolean"
	case b[0] == '-' || (b[0] >= '0' && b[0] <= '9'):
		return "a number"
	}
	return "something that is not JSON"
}
