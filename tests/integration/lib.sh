# tests/integration/lib.sh -- sourced by the integration tests (bash).
#
# TAP helpers, a scratch directory removed on exit, and throwaway servers:
# PostgreSQL, lighttpd, Apache (mod_fcgid, or mod_proxy_fcgi to the
# deploy/pool pools) and nginx (to the pools) running the deploy/ configs,
# and a static lighttpd for the identity provider's discovery and JWKS.
#
# Runs as root (CI): the web servers drop to www-data, so everything they or
# the FastCGI programs touch lives in 755 directories under the scratch dir.
# Environment:
#   top_srcdir, top_builddir   absolute; default: the repository root
#   TMPDIR                     where the scratch dir goes (default /tmp)
#   KEEP_SCRATCH=1             keep the scratch dir (logs) for debugging
#   TEST_VERBOSE=1             print each curl command as a diagnostic

set -u
set -o pipefail

T_LIBDIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${top_srcdir:=$(cd "$T_LIBDIR/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
export top_srcdir top_builddir

T_WWW_USER=${T_WWW_USER:-www-data}
T_WWW_GROUP=${T_WWW_GROUP:-www-data}

# ---- TAP -----------------------------------------------------------------

T_N=0
T_FAILED=0
T_FAILED_LIST=""
T_DONE=0

diag() {
	local line
	while IFS= read -r line; do
		printf '# %s\n' "$line"
	done <<<"$*"
}

pass() {
	T_N=$((T_N + 1))
	printf 'ok %d - %s\n' "$T_N" "$1"
}

fail() {
	T_N=$((T_N + 1))
	T_FAILED=$((T_FAILED + 1))
	T_FAILED_LIST="$T_FAILED_LIST $T_N"
	printf 'not ok %d - %s\n' "$T_N" "$1"
	shift
	[ $# -gt 0 ] && diag "$@"
	return 0
}

# ok DESCRIPTION COMMAND [ARGS...]: passes when the command succeeds.
ok() {
	local desc=$1
	shift
	if "$@"; then
		pass "$desc"
	else
		fail "$desc" "command failed: $*"
	fi
}

# is GOT EXPECTED DESCRIPTION
is() {
	if [ "$1" == "$2" ]; then
		pass "$3"
	else
		fail "$3" "     got: '$1'" "expected: '$2'"
	fi
}

# isnt GOT UNEXPECTED DESCRIPTION
isnt() {
	if [ "$1" != "$2" ]; then
		pass "$3"
	else
		fail "$3" "     got: '$1'" "expected anything else"
	fi
}

# (grep reads a here-string, not a pipe: with pipefail, "printf | grep -q"
# fails when grep stops reading before printf has written everything,
# which a loaded machine made happen.)

# page_has FIXED-STRING: is it in the last page (ST_PAGE)?
page_has() {
	[[ $ST_PAGE == *"$1"* ]]
}

# like GOT ERE DESCRIPTION
like() {
	if grep -Eq -- "$2" <<<"$1"; then
		pass "$3"
	else
		fail "$3" "     got: '$1'" "expected to match: $2"
	fi
}

# unlike GOT ERE DESCRIPTION
unlike() {
	if grep -Eq -- "$2" <<<"$1"; then
		fail "$3" "     got: '$1'" "expected not to match: $2"
	else
		pass "$3"
	fi
}

# contains GOT FIXED-STRING DESCRIPTION: GOT has FIXED-STRING in it.
contains() {
	case $1 in
	*"$2"*) pass "$3" ;;
	*) fail "$3" "     got: '$1'" "expected to contain: $2" ;;
	esac
}

# one_of GOT "A B C" DESCRIPTION
one_of() {
	local v
	for v in $2; do
		if [ "$1" == "$v" ]; then
			pass "$3"
			return 0
		fi
	done
	fail "$3" "     got: '$1'" "expected one of: $2"
}

skip() {
	T_N=$((T_N + 1))
	printf 'ok %d - %s # SKIP %s\n' "$T_N" "$1" "${2:-}"
}

bail_out() {
	printf 'Bail out! %s\n' "$*"
	exit 1
}

# skip_all REASON: the whole test is skipped (Automake sees SKIP).
skip_all() {
	printf '1..0 # SKIP %s\n' "$*"
	T_DONE=1
	exit 0
}

# done_testing: the plan at the end, a summary, the exit status.
done_testing() {
	printf '1..%d\n' "$T_N"
	if [ "$T_FAILED" -eq 0 ]; then
		diag "all $T_N tests passed"
	else
		diag "FAILED $T_FAILED of $T_N tests:$T_FAILED_LIST"
	fi
	T_DONE=1
	[ "$T_FAILED" -eq 0 ]
}

# ---- scratch dir and cleanup ---------------------------------------------

T_SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/todo-integ.XXXXXXXX") ||
	bail_out "cannot create a scratch dir"
chmod 755 "$T_SCRATCH"
T_PIDS=""		# process group leaders to stop on exit
T_PG_DATA=""		# running PostgreSQL data dir, if any

t_cleanup() {
	local rc=$?
	local pid
	trap - EXIT INT TERM
	for pid in $T_PIDS; do
		server_stop "$pid"
	done
	[ -n "$T_PG_DATA" ] && pg_stop
	if [ "${KEEP_SCRATCH:-0}" = 1 ]; then
		diag "scratch dir kept: $T_SCRATCH"
	else
		rm -rf "$T_SCRATCH"
	fi
	if [ "$T_DONE" = 0 ] && [ "$rc" = 0 ]; then
		rc=1
	fi
	exit "$rc"
}
trap t_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# t_mkdir DIR...: a directory the web servers' user can reach.
t_mkdir() {
	mkdir -p "$@" && chmod 755 "$@"
}

t_is_root() {
	[ "$(id -u)" = 0 ]
}

# as_www CMD...: run as the web servers' user (or as is, when not root).
as_www() {
	if t_is_root; then
		runuser -u "$T_WWW_USER" -- "$@"
	else
		"$@"
	fi
}

# need_exec FILE: echo a path to FILE that the web servers' user can
# execute; copies it into the scratch dir when its own path is closed
# (a build dir under /root, say).
need_exec() {
	local f=$1 dst
	[ -x "$f" ] || return 1
	if as_www test -x "$f"; then
		printf '%s\n' "$f"
		return 0
	fi
	t_mkdir "$T_SCRATCH/bin"
	dst="$T_SCRATCH/bin/$(basename "$f")"
	cp "$f" "$dst" && chmod 755 "$dst" && printf '%s\n' "$dst"
}

# ---- processes, ports, HTTP ----------------------------------------------

# free_port: a TCP port on 127.0.0.1 nothing listens on.
free_port() {
	local p i used="$T_SCRATCH/.ports-given"
	for i in $(seq 1 200); do
		# Below the kernel's ephemeral range (32768-60999), so no outgoing
		# connection holds the port the server is about to bind.
		p=$(( (RANDOM * 32768 + RANDOM) % 12000 + 20000 ))
		# Never the same port twice in a test, though nothing listens on
		# it yet: callers run in $(...) subshells, so the list is a file.
		grep -qx "$p" "$used" 2>/dev/null && continue
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			printf '%d\n' "$p" >>"$used"
			printf '%d\n' "$p"
			return 0
		fi
	done
	return 1
}

# wait_port PORT [SECONDS]: until something accepts on 127.0.0.1:PORT.
wait_port() {
	local port=$1 secs=${2:-15} i
	for i in $(seq 1 $((secs * 10))); do
		(exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# wait_http URL [SECONDS]: until URL answers with any HTTP status.
wait_http() {
	local url=$1 secs=${2:-15} i code
	for i in $(seq 1 $((secs * 10))); do
		code=$(curl -s -o /dev/null -m 2 -w '%{http_code}' "$url")
		[ "$code" != 000 ] && return 0
		sleep 0.1
	done
	return 1
}

# wait_status URL STATUS [SECONDS]: until URL answers STATUS.
wait_status() {
	local url=$1 want=$2 secs=${3:-15} i code
	for i in $(seq 1 $((secs * 10))); do
		code=$(curl -s -o /dev/null -m 2 -w '%{http_code}' "$url")
		[ "$code" = "$want" ] && return 0
		sleep 0.1
	done
	return 1
}

# spawn LOG CMD...: start CMD in the background as the leader of its own
# process group (so server_stop takes its children too); sets T_SPAWNED.
spawn() {
	local log=$1
	shift
	setsid "$@" >"$log" 2>&1 </dev/null &
	T_SPAWNED=$!
	T_PIDS="$T_PIDS $T_SPAWNED"
}

# server_stop PID: TERM the process group PID leads, then KILL what is left.
server_stop() {
	local pid=$1 i
	T_PIDS=$(printf '%s\n' $T_PIDS | grep -vx "$pid" | tr '\n' ' ')
	kill -TERM -- "-$pid" 2>/dev/null || return 0
	for i in $(seq 1 50); do
		kill -0 -- "-$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL -- "-$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return 0
}

# group_procs PID: how many processes are left in PID's process group.
group_procs() {
	ps -e -o pgid= | awk -v g="$1" '$1 == g' | wc -l
}

# ---- PostgreSQL ----------------------------------------------------------

pg_bindir() {
	local d
	d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
	[ -n "$d" ] || d=$(dirname "$(command -v pg_ctl)")
	printf '%s\n' "$d"
}

as_pg() {
	if t_is_root; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

# pg_start: a throwaway cluster on a unix socket in the scratch dir;
# exports PG_CONNINFO (libpq) and PG_SOCKDIR.
pg_start() {
	local bin
	bin=$(pg_bindir)
	PG_SOCKDIR="$T_SCRATCH/pg"
	t_mkdir "$PG_SOCKDIR"
	t_is_root && chown postgres:postgres "$PG_SOCKDIR"
	as_pg "$bin/initdb" -D "$PG_SOCKDIR/data" -A trust -E UTF8 \
	    --no-sync >"$T_SCRATCH/pg-initdb.log" 2>&1 || {
		cat "$T_SCRATCH/pg-initdb.log" >&2
		return 1
	}
	T_PG_DATA="$PG_SOCKDIR/data"
	export PG_SOCKDIR
	export PG_CONNINFO="host=$PG_SOCKDIR dbname=postgres user=postgres"
	pg_restart
}

# pg_restart: start the cluster made by pg_start again (after pg_stop).
pg_restart() {
	local bin
	bin=$(pg_bindir)
	as_pg "$bin/pg_ctl" -D "$PG_SOCKDIR/data" -l "$PG_SOCKDIR/server.log" \
	    -w -t 30 -o "-c listen_addresses='' -c unix_socket_directories=$PG_SOCKDIR -c fsync=off" \
	    start >/dev/null || {
		cat "$PG_SOCKDIR/server.log" >&2
		return 1
	}
	T_PG_DATA="$PG_SOCKDIR/data"
}

pg_stop() {
	local bin
	[ -n "$T_PG_DATA" ] || return 0
	bin=$(pg_bindir)
	as_pg "$bin/pg_ctl" -D "$T_PG_DATA" -m immediate -w stop >/dev/null 2>&1
	T_PG_DATA=""
}

# psql_c SQL: run SQL on the test cluster, unaligned tuples only.
psql_c() {
	psql "$PG_CONNINFO" -X -q -A -t -v ON_ERROR_STOP=1 -c "$1"
}

# ---- TLS -----------------------------------------------------------------

# tls_test_cert DIR: a throwaway CA (DIR/ca.pem) and a certificate for
# 127.0.0.1 and localhost signed by it (DIR/cert.pem, DIR/key.pem, mode
# 600); sets TLS_SPKI, the base64 SHA-256 of its public key (Chromium's
# --ignore-certificate-errors-spki-list).  Test keys only, made per run.
tls_test_cert() {
	local d=$1
	mkdir -p "$d"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -subj "/CN=todo-b2c test CA" -keyout "$d/ca.key" -out "$d/ca.pem" \
	    -days 2 >/dev/null 2>&1 &&
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -subj "/CN=127.0.0.1" -keyout "$d/key.pem" -out "$d/req.pem" \
	    >/dev/null 2>&1 &&
	openssl x509 -req -in "$d/req.pem" -CA "$d/ca.pem" -CAkey "$d/ca.key" \
	    -CAcreateserial -days 2 -out "$d/cert.pem" -extfile \
	    <(printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n') \
	    >/dev/null 2>&1 || return 1
	chmod 600 "$d/key.pem" "$d/ca.key"
	TLS_SPKI=$(openssl x509 -in "$d/cert.pem" -pubkey -noout |
	    openssl pkey -pubin -outform der | openssl dgst -sha256 -binary |
	    base64)
}

# ---- lighttpd ------------------------------------------------------------

# lighttpd_start CONF PORT: run lighttpd -D -f CONF until the port answers;
# sets T_LIGHTTPD_PID.  Its stdout/stderr go to CONF.out.
lighttpd_start() {
	local conf=$1 port=$2
	if ! lighttpd -tt -f "$conf" >"$conf.check" 2>&1; then
		diag "lighttpd rejects $conf:" "$(cat "$conf.check")"
		return 1
	fi
	spawn "$conf.out" lighttpd -D -f "$conf"
	T_LIGHTTPD_PID=$T_SPAWNED
	if ! wait_port "$port"; then
		diag "lighttpd did not come up on $port:" "$(tail -n 20 "$conf.out")"
		return 1
	fi
}

# lighttpd_conf_api PORT PROCS API_BIN API_CONFIG: writes a top file that
# sets the variables of deploy/lighttpd and includes server.conf and
# todo-api.conf unchanged; echoes its path.  State under $T_SCRATCH/lh-PORT.
lighttpd_conf_api() {
	local port=$1 procs=$2 bin=$3 config=$4 dir
	dir="$T_SCRATCH/lh-$port"
	t_mkdir "$dir" "$dir/log" "$dir/run" "$dir/docroot"
	# lighttpd opens its logs after dropping privileges; the programs
	# create their sockets in run/ as that user too.
	t_is_root && chown "$T_WWW_USER:$T_WWW_GROUP" "$dir/log" "$dir/run"
	cat >"$dir/lighttpd.conf" <<EOF
var.todo_bind          = "127.0.0.1"
var.todo_http_port     = $port
var.todo_user          = "$T_WWW_USER"
var.todo_group         = "$T_WWW_GROUP"
var.todo_api_bin       = "$bin"
var.todo_api_config    = "$config"
var.todo_api_procs     = $procs
var.todo_state_dir     = "$dir/run"
var.todo_log_dir       = "$dir/log"
var.todo_docroot       = "$dir/docroot"
include "$top_srcdir/deploy/lighttpd/server.conf"
include "$top_srcdir/deploy/lighttpd/todo-api.conf"
EOF
	printf '%s\n' "$dir/lighttpd.conf"
}

# static_server_start DIR: a second lighttpd serving DIR over plain http on
# 127.0.0.1 (every file as application/json); sets STATIC_PORT, STATIC_PID
# and STATIC_ACCESS_LOG (one line per request: "METHOD PATH STATUS").
static_server_start() {
	local docroot=$1 dir
	STATIC_PORT=$(free_port) || return 1
	dir="$T_SCRATCH/static-$STATIC_PORT"
	t_mkdir "$dir"
	t_is_root && chown "$T_WWW_USER:$T_WWW_GROUP" "$dir"
	STATIC_ACCESS_LOG="$dir/access.log"
	cat >"$dir/lighttpd.conf" <<EOF
server.modules = ( "mod_access", "mod_accesslog", "mod_staticfile" )
server.bind = "127.0.0.1"
server.port = $STATIC_PORT
server.document-root = "$docroot"
server.username = "$T_WWW_USER"
server.groupname = "$T_WWW_GROUP"
server.errorlog = "$dir/error.log"
server.max-keep-alive-idle = 2
accesslog.filename = "$STATIC_ACCESS_LOG"
accesslog.format = "%m %U %s"
mimetype.assign = ( "" => "application/json" )
EOF
	lighttpd_start "$dir/lighttpd.conf" "$STATIC_PORT" || return 1
	STATIC_PID=$T_LIGHTTPD_PID
}

static_server_stop() {
	[ -n "${STATIC_PID:-}" ] && server_stop "$STATIC_PID"
	STATIC_PID=""
}

# static_server_restart: the same server (same port, same files) again.
static_server_restart() {
	local dir="$T_SCRATCH/static-$STATIC_PORT"
	lighttpd_start "$dir/lighttpd.conf" "$STATIC_PORT" || return 1
	STATIC_PID=$T_LIGHTTPD_PID
}

# ---- Apache + mod_fcgid --------------------------------------------------

T_APACHE_MODS=/usr/lib/apache2/modules

# apache_start PORT SITE_CONF: a private foreground apache2 with its own
# ServerRoot under $T_SCRATCH/ap-PORT, listening on 127.0.0.1:PORT, which
# Includes SITE_CONF (Defines + Include of deploy/apache/...); the lines in
# T_APACHE_EXTRA (LoadModule ssl_module, another Listen) come first.  Sets
# T_APACHE_PID and T_APACHE_DIR; logs in $T_APACHE_DIR/log.
apache_start() {
	local port=$1 site=$2 dir m
	dir="$T_SCRATCH/ap-$port"
	T_APACHE_DIR=$dir
	t_mkdir "$dir" "$dir/log" "$dir/run" "$dir/docroot"
	mkdir -p "$dir/fcgid"
	t_is_root && chown "$T_WWW_USER:$T_WWW_GROUP" "$dir/fcgid"
	{
		printf 'ServerRoot "%s"\n' "$dir"
		printf 'DefaultRuntimeDir "%s/run"\n' "$dir"
		printf 'PidFile "%s/run/apache2.pid"\n' "$dir"
		for m in mpm_event authz_core authz_host mime alias dir env \
		    headers setenvif reqtimeout rewrite fcgid; do
			printf 'LoadModule %s_module %s/mod_%s.so\n' \
			    "$m" "$T_APACHE_MODS" "$m"
		done
		cat <<EOF
Mutex sem default
Listen 127.0.0.1:$port
ServerName 127.0.0.1
User $T_WWW_USER
Group $T_WWW_GROUP
ErrorLog "$dir/log/error.log"
LogLevel warn
LogFormat "%h %t \"%r\" %>s %b %D" timed
CustomLog "$dir/log/access.log" timed
TypesConfig /etc/mime.types
DocumentRoot "$dir/docroot"
<Directory />
	AllowOverride None
	Require all denied
</Directory>
EnableMMAP Off
StartServers 2
ServerLimit 4
ThreadsPerChild 64
MaxRequestWorkers 256
FcgidIPCDir "$dir/fcgid"
FcgidProcessTableFile "$dir/fcgid/shm"
${T_APACHE_EXTRA:-}
Include "$site"
EOF
	} >"$dir/apache2.conf"
	if ! apache2 -t -f "$dir/apache2.conf" >"$dir/check.log" 2>&1; then
		diag "apache2 rejects its config:" "$(cat "$dir/check.log")"
		return 1
	fi
	spawn "$dir/log/stdout.log" apache2 -f "$dir/apache2.conf" -DFOREGROUND
	T_APACHE_PID=$T_SPAWNED
	if ! wait_port "$port"; then
		diag "apache2 did not come up on $port:" \
		    "$(tail -n 20 "$dir/log/error.log" "$dir/log/stdout.log")"
		return 1
	fi
}

# apache_site_api PORT API_BIN API_CONFIG [MIN MAX]: a site file that
# Defines ports and paths and includes deploy/apache/todo-b2c.conf
# unchanged (plain http, API only); echoes its path.
apache_site_api() {
	local port=$1 bin=$2 config=$3 min=${4:-2} max=${5:-8} f
	f="$T_SCRATCH/apache-site-$port.conf"
	cat >"$f" <<EOF
Define TODO_CONF_DIR $top_srcdir/deploy/apache
Define TODO_NO_TLS
Define TODO_NO_WEBAPP
Define TODO_NO_API_LOOPBACK
Define TODO_SERVER_NAME 127.0.0.1
Define TODO_BIND 127.0.0.1
Define TODO_HTTP_PORT $port
Define TODO_API_BIN $bin
Define TODO_API_CONFIG $config
Define TODO_DOCROOT $T_SCRATCH/ap-$port/docroot
Define TODO_MIN_PROCS $min
Define TODO_MAX_PROCS $max
Include $top_srcdir/deploy/apache/todo-b2c.conf
EOF
	printf '%s\n' "$f"
}

# ---- external pools (deploy/pool) and nginx ------------------------------

# pool_start api|webapp LOG SOCKET PROCS PROGRAM CONFIG: one program's pool
# with the shipped deploy/pool/todo-b2c-pool (spawn-fcgi + multiwatch, as
# its systemd unit runs it), in its own process group, stderr (the
# programs' log) to LOG; waits until the socket and every process are
# there.  Sets T_POOL_PID (multiwatch's pid, which leads the group).
pool_start() {
	local kind=$1 log=$2 sock=$3 procs=$4 bin=$5 config=$6 i
	rm -f "$sock"
	spawn "$log" "$top_srcdir/deploy/pool/todo-b2c-pool" "$kind" -s "$sock" \
	    -n "$procs" -u "$T_WWW_USER" -g "$T_WWW_GROUP" -c "$config" -p "$bin"
	T_POOL_PID=$T_SPAWNED
	for i in $(seq 1 100); do
		if [ -S "$sock" ] && [ "$(pgrep -c -P "$T_POOL_PID")" -ge "$procs" ]; then
			return 0
		fi
		kill -0 "$T_POOL_PID" 2>/dev/null || break
		sleep 0.1
	done
	diag "the $kind pool did not start on $sock:" "$(tail -n 20 "$log")"
	return 1
}

# nginx_main_conf DIR: prints the main context of a private nginx with its
# state under DIR (pid, DIR/log, temp files), workers as the web servers'
# user, in the foreground; the http block is left open.
nginx_main_conf() {
	local dir=$1 t
	t_mkdir "$dir" "$dir/log" "$dir/tmp"
	t_is_root && chown "$T_WWW_USER:$T_WWW_GROUP" "$dir/tmp"
	printf '# written by tests/integration/lib.sh\n'
	printf 'daemon off;\npid %s/nginx.pid;\n' "$dir"
	printf 'error_log %s/log/error.log notice;\n' "$dir"
	t_is_root && printf 'user %s %s;\n' "$T_WWW_USER" "$T_WWW_GROUP"
	printf 'worker_processes 2;\nevents {\n\tworker_connections 1024;\n}\n'
	printf 'http {\n\taccess_log %s/log/access.log;\n' "$dir"
	printf '\tdefault_type application/octet-stream;\n'
	for t in client_body fastcgi proxy uwsgi scgi; do
		printf '\t%s_temp_path %s/tmp/%s;\n' "$t" "$dir" "$t"
	done
}

# nginx_start CONF PORT: nginx -t, then nginx in the foreground until the
# port answers; sets T_NGINX_PID.  Its stdout/stderr go to CONF.out.
nginx_start() {
	local conf=$1 port=$2 dir
	dir=$(dirname "$conf")
	if ! nginx -t -q -p "$dir" -c "$conf" >"$conf.check" 2>&1; then
		diag "nginx rejects $conf:" "$(cat "$conf.check")"
		return 1
	fi
	spawn "$conf.out" nginx -p "$dir" -c "$conf"
	T_NGINX_PID=$T_SPAWNED
	if ! wait_port "$port"; then
		diag "nginx did not come up on $port:" "$(tail -n 20 "$conf.out" "$dir/log/error.log")"
		return 1
	fi
}

# nginx_conf_api PORT SOCKET: a top file with one plain-http server on
# 127.0.0.1:PORT that includes deploy/nginx/server.conf and todo-api.conf
# unchanged, upstream todo_api on SOCKET; echoes its path.  State under
# $T_SCRATCH/ng-PORT.
nginx_conf_api() {
	local port=$1 sock=$2 dir
	dir="$T_SCRATCH/ng-$port"
	t_mkdir "$dir"
	{
		nginx_main_conf "$dir"
		printf '\tupstream todo_api {\n\t\tserver unix:%s;\n\t}\n' "$sock"
		printf '\tserver {\n\t\tlisten 127.0.0.1:%s;\n\t\tserver_name 127.0.0.1;\n' "$port"
		printf '\t\tinclude %s/deploy/nginx/server.conf;\n' "$top_srcdir"
		printf '\t\tinclude %s/deploy/nginx/todo-api.conf;\n\t}\n}\n' "$top_srcdir"
	} >"$dir/nginx.conf.tmp"
	mv "$dir/nginx.conf.tmp" "$dir/nginx.conf"
	printf '%s\n' "$dir/nginx.conf"
}

# apache_site_pool_api PORT SOCKET: like apache_site_api, with TODO_POOL:
# mod_proxy_fcgi to the API's pool on SOCKET (deploy/apache/todo-proxy.conf).
apache_site_pool_api() {
	local port=$1 sock=$2 f
	f="$T_SCRATCH/apache-site-$port.conf"
	cat >"$f" <<EOF
LoadModule proxy_module $T_APACHE_MODS/mod_proxy.so
LoadModule proxy_fcgi_module $T_APACHE_MODS/mod_proxy_fcgi.so
Define TODO_CONF_DIR $top_srcdir/deploy/apache
Define TODO_POOL
Define TODO_NO_TLS
Define TODO_NO_WEBAPP
Define TODO_NO_API_LOOPBACK
Define TODO_SERVER_NAME 127.0.0.1
Define TODO_BIND 127.0.0.1
Define TODO_HTTP_PORT $port
Define TODO_API_SOCKET $sock
Define TODO_DOCROOT $T_SCRATCH/ap-$port/docroot
Include $top_srcdir/deploy/apache/todo-b2c.conf
EOF
	printf '%s\n' "$f"
}

# ---- tools ---------------------------------------------------------------

# tool NAME: path of a built test tool (tests/tools/NAME), or nothing.
tool() {
	local f
	for f in "$top_builddir/tests/tools/$1" "${T_TOOLS_DIR:-/nonexistent}/$1"; do
		if [ -x "$f" ]; then
			printf '%s\n' "$f"
			return 0
		fi
	done
	return 1
}
