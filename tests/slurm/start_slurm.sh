#!/usr/bin/env bash
# Start a private single-node SLURM cluster on this machine (for tests and CI).
#
#   tests/slurm/start_slurm.sh      # start (or reuse) it; prints the line to source
#   . "${POLYCAT_SLURM_DIR:-/tmp/polycat-slurm}/env"   # sets SLURM_CONF for sbatch/sinfo/...
#   tests/slurm/stop_slurm.sh       # stop it
#
# Everything lives in POLYCAT_SLURM_DIR (default /tmp/polycat-slurm): slurm.conf, a munge
# key and socket of its own, state, spool, logs and pid files. Nothing in /etc is changed
# and a system munged/slurm (if any) is left alone. One node = this host, with `nproc`
# CPUs and the memory from /proc/meminfo; select/cons_tres with CR_CPU, proctrack/linuxproc,
# task/none, no accounting. The daemons run as root (SlurmUser=root), so this needs root.
#
# The Debian packages (munge, slurmctld, slurmd, slurm-client) are installed with apt-get
# when missing, but only as root and only when CI is set or POLYCAT_SLURM_INSTALL=1.
# Ports: POLYCAT_SLURMCTLD_PORT (6817), POLYCAT_SLURMD_PORT (6818).
#
# Exit status: 0 = the node is idle and takes jobs; 3 = cannot start here (reason on stderr:
# not root, packages missing); 1 = started but failed (logs are printed).
set -euo pipefail

DIR="${POLYCAT_SLURM_DIR:-/tmp/polycat-slurm}"
CTLD_PORT="${POLYCAT_SLURMCTLD_PORT:-6817}"
SLURMD_PORT="${POLYCAT_SLURMD_PORT:-6818}"
WAIT_S="${POLYCAT_SLURM_WAIT_S:-60}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

cannot() {
    echo "start_slurm: cannot start SLURM here: $*" >&2
    exit 3
}

if [[ "$(id -u)" != 0 ]]; then
    cannot "needs root (slurmd runs jobs as their user; SlurmUser=root)"
fi

PKGS=(munge slurmctld slurmd slurm-client)
missing=()
for cmd in munged mungekey slurmctld slurmd sbatch sinfo scontrol srun; do
    command -v "$cmd" >/dev/null 2>&1 || missing+=("$cmd")
