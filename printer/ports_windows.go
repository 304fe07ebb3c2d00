package printer

import (
	"fmt"

	"github.com/tarm/serial"
)

func windowsCOMPorts() []SerialPort {
	var out []SerialPort
	for i := 1; i <= 32; i++ {
		name := fmt.Sprintf("COM%d", i)
		p, err := serial.OpenPort(&serial.Config{Name: name, Baud: 9600})
		if err != nil {
			continue
		}
		p.Close()
		out = append(out, SerialPort{Path: name})
	}
	return out
}
