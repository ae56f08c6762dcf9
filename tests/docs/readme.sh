#!/usr/bin/env bash
# readme.sh - README.md's recipes run as written.
#
# Usage: tests/docs/readme.sh BUILD
# Runs every fenced ```sh block of README.md that an HTML comment
# "<!-- README test: status N -->" marks (the cheap ones: no terminal, no
# second window, seconds each), from the top of the tree, with no input,
# and checks each ends with status N and leaves no file in the tree
# outside BUILD (git's view: untracked or modified files).  The recipes
# name build/; a BUILD of another name stands in for it.
set -u
build=${1:?usage: readme.sh BUILD}
. "$(dirname "$0")/../lib/qemu.sh"          # check(), QEMU_TIMEOUT
dir=$build/tests/readme
mkdir -p "$dir"
rm -f "$dir"/recipe-*.sh

# Split the marked blocks into recipe-N.sh, with the wanted status in line 1.
awk -v dir="$dir" '
    /^<!-- README test: status [0-9]+ -->$/ { want = $5; next }
    want != "" && /^```sh$/ { n++; f = dir "/recipe-" n ".sh"; print "# status " want > f
                              inblock = 1; want = ""; next }
    inblock && /^```$/ { inblock = 0; close(f); next }
    inblock { print > f; next }
    { want = "" }' README.md
recipes=$(ls "$dir"/recipe-*.sh 2> /dev/null | sort -V)
check '[ -n "$recipes" ]' "README.md has recipes marked for this test" "none found"

# The tree as git sees it, less the build directory.
tree_state() { git status --porcelain --untracked-files=all | grep -v " $build/" | sort; }
for r in $recipes; do
    want=$(sed -n '1s/^# status //p' "$r")
    first=$(sed -n '2p' "$r")
    [ "$build" = build ] || sed -i "2,\$s|build/|$build/|g" "$r"
    before=$(tree_state)
    timeout "$QEMU_TIMEOUT" bash "$r" < /dev/null > "$r.out" 2>&1; st=$?
    after=$(tree_state)
    check '[ "$st" = "$want" ]' "README recipe '${first:0:60}...' ends with status $want" \
          "status $st (124: it never ended); output in $r.out"
    check '[ "$before" = "$after" ]' "README recipe '${first:0:60}...' leaves no file behind" \
          "the tree changed: $(diff <(echo "$before") <(echo "$after") | tr '\n' ' ')"
done
