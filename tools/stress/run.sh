#!/usr/bin/env bash
# Peak memory and wall time of the release `knead` on hostile inputs, each at several sizes,
# so that cost per byte can be read off: a case whose time or memory grows faster than its
# input is a blow-up (issue #10). See README.md, Development.
#
#   tools/stress/run.sh [CASE...]       # all cases by default
#
# Cases: import-wide check-bad-ids show-cloze import-same-front stats-far-exam
# check-tiny-cards import-tiny-rows import-long-field check-wordy-cards check-look-alikes
# check-bad-replaces study-carried-on check-zero-width check-many-tags show-cloze-deck import-empty-fronts (inputs written by
# gen.py).
#
# Environment: KNEAD (the binary; default target/release/knead, built first),
# STRESS_DIR (where inputs go; default a temporary folder), MEM_LIMIT_MB (address-space cap
# per run, so a blow-up cannot take the machine down; default 4096), TIME_LIMIT (seconds per
# run; default 120). A run stopped by either limit shows `killed`.
set -uo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)

if [[ -z ${KNEAD:-} ]]; then
    cargo build --release --locked >&2 || exit 1
    KNEAD=$root/target/release/knead
fi
MEM_LIMIT_MB=${MEM_LIMIT_MB:-4096}
TIME_LIMIT=${TIME_LIMIT:-120}
dir=${STRESS_DIR:-$(mktemp -d)}
mkdir -p "$dir"
gen() { python3 "$root/tools/stress/gen.py" "$@"; }

printf '%-18s %10s %10s %5s %9s %8s %12s\n' CASE N BYTES EXIT RSS_MB SECONDS STDOUT_BYTES

# run CASE N INPUT COMMAND...: one measured run of the binary.
run() {
    local case=$1 n=$2 input=$3
    shift 3
    local out=$dir/out.txt err=$dir/err.txt times=$dir/time.txt
    (
        ulimit -v $((MEM_LIMIT_MB * 1024))
        exec /usr/bin/time -f '%M %e' -o "$times" timeout "$TIME_LIMIT" "$@" </dev/null >"$out" 2>"$err"
    )
    local code=$?
    # GNU time may print "Command exited with non-zero status N" (or "terminated by signal")
    # before the line asked for.
    local rss=0 seconds=0 last
    last=$(tail -n 1 "$times" 2>/dev/null)
    if [[ $last =~ ^([0-9]+)\ ([0-9.]+)$ ]]; then
        rss=${BASH_REMATCH[1]} seconds=${BASH_REMATCH[2]}
    fi
    local exit_text=$code
    if [[ $code -ge 124 ]]; then exit_text=killed; fi
    printf '%-18s %10s %10s %5s %9.1f %8.2f %12s\n' "$case" "$n" "$(stat -c %s "$input")" \
        "$exit_text" "$(awk "BEGIN { print $rss / 1024 }")" "$seconds" "$(stat -c %s "$out")"
}

