package iam

import (
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/sandbox/iam/iamstate"
)

// awsPolicy is an AWS-managed policy from the catalogue: one version, the default.
type awsPolicy struct {
	Name        string
	Path        string
	ID          string
	Description string
	Version     string // default version ID
	Created     time.Time
	Updated     time.Time
	Document    string
}

// ARN is the policy's ARN in the aws pseudo-account.
func (p awsPolicy) ARN() string { return awsPolicyPrefix + p.Path + p.Name }

const awsPolicyPrefix = "arn:aws:iam::aws:policy"

func day(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic("catalogue date " + s + ": " + err.Error())
	}
	return t
}

// Creation dates shared by the policies AWS published together.
var (
	launch2015    = day("2015-02-06T18:39:46Z")
	jobFunctions  = day("2016-11-10T17:24:52Z")
	selfService16 = day("2016-11-15T00:25:16Z")
)

// catalogue is the AWS-managed policies the sandbox knows, with their real paths
// and IDs and shortened but faithful documents.
var catalogue = []awsPolicy{
	{Name: "AdministratorAccess", Path: "/", ID: "ANPAIWMBCKSKIEE64ZLYK", Version: "v1", Created: launch2015, Updated: launch2015,
		Description: "Provides full access to AWS services and resources.",
		Document:    `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`},
	{Name: "PowerUserAccess", Path: "/", ID: "ANPAJYRXTHIB4FOVS3ZXS", Version: "v5", Created: launch2015, Updated: day("2023-07-06T22:04:19Z"),
		Description: "Provides full access to AWS services and resources, but does not allow management of Users and groups.",
		Document:    `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotAction":["iam:*","organizations:*","account:*"],"Resource":"*"},{"Effect":"Allow","Action":["iam:CreateServiceLinkedRole","iam:DeleteServiceLinkedRole","iam:ListRoles","organizations:DescribeOrganization","account:ListRegions","account:GetAccountInformation"],"Resource":"*"}]}`},
	{Name: "ReadOnlyAccess", Path: "/", ID: "ANPAILL3HVNFSB6DCOWYQ", Version: "v120", Created: launch2015, Updated: day("2024-06-12T19:11:42Z"),
		Description: "Provides read-only access to AWS services and resources.",
		Document:    `{"Version":"2012-10-17","Statement":[{"Sid":"ReadOnlyActions","Effect":"Allow","Action":["acm:Describe*","acm:Get*","acm:List*","cloudtrail:Describe*","cloudtrail:Get*","cloudtrail:List*","cloudwatch:Describe*","cloudwatch:Get*","cloudwatch:List*","ec2:Describe*","ec2:Get*","iam:Generate*","iam:Get*","iam:List*","iam:Simulate*","organizations:Describe*","organizations:List*","s3:Describe*","s3:Get*","s3:List*","secretsmanager:Describe*","secretsmanager:GetResourcePolicy","secretsmanager:List*","ses:Describe*","ses:Get*","ses:List*","sts:GetCallerIdentity"],"Resource":"*"}]}`},
	{Name: "IAMUserChangePassword", Path: "/", ID: "ANPAJ4L4MM2A7QIEB56MS", Version: "v2", Created: day("2016-11-15T23:18:55Z"), Updated: day("2016-11-15T23:18:55Z"),
		Description: "Provides the ability for an IAM user to change their own password.",
		Document:    `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:ChangePassword"],"Resource":["arn:aws:iam::*:user/${aws:username}"]},{"Effect":"Allow","Action":["iam:GetAccountPasswordPolicy"],"Resource":"*"}]}`},
	{Name: "IAMFullAccess", Path: "/", ID: "ANPAI7XKCFMBPM3QQRRVQ", Version: "v2", Created: launch2015, Updated: day("2019-06-21T19:40:00Z"),
		Description: "Provides full access to IAM via the AWS Management Console.",
		Document:    `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:*","organizations:DescribeAccount","organizations:DescribeOrganization","organizations:DescribeOrganizationalUnit","organizations:DescribePolicy","organizations:ListChildren","organizations:ListParents","organizations:ListPoliciesForTarget","organizations:ListRoots","organizations:ListPolicies","organizations:ListTargetsForPolicy"],"Resource":"*"}]}`},
	{Name: "IAMReadOnlyAccess", Path: "/", ID: "ANPAJKSO7NDY4T57MWDSQ", Version: "v4", Created: launch2015, Updated: day("2018-01-25T19:11:27Z"),
		Description: "Provides read only access to IAM via the AWS Management Console.",
		Document:    `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:GenerateCredentialReport","iam:GenerateServiceLastAccessedDetails","iam:Get*","iam:List*","iam:SimulateCustomPolicy","iam:SimulatePrincipalPolicy"],"Resource":"*"}]}`},
	{Name: "IAMUserSSHKeys", Path: "/", ID: "ANPAJTSHUA4UXGXU7ANUA", Version: "v1", Created: launch2015, Updated: launch2015,
		Description: "Provide access to IAM users to manage their SSH keys.",
		Document:    `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:DeleteSSHPublicKey","iam:GetSSHPublicKey","iam:ListSSHPublicKeys","iam:UpdateSSHPublicKey","iam:UploadSSHPublicKey"],"Resource":"arn:aws:iam::*:user/${aws:username}"}]}`},
	{Name: "IAMSelfManageServiceSpecificCredentials", Path: "/", ID: "ANPAI4VT74EMXK2PMQJM2", Version: "v1", Created: day("2016-12-22T17:25:18Z"), Updated: day("2016-12-22T17:25:18Z"),
		Description: "Allows an IAM user to manage their own Service Specific Credentials",
		Document:    `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:CreateServiceSpecificCredential","iam:ListServiceSpecificCredentials","iam:UpdateServiceSpecificCredential","iam:DeleteServiceSpecificCredential","iam:ResetServiceSpecificCredential"],"Resource":"arn:aws:iam::*:user/${aws:username}"}]}`},
	{Name: "SecurityAudit", Path: "/", ID: "ANPAIX2T3QCXHR2OGGCTO", Version: "v38", Created: launch2015, Updated: day("2024-03-07T18:04:52Z"),
		Description: "The security audit template grants access to read security configuration metadata. It is useful for software that audits the configuration of an AWS account.",
		Document:    `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["access-analyzer:List*","account:GetAlternateContact","acm:Describe*","acm:List*","cloudtrail:DescribeTrails","cloudtrail:GetEventSelectors","cloudtrail:GetTrailStatus","cloudtrail:ListTags","config:Describe*","ec2:Describe*","iam:GenerateCredentialReport","iam:Get*","iam:List*","iam:SimulateCustomPolicy","iam:SimulatePrincipalPolicy","organizations:Describe*","organizations:List*","s3:GetAccountPublicAccessBlock","s3:GetBucketAcl","s3:GetBucketPolicy","s3:ListAllMyBuckets","secretsmanager:DescribeSecret","secretsmanager:ListSecrets","ses:GetIdentityPolicies","ses:ListIdentities"],"Resource":"*"}]}`},
	{Name: "ViewOnlyAccess", Path: "/job-function/", ID: "ANPAID22R6XPJATWOFDK6", Version: "v17", Created: jobFunctions, Updated: day("2023-08-31T23:03:02Z"),
		Description: "This policy grants permissions to view resources and basic metadata across all AWS services",
		Document:    `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["acm:ListCertificates","cloudtrail:DescribeTrails","cloudwatch:ListMetrics","ec2:DescribeInstances","ec2:DescribeRegions","ec2:DescribeSecurityGroups","ec2:DescribeVpcs","iam:ListAccessKeys","iam:ListAccountAliases","iam:ListGroups","iam:ListPolicies","iam:ListRoles","iam:ListUsers","organizations:DescribeOrganization","organizations:ListAccounts","s3:ListAllMyBuckets","secretsmanager:ListSecrets","ses:ListIdentities"],"Resource":"*"}]}`},
	{Name: "Billing", Path: "/job-function/", ID: "ANPAIFTHXT6FFMIRT7ZEA", Version: "v8", Created: jobFunctions, Updated: day("2023-07-14T21:56:00Z"),
		Description: "Grants permissions for billing and cost management. This includes viewing account usage and viewing and modifying budgets and payment methods.",
		Document:    `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["account:GetAccountInformation","aws-portal:*Billing","aws-portal:*PaymentMethods","aws-portal:*Usage","billing:*","budgets:ModifyBudget","budgets:ViewBudget","ce:*","cur:*","invoicing:*","payments:*","purchase-orders:*","tax:*"],"Resource":"*"}]}`},
	{Name: "DatabaseAdministrator", Path: "/job-function/", ID: "ANPAIGBMAW4VUQKOQNVT6", Version: "v3", Created: jobFunctions, Updated: day("2019-01-08T00:48:02Z"),
		Description: "Grants full access permissions to AWS services and actions required to set up and configure AWS database services.",
		Document:    `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["cloudwatch:*","dynamodb:*","ec2:Describe*","elasticache:*","rds:*","redshift:*","s3:CreateBucket","s3:GetBucketLocation","s3:ListAllMyBuckets"],"Resource":"*"}]}`},
	{Name: "NetworkAdministrator", Path: "/job-function/", ID: "ANPAJPNMADZFJCVPJVZA2", Version: "v13", Created: jobFunctions, Updated: day("2023-03-20T17:29:42Z"),
		Description: "Grants full access permissions to AWS services and actions required to set up and configure AWS network resources.",
		Document:    `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["autoscaling:Describe*","cloudfront:ListDistributions","directconnect:*","ec2:*Vpc*","ec2:*Subnet*","ec2:*Gateway*","ec2:*Route*","ec2:*Address*","ec2:*SecurityGroup*","ec2:*NetworkAcl*","ec2:Describe*","elasticloadbalancing:*","route53:*"],"Resource":"*"}]}`},
	{Name: "SystemAdministrator", Path: "/job-function/", ID: "ANPAITJPEZXCYCBXANDSW", Version: "v11", Created: jobFunctions, Updated: day("2023-03-24T17:21:36Z"),
		Description: "Grants full access permissions necessary for resources required for application and development operations.",
		Document:    `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["acm:*","autoscaling:*","cloudtrail:DescribeTrails","cloudwatch:*","ec2:*","elasticloadbalancing:*","iam:GetRole","iam:ListRoles","lambda:*","logs:*","s3:*","ssm:*"],"Resource":"*"}]}`},
	{Name: "DataScientist", Path: "/job-function/", ID: "ANPAJ5YHI2BQW7EQFYDXS", Version: "v12", Created: jobFunctions, Updated: day("2023-12-07T19:14:11Z"),
		Description: "Grants permissions to AWS data analytics services.",
		Document:    `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["athena:*","cloudwatch:*","datapipeline:*","dynamodb:*","ec2:Describe*","elasticmapreduce:*","glue:*","kinesis:*","s3:*","sagemaker:*"],"Resource":"*"}]}`},
	{Name: "SupportUser", Path: "/job-function/", ID: "ANPAI3V4GSSN5SJY3P2RO", Version: "v8", Created: jobFunctions, Updated: day("2023-01-10T23:26:51Z"),
		Description: "This policy grants permissions to troubleshoot and resolve issues in an AWS account. This policy also enables the user to contact AWS support to create and manage cases.",
		Document:    `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["support:*","acm:Describe*","acm:List*","cloudtrail:Describe*","cloudwatch:Describe*","cloudwatch:Get*","cloudwatch:List*","ec2:Describe*","iam:Get*","iam:List*","s3:GetBucket*","s3:List*"],"Resource":"*"}]}`},
	{Name: "AmazonS3ReadOnlyAccess", Path: "/", ID: "ANPAIZTJ4DXE7G6AGAE6M", Version: "v3", Created: launch2015, Updated: day("2023-08-10T21:31:39Z"),
		Description: "Provides read only access to all buckets via the AWS Management Console.",
		Document:    `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:Get*","s3:List*","s3:Describe*","s3-object-lambda:Get*","s3-object-lambda:List*"],"Resource":"*"}]}`},
	{Name: "AmazonS3FullAccess", Path: "/", ID: "ANPAIFIR6V6BVTRAHWINE", Version: "v2", Created: launch2015, Updated: day("2021-09-27T20:16:37Z"),
		Description: "Provides full access to all buckets via the AWS Management Console.",
		Document:    `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:*","s3-object-lambda:*"],"Resource":"*"}]}`},
	{Name: "AmazonEC2ReadOnlyAccess", Path: "/", ID: "ANPAIGDT4SV4GSETWTBZK", Version: "v2", Created: launch2015, Updated: day("2018-02-26T19:58:30Z"),
		Description: "Provides read only access to Amazon EC2 via the AWS Management Console.",
		Document:    `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:Describe*","Resource":"*"},{"Effect":"Allow","Action":"elasticloadbalancing:Describe*","Resource":"*"},{"Effect":"Allow","Action":["cloudwatch:ListMetrics","cloudwatch:GetMetricStatistics","cloudwatch:Describe*"],"Resource":"*"},{"Effect":"Allow","Action":"autoscaling:Describe*","Resource":"*"}]}`},
	{Name: "AmazonEC2FullAccess", Path: "/", ID: "ANPAI3VAJF5ZCRZ7MCQE6", Version: "v5", Created: launch2015, Updated: day("2018-11-27T02:16:56Z"),
		Description: "Provides full access to Amazon EC2 via the AWS Management Console.",
		Document:    `{"Version":"2012-10-17","Statement":[{"Action":"ec2:*","Effect":"Allow","Resource":"*"},{"Effect":"Allow","Action":"elasticloadbalancing:*","Resource":"*"},{"Effect":"Allow","Action":"cloudwatch:*","Resource":"*"},{"Effect":"Allow","Action":"autoscaling:*","Resource":"*"}]}`},
	{Name: "AmazonSESFullAccess", Path: "/", ID: "ANPAJ2P4NXCHAT7NDPNR4", Version: "v1", Created: launch2015, Updated: launch2015,
		Description: "Provides full access to Amazon SES via the AWS Management Console.",
		Document:    `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ses:*"],"Resource":"*"}]}`},
	{Name: "AmazonSESReadOnlyAccess", Path: "/", ID: "ANPAINV2XPFRMWJJNSCGI", Version: "v1", Created: launch2015, Updated: launch2015,
		Description: "Provides read only access to Amazon SES via the AWS Management Console.",
		Document:    `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ses:Get*","ses:List*","ses:Describe*"],"Resource":"*"}]}`},
	{Name: "SecretsManagerReadWrite", Path: "/", ID: "ANPAI3VG7CI5BIQZQ6G2E", Version: "v5", Created: day("2018-04-04T18:05:29Z"), Updated: day("2023-05-16T18:55:48Z"),
		Description: "Provides read/write access to AWS Secrets Manager via the AWS Management Console.",
		Document:    `{"Version":"2012-10-17","Statement":[{"Sid":"BasePermissions","Effect":"Allow","Action":["secretsmanager:*","cloudformation:CreateChangeSet","cloudformation:DescribeChangeSet","cloudformation:DescribeStackResource","cloudformation:DescribeStacks","cloudformation:ExecuteChangeSet","kms:DescribeKey","kms:ListAliases","kms:ListKeys","lambda:ListFunctions","tag:GetResources"],"Resource":"*"}]}`},
	{Name: "AWSOrganizationsFullAccess", Path: "/", ID: "ANPAJZXBNRCJKNLQHSB5M", Version: "v6", Created: day("2016-11-15T23:00:49Z"), Updated: day("2023-06-14T18:56:48Z"),
		Description: "Provides full access to AWS Organizations.",
		Document:    `{"Version":"2012-10-17","Statement":[{"Sid":"AWSOrganizationsFullAccess","Effect":"Allow","Action":"organizations:*","Resource":"*"},{"Sid":"AWSOrganizationsFullAccessAccount","Effect":"Allow","Action":["account:PutAlternateContact","account:DeleteAlternateContact","account:GetAlternateContact","account:GetContactInformation","account:PutContactInformation","account:ListRegions","account:EnableRegion","account:DisableRegion"],"Resource":"*"}]}`},
	{Name: "AWSOrganizationsReadOnlyAccess", Path: "/", ID: "ANPAJY5RQATUV77PEPVOM", Version: "v8", Created: day("2016-11-15T23:04:56Z"), Updated: day("2024-02-06T19:02:16Z"),
		Description: "Provides read-only access to AWS Organizations.",
		Document:    `{"Version":"2012-10-17","Statement":[{"Sid":"AWSOrganizationsReadOnly","Effect":"Allow","Action":["organizations:Describe*","organizations:List*"],"Resource":"*"},{"Sid":"AWSOrganizationsReadOnlyAccount","Effect":"Allow","Action":["account:GetAlternateContact","account:GetContactInformation","account:ListRegions","account:GetRegionOptStatus"],"Resource":"*"}]}`},
	{Name: "AWSSupportAccess", Path: "/", ID: "ANPAJSNKQX2OW67GF4S7E", Version: "v1", Created: launch2015, Updated: launch2015,
		Description: "Allow users to access the AWS Support Center.",
		Document:    `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["support:*"],"Resource":"*"}]}`},
	{Name: "CloudWatchReadOnlyAccess", Path: "/", ID: "ANPAJN23PDQP7SZQAE3QE", Version: "v15", Created: launch2015, Updated: day("2023-09-18T21:49:44Z"),
		Description: "Provides read only access to CloudWatch",
		Document:    `{"Version":"2012-10-17","Statement":[{"Sid":"CloudWatchReadOnlyAccessPermissions","Effect":"Allow","Action":["application-autoscaling:DescribeScalingPolicies","autoscaling:Describe*","cloudwatch:BatchGet*","cloudwatch:Describe*","cloudwatch:GenerateQuery","cloudwatch:Get*","cloudwatch:List*","logs:Get*","logs:List*","logs:StartQuery","logs:StopQuery","logs:Describe*","logs:TestMetricFilter","logs:FilterLogEvents","sns:Get*","sns:List*"],"Resource":"*"}]}`},
	{Name: "AWSLambdaBasicExecutionRole", Path: "/service-role/", ID: "ANPAJNCQGXC42545SKXIK", Version: "v1", Created: day("2015-04-09T15:03:43Z"), Updated: day("2015-04-09T15:03:43Z"),
		Description: "Provides write permissions to CloudWatch Logs.",
		Document:    `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["logs:CreateLogGroup","logs:CreateLogStream","logs:PutLogEvents"],"Resource":"*"}]}`},
	{Name: "AmazonSSMManagedInstanceCore", Path: "/", ID: "ANPAIXSHM2BNB2D3AXXRU", Version: "v2", Created: day("2019-03-15T17:22:12Z"), Updated: day("2019-05-23T16:54:21Z"),
		Description: "The policy for Amazon EC2 Role to enable AWS Systems Manager service core functionality.",
		Document:    `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ssm:DescribeAssociation","ssm:GetDeployablePatchSnapshotForInstance","ssm:GetDocument","ssm:DescribeDocument","ssm:GetManifest","ssm:GetParameter","ssm:GetParameters","ssm:ListAssociations","ssm:ListInstanceAssociations","ssm:PutInventory","ssm:PutComplianceItems","ssm:PutConfigurePackageResult","ssm:UpdateAssociationStatus","ssm:UpdateInstanceAssociationStatus","ssm:UpdateInstanceInformation"],"Resource":"*"},{"Effect":"Allow","Action":["ssmmessages:CreateControlChannel","ssmmessages:CreateDataChannel","ssmmessages:OpenControlChannel","ssmmessages:OpenDataChannel"],"Resource":"*"},{"Effect":"Allow","Action":["ec2messages:*"],"Resource":"*"}]}`},
}

