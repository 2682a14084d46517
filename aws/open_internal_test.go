package awssm

import (
	"net/url"
	"strings"
	"testing"
)

// TestParseURL checks the URL's Options without loading any SDK
// configuration.
func TestParseURL(t *testing.T) {
	u, _ := url.Parse("awssm://?region=eu-west-1&profile=p&endpoint=http%3A%2F%2F127.0.0.1%3A1&recovery-window=9" +
		"&kms-key=alias%2Fk&tags=team%3Dpay,env%3Dx%3Dy&retries=0&parallel=3")
	cfg, err := parseURL(u)
	if err != nil {
		t.Fatal(err)
	}
	o := cfg.opts
	if cfg.region != "eu-west-1" || cfg.profile != "p" || cfg.endpoint != "http://127.0.0.1:1" || cfg.retries != -1 ||
		o.RecoveryWindowDays != 9 || o.ForceDelete || o.KMSKeyID != "alias/k" || o.Parallel != 3 ||
		len(o.Tags) != 2 || o.Tags["team"] != "pay" || o.Tags["env"] != "x=y" {
		t.Errorf("parseURL = %+v", cfg)
	}
	u, _ = url.Parse("awssm://?remove=force")
	if cfg, err := parseURL(u); err != nil || !cfg.opts.ForceDelete || cfg.retries != 0 {
		t.Errorf("parseURL(remove=force) = %+v, %v", cfg, err)
	}
	if o.Names != NamesNative {
		t.Errorf("names: default %v, want native", o.Names)
	}
	for raw, want := range map[string]Names{"awssm://?names=escaped": NamesEscaped, "awssm://?names=native": NamesNative} {
		u, _ = url.Parse(raw)
		if cfg, err := parseURL(u); err != nil || cfg.opts.Names != want {
			t.Errorf("parseURL(%s) = %v, %v; want %v", raw, cfg.opts.Names, err, want)
		}
	}
	for _, c := range []struct{ raw, want string }{
		{"awssm://h?region=x", "no host"},
		{"awssm://?parallel=0", `"parallel"`},
		{"awssm://?names=hunter2", `"names"`},
		{"awssm://?retries=-1", `"retries"`},
		{"awssm://?tags=a%3D1,,b%3D2", `"tags"`},
		{"awssm://?tags=hunter2", `"tags"`},
		{"awssm://?secret-access-key=hunter2", "credential"},
	} {
		u, _ := url.Parse(c.raw)
		_, err := parseURL(u)
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "hunter2") {
			t.Errorf("parseURL(%s) = %v, want an error about %s without the value", c.raw, err, c.want)
		}
	}
}
