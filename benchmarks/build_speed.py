"""Push-to-image time for a small Flask app, through a real `git push`.

cold: a new app (empty build cache) each run; warm: a code-only change pushed to
an app whose cache is warm. Prints JSON with every run and the medians of two
measures: push-to-image (the platform's build, from receiving the source to the
runtime image being recorded: the build's created_at to updated_at) and
push-to-release (`git push` starting to it returning, which includes the upload,
the release phase and the rollout of the web dyno).

    uv run python benchmarks/build_speed.py [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from _platform import Platform

FILES = {
    "app.py": "from flask import Flask\napp = Flask(__name__)\n\n@app.get('/')\ndef index():\n    return 'v0'\n",
    "requirements.txt": "flask==3.1.*\ngunicorn==23.*\n",
    "Procfile": "web: gunicorn --bind 0.0.0.0:$PORT app:app\n",
}


def git(repo: Path, env: dict, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], env=env, check=True, capture_output=True)


def last_build_seconds(platform: Platform, app: str) -> float:
    from datetime import datetime

    with platform.api() as api:
        build = api.get(f"/apps/{app}/builds").json()[-1]
    started = datetime.fromisoformat(build["created_at"].replace("Z", "+00:00"))
    finished = datetime.fromisoformat(build["updated_at"].replace("Z", "+00:00"))
    return (finished - started).total_seconds()


def timed_push(repo: Path, env: dict) -> float:
    started = time.perf_counter()
    result = subprocess.run(["git", "-C", str(repo), "push", "-q", "paas", "main"], env=env,
                            capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"push failed:\n{result.stderr}")
    return elapsed


def make_repo(platform: Platform, home: Path, name: str, env: dict) -> Path:
    with platform.api() as api:
        api.post("/apps", json={"name": name}).raise_for_status()
    repo = home / name
    repo.mkdir()
    for path, text in FILES.items():
        (repo / path).write_text(text)
    git(repo, env, "init", "-q", "-b", "main")
    git(repo, env, "add", "-A")
    git(repo, env, "commit", "-qm", "initial")
    git(repo, env, "remote", "add", "paas", f"{platform.url}/git/{name}.git")
    return repo


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    runs = parser.parse_args().runs
    cold, warm, cold_image, warm_image = [], [], [], []
    with Platform() as platform, tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        env = platform.git_env(home)
        for i in range(runs):
            cold.append(timed_push(make_repo(platform, home, f"cold-{i}", env), env))
            cold_image.append(last_build_seconds(platform, f"cold-{i}"))
        repo = home / "cold-0"
        for i in range(runs):
            (repo / "app.py").write_text(FILES["app.py"].replace("v0", f"v{i + 1}"))
            git(repo, env, "commit", "-qam", f"change {i + 1}")
            warm.append(timed_push(repo, env))
            warm_image.append(last_build_seconds(platform, "cold-0"))
    print(json.dumps({
        "benchmark": "push_to_image_flask",
        "runs": runs,
        "push_to_image_cold_seconds": [round(x, 2) for x in cold_image],
        "push_to_image_warm_seconds": [round(x, 2) for x in warm_image],
        "push_to_release_cold_seconds": [round(x, 2) for x in cold],
        "push_to_release_warm_seconds": [round(x, 2) for x in warm],
        "push_to_image_cold_median": round(statistics.median(cold_image), 2),
        "push_to_image_warm_median": round(statistics.median(warm_image), 2),
        "push_to_release_cold_median": round(statistics.median(cold), 2),
        "push_to_release_warm_median": round(statistics.median(warm), 2),
        "warm_target_seconds": 5.0,
    }, indent=2))


if __name__ == "__main__":
    main()
