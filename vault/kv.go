package vault

// The KV mapping: portable names and values to KV v1 and v2 paths, reads,
// writes and lists.

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/hashicorp/vault/api"
	"github.com/secretstore-go/secretstore/driver"
)

// kvAnswer is what a 404 may carry besides the data: a wrong path has
// errors or warnings, a missing secret neither.
type kvAnswer struct {
	Errors   []string `json:"errors"`
	Warnings []string `json:"warnings"`
}

func (a *kvAnswer) wrongPath() bool { return len(a.Errors) > 0 || len(a.Warnings) > 0 }

// kv1Answer is a KV v1 read's answer: the secret's data.
type kv1Answer struct {
	kvAnswer
	Data map[string]json.RawMessage `json:"data"`
}

// kv2Answer is a KV v2 read's answer: a version's data and metadata.
type kv2Answer struct {
	kvAnswer
	Data struct {
		Data     map[string]json.RawMessage `json:"data"`
		Metadata struct {
			Version int `json:"version"`
		} `json:"metadata"`
	} `json:"data"`
}

// errNotKV is a 404 that is not a missing secret: no mount at the path, or
// a KV engine of the other version.
func (s *Store) errNotKV(op, name string) error {
	return fail(driver.Unknown, op, name, "no KV v%d secrets engine answers at %q (check the mount and its version)", s.kv, s.mount)
}

// read returns the value of name (of its version ver when ver > 0), whether
// it exists, and its version (KV v2).
func (s *Store) read(ctx context.Context, name string, ver int) (val string, ok bool, version int, err error) {
	var params map[string][]string
	if ver > 0 {
		params = map[string][]string{"version": {strconv.Itoa(ver)}}
	}
	p := dataPath(s.mount, s.kv, name)
	err = s.call(ctx, "get", name, func(ctx context.Context) (*api.Response, error) {
		return s.client.Logical().ReadRawWithDataWithContext(ctx, p, params)
	}, func(status int, r *api.Response) error {
		var (
			a      *kvAnswer
			fields map[string]json.RawMessage
			err    error
		)
		if s.kv == 2 {
			var v kv2Answer
			err = r.DecodeJSON(&v)
			a, fields, version = &v.kvAnswer, v.Data.Data, v.Data.Metadata.Version
		} else {
			var v kv1Answer
			err = r.DecodeJSON(&v)
			a, fields = &v.kvAnswer, v.Data
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return fail(driver.Unknown, "get", name, "the server's answer is not KV v%d JSON (check the mount's version)", s.kv)
		}
		if status == http.StatusNotFound {
			// A missing secret, or a deleted or destroyed version
			// (whose metadata comes along), has no errors and no
			// warnings; a wrong path has one or the other.
			if a.wrongPath() {
				return s.errNotKV("get", name)
			}
			return nil
		}
		val, ok, err = s.decode(name, fields)
		return err
	})
	return val, ok, version, err
}

// decode takes the value out of a secret's fields. A secret whose data is
// the value field alone (with, for bytes that are not UTF-8, its encoding
// marker) has that field's value; a secret with other fields (written by
// `vault kv put secret/db username=app password=...`, say) has the JSON
// object of all its fields, as encoding/json writes a map (keys sorted,
// compact), so that the portable "db#password" reads one of them. A secret
// without data does not exist for this store.
func (s *Store) decode(name string, fields map[string]json.RawMessage) (string, bool, error) {
	if len(fields) == 0 {
		return "", false, nil
	}
	if !s.valueOnly(fields) {
		v, err := canonical(fields)
		if err != nil {
			return "", false, fail(driver.Unknown, "get", name, "the secret's fields are not valid JSON")
		}
		return v, true, nil
	}
	raw, ok := fields[s.field]
	if !ok || string(raw) == "null" {
		return "", false, nil
	}
	var v string
	if err := json.Unmarshal(raw, &v); err != nil {
		return "", false, fail(driver.Unknown, "get", name, "field %q is not a string", s.field)
	}
	if enc, ok := fields[s.encField]; ok {
		var e string
		_ = json.Unmarshal(enc, &e)
		if e != "base64" {
			return "", false, fail(driver.Unknown, "get", name, "field %q names an unknown encoding", s.encField)
		}
		b, err := base64.StdEncoding.DecodeString(v)
		if err != nil {
			return "", false, fail(driver.Unknown, "get", name, "field %q is not valid base64", s.field)
		}
		v = string(b)
	}
	return v, true, nil
}

