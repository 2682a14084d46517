package gcp

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"cloud.google.com/go/secretmanager/apiv1/secretmanagerpb"
	"github.com/secretstore-go/secretstore"
	"github.com/secretstore-go/secretstore/driver"
	"google.golang.org/api/option"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// Scheme is the URL scheme this package registers with the portable
// package.
const Scheme = "gcpsm"

// Importing the package registers [OpenURL] for "gcpsm" URLs, so
// secretstore.Open(ctx, "gcpsm://projects/my-project") works.
func init() { secretstore.Register(Scheme, OpenURL) }

// OpenURL opens the store a gcpsm URL describes (see "URLs" in the package
// documentation), for the portable package's URL registry.
func OpenURL(ctx context.Context, u *url.URL) (driver.Store, error) {
	project, opts, err := parseURL(u)
	if err != nil {
		return nil, err
	}
	return New(ctx, project, opts)
}

// parseURL checks a gcpsm URL and returns the project and options it asks
// for. It makes no client and no call.
func parseURL(u *url.URL) (string, Options, error) {
	var opts Options
	if u == nil {
		return "", opts, errors.New("gcpsm: nil URL")
	}
	if u.Scheme != Scheme {
		return "", opts, fmt.Errorf("gcpsm: URL scheme %q, want %q", u.Scheme, Scheme)
	}
	if u.User != nil || u.Fragment != "" || u.Opaque != "" {
		return "", opts, errors.New("gcpsm: the URL must be gcpsm://projects/PROJECT[?parameters], with no user information or fragment")
	}
	project, ok := strings.CutPrefix(u.Path, "/")
	if u.Host != "projects" || !ok || project == "" || strings.Contains(project, "/") {
		return "", opts, errors.New("gcpsm: the URL must be gcpsm://projects/PROJECT[?parameters]")
	}
	if err := checkProject(project); err != nil {
		return "", opts, err
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return "", opts, errors.New("gcpsm: malformed URL query")
	}
	var endpoint string
	var plaintext bool
	for key, vals := range q {
		if len(vals) != 1 {
			return "", opts, fmt.Errorf("gcpsm: URL parameter %q given %d times", key, len(vals))
		}
		v := vals[0]
		switch key {
		case "endpoint":
			if v == "" || strings.ContainsAny(v, "/?#@ ") {
				return "", opts, errors.New("gcpsm: URL parameter endpoint must be HOST:PORT")
			}
			endpoint = v
		case "insecure":
			if plaintext, err = parseBool(key, v); err != nil {
				return "", opts, err
			}
		case "replica-locations":
			um := &secretmanagerpb.Replication_UserManaged{}
			for loc := range strings.SplitSeq(v, ",") {
				if loc = strings.TrimSpace(loc); loc == "" {
					return "", opts, errors.New("gcpsm: URL parameter replica-locations has an empty location")
				}
				um.Replicas = append(um.Replicas, &secretmanagerpb.Replication_UserManaged_Replica{Location: loc})
			}
			opts.Replication = &secretmanagerpb.Replication{Replication: &secretmanagerpb.Replication_UserManaged_{UserManaged: um}}
		case "remove":
			switch v {
			case "delete":
				opts.DisableOnRemove = false
			case "disable":
				opts.DisableOnRemove = true
			default:
				return "", opts, fmt.Errorf("gcpsm: URL parameter remove is %q, want delete or disable", v)
			}
		case "concurrency":
			if opts.Concurrency, err = parsePositive(key, v); err != nil {
				return "", opts, err
			}
		case "max-attempts":
			if opts.MaxAttempts, err = parsePositive(key, v); err != nil {
				return "", opts, err
			}
		default:
			return "", opts, fmt.Errorf("gcpsm: unknown URL parameter %q", key)
		}
	}
	if plaintext && endpoint == "" {
		return "", opts, errors.New("gcpsm: URL parameter insecure needs endpoint (plaintext is for emulators and test servers only)")
	}
	if endpoint != "" {
		opts.ClientOptions = append(opts.ClientOptions, option.WithEndpoint(endpoint))
	}
	if plaintext {
		opts.ClientOptions = append(opts.ClientOptions, option.WithoutAuthentication(),
			option.WithGRPCDialOption(grpc.WithTransportCredentials(insecure.NewCredentials())))
	}
	return project, opts, nil
}

func parseBool(key, v string) (bool, error) {
	switch v {
	case "1", "true":
		return true, nil
	case "0", "false":
		return false, nil
	}
	return false, fmt.Errorf("gcpsm: URL parameter %s is %q, want 1 or 0", key, v)
}

func parsePositive(key, v string) (int, error) {
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 1000 {
		return 0, fmt.Errorf("gcpsm: URL parameter %s is %q, want a whole number from 1 to 1000", key, v)
	}
	return n, nil
}
