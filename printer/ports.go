package printer

import (
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
)

// SerialPort is a serial device found on the machine.
type SerialPort struct {
	Path   string `json:"path"`
	Driver string `json:"driver,omitempty"` // e.g. ch341, pl2303, cdc_acm
}

// SerialPorts lists the serial ports a printer may be on: USB-serial adapters
// and built-in ports on Linux (from /sys/class/tty, keeping ports backed by a
// device), COM1…COM32 that open on Windows.
func SerialPorts() []SerialPort {
	if runtime.GOOS == "windows" {
		return windowsCOMPorts()
	}
	var out []SerialPort
	entries, _ := os.ReadDir("/sys/class/tty")
	for _, e := range entries {
		name := e.Name()
		dev := filepath.Join("/sys/class/tty", name, "device")
		if _, err := os.Stat(dev); err != nil {
			continue // virtual terminals and ptys have no device
		}
		driver := ""
		if link, err := os.Readlink(filepath.Join(dev, "driver")); err == nil {
			driver = filepath.Base(link)
		}
		// Legacy 8250 ports exist as nodes even with no UART behind them; keep
		// them only when a real driver claims them.
		if strings.HasPrefix(name, "ttyS") && driver == "serial8250" {
			continue
		}
		out = append(out, SerialPort{Path: "/dev/" + name, Driver: driver})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}
