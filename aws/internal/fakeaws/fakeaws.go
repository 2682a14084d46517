// Package fakeaws is an in-process AWS Secrets Manager for the awssm
// driver's tests: an httptest server speaking the AWS JSON 1.1 protocol
// for the calls the driver makes, with the answers and error codes the API
// reference documents. Tests reach its state directly (under Mu) to seed
// secrets, inject failures and check what the driver did.
package fakeaws

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

// Server is an httptest server speaking the AWS JSON 1.1 protocol of Secrets
// Manager for the calls the driver makes, with the responses and error codes
// the API reference documents, including the two kumo lacks:
// BatchGetSecretValue (with per-secret errors) and RestoreSecret. It counts
// requests per action, and a test can inject errors.
type Server struct {
	HTTP *httptest.Server // the endpoint to give the SDK: HTTP.URL

	Mu      sync.Mutex         // guards what follows; hold it to read or change them
	Secrets map[string]*Secret // by name
	Calls   map[string]int     // requests by action
	// Fail, when set, may answer a request instead of the fake: it returns
	// an HTTP status, an error code and a message, or status 0 to let the
	// request through. It is called with Mu held.
	Fail func(action string, req *Request) (status int, code, msg string)
	// BatchPage, when positive, splits a BatchGetSecretValue answer into
	// pages of that many entries (values and errors).
	BatchPage int
	// ItemErr, when set, may give one secret of a batch a per-secret error
	// code. It is called with mu held.
	ItemErr func(id string) (code, msg string)
}

// Secret is a secret and its versions.
type Secret struct {
	Versions []Version // oldest first
	Current  int       // index into Versions, -1 for none
	Previous int       // index into versions, -1 for none
	Deleted  bool
	Labels   map[string]int // staging labels other than AWSCURRENT and AWSPREVIOUS
	KMSKey   string
	Tags     map[string]string
}

// Version is one version of a secret: a string or a binary value.
type Version struct {
	ID  string
	Str *string
	Bin []byte
}

// Request holds every request field the driver sends.
type Request struct {
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

// New starts a fake, stopped when the test ends.
func New(t testing.TB) *Server {
	f := &Server{Secrets: map[string]*Secret{}, Calls: map[string]int{}}
	f.HTTP = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.HTTP.Close)
	return f
}

// Count returns how many requests of action the fake received ("" for all).
func (f *Server) Count(action string) int {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	if action != "" {
		return f.Calls[action]
	}
	n := 0
	for _, c := range f.Calls {
		n += c
	}
	return n
}

// ResetCounts forgets the requests received so far.
func (f *Server) ResetCounts() {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	clear(f.Calls)
}

// Seed stores a secret directly, as another tool would have.
func (f *Server) Seed(name string, str *string, bin []byte) {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	s := &Secret{Current: -1, Previous: -1}
	f.Secrets[name] = s
	s.Put(str, bin)
}

// Put adds a version and makes it current, the current one previous; it
// returns the new version's id. Hold Mu.
func (s *Secret) Put(str *string, bin []byte) string {
	id := fmt.Sprintf("v%d", len(s.Versions)+1)
	s.Versions = append(s.Versions, Version{ID: id, Str: str, Bin: bin})
	s.Previous, s.Current = s.Current, len(s.Versions)-1
	return id
}

func arn(name string) string {
	return "arn:aws:secretsmanager:eu-west-1:123456789012:secret:" + name + "-AbCdEf"
}

