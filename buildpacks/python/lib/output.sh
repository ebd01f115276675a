# Heroku's build output conventions, so pushers see familiar lines.

step() { echo "-----> $*"; }

# Tools' own output, indented under the step that ran them. -u: stream line by line.
indent() { sed -u 's/^/       /'; }

warn() { echo " !     $*" >&2; }

fail() {
  warn "$@"
  exit 1
}
