package awssm_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeSM is an httptest server speaking the AWS JSON 1.1 protocol of Secrets
// Manager for the calls the driver makes, with the responses and error codes
// the API reference documents, including the two kumo lacks:
// BatchGetSecretValue (with per-secret errors) and RestoreSecret. It counts
// requests per action, and a test can inject errors.
type fakeSM struct {
	srv *httptest.Server

	mu      sync.Mutex
	secrets map[string]*fakeSecret
	calls   map[string]int
	// fail, when set, may answer a request instead of the fake: it returns
	// an HTTP status, an error code and a message, or status 0 to let the
	// request through. It is called with mu held.
	fail func(action string, req *fakeReq) (status int, code, msg string)
	// batchPage, when positive, splits a BatchGetSecretValue answer into
	// pages of that many entries (values and errors).
	batchPage int
	// itemErr, when set, may give one secret of a batch a per-secret error
	// code. It is called with mu held.
	itemErr func(id string) (code, msg string)
}

type fakeSecret struct {
	versions []fakeVersion // oldest first
	current  int           // index into versions, -1 for none
	previous int           // index into versions, -1 for none
	deleted  bool
	labels   map[string]int // staging labels other than AWSCURRENT and AWSPREVIOUS
	kmsKey   string
	tags     map[string]string
}

type fakeVersion struct {
	id  string
	str *string
	bin []byte
}

// fakeReq holds every request field the driver sends.
type fakeReq struct {
	SecretId     string
	Name         string
	SecretString *string
	SecretBinary []byte
	VersionStage string
	SecretIdList []string
	Filters      []struct {
		Key    string
		Values []string
	}
	NextToken                  string
	MaxResults                 int
	RecoveryWindowInDays       int
	ForceDeleteWithoutRecovery bool
	KmsKeyId                   string
	Tags                       []struct{ Key, Value string }
	ClientRequestToken         string
	VersionStages              []string
	MoveToVersionId            string
	RemoveFromVersionId        string
}

