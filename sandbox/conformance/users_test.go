package conformance

import (
	"strings"
	"testing"
)

func TestUsersCreateGetList(t *testing.T) {
	cli := newCLI(t)
	out := cli.Run("iam", "create-user", "--user-name", "Alice", "--path", "/staff/", "--tags", "Key=team,Value=platform")
	if got, want := str(out, "User", "Arn"), "arn:aws:iam::"+cli.Account+":user/staff/Alice"; got != want {
		t.Errorf("Arn = %q, want %q", got, want)
	}
	if id := str(out, "User", "UserId"); !strings.HasPrefix(id, "AIDA") || len(id) != 21 {
		t.Errorf("UserId = %q, want AIDA + 17 characters", id)
	}
	msg := cli.Fail("EntityAlreadyExists", "iam", "create-user", "--user-name", "alice")
	if msg != "User with name alice already exists." {
		t.Errorf("message = %q", msg)
	}
	out = cli.Run("iam", "get-user", "--user-name", "ALICE")
	if str(out, "User", "UserName") != "Alice" || str(out, "User", "Tags", 0, "Key") != "team" {
		t.Errorf("get-user = %v", out)
	}
	cli.Fail("NoSuchEntity", "iam", "get-user", "--user-name", "bob")
	cli.Fail("ValidationError", "iam", "create-user", "--user-name", "bad name")
}

func TestUsersPagination(t *testing.T) {
	cli := newCLI(t)
	for _, n := range []string{"u1", "u2", "u3", "u4", "u5"} {
		cli.Run("iam", "create-user", "--user-name", n)
	}
	first := cli.Run("iam", "list-users", "--max-items", "2", "--no-paginate")
	if length(first, "Users") != 2 || first["IsTruncated"] != true || str(first, "Marker") == "" {
		t.Fatalf("first page = %v", first)
	}
	var names []string
	marker := ""
	for pages := 0; pages < 10; pages++ {
		args := []string{"iam", "list-users", "--no-paginate", "--max-items", "2"}
		if marker != "" {
			args = append(args, "--marker", marker)
		}
		out := cli.Run(args...)
		for i := 0; i < length(out, "Users"); i++ {
			names = append(names, str(out, "Users", i, "UserName"))
		}
		if out["IsTruncated"] != true {
			break
		}
		marker = str(out, "Marker")
	}
	if strings.Join(names, ",") != "u1,u2,u3,u4,u5" {
		t.Errorf("paged names = %v", names)
	}
	// The CLI's own paginator follows Marker across pages.
	all := cli.Run("iam", "list-users", "--page-size", "2")
	if length(all, "Users") != 5 {
		t.Errorf("auto-paginated list-users returned %d users, want 5", length(all, "Users"))
	}
}
