package main

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
)

// memoryResult is the sandbox's footprint with many users.
type memoryResult struct {
	users    int
	load     time.Duration // creating them over HTTP
	mem      memory
	liveHeap int64 // bytes marked live by the last GC (GODEBUG=gctrace=1)
	gcs      int
	listed   int // users counted back with ListUsers (MaxItems 1000)
}

// gcLine matches gctrace's "gc 12 @3.1s 2%: … 45->46->23 MB, …".
var gcLine = regexp.MustCompile(`gc (\d+) @[^:]*:.* (\d+)->(\d+)->(\d+) MB`)

// measureMemory starts a fresh sandbox, creates users (two tags each) over the API
// with workers clients, lists them back and reads the process's memory.
func measureMemory(ctx context.Context, bin string, users, workers int) (memoryResult, error) {
	srv, err := startSandbox(ctx, bin, []string{"GODEBUG=gctrace=1"})
	if err != nil {
		return memoryResult{}, err
	}
	defer srv.stop()
	client := newIAM(srv.url, createAccount, newHTTPClient(workers))
	var next atomic.Int64
	var wg sync.WaitGroup
	errc := make(chan error, workers)
	t0 := time.Now()
	for range workers {
		wg.Go(func() {
			for {
				i := int(next.Add(1))
				if i > users || ctx.Err() != nil {
					return
				}
				_, err := client.CreateUser(ctx, &iam.CreateUserInput{
					UserName: aws.String(fmt.Sprintf("user-%06d@example.com", i)),
					Path:     aws.String("/staff/"),
					Tags: []types.Tag{
						{Key: aws.String("team"), Value: aws.String(fmt.Sprintf("team-%d", i%50))},
						{Key: aws.String("cost-centre"), Value: aws.String(fmt.Sprintf("cc-%04d", i%1000))},
					},
				})
				if err != nil {
					errc <- fmt.Errorf("creating user %d: %w", i, err)
					return
				}
			}
		})
	}
	wg.Wait()
	res := memoryResult{users: users, load: time.Since(t0)}
	select {
	case err := <-errc:
		return res, err
	default:
	}
	p := iam.NewListUsersPaginator(client, &iam.ListUsersInput{MaxItems: aws.Int32(1000)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return res, fmt.Errorf("listing users: %w", err)
		}
		res.listed += len(page.Users)
	}
	if res.mem, err = readMemory(srv.cmd.Process.Pid); err != nil {
		return res, err
	}
	for _, m := range gcLine.FindAllStringSubmatch(srv.logs(), -1) {
		res.gcs, _ = strconv.Atoi(m[1])
		mb, _ := strconv.ParseInt(m[4], 10, 64)
		res.liveHeap = mb << 20
	}
	return res, nil
}
