package pos

// PromotionBody is what the promotions APIs of kiosk and hub take (POST and
// PUT /api/v1/promotions): the fields a manager sets, and for PUT and DELETE
// optionally the version the manager read, so that an edit made meanwhile
// elsewhere is not overwritten. What the store keeps of its own (Updated,
// Deleted, Origin) cannot be sent.
type PromotionBody struct {
	ID          string  `json:"id"`
	Name        string  `json:"name"`
	NameEN      string  `json:"name_en"`
	Kind        string  `json:"kind"`
	Scope       string  `json:"scope"`
	Target      string  `json:"target"`
	Percent     Percent `json:"percent"`
	Amount      Money   `json:"amount"`
	Buy         int64   `json:"buy"`
	Get         int64   `json:"get"`
	BundleQty   int64   `json:"bundle_qty"`
	BundlePrice Money   `json:"bundle_price"`
	From        Date    `json:"from"`
	To          Date    `json:"to"`
	Hours       string  `json:"hours"`
	Bearer      string  `json:"bearer"`
	Version     uint64  `json:"version"`
}

// Promotion is the promotion the body describes.
func (b PromotionBody) Promotion() Promotion {
	return Promotion{ID: b.ID, Name: b.Name, NameEN: b.NameEN, Kind: b.Kind, Scope: b.Scope, Target: b.Target,
		Percent: b.Percent, Amount: b.Amount, Buy: b.Buy, Get: b.Get, BundleQty: b.BundleQty, BundlePrice: b.BundlePrice,
		From: b.From, To: b.To, Hours: b.Hours, Bearer: b.Bearer}
}
