// Package fakegcp is an in-process, stateful Google Secret Manager server for
// tests. It implements secretmanagerpb.SecretManagerServiceServer, the
// generated gRPC service of the official client's own secretmanagerpb
// package, and serves it over real gRPC on a 127.0.0.1 listener, so that
// the official client (cloud.google.com/go/secretmanager/apiv1) talks to it
// exactly as it talks to secretmanager.googleapis.com, through
// [Server.ClientOptions].
//
// No Secret Manager emulator exists, so this is the one way to run a driver
// through the real client here. It follows the API reference of
// google.cloud.secretmanager.v1 and the service's observed behaviour:
//
//   - Secrets live under projects/<project>/secrets/<id>. Requests may name
//     a project by id or number; resource names in responses always carry
//     the number, as the service's do ([Server.ProjectNumber]). Ids are 1–255
//     of letters, digits, '_' and '-' (INVALID_ARGUMENT otherwise). CreateSecret
//     requires a replication policy (automatic, or user-managed with at
//     least one replica location) and answers ALREADY_EXISTS for an id that
//     exists. A new secret has no versions.
//   - AddSecretVersion appends version 1, 2, ... in state ENABLED. The
//     payload must be 1 to 65,536 bytes: larger is INVALID_ARGUMENT, and so
//     is empty (the reference does not say so, but the service refuses an
//     empty payload: firebase-tools#3863, terraform-provider-google#10475).
//     A data_crc32c sent with the payload is checked (INVALID_ARGUMENT on a
//     mismatch) and stored; without one the server computes it.
//   - AccessSecretVersion and GetSecretVersion take a version number or the
//     alias "latest", which is, as documented, the most recently created
//     version whatever its state. Accessing a version that is not ENABLED
//     is FAILED_PRECONDITION ("... is in DISABLED state."); a missing secret,
//     version, or "latest" of a secret without versions is NOT_FOUND. The
//     response carries the resolved version name and the payload's CRC32C.
//     Option [Options.LatestSkipsDisabled] makes "latest" the newest ENABLED
//     version instead, to test a client against that reading too.
//   - DisableSecretVersion, EnableSecretVersion and DestroySecretVersion move
//     versions between ENABLED, DISABLED and DESTROYED; DESTROYED is final
//     (FAILED_PRECONDITION on any further change) and drops the data.
//   - DeleteSecret deletes a secret and all its versions (NOT_FOUND if
//     absent).
//   - ListSecrets (ascending by name) and ListSecretVersions (newest first)
//     page with opaque page tokens, at most [Options.MaxPageSize] items per
//     page, and filter by one restriction: name:VALUE (the resource name
//     contains VALUE; VALUE may be double-quoted) and, for versions,
//     state:STATE or state=STATE. Other filters are INVALID_ARGUMENT.
//
// Not implemented (UNIMPLEMENTED, or INVALID_ARGUMENT where a request field
// asks for it): IAM, UpdateSecret of fields other than labels and
// annotations, regional (locations/...) resources,
// version aliases other than "latest", etags, expiry, rotation, topics and
// CMEK. Test hooks inject faults: [Server.Fail] (any status code, such as
// UNAVAILABLE or RESOURCE_EXHAUSTED), [Server.CorruptNextAccess] (a payload
// that does not match its checksum) and [Server.SetHook] (runs at the start
// of every call); [Server.Calls] counts calls. The quota of read requests
// other than value accesses (600 per minute per project) is modelled with
// [Options.ReadQuota] and [Server.Reads]. [Server.Seed] makes secrets as a
// console or Terraform would (DB_PASSWORD, db-password, ...).
package fakegcp

