#!/usr/bin/env bash
# help.sh - make help names every target and variable a user can give:
# each .PHONY target and each ?= variable of the Makefile and its fragments.
#
# Usage: tests/docs/help.sh
set -u
. "$(dirname "$0")/../lib/qemu.sh"          # check()
help=$(make -s --no-print-directory help) || { echo "FAIL: make help: it failed"; exit 1; }
makefiles=$(git ls-files 'Makefile' '*.mk' 2>/dev/null || find . -name '*.mk' -o -name Makefile)
# FORCE is the Makefile's own always-out-of-date prerequisite, not a target to run.
targets=$(sed -n 's/^\.PHONY:\(.*\)/\1/p' $makefiles | tr ' ' '\n' | grep -v '^FORCE$' | sort -u)
vars=$(sed -n 's/^\([A-Z_0-9]*\) *?=.*/\1/p' $makefiles | sort -u)
missing_t= missing_v=
for t in $targets; do grep -qE "^  $t( |$)" <<< "$help" || missing_t+=" $t"; done
for v in $vars; do grep -qE "(^| )$v=" <<< "$help" || missing_v+=" $v"; done
check '[ -z "$missing_t" ]' "make help lists all $(wc -w <<< "$targets") .PHONY targets" \
      "missing:$missing_t"
check '[ -z "$missing_v" ]' "make help lists all $(wc -w <<< "$vars") ?= variables" \
      "missing:$missing_v"
