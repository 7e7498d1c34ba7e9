#!/usr/bin/env bash
# Stop the private SLURM cluster started by tests/slurm/start_slurm.sh: cancel its jobs,
# then stop slurmd, slurmctld and munged by the pids in their pid files (no other process
# is touched). Safe to call when nothing runs. Keeps POLYCAT_SLURM_DIR (logs) in place.
set -uo pipefail

DIR="${POLYCAT_SLURM_DIR:-/tmp/polycat-slurm}"
export SLURM_CONF="$DIR/slurm.conf"

stop_pidfile() {
    local pidfile="$1" name="$2" pid
    [[ -f "$pidfile" ]] || return 0
    pid="$(cat "$pidfile" 2>/dev/null)"
    if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
        # Only a process whose command line is the expected daemon (pid files can be stale).
        if tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "$name"; then
            kill -TERM "$pid" 2>/dev/null
            for _ in $(seq 100); do
                kill -0 "$pid" 2>/dev/null || break
                sleep 0.1
            done
            kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
        fi
    fi
    rm -f "$pidfile"
}

if [[ -f "$SLURM_CONF" ]] && command -v scancel >/dev/null 2>&1 \
    && [[ -f "$DIR/slurmctld.pid" ]]; then
    timeout 10 scancel --quiet --full --partition=debug 2>/dev/null || true
fi
stop_pidfile "$DIR/slurmd.pid" slurmd
stop_pidfile "$DIR/slurmctld.pid" slurmctld
stop_pidfile "$DIR/munge/munged.pid" munged
echo "stop_slurm: stopped (logs in $DIR/log)" >&2