import (
	"context"
	"encoding/base64"
	"fmt"
	"hash/crc32"
	"maps"
	"net"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"cloud.google.com/go/secretmanager/apiv1/secretmanagerpb"
	"google.golang.org/api/option"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// MaxPayload is the largest payload Secret Manager accepts: 64 KiB.
const MaxPayload = 64 << 10

// DefaultMaxPageSize is the largest page the service returns.
const DefaultMaxPageSize = 25000

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

var (
	secretIDRe   = regexp.MustCompile(`^[A-Za-z0-9_-]{1,255}$`)
	projectRe    = regexp.MustCompile(`^projects/[^/]+$`)
	secretNameRe = regexp.MustCompile(`^(projects/[^/]+)/secrets/([^/]+)$`)
	versionRe    = regexp.MustCompile(`^(projects/[^/]+/secrets/[^/]+)/versions/([^/]+)$`)
)

// Options tune the server.
type Options struct {
	// MaxPageSize caps the items of one list page (default and at most
	// DefaultMaxPageSize). Small values make clients page.
	MaxPageSize int
	// LatestSkipsDisabled resolves "latest" to the newest ENABLED version
	// instead of the newest version, as documented.
	LatestSkipsDisabled bool
	// ReadQuota, when positive, is the number of read requests other than
	// AccessSecretVersion (GetSecret, ListSecrets and ListSecretVersions
	// pages, GetSecretVersion) the server answers per minute of the
	// server's clock; past it they fail with RESOURCE_EXHAUSTED, as the
	// service's "read requests per minute per project" quota (600) does,
	// while AccessSecretVersion has a quota of its own (90,000) that the
	// fake does not model. [Server.Reads] counts these reads either way.
	ReadQuota int
	// Now is the server's clock for the read quota; nil means time.Now.
	Now func() time.Time
}

// readMethods are the calls that count against the quota of read requests
// (every read but AccessSecretVersion).
var readMethods = map[string]bool{
	"GetSecret": true, "ListSecrets": true, "ListSecretVersions": true, "GetSecretVersion": true,
}

// Server is the fake service. Its methods are safe for concurrent use.
type Server struct {
	secretmanagerpb.UnimplementedSecretManagerServiceServer

	opts Options

	mu      sync.Mutex
	secrets map[string]*secret // by full resource name
	faults  map[string][]codes.Code
	corrupt int
	calls   map[string]int
	hook    func(ctx context.Context, method string, req any) error
	clock   int64
	numbers map[string]string // project id → project number
	reads   int               // read requests counted against the quota
	window  time.Time         // the minute the quota counts in
	inWin   int               // reads answered in window

	gs  *grpc.Server
	lis net.Listener
}

type secret struct {
	meta     *secretmanagerpb.Secret
	versions []*version // versions[i] is version i+1
}

type version struct {
	meta *secretmanagerpb.SecretVersion
	data []byte
	crc  int64
}

// New returns a server that is not listening; use it with
// [Server.Register] on a grpc.Server of your own, or use [Start].
func New(opts Options) *Server {
	if opts.MaxPageSize <= 0 || opts.MaxPageSize > DefaultMaxPageSize {
		opts.MaxPageSize = DefaultMaxPageSize
	}
	return &Server{
		opts:    opts,
		secrets: map[string]*secret{},
		faults:  map[string][]codes.Code{},
		calls:   map[string]int{},
		numbers: map[string]string{},
	}
}

// Start starts a server on a fresh 127.0.0.1 port, serving real gRPC.
// Close stops it.
func Start(opts Options) (*Server, error) {
	s := New(opts)
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s.lis = lis
	s.gs = grpc.NewServer(grpc.UnaryInterceptor(s.Intercept))
	secretmanagerpb.RegisterSecretManagerServiceServer(s.gs, s)
	go func() { _ = s.gs.Serve(lis) }()
	return s, nil
}

// Addr returns the address the server listens on (host:port).
func (s *Server) Addr() string { return s.lis.Addr().String() }

// ClientOptions returns the options that point the official client at the
// server: its endpoint, no authentication and plaintext gRPC.
func (s *Server) ClientOptions() []option.ClientOption {
	return []option.ClientOption{
		option.WithEndpoint(s.Addr()),
		option.WithoutAuthentication(),
		option.WithGRPCDialOption(grpc.WithTransportCredentials(insecure.NewCredentials())),
	}
}

// Close stops the server at once, failing calls in flight.
func (s *Server) Close() {
	if s.gs != nil {
		s.gs.Stop()
	}
}

// Fail makes the next n calls of method (such as "AccessSecretVersion")
// fail with code before they touch any state. Faults queue in order.
func (s *Server) Fail(method string, code codes.Code, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.faults[method] = append(s.faults[method], code)
	}
}

