#!/usr/bin/env python3
"""Start-up of a command against a hello-world .NET program, interleaved, medians (docs/benchmarks.md, issue 19).

usage: benchmarks/startup.py N COMMAND [ARGS...]   ({} in an argument becomes a fresh folder per run)
e.g.   benchmarks/startup.py 21 host/bin/Release/net10.0/emu run --set Simulation:DurationUs=100 --out {} -q
"""
import os, shutil, statistics, subprocess, sys, tempfile, time

HELLO = os.path.join(tempfile.gettempdir(), "emu-startup-hello")


def hello_dll():
    dll = os.path.join(HELLO, "bin", "Release", "net10.0", "hello.dll")
    if not os.path.exists(dll):
        subprocess.run(["dotnet", "new", "console", "-o", HELLO, "-n", "hello", "--force"], check=True, stdout=subprocess.DEVNULL)
        subprocess.run(["dotnet", "build", HELLO, "-c", "Release"], check=True, stdout=subprocess.DEVNULL)
    return dll


def main():
    n, cmd = int(sys.argv[1]), sys.argv[2:]
    hello = ["dotnet", hello_dll()]
    work = tempfile.mkdtemp(prefix="emu-startup-")
    th, te = [], []
    for i in range(n):
        t = time.perf_counter()
        subprocess.run(hello, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        th.append(time.perf_counter() - t)
        folder = os.path.join(work, str(i))
        args = [a.replace("{}", folder) for a in cmd]
        t = time.perf_counter()
        subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        te.append(time.perf_counter() - t)
    shutil.rmtree(work, ignore_errors=True)
    h, e = statistics.median(th), statistics.median(te)
    print(f"hello world median {h * 1000:.1f} ms; command median {e * 1000:.1f} ms (min {min(te) * 1000:.1f}); ratio {e / h:.1f}")


if __name__ == "__main__":
    main()
