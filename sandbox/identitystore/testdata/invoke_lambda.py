# Invokes a Lambda handler the way the Lambda runtime does, for the sandbox's
# tests: the event is JSON on stdin, the handler's return value is written to
# stdout as the last line, as JSON. Usage: python3 invoke_lambda.py HANDLER.py
import importlib.util
import json
import sys

spec = importlib.util.spec_from_file_location("handler", sys.argv[1])
handler = importlib.util.module_from_spec(spec)
spec.loader.exec_module(handler)
result = handler.lambda_handler(json.load(sys.stdin), None)
print(json.dumps(result, ensure_ascii=False))
