// Package secretsmanager is the sandbox's AWS Secrets Manager: GetRandomPassword
// with every parameter, AWS's defaults and its errors, drawing from crypto/rand.
package secretsmanager

import (
	"net/http"

	"github.com/gatehouse/gatehouse/sandbox/awsproto"
	"github.com/gatehouse/gatehouse/sandbox/service"
)

// Service is Secrets Manager (JSON 1.1); GetRandomPassword keeps no state.
func Service() service.Definition {
	return service.Definition{APIs: []*awsproto.API{{
		Name: "secretsmanager", ID: "secretsmanager",
		Codec: awsproto.JSON{Version: "1.1", TargetPrefix: "secretsmanager"},
		Operations: map[string]awsproto.Operation{
			"GetRandomPassword": {Handle: getRandomPassword},
		},
	}}}
}

func invalidParameter(format string, args ...any) error {
	return awsproto.Errorf(http.StatusBadRequest, "InvalidParameterException", format, args...)
}

func validation(format string, args ...any) error {
	return awsproto.Errorf(http.StatusBadRequest, "ValidationException", "1 validation error detected: "+format, args...)
}
