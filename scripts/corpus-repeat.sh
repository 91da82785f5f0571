#!/usr/bin/env bash
# Runs the built-in scenario corpus RUNS times against the embedded reference server, to catch
# a verdict that flips now and then (a race, a timing assumption, a random serial). Each run
# starts in the same empty temporary directory, which must still be empty afterwards: a run
# writes no files unless asked to. A scenario counts as not green when its verdict is anything
# but "passed". The JSON report of every run that was not all green is kept, in a directory
# printed at the end; the last line is `runs: N, not all green: K`, then the ids of the
# scenarios that were not green, each with how many runs it was not green in.
#
# --burn runs a CPU-burning loop per core beside the runs (a loaded CI machine), killed on exit.
# Anything after the options (or after `--`) is passed to `run`, e.g. `--jobs 1`.
# Needs python3 to read the reports.
#
# Usage: scripts/corpus-repeat.sh [--burn] [RUNS] [-- RUN-ARGS...]
#        scripts/corpus-repeat.sh 200 -- --jobs 1
# Exit status: 0 when every run was all green, 1 when one was not, 2 on a usage error.
set -euo pipefail

usage() {
  sed -n '/^# Usage:/,/^# Exit status:/p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

runs=200
burn=false
run_args=()
while (($#)); do
  case $1 in
    --burn) burn=true ;;
    -h | --help) usage ;;
    --)
      shift
      run_args=("$@")
      break
      ;;
    *[!0-9]* | '') usage ;;
    *) runs=$1 ;;
  esac
  shift
done
((runs > 0)) || usage
command -v python3 >/dev/null || { echo "python3 is needed to read the reports" >&2; exit 2; }

cd "$(dirname "$0")/.."
cargo build --release --locked --quiet
# An absolute path: the runs start in another directory.
bin=$(realpath "${CARGO_TARGET_DIR:-target}/release/ocsp-harness")

workdir=$(mktemp -d)
kept=$(mktemp -d -t corpus-repeat-reports.XXXXXX)
report=$(mktemp)
burners=()
cleanup() {
  # `kill` of a burner already gone is not an error worth reporting.
  for pid in "${burners[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$workdir" "$report"
  # Nothing kept: the directory would only confuse.
  rmdir "$kept" 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if $burn; then
  for _ in $(seq "$(nproc)"); do
    (while :; do :; done) &
    burners+=("$!")
  done
fi

# The ids of the scenarios of one report whose verdict is not "passed", one a line; a report
# that is not the JSON expected is the line "(no readable report)", so that it counts too.
not_green() {
  python3 - "$1" "$2" <<'PY'
import json, sys
path, run = sys.argv[1], sys.argv[2]
try:
    with open(path, encoding="utf-8") as file:
        results = json.load(file)["results"]
    failed = [r["id"] for r in results if r["verdict"] != "passed"]
except (OSError, ValueError, KeyError, TypeError) as error:
    print(f"run {run}: no readable report: {error}", file=sys.stderr)
    failed = ["(no readable report)"]
print("\n".join(failed))
PY
}

declare -A counts=()
not_all_green=0
for run in $(seq "$runs"); do
  status=0
  (cd "$workdir" && "$bin" run --format json "${run_args[@]}") >"$report" || status=$?
  failed=$(not_green "$report" "$run")
  written=$(find "$workdir" -mindepth 1 -maxdepth 1 -printf '%f ')
  if [ -n "$written" ]; then
    echo "run $run: wrote files: ${written% }" >&2
    failed+=$'\n'"(wrote files)"
    # Empty again, so that the next run is checked on its own.
    find "$workdir" -mindepth 1 -delete
  fi
  # A non-zero exit with every scenario passed is a harness problem: count it as well.
  if ((status != 0)) && [ -z "$failed" ]; then
    failed="(exit status $status)"
  fi
  if [ -n "${failed//$'\n'/}" ]; then
    not_all_green=$((not_all_green + 1))
    cp "$report" "$kept/run-$run.json"
    while IFS= read -r id; do
      [ -n "$id" ] && counts[$id]=$((${counts[$id]:-0} + 1))
    done <<<"$failed"
    printf 'run %d: not all green:%s\n' "$run" "$(tr '\n' ' ' <<<$'\n'"$failed")" >&2
  fi
done

if ((not_all_green > 0)); then
  echo "reports of the runs that were not all green: $kept"
fi
line="runs: $runs, not all green: $not_all_green"
# Most often first, then by id, so that two summaries compare line by line.
while IFS=$'\t' read -r count id; do
  [ -n "$id" ] && line+=", $id x$count"
done < <(for id in "${!counts[@]}"; do printf '%d\t%s\n' "${counts[$id]}" "$id"; done | sort -k1,1nr -k2)
echo "$line"
((not_all_green == 0))
