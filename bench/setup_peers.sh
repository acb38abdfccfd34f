#!/usr/bin/env bash
# Bench-only environment for the OpenSanctions peers (nomenklatura's matchers behind yente).
# Idempotent: re-running it only installs what is missing. Creates bench/.peers (git-ignored).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="$here/.peers"

# PyICU (pulled in by nomenklatura via rigour) compiles against the ICU headers.
if ! dpkg -s libicu-dev pkg-config >/dev/null 2>&1; then
    if [ "$(id -u)" -eq 0 ]; then
        apt-get update -qq
        apt-get install -y -qq libicu-dev pkg-config
    else
        echo "setup_peers: needs libicu-dev and pkg-config: sudo apt-get install -y libicu-dev pkg-config" >&2
        exit 1
    fi
fi

if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi

if ! "$venv/bin/python" -c "import nomenklatura.matching, rapidfuzz, jellyfish" >/dev/null 2>&1; then
    # (the grep drops this machine's pip warnings about absent local index folders)
    "$venv/bin/pip" install --quiet nomenklatura rapidfuzz jellyfish 2>&1 \
        | { grep -v "is ignored: it is neither a file nor a directory" || true; }
fi

"$venv/bin/python" - <<'PY'
from importlib.metadata import version
from nomenklatura.matching import get_algorithm
for algo in ("logic-v2", "logic-v1", "ofac"):
    assert get_algorithm(algo) is not None, algo
print("setup_peers: ok, nomenklatura", version("nomenklatura"), "rapidfuzz", version("rapidfuzz"))
PY
