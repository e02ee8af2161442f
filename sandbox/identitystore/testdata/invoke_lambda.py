# Invokes a Lambda handler the way the Lambda runtime does, for the sandbox's
# tests: the event is JSON on stdin, the handler's return value is written to
# stdout as the last line, as JSON. Usage: python3 invoke_lambda.py HANDLER.py
#
# The handler is run unchanged. It is pointed at the sandbox by
# AWS_ENDPOINT_URL, which botocore reads itself only from 1.31 (2023) on;
# Debian 12's python3-boto3 (botocore 1.29) ignores it and would call AWS.
# So every client made here gets that endpoint, whichever botocore it is.
import importlib.util
import json
import os
import sys

import boto3.session

endpoint = os.environ.get("AWS_ENDPOINT_URL")
if endpoint:
    _client = boto3.session.Session.client

    def _client_at_endpoint(self, *args, **kwargs):
        kwargs.setdefault("endpoint_url", endpoint)
        return _client(self, *args, **kwargs)

    boto3.session.Session.client = _client_at_endpoint

spec = importlib.util.spec_from_file_location("handler", sys.argv[1])
handler = importlib.util.module_from_spec(spec)
spec.loader.exec_module(handler)
result = handler.lambda_handler(json.load(sys.stdin), None)
print(json.dumps(result, ensure_ascii=False))
