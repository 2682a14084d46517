package infisical

// The secrets mapping: portable names to Infisical folders and keys, for
// reads, writes and lists.

import (
	"context"
	"strings"
	"sync"

	sdk "github.com/infisical/go-sdk"
	"github.com/infisical/go-sdk/packages/models"

	"github.com/secretstore-go/secretstore/driver"
)

// Get reads names. The names of one folder go to one list request when
// there are two or more of them, each other name to one retrieve request:
// whichever makes fewer round trips. The requests run concurrently, at most
// Options.Parallel at once. A list that Infisical refuses (HTTP 403,
// as it does when one secret of the folder may not be read) falls back to
// retrieving the asked names one by one, concurrently, so that one hidden
// secret denies only itself.
func (s *Store) Get(ctx context.Context, names []string) (map[string]string, error) {
	type folder struct {
		path  string
		names map[string]string // Infisical key → portable name
		keys  []string          // in order
	}
	byPath := map[string]*folder{}
	var folders []*folder
	for _, n := range names {
		path, key, err := s.locate(n)
		if err != nil {
			return nil, err
		}
		f := byPath[path]
		if f == nil {
			f = &folder{path: path, names: map[string]string{}}
			byPath[path] = f
			folders = append(folders, f)
		}
		if _, dup := f.names[key]; !dup {
			f.names[key] = n
			f.keys = append(f.keys, key)
		}
	}
	var mu sync.Mutex
	out := make(map[string]string, len(names))
	put := func(name, value string) {
		mu.Lock()
		out[name] = value
		mu.Unlock()
	}
	// One task per folder of two or more names (a list) and per other name
	// (a retrieve), run together; then the retrieves of the folders whose
	// list was refused.
	type one struct{ path, key, name string }
	var tasks []func(context.Context) error
	var fallback []one
	for _, f := range folders {
		if len(f.keys) == 1 {
			o := one{f.path, f.keys[0], f.names[f.keys[0]]}
			tasks = append(tasks, func(ctx context.Context) error { return s.retrieveInto(ctx, o.path, o.key, o.name, put) })
			continue
		}
		tasks = append(tasks, func(ctx context.Context) error {
			denied, err := s.listInto(ctx, f.path, f.names, put)
			if denied {
				mu.Lock()
				for _, k := range f.keys {
					fallback = append(fallback, one{f.path, k, f.names[k]})
				}
				mu.Unlock()
			}
			return err
		})
	}
	run := func(ctx context.Context, i int) error { return tasks[i](ctx) }
	if err := driver.FanOut(ctx, len(tasks), s.parallel, run); err != nil {
		return nil, err
	}
	if len(fallback) > 0 {
		tasks = tasks[:0]
		for _, o := range fallback {
			tasks = append(tasks, func(ctx context.Context) error { return s.retrieveInto(ctx, o.path, o.key, o.name, put) })
		}
		if err := driver.FanOut(ctx, len(tasks), s.parallel, run); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// retrieveInto reads one secret; a missing one (or a missing folder) is
// absent.
func (s *Store) retrieveInto(ctx context.Context, path, key, name string, put func(name, value string)) error {
	sec, err := doT(s, ctx, "retrieve", name, func(c sdk.InfisicalClientInterface) (models.Secret, error) {
		return c.Secrets().Retrieve(sdk.RetrieveSecretOptions{
			SecretKey: key, ProjectID: s.project, Environment: s.env, SecretPath: path, Type: "shared",
		})
	})
	switch {
	case codeOf(err) == driver.NotFound:
		return nil
	case err != nil:
		return err
	case sec.SecretValue == hiddenMask:
		return newError(&Error{Op: "retrieve", Name: name, Reason: "Infisical hides the value from this identity", Code: driver.PermissionDenied})
	}
	put(name, decodeValue(sec.SecretValue))
	return nil
}

// listInto reads the secrets of one folder and puts those named in names.
// It reports denied when Infisical refused the list with HTTP 403.
func (s *Store) listInto(ctx context.Context, path string, names map[string]string, put func(name, value string)) (denied bool, err error) {
	secrets, err := s.list(ctx, path, false, "")
	switch {
	case codeOf(err) == driver.NotFound:
		return false, nil
	case statusOf(err) == 403:
		return true, nil
	case err != nil:
		return false, err
	}
	for _, sec := range secrets {
		name, ok := names[sec.SecretKey]
		if !ok {
			continue
		}
		if sec.SecretValue == hiddenMask {
			return false, newError(&Error{Op: "list", Name: name, Reason: "Infisical hides the value from this identity", Code: driver.PermissionDenied})
		}
		put(name, decodeValue(sec.SecretValue))
	}
	return false, nil
}

// list returns the shared secrets of a folder, and with recursive those of
// its subfolders.
func (s *Store) list(ctx context.Context, path string, recursive bool, name string) ([]models.Secret, error) {
	res, err := doT(s, ctx, "list", name, func(c sdk.InfisicalClientInterface) (sdk.ListSecretsResult, error) {
		return c.Secrets().ListSecrets(sdk.ListSecretsOptions{
			ProjectID: s.project, Environment: s.env, SecretPath: path,
			Recursive: recursive, SkipUniqueValidation: true, // keep same-named keys of different folders
		})
	})
	if err != nil {
		return nil, err
	}
	out := res.Secrets[:0]
	for _, sec := range res.Secrets {
		if sec.Type == "" || sec.Type == "shared" {
			out = append(out, sec)
		}
	}
	return out, nil
}

// Set writes value to name: it updates the secret, or creates it when it
// does not exist, creating its folders when they do not exist either. A
// create that fails because another writer created the secret meanwhile
// turns into an update. The value is stored as it is when Infisical keeps it
// exactly, otherwise in base64 after ValuePrefix (see "Values" in the
// package documentation).
func (s *Store) Set(ctx context.Context, name, value string) error {
	path, key, err := s.locate(name)
	if err != nil {
		return err
	}
	stored := encodeValue(value)
	for range 3 {
		err = s.update(ctx, path, key, name, stored)
		if codeOf(err) != driver.NotFound {
			return err
		}
		err = s.create(ctx, path, key, name, stored)
		// The folder is missing: 404, or 400 "Folder not found" from
		// older servers, which classify makes NotFound too.
		if codeOf(err) == driver.NotFound {
			if ferr := s.createFolder(ctx, path, name); ferr != nil {
				return ferr
			}
			err = s.create(ctx, path, key, name, stored)
		}
		if err == nil || !exists(err) {
			return err
		}
		// Created by someone else since the update: update it.
	}
	return err
}

// exists reports a create refused because the secret exists: Infisical
// answers 400 ("Secret already exists"); 409 is accepted too. A 400 that
// says the folder is missing (code NotFound, see classify) is not one.
func exists(err error) bool {
	st := statusOf(err)
	return (st == 400 || st == 409) && codeOf(err) != driver.NotFound
}

func (s *Store) update(ctx context.Context, path, key, name, stored string) error {
	sec, err := doT(s, ctx, "update", name, func(c sdk.InfisicalClientInterface) (models.Secret, error) {
		return c.Secrets().Update(sdk.UpdateSecretOptions{
			SecretKey: key, ProjectID: s.project, Environment: s.env, SecretPath: path, Type: "shared",
			NewSecretValue: stored,
		})
	})
	return applied("update", name, sec, err)
}

func (s *Store) create(ctx context.Context, path, key, name, stored string) error {
	sec, err := doT(s, ctx, "create", name, func(c sdk.InfisicalClientInterface) (models.Secret, error) {
		return c.Secrets().Create(sdk.CreateSecretOptions{
			SecretKey: key, ProjectID: s.project, Environment: s.env, SecretPath: path, Type: "shared",
			SecretValue: stored,
		})
	})
	return applied("create", name, sec, err)
}

// applied checks that a change took effect: under a secret approval policy,
// Infisical answers 200 with an approval request instead of the secret.
func applied(op, name string, sec models.Secret, err error) error {
	if err == nil && sec.ID == "" && sec.SecretKey == "" {
		return newError(&Error{Op: op, Name: name, Reason: "the change awaits approval (a secret approval policy covers this path)", Code: driver.Conflict})
	}
	return err
}

// createFolder creates the folder at path and any missing parent; Infisical
// creates the parents itself. A folder that exists (400, perhaps created by
// a concurrent Set) is not an error.
func (s *Store) createFolder(ctx context.Context, path, name string) error {
	i := strings.LastIndexByte(path, '/')
	parent, folder := path[:i], path[i+1:]
	if parent == "" {
		parent = "/"
	}
	_, err := doT(s, ctx, "create folder", name, func(c sdk.InfisicalClientInterface) (models.Folder, error) {
		return c.Folders().Create(sdk.CreateFolderOptions{ProjectID: s.project, Environment: s.env, Name: folder, Path: parent})
	})
	if exists(err) {
		return nil
	}
	return err
}

// Remove deletes name. A missing secret or folder is not an error. The
// folders that held it stay: a concurrent Set may be using them.
func (s *Store) Remove(ctx context.Context, name string) error {
	path, key, err := s.locate(name)
	if err != nil {
		return err
	}
	sec, err := doT(s, ctx, "delete", name, func(c sdk.InfisicalClientInterface) (models.Secret, error) {
		return c.Secrets().Delete(sdk.DeleteSecretOptions{
			SecretKey: key, ProjectID: s.project, Environment: s.env, SecretPath: path, Type: "shared",
		})
	})
	if codeOf(err) == driver.NotFound {
		return nil
	}
	return applied("delete", name, sec, err)
}

// List returns the names that start with prefix, from one recursive list of
// the deepest folder that holds them all. Secrets whose folder or key is not
// the image of a portable name (made by other means) are left out.
func (s *Store) List(ctx context.Context, prefix string) ([]string, error) {
	dir, ok := s.folderOf(prefix)
	if !ok {
		return nil, nil // no name this driver can hold starts with prefix
	}
	secrets, err := s.list(ctx, dir, true, prefix)
	if codeOf(err) == driver.NotFound {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []string
	for _, sec := range secrets {
		path := sec.SecretPath
		if path == "" {
			continue
		}
		if name, ok := s.unlocate(path, sec.SecretKey); ok && strings.HasPrefix(name, prefix) {
			out = append(out, name)
		}
	}
	return out, nil
}
