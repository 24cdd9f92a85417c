# deploy/cluster/cluster.sh -- the whole cluster on one machine, for
# deploy/cluster/up and tests/cluster/run.  Source it after
# tests/integration/lib.sh and stack.sh (spawn, server_stop, tls_test_cert,
# stack_idp_start come from there; their exit trap stops everything).
#
#   cluster_deps [SERVER]   apt-get install what is missing
#   cluster_up              etcd, Patroni (PostgreSQL 15 x CL_PG), the
#                           roles and the database, the development
#                           provider, CL_NODES web nodes, HAProxy
#   cluster_node_kill I     SIGKILL node I's web server and its programs
#   cluster_node_start I    start node I (again)
#   cluster_primary         name of the current primary (pg1..pg3)
#   cluster_pg_addr NAME    its address
#   cluster_lb CMD          one command on HAProxy's runtime socket
#
# Settings (environment, all optional):
#   CL_NODES    web nodes (3): 127.0.0.11, .12, ... port CL_NODE_PORT (8080);
#               each opens the API alone on ADDR:CL_NODE_API_PORT (8081)
#               for its own web app (deploy/lighttpd/loopback.conf)
#   CL_SERVER   lighttpd | apache
#   CL_PROCS    FastCGI processes per program per node (2)
#   CL_PG       PostgreSQL members (3; 2 or 3): 127.0.0.21:5441, .22:5442,
#               .23:5443 (own ports too: their sockets share
#               /var/run/postgresql), Patroni's REST API on ADDR:8008
#   CL_ETCD     etcd's address (127.0.0.31; client 2379, peer 2380)
#   CL_LB_ADDR  HAProxy's front end (127.0.0.1; the test certificate names
#               127.0.0.1 and localhost), CL_PORT its port (9443),
#               CL_STATS_PORT the stats page (9404, loopback)
#   CL_NAME     host name in the URLs (127.0.0.1; up uses localhost)
#
# After cluster_up: CL_URL (https front end), CL_DIR, CL_CA (CA to trust),
# CL_DB_ADMIN (libpq conninfo of the superuser on the primary, psql works
# with PGPASSFILE=$CL_DIR/secrets/postgres.pgpass, exported), APP_URL,
# IDP_URL, STACK_DIR (stack_signin, stack_http work against the cluster).

CL_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CL_FILES=$CL_TOP/deploy/cluster
CL_PG_BIN=${CL_PG_BIN:-/usr/lib/postgresql/15/bin}
CL_NODE_PIDS=()
CL_PATRONI_PIDS=()

cl_err() {
	printf 'cluster: %s\n' "$*" >&2
}

cl_say() {
	[ "${CL_QUIET:-0}" = 1 ] || printf 'cluster: %s\n' "$*" >&2
}

cl_defaults() {
	CL_NODES=${CL_NODES:-3}
	CL_SERVER=${CL_SERVER:-lighttpd}
	CL_PROCS=${CL_PROCS:-2}
	CL_PG=${CL_PG:-3}
	CL_ETCD=${CL_ETCD:-127.0.0.31}
	CL_LB_ADDR=${CL_LB_ADDR:-127.0.0.1}
	CL_PORT=${CL_PORT:-9443}
	CL_STATS_PORT=${CL_STATS_PORT:-9404}
	CL_NODE_PORT=${CL_NODE_PORT:-8080}
	CL_NODE_API_PORT=${CL_NODE_API_PORT:-8081}
	CL_NAME=${CL_NAME:-$CL_LB_ADDR}
}

cl_node_addr() { printf '127.0.0.%d\n' $((10 + $1)); }
cl_pg_addr_n() { printf '127.0.0.%d\n' $((20 + $1)); }
cl_pg_port_n() { printf '%d\n' $((5440 + $1)); }

# cluster_pg_addr NAME: pgN -> its address.
cluster_pg_addr() { cl_pg_addr_n "${1#pg}"; }

