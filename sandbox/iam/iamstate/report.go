package iamstate

import "time"

// CredentialReport is an account's latest credential report. IAM keeps the
// CSV it generated and hands out that same one until a new one is generated,
// which it does at most every four hours — so a report can be older than the
// users it describes, and the sandbox keeps that.
type CredentialReport struct {
	// Generated is when the report was taken: its GeneratedTime, and what the
	// four-hour rule measures from.
	Generated time.Time `json:"generated"`
	// Ready is when generation finishes; until then GetCredentialReport
	// answers ReportInProgress.
	Ready   time.Time `json:"ready"`
	Content string    `json:"content"` // the CSV
}

// Root is what the sandbox knows of an account's root user, for the
// credential report's <root_account> row: the sandbox has no root password,
// so the inspection API sets when one was last used.
type Root struct {
	// Created is the account's creation as the report shows it: fixed the first
	// time a report is made, so every later report agrees.
	Created          time.Time `json:"created,omitempty"`
	PasswordLastUsed time.Time `json:"password_last_used,omitempty"`
}