// valueOnly reports whether a secret's data holds only the value field and
// its encoding marker: such a secret's value is the field's (decode). With
// a field of the caller's choosing (Options.Field), every secret is that
// field alone.
func (s *Store) valueOnly(fields map[string]json.RawMessage) bool {
	if s.oneField {
		return true
	}
	for k := range fields {
		if k != s.field && k != s.encField {
			return false
		}
	}
	return true
}

// asFields returns the fields a value is written as, or nil when it is
// written to the value field: a value that is a JSON object exactly as
// decode renders a secret of several fields (the encoding of its own
// members by encoding/json), with a field other than the value field and
// its encoding marker. Such a value is read back byte for byte, and Vault's
// own clients see its members as the secret's fields.
func (s *Store) asFields(value string) map[string]json.RawMessage {
	if len(value) < 2 || value[0] != '{' {
		return nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal([]byte(value), &m); err != nil || s.valueOnly(m) {
		return nil
	}
	if c, err := canonical(m); err != nil || c != value {
		return nil
	}
	return m
}

// canonical renders a secret's fields as one JSON object, the same whatever
// spelling the server's JSON used: decoded (numbers kept as written) and
// encoded by encoding/json, so keys are sorted at every level, the text is
// compact and strings are escaped as encoding/json escapes them.
func canonical(fields map[string]json.RawMessage) (string, error) {
	m := make(map[string]any, len(fields))
	for k, raw := range fields {
		d := json.NewDecoder(bytes.NewReader(raw))
		d.UseNumber()
		var v any
		if err := d.Decode(&v); err != nil {
			return "", err
		}
		m[k] = v
	}
	b, err := json.Marshal(m)
	return string(b), err
}

// encode returns the request body that stores value: for KV v2 with the
// check-and-set version cas when cas >= 0. A JSON object in the form decode
// gives a secret of several fields is stored as those fields (asFields);
// any other valid UTF-8 as the value field's string; other bytes, which
// JSON cannot carry, in base64 with a marker field.
func (s *Store) encode(value string, cas int) ([]byte, error) {
	var fields any = map[string]string{s.field: value}
	if m := s.asFields(value); m != nil {
		fields = m
	} else if !utf8.ValidString(value) {
		fields = map[string]string{s.field: base64.StdEncoding.EncodeToString([]byte(value)), s.encField: "base64"}
	}
	if s.kv == 1 {
		return json.Marshal(fields)
	}
	type options struct {
		CAS int `json:"cas"`
	}
	var o *options
	if cas >= 0 {
		o = &options{cas}
	}
	return json.Marshal(struct {
		Options *options `json:"options,omitempty"`
		Data    any      `json:"data"`
	}{o, fields})
}

// Get implements [driver.Store]: one request per name, at most Parallel
// in flight, into one map.
func (s *Store) Get(ctx context.Context, names []string) (map[string]string, error) {
	return driver.GetEach(ctx, names, s.parallel, func(ctx context.Context, name string) (string, bool, error) {
		v, ok, _, err := s.read(ctx, name, 0)
		return v, ok, err
	})
}

// Set implements [driver.Store]. On KV v2 it writes a new version; the
// version it replaces stays readable with [Store.GetVersions]. The secret's
// data becomes the value's field alone. On a KV v2 mount that requires
// check-and-set (cas_required), Set reads the current version and writes
// with it.
func (s *Store) Set(ctx context.Context, name, value string) error {
	status, err := s.write(ctx, "set", name, value, -1)
	if status == http.StatusBadRequest && s.kv == 2 {
		// The one 400 a well-formed write gets: cas is required.
		_, _, ver, rerr := s.read(ctx, name, 0)
		if rerr != nil {
			return rerr
		}
		status, err = s.write(ctx, "set", name, value, ver)
		if status == http.StatusBadRequest {
			return fail(driver.Conflict, "set", name, "written by someone else meanwhile (check-and-set refused)")
		}
	}
	return err
}

// write stores value, with the check-and-set version cas when cas >= 0,
// and returns the answer's HTTP status.
func (s *Store) write(ctx context.Context, op, name, value string, cas int) (int, error) {
	body, err := s.encode(value, cas)
	if err != nil {
		return 0, fail(driver.Unknown, op, name, "cannot encode the value")
	}
	p := dataPath(s.mount, s.kv, name)
	return s.callStatus(ctx, op, name, func(ctx context.Context) (*api.Response, error) {
		return s.client.Logical().WriteRawWithContext(ctx, p, body)
	}, func(status int, _ *api.Response) error {
		if status == http.StatusNotFound {
			return s.errNotKV(op, name)
		}
		return nil
	})
}

// CompareAndSwap implements [driver.Swapper] with KV v2's check-and-set:
// it reads the current version and writes value with cas set to it, so the
// write fails if anyone wrote in between. It fails with [driver.Conflict]
// when the current value is not old (old nil: when name exists) or the
// version changed meanwhile.
func (s *Store) CompareAndSwap(ctx context.Context, name string, old *string, value string) error {
	cur, ok, ver, err := s.read(ctx, name, 0)
	if err != nil {
		return err
	}
	if ok != (old != nil) || (ok && subtle.ConstantTimeCompare([]byte(cur), []byte(*old)) != 1) {
		return fail(driver.Conflict, "compare and swap", name, "the current value is not the expected one")
	}
	status, err := s.write(ctx, "compare and swap", name, value, ver)
	if status == http.StatusBadRequest {
		// KV v2 refuses a write whose cas is not the current version
		// with 400.
		return fail(driver.Conflict, "compare and swap", name, "written by someone else meanwhile (check-and-set refused)")
	}
	return err
}

// Remove implements [driver.Store]. On KV v2 it deletes the latest version
// (recoverable) or, with Options.Destroy, the metadata and every version.
func (s *Store) Remove(ctx context.Context, name string) error {
	p := dataPath(s.mount, s.kv, name)
	if s.kv == 2 && s.destroy {
		p = metadataPath(s.mount, name)
	}
	return s.call(ctx, "remove", name, func(ctx context.Context) (*api.Response, error) {
		return s.client.Logical().DeleteRawWithContext(ctx, p)
	}, func(status int, r *api.Response) error {
		if status == http.StatusNotFound {
			var a kvAnswer
			_ = r.DecodeJSON(&a)
			if a.wrongPath() {
				return s.errNotKV("remove", name)
			}
		}
		return nil
	})
}

// GetVersions returns the current value of name and the value it had before
// the last Set that changed it, as the filestore driver's method of the same
// name does. current is nil when name does not exist (including when its
// latest version was removed); previous is nil when there is no earlier
// version, or when the version before the current value was deleted or
// destroyed. Versions that repeat the current value are skipped, so
// identical writes do not hide the previous value.
func (s *Store) GetVersions(ctx context.Context, name string) (current, previous *string, err error) {
	cur, ok, ver, err := s.read(ctx, name, 0)
	if err != nil || !ok {
		return nil, nil, err
	}
	// Bounded: KV v2 keeps 10 versions by default; a mount may keep more.
	for v := ver - 1; v >= 1 && v > ver-100; v-- {
		old, ok, _, err := s.read(ctx, name, v)
		if err != nil {
			return nil, nil, err
		}
		if !ok {
			break
		}
		if old != cur {
			return &cur, &old, nil
		}
	}
	return &cur, nil, nil
}

// List implements [driver.Lister]. It lists the folders under prefix level
// by level, Parallel requests at a time. On KV v2, names whose latest
// version is deleted are left out, as Get reports them missing: that takes a
// metadata read per name. Paths that are not portable names (written by
// other tools) are left out too.
func (s *Store) List(ctx context.Context, prefix string) ([]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	// Folders are listed by their paths; entries are kept by their names.
	level := []string{relPath(s.kv, prefix[:strings.LastIndexByte(prefix, '/')+1])}
	var (
		mu    sync.Mutex
		names []string
	)
	for len(level) > 0 {
		var next []string
		err := driver.FanOut(ctx, len(level), s.parallel, func(ctx context.Context, i int) error {
			dir := level[i]
			keys, err := s.listDir(ctx, dir)
			if err != nil {
				return err
			}
			mu.Lock()
			defer mu.Unlock()
			for _, k := range keys {
				rel := dir + k
				if folder, ok := strings.CutSuffix(rel, "/"); ok {
					if n, ok := nameOf(s.kv, folder); ok && strings.HasPrefix(n+"/", prefix) {
						next = append(next, rel)
					}
				} else if n, ok := nameOf(s.kv, rel); ok && strings.HasPrefix(n, prefix) {
					names = append(names, n)
				}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		level = next
	}
	if s.kv == 2 && len(names) > 0 {
		return s.live(ctx, names)
	}
	return names, nil
}

// listDir returns the entries of one folder ("" for the mount's root): keys,
// and folders ending in "/".
func (s *Store) listDir(ctx context.Context, dir string) ([]string, error) {
	var out struct {
		kvAnswer
		Data struct {
			Keys []string `json:"keys"`
		} `json:"data"`
	}
	p := listPath(s.mount, s.kv, dir)
	err := s.call(ctx, "list", dir, func(ctx context.Context) (*api.Response, error) {
		return s.client.Logical().ReadRawWithDataWithContext(ctx, p, map[string][]string{"list": {"true"}})
	}, func(status int, r *api.Response) error {
		if err := r.DecodeJSON(&out); err != nil && !errors.Is(err, io.EOF) {
			return fail(driver.Unknown, "list", dir, "the server's answer is not a listing")
		}
		if status == http.StatusNotFound {
			if out.wrongPath() {
				return s.errNotKV("list", dir)
			}
			out.Data.Keys = nil
		}
		return nil
	})
	return out.Data.Keys, err
}

// live returns the names whose latest KV v2 version is neither deleted nor
// destroyed.
func (s *Store) live(ctx context.Context, names []string) ([]string, error) {
	return driver.FilterEach(ctx, names, s.parallel, func(ctx context.Context, i int) (bool, error) {
		n := names[i]
		keep := false
		var out struct {
			Data struct {
				CurrentVersion int `json:"current_version"`
				Versions       map[string]struct {
					DeletionTime string `json:"deletion_time"`
					Destroyed    bool   `json:"destroyed"`
				} `json:"versions"`
			} `json:"data"`
		}
		p := metadataPath(s.mount, n)
		err := s.call(ctx, "list", n, func(ctx context.Context) (*api.Response, error) {
			return s.client.Logical().ReadRawWithContext(ctx, p)
		}, func(status int, r *api.Response) error {
			if status == http.StatusNotFound {
				return nil // removed meanwhile
			}
			if err := r.DecodeJSON(&out); err != nil {
				return fail(driver.Unknown, "list", n, "the server's metadata answer is not JSON")
			}
			v, ok := out.Data.Versions[strconv.Itoa(out.Data.CurrentVersion)]
			keep = ok && !v.Destroyed && !deleted(v.DeletionTime)
			return nil
		})
		return keep, err
	})
}

// deleted reports whether a KV v2 deletion_time is set and has passed (a
// time in the future is a scheduled deletion, delete_version_after).
func deleted(t string) bool {
	if t == "" {
		return false
	}
	tm, err := time.Parse(time.RFC3339Nano, t)
	return err != nil || !tm.After(time.Now())
}
