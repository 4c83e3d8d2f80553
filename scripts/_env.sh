# Sourced by scripts/serve and scripts/test: one Python environment for both.
#
# teahouse_python REQUIREMENTS  sets PYTHON to an interpreter that has REQUIREMENTS:
#   - inside an active virtualenv, that virtualenv's python;
#   - otherwise .venv in the checkout, created on first use. Debian's own python3 is
#     "externally managed" (PEP 668), so pip must never touch it.
# Requirements are installed only when the files changed since the last install
# (a sha256 stamp inside the environment), so a start costs no network round trip.

teahouse_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

teahouse_as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else return 1
  fi
}

teahouse_need_venv_module() {
  # Debian ships venv without ensurepip unless python3-venv is installed.
  python3 -c 'import ensurepip, venv' >/dev/null 2>&1 && return 0
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing python3-venv (needed to create .venv)" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
    python3 -c 'import ensurepip, venv' >/dev/null 2>&1 && return 0
  fi
  echo "Teahouse needs Python's venv module: run 'sudo apt-get install python3-venv' (Debian/Ubuntu), then try again." >&2
  exit 1
}

teahouse_python() {
  local requirements=$1 prefix stamp want
  if ! command -v python3 >/dev/null 2>&1; then
    echo "Teahouse needs Python 3.11 or newer: run 'sudo apt-get install python3'." >&2
    exit 1
  fi
  if python3 -c 'import sys; sys.exit(sys.prefix == sys.base_prefix)' 2>/dev/null; then
    PYTHON=$(command -v python3)            # an active virtualenv: use it as it is
  else
    PYTHON="$teahouse_root/.venv/bin/python"
    if ! "$PYTHON" -c '' >/dev/null 2>&1; then  # missing, or its Python was removed
      teahouse_need_venv_module
      echo "creating $teahouse_root/.venv" >&2
      rm -rf "$teahouse_root/.venv"
      python3 -m venv "$teahouse_root/.venv"
    fi
  fi
  prefix=$("$PYTHON" -c 'import sys; print(sys.prefix)')
  stamp="$prefix/.teahouse-$(basename "$requirements").sha256"
  want=$(cd "$teahouse_root" && { "$PYTHON" -V; cat requirements.txt "$requirements"; } | sha256sum | cut -d' ' -f1)
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    echo "installing $(basename "$requirements") into $prefix" >&2
    "$PYTHON" -m pip install --quiet --disable-pip-version-check -r "$teahouse_root/$requirements"
    echo "$want" > "$stamp"
  fi
}
