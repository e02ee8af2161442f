#!/usr/bin/env python3
"""AWSConfigRemediation-DeleteIAMUser's calls, one after another, per user.

The AWS Systems Manager runbook AWSConfigRemediation-DeleteIAMUser (version 4,
quoted in ../shared/seeds/002_*.txt) deletes one IAM user, given its user ID,
in six aws:executeScript steps that run one after another:

  GetUsername                           list_users, page by page, until the ID is found
  GetKeysCertificatesMfaAndCredentials  list_access_keys, list_ssh_public_keys,
                                        list_signing_certificates, list_mfa_devices,
                                        list_service_specific_credentials
  GetGroupsAndPolicies                  list_groups_for_user, list_user_policies,
                                        list_attached_user_policies
  DeleteKeysCertificatesMfaAndCredentials
                                        delete_login_profile (NoSuchEntity tolerated),
                                        delete_access_key, delete_ssh_public_key,
                                        delete_signing_certificate, deactivate_mfa_device,
                                        delete_virtual_mfa_device, delete_service_specific_credential
                                        — each item, one after another
  DeleteGroupsAndPolicies               remove_user_from_group, delete_user_policy,
                                        detach_user_policy — each item, one after another
  DeleteIAMUserAndVerify                delete_user, then get_user must raise NoSuchEntity

This script makes exactly those calls in that order, one user after another,
so gatehouse can be measured against it on the same users (bench/offboard).
What it leaves out favours the runbook: SSM's own per-step start-up (each
executeScript step starts a fresh Python runtime in AWS) and a new boto3
client per step — one client is reused here.

The runbook sleeps THROTTLE_PERIOD (50 ms) after every page of every listing;
--sleep keeps those sleeps, without it they are left out.

The runbook passes every MFA serial to DeleteVirtualMFADevice, which fails
with NoSuchEntity for hardware tokens and passkeys (seed 002's bug): the
benchmark gives it users with virtual devices only, and should one be hit
anyway, the failure is counted and reported, not raised.

Usage: runbook.py --endpoint-url URL --ids FILE [--sleep]
  FILE holds one IAM user ID (AIDA…) per line, the runbook's IAMUserId input.
  Credentials come from the environment (AWS_ACCESS_KEY_ID, …).
Prints one JSON object: users, calls, seconds, non_virtual_mfa_failures.
"""

import argparse
import json
import sys
import time

import boto3
from botocore.config import Config

THROTTLE_PERIOD = 0.05