done
if ((${#missing[@]})); then
    if [[ -n "${CI:-}" || "${POLYCAT_SLURM_INSTALL:-0}" == 1 ]]; then
        echo "start_slurm: installing ${PKGS[*]} (missing: ${missing[*]})" >&2
        export DEBIAN_FRONTEND=noninteractive
        log="$(mktemp /tmp/polycat-slurm-apt.XXXXXX)"
        if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends \
            "${PKGS[@]}"; } >"$log" 2>&1; then
            tail -n 40 "$log" >&2
            echo "start_slurm: apt-get install ${PKGS[*]} failed (log: $log)" >&2
            exit 1
        fi
        rm -f "$log"
    else
        cannot "missing ${missing[*]}; install the Debian packages ${PKGS[*]}" \
            "(or rerun as root with POLYCAT_SLURM_INSTALL=1)"
    fi
fi

export SLURM_CONF="$DIR/slurm.conf"

# Already up (e.g. started by .ci/run before pytest)? Then reuse it.
if [[ -f "$DIR/slurmctld.pid" ]] && kill -0 "$(cat "$DIR/slurmctld.pid")" 2>/dev/null \
    && scontrol ping 2>/dev/null | grep -q UP; then
    echo "start_slurm: already running ($SLURM_CONF)" >&2
    echo ". $DIR/env"
    exit 0
fi
# Leftovers of an earlier run (daemons killed without the stop script): clean them up.
bash "$HERE/stop_slurm.sh" >/dev/null 2>&1 || true
# DIR is wiped below: only an empty folder or one this script made.
if [[ -d "$DIR" ]] && [[ -n "$(ls -A "$DIR")" ]] \
    && ! grep -qs "Written by tests/slurm/start_slurm.sh" "$DIR/slurm.conf"; then
    echo "start_slurm: $DIR exists and was not made by this script; set POLYCAT_SLURM_DIR" >&2
    exit 1
fi

for port in "$CTLD_PORT" "$SLURMD_PORT"; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
        echo "start_slurm: port $port is taken (another slurmctld/slurmd?); stop it or set" \
            "POLYCAT_SLURMCTLD_PORT / POLYCAT_SLURMD_PORT" >&2
        exit 1
    fi
done

t0=$(date +%s.%N)
rm -rf "$DIR"
mkdir -p "$DIR"/{munge,state,spool,log}
chmod 700 "$DIR" "$DIR/munge"

# --- munge: a private key and socket, so a system munged (if any) is left alone --------
mungekey --create --keyfile="$DIR/munge/munge.key" --bits=1024 >&2
munged --force --key-file="$DIR/munge/munge.key" --socket="$DIR/munge/munge.socket" \
    --pid-file="$DIR/munge/munged.pid" --log-file="$DIR/log/munged.log" \
    --seed-file="$DIR/munge/munged.seed"
for _ in $(seq 50); do
    [[ -S "$DIR/munge/munge.socket" ]] && break
    sleep 0.1
done
munge -n -S "$DIR/munge/munge.socket" | unmunge -S "$DIR/munge/munge.socket" >/dev/null \
    || { cat "$DIR/log/munged.log" >&2; echo "start_slurm: munged does not work" >&2; exit 1; }

# --- slurm.conf for this host ------------------------------------------------------------
NODE="$(hostname -s)"
CPUS="$(nproc)"
MEM_MB=$(($(awk '/^MemTotal:/ {print $2}' /proc/meminfo) / 1024 - 256))
cat >"$SLURM_CONF" <<EOF
# Written by tests/slurm/start_slurm.sh: a private single-node cluster for polycat's tests.
ClusterName=polycat
SlurmctldHost=$NODE(127.0.0.1)
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$DIR/munge/munge.socket
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool/%n
SlurmctldPidFile=$DIR/slurmctld.pid
SlurmdPidFile=$DIR/slurmd.pid
SlurmctldLogFile=$DIR/log/slurmctld.log
SlurmdLogFile=$DIR/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
MpiDefault=none
ReturnToService=2
SlurmdTimeout=300
InactiveLimit=0
KillWait=5
MinJobAge=600
MaxArraySize=10001
NodeName=$NODE NodeAddr=127.0.0.1 CPUs=$CPUS RealMemory=$MEM_MB State=UNKNOWN
PartitionName=debug Nodes=$NODE Default=YES MaxTime=INFINITE State=UP OverSubscribe=NO
EOF
cat >"$DIR/env" <<EOF
export SLURM_CONF=$SLURM_CONF
EOF

# --- daemons (they fork themselves and write their pid files) -----------------------------
slurmctld -c -f "$SLURM_CONF" || { cat "$DIR/log/slurmctld.log" >&2; exit 1; }
slurmd -c -f "$SLURM_CONF" -N "$NODE" || { cat "$DIR/log/slurmd.log" >&2; exit 1; }

state=""
deadline=$(($(date +%s) + WAIT_S))
while (($(date +%s) < deadline)); do
    state="$(sinfo -h -n "$NODE" -o %T 2>/dev/null || true)"
    [[ "$state" == idle ]] && break
    sleep 0.5
done
if [[ "$state" != idle ]]; then
    echo "start_slurm: node $NODE is '${state:-unknown}' after ${WAIT_S}s, not idle" >&2
    tail -n 30 "$DIR/log/slurmctld.log" "$DIR/log/slurmd.log" >&2 || true
    bash "$HERE/stop_slurm.sh" >&2 || true
    exit 1
fi
t1=$(date +%s.%N)
awk -v a="$t0" -v b="$t1" -v n="$NODE" -v c="$CPUS" -v m="$MEM_MB" -v f="$SLURM_CONF" 'BEGIN {
    printf "start_slurm: node %s idle (%s CPUs, %s MB) in %.1f s; SLURM_CONF=%s\n", n, c, m, b - a, f
}' >&2
echo ". $DIR/env"
