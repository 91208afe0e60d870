#!/usr/bin/env bash
# Builds and installs the Python binding into target/python-venv the way a user
# would (a wheel built by pip, not an editable install), then runs its tests and
# the benchmark from outside the checkout so the installed package is imported.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="$root/target/python-venv"
python="${PYTHON:-python3}"

if [[ ! -x "$venv/bin/python" ]]; then
    "$python" -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check pytest
# The libraries of the integrations (pyproject.toml's "all" extra), for tests/test_integration_*.py.
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    "requests>=2.20" "httpx>=0.23" "anyio>=3" "zeep>=4" lxml "suds>=1.0"
# --force-reinstall: the version does not change between builds, so pip would
# otherwise keep the wheel installed by an earlier run.
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --force-reinstall --no-deps "$here"
# --workspace, as every suite builds: fake-mc alone resolves its dependencies with other features,
# which would compile them (and it) again.
(cd "$root" && cargo build --release --workspace)

# The one launcher of the fake: it exports the FAKE_MC_* that conftest.py and bench.py require.
with_fake=(bash "$root/tests/with-fake-mc.sh")

outside="$(mktemp -d)"
trap 'rm -rf "$outside"' EXIT
cd "$outside"
# PYTHONSAFEPATH (Python >= 3.11): bench.py's own folder, which holds the source
# package, must not shadow the installed one either.
export PYTHONSAFEPATH=1
env -u MCAUTH_LIBRARY "${with_fake[@]}" "$venv/bin/python" -m pytest -p no:cacheprovider "$here/tests" "$@"
env -u MCAUTH_LIBRARY "${with_fake[@]}" "$venv/bin/python" "$here/bench.py"
