package api

import (
	"context"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/shipgate/shipgate"
	"github.com/shipgate/shipgate/tracking"
	"github.com/shipgate/shipgate/webhooks"
)

// TrackingService tracks parcels and keeps trackers (tracking.Service).
type TrackingService interface {
	Track(ctx context.Context, carrier, number string) (*shipgate.Tracking, error)
	TrackBatch(ctx context.Context, items []tracking.Item) []tracking.Result
	CreateTracker(ctx context.Context, carrier, number string) (*tracking.Tracker, bool, error)
	GetTracker(ctx context.Context, id string) (*tracking.Tracker, error)
	ListTrackers(ctx context.Context, cursor string, limit int) ([]*tracking.Tracker, string, error)
	DeleteTracker(ctx context.Context, id string) error
}

// WebhookService registers webhooks (webhooks.Service).
type WebhookService interface {
	Create(ctx context.Context, url string, events []string) (*webhooks.Webhook, error)
	Get(ctx context.Context, id string) (*webhooks.Webhook, error)
	List(ctx context.Context) ([]*webhooks.Webhook, error)
	Delete(ctx context.Context, id string) error
	Deliveries(ctx context.Context, id, cursor string, limit int) ([]*webhooks.Delivery, string, error)
}

func (s *Server) getTracking(c echo.Context) error {
	t, err := s.deps.Tracking.Track(c.Request().Context(), c.Param("carrier"), c.Param("number"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, t)
}

type trackingItem struct {
	Carrier        string `json:"carrier" validate:"required,max=64"`
	TrackingNumber string `json:"tracking_number" validate:"required,max=64"`
}

type batchRequest struct {
	Items []trackingItem `json:"items" validate:"required,min=1,max=100,dive"`
}

// batchError is a failed item's answer in POST /v1/tracking.
type batchError struct {
	Carrier        string              `json:"carrier"`
	TrackingNumber string              `json:"tracking_number"`
	Error          *shipgate.ErrorBody `json:"error"`
}

func (s *Server) postTracking(c echo.Context) error {
	var req batchRequest
	if err := s.decode(c, &req); err != nil {
		return err
	}
	items := make([]tracking.Item, len(req.Items))
	for i, it := range req.Items {
		items[i] = tracking.Item{Carrier: it.Carrier, TrackingNumber: it.TrackingNumber}
	}
	rs := s.deps.Tracking.TrackBatch(c.Request().Context(), items)
	out := make([]any, len(rs))
	for i, r := range rs {
		if r.Err != nil {
			out[i] = batchError{Carrier: r.Item.Carrier, TrackingNumber: r.Item.TrackingNumber, Error: shipgate.Body(r.Err)}
			continue
		}
		out[i] = r.Tracking
	}
	return c.JSON(http.StatusOK, map[string]any{"results": out})
}

type trackerRequest struct {
	Carrier        string `json:"carrier" validate:"required,max=64"`
	TrackingNumber string `json:"tracking_number" validate:"required,max=64"`
}

func (s *Server) postTracker(c echo.Context) error {
	var req trackerRequest
	if err := s.decode(c, &req); err != nil {
		return err
	}
	t, created, err := s.deps.Tracking.CreateTracker(c.Request().Context(), req.Carrier, req.TrackingNumber)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, "/v1/trackers/"+t.ID)
	if created {
		return c.JSON(http.StatusCreated, t)
	}
	return c.JSON(http.StatusOK, t)
}

func (s *Server) getTracker(c echo.Context) error {
	t, err := s.deps.Tracking.GetTracker(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, t)
}

// pageParams reads cursor and limit (1..200, default 50).
func pageParams(c echo.Context) (string, int, error) {
	limit := 50
	if l := c.QueryParam("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > 200 {
			return "", 0, shipgate.FieldErrorf("limit", "must be a number from 1 to 200")
		}
		limit = n
	}
	return c.QueryParam("cursor"), limit, nil
}

type trackerList struct {
	Trackers   []*tracking.Tracker `json:"trackers"`
	NextCursor string              `json:"next_cursor,omitempty"`
}

type deliveryList struct {
	Deliveries []*webhooks.Delivery `json:"deliveries"`
	NextCursor string               `json:"next_cursor,omitempty"`
}

func (s *Server) listTrackers(c echo.Context) error {
	cursor, limit, err := pageParams(c)
	if err != nil {
		return err
	}
	ts, next, err := s.deps.Tracking.ListTrackers(c.Request().Context(), cursor, limit)
	if err != nil {
		return err
	}
	if ts == nil {
		ts = []*tracking.Tracker{}
	}
	return c.JSON(http.StatusOK, trackerList{Trackers: ts, NextCursor: next})
}

func (s *Server) deleteTracker(c echo.Context) error {
	if err := s.deps.Tracking.DeleteTracker(c.Request().Context(), c.Param("id")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

type webhookRequest struct {
	URL    string   `json:"url" validate:"required,max=2048"`
	Events []string `json:"events" validate:"required,min=1,max=10,dive,required"`
}

func (s *Server) postWebhook(c echo.Context) error {
	var req webhookRequest
	if err := s.decode(c, &req); err != nil {
		return err
	}
	w, err := s.deps.Webhooks.Create(c.Request().Context(), req.URL, req.Events)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, "/v1/webhooks/"+w.ID)
	return c.JSON(http.StatusCreated, w)
}

func (s *Server) getWebhook(c echo.Context) error {
	w, err := s.deps.Webhooks.Get(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, w)
}

func (s *Server) listWebhooks(c echo.Context) error {
	ws, err := s.deps.Webhooks.List(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"webhooks": ws})
}

func (s *Server) deleteWebhook(c echo.Context) error {
	if err := s.deps.Webhooks.Delete(c.Request().Context(), c.Param("id")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) listDeliveries(c echo.Context) error {
	cursor, limit, err := pageParams(c)
	if err != nil {
		return err
	}
	ds, next, err := s.deps.Webhooks.Deliveries(c.Request().Context(), c.Param("id"), cursor, limit)
	if err != nil {
		return err
	}
	if ds == nil {
		ds = []*webhooks.Delivery{}
	}
	return c.JSON(http.StatusOK, deliveryList{Deliveries: ds, NextCursor: next})
}
