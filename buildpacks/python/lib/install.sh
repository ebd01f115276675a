# The installers. Each makes "$VENV" if it is missing and installs into it; run over
# a venv restored from the cache they only (re)install what is not there yet.
# Expects: BUILD_DIR, CACHE, VENV, PYTHON (the stack's python3), OWN_PACKAGE (yes/no).

# Pinned: uv.lock's format follows uv releases, and the pin keys the venv cache.
UV_VERSION=0.13.9

# uv itself lives in the cache, outside the slug, installed once per uv version.
ensure_uv() {
  UV=$CACHE/tools/bin/uv
  case "$("$UV" --version 2>/dev/null || true) " in
    "uv $UV_VERSION "*) return 0 ;;  # "uv 0.13.9 (target)"
  esac
  step "Installing uv $UV_VERSION"
  rm -rf "$CACHE/tools"
  "$PYTHON" -m venv "$CACHE/tools"
  "$CACHE/tools/bin/pip" install --progress-bar off "uv==$UV_VERSION" 2>&1 | indent \
    || fail "Could not install uv $UV_VERSION."
}

install_pip_requirements() {
  [ -d "$VENV" ] || "$PYTHON" -m venv "$VENV"
  step "Installing requirements with pip"
  "$VENV/bin/pip" install --progress-bar off -r "$BUILD_DIR/requirements.txt" 2>&1 | indent \
    || fail "pip could not install requirements.txt (see above)."
}

install_pip_setup() {
  [ -d "$VENV" ] || "$PYTHON" -m venv "$VENV"
  step "Installing the app with pip (setup.py)"
  "$VENV/bin/pip" install --progress-bar off "$BUILD_DIR" 2>&1 | indent \
    || fail "pip could not install the app from setup.py (see above)."
}

install_uv_lock() {
  ensure_uv
  step "Installing dependencies with uv (uv.lock)"
  # The project itself is installed (editable) only when it is a package; uv decides.
  (cd "$BUILD_DIR" && UV_PROJECT_ENVIRONMENT=$VENV \
    "$UV" sync --frozen --no-dev --python "$PYTHON") 2>&1 | indent \
    || fail "uv could not install from uv.lock (see above)."
}

install_uv_pyproject() {
  ensure_uv
  [ -d "$VENV" ] || "$UV" venv --quiet --python "$PYTHON" "$VENV"
  local what=(-r "$BUILD_DIR/pyproject.toml")
  if [ "$OWN_PACKAGE" = yes ]; then
    what=(--editable "$BUILD_DIR")
  fi
  step "Installing dependencies from pyproject.toml with uv"
  "$UV" pip install --python "$VENV/bin/python" "${what[@]}" 2>&1 | indent \
    || fail "uv could not install pyproject.toml's dependencies (see above)."
}
