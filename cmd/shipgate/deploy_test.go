package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestDeployConfigLoads: the example configuration of deploy/ loads, with the
// environment docker-compose.yaml gives it, and serves on 0.0.0.0 (it has keys).
func TestDeployConfigLoads(t *testing.T) {
	dir := filepath.Join("..", "..", "deploy")
	compose, err := os.ReadFile(filepath.Join(dir, "docker-compose.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{}
	// Every variable the compose file passes to the replicas.
	for _, m := range regexp.MustCompile(`(?m)^      ([A-Z0-9_]+): (.*)$`).FindAllStringSubmatch(string(compose), -1) {
		v := m[2]
		if strings.Contains(v, "${") {
			v = "value-of-" + m[1]
		}
		if strings.HasSuffix(m[1], "_SHA256") {
			v = hashKey("sg_live_" + m[1])
		}
		env[m[1]] = v
	}
	env["SHIPGATE_DATABASE_URL"] = "postgres://shipgate:pw@postgres:5432/shipgate?sslmode=disable"
	env["SHIPGATE_REDIS_URL"] = "redis://:pw@redis:6379/0"
	cfg, err := loadConfig(filepath.Join(dir, "shipgate.yaml"), envOf(env))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Addr != "0.0.0.0:8080" || len(cfg.APIKeys) != 3 || len(cfg.Accounts) != 2 || cfg.RedisURL == "" {
		t.Fatalf("config %+v", cfg)
	}
	if err := checkExposure(cfg); err != nil {
		t.Fatal(err)
	}
	for _, a := range cfg.Accounts {
		for k, v := range a.Credentials {
			if !strings.HasPrefix(string(v), "value-of-") {
				t.Errorf("%s.%s is written in the file, not taken from the environment", a.ID, k)
			}
		}
	}
}
