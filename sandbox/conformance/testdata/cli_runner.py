import sys, os, json, io, contextlib
proto_out = os.fdopen(os.dup(1), "w")
start_data_path = os.environ.get("AWS_DATA_PATH")
import awscli.clidriver
base_env = dict(os.environ)  # after the import: awscli appends its own data to AWS_DATA_PATH

def respond(rc, stdout, stderr):
    proto_out.write(json.dumps({"rc": rc, "stdout": stdout, "stderr": stderr}) + "\n")
    proto_out.flush()

for line in sys.stdin:
    req = json.loads(line)
    # Models are searched along the AWS_DATA_PATH this runner started with (awscli
    # extended it at import); a request asking for another one cannot be honoured.
    if req["env"].pop("AWS_DATA_PATH", start_data_path) != start_data_path:
        respond(255, "", "runner: AWS_DATA_PATH differs from the one the runner started with\n")
        continue
    os.environ.clear()
    os.environ.update(base_env)
    for k in [k for k in os.environ if k.startswith("AWS_") and k != "AWS_DATA_PATH"]:
        del os.environ[k]
    os.environ.update(req["env"])
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            rc = awscli.clidriver.AWSCLIEntryPoint().main(req["args"])
        except SystemExit as e:
            rc = e.code if isinstance(e.code, int) else 1
        except BaseException as e:
            err.write("runner: %r\n" % e); rc = 255
    respond(rc, out.getvalue(), err.getvalue())