func (f *Server) serve(w http.ResponseWriter, r *http.Request) {
	action, ok := strings.CutPrefix(r.Header.Get("X-Amz-Target"), "secretsmanager.")
	if r.Method != http.MethodPost || !ok || r.Header.Get("Content-Type") != "application/x-amz-json-1.1" {
		writeErr(w, 400, "UnknownOperationException", "")
		return
	}
	var req Request
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeErr(w, 400, "SerializationException", "")
		return
	}
	f.Mu.Lock()
	defer f.Mu.Unlock()
	f.Calls[action]++
	if f.Fail != nil {
		if status, code, msg := f.Fail(action, &req); status != 0 {
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
	w.Header().Set("X-Amzn-Requestid", "fake-"+strconv.Itoa(f.Calls[action]))
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
func (f *Server) value(name string, s *Secret, i int) map[string]any {
	v := s.Versions[i]
	m := map[string]any{"ARN": arn(name), "Name": name, "VersionId": v.ID, "CreatedDate": float64(time.Now().Unix())}
	var stages []string
	if i == s.Current {
		stages = append(stages, "AWSCURRENT")
	}
	if i == s.Previous {
		stages = append(stages, "AWSPREVIOUS")
	}
	m["VersionStages"] = stages
	if v.Str != nil {
		m["SecretString"] = *v.Str
	} else {
		m["SecretBinary"] = v.Bin
	}
	return m
}

func (f *Server) do(action string, req *Request) (status int, code, msg string, out any) {
	s := f.Secrets[req.SecretId]
	switch action {
	case "GetSecretValue":
		switch {
		case s == nil:
			return 400, "ResourceNotFoundException", msgMissing, nil
		case s.Deleted:
			return 400, "InvalidRequestException", msgMarked, nil
		}
		i := s.Current
		if req.VersionStage == "AWSPREVIOUS" {
			i = s.Previous
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
		if f.BatchPage > 0 {
			ids = ids[start:min(start+f.BatchPage, len(ids))]
			if start+f.BatchPage < len(req.SecretIdList) {
				next = strconv.Itoa(start + f.BatchPage)
			}
		}
		for _, id := range ids {
			s := f.Secrets[id]
			if f.ItemErr != nil {
				if code, msg := f.ItemErr(id); code != "" {
					errs = append(errs, map[string]string{"SecretId": id, "ErrorCode": code, "Message": msg})
					continue
				}
			}
			switch {
			case s == nil || s.Current < 0:
				errs = append(errs, map[string]string{"SecretId": id, "ErrorCode": "ResourceNotFoundException", "Message": msgMissing})
			case s.Deleted:
				errs = append(errs, map[string]string{"SecretId": id, "ErrorCode": "InvalidRequestException", "Message": msgMarked})
			default:
				vals = append(vals, f.value(id, s, s.Current))
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
		case s.Deleted:
			return 400, "InvalidRequestException", msgMarked, nil
		}
		if len(req.VersionStages) == 0 || slices.Contains(req.VersionStages, "AWSCURRENT") {
			v := s.Put(req.SecretString, req.SecretBinary)
			return 200, "", "", map[string]any{"ARN": arn(req.SecretId), "Name": req.SecretId, "VersionId": v, "VersionStages": []string{"AWSCURRENT"}}
		}
		// Labels only: AWSCURRENT stays where it is.
		v := fmt.Sprintf("v%d", len(s.Versions)+1)
		s.Versions = append(s.Versions, Version{ID: v, Str: req.SecretString, Bin: req.SecretBinary})
		for _, l := range req.VersionStages {
			if s.Labels == nil {
				s.Labels = map[string]int{}
			}
			s.Labels[l] = len(s.Versions) - 1
		}
		return 200, "", "", map[string]any{"ARN": arn(req.SecretId), "Name": req.SecretId, "VersionId": v, "VersionStages": req.VersionStages}

	case "UpdateSecretVersionStage":
		switch {
		case s == nil:
			return 400, "ResourceNotFoundException", msgMissing, nil
		case s.Deleted:
			return 400, "InvalidRequestException", msgMarked, nil
		}
		find := func(id string) int {
			return slices.IndexFunc(s.Versions, func(v Version) bool { return v.ID == id })
		}
		holder := -1
		if req.VersionStage == "AWSCURRENT" {
			holder = s.Current
		} else if i, ok := s.Labels[req.VersionStage]; ok {
			holder = i
		}
		if holder >= 0 && (req.RemoveFromVersionId == "" && req.MoveToVersionId != "" || req.RemoveFromVersionId != "" && s.Versions[holder].ID != req.RemoveFromVersionId) {
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
			s.Previous, s.Current = s.Current, to
		case req.VersionStage == "AWSCURRENT":
			return 400, "InvalidParameterException", "AWSCURRENT cannot be removed", nil
		case to >= 0:
			if s.Labels == nil {
				s.Labels = map[string]int{}
			}
			s.Labels[req.VersionStage] = to
		default:
			delete(s.Labels, req.VersionStage)
		}
		return 200, "", "", map[string]any{"ARN": arn(req.SecretId), "Name": req.SecretId}

	case "CreateSecret":
		s := f.Secrets[req.Name]
		switch {
		case s != nil && s.Deleted:
			return 400, "InvalidRequestException", msgCreate, nil
		case s != nil:
			return 400, "ResourceExistsException", "The operation failed because the secret " + req.Name + " already exists.", nil
		}
		s = &Secret{Current: -1, Previous: -1, KMSKey: req.KmsKeyId}
		for _, t := range req.Tags {
			if s.Tags == nil {
				s.Tags = map[string]string{}
			}
			s.Tags[t.Key] = t.Value
		}
		out := map[string]any{"ARN": arn(req.Name), "Name": req.Name}
		if req.SecretString != nil || req.SecretBinary != nil {
			out["VersionId"] = s.Put(req.SecretString, req.SecretBinary)
		}
		f.Secrets[req.Name] = s
		return 200, "", "", out

	case "DeleteSecret":
		switch {
		case s == nil:
			return 400, "ResourceNotFoundException", msgMissing, nil
		case req.ForceDeleteWithoutRecovery && req.RecoveryWindowInDays != 0:
			return 400, "InvalidParameterException", "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.", nil
		case req.ForceDeleteWithoutRecovery:
			delete(f.Secrets, req.SecretId)
		case req.RecoveryWindowInDays != 0 && (req.RecoveryWindowInDays < 7 || req.RecoveryWindowInDays > 30):
			return 400, "InvalidParameterException", "The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).", nil
		case s.Deleted:
			return 400, "InvalidRequestException", "You can't perform this operation on the secret because it was already scheduled for deletion.", nil
		default:
			s.Deleted = true
		}
		return 200, "", "", map[string]any{"ARN": arn(req.SecretId), "Name": req.SecretId, "DeletionDate": float64(time.Now().Unix())}

	case "RestoreSecret":
		if s == nil {
			return 400, "ResourceNotFoundException", msgMissing, nil
		}
		s.Deleted = false
		return 200, "", "", map[string]any{"ARN": arn(req.SecretId), "Name": req.SecretId}

	case "ListSecrets":
		var names []string
		for n, s := range f.Secrets {
			match := true
			for _, flt := range req.Filters {
				if flt.Key != "name" || len(flt.Values) != 1 {
					return 400, "InvalidParameterException", "unsupported filter", nil
				}
				match = match && strings.HasPrefix(n, flt.Values[0]) // case-sensitive, as documented
			}
			if match && !s.Deleted {
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
