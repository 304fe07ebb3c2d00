// Package printer owns printing: ESC/POS and TSPL encoding, the Vietnamese text
// strategy (TCVN-3 or CP1258 code pages, and a raster line only where no code page
// of the printer covers the text), printer profiles, the receipt, label and
// Z-report layouts, the transports (serial, TCP 9100, device file, virtual file
// printer), the durable print queue with status polling, and an ESC/POS emulator
// that tests and the virtual printer's previews use. Serial scales (scale*.go)
// live here too, because they share the serial transport: their protocols, the
// reader that never shows a stale weight, and a scale emulator.
//
// It knows nothing of HTTP or sync.
package printer
