package gcp

import (
	"context"
	"errors"
	"net/url"
	"strings"

	"cloud.google.com/go/secretmanager/apiv1/secretmanagerpb"
	"github.com/secretstore-go/secretstore"
	"github.com/secretstore-go/secretstore/driver"
	"github.com/secretstore-go/secretstore/internal/urlopt"
	"google.golang.org/api/option"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// Scheme is the URL scheme the package registers with
// [secretstore.Register].
const Scheme = "gcpsm"

// Importing the package registers [OpenURL] for "gcpsm" URLs, so
// secretstore.Open(ctx, "gcpsm://projects/my-project") works.
func init() { secretstore.Register(Scheme, OpenURL) }

// OpenURL opens the store a gcpsm URL describes (see "URLs" in the package
// documentation), for the portable package's URL registry.
func OpenURL(ctx context.Context, u *url.URL) (driver.Store, error) {
	cfg, err := parseURL(u)
	if err != nil {
		return nil, err
	}
	return New(ctx, cfg.project, cfg.opts)
}

// urlConfig is what a gcpsm URL asks for: the project and the Options.
type urlConfig struct {
	project string
	opts    Options
}

// parseURL checks a gcpsm URL and returns the project and options it asks
// for. It makes no client and no call.
func parseURL(u *url.URL) (urlConfig, error) {
	var cfg urlConfig
	q, err := urlopt.Parse(u, Scheme, "endpoint", "tls", "replica-locations", "remove", "parallel", "retries", "names")
	if err != nil {
		return cfg, err
	}
	project, ok := strings.CutPrefix(u.Path, "/")
	if u.Host != "projects" || !ok || project == "" || strings.Contains(project, "/") {
		return cfg, errors.New("gcpsm: the URL must be gcpsm://projects/PROJECT[?parameters]")
	}
	if err := checkProject(project); err != nil {
		return cfg, err
	}
	cfg.project = project
	o := &cfg.opts
	endpoint := q.String("endpoint", "")
	if q.Has("endpoint") && strings.ContainsAny(endpoint, "/?#@ ") {
		q.Fail("endpoint", "want HOST:PORT")
	}
	tls := q.Bool("tls", true)
	if !tls && endpoint == "" {
		q.Fail("tls", "0 needs endpoint (plaintext is for emulators and test servers only)")
	}
	if locs := q.List("replica-locations"); locs != nil {
		um := &secretmanagerpb.Replication_UserManaged{}
		for _, loc := range locs {
			um.Replicas = append(um.Replicas, &secretmanagerpb.Replication_UserManaged_Replica{Location: loc})
		}
		o.Replication = &secretmanagerpb.Replication{Replication: &secretmanagerpb.Replication_UserManaged_{UserManaged: um}}
	}
	if q.Enum("names", "native", "native", "escaped") == "escaped" {
		o.Names = NamesEscaped
	}
	o.DisableOnRemove = q.Enum("remove", "delete", "delete", "disable") == "disable"
	o.Parallel = q.Int("parallel", 1, 1000, 0)
	o.MaxRetries = q.Retries("retries", 1000)
	if err := q.Err(); err != nil {
		return urlConfig{}, err
	}
	if endpoint != "" {
		o.ClientOptions = append(o.ClientOptions, option.WithEndpoint(endpoint))
	}
	if !tls {
		o.ClientOptions = append(o.ClientOptions, option.WithoutAuthentication(),
			option.WithGRPCDialOption(grpc.WithTransportCredentials(insecure.NewCredentials())))
	}
	return cfg, nil
}
