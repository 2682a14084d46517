package azure

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/Azure/azure-sdk-for-go/sdk/security/keyvault/azsecrets"

	"github.com/secretstore-go/secretstore"
	"github.com/secretstore-go/secretstore/driver"
)

// Operation names, as they appear in errors.
const (
	opGet      = "get"
	opSet      = "set"
	opDelete   = "delete"
	opRecover  = "recover"
	opPurge    = "purge"
	opList     = "list"
	opVersions = "versions"
)

// WrittenTag is the tag every Set puts on the version it writes: the writer's
// clock, in RFC 3339 with nanoseconds. Key Vault records a version's creation
// to the second only; GetVersions orders versions created in the same second
// by this tag.
const WrittenTag = "secretstore-written"

// Defaults of [Options].
const (
	DefaultParallel     = 8
	DefaultPollInterval = 250 * time.Millisecond
	DefaultPollTimeout  = 2 * time.Minute
)

// Options configure a [Store]. The zero value is ready: the default Azure
// credential, native names, deleted secrets recovered, nothing
// purged.
type Options struct {
	// Credential authenticates to Key Vault. Nil means
	// azidentity.NewDefaultAzureCredential(nil): environment variables,
	// workload identity, managed identity, then the Azure CLI's login.
	Credential azcore.TokenCredential

	// ClientOptions are passed to azsecrets.NewClient: transport, retry
	// policy (by default up to 3 retries of 408, 429, 500, 502, 503 and
	// 504, honouring Retry-After), cloud, API version. Logging.IncludeBody
	// is always turned off, since bodies hold secret values. Nil means the
	// SDK's defaults.
	ClientOptions *azsecrets.ClientOptions

	// Names is how names map to Key Vault names: NamesNative (the
	// default) uses them unchanged, for a vault whose names were written
	// by other tools or people; NamesEscaped maps any portable name (see
	// "Names" in the package documentation).
	Names Names

	// ContentType is the content type Set gives text values (at most 255
	// characters). Values kept in base64 always get [BinaryContentType].
	ContentType string

	// PurgeDeleted makes Set purge a deleted but recoverable secret of the
	// same name before writing, instead of recovering it (which keeps its
	// versions). Purging needs the secrets/purge permission and destroys
	// the deleted versions for good.
	PurgeDeleted bool

	// PurgeOnRemove makes Remove purge the secret after deleting it, so
	// that it cannot be recovered. By default a removed secret stays
	// recoverable for the vault's retention period.
	PurgeOnRemove bool

	// Parallel bounds the requests one Get has in flight. Zero means
	// DefaultParallel.
	Parallel int

	// PollInterval is the first pause between polls while waiting for Key
	// Vault to finish a deletion, recovery or purge; the pause doubles up
	// to 16 times this. Zero means DefaultPollInterval.
	PollInterval time.Duration

	// PollTimeout bounds each such wait, on top of the caller's context. Zero
	// means DefaultPollTimeout.
	PollTimeout time.Duration
}

// Store is the Azure Key Vault driver. It implements [driver.Store],
// [driver.Lister], [driver.Versioner], [driver.ErrorCoder] and [driver.Aser];
// use it through [secretstore.New].
type Store struct {
	client *azsecrets.Client
	opts   Options
}

var (
	_ driver.Store      = (*Store)(nil)
	_ driver.Lister     = (*Store)(nil)
	_ driver.Versioner  = (*Store)(nil)
	_ driver.ErrorCoder = (*Store)(nil)
	_ driver.Aser       = (*Store)(nil)
)

