#!/bin/sh
# Sets up TensorBoard's own event reader for __test__/tensorboard.spec.js: a Python venv under
# .venv-tensorboard/ (gitignored) with the `tensorboard` package, then runs the reader script
# given as arguments with it. Needs python3 (3.9+) and network access to PyPI the first time.
set -e
here=$(cd "$(dirname "$0")/.." && pwd)
venv="$here/.venv-tensorboard"
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import tensorboard' 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check 'tensorboard>=2.15'
fi
exec "$venv/bin/python" "$@"