// awsManaged indexes the catalogue by policy name.
var awsManaged = indexCatalogue(catalogue)

func indexCatalogue(list []awsPolicy) map[string]awsPolicy {
	out := make(map[string]awsPolicy, len(list))
	for _, p := range list {
		out[p.Name] = p
	}
	return out
}

// lookupAWSPolicy finds an AWS-managed policy by its exact ARN.
func lookupAWSPolicy(arn string) (awsPolicy, bool) {
	rest, ok := strings.CutPrefix(arn, awsPolicyPrefix)
	if !ok {
		return awsPolicy{}, false
	}
	p, ok := awsManaged[rest[strings.LastIndex(rest, "/")+1:]]
	return p, ok && p.ARN() == arn
}

// policyExists reports whether a managed policy ARN names an AWS-managed policy in
// the catalogue or a customer-managed policy of the account.
func policyExists(a iamAccount, arn string) bool {
	if _, ok := lookupAWSPolicy(arn); ok {
		return true
	}
	_, ok := lookupLocalPolicy(a, arn)
	return ok
}

// lookupLocalPolicy finds a customer-managed policy of account a by its exact ARN.
func lookupLocalPolicy(a iamAccount, arn string) (*iamstate.ManagedPolicy, bool) {
	prefix := "arn:aws:iam::" + a.ID + ":policy"
	rest, ok := strings.CutPrefix(arn, prefix)
	if !ok {
		return nil, false
	}
	p, ok := a.Policies.Get(rest[strings.LastIndex(rest, "/")+1:])
	if !ok || prefix+p.Path+p.Name != arn {
		return nil, false
	}
	return p, true
}

// checkBoundary verifies a permissions boundary names an existing managed policy.
func checkBoundary(a iamAccount, arn string) error {
	if !strings.HasPrefix(arn, "arn:aws:iam::") || !strings.Contains(arn, ":policy/") {
		return invalidInput("ARN %s is not valid.", arn)
	}
	if !policyExists(a, arn) {
		return noSuchEntity("Scope ARN: %s does not exist or is not attachable.", arn)
	}
	return nil
}
