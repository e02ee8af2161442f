package awsproto

import "testing"

func TestValidatorChecksDecodedJSONMembers(t *testing.T) {
	t.Parallel()
	name := NewRule(1, 5, `[a-z]+`)
	var v Validator
	v.RequiredValue("UserName", "", name)
	v.RequiredValue("GroupName", "abc", name)
	v.OptionalValue("Title", "", name)
	v.OptionalValue("NickName", "ABC", name)
	v.AtMost("Emails", 2, 1)
	v.AtMost("Roles", 1, 1)
	want := "3 validation errors detected: Value null at 'userName' failed to satisfy constraint: Member must not be null; " +
		"Value 'ABC' at 'nickName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-z]+; " +
		"Value at 'emails' failed to satisfy constraint: Member must have length less than or equal to 1"
	err := v.ErrCode("ValidationException")
	if err == nil || err.(*Error).Message != want || err.(*Error).Code != "ValidationException" {
		t.Errorf("ErrCode = %v\nwant %s", err, want)
	}
}
