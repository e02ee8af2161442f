package cli

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/gatehouse/gatehouse/internal/runenv"
)

// Environment of the Lambda handler: GATEHOUSE_CONFIG names the watcher's
// configuration (relative paths from the function's package), and
// GATEHOUSE_JOURNAL the journal; without it the journal lives in /tmp, which
// lasts only as long as the function's instance (see README: a durable
// journal, such as an EFS mount, makes redeliveries across cold starts
// duplicates instead of users left for the dead-letter queue).
const envJournal = "GATEHOUSE_JOURNAL"

// Lambda serves Lambda invocations (SQS batches, SNS, EventBridge) with the
// events handler until Lambda stops the process, and returns the exit code.
func Lambda(ctx context.Context, streams *IO) int {
	getenv := streams.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	settings := runenv.Settings{Journal: getenv(envJournal)}
	if settings.Journal == "" {
		settings.Journal = filepath.Join(os.TempDir(), "gatehouse", "journal.db")
	}
	rt := runenv.New(settings, streams.Err, getenv)
	defer rt.Close()
	path := getenv(runenv.EnvConfig)
	if path != "" && !filepath.IsAbs(path) && getenv("LAMBDA_TASK_ROOT") != "" {
		path = filepath.Join(getenv("LAMBDA_TASK_ROOT"), path)
	}
	cfg, err := rt.ReadWatchConfig(path)
	if err != nil {
		fmt.Fprintln(streams.Err, "gatehouse:", err)
		return ExitUsage
	}
	protect, err := loadConfig("")
	if err != nil {
		fmt.Fprintln(streams.Err, "gatehouse:", err)
		return ExitUsage
	}
	name := getenv("AWS_LAMBDA_LOG_STREAM_NAME")
	h, err := rt.Watcher(ctx, cfg, protect.Protect, "lambda:"+name, 5*time.Minute)
	if err != nil {
		fmt.Fprintln(streams.Err, "gatehouse:", err)
		return ExitFailed
	}
	h.Logger = slog.New(slog.NewJSONHandler(streams.Err, nil))
	lambda.StartWithOptions(h.Invoke, lambda.WithContext(ctx))
	return ExitOK
}
