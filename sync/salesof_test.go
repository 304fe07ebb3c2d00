package sync

// salesOf pages through everything the hub holds from a kiosk (every kiosk
// when id is empty), as a client of the listing would: for tests only, whose
// stores are small.
func salesOf(st Store, kioskID string) ([]HubSale, error) {
	out := []HubSale{}
	var after SalesCursor
	for {
		page, more, err := st.SalesPage(kioskID, after, 100)
		if err != nil {
			return out, err
		}
		out = append(out, page...)
		if !more {
			return out, nil
		}
		after = CursorOf(page[len(page)-1])
	}
}
