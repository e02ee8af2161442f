package ssoadmin_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/sandbox"
)

// FuzzIdentityCenterRequests sends any body to any identitystore or
// sso-admin action of a world with an instance, as its owner: every answer
// is a well-formed JSON answer below 500 (no operation panics or fails
// inside). Run it for real with
//
//	go test ./sandbox/ssoadmin -run '^$' -fuzz '^FuzzIdentityCenterRequests$' -fuzztime 60s
func FuzzIdentityCenterRequests(f *testing.F) {
	f.Add("AWSIdentityStore.CreateUser", `{"IdentityStoreId":"d-1234567890","UserName":"a","DisplayName":"A","Name":{"GivenName":"A","FamilyName":"B"},"Emails":[{"Value":"a@b.c","Primary":true}]}`)
	f.Add("AWSIdentityStore.UpdateUser", `{"IdentityStoreId":"d-1234567890","UserId":"1234567890-00000000-0000-4000-8000-000000000000","Operations":[{"AttributePath":"name","AttributeValue":null}]}`)
	f.Add("AWSIdentityStore.GetUserId", `{"IdentityStoreId":"d-1234567890","AlternateIdentifier":{"UniqueAttribute":{"AttributePath":"userName","AttributeValue":["x"]}}}`)
	f.Add("AWSIdentityStore.ListUsers", `{"IdentityStoreId":"d-1234567890","MaxResults":1,"NextToken":"AA","Filters":[{"AttributePath":"UserName","AttributeValue":"alice"}]}`)
	f.Add("AWSIdentityStore.IsMemberInGroups", `{"IdentityStoreId":"d-1234567890","MemberId":{"UserId":"x"},"GroupIds":[]}`)
	f.Add("SWBExternalService.CreateAccountAssignment", `{"InstanceArn":"`+instance+`","TargetId":"222222222222","TargetType":"AWS_ACCOUNT","PermissionSetArn":"arn:aws:sso:::permissionSet/`+instanceID+`/ps-0000000000000000","PrincipalType":"USER","PrincipalId":"1234567890-00000000-0000-4000-8000-000000000000"}`)
	f.Add("SWBExternalService.CreatePermissionSet", `{"InstanceArn":"`+instance+`","Name":"X","SessionDuration":"PT99999999999999999999H"}`)
	f.Add("SWBExternalService.ListAccountAssignmentsForPrincipal", `{"InstanceArn":"`+instance+`","PrincipalId":"x","PrincipalType":"USER","Filter":{"AccountId":"1"}}`)
	path := filepath.Join(f.TempDir(), "world.yaml")
	if err := os.WriteFile(path, []byte(world), 0o600); err != nil {
		f.Fatal(err)
	}
	srv, err := sandbox.New(sandbox.Options{Fixture: path})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, target, body string) {
		req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-amz-json-1.1")
		req.Header.Set("X-Amz-Target", target)
		req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+mgmt+"/20250101/us-east-1/identitystore/aws4_request, SignedHeaders=host, Signature=00")
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		if rec.Code >= 500 || !json.Valid(rec.Body.Bytes()) {
			t.Fatalf("%s %s answered %d: %s", target, body, rec.Code, rec.Body)
		}
	})
}
