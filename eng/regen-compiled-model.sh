#!/usr/bin/env bash
# Regenerates the EF compiled model (src/CrmBot.Crm/CompiledModel) from the model, so the service
# starts without building the model (cold start: docs/decisions/performance.md, finding 10). Run after any model change;
# CompiledModelTests fails until you do.
# --nativeaot: the generated model also carries each property's getters, setters, snapshots and
# comparers as plain C#, which EF would otherwise build and JIT-compile from expression trees at
# run time (docs/decisions/performance.md, finding 28).
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet tool restore >/dev/null
# The tool builds the project, which names the generated model (CrmServiceCollectionExtensions), so the old
# files stay while it runs; the ones it did not write again (a removed entity) are deleted after.
marker=$(mktemp)
dotnet ef dbcontext optimize --project src/CrmBot.Crm --output-dir CompiledModel --namespace CrmBot.Crm.CompiledModel --nativeaot \
  || { echo "If the old generated code no longer compiles against the changed entities, delete the failing files and run again." >&2; exit 1; }
find src/CrmBot.Crm/CompiledModel -name '*.cs' ! -newer "$marker" -delete
rm -f "$marker" src/CrmBot.Crm/design.db*
