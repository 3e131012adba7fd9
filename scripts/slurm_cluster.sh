#!/usr/bin/env bash
# A single-node Slurm cluster on this machine, for trying the workflow's Slurm path.
#
#   scripts/slurm_cluster.sh start    # install (apt, as root) if missing, then start
#   scripts/slurm_cluster.sh status   # which daemons run; sinfo
#   scripts/slurm_cluster.sh stop     # cancel jobs, stop every daemon started here
#
# Everything lives under one folder, CORRLIB_SLURM_DIR (default ${TMPDIR:-/tmp}/corrlib-slurm):
# etc/ (slurm.conf, slurmdbd.conf, the munge key), state/, spool/, run/ (pids, sockets),
# log/ and db/ (MariaDB's data directory). Outside it, only two fixed places that Slurm itself
# looks in: munged's socket /run/munge/munge.socket.2 and slurmd's link /run/slurm/conf (both
# removed by `stop`). Nothing is exported: `start` prints the one line to use, e.g.
#
#   export "$(scripts/slurm_cluster.sh start)"     # SLURM_CONF=<folder>/etc/slurm.conf
#   sinfo; sbatch --wrap hostname; sacct
#
# Daemons, all as root: munged (own key; on the default socket, /run/munge/munge.socket.2,
# since Slurm 22.05 ignores AuthInfo's socket on its connections to slurmdbd; a munged already
# answering there is used and left alone), mariadbd (own data dir, 127.0.0.1 only),
# slurmdbd (accounting, so that `sacct` answers: Debian's Slurm 22.05 has no file-based
# accounting, and Snakemake's Slurm executor plugin reads job states with sacct), slurmctld and
# slurmd. The node gets this machine's cores (nproc) and its memory less a margin; one
# partition, `main`; one account, `corrlib`, with the user who started it. Needs root (the daemons run as root, apt installs). Messages go to stderr;
# exit status 0 = done (or already running), 1 = failed, 2 = cannot run here (not root, no apt).
set -euo pipefail

ROOT=${CORRLIB_SLURM_DIR:-${TMPDIR:-/tmp}/corrlib-slurm}
CLUSTER=corrlib
PARTITION=main
PACKAGES=(slurmctld slurmd slurm-client munge slurmdbd mariadb-server)
DAEMONS=(munged mariadbd slurmdbd slurmctld slurmd) # start order; stop goes backwards
NODE=$(hostname -s)
CONF=$ROOT/etc/slurm.conf
MUNGE_SOCKET=/run/munge/munge.socket.2
CONFIGLESS_LINK=/run/slurm/conf

log() { echo "slurm_cluster: $*" >&2; }
die() {
  log "$1"
  exit "${2:-1}"
}

