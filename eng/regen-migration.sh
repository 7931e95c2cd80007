#!/usr/bin/env bash
# Regenerates the single InitialCreate migration from the model.
# While CrmBot has no released store, the schema is one migration that we rebuild whenever the
# model changes (and on a merge conflict in Migrations/). Once a release ships, switch to
# adding migrations instead (dotnet ef migrations add <Name>).
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet tool restore >/dev/null
rm -rf src/CrmBot.Crm/Migrations
# A stale compiled model may not compile against the changed entities; it is regenerated below.
rm -rf src/CrmBot.Crm/CompiledModel
dotnet ef migrations add InitialCreate --project src/CrmBot.Crm --output-dir Migrations
rm -f src/CrmBot.Crm/design.db*
eng/regen-compiled-model.sh
