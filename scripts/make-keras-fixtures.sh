#!/usr/bin/env bash
# Creates the pinned Python environment used by scripts/make-keras-fixtures.py and
# scripts/keras-roundtrip.py (TensorFlow 2.19, Keras 3, tf_keras, tensorflowjs 4.22), then runs
# the fixture script unless called with --venv-only.
#   bash scripts/make-keras-fixtures.sh            # venv + regenerate __test__/fixtures/keras
#   bash scripts/make-keras-fixtures.sh --venv-only # venv only (used by npm run keras-roundtrip)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="$root/.venv-keras"
python="${PYTHON:-python3}"
if [ ! -x "$venv/bin/python" ]; then
  "$python" -m venv "$venv"
fi
if ! "$venv/bin/python" -c 'import tensorflowjs' >/dev/null 2>&1; then
  "$venv/bin/pip" install --upgrade pip >/dev/null
  # tensorflowjs 4.22.0 pulls TensorFlow 2.19, Keras 3 and tf_keras; ydf 0.13.0 is pinned because
  # newer ydf wheels need a protobuf that TensorFlow 2.19 refuses ('import tensorflowjs' fails).
  "$venv/bin/pip" install 'tensorflowjs==4.22.0' 'ydf==0.13.0'
fi
if [ "${1:-}" != "--venv-only" ]; then
  cd "$root"
  TF_CPP_MIN_LOG_LEVEL=2 "$venv/bin/python" scripts/make-keras-fixtures.py
fi
