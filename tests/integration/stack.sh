# tests/integration/stack.sh -- the whole stack, for integration tests,
# browser tests, benchmarks and `deploy/dev up`.  Source it after lib.sh.
#
#   stack_up SERVER         SERVER = lighttpd | apache | nginx | apache-pool
#                           (the last two: both programs as external pools
#                           started by deploy/pool/todo-b2c-pool, nginx or
#                           Apache mod_proxy_fcgi in front).  Starts a throwaway
#                           PostgreSQL, the development identity provider
#                           (deploy/dev-idp), writes api.conf and
#                           webapp.conf, runs both programs' --migrate,
#                           writes the token cache key, and runs both
#                           programs behind SERVER with the deploy/ configs.
#                           Returns non-zero with a message on stderr.
#   stack_down              stops all of it (lib.sh's exit trap does too);
#                           stack_up may be called again afterwards.
#   stack_idp_restart       restarts the provider on the same address: its
#                           sessions, codes and refresh tokens are forgotten.
#
# Environment read by stack_up (all optional):
#   STACK_IDP_HOST          provider address (127.0.0.1; 127.0.0.2 makes
#                           the provider another site than the app)
#   STACK_APP_HOST          web server address (127.0.0.1)
#   STACK_APP_NAME          host name in the app's URLs (default: STACK_APP_HOST;
#                           deploy/dev up uses localhost)
#   STACK_APP_PORT          web server port (default: a free one)
#   STACK_IDP_PORT          provider port (default: a free one)
#   STACK_IDP_PROFILE       b2c (default) | external-id: the provider as an
#                           Entra External ID look-alike (one user flow, its
#                           issuer on 127.0.0.3, v2 claims), both programs
#                           with provider_profile = external-id and the web
#                           app authenticating with the test certificate
#                           (private_key_jwt) instead of a secret
#   STACK_ACCESS_TOKEN_TTL  provider's access/ID token lifetime (3600 s)
#   STACK_LOG_LEVEL         both programs' log_level (info)
#   STACK_LOG_FORMAT        both programs' log_format (text)
#   STACK_TLS               1: production mode -- the shipped TLS files
#                           (lighttpd tls.conf + loopback.conf, Apache's
#                           TLS virtual host), a throwaway CA trusted through
#                           CURL_CA_BUNDLE, https APP_URL, http redirecting,
#                           __Host- Secure cookies, and the web app calling
#                           the API on the loopback listener
#   STACK_PROCS             FastCGI processes per program (2; Apache may
#                           grow to 4x that)
#   STACK_WEBAPP_BIN        default $TODO_WEBAPP_BIN, else
#                           $top_builddir/webapp-fcgi/todo-webapp.fcgi
#   STACK_API_BIN           default $TODO_API_BIN, else
#                           $top_builddir/api-fcgi/todo-api.fcgi
#   STACK_NODE              node binary (node)
#   STACK_USE_PAR           the web app's use_par (off: the cases read the
#                           authorization request in the redirect; the
#                           provider offers PAR, webapp_logout.sh uses it)
#   STACK_USE_DPOP          the web app's use_dpop (auto)
#
# After stack_up:
#   APP_URL                 http://HOST:PORT of the web server (API at /api)
#   IDP_URL                 http://HOST:PORT of the provider
#   IDP_METADATA            discovery URL with a {policy} placeholder
#   IDP_ISSUER              the tenant-wide issuer
#   STACK_IDP_PROFILE_      b2c | external-id, as started
#   STACK_SERVER            lighttpd | apache | nginx | apache-pool
#   STACK_API_POOL_PID, STACK_WEBAPP_POOL_PID
#                           nginx, apache-pool: multiwatch's pid of each
#                           pool (todo-b2c-pool reload PID restarts it)
#   STACK_API_SOCKET, STACK_WEBAPP_SOCKET   nginx, apache-pool: the sockets
#   STACK_HTTP_URL          with STACK_TLS: the plain-http port (redirects)
#   STACK_TLS_DIR           with STACK_TLS: ca.pem, cert.pem, key.pem;
#                           TLS_SPKI the certificate's key hash
#   STACK_DIR               configs, key, provider log, scratch pages
#   STACK_LOGS              every log file (server, programs, provider,
#                           PostgreSQL), space-separated
#   STACK_LOGS_QUIET        those of STACK_LOGS that stay empty when all
#                           goes well (the server's own stdout/stderr); every
#                           other one has lines once the stack has served
#   STACK_IDP_LOG           the provider's current log (request lines)
#   STACK_SERVER_ERROR_LOG  the server's error log (the programs' stderr)
#   STACK_ACCESS_LOG        the server's access log
#   PG_CONNINFO             libpq conninfo of the database "todo" as the
#                           superuser (psql_c works); the programs connect
#                           as todo_api / todo_webapp, migrations ran as
#                           todo_owner (sql/roles.sql, as in production)
#
# Driving the app with curl (one cookie jar = one browser):
#   stack_http JAR METHOD URL [CURL_ARGS...]
#                           one request, no redirects followed; sets
#                           ST_STATUS, ST_LOCATION (absolute, or empty),
#                           ST_URL, ST_PAGE (body), ST_HEADERS (file);
#                           JAR "-" = no cookies
#   stack_header NAME       that header of the last response (all values,
#                           one a line)
#   stack_follow JAR        follow ST_LOCATION (GET) while it points at the
#                           app or the provider and the answer is 30x
#   stack_signin JAR USER PASSWORD [RETURN_TO]
#                           a complete sign-in through the provider's pages
#                           (login form, form_post page); ends on the page
#                           the app sends the user to.  Sets STACK_CODE,
#                           STACK_STATE (the form_post answer) and
#                           STACK_CALLBACK (the GET /signin/callback URL).
#   stack_csrf JAR PATH     prints the csrf hidden input of the app page
#   stack_cookie JAR NAME   prints that cookie's value from the jar
#   stack_users             the provider's development users
# Lower-level steps, for tests that intercept a sign-in: stack_signin_start,
# stack_idp_login, stack_form_post, stack_form, stack_link, stack_abs,
# stack_urlencode.  Every secret seen (codes, session cookies, csrf tokens)
# is appended to $STACK_DIR/secrets (stack_note_secret), for log checks.

