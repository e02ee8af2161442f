package ssoadmin

import (
	"github.com/gatehouse/gatehouse/sandbox/awsproto"
	"github.com/gatehouse/gatehouse/sandbox/organizations/orgstate"
	"github.com/gatehouse/gatehouse/sandbox/ssoadmin/idcstate"
)

var instanceNameRule = awsproto.NewRule(0, 255, `[\w+=,.@-]+`)

// instanceJSON is an instance as ListInstances and DescribeInstance return
// it. The sandbox's instances are ACTIVE from the start.
type instanceJSON struct {
	InstanceArn     string
	IdentityStoreID string `json:"IdentityStoreId"`
	OwnerAccountID  string `json:"OwnerAccountId"`
	Name            string `json:",omitempty"`
	CreatedDate     awsproto.EpochTime
	Status          string
}

func instanceShape(in *idcstate.Instance) instanceJSON {
	return instanceJSON{
		InstanceArn: in.ARN(), IdentityStoreID: in.IdentityStoreID, OwnerAccountID: in.Owner, Name: in.Name,
		CreatedDate: awsproto.EpochTime(in.Created), Status: "ACTIVE",
	}
}

type listInstancesRequest struct {
	MaxResults *int
	NextToken  *string
}

type listInstancesResponse struct {
	Instances []instanceJSON
	NextToken string `json:",omitempty"`
}

// listInstances lists the instance the caller administers: at most one, as
// an account has at most one. The request is charged to it.
func listInstances(r *awsproto.Request) (any, error) {
	var in listInstancesRequest
	if err := awsproto.DecodeJSON(r.Body, &in); err != nil {
		return nil, err
	}
	start, size, err := readPage(in.NextToken, in.MaxResults)
	if err != nil {
		return nil, err
	}
	idc := idcstate.Of(r.World)
	var mine []*idcstate.Instance
	if inst, ok := idc.OwnedBy(r.Caller.Account); ok {
		if !idc.Admit(inst) {
			return nil, throttled()
		}
		mine = append(mine, inst)
	}
	page, next := idcstate.Page(mine, func(in *idcstate.Instance) string { return in.ID }, start, size)
	out := listInstancesResponse{Instances: make([]instanceJSON, len(page)), NextToken: next}
	for i, inst := range page {
		out.Instances[i] = instanceShape(inst)
	}
	return out, nil
}

type tag struct {
	Key   string
	Value string
}

type createInstanceRequest struct {
	Name        string
	ClientToken string
	Tags        []tag
}

// createInstance makes an account instance, as AWS allows: not in an
// organisation's management account (whose instance is the organisation's)
// and at most one per account. A repeated ClientToken returns the instance
// it made.
func createInstance(r *awsproto.Request) (any, error) {
	var in createInstanceRequest
	if err := awsproto.DecodeJSON(r.Body, &in); err != nil {
		return nil, err
	}
	var v validator
	v.OptionalValue("Name", in.Name, instanceNameRule)
	v.AtMost("Tags", len(in.Tags), 75)
	if err := v.err(); err != nil {
		return nil, err
	}
	if org := orgstate.Of(r.World); org != nil && org.ManagementAccount == r.Caller.Account {
		return nil, validation("An account instance of IAM Identity Center cannot be created in the management account of an organization.")
	}
	idc := idcstate.Of(r.World)
	if inst, ok := idc.OwnedBy(r.Caller.Account); ok {
		if in.ClientToken != "" && inst.ClientToken == in.ClientToken {
			return struct{ InstanceArn string }{inst.ARN()}, nil
		}
		return nil, conflict("An instance of IAM Identity Center already exists in account %s.", r.Caller.Account)
	}
	inst := idc.NewInstance(r.Caller.Account, in.Name, "", "", false)
	inst.ClientToken = in.ClientToken
	return struct{ InstanceArn string }{inst.ARN()}, nil
}

type describeInstanceRequest struct {
	InstanceArn string
}

func describeInstance(r *awsproto.Request) (any, error) {
	var in describeInstanceRequest
	if err := awsproto.DecodeJSON(r.Body, &in); err != nil {
		return nil, err
	}
	inst, err := instanceFor(r, in.InstanceArn)
	if err != nil {
		return nil, err
	}
	return instanceShape(inst), nil
}
