#!/usr/bin/env bash
# Regenerates the single InitialCreate migration of each store engine from the model, then its compiled model.
#   eng/regen-migration.sh            both engines (after any model change)
#   eng/regen-migration.sh sqlite     SQLite only: src/CrmBot.Crm/Migrations
#   eng/regen-migration.sh postgres   PostgreSQL only: src/CrmBot.Crm.Postgres/Migrations
# While CrmBot has no released store, the schema is one migration per engine that we rebuild whenever the
# model changes (and on a merge conflict in Migrations/). Once a release ships, switch to adding migrations
# instead (dotnet ef migrations add <Name> --project <the engine's project>). Each engine's project has the design-time
# factory that builds the context for it.
set -euo pipefail
cd "$(dirname "$0")/.."
engines=("${@:-sqlite postgres}")
dotnet tool restore >/dev/null
for engine in ${engines[@]}; do
  case "$engine" in
    sqlite)   project=src/CrmBot.Crm ;;
    postgres) project=src/CrmBot.Crm.Postgres ;;
    *) echo "unknown engine '$engine' (sqlite or postgres)" >&2; exit 2 ;;
  esac
  # dotnet ef builds without restoring; a fresh clone or worktree has no assets yet.
  dotnet restore "$project" >/dev/null
  rm -rf "$project/Migrations"
  # The build that dotnet ef runs needs the compiled models (AddCrm names them), so they stay until they are
  # regenerated below. If an old one no longer compiles against the changed entities (a removed or renamed
  # property), delete the failing files in CompiledModel/ by hand and run this again.
  dotnet ef migrations add InitialCreate --project "$project" --startup-project "$project" --output-dir Migrations
  rm -f "$project"/design.db*
  eng/regen-compiled-model.sh "$engine"
done