# cl_port_busy ADDR PORT: does something accept there?
cl_port_busy() {
	(exec 3<>"/dev/tcp/$1/$2") 2>/dev/null
}

cluster_deps() {
	local server=${1:-lighttpd} p missing=()
	local pkgs=(haproxy patroni python3-etcd etcd-server wrk postgresql
	    postgresql-contrib lighttpd curl openssl perl nodejs)
	[ "$server" = apache ] && pkgs+=(apache2 libapache2-mod-fcgid)
	for p in "${pkgs[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
		    grep -q 'install ok installed' || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	cl_say "installing ${missing[*]}"
	local sudo=()
	[ "$(id -u)" -eq 0 ] || sudo=(sudo)
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null &&
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
	    --no-install-recommends "${missing[@]}" >/dev/null
}

# ---- secrets -------------------------------------------------------------

# cl_scram PASSWORD: the SCRAM-SHA-256 verifier PostgreSQL stores, computed
# here, so the password itself never reaches the server's logs.
cl_scram() {
	/usr/bin/python3 - "$1" <<'PY'
import base64, hashlib, hmac, os, sys
pw = sys.argv[1].encode(); salt = os.urandom(16); it = 4096
salted = hashlib.pbkdf2_hmac("sha256", pw, salt, it)
ck = hmac.new(salted, b"Client Key", "sha256").digest()
sk = hmac.new(salted, b"Server Key", "sha256").digest()
b = lambda x: base64.b64encode(x).decode()
print("SCRAM-SHA-256$%d:%s$%s:%s" % (it, b(salt), b(hashlib.sha256(ck).digest()), b(sk)))
PY
}

# cl_secrets: one generated password per role, and a passfile per user of
# it (libpq ignores a passfile that others can read: 0600, owned by who
# connects).  Host "*": the programs' conninfo names every member.
cl_secrets() {
	local d=$CL_DIR/secrets r
	mkdir -p "$d"
	chmod 711 "$d"
	for r in postgres replicator todo_owner todo_api todo_webapp; do
		openssl rand -hex 24 >"$d/$r.password"
		chmod 600 "$d/$r.password"
		printf '*:*:*:%s:%s\n' "$r" "$(cat "$d/$r.password")" >"$d/$r.pgpass"
		chmod 600 "$d/$r.pgpass"
	done
	# The programs run as the web server's user.
	chown "$T_WWW_USER" "$d/todo_api.pgpass" "$d/todo_webapp.pgpass"
	export PGPASSFILE=$d/postgres.pgpass
}

# ---- etcd and Patroni ----------------------------------------------------

cl_etcd_start() {
	local d=$CL_DIR/etcd i
	mkdir -p "$d"
	spawn "$d/etcd.log" etcd --name etcd1 --data-dir "$d/data" \
	    --listen-client-urls "http://$CL_ETCD:2379" \
	    --advertise-client-urls "http://$CL_ETCD:2379" \
	    --listen-peer-urls "http://$CL_ETCD:2380" \
	    --initial-advertise-peer-urls "http://$CL_ETCD:2380" \
	    --initial-cluster "etcd1=http://$CL_ETCD:2380" \
	    --initial-cluster-state new --initial-cluster-token todo-b2c
	CL_ETCD_PID=$T_SPAWNED
	for i in $(seq 1 100); do
		curl -sf -m 1 "http://$CL_ETCD:2379/health" 2>/dev/null |
		    grep -q '"true"' && return 0
		sleep 0.1
	done
	cl_err "etcd did not start: $(tail -n 5 "$d/etcd.log")"
	return 1
}

