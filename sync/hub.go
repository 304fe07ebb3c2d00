package sync

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"time"

	"github.com/gofiber/contrib/websocket"
	"github.com/gofiber/fiber/v2"
)

// Hub is the central hub's HTTP side: kiosk registration, the uplink, and the
// managers' listing of what arrived.
type Hub struct {
	Store Store
	// AdminHash is the SHA-256 of the admin token (the token itself is shown
	// once and never stored).
	AdminHash []byte
	Log       *slog.Logger
	app       *fiber.App
}

// NewToken makes a random token (for kiosks and the admin).
func NewToken() (string, error) {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// RegisterKiosk creates a kiosk and returns its token, shown once.
func RegisterKiosk(st Store, id string) (string, error) {
	tok, err := NewToken()
	if err != nil {
		return "", err
	}
	if err := st.AddKiosk(id, TokenHash(tok)); err != nil {
		return "", err
	}
	return tok, nil
}

func jsonError(c *fiber.Ctx, status int, code, msg string) error {
	return c.Status(status).JSON(fiber.Map{"error": fiber.Map{"code": code, "message": msg}})
}

// App builds the hub's Fiber app.
func (h *Hub) App() *fiber.App {
	if h.app != nil {
		return h.app
	}
	if h.Log == nil {
		h.Log = slog.Default()
	}
	app := fiber.New(fiber.Config{DisableStartupMessage: true, BodyLimit: 1 << 20, Network: "tcp",
		ErrorHandler: func(c *fiber.Ctx, err error) error {
			var fe *fiber.Error
			if errors.As(err, &fe) {
				return jsonError(c, fe.Code, "bad_request", fe.Message)
			}
			h.Log.Error("hub request", "path", c.Path(), "err", err)
			return jsonError(c, 500, "internal", "internal error")
		}})
	app.Get("/healthz", func(c *fiber.Ctx) error { return c.JSON(fiber.Map{"status": "ok", "role": "hub"}) })
	api := app.Group("/api/v1")
	api.Get("/uplink", h.uplinkGate, websocket.New(h.uplink, websocket.Config{HandshakeTimeout: 10 * time.Second}))
	admin := api.Group("", h.admin)
	admin.Post("/kiosks", h.addKiosk)
	admin.Get("/kiosks", h.listKiosks)
	admin.Delete("/kiosks/:id", h.revokeKiosk)
	admin.Get("/sales", h.listSales)
	h.app = app
	return app
}

func bearerToken(c *fiber.Ctx) string {
	a := c.Get(fiber.HeaderAuthorization)
	if len(a) > 7 && strings.EqualFold(a[:7], "bearer ") {
		return strings.TrimSpace(a[7:])
	}
	return ""
}

func (h *Hub) admin(c *fiber.Ctx) error {
	tok := bearerToken(c)
	if tok == "" {
		return jsonError(c, fiber.StatusUnauthorized, "unauthorized", "send the admin token as Authorization: Bearer")
	}
	if len(h.AdminHash) == 0 || subtle.ConstantTimeCompare(TokenHash(tok), h.AdminHash) != 1 {
		return jsonError(c, fiber.StatusForbidden, "forbidden", "wrong admin token")
	}
	return c.Next()
}

func (h *Hub) addKiosk(c *fiber.Ctx) error {
	var body struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(c.Body(), &body); err != nil {
		return jsonError(c, fiber.StatusBadRequest, "bad_json", "malformed JSON: "+err.Error())
	}
	tok, err := RegisterKiosk(h.Store, strings.ToUpper(strings.TrimSpace(body.ID)))
	switch {
	case errors.Is(err, ErrBadKioskID):
		return jsonError(c, fiber.StatusUnprocessableEntity, "bad_kiosk_id", err.Error())
	case errors.Is(err, ErrKioskExists):
		return jsonError(c, fiber.StatusConflict, "kiosk_exists", err.Error())
	case err != nil:
		return err
	}
	h.Log.Info("kiosk registered", "kiosk", body.ID)
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"id": strings.ToUpper(strings.TrimSpace(body.ID)), "token": tok})
}

