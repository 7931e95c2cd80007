#!/usr/bin/env bash
# The whole standard measurement, in order, output kept in bench/.data/*.log.
# Needs an otherwise idle 2-core machine: check `uptime` first (load average well under 1).
# Usage: bench/run-all.sh            (standard: 10 s warm-up, 3 × 20 s per set)
#        bench/run-all.sh --short    (a few seconds per set: checks the set-up only)
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p bench/.data
short=${1:-}
load_args=()
bench_args=()
if [[ "$short" == "--short" ]]; then load_args=(--short); bench_args=(--quick); fi

{ nproc; grep -m1 'model name' /proc/cpuinfo; free -m | head -2; dotnet --version; uptime; } | tee bench/.data/machine.log

dotnet build -c Release bench/CrmBot.Bench -v q -nologo
dotnet build -c Release bench/CrmBot.Load -v q -nologo

[[ -f bench/.data/store.db ]] || dotnet run -c Release --no-build --project bench/CrmBot.Bench -- generate | tee bench/.data/generate.log
dotnet run -c Release --no-build --project bench/CrmBot.Bench -- run "${bench_args[@]}" | tee bench/.data/store-bench.log
dotnet run -c Release --no-build --project bench/CrmBot.Bench -- stages $([[ "$short" == "--short" ]] && echo --seconds 1) | tee bench/.data/stages.log
# The first load step publishes the service (Release, linux-x64, ReadyToRun) into bench/.data/service.
dotnet run -c Release --no-build --project bench/CrmBot.Load -- cold-start | tee bench/.data/cold-start.log
dotnet run -c Release --no-build --project bench/CrmBot.Load -- --channel teams --no-build "${load_args[@]}" | tee bench/.data/load-teams.log
dotnet run -c Release --no-build --project bench/CrmBot.Load -- --channel slack --no-build "${load_args[@]}" | tee bench/.data/load-slack.log
# The issue's reference point on this machine: a bare endpoint (read the activity, post one reply).
dotnet run -c Release --no-build --project bench/CrmBot.Load -- --bare --channel teams --workload help --warmup 30 "${load_args[@]}" | tee bench/.data/load-bare.log