class Runbook:
    def __init__(self, iam, sleep):
        self.iam = iam
        self.sleep = sleep
        self.non_virtual_mfa_failures = []

    def pause(self):
        if self.sleep:
            time.sleep(THROTTLE_PERIOD)

    # GetUsername
    def get_username(self, user_id):
        for page in self.iam.get_paginator("list_users").paginate():
            for user in page["Users"]:
                if user["UserId"] == user_id:
                    return user["UserName"]
            self.pause()
        raise Exception(f"AWS IAM USER ID, {user_id} DOES NOT EXIST.")

    def listing(self, operation, key, field, username):
        out = []
        for page in self.iam.get_paginator(operation).paginate(UserName=username):
            for item in page[key]:
                out.append(item[field] if field else item)
            self.pause()
        return out

    # GetKeysCertificatesMfaAndCredentials
    def get_keys_certificates_mfa_and_credentials(self, username):
        access_keys = self.listing("list_access_keys", "AccessKeyMetadata", "AccessKeyId", username)
        ssh_public_keys = self.listing("list_ssh_public_keys", "SSHPublicKeys", "SSHPublicKeyId", username)
        signing_certificates = self.listing("list_signing_certificates", "Certificates", "CertificateId", username)
        mfa_devices = self.listing("list_mfa_devices", "MFADevices", "SerialNumber", username)
        response = self.iam.list_service_specific_credentials(UserName=username)
        credentials = [c["ServiceSpecificCredentialId"] for c in response["ServiceSpecificCredentials"]]
        return access_keys, ssh_public_keys, signing_certificates, mfa_devices, credentials

    # GetGroupsAndPolicies
    def get_groups_and_policies(self, username):
        groups = self.listing("list_groups_for_user", "Groups", "GroupName", username)
        user_policies = []
        for page in self.iam.get_paginator("list_user_policies").paginate(UserName=username):
            user_policies.extend(page["PolicyNames"])
            self.pause()
        attached = self.listing("list_attached_user_policies", "AttachedPolicies", "PolicyArn", username)
        return groups, user_policies, attached

    # DeleteKeysCertificatesMfaAndCredentials
    def delete_keys_certificates_mfa_and_credentials(self, username, access_keys, ssh_public_keys,
                                                     signing_certificates, mfa_devices, credentials):
        try:
            self.iam.delete_login_profile(UserName=username)
        except self.iam.exceptions.NoSuchEntityException:
            pass
        for key in access_keys:
            self.iam.delete_access_key(UserName=username, AccessKeyId=key)
        for key in ssh_public_keys:
            self.iam.delete_ssh_public_key(UserName=username, SSHPublicKeyId=key)
        for cert in signing_certificates:
            self.iam.delete_signing_certificate(UserName=username, CertificateId=cert)
        for serial in mfa_devices:
            self.iam.deactivate_mfa_device(UserName=username, SerialNumber=serial)
        for serial in mfa_devices:
            try:
                self.iam.delete_virtual_mfa_device(SerialNumber=serial)
            except self.iam.exceptions.NoSuchEntityException:
                # Where the runbook fails (seed 002): a hardware token or passkey.
                self.non_virtual_mfa_failures.append(serial)
        for credential in credentials:
            self.iam.delete_service_specific_credential(UserName=username, ServiceSpecificCredentialId=credential)

    # DeleteGroupsAndPolicies
    def delete_groups_and_policies(self, username, groups, user_policies, attached):
        for group in groups:
            self.iam.remove_user_from_group(UserName=username, GroupName=group)
        for policy in user_policies:
            self.iam.delete_user_policy(UserName=username, PolicyName=policy)
        for arn in attached:
            self.iam.detach_user_policy(UserName=username, PolicyArn=arn)

    # DeleteIAMUserAndVerify
    def delete_iam_user_and_verify(self, username):
        self.iam.delete_user(UserName=username)
        try:
            self.iam.get_user(UserName=username)
        except self.iam.exceptions.NoSuchEntityException:
            return
        raise Exception(f"VERIFICATION FAILED. AWS IAM USER {username} DELETION UNSUCCESSFUL.")

    def delete(self, user_id):
        username = self.get_username(user_id)
        keys, ssh, certs, mfa, creds = self.get_keys_certificates_mfa_and_credentials(username)
        groups, user_policies, attached = self.get_groups_and_policies(username)
        self.delete_keys_certificates_mfa_and_credentials(username, keys, ssh, certs, mfa, creds)
        self.delete_groups_and_policies(username, groups, user_policies, attached)
        self.delete_iam_user_and_verify(username)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--endpoint-url", required=True)
    parser.add_argument("--ids", required=True, help="file with one IAM user ID per line")
    parser.add_argument("--region", default="us-east-1")
    parser.add_argument("--sleep", action="store_true", help="sleep THROTTLE_PERIOD after each listing page, as the runbook does")
    args = parser.parse_args()

    with open(args.ids) as f:
        ids = [line.strip() for line in f if line.strip()]
    iam = boto3.client("iam", endpoint_url=args.endpoint_url, region_name=args.region,
                       config=Config(retries={"mode": "standard", "max_attempts": 5}))
    calls = 0

    def count(**_):
        nonlocal calls
        calls += 1

    iam.meta.events.register("before-call.iam", count)
    runbook = Runbook(iam, args.sleep)
    start = time.monotonic()
    for user_id in ids:
        runbook.delete(user_id)
    seconds = time.monotonic() - start
    json.dump({"users": len(ids), "calls": calls, "seconds": seconds,
               "non_virtual_mfa_failures": len(runbook.non_virtual_mfa_failures)}, sys.stdout)
    print()


if __name__ == "__main__":
    main()