pid_of() { # the pid of a daemon started here, if it is alive
  local file=$ROOT/run/$1.pid pid
  [ -s "$file" ] || return 1
  pid=$(tr -dc 0-9 <"$file")
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

munge_answers() { munge -S "$MUNGE_SOCKET" -n >/dev/null 2>&1; }

running() { # a daemon started here is alive (munged: or another munged answers)
  pid_of "$1" >/dev/null || { [ "$1" = munged ] && munge_answers; }
}

wait_until() { # wait_until SECONDS DESCRIPTION COMMAND...: poll COMMAND until it succeeds
  local deadline=$((SECONDS + $1)) what=$2
  shift 2
  until "$@" >/dev/null 2>&1; do
    [ "$SECONDS" -lt "$deadline" ] || die "timed out waiting for $what (logs: $ROOT/log)"
    sleep 0.5
  done
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

free_port() { # the first port from $1 on that nothing listens on
  local port=$1
  until port_free "$port"; do port=$((port + 1)); done
  echo "$port"
}

install_packages() {
  local missing=() tool
  for tool in slurmctld slurmd sbatch sacct sacctmgr munged mungekey slurmdbd mariadbd \
    mariadb-install-db; do
    command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  command -v apt-get >/dev/null 2>&1 || die "missing ${missing[*]} and no apt-get here" 2
  log "installing ${PACKAGES[*]} (apt; missing: ${missing[*]})"
  # Keep the packages' own services from starting (our daemons run from $ROOT instead).
  local policy=/usr/sbin/policy-rc.d added=
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy" && added=1
  fi
  local rc=0
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
    --no-install-recommends "${PACKAGES[@]}" >"$ROOT/log/apt.log" 2>&1; } || rc=$?
  [ -z "$added" ] || rm -f "$policy"
  [ "$rc" -eq 0 ] || die "apt-get install failed (see $ROOT/log/apt.log)" 2
}

memory_mb() { # MemTotal less a margin of 10 % (at least 1 GiB) for the system
  local total
  total=$(awk '/^MemTotal:/ {print int($2 / 1024)}' /proc/meminfo)
  local margin=$((total / 10 > 1024 ? total / 10 : 1024))
  echo $((total - margin))
}

write_configs() {
  local ctld_port slurmd_port dbd_port db_port
  ctld_port=$(free_port 16817)
  slurmd_port=$(free_port $((ctld_port + 1)))
  dbd_port=$(free_port $((slurmd_port + 1)))
  db_port=$(free_port 13306)
  [ -s "$ROOT/etc/db.pass" ] || (umask 077 && head -c 18 /dev/urandom | base64 >"$ROOT/etc/db.pass")
  echo "$db_port" >"$ROOT/run/db.port"
  cat >"$CONF" <<EOF
# Written by scripts/slurm_cluster.sh: a single-node cluster under $ROOT.
ClusterName=$CLUSTER
SlurmctldHost=$NODE(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
StateSaveLocation=$ROOT/state
SlurmdSpoolDir=$ROOT/spool
SlurmctldPidFile=$ROOT/run/slurmctld.pid
SlurmdPidFile=$ROOT/run/slurmd.pid
SlurmctldLogFile=$ROOT/log/slurmctld.log
SlurmdLogFile=$ROOT/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
JobAcctGatherType=jobacct_gather/linux
JobAcctGatherFrequency=10
AccountingStorageType=accounting_storage/slurmdbd
AccountingStorageHost=127.0.0.1
AccountingStoragePort=$dbd_port
JobCompType=jobcomp/none
ReturnToService=2
MinJobAge=300
KillWait=10
# configless: slurmd fetches this file from slurmctld and links its copy at /run/slurm/conf,
# where Slurm commands on the node look when SLURM_CONF is unset (the executor plugin's job
# step unsets it before its nested srun)
SlurmctldParameters=enable_configless
NodeName=$NODE NodeAddr=127.0.0.1 CPUs=$(nproc) RealMemory=$(memory_mb) State=UNKNOWN
PartitionName=$PARTITION Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
  (
    umask 077
    cat >"$ROOT/etc/slurmdbd.conf" <<EOF
# Written by scripts/slurm_cluster.sh.
AuthType=auth/munge
DbdHost=$NODE
DbdAddr=127.0.0.1
DbdPort=$dbd_port
SlurmUser=root
PidFile=$ROOT/run/slurmdbd.pid
LogFile=$ROOT/log/slurmdbd.log
StorageType=accounting_storage/mysql
StorageHost=127.0.0.1
StoragePort=$db_port
StorageUser=slurm
StoragePass=$(cat "$ROOT/etc/db.pass")
StorageLoc=slurm_acct_db
EOF
  )
}

sql() { mariadb --no-defaults -S "$ROOT/run/mariadb.socket" -u root "$@"; }
sql_ready() { sql -e "SELECT 1"; }

start_munged() {
  if munge_answers; then
    log "using the munged that answers on $MUNGE_SOCKET"
    return 0
  fi
  mkdir -p "$(dirname "$MUNGE_SOCKET")"
  [ -s "$ROOT/etc/munge.key" ] || mungekey --create --keyfile="$ROOT/etc/munge.key"
  chmod 400 "$ROOT/etc/munge.key"
  munged --force --key-file="$ROOT/etc/munge.key" --socket="$MUNGE_SOCKET" \
    --pid-file="$ROOT/run/munged.pid" --log-file="$ROOT/log/munged.log" \
    --seed-file="$ROOT/state/munge.seed"
  wait_until 20 munged munge_answers
}

start_mariadbd() {
  if [ ! -d "$ROOT/db/mysql" ]; then
    mariadb-install-db --no-defaults --user=root --datadir="$ROOT/db" --skip-test-db \
      --auth-root-authentication-method=socket >"$ROOT/log/mariadb-install.log" 2>&1 ||
      die "mariadb-install-db failed (see $ROOT/log/mariadb-install.log)"
  fi
  # setsid + nohup: the daemon outlives this script and its session
  setsid nohup mariadbd --no-defaults --user=root --datadir="$ROOT/db" \
    --socket="$ROOT/run/mariadb.socket" --port="$(cat "$ROOT/run/db.port")" \
    --bind-address=127.0.0.1 --pid-file="$ROOT/run/mariadbd.pid" \
    --log-error="$ROOT/log/mariadbd.log" --innodb-buffer-pool-size=32M \
    --skip-name-resolve </dev/null >/dev/null 2>&1 &
  wait_until 60 mariadbd sql_ready
  local pass
  pass=$(cat "$ROOT/etc/db.pass")
  sql <<EOF
CREATE DATABASE IF NOT EXISTS slurm_acct_db;
CREATE USER IF NOT EXISTS 'slurm'@'127.0.0.1' IDENTIFIED BY '$pass';
ALTER USER 'slurm'@'127.0.0.1' IDENTIFIED BY '$pass';
GRANT ALL ON slurm_acct_db.* TO 'slurm'@'127.0.0.1';
EOF
}

start_slurmdbd() {
  SLURM_CONF=$CONF slurmdbd
  wait_until 60 slurmdbd env SLURM_CONF="$CONF" sacctmgr -n list cluster
  # the cluster, an account `corrlib` and this user's association with it, as a real cluster
  # has them (the workflow profile submits to that account; the plugin checks it)
  local user
  user=$(id -un)
  export SLURM_CONF=$CONF
  sacctmgr -n list cluster format=cluster | grep -qw "$CLUSTER" ||
    sacctmgr -i add cluster "$CLUSTER" >/dev/null
  sacctmgr -n list account format=account | grep -qw "$CLUSTER" ||
    sacctmgr -i add account "$CLUSTER" cluster="$CLUSTER" description=local \
      organization=local >/dev/null
  sacctmgr -n list assoc user="$user" account="$CLUSTER" format=user | grep -qw "$user" ||
    sacctmgr -i add user "$user" account="$CLUSTER" cluster="$CLUSTER" >/dev/null
}

node_ready() { sinfo -h -n "$NODE" -o %t | grep -Eqx 'idle|mix|alloc'; }

start() {
  if all_running; then
    log "already running"
    echo "SLURM_CONF=$CONF"
    return 0
  fi
  [ "$(id -u)" = 0 ] || die "needs root (the daemons run as root)" 2
  mkdir -p "$ROOT"/{etc,state,spool,run,log,db}
  chmod 700 "$ROOT/etc"
  install_packages
  stop_daemons quiet # leftovers of a partial start
  write_configs
  export SLURM_CONF=$CONF
  start_munged
  start_mariadbd
  start_slurmdbd
  slurmctld
  wait_until 60 slurmctld scontrol ping
  env -u SLURM_CONF slurmd -N "$NODE" --conf-server "127.0.0.1:$(conf_value SlurmctldPort)"
  wait_until 60 "node $NODE" node_ready
  log "started: node $NODE, $(nproc) CPUs, $(memory_mb) MB, partition $PARTITION (logs: $ROOT/log)"
  echo "SLURM_CONF=$CONF"
}

conf_value() { sed -n "s/^$1=//p" "$CONF"; }

all_running() {
  local daemon
  for daemon in "${DAEMONS[@]}"; do running "$daemon" || return 1; done
}

stop_daemons() {
  local i daemon pid
  if running slurmctld; then # cancel jobs first, so that no job step is left behind
    SLURM_CONF=$CONF scancel --full --user "$(id -un)" 2>/dev/null || true
    local deadline=$((SECONDS + 30))
    while [ -n "$(SLURM_CONF=$CONF squeue -h -o %i 2>/dev/null)" ] && [ $SECONDS -lt $deadline ]; do
      sleep 1
    done
  fi
  for ((i = ${#DAEMONS[@]} - 1; i >= 0; i--)); do
    daemon=${DAEMONS[i]}
    pid=$(pid_of "$daemon") || continue
    kill -TERM "$pid" 2>/dev/null || true
    local deadline=$((SECONDS + 30))
    while kill -0 "$pid" 2>/dev/null; do
      if [ $SECONDS -ge $deadline ]; then
        kill -KILL "$pid" 2>/dev/null || true
        break
      fi
      sleep 0.3
    done
    rm -f "$ROOT/run/$daemon.pid"
    [ "${1:-}" = quiet ] || log "stopped $daemon ($pid)"
  done
  # slurmd's link to its configuration copy, if it points here
  if [[ "$(readlink "$CONFIGLESS_LINK" 2>/dev/null)" == "$ROOT"/* ]]; then
    rm -f "$CONFIGLESS_LINK"
    rmdir "$(dirname "$CONFIGLESS_LINK")" 2>/dev/null || true
  fi
}

status() {
  local daemon pid rc=0
  for daemon in "${DAEMONS[@]}"; do
    if pid=$(pid_of "$daemon"); then
      log "$daemon running ($pid)"
    elif running "$daemon"; then
      log "$daemon: another one answers on $MUNGE_SOCKET"
    else
      log "$daemon not running"
      rc=1
    fi
  done
  if [ $rc -eq 0 ]; then
    SLURM_CONF=$CONF sinfo >&2
    echo "SLURM_CONF=$CONF"
  fi
  return $rc
}

case ${1:-} in
start) start ;;
stop) stop_daemons ;;
status) status ;;
*) die "usage: $0 start|stop|status (folder: CORRLIB_SLURM_DIR, default $ROOT)" 2 ;;
esac
