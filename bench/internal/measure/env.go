package measure

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// GatehouseEnv is a clean environment for a gatehouse (or other AWS client)
// process: the access key given (the sandbox's account ID, any secret), the
// region, no shared config, no instance metadata, HOME and XDG state in home.
func GatehouseEnv(home, accessKey string) []string {
	return []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + home, "XDG_STATE_HOME=" + filepath.Join(home, "state"),
		"XDG_CONFIG_HOME=" + filepath.Join(home, "config"),
		"AWS_ACCESS_KEY_ID=" + accessKey, "AWS_SECRET_ACCESS_KEY=x", "AWS_REGION=us-east-1", "AWS_DEFAULT_REGION=us-east-1",
		"AWS_CONFIG_FILE=" + filepath.Join(home, "aws-config"), "AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(home, "aws-credentials"),
		"AWS_EC2_METADATA_DISABLED=true", "AWS_PAGER=",
	}
}

// WorkDir makes a benchmark's work directory and returns it with the
// function that removes it — or, with keep, says where it is and leaves it.
func WorkDir(prefix string, keep bool, log io.Writer) (string, func(), error) {
	dir, err := os.MkdirTemp("", prefix)
	if err != nil {
		return "", nil, err
	}
	if keep {
		fmt.Fprintln(log, "work directory:", dir)
		return dir, func() {}, nil
	}
	return dir, func() { os.RemoveAll(dir) }, nil
}
