#!/usr/bin/env python3
"""Targets 1 and 2 of issue 19 in one command: `emu bench` of pinned-256, overcommit-256 and large-overcommit,
interleaved, so that each triple saw the same minutes of a shared machine (docs/benchmarks.md).

usage: benchmarks/growth.py EMU [TRIPLES]
  e.g. dotnet build host -c Release && benchmarks/growth.py host/bin/Release/net10.0/emu 3

Prints, per triple, each scenario's model ns per event and pinned-256's ratio to the bare loop (target 1), then
large-overcommit's model ns per event over pinned-256's (target 2, the issue's comparison) and over overcommit-256's
(its own kind at 1/16 the size: the growth with the machine alone), and the medians.
"""
import json
import os
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCENARIOS = [
    ("pinned-256", ["--config", os.path.join(ROOT, "benchmarks/scenarios/pinned-256.json")]),
    ("overcommit-256", ["--config", os.path.join(ROOT, "benchmarks/scenarios/overcommit-256.json")]),
    ("large-overcommit", ["--config", os.path.join(ROOT, "scenarios/large-overcommit.json"), "--set", "Simulation:DurationUs=5000"]),
]


def bench(emu, args):
    out = subprocess.run([emu, "bench", "--json", *args], capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"emu bench {' '.join(args)} failed ({out.returncode}): {out.stderr.strip()}")
    return json.loads(out.stdout)


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    emu, triples = sys.argv[1], int(sys.argv[2]) if len(sys.argv) == 3 else 3
    ratio, vs_pinned, vs_own = [], [], []
    for t in range(triples):
        r = {name: bench(emu, args) for name, args in SCENARIOS}
        ns = {name: r[name]["medianModelNsPerEvent"] for name in r}
        ratio.append(r["pinned-256"]["medianRatio"])
        vs_pinned.append(ns["large-overcommit"] / ns["pinned-256"])
        vs_own.append(ns["large-overcommit"] / ns["overcommit-256"])
        print(f"triple {t + 1}: model ns/event pinned-256 {ns['pinned-256']:.0f}, overcommit-256 {ns['overcommit-256']:.0f}, "
              f"large-overcommit {ns['large-overcommit']:.0f}; reference {r['pinned-256']['medianReferenceNsPerEvent']:.0f}; "
              f"pinned-256 / bare loop {ratio[-1]:.3f}; large-overcommit / pinned-256 {vs_pinned[-1]:.2f}, "
              f"/ overcommit-256 {vs_own[-1]:.2f}", flush=True)
    print(f"medians: target 1 (pinned-256 / bare loop, >= 0.75) {statistics.median(ratio):.3f}; "
          f"target 2 (large-overcommit / pinned-256, <= 1.5) {statistics.median(vs_pinned):.2f}; "
          f"large-overcommit / overcommit-256 {statistics.median(vs_own):.2f}")


if __name__ == "__main__":
    main()