// New returns a driver for the vault at vaultURL (for example
// "https://myvault.vault.azure.net/"). It makes no request: a wrong vault or
// credential shows on the first call.
func New(vaultURL string, opts Options) (*Store, error) {
	u, err := url.Parse(vaultURL)
	if err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil || u.RawQuery != "" || (u.Path != "" && u.Path != "/") {
		return nil, errors.New("azurekv: the vault URL must be https://<vault-name>.vault.azure.net/")
	}
	if len(opts.ContentType) > 255 {
		return nil, errors.New("azurekv: the content type is longer than Key Vault's 255 characters")
	}
	if opts.ContentType == BinaryContentType {
		return nil, errors.New("azurekv: the content type " + BinaryContentType + " is reserved for values kept in base64")
	}
	if !opts.Names.Valid() {
		return nil, fmt.Errorf("azurekv: unknown Names %d", int(opts.Names))
	}
	if opts.Parallel < 0 || opts.PollInterval < 0 || opts.PollTimeout < 0 {
		return nil, errors.New("azurekv: Parallel, PollInterval and PollTimeout must not be negative")
	}
	if opts.Parallel == 0 {
		opts.Parallel = DefaultParallel
	}
	if opts.PollInterval == 0 {
		opts.PollInterval = DefaultPollInterval
	}
	if opts.PollTimeout == 0 {
		opts.PollTimeout = DefaultPollTimeout
	}
	cred := opts.Credential
	if cred == nil {
		cred, err = azidentity.NewDefaultAzureCredential(nil)
		if err != nil {
			return nil, &authError{err: err}
		}
	}
	var co azsecrets.ClientOptions
	if opts.ClientOptions != nil {
		co = *opts.ClientOptions
	}
	co.Logging.IncludeBody = false
	client, err := azsecrets.NewClient(u.Scheme+"://"+u.Host+"/", credential{cred}, &co)
	if err != nil {
		return nil, fmt.Errorf("azurekv: %w", err)
	}
	return &Store{client: client, opts: opts}, nil
}

// KeyVaultName returns the Key Vault name that holds the secret called name
// (a valid portable name), as an operator would look it up in the Azure
// portal. Its error has code driver.InvalidName when the vault cannot hold
// the name.
func (s *Store) KeyVaultName(name string) (string, error) {
	kv, _, err := s.kvName(name)
	return kv, err
}

// kvName maps a portable name to Key Vault's and reports whether the secret
// must carry its name in [NameTag].
func (s *Store) kvName(name string) (kv string, hashed bool, err error) {
	if s.opts.Names == NamesNative {
		if !rawName(name) {
			return "", false, driver.Errorf(driver.InvalidName,
				"azurekv: a Key Vault secret name holds 1 to %d ASCII letters, digits and '-', and is not case sensitive (names=escaped maps any portable name)", MaxNameLen)
		}
		return name, false, nil
	}
	kv, hashed, ok := encodeName(name)
	if !ok {
		return "", false, driver.Errorf(driver.InvalidName, "azurekv: the name is not a portable name")
	}
	return kv, hashed, nil
}

// Get reads the names concurrently, at most Parallel at a time. A name
// Key Vault does not have (404) is absent from the result.
func (s *Store) Get(ctx context.Context, names []string) (map[string]string, error) {
	return driver.GetEach(ctx, names, s.opts.Parallel, func(ctx context.Context, name string) (string, bool, error) {
		v, _, err := s.getOne(ctx, name, "")
		if v == nil {
			return "", false, err
		}
		return *v, true, err
	})
}

// getOne reads one version of name ("" for the current one) and returns its
// value (nil if missing) and its Key Vault version.
func (s *Store) getOne(ctx context.Context, name, version string) (*string, string, error) {
	kv, hashed, err := s.kvName(name)
	if err != nil {
		return nil, "", err
	}
	resp, err := s.client.GetSecret(ctx, kv, version, nil)
	if err != nil {
		if status(err) == http.StatusNotFound {
			return nil, "", nil
		}
		return nil, "", wrapErr(opGet, kv, err)
	}
	if hashed {
		if tag := resp.Tags[NameTag]; tag == nil || *tag != name {
			return nil, "", &kvError{op: opGet, kvName: kv, class: driver.Conflict,
				msg: "the secret under this hashed name carries another name in its " + NameTag + " tag"}
		}
	}
	stored := ""
	if resp.Value != nil {
		stored = *resp.Value
	}
	v, ok := decodeValue(stored, resp.ContentType)
	if !ok {
		return nil, "", &kvError{op: opGet, kvName: kv, msg: "the value is marked " + BinaryContentType + " but is not base64"}
	}
	ver := ""
	if resp.ID != nil {
		ver = resp.ID.Version()
	}
	return &v, ver, nil
}