func newFake(t testing.TB) *fakeSM {
	f := &fakeSM{secrets: map[string]*fakeSecret{}, calls: map[string]int{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

// count returns how many requests of action the fake received ("" for all).
func (f *fakeSM) count(action string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	if action != "" {
		return f.calls[action]
	}
	n := 0
	for _, c := range f.calls {
		n += c
	}
	return n
}

func (f *fakeSM) resetCounts() {
	f.mu.Lock()
	defer f.mu.Unlock()
	clear(f.calls)
}

// seed stores a secret directly, as another tool would have.
func (f *fakeSM) seed(name string, str *string, bin []byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s := &fakeSecret{current: -1, previous: -1}
	f.secrets[name] = s
	s.put(str, bin)
}

func (s *fakeSecret) put(str *string, bin []byte) string {
	id := fmt.Sprintf("v%d", len(s.versions)+1)
	s.versions = append(s.versions, fakeVersion{id: id, str: str, bin: bin})
	s.previous, s.current = s.current, len(s.versions)-1
	return id
}

func arn(name string) string {
	return "arn:aws:secretsmanager:eu-west-1:123456789012:secret:" + name + "-AbCdEf"
}

func (f *fakeSM) serve(w http.ResponseWriter, r *http.Request) {
	action, ok := strings.CutPrefix(r.Header.Get("X-Amz-Target"), "secretsmanager.")
	if r.Method != http.MethodPost || !ok || r.Header.Get("Content-Type") != "application/x-amz-json-1.1" {
		writeErr(w, 400, "UnknownOperationException", "")
		return
	}
	var req fakeReq
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeErr(w, 400, "SerializationException", "")
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls[action]++
	if f.fail != nil {
		if status, code, msg := f.fail(action, &req); status != 0 {
			writeErr(w, status, code, msg)
			return
		}
	}
	status, code, msg, out := f.do(action, &req)
	if status != 200 {
		writeErr(w, status, code, msg)
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-Requestid", "fake-"+strconv.Itoa(f.calls[action]))
	_ = json.NewEncoder(w).Encode(out)
}

func writeErr(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-Requestid", "fake-error")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"__type": code, "message": msg})
}

const (
	msgMarked  = "You can't perform this operation on the secret because it was marked for deletion."
	msgCreate  = "You can't create this secret because a secret with this name is already scheduled for deletion."
	msgMissing = "Secrets Manager can't find the specified secret."
)

// value renders a version as GetSecretValue and BatchGetSecretValue do.
func (f *fakeSM) value(name string, s *fakeSecret, i int) map[string]any {
	v := s.versions[i]
	m := map[string]any{"ARN": arn(name), "Name": name, "VersionId": v.id, "CreatedDate": float64(time.Now().Unix())}
	var stages []string
	if i == s.current {
		stages = append(stages, "AWSCURRENT")
	}
	if i == s.previous {
		stages = append(stages, "AWSPREVIOUS")
	}
	m["VersionStages"] = stages
	if v.str != nil {
		m["SecretString"] = *v.str
	} else {
		m["SecretBinary"] = v.bin
	}
	return m
}

func (f *fakeSM) do(action string, req *fakeReq) (status int, code, msg string, out any) {
	s := f.secrets[req.SecretId]
	switch action {
	case "GetSecretValue":
		switch {
		case s == nil:
			return 400, "ResourceNotFoundException", msgMissing, nil
		case s.deleted:
			return 400, "InvalidRequestException", msgMarked, nil
		}
		i := s.current
		if req.VersionStage == "AWSPREVIOUS" {
			i = s.previous
		}
		if i < 0 {
			return 400, "ResourceNotFoundException", "Secrets Manager can't find the specified secret value for staging label: " + req.VersionStage, nil
		}
		return 200, "", "", f.value(req.SecretId, s, i)

	case "BatchGetSecretValue":
		if len(req.SecretIdList) == 0 || len(req.SecretIdList) > 20 {
			return 400, "InvalidParameterException", "SecretIdList must have 1 to 20 entries", nil
		}
		var vals []map[string]any
		var errs []map[string]string
		ids := req.SecretIdList
		start, _ := strconv.Atoi(req.NextToken)
		next := ""
		if f.batchPage > 0 {
			ids = ids[start:min(start+f.batchPage, len(ids))]
			if start+f.batchPage < len(req.SecretIdList) {
				next = strconv.Itoa(start + f.batchPage)
			}
		}
		for _, id := range ids {
			s := f.secrets[id]
			if f.itemErr != nil {
				if code, msg := f.itemErr(id); code != "" {
					errs = append(errs, map[string]string{"SecretId": id, "ErrorCode": code, "Message": msg})
					continue
				}
			}
			switch {
			case s == nil || s.current < 0:
				errs = append(errs, map[string]string{"SecretId": id, "ErrorCode": "ResourceNotFoundException", "Message": msgMissing})
			case s.deleted:
				errs = append(errs, map[string]string{"SecretId": id, "ErrorCode": "InvalidRequestException", "Message": msgMarked})
			default:
				vals = append(vals, f.value(id, s, s.current))
			}
		}
		out := map[string]any{"SecretValues": vals, "Errors": errs}
		if next != "" {
			out["NextToken"] = next
		}
		return 200, "", "", out

	case "PutSecretValue":
		if (req.SecretString == nil) == (req.SecretBinary == nil) || (req.SecretString != nil && *req.SecretString == "") || (req.SecretBinary != nil && len(req.SecretBinary) == 0) {
			return 400, "InvalidParameterException", "You must provide either SecretString or SecretBinary.", nil
		}
		switch {
		case s == nil:
			return 400, "ResourceNotFoundException", msgMissing, nil
		case s.deleted:
			return 400, "InvalidRequestException", msgMarked, nil
		}
		if len(req.VersionStages) == 0 || slices.Contains(req.VersionStages, "AWSCURRENT") {
			v := s.put(req.SecretString, req.SecretBinary)
			return 200, "", "", map[string]any{"ARN": arn(req.SecretId), "Name": req.SecretId, "VersionId": v, "VersionStages": []string{"AWSCURRENT"}}
		}
		// Labels only: AWSCURRENT stays where it is.
		v := fmt.Sprintf("v%d", len(s.versions)+1)
		s.versions = append(s.versions, fakeVersion{id: v, str: req.SecretString, bin: req.SecretBinary})
		for _, l := range req.VersionStages {
			if s.labels == nil {
				s.labels = map[string]int{}
			}
			s.labels[l] = len(s.versions) - 1
		}
		return 200, "", "", map[string]any{"ARN": arn(req.SecretId), "Name": req.SecretId, "VersionId": v, "VersionStages": req.VersionStages}

	case "UpdateSecretVersionStage":
		switch {
		case s == nil:
			return 400, "ResourceNotFoundException", msgMissing, nil
		case s.deleted:
			return 400, "InvalidRequestException", msgMarked, nil
		}
		find := func(id string) int {
			return slices.IndexFunc(s.versions, func(v fakeVersion) bool { return v.id == id })
		}
		holder := -1
		if req.VersionStage == "AWSCURRENT" {
			holder = s.current
		} else if i, ok := s.labels[req.VersionStage]; ok {
			holder = i
		}
		if holder >= 0 && (req.RemoveFromVersionId == "" && req.MoveToVersionId != "" || req.RemoveFromVersionId != "" && s.versions[holder].id != req.RemoveFromVersionId) {
			return 400, "InvalidParameterException", "The staging label is attached to a different version than RemoveFromVersionId", nil
		}
		to := -1
		if req.MoveToVersionId != "" {
			if to = find(req.MoveToVersionId); to < 0 {
				return 400, "ResourceNotFoundException", "no such version", nil
			}
		}
		switch {
		case req.VersionStage == "AWSCURRENT" && to >= 0:
			s.previous, s.current = s.current, to
		case req.VersionStage == "AWSCURRENT":
			return 400, "InvalidParameterException", "AWSCURRENT cannot be removed", nil
		case to >= 0:
			if s.labels == nil {
				s.labels = map[string]int{}
			}
			s.labels[req.VersionStage] = to
		default:
			delete(s.labels, req.VersionStage)
		}
		return 200, "", "", map[string]any{"ARN": arn(req.SecretId), "Name": req.SecretId}

	case "CreateSecret":
		s := f.secrets[req.Name]
		switch {
		case s != nil && s.deleted:
			return 400, "InvalidRequestException", msgCreate, nil
		case s != nil:
			return 400, "ResourceExistsException", "The operation failed because the secret " + req.Name + " already exists.", nil
		}
		s = &fakeSecret{current: -1, previous: -1, kmsKey: req.KmsKeyId}
		for _, t := range req.Tags {
			if s.tags == nil {
				s.tags = map[string]string{}
			}
			s.tags[t.Key] = t.Value
		}
		out := map[string]any{"ARN": arn(req.Name), "Name": req.Name}
		if req.SecretString != nil || req.SecretBinary != nil {
			out["VersionId"] = s.put(req.SecretString, req.SecretBinary)
		}
		f.secrets[req.Name] = s
		return 200, "", "", out

	case "DeleteSecret":
		switch {
		case s == nil:
			return 400, "ResourceNotFoundException", msgMissing, nil
		case req.ForceDeleteWithoutRecovery && req.RecoveryWindowInDays != 0:
			return 400, "InvalidParameterException", "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.", nil
		case req.ForceDeleteWithoutRecovery:
			delete(f.secrets, req.SecretId)
		case req.RecoveryWindowInDays != 0 && (req.RecoveryWindowInDays < 7 || req.RecoveryWindowInDays > 30):
			return 400, "InvalidParameterException", "The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).", nil
		case s.deleted:
			return 400, "InvalidRequestException", "You can't perform this operation on the secret because it was already scheduled for deletion.", nil
		default:
			s.deleted = true
		}
		return 200, "", "", map[string]any{"ARN": arn(req.SecretId), "Name": req.SecretId, "DeletionDate": float64(time.Now().Unix())}

	case "RestoreSecret":
		if s == nil {
			return 400, "ResourceNotFoundException", msgMissing, nil
		}
		s.deleted = false
		return 200, "", "", map[string]any{"ARN": arn(req.SecretId), "Name": req.SecretId}

	case "ListSecrets":
		var names []string
		for n, s := range f.secrets {
			match := true
			for _, flt := range req.Filters {
				if flt.Key != "name" || len(flt.Values) != 1 {
					return 400, "InvalidParameterException", "unsupported filter", nil
				}
				match = match && strings.HasPrefix(n, flt.Values[0]) // case-sensitive, as documented
			}
			if match && !s.deleted {
				names = append(names, n)
			}
		}
		slices.Sort(names)
		start, _ := strconv.Atoi(req.NextToken)
		size := req.MaxResults
		if size <= 0 || size > 100 {
			size = 100
		}
		end := min(start+size, len(names))
		var list []map[string]any
		for _, n := range names[start:end] {
			list = append(list, map[string]any{"ARN": arn(n), "Name": n})
		}
		out := map[string]any{"SecretList": list}
		if end < len(names) {
			out["NextToken"] = strconv.Itoa(end)
		}
		return 200, "", "", out
	}
	return 400, "InvalidAction", "The action " + action + " is not valid", nil
}
