package carrierhttp

import (
	"regexp"
	"sort"
	"strings"
	"sync"
)

// Redactor removes known secret values and anything shaped like a token or an
// authorization header from text before it is logged or put into an error.
type Redactor struct {
	secrets []string

	mu         sync.Mutex
	remembered []string
}

// maxRemembered bounds how many values Remember keeps (the latest win).
const maxRemembered = 8

// NewRedactor returns a Redactor for the given secret values (empty ones are ignored).
func NewRedactor(secrets ...string) *Redactor {
	r := &Redactor{}
	for _, s := range secrets {
		if len(s) >= 4 {
			r.secrets = append(r.secrets, s)
		}
	}
	return r
}

// Add registers more secret values (a freshly fetched token).
func (r *Redactor) Add(secrets ...string) *Redactor {
	n := NewRedactor(append(append([]string(nil), r.secrets...), secrets...)...)
	return n
}

// Remember adds a secret learnt at run time (a freshly fetched access token)
// to r in place; it is safe to call while other goroutines redact. Only the
// latest few remembered values are kept.
func (r *Redactor) Remember(secret string) {
	if r == nil || len(secret) < 4 {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.remembered = append(r.remembered, secret)
	if n := len(r.remembered); n > maxRemembered {
		r.remembered = append([]string(nil), r.remembered[n-maxRemembered:]...)
	}
}

// Redact returns s with every secret and token replaced by [REDACTED].
func (r *Redactor) Redact(s string) string {
	if r != nil {
		r.mu.Lock()
		all := append(append([]string(nil), r.secrets...), r.remembered...)
		r.mu.Unlock()
		// Longer values first, so that a secret that begins with another is
		// not left half-shown.
		sort.Slice(all, func(i, j int) bool { return len(all[i]) > len(all[j]) })
		for _, v := range all {
			s = strings.ReplaceAll(s, v, "[REDACTED]")
		}
	}
	return RedactTokens(s)
}

var tokenPatterns = []*regexp.Regexp{
	regexp.MustCompile(`(?i)(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}`),
	regexp.MustCompile(`(?i)("?(?:access_token|refresh_token|id_token|client_secret|password|secret|authorization|api_key|apikey)"?\s*[:=]\s*"?)[^"&,\s}]+`),
}

// RedactTokens replaces bearer/basic credentials and token-like JSON or form
// fields (access_token, client_secret, password...) in s by [REDACTED].
func RedactTokens(s string) string {
	s = tokenPatterns[0].ReplaceAllString(s, "$1 [REDACTED]")
	s = tokenPatterns[1].ReplaceAllString(s, "${1}[REDACTED]")
	return s
}
