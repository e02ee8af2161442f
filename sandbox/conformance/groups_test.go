package conformance

import (
	"fmt"
	"strings"
	"testing"
)

func TestGroupsLifecycle(t *testing.T) {
	cli := newCLI(t)
	out := cli.Run("iam", "create-group", "--group-name", "Devs", "--path", "/eng/")
	if got, want := str(out, "Group", "Arn"), "arn:aws:iam::"+cli.Account+":group/eng/Devs"; got != want {
		t.Errorf("Arn = %q, want %q", got, want)
	}
	if id := str(out, "Group", "GroupId"); !strings.HasPrefix(id, "AGPA") || len(id) != 21 {
		t.Errorf("GroupId = %q", id)
	}
	if msg := cli.Fail("EntityAlreadyExists", "iam", "create-group", "--group-name", "devs"); msg != "Group with name devs already exists." {
		t.Errorf("message = %q", msg)
	}
	newSetup(t, cli).users("alice")
	cli.Run("iam", "add-user-to-group", "--group-name", "devs", "--user-name", "alice")
	cli.Run("iam", "add-user-to-group", "--group-name", "DEVS", "--user-name", "ALICE") // a no-op, never a duplicate
	out = cli.Run("iam", "get-group", "--group-name", "devs")
	if length(out, "Users") != 1 || str(out, "Group", "GroupName") != "Devs" {
		t.Errorf("get-group = %v", out)
	}
	if msg := cli.Fail("NoSuchEntity", "iam", "add-user-to-group", "--group-name", "nope", "--user-name", "alice"); msg != "The group with name nope cannot be found." {
		t.Errorf("message = %q", msg)
	}
	cli.Fail("NoSuchEntity", "iam", "add-user-to-group", "--group-name", "devs", "--user-name", "nobody")

	cli.Run("iam", "update-group", "--group-name", "devs", "--new-group-name", "Builders", "--new-path", "/")
	out = cli.Run("iam", "list-groups-for-user", "--user-name", "alice")
	if length(out, "Groups") != 1 || str(out, "Groups", 0, "Arn") != "arn:aws:iam::"+cli.Account+":group/Builders" {
		t.Errorf("list-groups-for-user = %v", out)
	}
	cli.Fail("NoSuchEntity", "iam", "get-group", "--group-name", "devs")
	out = cli.Run("iam", "list-groups", "--path-prefix", "/eng/")
	if length(out, "Groups") != 0 {
		t.Errorf("groups under /eng/ after the move = %v", out["Groups"])
	}

	cli.Run("iam", "remove-user-from-group", "--group-name", "builders", "--user-name", "alice")
	if length(cli.Run("iam", "list-groups-for-user", "--user-name", "alice"), "Groups") != 0 {
		t.Error("alice is still in a group")
	}
	cli.Run("iam", "delete-group", "--group-name", "builders")
	cli.Fail("NoSuchEntity", "iam", "delete-group", "--group-name", "builders")
	cli.Fail("NoSuchEntity", "iam", "update-group", "--group-name", "builders", "--new-path", "/x/")
}

func TestGroupsDeleteConflicts(t *testing.T) {
	cli := newCLI(t)
	s := newSetup(t, cli)
	s.users("alice")
	s.groups("g")
	del := func(want string) {
		t.Helper()
		if msg := cli.Fail("DeleteConflict", "iam", "delete-group", "--group-name", "g"); msg != want {
			t.Errorf("message = %q, want %q", msg, want)
		}
	}
	cli.Run("iam", "add-user-to-group", "--group-name", "g", "--user-name", "alice")
	del("Cannot delete entity, must remove users from group first.")
	cli.Run("iam", "remove-user-from-group", "--group-name", "g", "--user-name", "alice")

	cli.Run("iam", "attach-group-policy", "--group-name", "g", "--policy-arn", "arn:aws:iam::aws:policy/ReadOnlyAccess")
	del("Cannot delete entity, must detach all policies first.")
	cli.Run("iam", "detach-group-policy", "--group-name", "g", "--policy-arn", "arn:aws:iam::aws:policy/ReadOnlyAccess")

	cli.Run("iam", "put-group-policy", "--group-name", "g", "--policy-name", "inline",
		"--policy-document", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}]}`)
	del("Cannot delete entity, must delete policies first.")
	cli.Run("iam", "delete-group-policy", "--group-name", "g", "--policy-name", "inline")

	cli.Run("iam", "delete-group", "--group-name", "g")
}

func TestGroupsPagination(t *testing.T) {
	cli := newCLI(t)
	s := newSetup(t, cli)
	s.groups("all")
	for i := 0; i < 5; i++ {
		user, group := fmt.Sprintf("u%d", i), fmt.Sprintf("g%d", i)
		s.users(user)
		s.join("all", user)
		s.groups(group)
		s.join(group, "u0")
	}
	members, pages := pageThrough(cli, "Users", "UserName", 2, "iam", "get-group", "--group-name", "all")
	if strings.Join(members, ",") != "u0,u1,u2,u3,u4" || pages != 3 {
		t.Errorf("get-group pages: %v over %d pages", members, pages)
	}
	groups, pages := pageThrough(cli, "Groups", "GroupName", 4, "iam", "list-groups")
	if strings.Join(groups, ",") != "all,g0,g1,g2,g3,g4" || pages != 2 {
		t.Errorf("list-groups pages: %v over %d pages", groups, pages)
	}
	mine, pages := pageThrough(cli, "Groups", "GroupName", 5, "iam", "list-groups-for-user", "--user-name", "u0")
	if strings.Join(mine, ",") != "all,g0,g1,g2,g3,g4" || pages != 2 {
		t.Errorf("list-groups-for-user pages: %v over %d pages", mine, pages)
	}
	// The CLI's own paginator follows the markers too.
	if n := length(cli.Run("iam", "list-groups", "--page-size", "2"), "Groups"); n != 6 {
		t.Errorf("auto-paginated list-groups returned %d groups, want 6", n)
	}
}

func TestGroupsPerUserQuota(t *testing.T) {
	cli := newCLI(t)
	s := newSetup(t, cli)
	s.users("alice")
	for i := 0; i <= 10; i++ {
		s.groups(fmt.Sprintf("g%02d", i))
		if i < 10 {
			s.join(fmt.Sprintf("g%02d", i), "alice")
		}
	}
	msg := cli.Fail("LimitExceeded", "iam", "add-user-to-group", "--group-name", "g10", "--user-name", "alice")
	if msg != "Cannot exceed quota for GroupsPerUser: 10" {
		t.Errorf("message = %q", msg)
	}
}
