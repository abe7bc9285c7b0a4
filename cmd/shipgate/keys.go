package main

import (
	"bufio"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"regexp"
	"strings"

	"github.com/shipgate/shipgate/api"
)

// APIKeyEntry is one API key in the configuration file: its name, the
// SHA-256 of the key (never the key itself), its scopes and rate limit.
//
//	api_keys:
//	  - { name: checkout, sha256: "<64 hex digits>", scopes: [rates], rate_limit: { per_second: 20, burst: 40 } }
type APIKeyEntry struct {
	Name      string   `yaml:"name"`
	SHA256    string   `yaml:"sha256"`
	Scopes    []string `yaml:"scopes"`
	RateLimit struct {
		PerSecond float64 `yaml:"per_second"`
		Burst     int     `yaml:"burst"`
	} `yaml:"rate_limit"`
}

// keyPrefix starts every key that `shipgate keys new` makes, so that a
// leaked key is recognisable (secret scanners, logs).
const keyPrefix = "sg_live_"

var (
	keyName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$`)
	hexHash = regexp.MustCompile(`^[0-9a-fA-F]{64}$`)
)

// validateKeys checks the api_keys section; errors name the field.
func (c *Config) validateKeys() []error {
	var errs []error
	bad := fieldErrors(&errs)
	names, hashes := map[string]bool{}, map[string]bool{}
	for i, k := range c.APIKeys {
		f := fmt.Sprintf("api_keys[%d]", i)
		switch {
		case k.Name == "":
			bad(f+".name", "is required")
		case !keyName.MatchString(k.Name):
			bad(f+".name", "%q must be letters, digits, '.', '-' or '_' (at most 64)", k.Name)
		case names[k.Name]:
			bad(f+".name", "%q is used by another key", k.Name)
		}
		names[k.Name] = true
		switch {
		case strings.HasPrefix(k.SHA256, keyPrefix):
			bad(f+".sha256", "this is the key itself: put its SHA-256 here (`shipgate keys hash` prints it), and the key only in the client")
		case !hexHash.MatchString(k.SHA256):
			bad(f+".sha256", "want the key's SHA-256 as 64 hex digits (`shipgate keys new` prints it)")
		case hashes[strings.ToLower(k.SHA256)]:
			bad(f+".sha256", "the same key is configured twice")
		}
		hashes[strings.ToLower(k.SHA256)] = true
		if len(k.Scopes) == 0 {
			bad(f+".scopes", "at least one of rates, labels, tracking, admin is required")
		}
		for j, s := range k.Scopes {
			if _, err := api.ParseScope(s); err != nil {
				bad(fmt.Sprintf("%s.scopes[%d]", f, j), "%v", err)
			}
		}
		if k.RateLimit.PerSecond < 0 || k.RateLimit.Burst < 0 {
			bad(f+".rate_limit", "per_second and burst must not be negative")
		}
	}
	return errs
}

// apiKeys converts the validated api_keys section for the API.
func (c *Config) apiKeys() []api.Key {
	out := make([]api.Key, 0, len(c.APIKeys))
	for _, k := range c.APIKeys {
		key := api.Key{Name: k.Name, PerSecond: k.RateLimit.PerSecond, Burst: k.RateLimit.Burst}
		_, _ = hex.Decode(key.SHA256[:], []byte(strings.ToLower(k.SHA256)))
		for _, s := range k.Scopes {
			key.Scopes = append(key.Scopes, api.Scope(s))
		}
		out = append(out, key)
	}
	return out
}

// errNoKeysExposed explains why serve refuses to start.
var errNoKeysExposed = errors.New("no api_keys are configured, so authentication is off, which is allowed only on a loopback address")

// checkExposure refuses to serve without authentication anywhere but on a
// loopback address (127.0.0.0/8, ::1, localhost).
func checkExposure(c *Config) error {
	if len(c.APIKeys) > 0 {
		return nil
	}
	host, _, err := net.SplitHostPort(c.Addr)
	if err != nil {
		return err
	}
	if strings.EqualFold(host, "localhost") {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf(`refusing to listen on %s: %w.
Create a key and add the line it prints under api_keys in the configuration:

    shipgate keys new --name NAME --scopes rates,labels,tracking,admin

or listen on 127.0.0.1 (addr, or SHIPGATE_ADDR)`, c.Addr, errNoKeysExposed)
}

const keysUsage = `Usage:
  shipgate keys new --name NAME --scopes rates,labels,tracking,admin [--per-second N --burst N]
      prints a new API key once, and the line to add under api_keys (its SHA-256, never the key)
  shipgate keys hash < KEYFILE
      prints the SHA-256 of a key read from standard input
`

// cmdKeys runs `shipgate keys new|hash`.
func cmdKeys(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, keysUsage)
		return 2
	}
	switch args[0] {
	case "new":
		return keysNew(args[1:], stdout, stderr)
	case "hash":
		line, err := bufio.NewReader(stdin).ReadString('\n')
		key := strings.TrimSpace(line)
		if (err != nil && !errors.Is(err, io.EOF)) || key == "" {
			fmt.Fprintln(stderr, "shipgate keys hash: write the key on standard input")
			return 1
		}
		fmt.Fprintln(stdout, hashKey(key))
		return 0
	case "help", "-h", "--help":
		fmt.Fprint(stdout, keysUsage)
		return 0
	}
	fmt.Fprintf(stderr, "shipgate keys: unknown command %q\n\n%s", args[0], keysUsage)
	return 2
}

func keysNew(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("keys new", flag.ContinueOnError)
	fs.SetOutput(stderr)
	name := fs.String("name", "", "the key's name: who uses it (checkout, wms); shown in logs")
	scopes := fs.String("scopes", "", "comma-separated: rates, labels, tracking, admin (admin implies the others)")
	perSecond := fs.Float64("per-second", 0, "rate limit in requests per second (0: the default, 50)")
	burst := fs.Int("burst", 0, "burst size of the rate limit (0: twice the rate; 100 by default)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	e := APIKeyEntry{Name: *name}
	for _, s := range strings.Split(*scopes, ",") {
		if s = strings.TrimSpace(s); s != "" {
			e.Scopes = append(e.Scopes, s)
		}
	}
	e.RateLimit.PerSecond, e.RateLimit.Burst = *perSecond, *burst
	key, err := newKey()
	if err != nil {
		fmt.Fprintf(stderr, "shipgate keys new: %v\n", err)
		return 1
	}
	e.SHA256 = hashKey(key)
	cfg := Config{APIKeys: []APIKeyEntry{e}}
	if errs := cfg.validateKeys(); len(errs) > 0 {
		msg := strings.ReplaceAll(errors.Join(errs...).Error(), "api_keys[0].", "--")
		fmt.Fprintf(stderr, "shipgate keys new: %s\n\n%s", msg, keysUsage)
		return 2
	}
	fmt.Fprintf(stdout, `API key %q (shown once: give it to its user now; shipgate keeps only its SHA-256):

    %s

Add this under api_keys in the configuration, then restart (or roll) the gateway:

  - %s

Clients send it as: Authorization: Bearer %s...
`, e.Name, key, e.yamlLine(), key[:len(keyPrefix)+4])
	return 0
}

// newKey returns a new key: the prefix and 32 random bytes in lower-case base32.
func newKey() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return keyPrefix + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:])), nil
}

// hashKey returns the SHA-256 of a key in hex, as api_keys holds it.
func hashKey(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}

// yamlLine writes the entry as one YAML flow mapping.
func (e APIKeyEntry) yamlLine() string {
	s := fmt.Sprintf(`{ name: %s, sha256: "%s", scopes: [%s]`, e.Name, e.SHA256, strings.Join(e.Scopes, ", "))
	var rl []string
	if e.RateLimit.PerSecond > 0 {
		rl = append(rl, fmt.Sprintf("per_second: %g", e.RateLimit.PerSecond))
	}
	if e.RateLimit.Burst > 0 {
		rl = append(rl, fmt.Sprintf("burst: %d", e.RateLimit.Burst))
	}
	if len(rl) > 0 {
		s += ", rate_limit: { " + strings.Join(rl, ", ") + " }"
	}
	return s + " }"
}
