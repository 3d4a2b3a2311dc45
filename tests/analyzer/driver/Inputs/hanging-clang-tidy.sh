#!/bin/sh
# A clang-tidy for the signal tests: it answers the driver's up-front
# questions, then hangs on every unit, writing its pid where
# FAKE_TIDY_PIDS says so that the test can see it started and is gone.
for a in "$@"; do
  case "$a" in
    --list-checks) printf 'Enabled checks:\n    fearless-send\n\n'; exit 0 ;;
    --dump-config) printf "Checks: 'fearless-*'\n"; exit 0 ;;
  esac
done
echo $$ > "$FAKE_TIDY_PIDS/$$"
exec sleep 300
