package secretstore

// Fields of structured secrets: "db#password" is the field "password" of the
// secret "db" (see "Fields of structured secrets" in the package
// documentation). The secret is read, cached and coalesced as any other
// name; its fields are taken out of its value here, once for every driver.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/secretstore-go/secretstore/driver"
)

// FieldSep separates a secret's name from the name of one of its fields in
// a requested name: "db#password" is the field "password" of the secret "db".
// It is not a character of the name grammar, so no secret's name holds it.
//
// # Fields of structured secrets
//
// Get, Require, Refresh and Lookup take "secret#field" names besides plain
// names, for every driver:
//
//	ss, err := store.Require(ctx, "db#username", "db#password")
//
// The secret part is a portable name (a scoped view's prefix applies to it);
// the field part, after the first '#', is 1 to [MaxFieldLen] bytes of
// printable ASCII other than space and '#'. Anything else is refused with
// [ErrInvalidName].
//
// The Store reads the secret, once for all the fields asked for in a call,
// through the cache and its coalescing like any other name: ten fields of
// one secret cost one backend read, and a cached secret serves its fields
// without one. The secret's value must be a JSON object; a field is one of
// its top-level members (keys are case-sensitive; of duplicate keys the last
// wins, as in encoding/json):
//
//   - a string member gives its text, unescaped;
//   - a number, a boolean, an object or an array gives its JSON text,
//     compacted (numbers as written: 1.50 stays "1.50");
//   - a null member, an absent member or a missing secret is a missing name,
//     absent from Get's result and named by Require's ErrNotFound.
//
// A secret whose value is not a JSON object (plain text, an array, invalid
// JSON) makes the call fail with [ErrInvalidValue] naming the secret, never
// quoting its value: a field is never silently missing because the value
// has the wrong shape. The result is keyed by the names as requested, and
// each field's value is a [Secret] told to the [WithKnownValues] registry.
//
// Set("db#password", v) and Remove("db#password") change one field with a
// conditional read-modify-write: the Store reads the secret from the backend
// (not the cache), sets or deletes the member, and writes the object back
// with the driver's [driver.Swapper] CompareAndSwap, so a concurrent write of
// the secret is never overwritten: on a conflict it reads again, up to 5
// attempts in all, and then fails with [ErrConflict]. The object is
// re-encoded by encoding/json (keys sorted, compact; the other members keep
// their JSON values). Set of a field of a missing secret creates the secret
// as {"field": v}; the value must be valid UTF-8 ([ErrInvalidValue]
// otherwise). Removing the last field leaves {}; removing an absent field,
// or a field of a missing secret, writes nothing. A driver without
// driver.Swapper refuses field writes with [ErrNotSupported] rather than
// risk the other fields. Set needs [EnableSet], Remove [EnableRemove].
const FieldSep = '#'

// MaxFieldLen is the longest field name, in bytes.
const MaxFieldLen = 256

// fieldWriteAttempts bounds the read-modify-write of a field: each attempt
// that loses to a concurrent write (a Conflict from the driver's
// CompareAndSwap) reads again, up to this many attempts in all.
const fieldWriteAttempts = 5

// splitField splits a requested name into the secret's name and the field's
// name at the first FieldSep. ok is false, and secret is name, when name
// asks for a whole secret. It checks nothing (checkFieldName does).
func splitField(name string) (secret, field string, ok bool) {
	i := strings.IndexByte(name, FieldSep)
	if i < 0 {
		return name, "", false
	}
	return name[:i], name[i+1:], true
}

// hasField reports whether name asks for a field.
func hasField(name string) bool { return strings.IndexByte(name, FieldSep) >= 0 }

// anyField reports whether any of names asks for a field.
func anyField(names []string) bool {
	for _, n := range names {
		if hasField(n) {
			return true
		}
	}
	return false
}

// checkField returns the rule a field name breaks, or "".
func checkField(field string) string {
	if field == "" {
		return "has an empty field name after '#'"
	}
	if len(field) > MaxFieldLen {
		return fmt.Sprintf("has a field name longer than %d bytes", MaxFieldLen)
	}
	for i := 0; i < len(field); i++ {
		if c := field[i]; c <= ' ' || c > '~' || c == FieldSep {
			return fmt.Sprintf("has a character that is not allowed in a field name at byte %d (allowed: printable ASCII other than space and '#')", i)
		}
	}
	return ""
}

