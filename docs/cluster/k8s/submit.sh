#!/usr/bin/env bash
# Applies the Indexed Job, waits for every index to succeed, then runs the merge. A failed index is retried
# by Kubernetes (backoffLimit); to re-run shard i alone, run the image with --shard i/6 by hand.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
kubectl apply -f "$here/sweep-job.yaml"
kubectl wait --for=condition=complete --timeout="${TIMEOUT:-24h}" job/emu-sweep-3b38931a
kubectl apply -f "$here/merge-job.yaml"
kubectl wait --for=condition=complete --timeout=1h job/emu-merge-3b38931a
