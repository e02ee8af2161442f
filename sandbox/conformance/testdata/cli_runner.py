import sys, os, json, io, contextlib
proto_out = os.fdopen(os.dup(1), "w")
import awscli.clidriver
base_env = dict(os.environ)  # after the import: awscli sets AWS_DATA_PATH there
for line in sys.stdin:
    req = json.loads(line)
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
    proto_out.write(json.dumps({"rc": rc, "stdout": out.getvalue(), "stderr": err.getvalue()}) + "\n")
    proto_out.flush()