// checkFieldName returns the rule a requested "secret#field" name breaks,
// or "". prefix is the scope's prefix, which applies to the secret's name.
func checkFieldName(prefix, name string) string {
	secret, field, _ := splitField(name)
	if reason := checkName(secret, false); reason != "" {
		return "its secret name " + reason
	}
	if reason := checkField(field); reason != "" {
		return reason
	}
	if prefix != "" && len(prefix)+len(secret) > MaxNameLen {
		return fmt.Sprintf("its secret name is too long with the scope's prefix (max %d bytes in all)", MaxNameLen)
	}
	return ""
}

// admitFields is admit for names of which some ask for fields.
func (s *Store) admitFields(ctx context.Context, o op, need Perm, names []string) error {
	err := s.check(o, need, names)
	for i := 0; err == nil && i < len(names); i++ {
		if !hasField(names[i]) {
			err = s.validate(o, names[i])
		} else if reason := checkFieldName(s.prefix, names[i]); reason != "" {
			err = s.newError(o.String(), []string{names[i]}, driver.InvalidName, errors.New("invalid secret name: "+reason))
		}
	}
	if err != nil {
		s.sh.tel.reject(ctx, s.prefix, o, names, err)
	}
	return err
}

// getFields is get for names of which some ask for fields: each secret is
// read once, through the cache and its coalescing, whatever number of its
// fields are asked for.
func (s *Store) getFields(ctx context.Context, o op, names []string, fresh bool) (Secrets, error) {
	if err := s.admitFields(ctx, o, PermGet, names); err != nil {
		return nil, err
	}
	ctx, sp := s.sh.tel.start(ctx, s.prefix, o, names)
	ss, cached, err := s.getFieldsValid(ctx, o, names, fresh)
	ss, err = s.requireAll(o, names, ss, err)
	s.sh.tel.finish(ctx, sp, o, names, cached, err)
	return ss, err
}

func (s *Store) getFieldsValid(ctx context.Context, o op, names []string, fresh bool) (Secrets, bool, error) {
	secrets := make([]string, 0, len(names))
	for _, n := range names {
		if sec, _, _ := splitField(n); !contains(secrets, sec) {
			secrets = append(secrets, sec)
		}
	}
	whole, cached, err := s.getValid(ctx, o, secrets, fresh)
	if err != nil {
		return nil, false, err
	}
	ss := make(Secrets, len(names))
	var bad []string
	for _, n := range names {
		sec, field, isField := splitField(n)
		w, ok := whole[sec]
		switch {
		case !ok:
		case !isField:
			ss[n] = w
		default:
			v, found, err := extractField(*w.p, field)
			if err != nil {
				if !contains(bad, sec) {
					bad = append(bad, sec)
				}
				continue
			}
			if found {
				s.observe(&v)
				ss[n] = Secret{p: &v}
			}
		}
	}
	if len(bad) > 0 {
		return nil, cached, s.newError(o.String(), bad, driver.InvalidValue, errNotObject)
	}
	return ss, cached, nil
}

// lookupField is Lookup of a field: a Get of one name.
func (s *Store) lookupField(ctx context.Context, name string) (Secret, bool, error) {
	ss, err := s.getFields(ctx, opLookup, []string{name}, false)
	if err != nil {
		return Secret{}, false, err
	}
	sec, ok := ss[name]
	return sec, ok, nil
}

// errNotObject is the error of a secret whose fields are asked for and whose
// value is not a JSON object. It never quotes the value, nor the JSON
// parser's message, which may quote a byte of it.
var errNotObject = errors.New("the secret's value is not a JSON object, so it has no fields")

