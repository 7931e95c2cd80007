#!/usr/bin/env bash
# Regenerates the EF compiled model of each store engine from the model, so the service starts without
# building the model (cold start: docs/decisions/performance.md, finding 10). Run after any model change
# (eng/regen-migration.sh runs it); CompiledModelTests fails until you do.
#   eng/regen-compiled-model.sh [sqlite|postgres]   (both by default)
# --nativeaot: the generated model also carries each property's getters, setters, snapshots and
# comparers as plain C#, which EF would otherwise build and JIT-compile from expression trees at
# run time (docs/decisions/performance.md, finding 28).
set -euo pipefail
cd "$(dirname "$0")/.."
engines=("${@:-sqlite postgres}")
dotnet tool restore >/dev/null
for engine in ${engines[@]}; do
  case "$engine" in
    sqlite)   project=src/CrmBot.Crm;          namespace=CrmBot.Crm.CompiledModel ;;
    postgres) project=src/CrmBot.Crm.Postgres; namespace=CrmBot.Crm.Postgres.CompiledModel ;;
    *) echo "unknown engine '$engine' (sqlite or postgres)" >&2; exit 2 ;;
  esac
  mkdir -p "$project/CompiledModel"
  # The tool builds the project, which names the generated model (CrmServiceCollectionExtensions), so the old
  # files stay while it runs; the ones it did not write again (a removed entity) are deleted after.
  marker=$(mktemp)
  dotnet ef dbcontext optimize --project "$project" --startup-project "$project" --output-dir CompiledModel --namespace "$namespace" --nativeaot \
    || { echo "If the old generated code no longer compiles against the changed entities, delete the failing files and run again." >&2; exit 1; }
  find "$project/CompiledModel" -name '*.cs' ! -newer "$marker" -delete
  rm -f "$marker" "$project"/design.db*
done
