#!/usr/bin/env bash
# CI: a PostgreSQL streaming replica of the primary on 127.0.0.1:5432, as a second cluster
# ("replica") on 127.0.0.1:5433, so that the reports' tests can read from a real standby
# (docs/scaling.md). Run as root on Debian with the primary cluster ("main") already running,
# trust authentication on loopback. Idempotent: a replica that is up and streaming is kept; one
# that is not is dropped and made again from a fresh base backup.
set -euo pipefail

VERSION="${PG_VERSION:-$(ls /etc/postgresql | sort -n | tail -n 1)}"
PRIMARY_PORT="${PRIMARY_PORT:-5432}"
REPLICA_PORT="${REPLICA_PORT:-5433}"
CLUSTER=replica
BIN="/usr/lib/postgresql/$VERSION/bin"
PRIMARY_HBA="/etc/postgresql/$VERSION/main/pg_hba.conf"
REPLICA_CONF="/etc/postgresql/$VERSION/$CLUSTER"
REPLICA_DATA="/var/lib/postgresql/$VERSION/$CLUSTER"

primary_sql() { psql -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -qAtX -c "$1"; }
replica_sql() { psql -h 127.0.0.1 -p "$REPLICA_PORT" -U postgres -qAtX -c "$1" 2>/dev/null; }

# The primary: WAL detailed enough for a standby (wal_level is `replica` unless lowered), senders
# to stream it, and a replication entry for loopback. The entry goes first: pg_hba.conf is read
# top down and the first line that matches decides.
wal_level="$(primary_sql "SHOW wal_level")"
if [ "$wal_level" = "minimal" ]; then
  echo "The primary's wal_level is minimal: set it to replica and restart it." >&2
  exit 1
fi
if [ "$(primary_sql "SHOW max_wal_senders")" -lt 1 ]; then
  echo "The primary's max_wal_senders is 0: raise it and restart it." >&2
  exit 1
fi
HBA_LINE="host replication all 127.0.0.1/32 trust"
if ! grep -qxF "$HBA_LINE" "$PRIMARY_HBA"; then
  echo "== allowing replication from 127.0.0.1 on the primary"
  sed -i "1i $HBA_LINE" "$PRIMARY_HBA"
  primary_sql "SELECT pg_reload_conf()" >/dev/null
fi

replica_is_streaming() {
  [ "$(replica_sql "SELECT pg_is_in_recovery() AND EXISTS (SELECT 1 FROM pg_stat_wal_receiver WHERE status = 'streaming')")" = "t" ]
}

if pg_lsclusters -h | awk -v v="$VERSION" -v c="$CLUSTER" '$1 == v && $2 == c' | grep -q .; then
  if ! replica_is_streaming; then
    pg_ctlcluster --skip-systemctl-redirect "$VERSION" "$CLUSTER" start 2>/dev/null || true
    for _ in $(seq 1 10); do replica_is_streaming && break; sleep 1; done
  fi
  if replica_is_streaming; then
    echo "== the replica on port $REPLICA_PORT is up and streaming"
    exit 0
  fi
  echo "== the replica on port $REPLICA_PORT is not streaming: making it again"
  pg_dropcluster --stop "$VERSION" "$CLUSTER"
fi

echo "== making a streaming replica of port $PRIMARY_PORT on port $REPLICA_PORT"
# Debian's cluster (its configuration in /etc, its log, pg_ctlcluster), whose data directory is
# then replaced by a base backup of the primary: -R writes standby.signal and the connection to
# the primary (primary_conninfo), -X stream copies the WAL made while the backup runs.
pg_createcluster "$VERSION" "$CLUSTER" -p "$REPLICA_PORT" >/dev/null
cat >"$REPLICA_CONF/conf.d/replica.conf" <<EOF
listen_addresses = '127.0.0.1'
hot_standby = on
EOF
cat >"$REPLICA_CONF/pg_hba.conf" <<EOF
# CI only: loopback, trust (as the primary here).
local all all trust
host all all 127.0.0.1/32 trust
EOF
# Emptied, not removed: the directory is the postgres user's, inside a directory it is not.
find "$REPLICA_DATA" -mindepth 1 -delete
runuser -u postgres -- "$BIN/pg_basebackup" -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres \
  -D "$REPLICA_DATA" -R -X stream -c fast
pg_ctlcluster --skip-systemctl-redirect "$VERSION" "$CLUSTER" start

for _ in $(seq 1 60); do
  if pg_isready -q -h 127.0.0.1 -p "$REPLICA_PORT" && replica_is_streaming; then
    echo "== the replica on port $REPLICA_PORT is up, in recovery and streaming"
    exit 0
  fi
  sleep 1
done
echo "The replica on port $REPLICA_PORT did not start streaming; its log:" >&2
tail -n 30 "/var/log/postgresql/postgresql-$VERSION-$CLUSTER.log" >&2 || true
exit 1
