package kiosk

import (
	"fmt"
	"sort"
	"strconv"

	"github.com/gofiber/fiber/v2"
)

// The low-stock list: the products with few units left, for the manager to
// order more before the fair's busy hours. One threshold serves the whole
// kiosk (a product with that many units or fewer is low), kept in the store
// so that every manager screen sees the same list; 5 until the manager sets
// another.
const (
	metaLowStock     = "low_stock_threshold"
	defaultLowStock  = 5
	maxLowStockLimit = 100_000
)

type lowStockItem struct {
	SKU      string `json:"sku"`
	Name     string `json:"name"`
	NameEN   string `json:"name_en,omitempty"`
	Unit     string `json:"unit,omitempty"`
	Producer string `json:"producer,omitempty"`
	Stock    int64  `json:"stock"`
}

func (s *Server) lowStockThreshold() (int64, error) {
	v, err := s.store.Meta(metaLowStock)
	if err != nil {
		return 0, fmt.Errorf("low-stock threshold: %w", err)
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil && n >= 0 {
		return n, nil
	}
	return defaultLowStock, nil
}

// lowStock answers GET /api/v1/stock/low: the products with the threshold's
// units or fewer, the fewest first (sold-out ones at the top), and the
// threshold. ?threshold=N looks with another one without keeping it.
func (s *Server) lowStock(c *fiber.Ctx) error {
	threshold, err := s.lowStockThreshold()
	if err != nil {
		return err
	}
	if c.Query("threshold") != "" {
		n, err := queryInt(c, "threshold", 0, 0, maxLowStockLimit)
		if err != nil {
			return err
		}
		threshold = int64(n)
	}
	limit, err := queryInt(c, "limit", 500, 1, maxLowStockLimit)
	if err != nil {
		return err
	}
	products := s.allProducts()
	skus := make([]string, len(products))
	for i, p := range products {
		skus[i] = p.SKU
	}
	stock, err := s.store.Stock(skus)
	if err != nil {
		return err
	}
	producers := *s.producers.Load()
	out := []lowStockItem{}
	for _, p := range products {
		if n := stock[p.SKU]; n <= threshold {
			out = append(out, lowStockItem{SKU: p.SKU, Name: p.Name, NameEN: p.NameEN, Unit: p.Unit,
				Producer: producers[p.ProducerID].Name, Stock: n})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Stock < out[j].Stock }) // by name within a count
	total := len(out)
	if len(out) > limit {
		out = out[:limit]
	}
	return c.JSON(fiber.Map{"threshold": threshold, "products": out, "total": total})
}

// setLowStock keeps the kiosk's threshold: PUT /api/v1/stock/low {"threshold":N}.
func (s *Server) setLowStock(c *fiber.Ctx) error {
	var body struct {
		Threshold *int64 `json:"threshold"`
	}
	if err := decodeJSON(c, &body); err != nil {
		return err
	}
	if body.Threshold == nil || *body.Threshold < 0 || *body.Threshold > maxLowStockLimit {
		return fieldError("threshold", fmt.Sprintf("threshold: a whole number of units from 0 to %d", maxLowStockLimit))
	}
	if err := s.store.SetMeta(metaLowStock, strconv.FormatInt(*body.Threshold, 10)); err != nil {
		return err
	}
	s.log.Info("low-stock threshold", "threshold", *body.Threshold, "by", who(c))
	return c.JSON(fiber.Map{"threshold": *body.Threshold})
}
