#!/usr/bin/env bash
# One ZEO server and several casefile processes on this machine
# (`make serve-zeo`; docs/deploy.md).  Ctrl-C stops them all.
#
#   ZEO_DIR      the ZEO server's Data.fs, audit.fs, blobs, zeo.conf (var/zeo)
#   ZEO_ADDRESS  where it listens (127.0.0.1:8100; never a public address)
#   WORKERS      casefile processes (2), on ports FIRST_PORT, FIRST_PORT+1...
#   INI          the casefile configuration (development.ini)
#   VAR_DIR      override the ini's var_dir (optional)
#
# The processes share the ZEO server's blob directory and one var_dir
# (cookie secret, signing key, search index with Whoosh's write lock).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.venv/bin}
INI=${INI:-development.ini}
ZEO_DIR=$(realpath -m "${ZEO_DIR:-var/zeo}")
ZEO_ADDRESS=${ZEO_ADDRESS:-127.0.0.1:8100}
WORKERS=${WORKERS:-2}
FIRST_PORT=${FIRST_PORT:-6543}
over=("zeo_address=$ZEO_ADDRESS" "zeo_blob_dir=$ZEO_DIR/blobs")
[ -n "${VAR_DIR:-}" ] && over+=("var_dir=$(realpath -m "$VAR_DIR")")

"$BIN/python" -m casefile.server zeo-conf "$ZEO_DIR" "$ZEO_ADDRESS" >/dev/null
pids=()
cleanup() {
    trap - EXIT INT TERM
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait || true
}
trap cleanup EXIT INT TERM

"$BIN/runzeo" -C "$ZEO_DIR/zeo.conf" &
pids+=($!)
host=${ZEO_ADDRESS%:*}
port=${ZEO_ADDRESS##*:}
for _ in $(seq 100); do
    (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null && break
    sleep 0.1
done
echo "ZEO server on $ZEO_ADDRESS ($ZEO_DIR)"

# The first start creates the root: once, before the workers (several
# first starts at the same moment conflict on the root object).
opts=()
for o in "${over[@]}"; do opts+=(-o "$o"); done
"$BIN/casefile" -c "$INI" "${opts[@]}" init --demo

for n in $(seq 0 $((WORKERS - 1))); do
    "$BIN/pserve" "$INI" "http_port=$((FIRST_PORT + n))" "${over[@]}" &
    pids+=($!)
done
wait -n
