package awssm

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/secretstore-go/secretstore"
	"github.com/secretstore-go/secretstore/driver"
)

// Scheme is the URL scheme this package registers with [secretstore.Register].
const Scheme = "awssm"

func init() {
	secretstore.Register(Scheme, func(ctx context.Context, u *url.URL) (driver.Store, error) {
		return OpenURL(ctx, u)
	})
}

// OpenURL opens the driver an "awssm://" URL describes (see "URLs" in the
// package documentation), with the SDK's default credential chain and
// configuration. Errors never repeat the URL.
func OpenURL(ctx context.Context, u *url.URL) (*Store, error) {
	if u.User != nil {
		return nil, errors.New("credentials do not belong in the URL: use the SDK's credential chain (environment, profile, role)")
	}
	if u.Host != "" || (u.Path != "" && u.Path != "/") || u.Opaque != "" {
		return nil, errors.New("awssm:// takes no host or path, only query parameters (awssm://?region=eu-west-1)")
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return nil, errors.New("the query is not well formed")
	}
	var opts Options
	var load []func(*config.LoadOptions) error
	var endpoint string
	for key, vals := range q {
		if key != "tag" && len(vals) > 1 {
			return nil, fmt.Errorf("parameter %q given %d times", key, len(vals))
		}
		v := vals[0]
		switch key {
		case "region":
			load = append(load, config.WithRegion(v))
		case "profile":
			load = append(load, config.WithSharedConfigProfile(v))
		case "endpoint":
			e, err := url.Parse(v)
			if err != nil || (e.Scheme != "http" && e.Scheme != "https") || e.Host == "" || e.User != nil {
				return nil, errors.New("endpoint must be an http or https URL without user information")
			}
			endpoint = v
		case "recovery-window":
			n, err := strconv.Atoi(v)
			if err != nil || n < 7 || n > 30 {
				return nil, fmt.Errorf("recovery-window must be a number of days from 7 to 30, not %q", v)
			}
			opts.RecoveryWindowDays = n
		case "force-delete":
			b, err := strconv.ParseBool(v)
			if err != nil {
				return nil, fmt.Errorf("force-delete must be true or false, not %q", v)
			}
			opts.ForceDelete = b
		case "kms-key":
			opts.KMSKeyID = v
		case "tag":
			for _, t := range vals {
				k, val, ok := strings.Cut(t, "=")
				if !ok || k == "" {
					return nil, fmt.Errorf("tag must be key=value, not %q", t)
				}
				if opts.Tags == nil {
					opts.Tags = map[string]string{}
				}
				opts.Tags[k] = val
			}
		case "max-attempts":
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 {
				return nil, fmt.Errorf("max-attempts must be a positive number, not %q", v)
			}
			load = append(load, config.WithRetryMaxAttempts(n))
		case "concurrency":
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 {
				return nil, fmt.Errorf("concurrency must be a positive number, not %q", v)
			}
			opts.Concurrency = n
		default:
			return nil, fmt.Errorf("unknown parameter %q (known: region, profile, endpoint, recovery-window, force-delete, kms-key, tag, max-attempts, concurrency)", key)
		}
	}
	cfg, err := config.LoadDefaultConfig(ctx, load...)
	if err != nil {
		return nil, fmt.Errorf("loading the AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		return nil, errors.New("no AWS region: add region=... to the URL, or set AWS_REGION or a profile's region")
	}
	client := secretsmanager.NewFromConfig(cfg, func(o *secretsmanager.Options) {
		if endpoint != "" {
			o.BaseEndpoint = aws.String(endpoint)
		}
	})
	return New(client, opts)
}
