package document

import (
	"bytes"
	"cmp"
	"image"
	_ "image/jpeg" // images embedded in carrier PDFs
	"io"
	"math"
	"slices"
	"sync"
	"time"

	"github.com/go-pdf/fpdf"
	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	_ "golang.org/x/image/tiff" // pdfcpu extracts some images as TIFF

	"github.com/shipgate/shipgate"
)

// ptPerDot converts printer dots (203 dpi) to PDF points (72 per inch).
const ptPerDot = 72.0 / DPI

// pdfFont is the core font of every PDF label: Helvetica, Windows-1252.
const pdfFont = "Helvetica"

// pdfMetrics measures text in Helvetica through the document being written.
type pdfMetrics struct{ pdf *fpdf.Fpdf }

func (m pdfMetrics) clean(s string) string { return latin1Clean(s) }

func (m pdfMetrics) width(s string, size int, bold bool) int {
	m.setFont(size, bold)
	return int(math.Ceil(m.pdf.GetStringWidth(toCP1252(s)) / ptPerDot))
}

func (m pdfMetrics) setFont(size int, bold bool) {
	style := ""
	if bold {
		style = "B"
	}
	m.pdf.SetFont(pdfFont, style, float64(size)*ptPerDot)
}

// newPDF returns an empty 4 x 6 inch document in points with no margins,
// dated t (the epoch when t is zero) so that its bytes are reproducible.
func newPDF(title string, t time.Time) *fpdf.Fpdf {
	pdf := fpdf.NewCustom(&fpdf.InitType{OrientationStr: "P", UnitStr: "pt", Size: fpdf.SizeType{Wd: WidthPt, Ht: HeightPt}})
	pdf.SetMargins(0, 0, 0)
	pdf.SetAutoPageBreak(false, 0)
	pdf.SetCatalogSort(true)
	if t.IsZero() {
		t = time.Unix(0, 0)
	}
	pdf.SetCreationDate(t.UTC())
	pdf.SetModificationDate(t.UTC())
	pdf.SetCreator("shipgate", false)
	pdf.SetTitle(title, true)
	pdf.AddPage()
	return pdf
}

// renderPDF renders d as a one-page 4 x 6 inch PDF.
func renderPDF(d LabelData) ([]byte, error) {
	pdf := newPDF("Shipping label "+sanitize(d.TrackingNumber), d.ShipDate)
	m := pdfMetrics{pdf}
	p, err := layout(d, m)
	if err != nil {
		return nil, err
	}
	pdf.SetFillColor(0, 0, 0)
	pdf.SetTextColor(0, 0, 0)
	for _, b := range p.boxes {
		pdf.Rect(float64(b.x)*ptPerDot, float64(b.y)*ptPerDot, float64(b.w)*ptPerDot, float64(b.h)*ptPerDot, "F")
	}
	for _, t := range p.texts {
		m.setFont(t.size, t.bold)
		pdf.Text(float64(t.x)*ptPerDot, float64(t.y+textAscent(t.size))*ptPerDot, toCP1252(t.s))
	}
	// The barcode is a 1-bit image with its quiet zones, one pixel per
	// printer dot, drawn at exactly its size at 203 dpi: no resampling on a
	// thermal printer, and it can be extracted and decoded as it is.
	bc := p.barcode
	img := barcodeImage(bc)
	var buf bytes.Buffer
	if err := pngEncoder.Encode(&buf, img); err != nil {
		return nil, &shipgate.Error{Code: shipgate.CodeInternal, Message: "document: cannot encode the barcode", Err: err}
	}
	opts := fpdfPNG
	pdf.RegisterImageOptionsReader("barcode", opts, &buf)
	w, h := img.Rect.Dx(), img.Rect.Dy()
	pdf.ImageOptions("barcode", float64(bc.x-bc.quietWidth())*ptPerDot, float64(bc.y)*ptPerDot,
		float64(w)*ptPerDot, float64(h)*ptPerDot, false, opts, 0, "")
	return outputPDF(pdf)
}

// outputPDF writes the document, reporting fpdf's first error.
func outputPDF(pdf *fpdf.Fpdf) ([]byte, error) {
	var out bytes.Buffer
	if err := pdf.Output(&out); err != nil {
		return nil, &shipgate.Error{Code: shipgate.CodeInternal, Message: "document: cannot write the PDF", Err: err}
	}
	return out.Bytes(), nil
}

// barcodeImage draws bc with its quiet zones as a black and white image.
func barcodeImage(bc barcodeOp) *image.Paletted {
	q := bc.quietWidth()
	img := image.NewPaletted(image.Rect(0, 0, len(bc.modules)*bc.module+2*q, bc.height), bw)
	for y := range bc.height {
		row := img.Pix[img.PixOffset(0, y):]
		for i, dark := range bc.modules {
			if dark {
				for x := q + i*bc.module; x < q+(i+1)*bc.module; x++ {
					row[x] = 1
				}
			}
		}
	}
	return img
}