// Set writes value as a new version of name. Values over [MaxValueSize]
// characters as stored fail with code driver.InvalidValue before any request. If
// the name is deleted but recoverable, Set recovers it (or purges it, with
// PurgeDeleted), waits until Key Vault has finished, and then writes.
func (s *Store) Set(ctx context.Context, name, value string) error {
	kv, hashed, err := s.kvName(name)
	if err != nil {
		return err
	}
	stored, binary := encodeValue(value)
	if n := valueChars(stored); n > MaxValueSize {
		what := "value"
		if binary {
			what = "value in base64"
		}
		return driver.Errorf(driver.InvalidValue, "azurekv: the %s is %d characters, more than Key Vault's %d", what, n, MaxValueSize)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	params := azsecrets.SetSecretParameters{Value: &stored, Tags: map[string]*string{}}
	switch {
	case binary:
		params.ContentType = ptr(BinaryContentType)
	case s.opts.ContentType != "":
		params.ContentType = ptr(s.opts.ContentType)
	}
	if hashed {
		params.Tags[NameTag] = ptr(name)
	}
	w := s.newWaiter(ctx)
	handled := false // the deleted secret has been recovered or purged once
	for {
		params.Tags[WrittenTag] = ptr(time.Now().UTC().Format(time.RFC3339Nano))
		_, err := s.client.SetSecret(ctx, kv, params, nil)
		if err == nil {
			return nil
		}
		err = wrapErr(opSet, kv, err)
		if status(err) != http.StatusConflict {
			return err
		}
		if innerCode(err) == codeDeletedButRecoverable {
			// Deleted again since it was recovered: pause before the
			// next round.
			if handled {
				if werr := w.wait(err); werr != nil {
					return werr
				}
			}
			handled = true
			if s.opts.PurgeDeleted {
				err = s.purge(ctx, w, kv)
			} else {
				err = s.recover(ctx, w, kv)
			}
			if err != nil {
				return err
			}
			continue
		}
		// Another state that passes: a deletion, recovery or purge
		// still under way.
		if werr := w.wait(err); werr != nil {
			return werr
		}
	}
}

// recover recovers the deleted secret kv and waits until it can be read.
func (s *Store) recover(ctx context.Context, w *waiter, kv string) error {
	_, err := s.client.RecoverDeletedSecret(ctx, kv, nil)
	// 404: no longer deleted (recovered or purged meanwhile); 409: a
	// recovery already under way. Either way, wait for the secret.
	if err != nil && status(err) != http.StatusNotFound && status(err) != http.StatusConflict {
		return wrapErr(opRecover, kv, err)
	}
	for {
		_, err := s.client.GetSecret(ctx, kv, "", nil)
		if err == nil {
			return nil
		}
		err = wrapErr(opRecover, kv, err)
		if status(err) != http.StatusNotFound {
			return err
		}
		if werr := w.wait(err); werr != nil {
			return werr
		}
	}
}

// purge purges the deleted secret kv and waits until Key Vault no longer
// lists it as deleted.
func (s *Store) purge(ctx context.Context, w *waiter, kv string) error {
	_, err := s.client.PurgeDeletedSecret(ctx, kv, nil)
	if err != nil {
		if status(err) == http.StatusNotFound {
			return nil
		}
		return wrapErr(opPurge, kv, err)
	}
	for {
		_, err := s.client.GetDeletedSecret(ctx, kv, nil)
		if status(err) == http.StatusNotFound {
			return nil
		}
		if err == nil {
			err = &kvError{op: opPurge, kvName: kv, class: driver.Conflict, msg: "the secret is still being purged"}
		} else {
			err = wrapErr(opPurge, kv, err)
			if status(err) != http.StatusConflict {
				return err
			}
		}
		if werr := w.wait(err); werr != nil {
			return werr
		}
	}
}

// Remove deletes name and waits until Key Vault has finished: the secret is
// then deleted but recoverable (soft delete), or gone in a vault without
// soft delete. With PurgeOnRemove it is then purged. A name that does not
// exist is not an error.
func (s *Store) Remove(ctx context.Context, name string) error {
	kv, _, err := s.kvName(name)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	w := s.newWaiter(ctx)
	var resp azsecrets.DeleteSecretResponse
	for {
		resp, err = s.client.DeleteSecret(ctx, kv, nil)
		if err == nil {
			break
		}
		err = wrapErr(opDelete, kv, err)
		switch status(err) {
		case http.StatusNotFound:
			// Missing, or already deleted.
			if s.opts.PurgeOnRemove {
				return s.purge(ctx, w, kv)
			}
			return nil
		case http.StatusConflict:
			// A deletion or recovery under way: wait and try again.
			if werr := w.wait(err); werr != nil {
				return werr
			}
			continue
		}
		return err
	}
	softDelete := resp.RecoveryID != nil
	for {
		var err error
		if softDelete {
			_, err = s.client.GetDeletedSecret(ctx, kv, nil)
			if err == nil {
				break
			}
			err = wrapErr(opDelete, kv, err)
			if status(err) != http.StatusNotFound {
				return err
			}
		} else {
			_, err = s.client.GetSecret(ctx, kv, "", nil)
			if status(err) == http.StatusNotFound {
				return nil
			}
			if err == nil {
				err = &kvError{op: opDelete, kvName: kv, class: driver.Conflict, msg: "the secret is still being deleted"}
			} else {
				return wrapErr(opDelete, kv, err)
			}
		}
		if werr := w.wait(err); werr != nil {
			return werr
		}
	}
	if s.opts.PurgeOnRemove {
		return s.purge(ctx, w, kv)
	}
	return nil
}

// List returns the names that start with prefix, mapped back from Key Vault's
// names. Names the driver did not make (they do not decode, or do not decode
// to a valid portable name) are skipped; with native names every Key Vault name
// is listed as it is.
func (s *Store) List(ctx context.Context, prefix string) ([]string, error) {
	var out []string
	pager := s.client.NewListSecretPropertiesPager(nil)
	for pager.More() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			return nil, wrapErr(opList, "", err)
		}
		for _, p := range page.Value {
			if p == nil || p.ID == nil {
				continue
			}
			kv := p.ID.Name()
			var name string
			if s.opts.Names == NamesNative {
				name = kv
			} else {
				tag := ""
				if t := p.Tags[NameTag]; t != nil {
					tag = *t
				}
				var ok bool
				if name, ok = decodeName(kv, tag); !ok || secretstore.ValidateName(name) != nil {
					continue
				}
			}
			if strings.HasPrefix(name, prefix) {
				out = append(out, name)
			}
		}
	}
	return out, nil
}