# cl_patroni_start N: member pgN, as the postgres user.
cl_patroni_start() {
	local n=$1 a d
	a=$(cl_pg_addr_n "$n")
	d=$CL_DIR/pg$n
	mkdir -p "$d"
	chown postgres:postgres "$d"
	chmod 700 "$d"
	{
		printf 'PATRONI_NAME=pg%d\n' "$n"
		printf 'PATRONI_RESTAPI_LISTEN=%s:8008\n' "$a"
		printf 'PATRONI_RESTAPI_CONNECT_ADDRESS=%s:8008\n' "$a"
		printf 'PATRONI_POSTGRESQL_LISTEN=%s:%s\n' "$a" "$(cl_pg_port_n "$n")"
		printf 'PATRONI_POSTGRESQL_CONNECT_ADDRESS=%s:%s\n' "$a" "$(cl_pg_port_n "$n")"
		printf 'PATRONI_POSTGRESQL_DATA_DIR=%s/data\n' "$d"
		printf 'PATRONI_POSTGRESQL_PGPASS=%s/pgpass\n' "$d"
		printf 'PATRONI_ETCD3_HOSTS=%s:2379\n' "$CL_ETCD"
		printf 'PATRONI_SUPERUSER_PASSWORD=%s\n' "$(cat "$CL_DIR/secrets/postgres.password")"
		printf 'PATRONI_REPLICATION_PASSWORD=%s\n' "$(cat "$CL_DIR/secrets/replicator.password")"
	} >"$d/patroni.env"
	chmod 600 "$d/patroni.env"
	# env -i: the member sees its own environment file and nothing else.
	spawn "$d/patroni.log" runuser -u postgres -- env -i PATH=/usr/bin:/bin \
	    LANG=C.UTF-8 $(cat "$d/patroni.env") patroni "$CL_FILES/patroni.yml"
	CL_PATRONI_PIDS[$n]=$T_SPAWNED
	cl_etcd_last
}

# cl_etcd_last: etcd is stopped last (lib.sh stops T_PIDS in order), so
# that Patroni can still release its leader key on the way down.
cl_etcd_last() {
	[ -n "${CL_ETCD_PID:-}" ] || return 0
	T_PIDS="$(printf '%s\n' $T_PIDS | grep -vx "$CL_ETCD_PID" | tr '\n' ' ') $CL_ETCD_PID"
}

# cl_rest ADDR PATH: Patroni's REST API; prints the HTTP status.
cl_rest() {
	curl -s -o /dev/null -m 2 -w '%{http_code}' "http://$1:8008$2"
}

# cluster_primary: the member that answers /primary with 200.
cluster_primary() {
	local n
	for n in $(seq 1 "$CL_PG"); do
		if [ "$(cl_rest "$(cl_pg_addr_n "$n")" /primary)" = 200 ]; then
			printf 'pg%d\n' "$n"
			return 0
		fi
	done
	return 1
}

# cluster_sync_ok [SECONDS]: a primary and a streaming synchronous standby.
cluster_sync_ok() {
	local secs=${1:-60} i n
	for i in $(seq 1 $((secs * 2))); do
		for n in $(seq 1 "$CL_PG"); do
			[ "$(cl_rest "$(cl_pg_addr_n "$n")" /sync)" = 200 ] || continue
			cluster_primary >/dev/null && return 0
		done
		sleep 0.5
	done
	return 1
}

# cluster_replicas_ok [SECONDS]: every member running and streaming.
cluster_replicas_ok() {
	local secs=${1:-60} i n good
	for i in $(seq 1 $((secs * 2))); do
		good=0
		for n in $(seq 1 "$CL_PG"); do
			case $(cl_rest "$(cl_pg_addr_n "$n")" /health) in 200) good=$((good + 1)) ;; esac
		done
		[ "$good" = "$CL_PG" ] && cluster_sync_ok 1 && return 0
		sleep 0.5
	done
	return 1
}

cluster_patronictl() {
	patronictl -c "$CL_DIR/patronictl.yml" "$@"
}

# ---- the database: roles, schemas, grants --------------------------------

