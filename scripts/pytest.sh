#!/usr/bin/env bash
# Runs the test suite (arguments go to pytest). pytest's exit code 5, "no tests
# collected", becomes a failure with a sentence: a run of zero tests is never green.
source "$(dirname "$0")/common.sh"
cd "$ROOT"
status=0
"$VENV/bin/pytest" "$@" || status=$?
if [ "$status" = 5 ]; then
  die "pytest n'a exécuté aucun test (code 5) : vérifiez testpaths dans pytest.ini et les arguments ($*)."
fi
exit "$status"
