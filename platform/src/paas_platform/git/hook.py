"""The pre-receive hook of every app repo: a push to main or master becomes a build.

git runs it (through the script BareRepos installs) with `old new ref` lines on stdin and
everything it prints relayed to the pusher as `remote:` lines. Exit 0 lets the push in;
anything else rejects it and leaves the branch where it was. main() owns the exit code and
the one-line reason; the code beneath it raises PushRejected.
"""

from __future__ import annotations

import os
import sys
from typing import Mapping, TextIO

import httpx

from paas_platform.domain.errors import PaasError
from paas_platform.domain.names import validate_app_name
from paas_platform.git.archive import source_tarball
from paas_platform.git.builds_client import TIMEOUT, BuildsClient
from paas_platform.git.refs import PushRejected, RefUpdate, deploy_update, parse_ref_updates

REQUIRED_ENV = ("PAAS_API_URL", "PAAS_API_TOKEN", "PAAS_APP")


def main(stdin: TextIO | None = None, out: TextIO | None = None,
         environ: Mapping[str, str] | None = None,
         transport: httpx.BaseTransport | None = None) -> int:
    stdin = sys.stdin if stdin is None else stdin
    out = sys.stdout if out is None else out
    environ = os.environ if environ is None else environ
    try:
        update = deploy_update(parse_ref_updates(stdin))
        deploy(update, environ, out, transport)
    except PaasError as exc:
        _say(out, f"Push rejected: {exc.message}")
        return 1
    except (httpx.HTTPError, httpx.InvalidURL) as exc:  # beyond _api_errors: bad URL, decoding
        _say(out, f"Push rejected: talking to the paas API failed ({exc})")
        return 1
    except KeyboardInterrupt:
        _say(out, "Push rejected: interrupted")
        return 1
    except Exception as exc:  # a bug here: the pusher still gets one line, not a traceback
        _say(out, f"Push rejected: internal error in the paas hook ({type(exc).__name__}: {exc})")
        return 1
    return 0


def deploy(update: RefUpdate, environ: Mapping[str, str], out: TextIO,
           transport: httpx.BaseTransport | None = None) -> None:
    """Build `update.new` through the builds API, relaying its output; raise unless released."""
    missing = [name for name in REQUIRED_ENV if not environ.get(name)]
    if missing:
        raise PushRejected(f"the hook's environment lacks {', '.join(missing)}")
    app = validate_app_name(environ["PAAS_APP"])
    headers = {"Authorization": f"Bearer {environ['PAAS_API_TOKEN']}"}
    # trust_env=False: no proxy or netrc of the platform's host may redirect this local call.
    with httpx.Client(base_url=environ["PAAS_API_URL"], headers=headers, timeout=TIMEOUT,
                      transport=transport, trust_env=False) as http:
        builds = BuildsClient(http, app)
        build = builds.create(source_tarball(update.new, environ), update.new)
        for line in builds.output_lines(build):
            _say(out, line)
        _require_release(builds.outcome(str(build.get("id"))))


def _require_release(build: dict) -> None:
    if build.get("status") != "succeeded":
        raise PushRejected("build failed")
    release = build.get("release")
    if not isinstance(release, dict):
        raise PushRejected("the build made no release")
    status = release.get("status")
    if status != "succeeded":
        state = "still pending" if status == "pending" else "failed"
        raise PushRejected(f"release v{release.get('version')} {state}")


def _say(out: TextIO, line: str) -> None:
    # Flushed line by line: the pusher watches the build as it happens.
    out.write(line + "\n")
    out.flush()