// GetVersions returns the current value of name and the value it had before
// the last Set that changed it: the newest older version whose value differs
// from the current one (so a Set of the current value does not hide the
// previous). current is nil when name does not exist (or is deleted);
// previous is nil when there is no such version. Versions are ordered by
// their creation time, which Key Vault keeps to the second, and within a
// second by [WrittenTag]. A name removed and set again is recovered by Set
// (unless PurgeDeleted), so its versions from before the removal count.
// Disabled versions are skipped.
func (s *Store) GetVersions(ctx context.Context, name string) (current, previous *string, err error) {
	kv, _, err := s.kvName(name)
	if err != nil {
		return nil, nil, err
	}
	cur, curVer, err := s.getOne(ctx, name, "")
	if err != nil || cur == nil {
		return nil, nil, err
	}
	type version struct {
		id      string
		created time.Time
		written time.Time
	}
	var versions []version
	pager := s.client.NewListSecretPropertiesVersionsPager(kv, nil)
	for pager.More() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			return nil, nil, wrapErr(opVersions, kv, err)
		}
		for _, p := range page.Value {
			if p == nil || p.ID == nil || p.Attributes == nil || p.Attributes.Created == nil {
				continue
			}
			if p.Attributes.Enabled != nil && !*p.Attributes.Enabled {
				continue
			}
			v := version{id: p.ID.Version(), created: p.Attributes.Created.Truncate(time.Second)}
			if t := p.Tags[WrittenTag]; t != nil {
				v.written, _ = time.Parse(time.RFC3339Nano, *t)
			}
			versions = append(versions, v)
		}
	}
	// Newest first.
	slices.SortFunc(versions, func(a, b version) int {
		return cmp.Or(b.created.Compare(a.created), b.written.Compare(a.written), strings.Compare(b.id, a.id))
	})
	at := slices.IndexFunc(versions, func(v version) bool { return v.id == curVer })
	if at < 0 {
		return cur, nil, nil
	}
	for _, v := range versions[at+1:] {
		val, _, err := s.getOne(ctx, name, v.id)
		if err != nil {
			return nil, nil, err
		}
		if val != nil && *val != *cur {
			return cur, val, nil
		}
	}
	return cur, nil, nil
}

// Close releases nothing: the SDK's client holds no resources of its own. It
// exists for the driver contract.
func (s *Store) Close() error { return nil }

// As sets a target of type **azsecrets.Client to the driver's client.
func (s *Store) As(target any) bool {
	if p, ok := target.(**azsecrets.Client); ok {
		*p = s.client
		return true
	}
	return false
}

func ptr[T any](v T) *T { return &v }
