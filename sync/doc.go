// Package sync ships a kiosk's sales to the central hub and holds the hub's side
// of it. On the kiosk, Uplink drains the store's outbox in order, in batches,
// over a websocket, and trims it when the hub acknowledges. On the hub, HubStore
// keeps every sale exactly once (by sale id), recomputes its totals from its
// lines and flags any mismatch, and acknowledges the highest contiguous outbox
// sequence it holds for each kiosk; Hub serves kiosk registration, the uplink
// and the managers' listing, and is master of the central catalog and of the
// promotions it runs on every kiosk, which go down the same uplink. The hub's
// store is an interface (Store) so that a
// PostgreSQL store can replace bbolt when a province outgrows one machine.
package sync
