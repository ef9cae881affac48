#!/usr/bin/env bash
# End-to-end cluster test: a real single-node Slurm cluster on this machine runs a sweep emitted by
# `emu sweep --emit slurm` (an array of shards and a merge that depends on it), and the merged aggregate
# must equal the same sweep run on one machine. Installs slurm-wlm and munge from Debian when missing
# (root only), starts munged, slurmctld and slurmd with a throw-away configuration, and stops exactly the
# daemons it started, by pid. Prints "cluster: N passed, N failed" and exits non-zero on failure.
# As root it fails loudly when the cluster cannot be started; as another user without Slurm it says so
# and counts as failed too (it never skips silently).
set -uo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
work="$(mktemp -d /tmp/emu-slurm.XXXXXX)"
timeout_s="${EMU_SLURM_TIMEOUT:-600}"
pids=()

log() { echo "cluster: $*" >&2; }
finish() {
  local code=$1
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
  for pid in "${pids[@]}"; do for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done; done
  if [ "$code" -eq 0 ]; then echo "cluster: 1 passed, 0 failed"; rm -rf "$work"; else echo "cluster: 0 passed, 1 failed (logs in $work)"; fi
  exit "$code"
}
fail() { log "FAILED: $*"; finish 1; }

# 1. Slurm and munge.
if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
  [ "$(id -u)" = 0 ] || fail "slurm-wlm and munge are not installed and this user cannot install them"
  log "installing slurm-wlm and munge from Debian"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurm-wlm munge) > "$work/apt.log" 2>&1 \
    || fail "apt-get install slurm-wlm munge failed (see $work/apt.log)"
fi
[ "$(id -u)" = 0 ] || fail "the daemons need root to start (run as root, as CI does)"

host="$(hostname -s)"
cpus="$(nproc)"
mem="$(awk '/MemTotal/ { printf "%d", $2 / 1024 * 0.8 }' /proc/meminfo)"
mkdir -p "$work/etc" "$work/state" "$work/spool" "$work/log" "$work/run"

# 2. munge: the package's key, our own socket and pid file.
[ -s /etc/munge/munge.key ] || mungekey -c -f -k /etc/munge/munge.key > "$work/log/mungekey.log" 2>&1 || fail "cannot create a munge key"
chown munge:munge /etc/munge/munge.key 2>/dev/null
mkdir -p /run/munge && chown munge:munge /run/munge
if ! pgrep -x munged >/dev/null; then
  runuser -u munge -- munged --pid-file=/run/munge/emu-test.pid > "$work/log/munged.log" 2>&1 || fail "munged did not start"
  for _ in $(seq 50); do [ -s /run/munge/emu-test.pid ] && break; sleep 0.1; done
  pids+=("$(cat /run/munge/emu-test.pid)")
fi
munge -n | unmunge > /dev/null 2>&1 || fail "munge does not work (see $work/log/munged.log)"

# 3. A single-node cluster on this host.
cat > "$work/etc/slurm.conf" <<CONF
ClusterName=emutest
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/run/slurmctld.pid
SlurmdPidFile=$work/run/slurmd.pid
SlurmctldLogFile=$work/log/slurmctld.log
SlurmdLogFile=$work/log/slurmd.log
SlurmctldPort=16817
SlurmdPort=16818
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
MpiDefault=none
ReturnToService=2
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/backfill
NodeName=$host CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=emu Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$work/etc/slurm.conf"
slurmctld -f "$SLURM_CONF" || fail "slurmctld did not start (see $work/log/slurmctld.log)"
for _ in $(seq 100); do [ -s "$work/run/slurmctld.pid" ] && break; sleep 0.1; done
pids+=("$(cat "$work/run/slurmctld.pid")")
slurmd -f "$SLURM_CONF" || fail "slurmd did not start (see $work/log/slurmd.log)"
for _ in $(seq 100); do [ -s "$work/run/slurmd.pid" ] && break; sleep 0.1; done
pids+=("$(cat "$work/run/slurmd.pid")")

up=""
for _ in $(seq 120); do
  state="$(sinfo -h -N -o %t 2>/dev/null | head -1)"
  case "$state" in idle*|mix*|alloc*) up=1; break ;; esac
  sleep 1
done
[ -n "$up" ] || fail "the node did not come up (state '$state'; see $work/log/slurmd.log)"
log "cluster up: node $host, $cpus CPUs"

# 4. emu, published where the jobs can run it.
dotnet publish "$repo/host" -c Release -o "$work/emu" > "$work/log/publish.log" 2>&1 || fail "dotnet publish host failed (see $work/log/publish.log)"
emu=(dotnet "$work/emu/emu.dll")
sweep_args=(--config "$repo/scenarios/overcommit-io.json" --set Simulation:DurationUs=5000
  --vary Svm:AvicDoorbellStrict=true,false --vary HostTasks:PerCpu=0,1 --replications 2)

# 5. Emit, submit, wait.
"${emu[@]}" sweep "${sweep_args[@]}" --emit slurm --shards 3 --emu "dotnet $work/emu/emu.dll" --out "$work/sweep" > "$work/log/emit.log" 2>&1 \
  || fail "emu sweep --emit slurm failed (see $work/log/emit.log)"
"$work/sweep/submit.sh" > "$work/log/submit.log" 2>&1 || fail "submit.sh failed (see $work/log/submit.log)"
read -r array merge < "$work/sweep/logs/jobs"
log "submitted array job $array and merge job $merge"

deadline=$((SECONDS + timeout_s))
while squeue -h -j "$array,$merge" 2>/dev/null | grep -q .; do
  [ "$SECONDS" -lt "$deadline" ] || { scancel "$array" "$merge"; fail "jobs still queued or running after ${timeout_s}s"; }
  sleep 2
done
[ -f "$work/sweep/merged/aggregate.json" ] || fail "no merged aggregate (job logs: $work/sweep/logs)"
for i in 0 1 2; do [ -f "$work/sweep/shards/$i/sweep.json" ] || fail "shard $i wrote nothing"; done

# 6. The same sweep on one machine must give the same aggregate, byte for byte.
"${emu[@]}" sweep "${sweep_args[@]}" --out "$work/local" > "$work/log/local.log" 2>&1 || fail "the local sweep failed (see $work/log/local.log)"
cmp -s "$work/local/aggregate.json" "$work/sweep/merged/aggregate.json" \
  || fail "the merged aggregate differs from the single-machine one: diff $work/local/aggregate.json $work/sweep/merged/aggregate.json"
cmp -s "$work/local/sweep.csv" "$work/sweep/merged/sweep.csv" || fail "the merged sweep.csv differs from the single-machine one"
log "merged aggregate of 3 Slurm shards equals the single-machine sweep"
finish 0
