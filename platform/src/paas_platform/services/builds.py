"""BuildService: accept source, build it in the background, and release the result.

A build runs on its own thread: it checks nothing the request did not already
check, streams its output to readers, records the image, then appends a release
(running the Procfile's `release:` command first, when there is one). One build
per app at a time, as on Heroku.
"""

from __future__ import annotations

import logging
import shutil
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Protocol

from paas_platform.builder.source import SourceLimits, SourceTree, UploadWriter, sanitize
from paas_platform.domain.buildpacks import BuildpackRef, parse_buildpack
from paas_platform.domain.builds import Build, BuildResult
from paas_platform.domain.errors import Conflict, NotFound, PaasError
from paas_platform.domain.logs import release_text
from paas_platform.domain.releases import NewRelease, Release, ReleaseStatus
from paas_platform.services.build_output import BuildOutputs, OutputStream
from paas_platform.services.clock import Clock, utc_now
from paas_platform.services.log_hub import NULL_LOGS, LogSink
from paas_platform.services.runner import Runner
from paas_platform.store import Store

log = logging.getLogger("paas.builds")

RELEASE_PROCESS = "release"


class Pipeline(Protocol):
    scratch_dir: Path

    def build(self, app: str, build_id: str, source: SourceTree, config: dict[str, str],
              buildpack: BuildpackRef | None, say) -> BuildResult: ...

    def run_release_phase(self, app: str, version: int, image: str, command: str,
                          config: dict[str, str], slug_image: bool, say) -> tuple[int, bool]: ...

    def purge_cache(self, app: str) -> bool: ...


@dataclass(frozen=True)
class BuildView:
    build: Build
    release: Release | None


