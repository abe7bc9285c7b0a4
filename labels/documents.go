package labels

import (
	"bytes"
	"fmt"

	"github.com/shipgate/shipgate"
	"github.com/shipgate/shipgate/document"
)

// Label stock: every document shipgate hands out is a 4x6 inch label.
const stockSize = "4x6"

// sourcePreference orders the formats a conversion starts from: images
// convert to every format; PDF and ZPL convert to nothing.
var sourcePreference = []shipgate.LabelFormat{shipgate.FormatPNG, shipgate.FormatGIF, shipgate.FormatPDF, shipgate.FormatZPL}

// parcelDocument returns parcel i's label in format f, converting from what
// is stored when needed.
func parcelDocument(docs []StoredDocument, i int, f shipgate.LabelFormat) ([]byte, error) {
	for _, d := range docs {
		if d.Parcel == i && d.Format == f {
			return d.Data, nil
		}
	}
	var have []string
	var lastErr error
	for _, src := range sourcePreference {
		for _, d := range docs {
			if d.Parcel != i || d.Format != src {
				continue
			}
			have = append(have, string(src))
			out, err := document.Convert(shipgate.Document{Format: d.Format, Size: stockSize, Data: d.Data}, f)
			if err == nil {
				return out.Data, nil
			}
			lastErr = err
		}
	}
	if len(have) == 0 {
		return nil, shipgate.Errorf(shipgate.CodeNotFound, "no document is stored for parcel %d", i)
	}
	e := shipgate.Errorf(shipgate.CodeUnsupported, "the carrier returned this label as %v, which cannot be turned into %s", have, f)
	e.Err = lastErr
	return nil, e
}

// assemble returns the document in format f of one parcel (0-based) or, for
// parcel -1, of the whole shipment: PDF pages merged into one file, ZPL
// label formats one after the other, PNG the first parcel's image.
func assemble(docs []StoredDocument, f shipgate.LabelFormat, parcels, parcel int) (*shipgate.Document, error) {
	if parcel >= 0 || parcels <= 1 || f == shipgate.FormatPNG {
		i := max(parcel, 0)
		b, err := parcelDocument(docs, i, f)
		if err != nil {
			return nil, err
		}
		return &shipgate.Document{Format: f, Size: stockSize, Data: b}, nil
	}
	parts := make([][]byte, parcels)
	for i := range parts {
		b, err := parcelDocument(docs, i, f)
		if err != nil {
			return nil, err
		}
		parts[i] = b
	}
	switch f {
	case shipgate.FormatPDF:
		b, err := document.MergePDF(parts)
		if err != nil {
			return nil, &shipgate.Error{Code: shipgate.CodeInternal, Message: "could not merge the parcels' PDF labels", Err: err}
		}
		return &shipgate.Document{Format: f, Size: stockSize, Data: b}, nil
	case shipgate.FormatZPL:
		var buf bytes.Buffer
		for _, p := range parts {
			buf.Write(bytes.TrimSpace(p))
			buf.WriteByte('\n')
		}
		return &shipgate.Document{Format: f, Size: stockSize, Data: buf.Bytes()}, nil
	}
	return nil, fmt.Errorf("assemble: format %s", f)
}

// converted returns the documents in format f that docs lacks for the
// parcels wanted (one parcel, or all for -1), converted from what is there.
// Keeping them makes the next read of that format a read, not a conversion.
func converted(docs []StoredDocument, f shipgate.LabelFormat, parcels, parcel int) ([]StoredDocument, error) {
	var out []StoredDocument
	for i := 0; i < parcels; i++ {
		if (parcel != -1 && parcel != i) || hasDoc(docs, i, f) {
			continue
		}
		b, err := parcelDocument(docs, i, f)
		if err != nil {
			return nil, err
		}
		out = append(out, StoredDocument{Parcel: i, Format: f, Data: b})
	}
	return out, nil
}

func hasDoc(docs []StoredDocument, parcel int, f shipgate.LabelFormat) bool {
	for _, d := range docs {
		if d.Parcel == parcel && d.Format == f {
			return true
		}
	}
	return false
}
