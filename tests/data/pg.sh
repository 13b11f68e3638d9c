# pg.sh — a throwaway PostgreSQL 15 cluster for the data suites (sourced
# after lib.sh): initdb and start as the postgres account (the server
# refuses root) in a directory under $T, stopped at exit. Every wait has a
# deadline (pg_ctl -w -t). PostgreSQL 15 is installed when it is missing.
#   pg_start NAME [CONF-LINE…] → sets NAME_PORT; the cluster lives in $T/NAME,
#                    each CONF-LINE added to its postgresql.conf before it starts
#                    (`shared_preload_libraries = 'pg_stat_statements'`)
#   pgq PORT DB SQL → psql, unaligned, tuples only, stops on the first error
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
if [ ! -x "$PGBIN/initdb" ] || ! command -v psql >/dev/null; then
  # pg_stat_statements ships in postgresql-15 itself on Debian 12
  apt-get install -y --no-install-recommends postgresql-15 postgresql-client-15 >/dev/null 2>&1 ||
    { echo "cannot install postgresql-15"; exit 1; }
fi
# psql itself, not Debian's wrapper on PATH (/usr/bin/psql is pg_wrapper, a
# Perl script that picks a cluster: 50 ms of CPU a call, hundreds of calls)
PATH=$PGBIN:$PATH
PG_CLUSTERS=()
# A cluster is a copy of one initdb per checkout (build/pg-template-15):
# initdb is a second of CPU, and the suites start some fifteen clusters a
# run. The first suite to want it makes it, in a folder of its own (the
# postgres account may not reach the checkout), under a lock.
PG_TEMPLATE=${ROOT:-$PWD}/build/pg-template-15
pg_template() {  # DIR: a folder of this suite the postgres account owns
  [ -d "$PG_TEMPLATE" ] && return 0
  mkdir -p "${PG_TEMPLATE%/*}" || return 1
  (
    flock 9 || exit 1
    [ -d "$PG_TEMPLATE" ] && exit 0
    runuser -u postgres -- "$PGBIN/initdb" -D "$1/template" -U postgres -A trust --no-sync -E UTF8 \
      --locale=C.UTF-8 >"$1/initdb.log" 2>&1 || { cat "$1/initdb.log"; exit 1; }
    rm -rf "$PG_TEMPLATE.tmp" && cp -a "$1/template" "$PG_TEMPLATE.tmp" &&
      mv "$PG_TEMPLATE.tmp" "$PG_TEMPLATE" && rm -rf "$1/template"
  ) 9>"$PG_TEMPLATE.lock"
}
pg_start() {
  local name=$1 dir=$T/$1 port
  shift
  chmod 755 "$T"
  mkdir -p "$dir" && chown postgres:postgres "$dir"
  pg_template "$dir" && cp -a "$PG_TEMPLATE" "$dir/data" || return 1
  cat >>"$dir/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir'
fsync = off
synchronous_commit = off
full_page_writes = off
CONF
  [ $# -gt 0 ] && printf '%s\n' "$@" >>"$dir/data/postgresql.conf"
  port=$(pg_start_port "$dir/data" "$dir/server.log") || return 1
  PG_CLUSTERS+=("$dir")
  printf -v "${name}_PORT" '%s' "$port"
}
# pg_shop NAME: cluster NAME started with a database `shop`, or the suite
# ends here, failed (its one line and the count)
pg_shop() {
  local port
  pg_start "$1" && port=${1}_PORT && pgq "${!port}" postgres "CREATE DATABASE shop" >/dev/null ||
    { echo "FAIL PostgreSQL did not start (a cluster with database shop)"; echo "0 passed, 1 failed"; exit 1; }
}
pg_stop_all() {
  local d
  for d in "${PG_CLUSTERS[@]}"; do
    runuser -u postgres -- "$PGBIN/pg_ctl" -D "$d/data" -m immediate -w -t 10 stop >/dev/null 2>&1
  done
}
cleanup_hook() { pg_stop_all; }
pgq() { psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$1" -U postgres -d "$2" -At -c "$3"; }
# pg_runbook FILE TITLE PORT: the head of a runbook whose old and new are
# orders_legacy and orders in database shop of the server on PORT (roles
# commander Ana, dba Bo); the suite appends its ## Mapping and phases.
pg_runbook() {
  local conn="host=127.0.0.1 port=$3 dbname=shop user=postgres"
  printf '# %s\n\n## Roles\n- commander: Ana\n- dba: Bo\n\n## Systems\n' "$2" >"$1"
  printf -- '- old: postgres `%s` table `orders_legacy`\n- new: postgres `%s` table `orders`\n\n' \
    "$conn" "$conn" >>"$1"
}
# orders_runbook FILE TITLE OLD_PORT NEW_PORT NEW_DB: a runbook copying
# orders_legacy (database shop on OLD_PORT) into orders (NEW_DB on
# NEW_PORT): key id, version updated_at, customer from customer_name.
orders_runbook() {
  cat >"$1" <<MD
# $2

## Roles
- commander: Ana

## Systems
- old: postgres \`host=127.0.0.1 port=$3 dbname=shop user=postgres\` table \`orders_legacy\`
- new: postgres \`host=127.0.0.1 port=$4 dbname=$5 user=postgres\` table \`orders\`

## Mapping
- key \`id\`
- version \`updated_at\`
- \`customer\` from \`customer_name\`

## Phase 2: Backfill {readonly}
- [ ] commander: copy \`backfill\`
MD
}
# key_runbook FILE TITLE OLD-SYSTEM NEW-SYSTEM [KEY]: the smallest data
# runbook: old and new as given (`sqlite \`F\` table \`t\``, `postgres …`),
# key KEY (default k), and one backfill step, owned by the commander Ana.
key_runbook() {
  printf '# %s\n\n## Roles\n- commander: Ana\n\n## Systems\n- old: %s\n- new: %s\n\n## Mapping\n- key `%s`\n\n## Phase 2: Backfill {readonly}\n- [ ] commander: copy `backfill`\n' \
    "$2" "$3" "$4" "${5:-k}" >"$1"
}