data=$dir/data
today=2026-12-01
SELECTED=("$@")
sel() { [[ ${#SELECTED[@]} -eq 0 ]] || [[ " ${SELECTED[*]} " == *" $1 "* ]]; }

if sel import-wide; then
    for n in 25000 50000 100000; do
        gen wide-csv $n "$dir/wide.csv"
        run import-wide $n "$dir/wide.csv" "$KNEAD" import "$dir/wide.csv" --id stress
    done
fi
if sel check-bad-ids; then
    for n in 1000 4000 40000; do
        gen bad-ids $n "$dir/bad-ids.ron"
        run check-bad-ids $n "$dir/bad-ids.ron" "$KNEAD" check "$dir/bad-ids.ron"
        run check-bad-ids-json $n "$dir/bad-ids.ron" "$KNEAD" check --format json "$dir/bad-ids.ron"
    done
fi
if sel show-cloze; then
    for n in 2500 5000 10000; do
        gen cloze $n "$dir/cloze.ron"
        run show-cloze $n "$dir/cloze.ron" "$KNEAD" --data-dir "$data" show "$dir/cloze.ron"
    done
fi
if sel import-same-front; then
    for n in 5000 10000 20000; do
        gen same-front $n "$dir/same.csv"
        run import-same-front $n "$dir/same.csv" "$KNEAD" import "$dir/same.csv" --id stress
    done
fi
if sel stats-far-exam; then
    for date in 2027-12-01 2036-12-01 9999-01-01; do
        rm -rf "$data" && mkdir -p "$data"
        printf '(date: "%s", max_per_day: 200)\n' "$date" >"$data/exam.ron"
        run stats-far-exam "$date" "$data/exam.ron" "$KNEAD" --data-dir "$data" --today $today stats --json
    done
fi
if sel check-tiny-cards; then
    for n in 25000 50000 120000; do
        gen tiny-cards $n "$dir/tiny.ron"
        run check-tiny-cards $n "$dir/tiny.ron" "$KNEAD" check "$dir/tiny.ron"
    done
fi
if sel import-tiny-rows; then
    for n in 200000 400000 800000; do
        gen tiny-rows $n "$dir/tiny.csv"
        run import-tiny-rows $n "$dir/tiny.csv" "$KNEAD" import "$dir/tiny.csv" --id stress
    done
fi
if sel import-long-field; then
    for n in 1000000 4000000 9000000; do
        gen long-field $n "$dir/long.csv"
        run import-long-field $n "$dir/long.csv" "$KNEAD" import "$dir/long.csv" --id stress
    done
fi
if sel check-wordy-cards; then
    for n in 9000 18000 36000; do
        gen wordy-cards $n "$dir/wordy.ron"
        run check-wordy-cards $n "$dir/wordy.ron" "$KNEAD" check "$dir/wordy.ron"
    done
fi
if sel check-look-alikes; then
    for n in 10000 20000 40000; do
        gen look-alikes $n "$dir/alike.ron"
        run check-look-alikes $n "$dir/alike.ron" "$KNEAD" check "$dir/alike.ron"
    done
fi
if sel check-bad-replaces; then
    for n in 10000 20000 40000; do
        gen bad-replaces $n "$dir/replaces.ron"
        run check-bad-replaces $n "$dir/replaces.ron" "$KNEAD" check "$dir/replaces.ron"
    done
fi
if sel study-carried-on; then
    for n in 5000 10000 20000; do
        gen carried-on $n "$dir/carried.ron"
        rm -rf "$data" && mkdir -p "$data"
        run study-carried-on $n "$dir/carried.ron" \
            "$KNEAD" --data-dir "$data" --today $today study --plain --deck "$dir/carried.ron"
    done
fi
if sel check-zero-width; then
    for n in 10000 20000 40000; do
        gen zero-width $n "$dir/hidden.ron"
        run check-zero-width $n "$dir/hidden.ron" "$KNEAD" check "$dir/hidden.ron"
    done
fi
if sel check-many-tags; then
    for n in 10000 20000 40000; do
        gen many-tags $n "$dir/tags.ron"
        run check-many-tags $n "$dir/tags.ron" "$KNEAD" check "$dir/tags.ron"
    done
fi
if sel show-cloze-deck; then
    for n in 2000 4000 8000; do
        gen cloze-deck $n "$dir/clozes.ron"
        run show-cloze-deck $n "$dir/clozes.ron" "$KNEAD" --data-dir "$data" show "$dir/clozes.ron"
    done
fi
if sel import-empty-fronts; then
    for n in 12500 25000 50000; do
        gen empty-fronts $n "$dir/fronts.csv"
        run import-empty-fronts $n "$dir/fronts.csv" "$KNEAD" import "$dir/fronts.csv" --id stress
    done
fi
[[ -n ${STRESS_DIR:-} ]] || rm -rf "$dir"