# The programs' conninfo: every member, the primary chosen by libpq.
cl_conninfo() {
	local role=$1 hosts="" ports="" n
	for n in $(seq 1 "$CL_PG"); do
		hosts="$hosts${hosts:+,}$(cl_pg_addr_n "$n")"
		ports="$ports${ports:+,}$(cl_pg_port_n "$n")"
	done
	printf 'host=%s port=%s dbname=todo user=%s passfile=%s target_session_attrs=read-write connect_timeout=2\n' \
	    "$hosts" "$ports" "$role" "$CL_DIR/secrets/$role.pgpass"
}

# cl_setup_db: what todo-b2c-setup-db does, with passwords instead of peer
# authentication: roles, database, CONNECT, migrations as the owner, grants.
cl_setup_db() {
	local p log=$CL_DIR/setup-db.log
	p=$(cluster_primary) || { cl_err "no primary"; return 1; }
	CL_DB_ADMIN="host=$(cluster_pg_addr "$p") port=$(cl_pg_port_n "${p#pg}") user=postgres dbname=postgres"
	{
		printf '\\set ON_ERROR_STOP 1\n'
		for r in todo_owner todo_api todo_webapp; do
			printf "CREATE ROLE %s LOGIN PASSWORD '%s';\n" "$r" \
			    "$(cl_scram "$(cat "$CL_DIR/secrets/$r.password")")"
		done
		printf "CREATE DATABASE todo OWNER todo_owner ENCODING 'UTF8' TEMPLATE template0;\n"
		printf 'REVOKE ALL ON DATABASE todo FROM PUBLIC;\n'
		printf 'GRANT CONNECT ON DATABASE todo TO todo_owner, todo_api, todo_webapp;\n'
	} | psql "$CL_DB_ADMIN" -X -q >"$log" 2>&1 ||
	    { cl_err "creating roles and database failed: $(cat "$log")"; return 1; }
	CL_DB_ADMIN=$(cl_conninfo postgres)
	TODO_API_DATABASE=$(cl_conninfo todo_owner) "$CL_API_BIN" \
	    --config "$CL_DIR/api.conf" --migrate >>"$log" 2>&1 &&
	TODO_WEBAPP_DATABASE=$(cl_conninfo todo_owner) "$CL_WEBAPP_BIN" \
	    --config "$CL_DIR/node1/webapp.conf" --migrate >>"$log" 2>&1 &&
	psql "$(cl_conninfo todo_owner)" -X -q -v ON_ERROR_STOP=1 \
	    -v api_role=todo_api -v webapp_role=todo_webapp \
	    -f "$CL_TOP/sql/roles.sql" >>"$log" 2>&1 ||
	    { cl_err "migrations or grants failed: $(tail -n 5 "$log")"; return 1; }
	export CL_DB_ADMIN
}

# ---- the programs' configuration -----------------------------------------

cl_write_configs() {
	local p urls="" i d
	for p in B2C_1_susi B2C_1_edit_profile B2C_1_reset; do
		urls="$urls ${IDP_METADATA/\{policy\}/$p}"
	done
	cat >"$CL_DIR/api.conf" <<EOF
# todo-api.fcgi on every node, written by deploy/cluster/cluster.sh
database = $(cl_conninfo todo_api)
metadata_url =$urls
issuer = $IDP_ISSUER
audience = 00000000-0000-4000-a000-000000000002
user_claim = oid
log_level = ${CL_LOG_LEVEL:-warning}
EOF
	# One cache key for all nodes: a token sealed by one is opened by any.
	head -c 32 /dev/urandom >"$CL_DIR/cache.key"
	printf '%s' dev-client-secret >"$CL_DIR/client-secret"
	chmod 600 "$CL_DIR/cache.key" "$CL_DIR/client-secret"
	chown "$T_WWW_USER" "$CL_DIR/cache.key" "$CL_DIR/client-secret"
	for i in $(seq 1 "$CL_NODES"); do
		d=$CL_DIR/node$i
		t_mkdir "$d"
		# Only api_url differs: each node's web app calls its own API
		# on the node's loopback listener.
		cat >"$d/webapp.conf" <<EOF
# todo-webapp.fcgi on node $i, written by deploy/cluster/cluster.sh
database = $(cl_conninfo todo_webapp)
metadata_url = $IDP_METADATA
issuer = $IDP_ISSUER
client_id = 00000000-0000-4000-a000-000000000001
client_secret_file = $CL_DIR/client-secret
redirect_uri = $CL_URL/signin/callback
signup_signin_policy = B2C_1_susi
edit_profile_policy = B2C_1_edit_profile
reset_password_policy = B2C_1_reset
api_url = http://$(cl_node_addr "$i"):$CL_NODE_API_PORT/api
api_identifier = https://dev.onmicrosoft.com/tasks
cache_key_file = $CL_DIR/cache.key
cookie_secure = on
log_level = ${CL_LOG_LEVEL:-warning}
EOF
	done
	chmod 640 "$CL_DIR/api.conf" "$CL_DIR"/node*/webapp.conf
	chgrp "$T_WWW_GROUP" "$CL_DIR/api.conf" "$CL_DIR"/node*/webapp.conf
}

# ---- web nodes -------------------------------------------------------------

# lighttpd: deploy/lighttpd's pieces unchanged, as in production minus TLS
# (HAProxy terminates it): server.conf, todo-api.conf, todo-webapp.conf,
# loopback.conf.
cl_lighttpd_conf() {
	local i=$1 a d
	a=$(cl_node_addr "$i")
	d=$CL_DIR/node$i
	t_mkdir "$d/log" "$d/run" "$d/docroot"
	chown "$T_WWW_USER:$T_WWW_GROUP" "$d/log" "$d/run"
	cat >"$d/lighttpd.conf" <<EOF
# node $i, written by deploy/cluster/cluster.sh: site.conf's variables,
# then the shipped pieces unchanged.
var.todo_bind          = "$a"
var.todo_http_port     = $CL_NODE_PORT
var.todo_api_loopback  = "$a:$CL_NODE_API_PORT"
var.todo_user          = "$T_WWW_USER"
var.todo_group         = "$T_WWW_GROUP"
var.todo_api_bin       = "$CL_API_BIN"
var.todo_api_config    = "$CL_DIR/api.conf"
var.todo_api_procs     = $CL_PROCS
var.todo_webapp_bin    = "$CL_WEBAPP_BIN"
var.todo_webapp_config = "$d/webapp.conf"
var.todo_webapp_procs  = $CL_PROCS
var.todo_state_dir     = "$d/run"
var.todo_log_dir       = "$d/log"
var.todo_docroot       = "$d/docroot"
include "$CL_TOP/deploy/lighttpd/server.conf"
include "$CL_TOP/deploy/lighttpd/todo-api.conf"
include "$CL_TOP/deploy/lighttpd/todo-webapp.conf"
include "$CL_TOP/deploy/lighttpd/loopback.conf"
EOF
	lighttpd -tt -f "$d/lighttpd.conf" >"$d/check.log" 2>&1 ||
	    { cl_err "lighttpd rejects $d/lighttpd.conf: $(cat "$d/check.log")"; return 1; }
	CL_ACCESS_LOG[$i]=$d/log/access.log
}

# Apache: deploy/apache/todo-b2c.conf unchanged with its Defines (a copy of
# lib.sh's apache_start, which listens on 127.0.0.1 only).
cl_apache_conf() {
	local i=$1 a d m
	a=$(cl_node_addr "$i")
	d=$CL_DIR/node$i
	t_mkdir "$d/log" "$d/run" "$d/docroot"
	mkdir -p "$d/fcgid"
	chown "$T_WWW_USER:$T_WWW_GROUP" "$d/fcgid"
	{
		printf 'ServerRoot "%s"\nDefaultRuntimeDir "%s/run"\nPidFile "%s/run/apache2.pid"\n' "$d" "$d" "$d"
		for m in mpm_event authz_core authz_host mime alias dir env \
		    headers setenvif reqtimeout rewrite fcgid; do
			printf 'LoadModule %s_module %s/mod_%s.so\n' "$m" "$T_APACHE_MODS" "$m"
		done
		cat <<EOF
Mutex sem default
ServerName $a
User $T_WWW_USER
Group $T_WWW_GROUP
ErrorLog "$d/log/error.log"
LogLevel warn
LogFormat "%h %t \"%r\" %>s %b %D" timed
CustomLog "$d/log/access.log" timed
TypesConfig /etc/mime.types
<Directory />
	AllowOverride None
	Require all denied
</Directory>
EnableMMAP Off
StartServers 1
ServerLimit 2
ThreadsPerChild 32
MaxRequestWorkers 64
FcgidIPCDir "$d/fcgid"
FcgidProcessTableFile "$d/fcgid/shm"
Listen $a:$CL_NODE_PORT
Define TODO_CONF_DIR $CL_TOP/deploy/apache
Define TODO_SERVER_NAME $CL_NAME
Define TODO_BIND $a
Define TODO_NO_TLS
Define TODO_HTTP_PORT $CL_NODE_PORT
Define TODO_API_LOOPBACK $a:$CL_NODE_API_PORT
Define TODO_API_BIN $CL_API_BIN
Define TODO_API_CONFIG $CL_DIR/api.conf
Define TODO_WEBAPP_BIN $CL_WEBAPP_BIN
Define TODO_WEBAPP_CONFIG $d/webapp.conf
Define TODO_DOCROOT $d/docroot
Define TODO_MIN_PROCS $CL_PROCS
Define TODO_MAX_PROCS $((CL_PROCS * 2))
Include $CL_TOP/deploy/apache/todo-b2c.conf
EOF
	} >"$d/apache2.conf"
	apache2 -t -f "$d/apache2.conf" >"$d/check.log" 2>&1 ||
	    { cl_err "apache2 rejects $d/apache2.conf: $(cat "$d/check.log")"; return 1; }
	CL_ACCESS_LOG[$i]=$d/log/access.log
}

cluster_node_start() {
	local i=$1 d
	d=$CL_DIR/node$i
	if [ "$CL_SERVER" = apache ]; then
		spawn "$d/server.out" apache2 -f "$d/apache2.conf" -DFOREGROUND
	else
		spawn "$d/server.out" lighttpd -D -f "$d/lighttpd.conf"
	fi
	CL_NODE_PIDS[$i]=$T_SPAWNED
	cl_etcd_last
}

# cluster_node_kill I: the node dies: SIGKILL to its web server and the
# FastCGI programs it started (one process group), no clean-up.
cluster_node_kill() {
	local pid=${CL_NODE_PIDS[$1]}
	kill -KILL -- "-$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	T_PIDS=$(printf '%s\n' $T_PIDS | grep -vx "$pid" | tr '\n' ' ')
	return 0
}

# cluster_node_wait I [SECONDS]: both programs answer 200 on node I.
cluster_node_wait() {
	local a
	a=$(cl_node_addr "$1")
	wait_status "http://$a:$CL_NODE_PORT/healthz" 200 "${2:-30}" &&
	    wait_status "http://$a:$CL_NODE_PORT/api/healthz" 200 "${2:-30}"
}

# ---- HAProxy -------------------------------------------------------------

cl_haproxy_start() {
	local i d=$CL_DIR/lb
	mkdir -p "$d"
	cat "$CL_TLS/cert.pem" "$CL_TLS/key.pem" >"$d/site.pem"
	chmod 600 "$d/site.pem"
	{
		echo "# written by deploy/cluster/cluster.sh: one line per web node"
		echo "backend nodes"
		for i in $(seq 1 "$CL_NODES"); do
			printf '\tserver node%d %s:%d check\n' "$i" "$(cl_node_addr "$i")" "$CL_NODE_PORT"
		done
	} >"$d/nodes.cfg"
	export TODO_LB_BIND="$CL_LB_ADDR:$CL_PORT" TODO_LB_CERT="$d/site.pem" \
	    TODO_LB_STATS="127.0.0.1:$CL_STATS_PORT" TODO_LB_STATE_DIR="$d" \
	    TODO_LB_ERRORS="$CL_FILES"
	haproxy -c -q -f "$CL_FILES/haproxy.cfg" -f "$d/nodes.cfg" >"$d/check.log" 2>&1 ||
	    { cl_err "haproxy rejects its configuration: $(cat "$d/check.log")"; return 1; }
	spawn "$d/haproxy.log" haproxy -db -f "$CL_FILES/haproxy.cfg" -f "$d/nodes.cfg"
	CL_LB_PID=$T_SPAWNED
	cl_etcd_last
	CL_LB_LOG=$d/haproxy.log
}

# cluster_lb CMD: HAProxy's runtime API (show stat, disable server ...).
cluster_lb() {
	printf '%s\n' "$*" | socat - "UNIX-CONNECT:$CL_DIR/lb/admin.sock" 2>/dev/null ||
	    /usr/bin/python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
s.sendall((sys.argv[2] + "\n").encode()); out = b""
while True:
    b = s.recv(65536)
    if not b: break
    out += b
sys.stdout.write(out.decode())' "$CL_DIR/lb/admin.sock" "$*"
}

# cluster_lb_status NODE: UP, DOWN, MAINT ... of server nodes/NODE.
cluster_lb_status() {
	cluster_lb "show stat" | awk -F, -v s="$1" '$1 == "nodes" && $2 == s { print $18 }'
}

# ---- up ------------------------------------------------------------------

cluster_up() {
	local i n port_busy=""
	cl_defaults
	case $CL_SERVER in lighttpd | apache) ;; *) cl_err "CL_SERVER: lighttpd or apache"; return 1 ;; esac
	case $CL_PG in 2 | 3) ;; *) cl_err "CL_PG: 2 or 3 members"; return 1 ;; esac
	[ "$(id -u)" = 0 ] || { cl_err "run as root (servers drop to www-data, PostgreSQL runs as postgres)"; return 1; }
	CL_API_BIN=$(need_exec "${CL_API_BIN:-$top_builddir/api-fcgi/todo-api.fcgi}") ||
	    { cl_err "todo-api.fcgi not built in $top_builddir"; return 1; }
	CL_WEBAPP_BIN=$(need_exec "${CL_WEBAPP_BIN:-$top_builddir/webapp-fcgi/todo-webapp.fcgi}") ||
	    { cl_err "todo-webapp.fcgi not built in $top_builddir"; return 1; }
	for i in $(seq 1 "$CL_NODES"); do
		cl_port_busy "$(cl_node_addr "$i")" "$CL_NODE_PORT" && port_busy="$port_busy $(cl_node_addr "$i"):$CL_NODE_PORT"
	done
	for n in $(seq 1 "$CL_PG"); do
		cl_port_busy "$(cl_pg_addr_n "$n")" "$(cl_pg_port_n "$n")" && port_busy="$port_busy $(cl_pg_addr_n "$n"):$(cl_pg_port_n "$n")"
	done
	cl_port_busy "$CL_ETCD" 2379 && port_busy="$port_busy $CL_ETCD:2379"
	cl_port_busy "$CL_LB_ADDR" "$CL_PORT" && port_busy="$port_busy $CL_LB_ADDR:$CL_PORT"
	cl_port_busy 127.0.0.1 "$CL_STATS_PORT" && port_busy="$port_busy 127.0.0.1:$CL_STATS_PORT"
	[ -z "$port_busy" ] || { cl_err "already in use:$port_busy (another cluster running?)"; return 1; }

	CL_DIR=$T_SCRATCH/cluster
	t_mkdir "$CL_DIR"
	CL_URL="https://$CL_NAME:$CL_PORT"
	CL_TLS=$CL_DIR/tls
	tls_test_cert "$CL_TLS" || { cl_err "openssl could not make the test certificate"; return 1; }
	CL_CA=$CL_TLS/ca.pem
	export CURL_CA_BUNDLE=$CL_CA
	cl_secrets

	cl_say "etcd on $CL_ETCD:2379"
	cl_etcd_start || return 1
	cat >"$CL_DIR/patronictl.yml" <<EOF
