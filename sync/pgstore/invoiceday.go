package pgstore

import (
	"fmt"
	"time"

	hubsync "github.com/ocop-kiosk/kiosk/sync"
)

// InvoicesIssuedBetween calls fn with the invoices issued in [from, to), in
// issue order, read through the index on their issue time (query
// inv-issued-between), so that a day's delivery report reads that day only.
// The rows are read as fn takes them: fn must not wait on the store.
func (s *PGStore) InvoicesIssuedBetween(from, to time.Time, fn func(hubsync.HubInvoice) error) error {
	if !from.Before(to) {
		return nil
	}
	ctx, cancel := op()
	defer cancel()
	rows, err := s.pool.Query(ctx, iq("inv-issued-between"), from, to)
	if err != nil {
		return fmt.Errorf("invoices issued %s to %s: %w", from.Format(time.RFC3339), to.Format(time.RFC3339), err)
	}
	defer rows.Close()
	for rows.Next() {
		hi, err := scanHubInvoice(rows)
		if err != nil {
			return fmt.Errorf("invoices issued %s to %s: %w", from.Format(time.RFC3339), to.Format(time.RFC3339), err)
		}
		if err := fn(hi); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("invoices issued %s to %s: %w", from.Format(time.RFC3339), to.Format(time.RFC3339), err)
	}
	return nil
}
