#!/usr/bin/env bash
# What failed in a `swift test` log, for the end of a CI log (which shows only its tail):
# failed tests and runtime errors, then the tests that started and never ended, which is all a
# hang stopped by `timeout` leaves behind.  Usage: test-recap.sh LOG LABEL
log=$1 label=$2
# Test names and librdkafka's log lines may contain "error"; the markers below do not.
grep -aE '✘|^error:|: error:|Fatal error|exited with signal|Test run with .* failed' "$log" \
    | grep -av -e 'passed after' -e '^rdkafka:' | head -n 12 | sed "s/^/  $label: /"
grep -aoE 'Test "[^"]*"( with [0-9]+ test cases?)? (started|passed|failed|skipped)' "$log" | awk -v label="$label" '
    { match($0, /"[^"]*"/); name = substr($0, RSTART, RLENGTH)
      if ($NF == "started") { open[name] = 1 } else { delete open[name] } }
    END { for (name in open) print "  " label ": never ended (hung?): " name }'
# A hang's thread stacks (scripts/deadline.sh): where each thread is in Swift code, innermost first.
stacks="${log%.log}.stacks"
if [ -s "$stacks" ]; then
    echo "  $label: threads at the deadline (all stacks in $stacks):"
    awk '/^Thread / { if (n++ && !found) other++; found = 0; next }
         /^#/ && !found && / at \/.*\.swift:[0-9]+/ && !/Syscalls\.swift/ {
             found = 1; match($0, /[^ \/]+\.swift:[0-9]+/); where = substr($0, RSTART, RLENGTH)
             fn = $2 == "in" ? $3 : $2; if ($2 ~ /^0x/) fn = $4
             print where " " fn }
         END { if (n && !found) other++; print "~ " other + 0 " threads with no Swift frame (librdkafka, idle)" }' "$stacks" \
        | { if command -v swift >/dev/null; then swift demangle --simplified --compact; else cat; fi; } \
        | sed -E 's/\(.{60}.*\)/(…)/' | sort | uniq -c | sort -rn | head -n 8 | sed "s/^/    /"
fi
