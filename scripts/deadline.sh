#!/usr/bin/env bash
# timeout(1) for `swift test` that leaves evidence: its output line by line, and at the
# deadline the thread stacks of the running test processes (gdb, when installed) in STACKS;
# then SIGINT, and SIGKILL 30 s later. Exits with the command's status, or 124 when the deadline stopped it.
#   scripts/deadline.sh SECONDS STACKS command...
seconds=$1 stacks=$2
shift 2
rm -f "$stacks"
# Job control: the command gets its own process group, and SIGINT is not ignored in it.
# Line-buffered: a test process writing to a pipe otherwise keeps its output until it exits,
# so a hung one would leave no trace of which test it was in.
set -m
stdbuf -oL -eL "$@" &
set +m
pid=$!
# Ctrl-C on make test reaches the command although it is not in the foreground group.
trap 'kill -INT -- "-$pid" 2>/dev/null' INT TERM
fired=$(mktemp)
rm -f "$fired"
(
    end=$((SECONDS + seconds))
    while kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt "$end" ]; do sleep 2; done
    kill -0 "$pid" 2>/dev/null || exit 0
    touch "$fired"
    if command -v gdb >/dev/null; then
        for p in $(pgrep -f '\.xctest'); do
            echo "== $(tr '\0' ' ' < "/proc/$p/cmdline" 2>/dev/null)"
            timeout 120 gdb -p "$p" -batch -ex 'thread apply all bt 30' 2>&1
        done > "$stacks"
    fi
    kill -INT -- "-$pid"
    for _ in $(seq 15); do kill -0 "$pid" 2>/dev/null || exit 0; sleep 2; done
    kill -KILL -- "-$pid"
) >/dev/null 2>&1 &
watchdog=$!
wait "$pid"
rc=$?
wait "$watchdog"
if [ -e "$fired" ]; then rm -f "$fired"; rc=124; fi
exit $rc
