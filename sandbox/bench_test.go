package sandbox_test

import (
	"encoding/xml"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/gatehouse/gatehouse/sandbox"
)

// These benchmarks measure the sandbox's own cost per IAM call: requests go
// through Server.ServeHTTP (routing, auth, the operation, the XML response)
// without a network or an SDK. bench/sandbox.sh measures the binary over HTTP.
//
//	go test ./sandbox -run '^$' -bench . -benchmem

const benchUsers = 100_000

// benchAccount is the account the benchmarks act in (a 12-digit access key ID).
const benchAccount = "111111111111"

// iamRequest is a signed-looking Query request for IAM (the sandbox checks
// signatures only with --strict-auth).
func iamRequest(params url.Values) *http.Request {
	params.Set("Version", "2010-05-08")
	r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(params.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	r.Header.Set("X-Amz-Date", "20261121T000000Z")
	r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+benchAccount+"/20261121/us-east-1/iam/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=0")
	return r
}

// call runs one request and fails the benchmark unless it answers 200.
func call(tb testing.TB, srv http.Handler, params url.Values) []byte {
	w := httptest.NewRecorder()
	srv.ServeHTTP(w, iamRequest(params))
	if w.Code != http.StatusOK {
		tb.Fatalf("%s: HTTP %d: %s", params.Get("Action"), w.Code, w.Body.String())
	}
	return w.Body.Bytes()
}

func createUserParams(i int) url.Values {
	return url.Values{
		"Action":              {"CreateUser"},
		"UserName":            {benchUserName(i)},
		"Path":                {"/staff/"},
		"Tags.member.1.Key":   {"team"},
		"Tags.member.1.Value": {fmt.Sprintf("team-%d", i%50)},
		"Tags.member.2.Key":   {"cost-centre"},
		"Tags.member.2.Value": {fmt.Sprintf("cc-%04d", i%1000)},
	}
}

func benchUserName(i int) string { return fmt.Sprintf("user-%06d@example.com", i) }

func newServer(tb testing.TB) *sandbox.Server {
	srv, err := sandbox.New(sandbox.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	return srv
}

// loadUsers creates n users (a path and two tags each) through the API.
func loadUsers(tb testing.TB, srv http.Handler, n int) {
	for i := range n {
		call(tb, srv, createUserParams(i))
	}
}

var (
	populatedOnce sync.Once
	populated     *sandbox.Server
	pageMarkers   []string // markers of ListUsers pages through the populated server
)

// populatedServer is one server holding benchUsers users, shared by the read benchmarks.
func populatedServer(b *testing.B) *sandbox.Server {
	populatedOnce.Do(func() {
		srv := newServer(b)
		loadUsers(b, srv, benchUsers)
		marker := ""
		for {
			p := url.Values{"Action": {"ListUsers"}, "MaxItems": {"1000"}}
			if marker != "" {
				p.Set("Marker", marker)
			}
			var out struct {
				Marker string `xml:"ListUsersResult>Marker"`
			}
			if err := xml.Unmarshal(call(b, srv, p), &out); err != nil {
				b.Fatal(err)
			}
			if out.Marker == "" {
				break
			}
			pageMarkers = append(pageMarkers, out.Marker)
			marker = out.Marker
		}
		populated = srv
	})
	if populated == nil {
		b.Fatal("populating the shared server failed")
	}
	return populated
}

// BenchmarkCreateUser creates users (path and two tags) in one account; the
// account grows by b.N users.
func BenchmarkCreateUser(b *testing.B) {
	srv := newServer(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		call(b, srv, createUserParams(i))
	}
}

// BenchmarkGetUser reads random users of an account holding 100,000.
func BenchmarkGetUser(b *testing.B) {
	srv := populatedServer(b)
	rng := rand.New(rand.NewPCG(1, 2))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		call(b, srv, url.Values{"Action": {"GetUser"}, "UserName": {benchUserName(rng.IntN(benchUsers))}})
	}
}

// BenchmarkListUsersPage reads one page of 100 users from a random place in an
// account holding 100,000 (Marker from an earlier listing, MaxItems 100).
func BenchmarkListUsersPage(b *testing.B) {
	srv := populatedServer(b)
	rng := rand.New(rand.NewPCG(3, 4))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		call(b, srv, url.Values{"Action": {"ListUsers"}, "MaxItems": {"100"}, "Marker": {pageMarkers[rng.IntN(len(pageMarkers))]}})
	}
}

// BenchmarkLoad100kUsers builds a world of 100,000 users through the API and
// reports the live Go heap it takes (heap-MB) after a full GC.
func BenchmarkLoad100kUsers(b *testing.B) {
	b.ReportAllocs()
	var heap float64
	for b.Loop() {
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		srv := newServer(b)
		loadUsers(b, srv, benchUsers)
		runtime.GC()
		runtime.ReadMemStats(&after)
		heap = float64(after.HeapAlloc-before.HeapAlloc) / (1 << 20)
		runtime.KeepAlive(srv)
	}
	b.ReportMetric(heap, "heap-MB")
	b.ReportMetric(heap*(1<<20)/benchUsers, "heap-B/user")
}
