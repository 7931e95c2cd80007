#!/usr/bin/env bash
# Regenerates the EF compiled model (src/CrmBot.Crm/CompiledModel) from the model, so the service
# starts without building the model (cold start, bench/README.md). Run after any model change;
# CompiledModelTests fails until you do.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet tool restore >/dev/null
# The old generated code may not compile against the changed entities; the tool builds without it.
rm -rf src/CrmBot.Crm/CompiledModel
dotnet ef dbcontext optimize --project src/CrmBot.Crm --output-dir CompiledModel --namespace CrmBot.Crm.CompiledModel
rm -f src/CrmBot.Crm/design.db*
