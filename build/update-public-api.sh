#!/usr/bin/env bash
# Brings Core/PublicAPI.*.txt in line with the code after an intended contract change: builds Core, adds every
# symbol the analyzer reports as undeclared (RS0016) to PublicAPI.Unshipped.txt and drops every declared symbol
# that is gone (RS0017). Review the diff: it is the contract change.
set -euo pipefail
cd "$(dirname "$0")/../Core"
for _ in 1 2 3; do
  log=$(dotnet build --no-incremental 2>&1 || true)
  added=$(grep -oP "error RS0016: Symbol '\K.*?(?=' is not part of the declared public API)" <<<"$log" | sort -u || true)
  removed=$(grep -oP "error RS0017: Symbol '\K.*?(?=' is part of the declared API)" <<<"$log" | sort -u || true)
  [ -z "$added$removed" ] && break
  if [ -n "$added" ]; then printf '%s\n' "$added" >> PublicAPI.Unshipped.txt; fi
  if [ -n "$removed" ]; then
    python3 - "$removed" <<'PY'
import sys
gone = set(sys.argv[1].splitlines())
for f in ("PublicAPI.Shipped.txt", "PublicAPI.Unshipped.txt"):
    lines = open(f).read().splitlines()
    open(f, "w").write("\n".join(l for l in lines if l not in gone) + "\n")
PY
  fi
done
python3 - <<'PY'
for f in ("PublicAPI.Shipped.txt", "PublicAPI.Unshipped.txt"):
    lines = open(f).read().splitlines()
    head = [l for l in lines if l.startswith("#")]
    body = sorted(set(l for l in lines if l and not l.startswith("#")), key=str.lower)
    open(f, "w").write("\n".join(head + body) + "\n")
PY
