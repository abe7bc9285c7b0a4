package ups_test

import (
	"strings"
	"testing"

	"github.com/shipgate/shipgate"
	"github.com/shipgate/shipgate/carriers"
	"github.com/shipgate/shipgate/carriers/ups"
)

func TestNewRefusesBadConfiguration(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		name string
		mod  func(*carriers.AccountConfig)
		want string
	}{
		{"no client id", func(c *carriers.AccountConfig) { delete(c.Credentials, "client_id") }, "credentials.client_id"},
		{"no secret", func(c *carriers.AccountConfig) { c.Credentials["client_secret"] = shipgate.Secret{} }, "credentials.client_secret"},
		{"no account", func(c *carriers.AccountConfig) { delete(c.Credentials, "account_number") }, "credentials.account_number"},
		{"short account", func(c *carriers.AccountConfig) { c.Credentials["account_number"] = shipgate.NewSecret("12345") }, "account_number"},
		{"bad base url", func(c *carriers.AccountConfig) { c.BaseURL = "ftp://example.com" }, "base_url"},
		{"bad option", func(c *carriers.AccountConfig) { c.Options["negotiated_rates"] = "sometimes" }, "options.negotiated_rates"},
		{"bad transaction_src", func(c *carriers.AccountConfig) { c.Options["transaction_src"] = strings.Repeat("x", 600) }, "options.transaction_src"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := f.config()
			tt.mod(&cfg)
			_, err := ups.New(cfg, carriers.Env{})
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), `"ups-test"`) {
				t.Fatalf("New = %v, want an error naming the account and %s", err, tt.want)
			}
		})
	}
	cfg := f.config()
	cfg.BaseURL = ""
	if _, err := ups.New(cfg, carriers.Env{}); err != nil {
		t.Fatalf("without base_url (UPS's test environment): %v", err)
	}
}

func TestServices(t *testing.T) {
	c := newFixture(t).client(t)
	e := carriers.NewEntry(carriers.AccountConfig{ID: "ups-test", Carrier: "ups"}, c)
	if got := strings.Join(e.Capabilities(), ","); got != "rates,labels,void,tracking" {
		t.Errorf("capabilities %s", got)
	}
	s, ok := e.Service("ups_ground")
	if !ok || s.CarrierCode != "03" || s.Name != "UPS Ground" || !s.Domestic {
		t.Errorf("ups_ground = %+v, %v", s, ok)
	}
}
