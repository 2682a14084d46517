package awssm

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/secretstore-go/secretstore"
	"github.com/secretstore-go/secretstore/driver"
	"github.com/secretstore-go/secretstore/internal/urlopt"
)

// Scheme is the URL scheme the package registers with
// [secretstore.Register].
const Scheme = "awssm"

// Importing the package registers [OpenURL] for "awssm" URLs with the
// portable package, so secretstore.Open(ctx, "awssm://?region=...") works.
func init() { secretstore.Register(Scheme, OpenURL) }

// urlConfig is what an "awssm://" URL asks for: the driver's Options and
// the SDK settings OpenURL loads the configuration with.
type urlConfig struct {
	opts     Options
	region   string
	profile  string
	endpoint string
	retries  int // MaxRetries' convention: 0 the SDK's default, -1 none
}

// OpenURL opens the driver an "awssm://" URL describes (see "URLs" in the
// package documentation), with the SDK's default credential chain and
// configuration. Errors never repeat the URL.
func OpenURL(ctx context.Context, u *url.URL) (driver.Store, error) {
	cfg, err := parseURL(u)
	if err != nil {
		return nil, err
	}
	client, err := newClient(ctx, cfg)
	if err != nil {
		return nil, err
	}
	return New(client, cfg.opts)
}

// parseURL checks an "awssm://" URL. It loads no SDK configuration and
// reads no file.
func parseURL(u *url.URL) (urlConfig, error) {
	var cfg urlConfig
	q, err := urlopt.Parse(u, Scheme, "region", "profile", "endpoint", "recovery-window", "remove",
		"kms-key", "tags", "retries", "parallel")
	if err != nil {
		return cfg, err
	}
	if u.Host != "" || (u.Path != "" && u.Path != "/") {
		return cfg, errors.New("awssm: the URL takes no host or path, only query parameters (awssm://?region=eu-west-1)")
	}
	cfg.region = q.String("region", "")
	cfg.profile = q.String("profile", "")
	if q.Has("endpoint") {
		cfg.endpoint = q.String("endpoint", "")
		e, err := url.Parse(cfg.endpoint)
		if err != nil || (e.Scheme != "http" && e.Scheme != "https") || e.Host == "" || e.User != nil {
			q.Fail("endpoint", "want an http or https URL without user information")
		}
	}
	cfg.opts.RecoveryWindowDays = q.Int("recovery-window", 7, 30, 0)
	cfg.opts.ForceDelete = q.Enum("remove", "delete", "delete", "force") == "force"
	if cfg.opts.ForceDelete && q.Has("recovery-window") {
		q.Fail("recovery-window", "cannot be combined with remove=force")
	}
	cfg.opts.KMSKeyID = q.String("kms-key", "")
	for _, t := range q.List("tags") {
		k, v, ok := strings.Cut(t, "=")
		if !ok || k == "" {
			q.Fail("tags", "want KEY=VALUE,KEY=VALUE")
			break
		}
		if cfg.opts.Tags == nil {
			cfg.opts.Tags = map[string]string{}
		}
		cfg.opts.Tags[k] = v
	}
	cfg.retries = q.Retries("retries", 100)
	cfg.opts.Parallel = q.Int("parallel", 1, urlopt.MaxInt, 0)
	if err := q.Err(); err != nil {
		return urlConfig{}, err
	}
	return cfg, nil
}

// newClient loads the SDK's configuration with what the URL set, and makes
// the client.
func newClient(ctx context.Context, cfg urlConfig) (*secretsmanager.Client, error) {
	var load []func(*config.LoadOptions) error
	if cfg.region != "" {
		load = append(load, config.WithRegion(cfg.region))
	}
	if cfg.profile != "" {
		load = append(load, config.WithSharedConfigProfile(cfg.profile))
	}
	if cfg.retries != 0 {
		load = append(load, config.WithRetryMaxAttempts(driver.Retries(cfg.retries, 0)+1))
	}
	ac, err := config.LoadDefaultConfig(ctx, load...)
	if err != nil {
		return nil, fmt.Errorf("awssm: loading the AWS configuration: %w", err)
	}
	if ac.Region == "" {
		return nil, errors.New("awssm: no AWS region: add region=... to the URL, or set AWS_REGION or a profile's region")
	}
	return secretsmanager.NewFromConfig(ac, func(o *secretsmanager.Options) {
		if cfg.endpoint != "" {
			o.BaseEndpoint = aws.String(cfg.endpoint)
		}
	}), nil
}
