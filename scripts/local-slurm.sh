#!/usr/bin/env bash
# A one-node Slurm cluster on localhost, for the Slurm tests (tests/test_slurm.cpp)
# and for trying `--launcher slurm` on one machine (docs/cluster.md). As root,
# with Debian's slurm-wlm and munge installed (scripts/setup.sh installs them).
#
#   scripts/local-slurm.sh start DIR [CPUS]   # munged, slurmctld, slurmd; everything in DIR
#   export SLURM_CONF=DIR/slurm.conf          # then sbatch, squeue, attn-* --launcher slurm
#   scripts/local-slurm.sh stop DIR           # cancels its jobs, stops the three daemons
#
# Everything the cluster writes (munge socket, state, spool, logs, pid files)
# is in DIR; the daemons are stopped by the process ids in DIR/*.pid, never by
# name, so another cluster or munged on the machine is left alone. `start`
# exits 3 when a daemon does not come up (its log's tail is printed) after
# stopping what it started; the test then skips. CPUS defaults to nproc.
set -uo pipefail

usage() { echo "usage: $0 start|stop DIR [CPUS]" >&2; exit 2; }
[[ $# -ge 2 ]] || usage
action=$1
dir=$(realpath -m "$2")
cpus=${3:-$(nproc)}

# Two TCP ports for slurmctld and slurmd, from a range of its own per start
# (a second cluster on the machine picks other ones).
base_port=$((20000 + RANDOM % 20000))

# Stops the process whose id is in FILE: SIGTERM, then SIGKILL after 10 s.
stop_pid_file() {
  local file=$1 pid
  [[ -f $file ]] || return 0
  pid=$(cat "$file")
  [[ $pid =~ ^[0-9]+$ ]] || return 0
  kill -TERM "$pid" 2>/dev/null || { rm -f "$file"; return 0; }
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  rm -f "$file"
}

stop() {
  if [[ -f $dir/slurm.conf && -f $dir/slurmctld.pid ]]; then
    export SLURM_CONF=$dir/slurm.conf
    # Cancel every job of this cluster and wait (bounded) until their steps have ended.
    local jobs
    jobs=$(timeout 10 squeue -h -o %A 2>/dev/null | sort -u)
    [[ -n $jobs ]] && timeout 10 scancel $jobs 2>/dev/null
    for _ in $(seq 1 60); do
      [[ -z $(timeout 10 squeue -h -o %A 2>/dev/null | head -1) ]] && break
      sleep 0.5
    done
  fi
  stop_pid_file "$dir/slurmd.pid"
  stop_pid_file "$dir/slurmctld.pid"
  stop_pid_file "$dir/munged.pid"
}

start() {
  for program in munged slurmctld slurmd sbatch scontrol squeue; do
    command -v "$program" >/dev/null || { echo "local-slurm: $program not found (apt-get install slurm-wlm munge)" >&2; exit 3; }
  done
  [[ $(id -u) -eq 0 ]] || { echo "local-slurm: needs root (SlurmUser=root)" >&2; exit 3; }
  [[ -r /etc/munge/munge.key ]] || { echo "local-slurm: /etc/munge/munge.key missing (the munge package makes it)" >&2; exit 3; }
  mkdir -p "$dir/state" "$dir/spool"
  # -f: Debian's key belongs to the munge user; munged runs here as root.
  munged -f --socket="$dir/munge.socket" --pid-file="$dir/munged.pid" --log-file="$dir/munged.log" \
    --seed-file="$dir/munged.seed" 2>"$dir/munged.err" || { cat "$dir/munged.err" >&2; stop; exit 3; }
  cat >"$dir/slurm.conf" <<EOF
# One-node cluster of scripts/local-slurm.sh (libattn's Slurm tests).
ClusterName=attnlocal
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort=$base_port
SlurmdPort=$((base_port + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$dir/munge.socket
CredType=cred/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
MpiDefault=none
ReturnToService=2
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
JobAcctGatherType=jobacct_gather/none
KillWait=30
MinJobAge=600
NodeName=attnnode NodeAddr=127.0.0.1 CPUs=$cpus State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
  export SLURM_CONF=$dir/slurm.conf
  slurmctld -c -f "$dir/slurm.conf" 2>"$dir/slurmctld.err" || { tail -5 "$dir/slurmctld.log" "$dir/slurmctld.err" >&2; stop; exit 3; }
  slurmd -N attnnode -f "$dir/slurm.conf" 2>"$dir/slurmd.err" || { tail -5 "$dir/slurmd.log" "$dir/slurmd.err" >&2; stop; exit 3; }
  for _ in $(seq 1 60); do
    state=$(timeout 5 sinfo -h -n attnnode -o %T 2>/dev/null)
    if [[ $state == idle* ]]; then
      echo "local-slurm: cluster up in $dir ($cpus CPUs); export SLURM_CONF=$dir/slurm.conf"
      return 0
    fi
    sleep 0.5
  done
  echo "local-slurm: the node did not become idle within 30 s (state '${state:-none}'):" >&2
  tail -5 "$dir/slurmctld.log" "$dir/slurmd.log" >&2
  stop
  exit 3
}

case $action in
  start) start ;;
  stop) stop ;;
  *) usage ;;
esac
