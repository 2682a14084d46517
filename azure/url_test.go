package azure

import (
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestParseURL(t *testing.T) {
	u, _ := url.Parse("azurekv://myvault.vault.azure.net?names=escaped&content-type=text/plain&on-deleted=purge&remove=purge&parallel=4&poll-interval=100ms&poll-timeout=1m&credential=managedidentity&client-id=00000000-0000-0000-0000-000000000001")
	cfg, err := parseURL(u)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.vaultURL != "https://myvault.vault.azure.net/" {
		t.Errorf("vault URL = %q", cfg.vaultURL)
	}
	opts := cfg.opts
	if opts.Names != NamesEscaped || opts.ContentType != "text/plain" || !opts.PurgeDeleted || !opts.PurgeOnRemove ||
		opts.Parallel != 4 || opts.PollInterval != 100*time.Millisecond || opts.PollTimeout != time.Minute ||
		cfg.credential != "managedidentity" || cfg.clientID != "00000000-0000-0000-0000-000000000001" {
		t.Errorf("config = %+v", cfg)
	}
	if c, err := newCredential(cfg.credential, cfg.clientID); err != nil || c == nil {
		t.Errorf("newCredential(managedidentity) = %v, %v", c, err)
	}
	u, _ = url.Parse("azurekv://myvault.vault.azure.net/")
	if cfg, err := parseURL(u); err != nil || cfg.opts.Names != NamesNative || cfg.opts.PurgeDeleted || cfg.opts.PurgeOnRemove || cfg.credential != "default" {
		t.Errorf("defaults: %+v, %v; want the zero options and the default credential", cfg, err)
	}
	if c, err := newCredential("default", ""); c != nil || err != nil {
		t.Errorf("newCredential(default) = %v, %v; want nil, left to New", c, err)
	}
}

func TestParseURLRefuses(t *testing.T) {
	const secretish = "s3cr3t-looking-value"
	for _, raw := range []string{
		"other://myvault.vault.azure.net",
		"azurekv://",
		"azurekv://myvault.vault.azure.net:443",
		"azurekv://user:" + secretish + "@myvault.vault.azure.net",
		"azurekv://myvault.vault.azure.net/path",
		"azurekv://myvault.vault.azure.net?unknown=" + secretish,
		"azurekv://myvault.vault.azure.net?names=" + secretish,
		"azurekv://myvault.vault.azure.net?names=native&names=escaped", "azurekv://myvault.vault.azure.net?raw-names=1",
		"azurekv://myvault.vault.azure.net?on-deleted=" + secretish,
		"azurekv://myvault.vault.azure.net?parallel=0",
		"azurekv://myvault.vault.azure.net?poll-timeout=-1s",
		"azurekv://myvault.vault.azure.net?poll-interval=" + secretish,
		"azurekv://myvault.vault.azure.net?credential=" + secretish,
		"azurekv://myvault.vault.azure.net?client-id=" + secretish,
		"azurekv://myvault.vault.azure.net?remove=" + secretish,
	} {
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		_, err = parseURL(u)
		if err == nil {
			t.Errorf("parseURL(%q): no error", raw)
			continue
		}
		if strings.Contains(err.Error(), secretish) {
			t.Errorf("parseURL(%q): the error quotes a value: %v", raw, err)
		}
	}
}
