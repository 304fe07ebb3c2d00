// Package pos owns the words of the trade for an OCOP sales kiosk: producers,
// products with their OCOP fields, lots, money in đồng, VAT-inclusive cart
// pricing, sales with split payments, voids and refunds, cashiers, shifts and
// Z-reports, stock, GS1 identifiers, Vietnamese text folding for search, the
// in-memory catalog index and the bbolt store that makes every sale durable
// together with its stock changes, outbox record and print job.
//
// It knows nothing of HTTP, printers or websockets.
package pos
