#!/usr/bin/env bash
# Onboarding the way a shell script around the AWS CLI v2 does it: one `aws`
# process per call, one person after another — the same steps gatehouse takes
# per person (create-user with the same tags, create-login-profile with a
# reset required, attach IAMUserChangePassword, add to the group, mail the
# password with SESv2), after reading the password policy once.
#
#   bench/onboard/cli-loop.sh AWS-CLI-V2 ENDPOINT-URL PEOPLE-FILE
#
# The account, region and credentials come from the environment. bench/onboard
# runs it; it is not meant for real use (the password is in the mail as plain
# text and errors stop everything, as in seed 000).
set -euo pipefail
aws=$1 endpoint=$2 people=$3
call() { "$aws" --endpoint-url "$endpoint" --output json --no-cli-pager "$@" > /dev/null; }

call iam get-account-password-policy
while read -r email; do
	call iam create-user --user-name "$email" \
		--tags Key=gatehouse:managed-by,Value=gatehouse "Key=gatehouse:email,Value=$email"
	# 30 hex digits and one of each other class: meets the benchmark's policy.
	password="$(od -An -N15 -tx1 /dev/urandom | tr -d ' \n')Aa1!"
	call iam create-login-profile --user-name "$email" --password "$password" --password-reset-required
	call iam attach-user-policy --user-name "$email" --policy-arn arn:aws:iam::aws:policy/IAMUserChangePassword
	call iam add-user-to-group --user-name "$email" --group-name developers
	call sesv2 send-email --from-email-address it@example.com --destination "ToAddresses=$email" \
		--content "$(printf '{"Simple":{"Subject":{"Data":"Your AWS sign-in details"},"Body":{"Text":{"Data":"User name: %s\\nPassword: %s\\n"}}}}' "$email" "$password")"
done < "$people"