func (h *Hub) listKiosks(c *fiber.Ctx) error {
	ks, err := h.Store.Kiosks()
	if err != nil {
		return err
	}
	type view struct {
		ID          string    `json:"id"`
		Revoked     bool      `json:"revoked"`
		Acked       uint64    `json:"acked"`
		LastContact time.Time `json:"last_contact,omitzero"`
		Depth       int       `json:"unsynced"`
	}
	out := []view{}
	for _, k := range ks {
		out = append(out, view{k.ID, k.Revoked, k.Acked, k.LastContact, k.Depth})
	}
	return c.JSON(fiber.Map{"kiosks": out})
}

func (h *Hub) revokeKiosk(c *fiber.Ctx) error {
	if err := h.Store.RevokeKiosk(c.Params("id")); err != nil {
		if errors.Is(err, ErrUnknownKiosk) {
			return jsonError(c, fiber.StatusNotFound, "unknown_kiosk", err.Error())
		}
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (h *Hub) listSales(c *fiber.Ctx) error {
	sales, err := h.Store.Sales(c.Query("kiosk"))
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"sales": sales, "count": len(sales)})
}

// uplinkGate checks the kiosk's id and token before the websocket handshake.
func (h *Hub) uplinkGate(c *fiber.Ctx) error {
	if !websocket.IsWebSocketUpgrade(c) {
		return jsonError(c, fiber.StatusUpgradeRequired, "upgrade_required", "the uplink is a websocket")
	}
	id := c.Get("X-Kiosk-Id")
	k, err := h.Store.Kiosk(id)
	if err != nil {
		return jsonError(c, fiber.StatusUnauthorized, "unknown_kiosk", "kiosk "+id+" is not registered on this hub")
	}
	if err := checkToken(k, bearerToken(c)); err != nil {
		code := "bad_token"
		if errors.Is(err, ErrRevoked) {
			code = "revoked"
		}
		return jsonError(c, fiber.StatusForbidden, code, err.Error())
	}
	c.Locals("kiosk", id)
	return c.Next()
}

// uplink receives a kiosk's batches and heartbeats. Replies are written by this
// goroutine only (it is the reader too: one message in, at most one out).
func (h *Hub) uplink(conn *websocket.Conn) {
	id, _ := conn.Locals("kiosk").(string)
	conn.SetReadLimit(MaxMessage)
	send := func(m Message) bool {
		_ = conn.SetWriteDeadline(time.Now().Add(10 * time.Second))
		return conn.WriteJSON(m) == nil
	}
	k, err := h.Store.Kiosk(id)
	if err != nil {
		return
	}
	// Tell the kiosk where the hub stands, so it resumes from there.
	if !send(Message{Type: "ack", Seq: k.Acked}) {
		return
	}
	for {
		_ = conn.SetReadDeadline(time.Now().Add(2 * time.Minute))
		var m Message
		if err := conn.ReadJSON(&m); err != nil {
			if errors.Is(err, websocket.ErrReadLimit) {
				_ = conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseMessageTooBig, "batch too large"), time.Now().Add(time.Second))
			}
			return
		}
		switch m.Type {
		case "batch":
			if len(m.Records) > MaxBatch {
				if !send(Message{Type: "error", Code: "batch_too_large", Message: "at most 200 records a batch"}) {
					return
				}
				continue
			}
			acked, err := h.Store.Ingest(id, m.Records, time.Now())
			if err != nil {
				h.Log.Warn("batch refused", "kiosk", id, "err", err)
				if !send(Message{Type: "error", Code: "batch_refused", Message: err.Error()}) {
					return
				}
				continue
			}
			if !send(Message{Type: "ack", Seq: acked}) {
				return
			}
		case "heartbeat":
			_ = h.Store.Heartbeat(id, m.Depth, time.Now())
		default:
			if !send(Message{Type: "error", Code: "unknown_type", Message: "unknown message type " + m.Type}) {
				return
			}
		}
	}
}
