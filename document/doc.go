// Package document renders and converts 4x6-inch shipping label documents.
//
// Render draws a label from LabelData in one of four formats, all laid out
// for a 203 dpi thermal printer (812 x 1218 dots):
//
//   - pdf: one 288 x 432 pt page, text in a PDF core font (Helvetica,
//     Windows-1252; other characters are transliterated or replaced by '?'),
//     the barcode as an embedded 1-bit PNG drawn at one image pixel per
//     printer dot;
//   - zpl: native ZPL II commands (^XA ... ^XZ) with ^CI28 (UTF-8) text and
//     a ^BC Code 128 barcode; user text is escaped with ^FH so it can never
//     inject commands;
//   - png: an 812 x 1218 black and white image, text drawn with the Go fonts;
//   - gif: the same image as png.
//
// Convert turns what a carrier returned into what a caller asked for, where
// that is possible without a page renderer: png and gif to zpl (a ^GF graphic
// field), png and gif to pdf, gif to png and png to gif. Conversions out of
// pdf or zpl are refused with shipgate.CodeUnsupported.
//
// MergePDF joins several PDF documents (multi-parcel shipments) into one, and
// ExtractImages returns the images embedded in a PDF (tests use it to decode
// the barcode back).
//
// This package is the only one importing the PDF, barcode and font modules
// (go-pdf/fpdf, pdfcpu, boombuler/barcode, golang.org/x/image).
package document
