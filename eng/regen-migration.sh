#!/usr/bin/env bash
# Regenerates the single InitialCreate migration from the model.
# While CrmBot has no released store, the schema is one migration that we rebuild whenever the
# model changes (and on a merge conflict in Migrations/). Once a release ships, switch to
# adding migrations instead (dotnet ef migrations add <Name>).
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet tool restore >/dev/null
# dotnet ef builds without restoring; a fresh clone or worktree has no assets yet.
dotnet restore src/CrmBot.Crm >/dev/null
rm -rf src/CrmBot.Crm/Migrations
# The build that dotnet ef runs needs the compiled model (AddCrm names it), so it stays until it is
# regenerated below. If the old one no longer compiles against the changed entities (a removed or
# renamed property), delete the failing files in CompiledModel/ by hand and run this again.
dotnet ef migrations add InitialCreate --project src/CrmBot.Crm --output-dir Migrations
rm -f src/CrmBot.Crm/design.db*
eng/regen-compiled-model.sh
