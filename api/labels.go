package api

import (
	"context"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/shipgate/shipgate"
	"github.com/shipgate/shipgate/labels"
)

// LabelService buys and keeps labels (labels.Service).
type LabelService interface {
	Purchase(ctx context.Context, in *labels.PurchaseInput) (*labels.PurchaseResult, error)
	Get(ctx context.Context, id string) (*shipgate.Label, error)
	List(ctx context.Context, f labels.Filter) ([]*shipgate.Label, string, error)
	Document(ctx context.Context, id string, f shipgate.LabelFormat, parcel int) (*shipgate.Document, error)
	Void(ctx context.Context, id string) (*shipgate.Label, error)
	Resolve(ctx context.Context, id, outcome string) (*shipgate.Label, error)
}

// labelRequest is the body of POST /v1/labels: a rate id, or a shipment with
// an account (or a carrier) and a service.
type labelRequest struct {
	RateID      string             `json:"rate_id,omitempty" validate:"omitempty,max=64"`
	Shipment    *shipgate.Shipment `json:"shipment,omitempty"`
	Account     string             `json:"account,omitempty" validate:"max=64"`
	Carrier     string             `json:"carrier,omitempty" validate:"max=64"`
	Service     string             `json:"service,omitempty" validate:"max=64"`
	LabelFormat string             `json:"label_format,omitempty" validate:"omitempty,oneof=pdf zpl png"`
	IsReturn    bool               `json:"is_return,omitempty"`
	Reference   string             `json:"reference,omitempty" validate:"max=100"`
}

// HeaderIdempotencyKey names the header that makes a purchase happen once.
const HeaderIdempotencyKey = "Idempotency-Key"

func (s *Server) postLabel(c echo.Context) error {
	key := c.Request().Header.Get(HeaderIdempotencyKey)
	if key == "" {
		return shipgate.FieldErrorf(HeaderIdempotencyKey, "the Idempotency-Key header is required to buy a label: send a unique value per purchase (an order id, a UUID) and the same value when retrying it")
	}
	if len(key) > 255 || !saneID(key) {
		return shipgate.FieldErrorf(HeaderIdempotencyKey, "must be 1 to 255 printable characters without spaces")
	}
	var req labelRequest
	if err := s.decode(c, &req); err != nil {
		return err
	}
	res, err := s.deps.Labels.Purchase(c.Request().Context(), &labels.PurchaseInput{
		Scope: Principal(c.Request().Context()), IdempotencyKey: key,
		RateID: req.RateID, Shipment: req.Shipment, Account: req.Account, Carrier: req.Carrier, Service: req.Service,
		Format: shipgate.LabelFormat(req.LabelFormat), IsReturn: req.IsReturn, Reference: req.Reference,
	})
	if err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set(echo.HeaderLocation, "/v1/labels/"+res.Label.ID)
	if res.Replayed {
		h.Set("Idempotent-Replayed", "true")
	}
	return c.JSON(http.StatusCreated, res.Label)
}

func (s *Server) getLabel(c echo.Context) error {
	l, err := s.deps.Labels.Get(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, l)
}

type labelList struct {
	Labels     []*shipgate.Label `json:"labels"`
	NextCursor string            `json:"next_cursor,omitempty"`
}

func (s *Server) listLabels(c echo.Context) error {
	q := c.QueryParams()
	f := labels.Filter{Reference: q.Get("reference"), TrackingNumber: q.Get("tracking_number"), Cursor: q.Get("cursor"), Limit: 50}
	if st := q.Get("status"); st != "" {
		switch shipgate.LabelStatus(st) {
		case shipgate.LabelPending, shipgate.LabelPurchased, shipgate.LabelInDoubt, shipgate.LabelFailed, shipgate.LabelVoided:
			f.Status = shipgate.LabelStatus(st)
		default:
			return shipgate.FieldErrorf("status", "must be pending, purchased, in_doubt, failed or voided")
		}
	}
	if l := q.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > 200 {
			return shipgate.FieldErrorf("limit", "must be a number from 1 to 200")
		}
		f.Limit = n
	}
	ls, next, err := s.deps.Labels.List(c.Request().Context(), f)
	if err != nil {
		return err
	}
	if ls == nil {
		ls = []*shipgate.Label{}
	}
	return c.JSON(http.StatusOK, labelList{Labels: ls, NextCursor: next})
}

func (s *Server) getLabelDocument(c echo.Context) error {
	f := shipgate.LabelFormat(c.QueryParam("format"))
	if f == "" {
		f = shipgate.FormatPDF
	}
	if !f.Requestable() {
		return shipgate.FieldErrorf("format", "must be pdf, zpl or png")
	}
	parcel := -1
	if p := c.QueryParam("parcel"); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 {
			return shipgate.FieldErrorf("parcel", "must be a parcel number from 0")
		}
		parcel = n
	}
	id := c.Param("id")
	d, err := s.deps.Labels.Document(c.Request().Context(), id, f, parcel)
	if err != nil {
		return err
	}
	name := id
	if parcel >= 0 {
		name += "-" + strconv.Itoa(parcel)
	}
	c.Response().Header().Set("Content-Disposition", `inline; filename="`+name+"."+string(f)+`"`)
	return c.Blob(http.StatusOK, f.ContentType(), d.Data)
}

func (s *Server) voidLabel(c echo.Context) error {
	l, err := s.deps.Labels.Void(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, l)
}

type resolveRequest struct {
	Outcome string `json:"outcome" validate:"required,oneof=check not_purchased"`
}

func (s *Server) resolveLabel(c echo.Context) error {
	var req resolveRequest
	if err := s.decode(c, &req); err != nil {
		return err
	}
	l, err := s.deps.Labels.Resolve(c.Request().Context(), c.Param("id"), req.Outcome)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, l)
}
