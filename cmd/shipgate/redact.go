package main

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/url"
	"strings"

	"github.com/shipgate/shipgate"
)

// secretString is a credential as the configuration file holds it. Like
// shipgate.Secret, it prints as a placeholder wherever it is printed: fmt
// verbs, slog, JSON, YAML.
type secretString string

func (s secretString) secret() shipgate.Secret { return shipgate.NewSecret(string(s)) }

// String returns a placeholder, never the value.
func (s secretString) String() string { return s.secret().String() }

// GoString returns a placeholder for %#v.
func (s secretString) GoString() string { return s.secret().GoString() }

// Format makes every fmt verb print the placeholder.
func (s secretString) Format(f fmt.State, verb rune) { s.secret().Format(f, verb) }

// LogValue makes slog print the placeholder.
func (s secretString) LogValue() slog.Value { return s.secret().LogValue() }

// MarshalJSON writes the placeholder.
func (s secretString) MarshalJSON() ([]byte, error) { return s.secret().MarshalJSON() }

// MarshalYAML writes the placeholder.
func (s secretString) MarshalYAML() (any, error) { return s.String(), nil }

// plainConfig is Config without its printing methods (no recursion).
type plainConfig Config

// redacted returns a copy of the configuration that is safe to print:
// credentials are placeholders (secretString) and URLs lose their passwords
// and credential-like query parameters.
func (c Config) redacted() plainConfig {
	c.RedisURL = redactedURL(c.RedisURL)
	c.DatabaseURL = redactedURL(c.DatabaseURL)
	accts := make([]AccountEntry, len(c.Accounts))
	for i, a := range c.Accounts {
		accts[i] = AccountEntry(a.redacted())
	}
	c.Accounts = accts
	return plainConfig(c)
}

// plainAccount is AccountEntry without its printing methods.
type plainAccount AccountEntry

// redacted returns a copy of the account safe to print.
func (a AccountEntry) redacted() plainAccount {
	a.BaseURL = redactedURL(a.BaseURL)
	return plainAccount(a)
}

// Format prints the account with its secrets redacted, whatever the verb.
func (a AccountEntry) Format(f fmt.State, verb rune) {
	fmt.Fprintf(f, fmt.FormatString(f, verb), a.redacted())
}

// LogValue makes slog log the account with its secrets redacted.
func (a AccountEntry) LogValue() slog.Value { return slog.AnyValue(a.redacted()) }

// MarshalJSON writes the account with its secrets redacted.
func (a AccountEntry) MarshalJSON() ([]byte, error) { return json.Marshal(a.redacted()) }

// Format prints the configuration with its secrets redacted, whatever the verb.
func (c Config) Format(f fmt.State, verb rune) {
	fmt.Fprintf(f, fmt.FormatString(f, verb), c.redacted())
}

// LogValue makes slog log the configuration with its secrets redacted.
func (c Config) LogValue() slog.Value { return slog.AnyValue(c.redacted()) }

// MarshalJSON writes the configuration with its secrets redacted.
func (c Config) MarshalJSON() ([]byte, error) { return json.Marshal(c.redacted()) }

// redactedURL hides a URL's password and the values of query parameters
// that may hold a credential (password, token, secret, key).
func redactedURL(s string) string {
	if s == "" {
		return ""
	}
	u, err := url.Parse(s)
	if err != nil {
		return "(unparseable URL)"
	}
	if q := u.Query(); len(q) > 0 {
		for k := range q {
			lk := strings.ToLower(k)
			for _, w := range []string{"pass", "token", "secret", "key", "auth"} {
				if strings.Contains(lk, w) {
					q.Set(k, "xxxxx")
				}
			}
		}
		u.RawQuery = q.Encode()
	}
	return u.Redacted()
}
