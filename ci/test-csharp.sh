#!/usr/bin/env bash
# C# SDK: native library (release), NuGet pack into the local feed, and the xunit suite (net10.0)
# that consumes the package from that feed. Exits non-zero on failure.
# Idempotent; works from a fresh clone with cargo and the .NET SDK installed.
# That src/Pixbridge/Generated is up to date is checked once, by
# `cargo run -p pixbridge-codegen -- --check` (part of `make test`).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

bindings-csharp/pack.sh

echo "== dotnet test (net10.0, Pixbridge from the local feed)"
dotnet test bindings-csharp/tests/Pixbridge.Tests/Pixbridge.Tests.csproj -c Release --nologo \
  --logger "console;verbosity=normal"
