#!/usr/bin/env python3
"""Instructions and cache misses per simulated event, counted by valgrind (cachegrind), which a shared machine's
noise does not disturb.

usage: benchmarks/counts.py PUBLISH_DIR SCENARIO SHORT_US LONG_US
  e.g. dotnet publish host -c Release -r linux-x64 -o /tmp/emu-r2r
       benchmarks/counts.py /tmp/emu-r2r benchmarks/scenarios/pinned-256.json 1000 3000

Runs `emu run` twice (the two durations, side by side) and divides the difference of the counts by the difference
of the events, so start-up and set-up cancel out. The last level is simulated as a 2 MB cache (this machine's L2).

Why a ReadyToRun publish with tiering off: under valgrind the JIT falls back to MinOpts for nearly every method
with a loop or a call (it compiles them optimised, gives up and compiles them again unoptimised; dotnet/runtime
issue 100600 reports the JIT's rel32-relocation check failing under valgrind's memory layout), so counts of a JIT
build are counts of unoptimised code. The publish's precompiled code is optimised and needs no JIT; it is not
tier-1 code either (no dynamic PGO, fewer inlines across assemblies), so compare builds by these counts and
confirm with `emu bench`, which runs the tier-1 code.
"""
import os
import re
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor


def count(emu, scenario, duration_us, work):
    out = os.path.join(work, f"run-{duration_us}")
    env = dict(os.environ, DOTNET_TieredCompilation="0")
    cmd = ["valgrind", "--tool=cachegrind", "--cache-sim=yes", "--LL=2097152,16,64", "--cachegrind-out-file=/dev/null",
           emu, "run", "--config", scenario, "--set", f"Simulation:DurationUs={duration_us}", "--out", out, "-q"]
    log = subprocess.run(cmd, env=env, capture_output=True, text=True).stderr
    events = int(re.search(r'"events": (\d+)', open(os.path.join(out, "result.json")).read()).group(1))
    grab = lambda key: int(re.search(key + r":\s+([\d,]+)", log).group(1).replace(",", ""))
    return events, grab(r"I\s+refs"), grab("D1  misses"), grab("LLd misses")


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    publish, scenario, short_us, long_us = sys.argv[1], os.path.abspath(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    emu = os.path.join(publish, "emu")
    with tempfile.TemporaryDirectory() as work, ThreadPoolExecutor(2) as pool:
        a, b = pool.map(lambda d: count(emu, scenario, d, work), (short_us, long_us))
    n = b[0] - a[0]
    if n <= 0:
        sys.exit("the longer run dispatched no more events than the shorter one")
    print(f"{os.path.basename(scenario)} {short_us}->{long_us} us: {n} events; per event: "
          f"instructions {(b[1] - a[1]) / n:.0f}, D1 misses {(b[2] - a[2]) / n:.2f}, 2 MB-cache misses {(b[3] - a[3]) / n:.2f}")


if __name__ == "__main__":
    main()
