//go:build !windows

package printer

func windowsCOMPorts() []SerialPort { return nil }