STACK_N=0
STACK_UP=0
STACK_IDP_PID=""
STACK_SERVER_PID=""
STACK_API_POOL_PID=""
STACK_WEBAPP_POOL_PID=""

stack_err() {
	printf 'stack: %s\n' "$*" >&2
}

stack_users() {
	printf '%s\n' "alice alice-password read,write" \
	    "bob bob-password read,write" "carol carol-password read"
}

# ---- small tools ---------------------------------------------------------

# stack_urlencode STRING: percent-encode everything but unreserved bytes.
stack_urlencode() {
	perl -e '$_ = shift; s/([^A-Za-z0-9_.~-])/sprintf("%%%02X", ord $1)/ge; print' -- "$1"
}

# stack_abs BASE REF: REF resolved against the URL BASE.
stack_abs() {
	local base=$1 ref=$2 origin
	case $ref in
	http://* | https://*) printf '%s\n' "$ref" ;;
	//*) printf '%s\n' "${base%%//*}$ref" ;;
	/*)
		origin=$(printf '%s' "$base" | sed -E 's#^([a-z]+://[^/?#]*).*#\1#')
		printf '%s%s\n' "$origin" "$ref" ;;
	*) printf '%s%s\n' "${base%/*}/" "$ref" ;;
	esac
}

# stack_form SELECTOR [FILE]: of the first <form> whose opening tag matches
# the Perl regex SELECTOR, prints its action (line 1, entities decoded)
# and its hidden inputs as an urlencoded body (line 2).  FILE defaults to
# the last page.  Fails when no form matches.
stack_form() {
	local sel=$1 file=${2:-$STACK_DIR/http/body}
	perl -e '
	my $sel = shift; local $/; my $h = <STDIN>;
	sub dec { my $s = shift // ""; $s =~ s/&#x([0-9a-fA-F]+);/chr hex $1/ge;
		$s =~ s/&#(\d+);/chr $1/ge; $s =~ s/&quot;/"/g; $s =~ s/&lt;/</g;
		$s =~ s/&gt;/>/g; $s =~ s/&apos;/\x27/g; $s =~ s/&amp;/&/g; $s }
	sub enc { my $s = shift; utf8::encode($s) if utf8::is_utf8($s);
		$s =~ s/([^A-Za-z0-9_.~-])/sprintf("%%%02X", ord $1)/ge; $s }
	while ($h =~ /(<form\b[^>]*>)(.*?)<\/form>/gsi) {
		my ($tag, $body) = ($1, $2);
		next unless $tag =~ /$sel/;
		my ($a) = $tag =~ /\baction="([^"]*)"/i;
		my @f;
		while ($body =~ /<input\b([^>]*)>/gsi) {
			my $i = $1;
			next unless $i =~ /\btype="hidden"/i;
			my ($n) = $i =~ /\bname="([^"]*)"/i;
			my ($v) = $i =~ /\bvalue="([^"]*)"/si;
			push @f, enc(dec($n)) . "=" . enc(dec($v));
		}
		print dec($a), "\n", join("&", @f), "\n";
		exit 0;
	}
	exit 1;' -- "$sel" <"$file"
}

# stack_link ID [FILE]: the href of <a id="ID">, entities decoded.
stack_link() {
	local id=$1 file=${2:-$STACK_DIR/http/body}
	perl -e '
	my $id = shift; local $/; my $h = <STDIN>;
	while ($h =~ /<a\b([^>]*)>/gsi) {
		my $t = $1;
		next unless $t =~ /\bid="\Q$id\E"/;
		my ($u) = $t =~ /\bhref="([^"]*)"/i;
		$u =~ s/&quot;/"/g; $u =~ s/&lt;/</g; $u =~ s/&gt;/>/g;
		$u =~ s/&#39;/\x27/g; $u =~ s/&amp;/&/g;
		print "$u\n"; exit 0;
	}
	exit 1;' -- "$id" <"$file"
}

# stack_note_secret VALUE...: remember values that must never be logged.
stack_note_secret() {
	local v
	for v in "$@"; do
		[ -n "$v" ] && printf '%s\n' "$v" >>"$STACK_DIR/secrets"
	done
	return 0
}

# stack_cookie JAR NAME: the value of cookie NAME in the jar (any host).
stack_cookie() {
	[ -f "$1" ] || return 1
	awk -F '\t' -v n="$2" 'NF >= 7 && $6 == n { v = $7 } END { if (v == "") exit 1; print v }' "$1"
}

# ---- HTTP ----------------------------------------------------------------

stack_http() {
	local jar=$1 method=$2 url=$3 out
	local -a args=()
	shift 3
	[ "$jar" != - ] && args+=(-b "$jar" -c "$jar")
	case $method in
	GET) ;;
	HEAD) args+=(-I) ;;
	*) args+=(-X "$method") ;;
	esac
	mkdir -p "$STACK_DIR/http"
	ST_HEADERS="$STACK_DIR/http/headers"
	ST_URL=$url
	[ "${TEST_VERBOSE:-0}" = 1 ] && diag "curl ${args[*]} $* $url"
	out=$(curl -s -m 30 -D "$ST_HEADERS" -o "$STACK_DIR/http/body" \
	    -w '%{http_code} %{redirect_url}' "${args[@]}" "$@" "$url")
	ST_STATUS=${out%% *}
	ST_LOCATION=${out#* }
	ST_PAGE=$(cat "$STACK_DIR/http/body" 2>/dev/null)
	local c
	c=$(stack_cookie "$jar" todo_session 2>/dev/null) && stack_note_secret "$c"
	c=$(stack_cookie "$jar" __Host-todo_session 2>/dev/null) && stack_note_secret "$c"
	return 0
}

stack_header() {
	tr -d '\r' <"$ST_HEADERS" |
	    awk -v n="$1" '
	    { i = index($0, ":"); if (i == 0) next
	      k = tolower(substr($0, 1, i - 1)); v = substr($0, i + 1)
	      sub(/^[ \t]+/, "", v)
	      if (k == tolower(n)) print v }'
}

# stack_on_stack URL: does URL point at the app or the provider?
stack_on_stack() {
	case $1 in
	"$APP_URL" | "$APP_URL"/* | "$APP_URL"\?* | "$IDP_URL" | "$IDP_URL"/* | "$IDP_URL"\?*) return 0 ;;
	esac
	return 1
}

stack_follow() {
	local jar=$1 i
	for i in $(seq 1 20); do
		case $ST_STATUS in 301 | 302 | 303 | 307 | 308) ;; *) return 0 ;; esac
		[ -n "$ST_LOCATION" ] || return 0
		stack_on_stack "$ST_LOCATION" || return 0
		stack_http "$jar" GET "$ST_LOCATION"
	done
	stack_err "more than 20 redirects"
	return 1
}

# ---- sign-in, step by step -------------------------------------------------

# stack_signin_start JAR [RETURN_TO] [PATH]: GET PATH (/signin) on the app and
# follow to the provider's page (login form, or a form_post page when the
# provider already knows the user).
stack_signin_start() {
	local jar=$1 rt=${2:-} path=${3:-/signin} url
	url="$APP_URL$path"
	[ -n "$rt" ] && url="$url?return_to=$(stack_urlencode "$rt")"
	stack_http "$jar" GET "$url"
	if [ "$ST_STATUS" != 303 ] || [[ "$ST_LOCATION" != "$IDP_URL"/* ]]; then
		stack_err "GET $url: expected 303 to the provider, got $ST_STATUS '$ST_LOCATION'"
		return 1
	fi
	stack_follow "$jar"
}

# stack_idp_login JAR USER PASSWORD: on the provider's login page (the last
# page), post the credentials and follow the provider's redirects.
stack_idp_login() {
	local jar=$1 user=$2 pw=$3 form action
	form=$(stack_form 'id="localAccountForm"') || {
		stack_err "no login form on $ST_URL (status $ST_STATUS)"
		return 1
	}
	action=$(stack_abs "$ST_URL" "$(printf '%s\n' "$form" | sed -n 1p)")
	stack_http "$jar" POST "$action" --data-urlencode "username=$user" \
	    --data-urlencode "password=$pw"
	if [ "$ST_STATUS" != 303 ]; then
		stack_err "login as $user: expected 303, got $ST_STATUS"
		return 1
	fi
	stack_follow "$jar"
}

# stack_is_form_post: is the last page the provider's form_post page
# (a form posting to the app's callback)?
stack_is_form_post() {
	local form
	form=$(stack_form 'method="post"') || return 1
	[ "$(printf '%s\n' "$form" | sed -n 1p)" = "$APP_URL/signin/callback" ]
}

# stack_form_post JAR: submit the provider's form_post page (the last
# page) to the app, as its inline script does; one request, not followed.
# Sets STACK_FP_BODY (the urlencoded fields), STACK_CODE, STACK_STATE.
stack_form_post() {
	local jar=$1 form
	if ! stack_is_form_post; then
		stack_err "not a form_post page: $ST_URL (status $ST_STATUS)"
		return 1
	fi
	form=$(stack_form 'method="post"')
	STACK_FP_BODY=$(printf '%s\n' "$form" | sed -n 2p)
	STACK_CODE=$(stack_field "$STACK_FP_BODY" code)
	STACK_STATE=$(stack_field "$STACK_FP_BODY" state)
	stack_note_secret "$STACK_CODE"
	stack_http "$jar" POST "$APP_URL/signin/callback" \
	    -H 'Content-Type: application/x-www-form-urlencoded' \
	    --data-binary "$STACK_FP_BODY"
}

# stack_field URLENCODED NAME: one decoded field of an urlencoded body.
stack_field() {
	perl -e 'my ($b, $n) = @ARGV; for (split /&/, $b) { my ($k, $v) = split /=/, $_, 2;
	    for ($k, $v) { $_ //= ""; tr/+/ /; s/%([0-9A-Fa-f]{2})/chr hex $1/ge }
	    if ($k eq $n) { print $v; exit 0 } } exit 1' -- "$1" "$2"
}

# stack_finish JAR: from the form_post page: post it, follow the app's
# redirects (GET /signin/callback?state=..., then the return address).
stack_finish() {
	local jar=$1
	stack_form_post "$jar" || return 1
	if [ "$ST_STATUS" != 303 ] || [[ "$ST_LOCATION" != "$APP_URL/signin/callback?"* ]]; then
		stack_err "POST /signin/callback: expected 303 to /signin/callback?state=, got $ST_STATUS '$ST_LOCATION'" \
		    "$(printf '%s' "$ST_PAGE" | grep -o '<p class="error"[^<]*' | sed 's/.*>//')"
		return 1
	fi
	STACK_CALLBACK=$ST_LOCATION
	stack_http "$jar" GET "$STACK_CALLBACK"
	STACK_CALLBACK_STATUS=$ST_STATUS
	STACK_CALLBACK_LOCATION=$ST_LOCATION
	stack_follow "$jar"
}

stack_signin() {
	local jar=$1 user=$2 pw=$3 rt=${4:-}
	STACK_CODE="" STACK_STATE="" STACK_CALLBACK=""
	stack_signin_start "$jar" "$rt" || return 1
	if ! stack_is_form_post; then
		stack_idp_login "$jar" "$user" "$pw" || return 1
	fi
	stack_finish "$jar" || return 1
	if [ "$STACK_CALLBACK_STATUS" != 303 ]; then
		stack_err "sign-in as $user: GET /signin/callback answered $STACK_CALLBACK_STATUS, not 303:" \
		    "$(printf '%s' "$ST_PAGE" | grep -o '<p class="error"[^<]*' | head -n 1)"
		return 1
	fi
	if ! stack_cookie "$jar" todo_session >/dev/null &&
	    ! stack_cookie "$jar" __Host-todo_session >/dev/null; then
		stack_err "sign-in as $user: no session cookie"
		return 1
	fi
	return 0
}

# stack_csrf JAR PATH: the csrf token on the app page PATH.
stack_csrf() {
	local jar=$1 path=$2 t
	stack_http "$jar" GET "$APP_URL$path"
	t=$(printf '%s' "$ST_PAGE" | grep -o 'name="csrf" value="[^"]*"' |
	    head -n 1 | sed 's/.*value="//; s/"$//')
	if [ -z "$t" ]; then
		stack_err "no csrf token on $path (status $ST_STATUS)"
		return 1
	fi
	stack_note_secret "$t"
	printf '%s\n' "$t"
}

# ---- the provider --------------------------------------------------------

# ---- the provider's profile (STACK_IDP_PROFILE) ----------------------------

STACK_EXTID_TENANT=00000000-0000-4000-a000-0000000000e1

# stack_idp_profile_args: the provider's options for the profile, one a line.
stack_idp_profile_args() {
	[ "$STACK_IDP_PROFILE_" = external-id ] || return 0
	printf '%s\n' --profile external-id --tenant-id "$STACK_EXTID_TENANT" \
	    --client-cert "$top_srcdir/tests/keys/test-only-client-assertion.crt"
}

# stack_profile_conf api|webapp: the configuration lines of the profile.
stack_profile_conf() {
	local d=$STACK_DIR
	if [ "$STACK_IDP_PROFILE_" != external-id ]; then
		[ "$1" = api ] && return 0
		printf '%s\n' "client_secret = dev-client-secret" \
		    "signup_signin_policy = B2C_1_susi" \
		    "edit_profile_policy = B2C_1_edit_profile" \
		    "reset_password_policy = B2C_1_reset"
		return 0
	fi
	printf '%s\n' "provider_profile = external-id"
	[ "$1" = api ] && return 0
	printf '%s\n' "client_assertion_key_file = $d/client-assertion.key" \
	    "client_assertion_cert_file = $d/client-assertion.crt"
}

# stack_profile_files: the web app's certificate and key (test-only), as
# the web server's user reads them.
stack_profile_files() {
	local d=$STACK_DIR k=$top_srcdir/tests/keys
	[ "$STACK_IDP_PROFILE_" = external-id ] || return 0
	cp "$k/test-only-client-assertion.key" "$d/client-assertion.key" &&
	    cp "$k/test-only-client-assertion.crt" "$d/client-assertion.crt" &&
	    chmod 600 "$d/client-assertion.key" || return 1
	t_is_root && chown "$T_WWW_USER:$T_WWW_GROUP" "$d/client-assertion.key"
	return 0
}

# stack_idp_start PORT LOG: start deploy/dev-idp; 0 when it listens.
stack_idp_start() {
	local port=$1 log=$2 i idp=$top_srcdir/deploy/dev-idp
	# npm packages from elsewhere (a dist tarball has none): run a copy of
	# the provider beside a link to them, where Node's resolution finds it.
	if [ "$STACK_NODE_MODULES" != "$top_srcdir/node_modules" ]; then
		mkdir -p "$STACK_DIR/dev-idp"
		cp "$idp/server.js" "$idp/test-signing-key.json" "$STACK_DIR/dev-idp/"
		ln -sfn "$STACK_NODE_MODULES" "$STACK_DIR/node_modules"
		idp=$STACK_DIR/dev-idp
	fi
	local -a profile_args
	mapfile -t profile_args < <(stack_idp_profile_args)
	spawn "$log" "${STACK_NODE:-node}" "$idp/server.js" \
	    --host "$STACK_IDP_HOST_" --port "$port" "${profile_args[@]}" \
	    --redirect-uri "$APP_URL/signin/callback" \
	    --post-logout-redirect-uri "$APP_URL/" \
	    --backchannel-logout-uri "$APP_URL/signout/backchannel" \
	    --frontchannel-logout-uri "$APP_URL/signout/frontchannel" \
	    --access-token-ttl "$STACK_ACCESS_TOKEN_TTL_"
	STACK_IDP_PID=$T_SPAWNED
	for i in $(seq 1 200); do
		grep -q '^dev-idp listening on ' "$log" 2>/dev/null && return 0
		kill -0 "$STACK_IDP_PID" 2>/dev/null || break
		sleep 0.05
	done
	server_stop "$STACK_IDP_PID"
	STACK_IDP_PID=""
	return 1
}

stack_idp_restart() {
	local log
	[ -n "$STACK_IDP_PID" ] && server_stop "$STACK_IDP_PID"
	STACK_IDP_RUNS=$((STACK_IDP_RUNS + 1))
	log="$STACK_DIR/idp-$STACK_IDP_RUNS.log"
	if ! stack_idp_start "${IDP_URL##*:}" "$log"; then
		stack_err "the identity provider did not start again:" "$(tail -n 5 "$log")"
		return 1
	fi
	STACK_IDP_LOG=$log
	STACK_LOGS="$STACK_LOGS $log"
}

# ---- servers ---------------------------------------------------------------

stack_lighttpd_start() {
	local port=$1 dir="$STACK_DIR/lighttpd"
	t_mkdir "$dir" "$dir/log" "$dir/run" "$dir/docroot"
	t_is_root && chown "$T_WWW_USER:$T_WWW_GROUP" "$dir/log" "$dir/run"
	cat >"$dir/lighttpd.conf" <<EOF
# written by tests/integration/stack.sh: the variables of
# deploy/lighttpd/todo-b2c.conf, then its pieces unchanged (no TLS).
var.todo_bind          = "$STACK_APP_HOST_"
var.todo_http_port     = $port
var.todo_user          = "$T_WWW_USER"
var.todo_group         = "$T_WWW_GROUP"
var.todo_api_bin       = "$STACK_API_BIN_"
var.todo_api_config    = "$STACK_DIR/api.conf"
var.todo_api_procs     = $STACK_PROCS_
var.todo_webapp_bin    = "$STACK_WEBAPP_BIN_"
var.todo_webapp_config = "$STACK_DIR/webapp.conf"
var.todo_webapp_procs  = $STACK_PROCS_
var.todo_state_dir     = "$dir/run"
var.todo_log_dir       = "$dir/log"
var.todo_docroot       = "$dir/docroot"
include "$top_srcdir/deploy/lighttpd/server.conf"
include "$top_srcdir/deploy/lighttpd/todo-api.conf"
include "$top_srcdir/deploy/lighttpd/todo-webapp.conf"
EOF
	if [ "$STACK_TLS_" = 1 ]; then
		sed -i "s|^var.todo_http_port .*|var.todo_http_port     = ${STACK_HTTP_URL##*:}|" \
		    "$dir/lighttpd.conf"
		cat >>"$dir/lighttpd.conf" <<EOF
# production mode: the shipped TLS and loopback files, unchanged
var.todo_https_port    = $port
var.todo_server_name   = "${STACK_APP_NAME:-$STACK_APP_HOST_}"
var.todo_tls_cert      = "$STACK_TLS_DIR/cert.pem"
var.todo_tls_key       = "$STACK_TLS_DIR/key.pem"
var.todo_api_loopback  = "$STACK_API_LOOPBACK_"
include "$top_srcdir/deploy/lighttpd/tls.conf"
include "$top_srcdir/deploy/lighttpd/loopback.conf"
EOF
	fi
	if ! lighttpd -tt -f "$dir/lighttpd.conf" >"$dir/check.log" 2>&1; then
		stack_err "lighttpd rejects $dir/lighttpd.conf:" "$(cat "$dir/check.log")"
		return 1
	fi
	spawn "$dir/lighttpd.out" lighttpd -D -f "$dir/lighttpd.conf"
	STACK_SERVER_PID=$T_SPAWNED
	STACK_SERVER_ERROR_LOG="$dir/log/error.log"
	STACK_ACCESS_LOG="$dir/log/access.log"
	STACK_LOGS="$STACK_LOGS $dir/log/error.log $dir/log/access.log $dir/lighttpd.out"
	STACK_LOGS_QUIET="$STACK_LOGS_QUIET $dir/lighttpd.out"
}

stack_apache_start() {
	local port=$1 site="$STACK_DIR/apache-site.conf"
	cat >"$site" <<EOF
# written by tests/integration/stack.sh: deploy/apache/todo-b2c.conf
# unchanged, plain http, both programs.
Define TODO_CONF_DIR $top_srcdir/deploy/apache
Define TODO_SERVER_NAME ${STACK_APP_NAME:-$STACK_APP_HOST_}
Define TODO_BIND $STACK_APP_HOST_
Define TODO_API_BIN $STACK_API_BIN_
Define TODO_API_CONFIG $STACK_DIR/api.conf
Define TODO_WEBAPP_BIN $STACK_WEBAPP_BIN_
Define TODO_WEBAPP_CONFIG $STACK_DIR/webapp.conf
Define TODO_DOCROOT $T_SCRATCH/ap-$port/docroot
Define TODO_MIN_PROCS $STACK_PROCS_
Define TODO_MAX_PROCS $((STACK_PROCS_ * 4))
EOF
	if [ "$STACK_TLS_" = 1 ]; then
		cat >>"$site" <<EOF
Define TODO_HTTP_PORT ${STACK_HTTP_URL##*:}
Define TODO_HTTPS_PORT $port
Define TODO_TLS_CERT $STACK_TLS_DIR/cert.pem
Define TODO_TLS_KEY $STACK_TLS_DIR/key.pem
Define TODO_API_LOOPBACK $STACK_API_LOOPBACK_
EOF
		T_APACHE_EXTRA="LoadModule socache_shmcb_module $T_APACHE_MODS/mod_socache_shmcb.so
LoadModule ssl_module $T_APACHE_MODS/mod_ssl.so
Listen $STACK_APP_HOST_:${STACK_HTTP_URL##*:}"
	else
		cat >>"$site" <<EOF
Define TODO_NO_TLS
Define TODO_NO_API_LOOPBACK
Define TODO_HTTP_PORT $port
EOF
		T_APACHE_EXTRA=""
	fi
	if [ "$STACK_SERVER" = apache-pool ]; then
		cat >>"$site" <<EOF
# the external pools, through mod_proxy_fcgi
LoadModule proxy_module $T_APACHE_MODS/mod_proxy.so
LoadModule proxy_fcgi_module $T_APACHE_MODS/mod_proxy_fcgi.so
Define TODO_POOL
Define TODO_API_SOCKET $STACK_API_SOCKET
Define TODO_WEBAPP_SOCKET $STACK_WEBAPP_SOCKET
EOF
	fi
	echo "Include $top_srcdir/deploy/apache/todo-b2c.conf" >>"$site"
	# apache_start listens on 127.0.0.1 and waits there; the site's
	# VirtualHost needs the same address.
	if [ "$STACK_APP_HOST_" != 127.0.0.1 ]; then
		stack_err "apache: STACK_APP_HOST must be 127.0.0.1 (lib.sh's apache_start listens there)"
		return 1
	fi
	# (apache_start reports its own failures as TAP diagnostics.)
	apache_start "$port" "$site" >&2 || return 1
}

# stack_pools_start: both programs as external pools (deploy/pool), as
# their systemd units run them, on sockets in $STACK_DIR/pool.
stack_pools_start() {
	local d=$STACK_DIR/pool
	t_mkdir "$d"
	STACK_API_SOCKET=$d/todo-api.sock
	STACK_WEBAPP_SOCKET=$d/todo-webapp.sock
	pool_start api "$d/api.log" "$STACK_API_SOCKET" "$STACK_PROCS_" \
	    "$STACK_API_BIN_" "$STACK_DIR/api.conf" >&2 || return 1
	STACK_API_POOL_PID=$T_POOL_PID
	STACK_LOGS="$STACK_LOGS $d/api.log"
	pool_start webapp "$d/webapp.log" "$STACK_WEBAPP_SOCKET" "$STACK_PROCS_" \
	    "$STACK_WEBAPP_BIN_" "$STACK_DIR/webapp.conf" >&2 || return 1
	STACK_WEBAPP_POOL_PID=$T_POOL_PID
	STACK_LOGS="$STACK_LOGS $d/webapp.log"
	export STACK_API_POOL_PID STACK_WEBAPP_POOL_PID STACK_API_SOCKET STACK_WEBAPP_SOCKET
}

# stack_nginx_start PORT: nginx with deploy/nginx's pieces unchanged, in
# server blocks like deploy/nginx/todo-b2c.conf's: plain http, or (STACK_TLS)
# https, http redirecting to it and the API's loopback listener.
stack_nginx_start() {
	local port=$1 dir="$STACK_DIR/nginx" n=${STACK_APP_NAME:-$STACK_APP_HOST_} p
	local inc=$top_srcdir/deploy/nginx
	t_mkdir "$dir"
	{
		nginx_main_conf "$dir"
		cat <<EOF
	# written by tests/integration/stack.sh: deploy/nginx/todo-b2c.conf's
	# server blocks with the stack's ports and paths, the pieces unchanged
	upstream todo_api {
		server unix:$STACK_API_SOCKET;
	}
	upstream todo_webapp {
		server unix:$STACK_WEBAPP_SOCKET;
	}
EOF
		if [ "$STACK_TLS_" = 1 ]; then
			p=${STACK_HTTP_URL##*:}
			cat <<EOF
	server {
		listen $STACK_APP_HOST_:$p;
		server_name $n;
		include $inc/server.conf;
		return 308 https://$n:$port\$request_uri;
	}
	server {
		listen $STACK_APP_HOST_:$port ssl;
		server_name $n;
		ssl_certificate     $STACK_TLS_DIR/cert.pem;
		ssl_certificate_key $STACK_TLS_DIR/key.pem;
		include $inc/tls.conf;
		include $inc/server.conf;
		include $inc/todo-api.conf;
		include $inc/todo-webapp.conf;
	}
	server {
		listen $STACK_API_LOOPBACK_;
		server_name 127.0.0.1;
		include $inc/server.conf;
		include $inc/todo-api.conf;
		location / {
			return 403;
		}
	}
}
EOF
		else
			cat <<EOF
	server {
		listen $STACK_APP_HOST_:$port;
		server_name $n;
		include $inc/server.conf;
		include $inc/todo-api.conf;
		include $inc/todo-webapp.conf;
	}
}
EOF
		fi
	} >"$dir/nginx.conf.tmp" || return 1
	mv "$dir/nginx.conf.tmp" "$dir/nginx.conf"
	nginx_start "$dir/nginx.conf" "$port" >&2 || return 1
	STACK_SERVER_PID=$T_NGINX_PID
	STACK_SERVER_ERROR_LOG="$dir/log/error.log"
	STACK_ACCESS_LOG="$dir/log/access.log"
	STACK_LOGS="$STACK_LOGS $dir/log/error.log $dir/log/access.log $dir/nginx.conf.out"
	STACK_LOGS_QUIET="$STACK_LOGS_QUIET $dir/nginx.conf.out"
}

# ---- up and down ---------------------------------------------------------

stack_write_configs() {
	local d=$STACK_DIR p urls=""
	for p in B2C_1_susi B2C_1_edit_profile B2C_1_reset; do
		urls="$urls ${IDP_METADATA/\{policy\}/$p}"
	done
	[ "$STACK_IDP_PROFILE_" = external-id ] && urls=" $IDP_METADATA"
	stack_profile_files || return 1
	cat >"$d/api.conf" <<EOF
# todo-api.fcgi, written by tests/integration/stack.sh
database = $STACK_DB_=todo_api
metadata_url =$urls
issuer = $IDP_ISSUER
audience = 00000000-0000-4000-a000-000000000002
read_scope = read
write_scope = write
user_claim = oid
$(stack_profile_conf api)
clock_skew = 60
base_path = /api
log_level = $STACK_LOG_LEVEL_
log_format = ${STACK_LOG_FORMAT:-text}
metrics_dir = $d/run
EOF
	cat >"$d/webapp.conf" <<EOF
# todo-webapp.fcgi, written by tests/integration/stack.sh
database = $STACK_DB_=todo_webapp
metadata_url = $IDP_METADATA
issuer = $IDP_ISSUER
client_id = 00000000-0000-4000-a000-000000000001
redirect_uri = $APP_URL/signin/callback
$(stack_profile_conf webapp)
api_url = $STACK_API_URL_
api_identifier = https://dev.onmicrosoft.com/tasks
read_scope = read
write_scope = write
cache_key_file = $d/cache.key
cookie_secure = $([ "$STACK_TLS_" = 1 ] && echo on || echo off)
log_level = $STACK_LOG_LEVEL_
log_format = ${STACK_LOG_FORMAT:-text}
metrics_dir = $d/run
use_par = ${STACK_USE_PAR:-off}
use_dpop = ${STACK_USE_DPOP:-auto}
EOF
	chmod 640 "$d/api.conf" "$d/webapp.conf"
	# Both programs' shared metrics files (metrics_dir), as /run/todo-b2c.
	t_mkdir "$d/run"
	t_is_root && chown "$T_WWW_USER:$T_WWW_GROUP" "$d/run"
	head -c 32 /dev/urandom >"$d/cache.key"
	chmod 600 "$d/cache.key"
	if t_is_root; then
		chgrp "$T_WWW_GROUP" "$d/api.conf" "$d/webapp.conf"
		chown "$T_WWW_USER" "$d/cache.key"
	fi
}

# stack_migrate NAME BIN CONFIG: as the owner role.
stack_migrate() {
	if ! env "TODO_${1^^}_DATABASE=$STACK_DB_=todo_owner" \
	    "$2" --config "$3" --migrate >"$STACK_DIR/migrate-$1.log" 2>&1; then
		stack_err "$1 --migrate failed:" "$(cat "$STACK_DIR/migrate-$1.log")"
		return 1
	fi
}

stack_up() {
	local server=${1:-} port i bin
	case $server in
	lighttpd | apache | nginx | apache-pool) ;;
	*) stack_err "usage: stack_up lighttpd|apache|nginx|apache-pool"; return 1 ;;
	esac
	[ "$STACK_UP" = 1 ] && stack_down
	for bin in curl perl psql "${STACK_NODE:-node}"; do
		command -v "$bin" >/dev/null || { stack_err "$bin is not installed"; return 1; }
	done
	case $server in
	lighttpd)
		command -v lighttpd >/dev/null || { stack_err "lighttpd is not installed"; return 1; } ;;
	nginx)
		command -v nginx >/dev/null || { stack_err "nginx is not installed"; return 1; } ;;
	*)
		command -v apache2 >/dev/null || { stack_err "apache2 is not installed"; return 1; }
		[ -f "$T_APACHE_MODS/mod_fcgid.so" ] || { stack_err "mod_fcgid is not installed (libapache2-mod-fcgid)"; return 1; } ;;
	esac
	case $server in
	nginx | apache-pool)
		for bin in spawn-fcgi multiwatch; do
			command -v $bin >/dev/null || { stack_err "$bin is not installed"; return 1; }
		done ;;
	esac
	STACK_NODE_MODULES=${NODE_MODULES_DIR:-$top_srcdir/node_modules}
	[ -f "$STACK_NODE_MODULES/oidc-provider/package.json" ] ||
	    { stack_err "oidc-provider is missing from $STACK_NODE_MODULES: run npm ci in $top_srcdir"; return 1; }

	STACK_IDP_HOST_=${STACK_IDP_HOST:-127.0.0.1}
	STACK_IDP_PROFILE_=${STACK_IDP_PROFILE:-b2c}
	STACK_APP_HOST_=${STACK_APP_HOST:-127.0.0.1}
	STACK_ACCESS_TOKEN_TTL_=${STACK_ACCESS_TOKEN_TTL:-3600}
	STACK_LOG_LEVEL_=${STACK_LOG_LEVEL:-info}
	STACK_PROCS_=${STACK_PROCS:-2}
	bin=${STACK_WEBAPP_BIN:-${TODO_WEBAPP_BIN:-$top_builddir/webapp-fcgi/todo-webapp.fcgi}}
	[ -x "$bin" ] || { stack_err "$bin: not built (set STACK_WEBAPP_BIN or top_builddir)"; return 1; }
	STACK_WEBAPP_BIN_=$(need_exec "$bin") || { stack_err "cannot place $bin"; return 1; }
	bin=${STACK_API_BIN:-${TODO_API_BIN:-$top_builddir/api-fcgi/todo-api.fcgi}}
	[ -x "$bin" ] || { stack_err "$bin: not built (set STACK_API_BIN or top_builddir)"; return 1; }
	STACK_API_BIN_=$(need_exec "$bin") || { stack_err "cannot place $bin"; return 1; }

	STACK_N=$((STACK_N + 1))
	STACK_DIR="$T_SCRATCH/stack-$STACK_N"
	t_mkdir "$STACK_DIR"
	: >"$STACK_DIR/secrets"
	chmod 600 "$STACK_DIR/secrets"
	STACK_SERVER=$server
	STACK_LOGS=""
	STACK_LOGS_QUIET=""
	STACK_UP=1

	# PostgreSQL (lib.sh keeps one cluster under $T_SCRATCH/pg).
	rm -rf "$T_SCRATCH/pg"
	pg_start 2>"$STACK_DIR/pg.err" || { stack_err "PostgreSQL did not start:" "$(cat "$STACK_DIR/pg.err")"; return 1; }
	# Least privilege, as todo-b2c-setup-db sets it up: the database belongs
	# to an owner role that runs the migrations; each program connects as
	# its own role, which reaches only its own schema (sql/roles.sql).  The
	# tests' psql (PG_CONNINFO) stays the superuser.
	if ! psql "$PG_CONNINFO" -X -q -v ON_ERROR_STOP=1 \
	    -c "CREATE ROLE todo_owner LOGIN" -c "CREATE ROLE todo_api LOGIN" \
	    -c "CREATE ROLE todo_webapp LOGIN" \
	    -c "CREATE DATABASE todo OWNER todo_owner" >"$STACK_DIR/roles.log" 2>&1; then
		stack_err "cannot create the roles:" "$(cat "$STACK_DIR/roles.log")"
		return 1
	fi
	PG_CONNINFO="host=$PG_SOCKDIR dbname=todo user=postgres"
	STACK_DB_="host=$PG_SOCKDIR dbname=todo user"
	STACK_LOGS="$STACK_LOGS $PG_SOCKDIR/server.log"

	# Ports: the app's first (the provider must know the redirect URI).
	port=${STACK_APP_PORT:-$(free_port)} || { stack_err "no free port"; return 1; }
	STACK_TLS_=${STACK_TLS:-0}
	if [ "$STACK_TLS_" = 1 ]; then
		APP_URL="https://${STACK_APP_NAME:-$STACK_APP_HOST_}:$port"
		STACK_HTTP_URL="http://${STACK_APP_NAME:-$STACK_APP_HOST_}:$(free_port)"
		STACK_API_LOOPBACK_="127.0.0.1:$(free_port)"
		STACK_API_URL_="http://$STACK_API_LOOPBACK_/api"
		STACK_TLS_DIR=$STACK_DIR/tls
		tls_test_cert "$STACK_TLS_DIR" || { stack_err "openssl could not make the test certificate"; return 1; }
		export CURL_CA_BUNDLE=$STACK_TLS_DIR/ca.pem TLS_SPKI STACK_HTTP_URL STACK_TLS_DIR
	else
		APP_URL="http://${STACK_APP_NAME:-$STACK_APP_HOST_}:$port"
		STACK_API_URL_="$APP_URL/api"
		unset CURL_CA_BUNDLE
	fi

	# The provider; its issuer carries the port, so pick one and pass it.
	STACK_IDP_RUNS=1
	STACK_IDP_LOG="$STACK_DIR/idp-1.log"
	for i in 1 2 3; do
		IDP_URL="http://$STACK_IDP_HOST_:${STACK_IDP_PORT:-$(free_port)}"
		stack_idp_start "${IDP_URL##*:}" "$STACK_IDP_LOG" && break
		if [ $i = 3 ] || [ -n "${STACK_IDP_PORT:-}" ] ||
		    ! grep -q EADDRINUSE "$STACK_IDP_LOG"; then
			stack_err "the identity provider did not start:" "$(tail -n 5 "$STACK_IDP_LOG")"
			return 1
		fi
	done
	STACK_LOGS="$STACK_LOGS $STACK_IDP_LOG"
	IDP_ISSUER=$(sed -n 's/^dev-idp issuer //p' "$STACK_IDP_LOG" | head -n 1)
	IDP_METADATA="$IDP_URL/dev.onmicrosoft.com/{policy}/v2.0/.well-known/openid-configuration"
	[ "$STACK_IDP_PROFILE_" = external-id ] &&
	    IDP_METADATA="$IDP_URL/dev.onmicrosoft.com/v2.0/.well-known/openid-configuration"
	if ! curl -sf -m 10 -o /dev/null "${IDP_METADATA/\{policy\}/B2C_1_susi}"; then
		stack_err "the identity provider does not serve ${IDP_METADATA/\{policy\}/B2C_1_susi}"
		return 1
	fi

	stack_write_configs
	stack_migrate api "$STACK_API_BIN_" "$STACK_DIR/api.conf" || return 1
	stack_migrate webapp "$STACK_WEBAPP_BIN_" "$STACK_DIR/webapp.conf" || return 1
	if ! psql "$STACK_DB_=todo_owner" -X -q -v ON_ERROR_STOP=1 \
	    -v api_role=todo_api -v webapp_role=todo_webapp \
	    -f "$top_srcdir/sql/roles.sql" >>"$STACK_DIR/roles.log" 2>&1; then
		stack_err "sql/roles.sql failed:" "$(cat "$STACK_DIR/roles.log")"
		return 1
	fi

	T_APACHE_PID="" T_APACHE_DIR=""
	case $server in
	nginx | apache-pool) stack_pools_start || return 1 ;;
	esac
	if [ "$server" = lighttpd ]; then
		stack_lighttpd_start "$port" || return 1
	elif [ "$server" = nginx ]; then
		stack_nginx_start "$port" || return 1
	else
		stack_apache_start "$port" || return 1
		STACK_SERVER_PID=$T_APACHE_PID
		STACK_SERVER_ERROR_LOG="$T_APACHE_DIR/log/error.log"
		STACK_ACCESS_LOG="$T_APACHE_DIR/log/access.log"
		STACK_LOGS="$STACK_LOGS $T_APACHE_DIR/log/error.log $T_APACHE_DIR/log/access.log $T_APACHE_DIR/log/stdout.log"
		STACK_LOGS_QUIET="$STACK_LOGS_QUIET $T_APACHE_DIR/log/stdout.log"
	fi
	if [ -z "$STACK_SERVER_PID" ]; then
		stack_err "$server did not start"
		return 1
	fi
	for i in webapp api; do
		local url=$APP_URL/healthz
		[ $i = api ] && url=$APP_URL/api/healthz
		if ! wait_status "$url" 200 30; then
			local f
			stack_err "$server: $url does not answer 200 ($(curl -s -o /dev/null -m 2 -w '%{http_code}' "$url")); last lines of its logs:"
			for f in $STACK_LOGS; do
				stack_err "== $f" "$(tail -n 8 "$f" 2>/dev/null)"
			done
			return 1
		fi
	done
	export APP_URL IDP_URL IDP_METADATA IDP_ISSUER STACK_DIR STACK_LOGS \
	    STACK_LOGS_QUIET STACK_SERVER PG_CONNINFO STACK_IDP_PROFILE_
	return 0
}

stack_down() {
	[ -n "$STACK_SERVER_PID" ] && server_stop "$STACK_SERVER_PID"
	[ -n "$STACK_API_POOL_PID" ] && server_stop "$STACK_API_POOL_PID"
	[ -n "$STACK_WEBAPP_POOL_PID" ] && server_stop "$STACK_WEBAPP_POOL_PID"
	[ -n "$STACK_IDP_PID" ] && server_stop "$STACK_IDP_PID"
	STACK_SERVER_PID="" STACK_IDP_PID="" STACK_API_POOL_PID="" STACK_WEBAPP_POOL_PID=""
	pg_stop
	STACK_UP=0
	return 0
}
