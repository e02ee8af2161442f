package iam

import (
	"encoding/base64"
	"net/http"
	"time"

	"github.com/gatehouse/gatehouse/sandbox/awsproto"
	"github.com/gatehouse/gatehouse/sandbox/iam/iamstate"
)

func credentialReportOperations(ops map[string]awsproto.Operation) {
	// Generating keeps a report but changes no IAM resource — AWS lists
	// iam:GenerateCredentialReport among the Read actions — so it takes the
	// write lock without counting as mutating: a plan or a converged rerun
	// may generate one.
	ops["GenerateCredentialReport"] = awsproto.Operation{Writes: true, Handle: generateCredentialReport}
	ops["GetCredentialReport"] = read(getCredentialReport)
}

// reportLifetime is IAM's four-hour rule: a report younger than this is handed
// out again instead of being regenerated, and an older one has expired.
const reportLifetime = 4 * time.Hour

// The states GenerateCredentialReport reports (the model's ReportStateType).
const (
	reportStarted    = "STARTED"
	reportInProgress = "INPROGRESS"
	reportComplete   = "COMPLETE"
)

// msgNoReport is the Description AWS gives when the first report is started.
const msgNoReport = "No report exists. Starting a new report generation task"

type generateReportResult struct {
	State       string
	Description string `xml:",omitempty"`
}

// generateCredentialReport starts a report unless one is being made or the
// last is younger than four hours. The report is taken now, from the world as
// it is; the account's ReportDelay only says when it may be read.
func generateCredentialReport(r *awsproto.Request) (any, error) {
	a := accountToWrite(r)
	now := r.World.Now()
	last := a.CredentialReport
	switch {
	case last != nil && now.Before(last.Ready):
		return generateReportResult{State: reportInProgress}, nil
	case last != nil && now.Sub(last.Generated) < reportLifetime:
		return generateReportResult{State: reportComplete}, nil
	}
	taken := now.Truncate(time.Second)
	a.CredentialReport = &iamstate.CredentialReport{
		Generated: taken, Ready: now.Add(a.ReportDelay),
		Content: credentialReportCSV(r.World, a, taken),
	}
	out := generateReportResult{State: reportStarted}
	if last == nil {
		out.Description = msgNoReport
	}
	return out, nil
}

type getReportResult struct {
	Content       string // the CSV, base64 as Query XML carries blobs
	ReportFormat  string
	GeneratedTime time.Time
}

// getCredentialReport hands out the latest report while it is younger than
// four hours. AWS answers these three errors without a message; the sandbox
// says what happened, from the model's documentation of each.
func getCredentialReport(r *awsproto.Request) (any, error) {
	a := accountToRead(r)
	now := r.World.Now()
	rep := a.CredentialReport
	switch {
	case rep == nil:
		return nil, awsproto.Errorf(http.StatusGone, "ReportNotPresent",
			"The credential report does not exist. To generate a credential report, use GenerateCredentialReport.")
	case now.Before(rep.Ready):
		return nil, awsproto.Errorf(http.StatusNotFound, "ReportInProgress", "The credential report is still being generated.")
	case now.Sub(rep.Generated) >= reportLifetime:
		return nil, awsproto.Errorf(http.StatusGone, "ReportExpired",
			"The most recent credential report has expired: it is older than 4 hours. To generate a new credential report, use GenerateCredentialReport.")
	}
	return getReportResult{
		Content:      base64.StdEncoding.EncodeToString([]byte(rep.Content)),
		ReportFormat: "text/csv", GeneratedTime: rep.Generated,
	}, nil
}