class BuildService:
    def __init__(self, store: Store, pipeline: Pipeline, outputs: BuildOutputs,
                 limits: SourceLimits, runner: Runner, clock: Clock = utc_now,
                 logs: LogSink = NULL_LOGS) -> None:
        self._store = store
        self._logs = logs
        self._runner = runner
        self._pipeline = pipeline
        self._outputs = outputs
        self._limits = limits
        self._clock = clock
        self._running: set[str] = set()
        self._lock = threading.Lock()

    # -- accepting source ---------------------------------------------------------

    def new_upload(self, app_name: str) -> UploadWriter:
        """Where the API writes an upload (after checking the app exists)."""
        with self._store.transaction() as tx:
            tx.apps.get(app_name)
        work = self._pipeline.scratch_dir / f"upload-{uuid.uuid4().hex}"
        work.mkdir(parents=True)
        return UploadWriter(work / "source.tgz", self._limits)

    def start(self, app_name: str, upload: Path, source_version: str | None, user: str,
              wait: bool = False) -> Build:
        """Check the upload and start building it; nothing is recorded if it is refused."""
        work = upload.parent
        try:
            source = sanitize(upload, work / "source.tar", self._limits)
            upload.unlink()
            with self._lock:
                if app_name in self._running:
                    raise Conflict(f"a build of {app_name} is already running; try again when it ends")
                self._running.add(app_name)
        except BaseException:
            shutil.rmtree(work, ignore_errors=True)
            raise
        try:
            with self._store.transaction(write=True) as tx:
                app = tx.apps.get(app_name, lock=True)
                build = tx.builds.insert(app.id, source_version, user, self._clock())
        except BaseException:
            self._release_slot(app_name, work)
            raise
        stream = self._outputs.open(build.id)
        self._logs.event(app_name, f"Build started by {user}")
        thread = threading.Thread(target=self._run, name=f"build-{app_name}",
                                  args=(app_name, build, source, stream, work), daemon=True)
        thread.start()
        if wait:
            thread.join()
        return build

    # -- the background part ---------------------------------------------------------

    def _run(self, app_name: str, build: Build, source: SourceTree, stream: OutputStream,
             work: Path) -> None:
        def say(line: str) -> None:
            stream.append(line)
            self._logs.write(app_name, "platform", "build", line)

        try:
            with self._store.transaction() as tx:
                app = tx.apps.get(app_name)
            buildpack = app.buildpack or app.config.get("BUILDPACK_URL")
            ref = parse_buildpack(buildpack) if buildpack else None
            result = self._pipeline.build(app_name, build.id, source, app.config, ref, say)
        except PaasError as exc:
            say(f" !     {exc.message}")
            say(" !     Build failed")
            self._finish(build, None, stream)
            self._logs.event(app_name, f"Build failed (started by {build.user})")
        except Exception:
            log.exception("build %s of %s crashed", build.id, app_name)
            say(" !     Build failed: internal error (see the platform log)")
            self._finish(build, None, stream)
            self._logs.event(app_name, f"Build failed (started by {build.user})")
        else:
            self._finish(build, result, stream)
            self._logs.event(app_name, f"Build succeeded (started by {build.user})")
            self._release(app_name, build, result, say, stream)
        finally:
            # Stored before the live stream closes: a reader arriving just after the
            # close reads the store and must find the whole output there.
            self._persist_output(build, stream)
            self._outputs.close(build.id)
            self._release_slot(app_name, work)

    def _finish(self, build: Build, result: BuildResult | None, stream: OutputStream) -> None:
        with self._store.transaction(write=True) as tx:
            tx.builds.finish(build.id, result, stream.text(), self._clock())
        log.info("build %s %s", build.id, "succeeded" if result else "failed")

    def _release(self, app_name: str, build: Build, result: BuildResult, say,
                 stream: OutputStream) -> None:
        release_command = result.process_types.get(RELEASE_PROCESS)
        version = build.source_version[:7] if build.source_version else build.id[:8]
        with self._store.transaction(write=True) as tx:
            app = tx.apps.get(app_name, lock=True)
            release = tx.releases.append(app.id, NewRelease(
                description=f"Deploy {version}", config=app.config, user=build.user,
                build_id=build.id, status=ReleaseStatus.PENDING,
            ), self._clock())
            tx.builds.link_release(build.id, release.id)
        self._logs.event(app_name, release_text(release.version, build.user, release.description))
        if release_command:
            say(f"-----> Running release command: {release_command}")
            release_dyno = f"release.{release.version}"

            def release_output(line: str) -> None:
                # In the build output, and in the app's log as the release dyno's own line.
                stream.append(f"       {line}")
                self._logs.write(app_name, "app", release_dyno, line)

            code, timed_out = self._pipeline.run_release_phase(
                app_name, release.version, result.image_id, release_command, release.config,
                result.buildpack != "dockerfile", release_output,
            )
            if code != 0:
                with self._store.transaction(write=True) as tx:
                    tx.releases.set_status(release.id, ReleaseStatus.FAILED, self._clock())
                why = "timed out" if timed_out else f"exited {code}"
                say(f" !     Release command {why}; v{release.version} failed and is not live")
                log.info("release v%d of %s failed in its release phase", release.version, app_name)
                return
        if not self._runner.deploy(app_name, release, say):
            return
        say(f"-----> Released v{release.version}")
        log.info("release v%d of %s created by %s: %s", release.version, app_name, build.user,
                 release.description)

    def _persist_output(self, build: Build, stream: OutputStream) -> None:
        with self._store.transaction(write=True) as tx:
            tx.builds.finish_output(build.id, stream.text())

    def _release_slot(self, app_name: str, work: Path) -> None:
        with self._lock:
            self._running.discard(app_name)
        shutil.rmtree(work, ignore_errors=True)

    # -- reading -----------------------------------------------------------------------

    def list(self, app_name: str) -> list[BuildView]:
        with self._store.transaction() as tx:
            app = tx.apps.get(app_name)
            releases = {r.id: r for r in tx.releases.list(app.id)}
            return [BuildView(b, releases.get(b.release_id)) for b in tx.builds.list(app.id)]

    def get(self, app_name: str, build_id: str) -> BuildView:
        with self._store.transaction() as tx:
            app = tx.apps.get(app_name)
            build = tx.builds.get(app.id, build_id) if _is_uuid(build_id) else None
            if build is None:
                raise NotFound(f"build {build_id} of {app_name} not found")
            release = next((r for r in tx.releases.list(app.id) if r.id == build.release_id), None)
            return BuildView(build, release)

    def output(self, app_name: str, build_id: str) -> Iterator[str]:
        view = self.get(app_name, build_id)
        stream = self._outputs.get(view.build.id)
        if stream is not None:
            return stream.follow()
        with self._store.transaction() as tx:
            text = tx.builds.output(view.build.id)
        return iter([text])

    def purge_cache(self, app_name: str, user: str) -> None:
        with self._store.transaction() as tx:
            tx.apps.get(app_name)
        self._pipeline.purge_cache(app_name)
        log.info("build cache of %s purged by %s", app_name, user)


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
        return True
    except ValueError:
        return False
