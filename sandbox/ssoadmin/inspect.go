package ssoadmin

import (
	"net/http"

	"github.com/gatehouse/gatehouse/sandbox/service"
	"github.com/gatehouse/gatehouse/sandbox/ssoadmin/idcstate"
	"github.com/gatehouse/gatehouse/sandbox/state"
)

// hooks are Identity Center's inspection endpoints: the quotas each
// instance has and what they have seen, so a test can show that a client
// keeps to 20 requests a second and 15 operations in progress instead of
// hoping it does; and a way to change them on a running sandbox.
func hooks() []service.Hook {
	return []service.Hook{
		{Method: http.MethodGet, Path: "sso-admin/quotas", Handle: getQuotas},
		{Method: http.MethodPut, Path: "sso-admin/quotas", Writes: true, Handle: putQuotas},
	}
}

// quotasJSON is one instance's quotas and counters.
type quotasJSON struct {
	InstanceArn     string          `json:"instance_arn"`
	IdentityStoreID string          `json:"identity_store_id"`
	Quotas          idcstate.Quotas `json:"quotas"`
	InProgress      int             `json:"in_progress"`
	Stats           idcstate.Stats  `json:"stats"`
}

// getQuotas answers GET /_sandbox/sso-admin/quotas: every instance's
// quotas, its assignment operations in progress now and its counters.
func getQuotas(w *state.World, _ *service.HookRequest) (any, error) {
	idc := idcstate.Of(w)
	out := []quotasJSON{}
	for _, inst := range idc.Sorted() {
		out = append(out, quotasJSON{
			InstanceArn: inst.ARN(), IdentityStoreID: inst.IdentityStoreID, Quotas: inst.Quotas,
			InProgress: len(inst.InProgress(now())), Stats: idc.StatsOf(inst),
		})
	}
	return out, nil
}

// quotasRequest is PUT /_sandbox/sso-admin/quotas: the quotas to change, on
// one instance (by ARN) or, without one, on every instance.
type quotasRequest struct {
	InstanceArn string `json:"instance_arn"`
	idcstate.QuotasPatch
}

func putQuotas(w *state.World, in *service.HookRequest) (any, error) {
	var req quotasRequest
	if err := in.Decode(&req); err != nil {
		return nil, err
	}
	if problem := req.Problem(); problem != "" {
		return nil, service.HookErrorf(http.StatusBadRequest, "%s", problem)
	}
	idc := idcstate.Of(w)
	instances := idc.Sorted()
	if req.InstanceArn != "" {
		inst, ok := idc.ByARN(req.InstanceArn)
		if !ok {
			return nil, service.HookErrorf(http.StatusNotFound, "no instance %s", req.InstanceArn)
		}
		instances = []*idcstate.Instance{inst}
	}
	for _, inst := range instances {
		idc.SetQuotas(inst, req.Apply(inst.Quotas))
	}
	return getQuotas(w, in)
}