scope: todo-b2c
namespace: /service/
etcd3:
  hosts: $CL_ETCD:2379
EOF
	cl_say "Patroni: $CL_PG PostgreSQL 15 members on $(cl_pg_addr_n 1)..$(cl_pg_addr_n "$CL_PG") (ports $(cl_pg_port_n 1)..$(cl_pg_port_n "$CL_PG"))"
	cl_patroni_start 1
	for i in $(seq 1 120); do
		cluster_primary >/dev/null && break
		sleep 0.5
	done
	cluster_primary >/dev/null ||
	    { cl_err "no primary: $(tail -n 20 "$CL_DIR/pg1/patroni.log")"; return 1; }
	for n in $(seq 2 "$CL_PG"); do
		cl_patroni_start "$n"
	done
	cluster_replicas_ok 120 ||
	    { cl_err "the replicas did not join: $(cluster_patronictl list 2>&1)"; return 1; }

	# The provider, whose issuer and redirect URI carry the ports.
	STACK_DIR=$CL_DIR/stack
	t_mkdir "$STACK_DIR"
	: >"$STACK_DIR/secrets"
	STACK_NODE_MODULES=${NODE_MODULES_DIR:-$CL_TOP/node_modules}
	STACK_IDP_HOST_=${STACK_IDP_HOST:-127.0.0.1}
	STACK_ACCESS_TOKEN_TTL_=${STACK_ACCESS_TOKEN_TTL:-3600}
	APP_URL=$CL_URL
	IDP_URL="http://$STACK_IDP_HOST_:$(free_port)"
	stack_idp_start "${IDP_URL##*:}" "$CL_DIR/idp.log" ||
	    { cl_err "the identity provider did not start: $(tail -n 5 "$CL_DIR/idp.log")"; return 1; }
	IDP_ISSUER=$(sed -n 's/^dev-idp issuer //p' "$CL_DIR/idp.log" | head -n 1)
	IDP_METADATA="$IDP_URL/dev.onmicrosoft.com/{policy}/v2.0/.well-known/openid-configuration"
	cl_write_configs
	cl_say "roles, database todo, migrations (as todo_owner), grants"
	cl_setup_db || return 1

	cl_say "$CL_NODES web nodes ($CL_SERVER) on $(cl_node_addr 1)..$(cl_node_addr "$CL_NODES"):$CL_NODE_PORT"
	for i in $(seq 1 "$CL_NODES"); do
		if [ "$CL_SERVER" = apache ]; then cl_apache_conf "$i"; else cl_lighttpd_conf "$i"; fi || return 1
		cluster_node_start "$i"
	done
	for i in $(seq 1 "$CL_NODES"); do
		cluster_node_wait "$i" 30 || { cl_err "node $i does not answer: $(tail -n 5 "$CL_DIR/node$i/log/error.log" "$CL_DIR/node$i/server.out" 2>&1)"; return 1; }
	done
	cl_say "HAProxy on $CL_URL (stats: http://127.0.0.1:$CL_STATS_PORT/)"
	cl_haproxy_start || return 1
	wait_status "$CL_URL/healthz" 200 20 ||
	    { cl_err "HAProxy does not answer: $(tail -n 5 "$CL_LB_LOG")"; return 1; }
	for i in $(seq 1 40); do
		[ "$(cluster_lb "show stat" | awk -F, '$1 == "nodes" && $18 == "UP"' | wc -l)" = "$CL_NODES" ] && break
		sleep 0.25
	done
	export CL_DIR CL_URL CL_CA APP_URL IDP_URL STACK_DIR
	return 0
}