// extractField returns the field of a JSON object value: a string's text; a
// number's, a boolean's, an object's or an array's JSON text (compact). A
// field that is absent or null is not found. A value that is not a JSON
// object is errNotObject.
func extractField(value, field string) (v string, found bool, err error) {
	m, err := parseObject(value)
	if err != nil {
		return "", false, err
	}
	raw, ok := m[field]
	if !ok || string(raw) == "null" {
		return "", false, nil
	}
	if raw[0] == '"' {
		if err := json.Unmarshal(raw, &v); err != nil {
			return "", false, errNotObject
		}
		return v, true, nil
	}
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		return "", false, errNotObject
	}
	return b.String(), true, nil
}

// parseObject decodes a JSON object's top-level members (the last of
// duplicate keys wins, as in encoding/json).
func parseObject(value string) (map[string]json.RawMessage, error) {
	t := strings.TrimLeft(value, " \t\r\n")
	if t == "" || t[0] != '{' {
		return nil, errNotObject
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal([]byte(value), &m); err != nil || m == nil {
		return nil, errNotObject
	}
	return m, nil
}

// withField returns the value old (nil: no secret) with its field set to
// val, or removed when val is nil, and whether that changes anything. The
// object is re-encoded by encoding/json: keys sorted, compact, the other
// members' JSON values kept.
func withField(old *string, field string, val *string) (string, bool, error) {
	m := map[string]json.RawMessage{}
	if old != nil {
		var err error
		if m, err = parseObject(*old); err != nil {
			return "", false, err
		}
	}
	if val == nil {
		if _, ok := m[field]; !ok {
			return "", false, nil
		}
		delete(m, field)
	} else {
		b, err := json.Marshal(*val)
		if err != nil {
			return "", false, err
		}
		m[field] = b
	}
	b, err := json.Marshal(m)
	if err != nil {
		return "", false, errNotObject
	}
	return string(b), true, nil
}

// writeField sets (val non-nil) or removes a field of a secret, with a
// conditional read-modify-write through the driver's [driver.Swapper], so
// that a concurrent write of the secret is never lost: on a Conflict it
// reads again, up to fieldWriteAttempts times.
func (s *Store) writeField(ctx context.Context, o op, need Perm, name string, val *string) error {
	names := []string{name}
	if err := s.admitFields(ctx, o, need, names); err != nil {
		return err
	}
	ctx, sp := s.sh.tel.start(ctx, s.prefix, o, names)
	s.observe(val)
	err := s.writeFieldValid(ctx, o, name, val)
	err = s.wrap(o.String(), names, err)
	s.sh.tel.finish(ctx, sp, o, names, false, err)
	return err
}

func (s *Store) writeFieldValid(ctx context.Context, o op, name string, val *string) error {
	sw, ok := s.sh.drv.(driver.Swapper)
	if !ok {
		return driver.Errorf(driver.NotSupported, "the driver cannot write conditionally (no driver.Swapper), so a field cannot be written without risking a concurrent change of the other fields")
	}
	if val != nil && !utf8.ValidString(*val) {
		return driver.Errorf(driver.InvalidValue, "a field's value must be valid UTF-8, since it is stored in JSON")
	}
	sec, field, _ := splitField(name)
	key := s.key(sec)
	for attempt := 1; ; attempt++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		m, err := s.fetch(ctx, o, []string{key})
		if err != nil {
			return err
		}
		var old *string
		if v, ok := m[key]; ok {
			old = &v
		}
		next, change, err := withField(old, field, val)
		if err != nil {
			return driver.NewError(driver.InvalidValue, err)
		}
		if !change {
			return nil
		}
		s.observe(&next)
		done := s.cacheWrite(key)
		err = sw.CompareAndSwap(ctx, key, old, next)
		done(&next, err != nil)
		if err == nil || attempt == fieldWriteAttempts || classify(s.sh.drv, err) != driver.Conflict {
			return err
		}
	}
}

// ValidateRequestName reports whether name may be asked of a Store: a
// portable name ([ValidateName]) or a field of one, "secret#field" (see
// [FieldSep]). The error matches [ErrInvalidName]. Drivers and listings
// keep to ValidateName: no secret's name holds a '#'.
func ValidateRequestName(name string) error {
	if !hasField(name) {
		return ValidateName(name)
	}
	if reason := checkFieldName("", name); reason != "" {
		return &nameError{name: name, reason: reason}
	}
	return nil
}
