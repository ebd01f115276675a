# The Python version an app asks for. The stack's python3 is the only interpreter, so
# a request is a check, never a download.

# First meaningful line of a version file, comments and blanks dropped.
_version_line() {
  sed -e 's/#.*//' -e 's/[[:space:]]//g' "$1" | grep -m1 . || true
}

# check_python_version BUILD_DIR STACK_VERSION: fail unless the request (if any) is
# satisfied: the same major.minor, and the same patch when one is given.
check_python_version() {
  local build_dir=$1 available=$2 source requested
  if [ -f "$build_dir/.python-version" ]; then
    source=.python-version
    requested=$(_version_line "$build_dir/.python-version")
  elif [ -f "$build_dir/runtime.txt" ]; then
    source=runtime.txt
    requested=$(_version_line "$build_dir/runtime.txt")
  else
    return 0
  fi
  requested=${requested#python-}
  requested=${requested#cpython-}
  if ! [[ $requested =~ ^[0-9]+\.[0-9]+(\.[0-9]+)?$ ]]; then
    fail "Could not read a Python version from $source (\"${requested:0:40}\"); write e.g. ${available%.*} or $available."
  fi
  if [ "$requested" != "$available" ] && [ "$requested" != "${available%.*}" ]; then
    fail "Requested Python $requested (from $source), but this stack provides Python $available only."
  fi
}