// pdfcpuConfig returns a pdfcpu configuration that never touches the disk
// (pdfcpu otherwise writes a configuration directory under the user's home).
func pdfcpuConfig() *model.Configuration {
	disableConfigDir()
	return model.NewDefaultConfiguration()
}

var disableConfigDir = sync.OnceFunc(api.DisableConfigDir)

// MergePDF joins PDF documents, each of one or more pages, into one, pages in
// order. One document is returned unchanged.
//
// It returns a *shipgate.Error with CodeInvalidRequest when pdfs is empty,
// one of them is empty, or one cannot be read as a PDF.
func MergePDF(pdfs [][]byte) ([]byte, error) {
	if len(pdfs) == 0 {
		return nil, shipgate.Errorf(shipgate.CodeInvalidRequest, "document: no PDF to merge")
	}
	for i, p := range pdfs {
		if len(p) == 0 {
			return nil, shipgate.Errorf(shipgate.CodeInvalidRequest, "document: PDF %d of %d to merge is empty", i+1, len(pdfs))
		}
	}
	if len(pdfs) == 1 {
		return pdfs[0], nil
	}
	rs := make([]io.ReadSeeker, len(pdfs))
	for i, p := range pdfs {
		rs[i] = bytes.NewReader(p)
	}
	var out bytes.Buffer
	if err := api.MergeRaw(rs, &out, false, pdfcpuConfig()); err != nil {
		return nil, &shipgate.Error{Code: shipgate.CodeInvalidRequest, Message: "document: the PDFs cannot be merged", Err: err}
	}
	return out.Bytes(), nil
}

// ExtractImages returns the images embedded in a PDF, page by page and in
// object order within a page. Images in a format Go cannot decode (JPEG 2000)
// are skipped.
//
// It returns a *shipgate.Error with CodeInvalidRequest when pdf cannot be
// read as a PDF.
func ExtractImages(pdf []byte) ([]image.Image, error) {
	if len(pdf) == 0 {
		return nil, shipgate.Errorf(shipgate.CodeInvalidRequest, "document: the PDF is empty")
	}
	pages, err := api.ExtractImagesRaw(bytes.NewReader(pdf), nil, pdfcpuConfig())
	if err != nil {
		return nil, &shipgate.Error{Code: shipgate.CodeInvalidRequest, Message: "document: cannot read the images of the PDF", Err: err}
	}
	var out []image.Image
	for _, page := range pages {
		imgs := make([]model.Image, 0, len(page))
		for _, img := range page {
			imgs = append(imgs, img)
		}
		slices.SortFunc(imgs, func(a, b model.Image) int { return cmp.Compare(a.ObjNr, b.ObjNr) })
		for _, img := range imgs {
			if img.Reader == nil {
				continue
			}
			decoded, _, err := image.Decode(img)
			if err != nil {
				continue
			}
			out = append(out, decoded)
		}
	}
	return out, nil
}

// fpdfPNG registers an image as PNG.
var fpdfPNG = fpdf.ImageOptions{ImageType: "PNG"}

// PageSize is the size of a PDF page in points.
type PageSize struct{ Width, Height float64 }

// ValidatePDF checks pdf against the PDF specification (pdfcpu's default,
// relaxed validation, which tolerates the deviations common in the wild) and
// returns the size of each of its pages.
//
// It returns a *shipgate.Error with CodeInvalidRequest when pdf is not a
// valid PDF.
func ValidatePDF(pdf []byte) ([]PageSize, error) {
	return validatePDF(pdf, model.ValidationRelaxed)
}

// validatePDF is ValidatePDF in pdfcpu validation mode mode.
func validatePDF(pdf []byte, mode int) ([]PageSize, error) {
	if len(pdf) == 0 {
		return nil, shipgate.Errorf(shipgate.CodeInvalidRequest, "document: the PDF is empty")
	}
	conf := pdfcpuConfig()
	conf.ValidationMode = mode
	conf.Cmd = model.VALIDATE
	ctx, err := api.ReadAndValidate(bytes.NewReader(pdf), conf)
	if err != nil {
		return nil, &shipgate.Error{Code: shipgate.CodeInvalidRequest, Message: "document: not a valid PDF", Err: err}
	}
	dims, err := ctx.PageDims()
	if err != nil {
		return nil, &shipgate.Error{Code: shipgate.CodeInvalidRequest, Message: "document: the PDF's pages cannot be read", Err: err}
	}
	out := make([]PageSize, len(dims))
	for i, d := range dims {
		out[i] = PageSize{Width: d.Width, Height: d.Height}
	}
	return out, nil
}
