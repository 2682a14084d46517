package azure

import (
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestParseURL(t *testing.T) {
	u, _ := url.Parse("azurekv://myvault.vault.azure.net?rawnames=true&contenttype=text/plain&ondeleted=purge&purgeonremove=true&concurrency=4&pollinterval=100ms&maxwait=1m&credential=managedidentity&clientid=00000000-0000-0000-0000-000000000001")
	vault, opts, err := parseURL(u)
	if err != nil {
		t.Fatal(err)
	}
	if vault != "https://myvault.vault.azure.net/" {
		t.Errorf("vault URL = %q", vault)
	}
	if !opts.RawNames || opts.ContentType != "text/plain" || !opts.PurgeDeleted || !opts.PurgeOnRemove ||
		opts.MaxConcurrency != 4 || opts.PollInterval != 100*time.Millisecond || opts.MaxWait != time.Minute || opts.Credential == nil {
		t.Errorf("options = %+v", opts)
	}
	u, _ = url.Parse("azurekv://myvault.vault.azure.net/")
	if _, opts, err := parseURL(u); err != nil || opts.RawNames || opts.PurgeDeleted || opts.PurgeOnRemove || opts.Credential != nil {
		t.Errorf("defaults: %+v, %v; want the zero options (default credential left to New)", opts, err)
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
		"azurekv://myvault.vault.azure.net?rawnames=" + secretish,
		"azurekv://myvault.vault.azure.net?rawnames=true&rawnames=false",
		"azurekv://myvault.vault.azure.net?ondeleted=" + secretish,
		"azurekv://myvault.vault.azure.net?concurrency=0",
		"azurekv://myvault.vault.azure.net?maxwait=-1s",
		"azurekv://myvault.vault.azure.net?pollinterval=" + secretish,
		"azurekv://myvault.vault.azure.net?credential=" + secretish,
		"azurekv://myvault.vault.azure.net?clientid=" + secretish,
	} {
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		_, _, err = parseURL(u)
		if err == nil {
			t.Errorf("parseURL(%q): no error", raw)
			continue
		}
		if strings.Contains(err.Error(), secretish) {
			t.Errorf("parseURL(%q): the error quotes a value: %v", raw, err)
		}
	}
}
