package runenv

import (
	_ "embed"

	"github.com/aws/aws-sdk-go-v2/credentials"
)

// embeddedWorld is the fixture `onboard --sandbox` seeds a new sandbox with.
//
//go:embed embedded_world.yaml
var embeddedWorld []byte

// embeddedCaller is the embedded world's management account, whose root
// credentials `--sandbox` signs with (the sandbox accepts any secret).
const embeddedCaller = "111111111111"

var sandboxCredentials = credentials.NewStaticCredentialsProvider(embeddedCaller, "sandbox", "")