// CorruptNextAccess makes the next n successful AccessSecretVersion
// responses carry data with one bit flipped and the stored checksum, as a
// payload damaged after it was checksummed would be.
func (s *Server) CorruptNextAccess(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.corrupt += n
}

// SetHook sets a function that runs at the start of every call with the
// call's method name (such as "AccessSecretVersion") and request, before
// injected faults and before the call reads or changes any state. A non-nil
// error is returned to the client. nil removes the hook.
func (s *Server) SetHook(hook func(ctx context.Context, method string, req any) error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hook = hook
}

// Calls returns how many calls of method reached the server, failed ones
// included.
func (s *Server) Calls(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[method]
}

// Reads returns how many read requests other than AccessSecretVersion
// reached the server (see [Options.ReadQuota]), refused ones included.
func (s *Server) Reads() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.reads
}

// Seed creates a secret with the id in the project, with one ENABLED
// version per value, and labels, directly (no call is counted), as a
// console, gcloud or Terraform would have made it. It panics on an invalid
// id or an existing secret.
func (s *Server) Seed(project, id string, labels map[string]string, values ...string) {
	if !secretIDRe.MatchString(id) {
		panic("fakegcp: Seed: invalid secret id " + strconv.Quote(id))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	name := "projects/" + s.number(project) + "/secrets/" + id
	if _, ok := s.secrets[name]; ok {
		panic("fakegcp: Seed: secret " + strconv.Quote(id) + " exists")
	}
	sec := &secret{meta: &secretmanagerpb.Secret{
		Name:        name,
		Replication: &secretmanagerpb.Replication{Replication: &secretmanagerpb.Replication_Automatic_{Automatic: &secretmanagerpb.Replication_Automatic{}}},
		CreateTime:  s.now(),
		Labels:      labels,
		Etag:        `"1"`,
	}}
	for i, v := range values {
		sec.versions = append(sec.versions, &version{
			meta: &secretmanagerpb.SecretVersion{
				Name:       fmt.Sprintf("%s/versions/%d", name, i+1),
				CreateTime: s.now(),
				State:      secretmanagerpb.SecretVersion_ENABLED,
				Etag:       `"1"`,
			},
			data: []byte(v),
			crc:  int64(crc32.Checksum([]byte(v), castagnoli)),
		})
	}
	s.secrets[name] = sec
}

// Secret returns copies of a secret's metadata and of its versions' metadata
// (versions[i] is version i+1), and whether it exists. name is the full
// resource name, projects/<p>/secrets/<id>, with the project's id or
// number.
func (s *Server) Secret(name string) (*secretmanagerpb.Secret, []*secretmanagerpb.SecretVersion, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sec, ok := s.secrets[s.canon(name)]
	if !ok {
		return nil, nil, false
	}
	vs := make([]*secretmanagerpb.SecretVersion, len(sec.versions))
	for i, v := range sec.versions {
		vs[i] = proto.CloneOf(v.meta)
	}
	return proto.CloneOf(sec.meta), vs, true
}

// Register registers the service on gs.
func (s *Server) Register(gs *grpc.Server) {
	secretmanagerpb.RegisterSecretManagerServiceServer(gs, s)
}

// Intercept is the unary server interceptor that counts calls and applies
// the hook and injected faults. [Start] installs it; install it yourself
// with grpc.UnaryInterceptor when using [Server.Register].
func (s *Server) Intercept(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	method := info.FullMethod[strings.LastIndexByte(info.FullMethod, '/')+1:]
	s.mu.Lock()
	s.calls[method]++
	hook := s.hook
	s.mu.Unlock()
	if hook != nil {
		if err := hook(ctx, method, req); err != nil {
			return nil, err
		}
	}
	s.mu.Lock()
	if readMethods[method] {
		s.reads++
		if s.opts.ReadQuota > 0 {
			now := time.Now
			if s.opts.Now != nil {
				now = s.opts.Now
			}
			if w := now().Truncate(time.Minute); !w.Equal(s.window) {
				s.window, s.inWin = w, 0
			}
			if s.inWin >= s.opts.ReadQuota {
				s.mu.Unlock()
				return nil, status.Errorf(codes.ResourceExhausted,
					"Quota exceeded for quota metric 'Read requests' and limit 'Read requests per minute' of service 'secretmanager.googleapis.com'.")
			}
			s.inWin++
		}
	}
	var fault codes.Code
	if q := s.faults[method]; len(q) > 0 {
		fault, s.faults[method] = q[0], q[1:]
	}
	s.mu.Unlock()
	if fault != codes.OK {
		return nil, status.Errorf(fault, "fakegcp: injected %v", fault)
	}
	return handler(ctx, req)
}

// now returns a strictly increasing timestamp, so that create times order
// versions even on a coarse clock.
func (s *Server) now() *timestamppb.Timestamp {
	s.clock++
	return &timestamppb.Timestamp{Seconds: 1_700_000_000 + s.clock}
}

func notFoundSecret(name string) error {
	return status.Errorf(codes.NotFound, "Secret [%s] not found.", name)
}

// lookup returns the secret called name (projects/*/secrets/*). Callers
// hold s.mu.
func (s *Server) lookup(name string) (*secret, error) {
	if !secretNameRe.MatchString(name) {
		return nil, status.Errorf(codes.InvalidArgument, "Invalid resource field value in the request: name %q", name)
	}
	sec, ok := s.secrets[s.canon(name)]
	if !ok {
		return nil, notFoundSecret(name)
	}
	return sec, nil
}

// ProjectNumber returns the number the server gives the project with this
// id (a number stands for itself). Resource names in responses use
// numbers, as the service's do, whichever a request used.
func (s *Server) ProjectNumber(project string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.number(project)
}

// number returns a project's number. Callers hold s.mu.
func (s *Server) number(project string) string {
	if project != "" && strings.Trim(project, "0123456789") == "" {
		return project
	}
	n, ok := s.numbers[project]
	if !ok {
		n = strconv.Itoa(100_000_000_001 + len(s.numbers))
		s.numbers[project] = n
	}
	return n
}

// canon returns a resource name with its project id replaced by the
// project's number. Callers hold s.mu.
func (s *Server) canon(name string) string {
	rest, ok := strings.CutPrefix(name, "projects/")
	if !ok {
		return name
	}
	p, tail, more := strings.Cut(rest, "/")
	if !more {
		return "projects/" + s.number(p)
	}
	return "projects/" + s.number(p) + "/" + tail
}

// resolve returns the version called name (projects/*/secrets/*/versions/*,
// where * may be "latest" if allowLatest). Callers hold s.mu.
func (s *Server) resolve(name string, allowLatest bool) (*secret, *version, error) {
	m := versionRe.FindStringSubmatch(name)
	if m == nil {
		return nil, nil, status.Errorf(codes.InvalidArgument, "Invalid resource field value in the request: name %q", name)
	}
	sec, err := s.lookup(m[1])
	if err != nil {
		return nil, nil, err
	}
	if m[2] == "latest" && allowLatest {
		for i := len(sec.versions) - 1; i >= 0; i-- {
			v := sec.versions[i]
			if !s.opts.LatestSkipsDisabled || v.meta.State == secretmanagerpb.SecretVersion_ENABLED {
				return sec, v, nil
			}
		}
		return nil, nil, status.Errorf(codes.NotFound, "Secret [%s] not found or has no versions.", m[1])
	}
	n, err := strconv.ParseInt(m[2], 10, 64)
	if err != nil || n < 1 {
		// Aliases other than "latest" are not implemented.
		return nil, nil, status.Errorf(codes.NotFound, "Secret Version [%s] not found.", name)
	}
	if n > int64(len(sec.versions)) {
		return nil, nil, status.Errorf(codes.NotFound, "Secret Version [%s] not found.", name)
	}
	return sec, sec.versions[n-1], nil
}

func stateError(v *version) error {
	return status.Errorf(codes.FailedPrecondition, "Secret Version [%s] is in %s state.", v.meta.Name, v.meta.State)
}

func noEtag(etag string) error {
	if etag != "" {
		return status.Error(codes.InvalidArgument, "fakegcp: etags are not implemented")
	}
	return nil
}

// CreateSecret creates a secret without versions.
func (s *Server) CreateSecret(_ context.Context, req *secretmanagerpb.CreateSecretRequest) (*secretmanagerpb.Secret, error) {
	if !projectRe.MatchString(req.GetParent()) {
		return nil, status.Errorf(codes.InvalidArgument, "Invalid resource field value in the request: parent %q", req.GetParent())
	}
	if !secretIDRe.MatchString(req.GetSecretId()) {
		return nil, status.Error(codes.InvalidArgument,
			"Secret id must be 1 to 255 characters of letters, numerals, hyphens and underscores.")
	}
	in := req.GetSecret()
	if err := checkReplication(in.GetReplication()); err != nil {
		return nil, err
	}
	if in.GetEtag() != "" || in.GetExpiration() != nil || in.GetRotation() != nil || len(in.GetTopics()) > 0 ||
		len(in.GetVersionAliases()) > 0 || in.GetCustomerManagedEncryption() != nil {
		return nil, status.Error(codes.InvalidArgument, "fakegcp: only replication, labels and annotations are implemented")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	name := s.canon(req.GetParent()) + "/secrets/" + req.GetSecretId()
	if _, ok := s.secrets[name]; ok {
		return nil, status.Errorf(codes.AlreadyExists, "Secret [%s] already exists.", name)
	}
	meta := &secretmanagerpb.Secret{
		Name:        name,
		Replication: proto.CloneOf(in.GetReplication()),
		CreateTime:  s.now(),
		Labels:      in.GetLabels(),
		Annotations: in.GetAnnotations(),
		Etag:        `"1"`,
	}
	s.secrets[name] = &secret{meta: meta}
	return proto.CloneOf(meta), nil
}

func checkReplication(r *secretmanagerpb.Replication) error {
	switch {
	case r == nil || r.GetReplication() == nil:
		return status.Error(codes.InvalidArgument, "Field [secret.replication] is required.")
	case r.GetAutomatic() != nil:
		return nil
	}
	um := r.GetUserManaged()
	if len(um.GetReplicas()) == 0 {
		return status.Error(codes.InvalidArgument, "Field [secret.replication.user_managed.replicas] is required.")
	}
	for _, rep := range um.GetReplicas() {
		if rep.GetLocation() == "" {
			return status.Error(codes.InvalidArgument, "Field [secret.replication.user_managed.replicas.location] is required.")
		}
	}
	return nil
}

// GetSecret returns a secret's metadata.
func (s *Server) GetSecret(_ context.Context, req *secretmanagerpb.GetSecretRequest) (*secretmanagerpb.Secret, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sec, err := s.lookup(req.GetName())
	if err != nil {
		return nil, err
	}
	return proto.CloneOf(sec.meta), nil
}

var labelKeyRe = regexp.MustCompile(`^[\p{Ll}\p{Lo}][\p{Ll}\p{Lo}\p{N}_-]{0,62}$`)
var labelValueRe = regexp.MustCompile(`^[\p{Ll}\p{Lo}\p{N}_-]{0,63}$`)

// UpdateSecret changes a secret's labels and annotations, the fields the
// update mask names ("labels", "annotations"; others are
// INVALID_ARGUMENT). An etag in the request must be the secret's current
// one (ABORTED otherwise, as the service answers); each update makes a
// new etag. Labels are checked as documented: keys of 1 to 63 lowercase
// letters, digits, '_' and '-' starting with a letter, values of 0 to 63
// of the same.
func (s *Server) UpdateSecret(_ context.Context, req *secretmanagerpb.UpdateSecretRequest) (*secretmanagerpb.Secret, error) {
	in := req.GetSecret()
	paths := req.GetUpdateMask().GetPaths()
	if len(paths) == 0 {
		return nil, status.Error(codes.InvalidArgument, "Field [update_mask] is required.")
	}
	for _, p := range paths {
		if p != "labels" && p != "annotations" {
			return nil, status.Errorf(codes.InvalidArgument, "fakegcp: update_mask path %q is not implemented", p)
		}
	}
	for k, v := range in.GetLabels() {
		if !labelKeyRe.MatchString(k) || !labelValueRe.MatchString(v) {
			return nil, status.Error(codes.InvalidArgument, "Invalid label: keys and values must be lowercase letters, numerals, underscores and dashes.")
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sec, err := s.lookup(in.GetName())
	if err != nil {
		return nil, err
	}
	if e := in.GetEtag(); e != "" && e != sec.meta.Etag {
		return nil, status.Error(codes.Aborted, "The etag provided in the request does not match the current etag of the secret.")
	}
	for _, p := range paths {
		switch p {
		case "labels":
			sec.meta.Labels = maps.Clone(in.GetLabels())
		case "annotations":
			sec.meta.Annotations = maps.Clone(in.GetAnnotations())
		}
	}
	n, _ := strconv.Atoi(strings.Trim(sec.meta.Etag, `"`))
	sec.meta.Etag = `"` + strconv.Itoa(n+1) + `"`
	return proto.CloneOf(sec.meta), nil
}

// DeleteSecret deletes a secret and its versions.
func (s *Server) DeleteSecret(_ context.Context, req *secretmanagerpb.DeleteSecretRequest) (*emptypb.Empty, error) {
	if err := noEtag(req.GetEtag()); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sec, err := s.lookup(req.GetName())
	if err != nil {
		return nil, err
	}
	delete(s.secrets, sec.meta.Name)
	return &emptypb.Empty{}, nil
}

// AddSecretVersion adds an ENABLED version holding the payload.
func (s *Server) AddSecretVersion(_ context.Context, req *secretmanagerpb.AddSecretVersionRequest) (*secretmanagerpb.SecretVersion, error) {
	p := req.GetPayload()
	switch {
	case p == nil || len(p.GetData()) == 0:
		return nil, status.Error(codes.InvalidArgument, "Field [payload] is required.")
	case len(p.GetData()) > MaxPayload:
		return nil, status.Errorf(codes.InvalidArgument, "Secret payload size %d bytes exceeds the limit of %d bytes.", len(p.GetData()), MaxPayload)
	}
	crc := int64(crc32.Checksum(p.GetData(), castagnoli))
	if p.DataCrc32C != nil && p.GetDataCrc32C() != crc {
		return nil, status.Error(codes.InvalidArgument, "Checksum mismatch: the payload's data_crc32c does not match its data.")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sec, err := s.lookup(req.GetParent())
	if err != nil {
		return nil, err
	}
	meta := &secretmanagerpb.SecretVersion{
		Name:                           fmt.Sprintf("%s/versions/%d", sec.meta.Name, len(sec.versions)+1),
		CreateTime:                     s.now(),
		State:                          secretmanagerpb.SecretVersion_ENABLED,
		Etag:                           `"1"`,
		ClientSpecifiedPayloadChecksum: p.DataCrc32C != nil,
	}
	sec.versions = append(sec.versions, &version{meta: meta, data: append([]byte(nil), p.GetData()...), crc: crc})
	return proto.CloneOf(meta), nil
}

// GetSecretVersion returns a version's metadata, whatever its state.
func (s *Server) GetSecretVersion(_ context.Context, req *secretmanagerpb.GetSecretVersionRequest) (*secretmanagerpb.SecretVersion, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, v, err := s.resolve(req.GetName(), true)
	if err != nil {
		return nil, err
	}
	return proto.CloneOf(v.meta), nil
}

// AccessSecretVersion returns an ENABLED version's payload and checksum.
func (s *Server) AccessSecretVersion(_ context.Context, req *secretmanagerpb.AccessSecretVersionRequest) (*secretmanagerpb.AccessSecretVersionResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, v, err := s.resolve(req.GetName(), true)
	if err != nil {
		return nil, err
	}
	if v.meta.State != secretmanagerpb.SecretVersion_ENABLED {
		return nil, stateError(v)
	}
	data := append([]byte(nil), v.data...)
	if s.corrupt > 0 {
		s.corrupt--
		data[len(data)/2] ^= 0x10
	}
	crc := v.crc
	return &secretmanagerpb.AccessSecretVersionResponse{
		Name:    v.meta.Name,
		Payload: &secretmanagerpb.SecretPayload{Data: data, DataCrc32C: &crc},
	}, nil
}

// DisableSecretVersion disables a version.
func (s *Server) DisableSecretVersion(_ context.Context, req *secretmanagerpb.DisableSecretVersionRequest) (*secretmanagerpb.SecretVersion, error) {
	return s.setState(req.GetName(), req.GetEtag(), secretmanagerpb.SecretVersion_DISABLED)
}

// EnableSecretVersion enables a version.
func (s *Server) EnableSecretVersion(_ context.Context, req *secretmanagerpb.EnableSecretVersionRequest) (*secretmanagerpb.SecretVersion, error) {
	return s.setState(req.GetName(), req.GetEtag(), secretmanagerpb.SecretVersion_ENABLED)
}

// DestroySecretVersion destroys a version's data for good.
func (s *Server) DestroySecretVersion(_ context.Context, req *secretmanagerpb.DestroySecretVersionRequest) (*secretmanagerpb.SecretVersion, error) {
	return s.setState(req.GetName(), req.GetEtag(), secretmanagerpb.SecretVersion_DESTROYED)
}

func (s *Server) setState(name, etag string, state secretmanagerpb.SecretVersion_State) (*secretmanagerpb.SecretVersion, error) {
	if err := noEtag(etag); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	_, v, err := s.resolve(name, false)
	if err != nil {
		return nil, err
	}
	if v.meta.State == secretmanagerpb.SecretVersion_DESTROYED {
		return nil, stateError(v)
	}
	v.meta.State = state
	if state == secretmanagerpb.SecretVersion_DESTROYED {
		v.data = nil
		v.meta.DestroyTime = s.now()
	}
	return proto.CloneOf(v.meta), nil
}

// filter is the one restriction a list filter may hold.
type filter struct {
	field, op, value string
}

func parseFilter(f string, fields ...string) (*filter, error) {
	f = strings.TrimSpace(f)
	if f == "" {
		return nil, nil
	}
	i := strings.IndexAny(f, ":=")
	if i < 0 {
		return nil, status.Errorf(codes.InvalidArgument, "fakegcp: unsupported filter %q", f)
	}
	flt := &filter{field: strings.TrimSpace(f[:i]), op: f[i : i+1], value: strings.TrimSpace(f[i+1:])}
	if v, err := strconv.Unquote(flt.value); err == nil && strings.HasPrefix(flt.value, `"`) {
		flt.value = v
	} else if strings.ContainsAny(flt.value, "\" ()*") || flt.value == "" {
		return nil, status.Errorf(codes.InvalidArgument, "fakegcp: unsupported filter %q", f)
	}
	for _, ok := range fields {
		if flt.field == ok {
			return flt, nil
		}
	}
	return nil, status.Errorf(codes.InvalidArgument, "fakegcp: unsupported filter field %q", flt.field)
}

func (f *filter) match(field, value string) bool {
	if f == nil {
		return true
	}
	if f.field != field {
		return true
	}
	if f.op == "=" || field == "state" {
		return value == f.value
	}
	return strings.Contains(value, f.value)
}

// page returns the page size to use.
func (s *Server) page(size int32) (int, error) {
	if size < 0 {
		return 0, status.Error(codes.InvalidArgument, "page_size must not be negative")
	}
	if size == 0 || int(size) > s.opts.MaxPageSize {
		return s.opts.MaxPageSize, nil
	}
	return int(size), nil
}

func badToken() error { return status.Error(codes.InvalidArgument, "Invalid page token.") }

// ListSecrets lists secrets in ascending order of name.
func (s *Server) ListSecrets(_ context.Context, req *secretmanagerpb.ListSecretsRequest) (*secretmanagerpb.ListSecretsResponse, error) {
	if !projectRe.MatchString(req.GetParent()) {
		return nil, status.Errorf(codes.InvalidArgument, "Invalid resource field value in the request: parent %q", req.GetParent())
	}
	flt, err := parseFilter(req.GetFilter(), "name")
	if err != nil {
		return nil, err
	}
	size, err := s.page(req.GetPageSize())
	if err != nil {
		return nil, err
	}
	after := ""
	if t := req.GetPageToken(); t != "" {
		b, err := base64.RawURLEncoding.DecodeString(t)
		if err != nil || len(b) == 0 {
			return nil, badToken()
		}
		after = string(b)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	parent := s.canon(req.GetParent())
	var names []string
	for name := range s.secrets {
		if strings.HasPrefix(name, parent+"/") && flt.match("name", name) {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	resp := &secretmanagerpb.ListSecretsResponse{TotalSize: int32(len(names))}
	start := sort.SearchStrings(names, after)
	if after != "" && start < len(names) && names[start] == after {
		start++
	}
	for _, name := range names[start:] {
		if len(resp.Secrets) == size {
			resp.NextPageToken = base64.RawURLEncoding.EncodeToString([]byte(resp.Secrets[len(resp.Secrets)-1].Name))
			break
		}
		resp.Secrets = append(resp.Secrets, proto.CloneOf(s.secrets[name].meta))
	}
	return resp, nil
}

// ListSecretVersions lists a secret's versions, newest first.
func (s *Server) ListSecretVersions(_ context.Context, req *secretmanagerpb.ListSecretVersionsRequest) (*secretmanagerpb.ListSecretVersionsResponse, error) {
	flt, err := parseFilter(req.GetFilter(), "name", "state")
	if err != nil {
		return nil, err
	}
	size, err := s.page(req.GetPageSize())
	if err != nil {
		return nil, err
	}
	before := int64(-1)
	if t := req.GetPageToken(); t != "" {
		b, err := base64.RawURLEncoding.DecodeString(t)
		if err != nil {
			return nil, badToken()
		}
		if before, err = strconv.ParseInt(string(b), 10, 64); err != nil || before < 1 {
			return nil, badToken()
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sec, err := s.lookup(req.GetParent())
	if err != nil {
		return nil, err
	}
	resp := &secretmanagerpb.ListSecretVersionsResponse{}
	var all []*version
	for i := len(sec.versions) - 1; i >= 0; i-- {
		v := sec.versions[i]
		if flt.match("name", v.meta.Name) && flt.match("state", v.meta.State.String()) {
			all = append(all, v)
		}
	}
	resp.TotalSize = int32(len(all))
	for _, v := range all {
		n := versionNumber(v.meta.Name)
		if before > 0 && n >= before {
			continue
		}
		if len(resp.Versions) == size {
			last := versionNumber(resp.Versions[len(resp.Versions)-1].Name)
			resp.NextPageToken = base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(last, 10)))
			break
		}
		resp.Versions = append(resp.Versions, proto.CloneOf(v.meta))
	}
	return resp, nil
}

func versionNumber(name string) int64 {
	n, _ := strconv.ParseInt(name[strings.LastIndexByte(name, '/')+1:], 10, 64)
	return n
}
