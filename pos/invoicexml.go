package pos

import "fmt"

// InvoiceXML writes the invoice as Decision 1271's HDon XML, UTF-8.
func InvoiceXML(inv Invoice) ([]byte, error) {
	return nil, fmt.Errorf("invoice xml: %w", errNotYet)
}
