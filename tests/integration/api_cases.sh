# tests/integration/api_cases.sh -- the API integration cases, shared by
# api_lighttpd.test and api_apache.test (sourced after lib.sh).
#
#   api_setup            tools, PostgreSQL, the static identity provider,
#                        the API config, --check-config, --migrate
#   api_run_cases BASE LOGFILE...
#                        every case against the server at BASE (e.g.
#                        http://127.0.0.1:PORT); LOGFILEs are the server's
#                        logs: each must exist (and have lines, but for
#                        the server's own *.out / stdout.log capture) and
#                        is searched for tokens at the end
#
# Needs: curl, jq, openssl; tests/tools/mint-jwt built; the API binary at
# $top_builddir/api-fcgi/todo-api.fcgi (or $TODO_API_BIN).

API_AUD="9b2d2b6d-1c1a-4b1e-9c9e-0000000000a1"
API_PROCS=2		# FastCGI processes per server in these tests

# ---- setup ---------------------------------------------------------------

api_setup() {
	local k sp
	command -v jq >/dev/null || bail_out "missing dependency: jq not installed"
	command -v curl >/dev/null || bail_out "missing dependency: curl not installed"
	t_is_root || bail_out "missing dependency: needs root (PostgreSQL, web servers dropping to www-data)"
	MINT=$(tool mint-jwt) || bail_out "missing dependency: tests/tools/mint-jwt not built"
	API_BIN_BUILT=${TODO_API_BIN:-$top_builddir/api-fcgi/todo-api.fcgi}
	[ -x "$API_BIN_BUILT" ] || bail_out "missing dependency: $API_BIN_BUILT not built"
	API_BIN=$(need_exec "$API_BIN_BUILT") || bail_out "cannot place the API binary"

	KEYS="$top_srcdir/tests/keys"
	K1="$KEYS/test-only-rsa-1.pem"
	K2="$KEYS/test-only-rsa-2.pem"
	KEC="$KEYS/test-only-ec-p256.pem"
	KFOREIGN="$T_SCRATCH/foreign-rsa.pem"
	openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
	    -out "$KFOREIGN" 2>/dev/null || bail_out "openssl genpkey failed"
	K1PUB="$T_SCRATCH/rsa-1-pub.pem"
	openssl pkey -in "$K1" -pubout -out "$K1PUB" ||
	    bail_out "openssl pkey failed"
	TOKENS="$T_SCRATCH/tokens.txt"
	: >"$TOKENS"

	pg_start || bail_out "PostgreSQL did not start"

	# The identity provider: two B2C-like tenants on one static server.
	# Tenant A has two user flows (same issuer, same keys), tenant B one.
	IDP="$T_SCRATCH/idp"
	t_mkdir "$IDP"
	static_server_start "$IDP" || bail_out "static server did not start"
	sp="http://127.0.0.1:$STATIC_PORT"
	ISS_A="$sp/7d5e6c0a-aaaa-4c1e-9000-00000000000a/v2.0/"
	ISS_B="$sp/7d5e6c0a-bbbb-4c1e-9000-00000000000b/v2.0/"
	JWKS_A="tenant-a.example/discovery/v2.0/keys"
	JWKS_B="tenant-b.example/discovery/v2.0/keys"
	idp_discovery "tenant-a.example/b2c_1_susi/v2.0" "$ISS_A" "$sp/$JWKS_A"
	idp_discovery "tenant-a.example/b2c_1_edit/v2.0" "$ISS_A" "$sp/$JWKS_A"
	idp_discovery "tenant-b.example/b2c_1_susi/v2.0" "$ISS_B" "$sp/$JWKS_B"
	idp_jwks "$JWKS_A" "$K1:k1:RS256"
	idp_jwks "$JWKS_B" "$KEC:e1:ES256"

	API_CONF="$T_SCRATCH/api.conf"
	cat >"$API_CONF" <<EOF
# todo-api.fcgi config written by tests/integration/api_cases.sh
database = $PG_CONNINFO
metadata_url = $sp/tenant-a.example/b2c_1_susi/v2.0/.well-known/openid-configuration $sp/tenant-a.example/b2c_1_edit/v2.0/.well-known/openid-configuration $sp/tenant-b.example/b2c_1_susi/v2.0/.well-known/openid-configuration
audience = $API_AUD
metrics_dir = $T_SCRATCH/api-run
EOF
	chmod 644 "$API_CONF"
	t_mkdir "$T_SCRATCH/api-run"
	t_is_root && chown "$T_WWW_USER:$T_WWW_GROUP" "$T_SCRATCH/api-run"

	api_config_cases
}

# idp_discovery PATH ISSUER JWKS_URI: an OpenID discovery document.
idp_discovery() {
	local d="$IDP/$1/.well-known" base
	base="http://127.0.0.1:$STATIC_PORT/$1"
	t_mkdir "$d"
	jq -n --arg iss "$2" --arg jwks "$3" --arg base "$base" '{
	    issuer: $iss, jwks_uri: $jwks,
	    authorization_endpoint: ($base + "/oauth2/v2.0/authorize"),
	    token_endpoint: ($base + "/oauth2/v2.0/token"),
	    end_session_endpoint: ($base + "/oauth2/v2.0/logout"),
	    response_types_supported: ["code", "code id_token", "id_token"],
	    response_modes_supported: ["query", "fragment", "form_post"],
	    scope_types_supported: ["openid"],
	    subject_types_supported: ["pairwise"],
	    id_token_signing_alg_values_supported: ["RS256"],
	    token_endpoint_auth_methods_supported: ["client_secret_post",
	        "client_secret_basic"],
	    claims_supported: ["oid", "sub", "name", "tfp", "iss", "iat",
	        "exp", "aud", "nbf", "nonce"]}' >"$d/openid-configuration"
	chmod 644 "$d/openid-configuration"
	find "$IDP" -type d -exec chmod 755 {} +
}

# idp_jwks PATH KEYFILE:KID[:ALG]...: (re)write a JWK set atomically.
idp_jwks() {
	local path=$1 f
	shift
	f="$IDP/$path"
	mkdir -p "$(dirname "$f")"
	find "$IDP" -type d -exec chmod 755 {} +
	"$MINT" --jwks "$@" >"$f.tmp" || bail_out "mint-jwt --jwks failed"
	chmod 644 "$f.tmp"
	mv -f "$f.tmp" "$f"
}

# jwks_fetches: how many times the provider served a JWK set so far.
jwks_fetches() {
	grep -c '/discovery/v2.0/keys ' "$STATIC_ACCESS_LOG" || true
}

api_config_cases() {
	local out rc before
	out=$("$API_BIN" --config "$API_CONF" --check-config 2>&1)
	rc=$?
	is "$rc $(printf '%s\n' "$out" | tail -n 1)" "0 configuration OK" \
	    "setup: --check-config accepts the test config"
	contains "$out" "user_claim: oid (the first of these claims present names the user; oid fits Azure AD B2C and Entra ID, sub other providers)" \
	    "config: --check-config says which user_claim is in force (the default oid)"
	contains "$out" "max_token_lifetime: 86400 seconds" \
	    "config: --check-config says max_token_lifetime (the default)"
	out=$(TODO_API_USER_CLAIM="sub oid" "$API_BIN" --config "$API_CONF" --check-config 2>&1)
	contains "$out" "user_claim: sub oid (" \
	    "config: --check-config says an overridden user_claim list"

	out=$("$API_BIN" --config "$API_CONF" --migrate 2>&1)
	rc=$?
	[ "$rc" = 0 ] || { diag "$out"; bail_out "migration failed"; }
	# What 001_tasks.sql creates, and the migration recorded once.
	is "$(psql_c "SELECT to_regclass('api.tasks') IS NOT NULL,
	    (SELECT string_agg(version, ',' ORDER BY version)
	    FROM api.schema_migrations)" | tr '|' ' ')" \
	    "t 001_tasks,002_task_limit,003_tasks_owner_key" \
	    "setup: --migrate creates api.tasks and records 001_tasks, 002_task_limit, 003_tasks_owner_key"
	is "$(psql_c "SELECT pg_get_constraintdef(oid) FROM pg_constraint
	    WHERE conname = 'tasks_pkey'")" "PRIMARY KEY (owner_sub, owner_iss, id)" \
	    "setup: the owner leads the tasks' primary key (ready to shard by owner)"
	before=$(psql_c "SELECT string_agg(version || '@' || applied_at, ','
	    ORDER BY version) FROM api.schema_migrations")
	out=$("$API_BIN" --config "$API_CONF" --migrate 2>&1)
	rc=$?
	is "$rc $(printf '%s\n' "$out" | tail -n 1)" \
	    "0 api schema: 0 migration(s) applied, 3 in all" \
	    "setup: --migrate again exits 0 and applies nothing"
	is "$(psql_c "SELECT string_agg(version || '@' || applied_at, ','
	    ORDER BY version) FROM api.schema_migrations")" "$before" \
	    "setup: --migrate again leaves api.schema_migrations as it was"

	printf 'database = %s\naudience = x\nbogus_key = 1\n' "$PG_CONNINFO" \
	    >"$T_SCRATCH/bad.conf"
	out=$("$API_BIN" --config "$T_SCRATCH/bad.conf" --check-config 2>&1)
	isnt "$?" 0 "config: an unknown key stops the program"
	contains "$out" "$T_SCRATCH/bad.conf:3: bogus_key: unknown key" \
	    "config: the message names the file, line 3 and the key"

	printf 'database = %s\naudience = x\nmetadata_url = %s\nclock_skew = soon\n' \
	    "$PG_CONNINFO" "http://127.0.0.1:$STATIC_PORT/x" >"$T_SCRATCH/bad2.conf"
	out=$("$API_BIN" --config "$T_SCRATCH/bad2.conf" --check-config 2>&1)
	isnt "$?" 0 "config: a malformed value stops the program"
	contains "$out" "$T_SCRATCH/bad2.conf:4: clock_skew: " \
	    "config: the message names the file, line 4 and the bad key"

	for x in "oid,sub" "oid	sub" '"oid"' "a b c d e"; do
		out=$(TODO_API_USER_CLAIM="$x" "$API_BIN" --config "$API_CONF" --check-config 2>&1)
		isnt "$?" 0 "config: user_claim '$x' stops the program"
		contains "$out" "user_claim: " "config: user_claim '$x': the message names the key"
	done
	out=$(TODO_API_MAX_TOKEN_LIFETIME=10 "$API_BIN" --config "$API_CONF" --check-config 2>&1)
	isnt "$?" 0 "config: max_token_lifetime below 60 stops the program"
	contains "$out" "max_token_lifetime" "config: max_token_lifetime: the message names the key"
}

# ---- tokens --------------------------------------------------------------

# claims_for USER [ISSUER]: base claims of a B2C access token.
claims_for() {
	local now
	now=$(date +%s)
	jq -cn --arg iss "${2:-$ISS_A}" --arg aud "$API_AUD" --arg u "$1" \
	    --argjson now "$now" '{iss: $iss, aud: $aud, oid: ($u + "-oid"),
	    sub: ($u + "-oid"), name: $u, scp: "read write",
	    tfp: "B2C_1_susi", ver: "1.0", azp: "webapp-client",
	    nbf: ($now - 5), iat: ($now - 5), exp: ($now + 3600)}'
}

# mint USER OVERRIDES_JSON [mint-jwt options]: a token for USER on tenant
# A (or "iss" in OVERRIDES), signed with k1 unless options say otherwise;
# null in OVERRIDES removes a claim.  Every token is remembered for the
# log check.
mint() {
	local user=$1 ovr=${2:-'{}'} claims tok
	shift 2 2>/dev/null || shift $#
	claims=$(jq -c --argjson o "$ovr" '. + $o | with_entries(
	    select(.value != null))' <<<"$(claims_for "$user")")
	# mint-jwt takes the last of repeated options: these are defaults.
	set -- --key "$K1" --kid k1 --alg RS256 "$@"
	tok=$("$MINT" "$@" --claims "$claims") || bail_out "mint-jwt failed"
	printf '%s\n' "$tok" >>"$TOKENS"
	printf '%s\n' "$tok"
}

now_plus() {
	echo $(( $(date +%s) + $1 ))
}

# ---- HTTP ----------------------------------------------------------------

# req METHOD PATH TOKEN [curl args...]: TOKEN "-" sends no Authorization.
# Sets ST (status), BODY; headers in $T_SCRATCH/resp.h (see hdr).
req() {
	local m=$1 p=$2 tok=$3
	shift 3
	local args=(-s -m 20 -X "$m" -D "$T_SCRATCH/resp.h"
	    -o "$T_SCRATCH/resp.b" -w '%{http_code}')
	[ "$tok" != - ] && args+=(-H "Authorization: Bearer $tok")
	[ "${TEST_VERBOSE:-0}" = 1 ] && diag "curl $m $BASE$p $*"
	ST=$(curl "${args[@]}" "$@" "$BASE$p")
	BODY=$(cat "$T_SCRATCH/resp.b" 2>/dev/null)
}

# send METHOD PATH TOKEN JSON: a request with a JSON body.
send() {
	req "$1" "$2" "$3" -H 'Content-Type: application/json' \
	    --data-binary "$4"
}

# send_file METHOD PATH TOKEN FILE [content type]
send_file() {
	req "$1" "$2" "$3" -H "Content-Type: ${5:-application/json}" \
	    --data-binary "@$4"
}

# hdr NAME: the value of response header NAME (last one, trimmed).
hdr() {
	grep -i "^$1:" "$T_SCRATCH/resp.h" | tail -n 1 | cut -d: -f2- |
	    tr -d '\r' | sed 's/^ *//; s/ *$//'
}

# jb [jq options] FILTER: jq -r on the last body ("JSON-ERROR" when it is
# not JSON).
jb() {
	jq -r "$@" <<<"$BODY" 2>/dev/null || echo "JSON-ERROR"
}

RFC3339='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$'

# expect_json_error STATUS ERROR DESC: status, JSON content type, body.
expect_json_error() {
	is "$ST" "$1" "$3: status $1"
	if [ "$ST" = "$1" ] && [ "$2" = "*" ]; then
		is "$(jb '.error | type')" string "$3: body has error"
	elif [ "$ST" = "$1" ]; then
		is "$(jb '.error')" "$2" "$3: body error \"$2\""
		is "$(jb '.error_description | type')" string \
		    "$3: body has error_description"
	fi
}

# expect_invalid_token DESC TOKEN [DESCRIPTION]: 401 invalid_token whose
# error_description is one fixed phrase (default: not valid), nothing more.
expect_invalid_token() {
	local d=${3:-the access token is not valid}
	req GET /api/tasks "$2"
	is "$ST" 401 "$1: 401"
	like "$(hdr WWW-Authenticate)" '^Bearer .*error="invalid_token"' \
	    "$1: WWW-Authenticate error=\"invalid_token\""
	is "$(jb .error)" invalid_token "$1: body error invalid_token"
	is "$(jb .error_description)" "$d" "$1: error_description \"$d\""
	like "$(hdr WWW-Authenticate)" "error_description=\"$d\"\$" \
	    "$1: the challenge says only \"$d\""
}

# expect_invalid_request DESC [curl args...]: a malformed Authorization
# header is 400 invalid_request (RFC 6750 3.1).
expect_invalid_request() {
	local what=$1
	shift
	req GET /api/tasks - "$@"
	is "$ST" 400 "$what: 400"
	like "$(hdr WWW-Authenticate)" '^Bearer .*error="invalid_request"' \
	    "$what: WWW-Authenticate error=\"invalid_request\""
	is "$(jb .error)" invalid_request "$what: body error invalid_request"
}

# logged TEXT: some server log holds TEXT (fixed string), within 3 s
# (a server may write its error log a moment after it answered).
logged() {
	local i
	for i in 1 2 3 4 5 6; do
		cat "${API_LOGS[@]}" 2>/dev/null | grep -F -q -- "$1" && return 0
		sleep 0.5
	done
	return 1
}

# expect_insufficient DESC SCOPE METHOD PATH TOKEN [JSON]
expect_insufficient() {
	if [ $# -ge 6 ]; then
		send "$3" "$4" "$5" "$6"
	else
		req "$3" "$4" "$5"
	fi
	is "$ST" 403 "$1: 403"
	like "$(hdr WWW-Authenticate)" \
	    "^Bearer .*error=\"insufficient_scope\".*scope=\"[^\"]*$2" \
	    "$1: WWW-Authenticate insufficient_scope, scope=\"$2\""
	is "$(jb .error)" insufficient_scope "$1: body error insufficient_scope"
}

# ---- the cases -----------------------------------------------------------

api_run_cases() {
	BASE=$1
	shift
	API_LOGS=("$@")

	ALICE=$(mint alice '{}')
	BOB=$(mint bob '{}')

	local c
	# cases_rotation first after CRUD: no unknown kid may be seen before.
	for c in health crud rotation input paths auth scopes isolation limits \
	    concurrency provider_down db_down logs; do
		"cases_$c"
		api_settle "$c"
	done
}

# api_settle GROUP: after a group, wait until the server answers normally
# again, so that one crash does not fail the next groups too.
api_settle() {
	local code
	code=$(curl -s -o /dev/null -m 5 -w '%{http_code}' "$BASE/api/healthz")
	[ "$code" = 200 ] && return 0
	diag "after $1: healthz answers $code; waiting for the server to recover"
	wait_status "$BASE/api/healthz" 200 20 || diag "after $1: not recovered"
}

cases_health() {
	req GET /api/healthz -
	is "$ST" 200 "healthz: 200 without a token"
	is "$(jb .status)" ok "healthz: {\"status\":\"ok\"}"
	like "$(hdr Content-Type)" '^application/json' "healthz: JSON"
}

cases_crud() {
	local id id2 loc created
	req GET /api/tasks "$ALICE"
	is "$ST" 200 "list: 200"
	is "$(jb -c .)" '{"tasks":[]}' "list: empty at first"
	like "$(hdr Content-Type)" '^application/json' "list: JSON"

	send POST /api/tasks "$ALICE" '{"text":"buy milk"}'
	is "$ST" 201 "create: 201"
	id=$(jb .id)
	like "$id" '^[1-9][0-9]*$' "create: id is a positive integer"
	is "$(jb '.id | type')" number "create: id is a JSON number"
	is "$(jb .text)" "buy milk" "create: text"
	is "$(jb .done)" false "create: done defaults to false"
	like "$(jb .created_at)" "$RFC3339" "create: created_at is RFC 3339"
	like "$(jb .updated_at)" "$RFC3339" "create: updated_at is RFC 3339"
	loc=$(hdr Location)
	like "$loc" "/api/tasks/$id\$" "create: Location /api/tasks/$id"
	created=$(jb .created_at)
	TASK_ALICE=$id

	send POST /api/tasks "$ALICE" '{"text":"walk the dog","done":true}'
	is "$ST" 201 "create with done: 201"
	is "$(jb .done)" true "create with done: done true"
	id2=$(jb .id)

	req GET /api/tasks "$ALICE"
	is "$ST" 200 "list: 200 with two tasks"
	is "$(jb '[.tasks[].id] | map(tostring) | join(",")')" "$id,$id2" \
	    "list: both tasks in id order"
	is "$(jb '.tasks[0] | keys | join(",")')" \
	    "created_at,done,id,text,updated_at" "list: task members"

	req GET "/api/tasks/$id" "$ALICE"
	is "$ST" 200 "get: 200"
	is "$(jb -c '[.id,.text,.done]')" "[$id,\"buy milk\",false]" "get: the task"

	sleep 1
	send PATCH "/api/tasks/$id" "$ALICE" '{"text":"buy oat milk"}'
	is "$ST" 200 "patch text: 200"
	is "$(jb .text)" "buy oat milk" "patch text: text changed"
	is "$(jb .done)" false "patch text: done unchanged"
	is "$(jb .created_at)" "$created" "patch text: created_at unchanged"
	isnt "$(jb .updated_at)" "$created" "patch text: updated_at moved"

	send PATCH "/api/tasks/$id" "$ALICE" '{"done":true}'
	is "$ST" 200 "patch done: 200"
	is "$(jb -c '[.text,.done]')" '["buy oat milk",true]' "patch done: done changed, text kept"

	send PATCH "/api/tasks/$id" "$ALICE" '{"text":"buy milk","done":false}'
	is "$(jb -c '[.text,.done]')" '["buy milk",false]' "patch both"

	req DELETE "/api/tasks/$id2" "$ALICE"
	is "$ST" 204 "delete: 204"
	is "$BODY" "" "delete: empty body"
	req GET "/api/tasks/$id2" "$ALICE"
	is "$ST" 404 "delete: the task is gone"
	req DELETE "/api/tasks/$id2" "$ALICE"
	is "$ST" 404 "delete again: 404"
	req PATCH "/api/tasks/$id2" "$ALICE" -H 'Content-Type: application/json' \
	    --data-binary '{"done":true}'
	is "$ST" 404 "patch deleted: 404"

	send POST /api/tasks "$ALICE" '{"text":"Grüße, ✓ — 😀 <b>&amp;</b> \"q\" \\ /"}'
	is "$ST" 201 "unicode: 201"
	is "$(jb .text)" 'Grüße, ✓ — 😀 <b>&amp;</b> "q" \ /' "unicode: text round-trips"
	req GET "/api/tasks/$(jb .id)" "$ALICE"
	is "$(jb .text)" 'Grüße, ✓ — 😀 <b>&amp;</b> "q" \ /' "unicode: stored as sent"

	send POST /api/tasks "$ALICE" "{\"text\":\"it's'); DROP TABLE tasks; --\"}"
	is "$ST" 201 "sql metacharacters: 201"
	is "$(psql_c "SELECT text FROM api.tasks WHERE id = $(jb '.id // 0')")" \
	    "it's'); DROP TABLE tasks; --" "sql metacharacters: stored as text"
	req GET /api/tasks "$ALICE"
	is "$ST $(jb '[.tasks[] | select(.text | startswith("it'"'"'s'"'"');"))] | length')" \
	    "200 1" "sql metacharacters: the list still works and holds the task"
}

cases_rotation() {
	local k2tok before i n
	# The provider adds key 2; a token signed with it is accepted after
	# the (first) refetch its unknown kid triggers.
	idp_jwks "$JWKS_A" "$K1:k1:RS256" "$K2:k2:RS256"
	k2tok=$(mint alice '{}' --key "$K2" --kid k2)
	n=0
	for i in 1 2 3 4 5 6; do
		req GET /api/tasks "$k2tok"
		[ "$ST" = 200 ] && n=$((n + 1))
	done
	is "$n" 6 "rotation: a key-2 token is accepted after the keys change (6 of 6)"
	req GET /api/tasks "$ALICE"
	is "$ST" 200 "rotation: key-1 tokens still accepted"
	K2TOK=$k2tok

	# Unknown kids: at most one refetch per 60 s per process and provider.
	# The programs log each such refetch; a process the server starts
	# meanwhile also loads the keys once, which is not a refetch.
	before=$(cat "${API_LOGS[@]}" 2>/dev/null | grep -c 'unknown key, fetching keys again')
	for i in $(seq 1 20); do
		req GET /api/tasks "$(mint alice '{}' --key "$KFOREIGN" --kid "k3-$i")"
	done
	is "$ST" 401 "unknown kid: 401"
	n=$(cat "${API_LOGS[@]}" 2>/dev/null | grep 'unknown key, fetching keys again' |
	    tail -n +$((before + 1)) | sed -n 's/^todo-api\[\([0-9]*\)\].* \(http[^ ]*\): unknown key.*/\1 \2/p' |
	    sort | uniq -c | sort -rn | head -n 1 | awk '{print $1}')
	diag "most refetches by one process for one provider, 20 unknown-kid tokens: ${n:-0}"
	ok "unknown kid: refetches happen, at most one per process and provider (${n:-0})" \
	    test "${n:-0}" -eq 1
}

cases_input() {
	local f big id=$TASK_ALICE
	f="$T_SCRATCH/body.json"

	# Length: 1..1000 characters (not bytes).
	send POST /api/tasks "$ALICE" "{\"text\":\"$(printf 'a%.0s' $(seq 1 1000))\"}"
	is "$ST" 201 "text: 1000 ASCII characters accepted"
	send POST /api/tasks "$ALICE" "{\"text\":\"$(printf 'é%.0s' $(seq 1 1000))\"}"
	is "$ST" 201 "text: 1000 two-byte characters accepted"
	is "$(jb '.text | length')" 1000 "text: 1000 characters stored"
	send POST /api/tasks "$ALICE" "{\"text\":\"$(printf 'a%.0s' $(seq 1 1001))\"}"
	expect_json_error 400 "*" "text: 1001 characters"
	send POST /api/tasks "$ALICE" "{\"text\":\"$(printf 'é%.0s' $(seq 1 1001))\"}"
	is "$ST" 400 "text: 1001 two-byte characters: 400"
	send POST /api/tasks "$ALICE" '{"text":""}'
	is "$ST" 400 "text: empty: 400"
	send POST /api/tasks "$ALICE" '{"text":"a\u0000b"}'
	is "$ST" 400 "text: NUL: 400"
	printf '{"text":"bad \xc3\x28 utf8"}' >"$f"
	send_file POST /api/tasks "$ALICE" "$f"
	is "$ST" 400 "text: invalid UTF-8: 400"
	printf '{"text":"overlong \xc0\xaf"}' >"$f"
	send_file POST /api/tasks "$ALICE" "$f"
	is "$ST" 400 "text: overlong UTF-8: 400"
	send POST /api/tasks "$ALICE" '{"text":"lone \ud800 surrogate"}'
	is "$ST" 400 "text: lone surrogate escape: 400"
	printf '{"text":"bad \xff"}' >"$f"
	send_file PATCH "/api/tasks/$id" "$ALICE" "$f"
	is "$ST" 400 "patch: invalid UTF-8: 400"
	api_settle "the UTF-8 cases"

	# Malformed and mistyped JSON.
	local -a bad=('{"text":' '{"text":"a"} x' '' '[]' '"text"' 'null'
	    '{"text":5}' '{"text":null}' '{"text":"a","done":"true"}'
	    '{"text":"a","done":1}' '{"done":true}' '{"text":"a","text":"b"}'
	    '{"text":"a","done":NaN}' "{'text':'a'}" '{"text":"a",}')
	local b
	for b in "${bad[@]}"; do
		send POST /api/tasks "$ALICE" "$b"
		is "$ST" 400 "bad JSON: POST '$b': 400"
	done
	is "$(jb '.error | type')" string "bad JSON: JSON error body"
	for b in '{"done":"yes"}' '{"text":7}' '{"text":""}' '{"done":true,"done":false}' \
	    '{"text":"a"' '[]'; do
		send PATCH "/api/tasks/$id" "$ALICE" "$b"
		is "$ST" 400 "bad JSON: PATCH '$b': 400"
	done
	printf '{"text":"deep","x":%s1%s}' "$(printf '[%.0s' $(seq 1 2000))" \
	    "$(printf ']%.0s' $(seq 1 2000))" >"$f"
	send_file POST /api/tasks "$ALICE" "$f"
	is "$ST" 400 "bad JSON: 2000 levels deep: 400"
	req GET "/api/tasks/$id" "$ALICE"
	is "$(jb -c '[.text,.done]')" '["buy milk",false]' "bad input changed nothing"

	# Content types.
	req POST /api/tasks "$ALICE" -H 'Content-Type: text/plain' --data-binary '{"text":"a"}'
	is "$ST" 415 "content type text/plain: 415"
	req POST /api/tasks "$ALICE" -H 'Content-Type:' --data-binary '{"text":"a"}'
	is "$ST" 415 "no content type: 415"
	req POST /api/tasks "$ALICE" --data-binary '{"text":"a"}'
	is "$ST" 415 "form content type: 415"
	req PATCH "/api/tasks/$id" "$ALICE" -H 'Content-Type: text/plain' --data-binary '{"done":true}'
	is "$ST" 415 "PATCH text/plain: 415"
	req POST /api/tasks "$ALICE" -H 'Content-Type: application/json; charset=utf-8' \
	    --data-binary '{"text":"with charset"}'
	is "$ST" 201 "content type with charset parameter: 201"

	# Size: 64 KiB is the limit.
	{ printf '{"text":"exactly 64 KiB"}'; head -c $((65536 - 25)) /dev/zero | tr '\0' ' '; } >"$f"
	send_file POST /api/tasks "$ALICE" "$f"
	is "$(stat -c %s "$f") $ST" "65536 201" "size: a 65536-byte body is accepted"
	printf ' ' >>"$f"
	send_file POST /api/tasks "$ALICE" "$f"
	is "$ST" 413 "size: 65537 bytes: 413"
	big="$T_SCRATCH/big.json"
	{ printf '{"text":"'; head -c 300000 /dev/zero | tr '\0' a; printf '"}'; } >"$big"
	send_file POST /api/tasks "$ALICE" "$big"
	is "$ST" 413 "size: 300 KB: 413"
	send_file PATCH "/api/tasks/$id" "$ALICE" "$big"
	is "$ST" 413 "size: PATCH 300 KB: 413"
}

cases_paths() {
	local id=$TASK_ALICE x
	for x in 0 -1 abc 1e3 1.5 0x10 99999999999999999999 \
	    9223372036854775808 2147483648 '%20' '1%00'; do
		req GET "/api/tasks/$x" "$ALICE"
		one_of "$ST" "400 404" "id '$x': GET 400 or 404 (got $ST)"
		req DELETE "/api/tasks/$x" "$ALICE"
		one_of "$ST" "400 404" "id '$x': DELETE 400 or 404 (got $ST)"
		send PATCH "/api/tasks/$x" "$ALICE" '{"done":true}'
		one_of "$ST" "400 404" "id '$x': PATCH 400 or 404 (got $ST)"
	done
	for x in /api/nope /api/tasks/1/x "/api/tasks/$id/" /api/tasksx /api/ /api/healthz/x; do
		req GET "$x" "$ALICE"
		is "$ST" 404 "path $x: 404"
	done
	req GET /api/nope "$ALICE"
	like "$(hdr Content-Type)" '^application/json' "unknown path: JSON error"

	req PUT /api/tasks "$ALICE" -H 'Content-Type: application/json' --data-binary '{}'
	is "$ST" 405 "PUT /api/tasks: 405"
	like "$(hdr Allow)" 'GET' "PUT /api/tasks: Allow has GET"
	like "$(hdr Allow)" 'POST' "PUT /api/tasks: Allow has POST"
	req DELETE /api/tasks "$ALICE"
	is "$ST" 405 "DELETE /api/tasks: 405"
	req PATCH /api/tasks "$ALICE" -H 'Content-Type: application/json' --data-binary '{}'
	is "$ST" 405 "PATCH /api/tasks: 405"
	send POST "/api/tasks/$id" "$ALICE" '{"text":"x"}'
	is "$ST" 405 "POST /api/tasks/{id}: 405"
	like "$(hdr Allow)" 'PATCH' "POST /api/tasks/{id}: Allow has PATCH"
	like "$(hdr Allow)" 'DELETE' "POST /api/tasks/{id}: Allow has DELETE"
	req PUT "/api/tasks/$id" "$ALICE" -H 'Content-Type: application/json' --data-binary '{}'
	is "$ST" 405 "PUT /api/tasks/{id}: 405"
	req POST /api/healthz - -H 'Content-Type: application/json' --data-binary '{}'
	is "$ST" 405 "POST /api/healthz: 405"
	like "$(hdr Allow)" 'GET' "POST /api/healthz: Allow has GET"
}

cases_auth() {
	local tok hs mid x
	req GET /api/tasks -
	is "$ST" 401 "no token: 401"
	like "$(hdr WWW-Authenticate)" '^Bearer' "no token: WWW-Authenticate Bearer"
	unlike "$(hdr WWW-Authenticate)" 'error=' "no token: no error code in the challenge (RFC 6750 3.1)"
	is "$(jb '.error | type')" string "no token: JSON error body"
	req POST /api/tasks - -H 'Content-Type: application/json' --data-binary '{"text":"x"}'
	is "$ST" 401 "no token: POST 401"
	req DELETE "/api/tasks/$TASK_ALICE" -
	is "$ST" 401 "no token: DELETE 401"

	req GET /api/tasks - -H 'Authorization: Basic dXNlcjpwYXNz'
	is "$ST" 401 "Basic credentials: 401"
	like "$(hdr WWW-Authenticate)" '^Bearer' "Basic credentials: Bearer challenge"
	for tok in 'abc' 'a.b.c' '....' \
	    "$ALICE.x" "$(printf '%s' "$ALICE" | cut -d. -f1-2)" \
	    "$(printf '%s' "$ALICE" | cut -d. -f1-2)." ; do
		expect_invalid_token "garbage bearer '${tok:0:24}'" "$tok"
	done
	# A malformed header is a malformed request, not a bad token.
	expect_invalid_request "no token after Bearer" -H "Authorization: Bearer "
	expect_invalid_request "bad token characters" -H 'Authorization: Bearer ey$$$.x.y'
	expect_invalid_request "two tokens" -H "Authorization: Bearer $ALICE extra"
	expect_invalid_request "two tokens, comma" -H "Authorization: Bearer $ALICE, Bearer $BOB"
	expect_invalid_request "no scheme" -H "Authorization: =$ALICE"
	expect_invalid_request "a scheme with a comma" -H "Authorization: Bearer,$ALICE"
	ok "a malformed header is logged at info" logged "rejected request: malformed Authorization header"
	req GET /api/tasks - -H "Authorization: Bearer $(head -c 20000 /dev/zero | tr '\0' A)"
	one_of "$ST" "400 401 431" "20 KB bearer token: 400, 401 or 431 (got $ST)"
	req GET /api/tasks - -H "Authorization: bearer $ALICE"
	is "$ST" 200 "auth scheme is case-insensitive (RFC 7235): 200"

	expect_invalid_token "expired" "$(mint alice "{\"exp\":$(now_plus -300),\"iat\":$(now_plus -4000),\"nbf\":$(now_plus -4000)}")" \
	    "the access token has expired"
	req GET /api/tasks "$(mint alice "{\"exp\":$(now_plus -20)}")"
	is "$ST" 200 "expired 20 s ago: within clock_skew: 200"
	expect_invalid_token "not yet valid" "$(mint alice "{\"nbf\":$(now_plus 300)}")"
	req GET /api/tasks "$(mint alice "{\"nbf\":$(now_plus 20)}")"
	is "$ST" 200 "nbf 20 s ahead: within clock_skew: 200"
	expect_invalid_token "no exp" "$(mint alice '{"exp":null}')"
	expect_invalid_token "exp as string" "$(mint alice "{\"exp\":\"$(now_plus 300)\"}")"
	expect_invalid_token "wrong audience" "$(mint alice '{"aud":"00000000-0000-0000-0000-000000000000"}')"
	expect_invalid_token "no audience" "$(mint alice '{"aud":null}')"
	expect_invalid_token "wrong issuer" "$(mint alice '{"iss":"https://evil.example/tenant/v2.0/"}')"
	expect_invalid_token "issuer without trailing slash" "$(mint alice "{\"iss\":\"${ISS_A%/}\"}")"
	expect_invalid_token "no issuer" "$(mint alice '{"iss":null}')"
	expect_invalid_token "foreign key, known kid" "$(mint alice '{}' --key "$KFOREIGN" --kid k1)"
	expect_invalid_token "alg none" "$(mint alice '{}' --alg none --kid k1)"
	expect_invalid_token "alg none, no kid" "$(mint alice '{}' --alg none)"
	hs=$(mint alice '{}' --alg HS256 --key "$K1PUB" --kid k1)
	expect_invalid_token "HS256 keyed with the RSA public key" "$hs"
	expect_invalid_token "header says RS256, signature is PSS" \
	    "$(mint alice '{}' --key "$K1" --kid k1 --alg PS256 --header '{"alg":"RS256"}')"
	expect_invalid_token "ES256 header over an RSA key" \
	    "$(mint alice '{}' --key "$K1" --kid k1 --alg RS256 --header '{"alg":"ES256"}')"
	# Tampering: bob's payload under alice's signature; a changed byte in
	# the middle of the signature.
	tok="$(cut -d. -f1 <<<"$ALICE").$(cut -d. -f2 <<<"$BOB").$(cut -d. -f3 <<<"$ALICE")"
	expect_invalid_token "tampered payload" "$tok"
	mid=$(cut -d. -f3 <<<"$ALICE")
	if [ "${mid:100:1}" = A ]; then x=B; else x=A; fi
	tok="$(cut -d. -f1-2 <<<"$ALICE").${mid:0:100}$x${mid:101}"
	expect_invalid_token "tampered signature" "$tok"
	# A token that names its own key set must not be trusted for it.
	mkdir -p "$IDP/evil"
	"$MINT" --jwks "$KFOREIGN:evil:RS256" >"$IDP/evil/jwks.json"
	chmod -R a+rX "$IDP/evil"
	expect_invalid_token "jku header pointing at another key set" \
	    "$(mint alice '{}' --key "$KFOREIGN" --kid evil --header "{\"jku\":\"http://127.0.0.1:$STATIC_PORT/evil/jwks.json\"}")"
	is "$(grep -c '^GET /evil/' "$STATIC_ACCESS_LOG")" 0 "jku: the URL in the token is never fetched"
	req GET /api/tasks "$(mint alice '{}')"
	is "$ST" 200 "control: a fresh valid token: 200"
	expect_invalid_token "duplicate aud claim (last one valid)" \
	    "$("$MINT" --key "$K1" --kid k1 --raw-claims "{\"iss\":\"$ISS_A\",\"aud\":\"wrong\",\"aud\":\"$API_AUD\",\"oid\":\"alice-oid\",\"scp\":\"read write\",\"exp\":$(now_plus 600)}" | tee -a "$TOKENS")"

	# k1 is published with "alg":"RS256": a PSS signature by the same key
	# must not verify (RFC 7517 4.4; lib/jwk.h jwk_allows).
	expect_invalid_token "PS256 with a published RS256-only RSA key" \
	    "$(mint alice '{}' --key "$K1" --kid k1 --alg PS256)"
	req GET /api/tasks "$(mint carol "{\"iss\":\"$ISS_B\"}" --key "$KEC" --kid e1 --alg ES256)"
	is "$ST" 200 "ES256 token of tenant B: 200"
	req GET /api/tasks "$(mint alice '{}' --header '{"typ":"at+jwt"}')"
	is "$ST" 200 "typ at+jwt: 200"
	req GET /api/tasks "$(mint alice '{}' --header '{"typ":null}')"
	is "$ST" 200 "no typ: 200"

	# Which check failed is logged at info, never told to the client.
	ok "log: the wrong audience is named" logged "rejected token: wrong audience"
	ok "log: the expiry is named" logged "rejected token: token expired"
	ok "log: the bad signature is named" logged "rejected token: bad signature"

	# A key speaks only for its own issuer: tenant A's key k1 under
	# tenant B's issuer (both tenants trusted), and the other way round.
	expect_invalid_token "tenant A's key under tenant B's issuer" \
	    "$(mint carol "{\"iss\":\"$ISS_B\"}" --key "$K1" --kid k1 --alg RS256)"
	expect_invalid_token "tenant B's key under tenant A's issuer" \
	    "$(mint alice '{}' --key "$KEC" --kid e1 --alg ES256)"
	ok "log: the key of another issuer is an unknown key" logged "rejected token: unknown signing key"
	req GET /api/tasks "$(mint alice '{"tfp":"B2C_1_edit"}')"
	is "$ST" 200 "tenant A's two user flows share an issuer and its keys: 200"

	# Lifetimes: exp - iat (or exp - now) at most max_token_lifetime.
	expect_invalid_token "lifetime a day and 100 s" \
	    "$(mint alice "{\"iat\":$(now_plus -5),\"nbf\":$(now_plus -5),\"exp\":$(now_plus 86495)}")"
	expect_invalid_token "no iat, exp a day and 100 s ahead" \
	    "$(mint alice "{\"iat\":null,\"exp\":$(now_plus 86500)}")"
	expect_invalid_token "issued two days ago, valid another minute" \
	    "$(mint alice "{\"iat\":$(now_plus -172800),\"nbf\":$(now_plus -172800),\"exp\":$(now_plus 60)}")"
	ok "log: the lifetime is named" logged "rejected token: token lifetime too long"
	req GET /api/tasks "$(mint alice "{\"iat\":$(now_plus -5),\"exp\":$(now_plus 86000)}")"
	is "$ST" 200 "lifetime just under a day: 200"
}

cases_scopes() {
	local ro wo id=$TASK_ALICE before
	ro=$(mint alice '{"scp":"read"}')
	wo=$(mint alice '{"scp":"write"}')
	req GET "/api/tasks/$id" "$ALICE"
	before=$BODY

	req GET /api/tasks "$ro"
	is "$ST" 200 "scope read: list 200"
	req GET "/api/tasks/$id" "$ro"
	is "$ST" 200 "scope read: get 200"
	expect_insufficient "scope read: POST" write POST /api/tasks "$ro" '{"text":"x"}'
	expect_insufficient "scope read: PATCH" write PATCH "/api/tasks/$id" "$ro" '{"done":true}'
	expect_insufficient "scope read: DELETE" write DELETE "/api/tasks/$id" "$ro"
	req GET "/api/tasks/$id" "$ALICE"
	is "$BODY" "$before" "scope read: the task is unchanged"

	expect_insufficient "scope write: list" read GET /api/tasks "$wo"
	expect_insufficient "scope write: get" read GET "/api/tasks/$id" "$wo"
	send POST /api/tasks "$wo" '{"text":"write-only"}'
	is "$ST" 201 "scope write: POST 201"

	req GET /api/tasks "$(mint alice '{"scp":null,"scope":"read write"}')"
	is "$ST" 200 "RFC 9068 scope claim: 200"
	req GET /api/tasks "$(mint alice '{"scp":"openid offline_access read"}')"
	is "$ST" 200 "read among other scopes: 200"
	local s
	for s in "Read Write" "readwrite" "read_all write_all" "READ" "tasks.read" ""; do
		req GET /api/tasks "$(mint alice "{\"scp\":\"$s\"}")"
		is "$ST" 403 "scp '$s': 403"
	done
	req GET /api/tasks "$(mint alice '{"scp":null}')"
	is "$ST" 403 "no scope claim: 403"
	send POST /api/tasks "$(mint alice '{"scp":"read Write"}')" '{"text":"x"}'
	is "$ST" 403 "scp 'read Write': POST 403"
}

cases_limits() {
	local n
	# A list holds at most 500 tasks: fill one user's up to 499 directly.
	psql_c "INSERT INTO api.tasks (owner_sub, owner_iss, text)
	    SELECT 'limit-user-oid', '$ISS_A', 'filler ' || g FROM generate_series(1, 499) g"
	send POST /api/tasks "$(mint limit-user '{}')" '{"text":"the 500th"}'
	is "$ST" 201 "limit: the 500th task is created"
	send POST /api/tasks "$(mint limit-user '{}')" '{"text":"one too many"}'
	is "$ST" 409 "limit: the 501st is refused with 409"
	is "$(jb .error)" too_many_tasks "limit: error too_many_tasks"
	n=$(psql_c "SELECT count(*) FROM api.tasks WHERE owner_sub = 'limit-user-oid'")
	is "$n" 500 "limit: nothing was added"
	req GET /api/tasks "$(mint limit-user '{}')"
	is "$(jb '.tasks | length')" 500 "limit: the list holds 500 tasks"

	# Under concurrency: 490 tasks, then 40 POSTs at once (one curl, all
	# connections opened at once).  A test-only trigger makes each such
	# insert take 50 ms, as on a loaded database: without a lock held
	# from the count to the commit, inserts of the API's processes
	# overlap and each counts the others' rows as not there yet.
	local d="$T_SCRATCH/race" i codes n409
	mkdir -p "$d"
	psql_c "INSERT INTO api.tasks (owner_sub, owner_iss, text)
	    SELECT 'race-oid', '$ISS_A', 'filler ' || g FROM generate_series(1, 490) g"
	psql_c "CREATE FUNCTION public.test_slow_insert() RETURNS trigger
	    LANGUAGE plpgsql AS \$\$ BEGIN
	    IF NEW.owner_sub = 'race-oid' THEN PERFORM pg_sleep(0.05); END IF;
	    RETURN NEW; END \$\$;
	    CREATE TRIGGER test_slow_insert BEFORE INSERT ON api.tasks
	    FOR EACH ROW EXECUTE FUNCTION public.test_slow_insert()"
	{
		printf 'header = "Authorization: Bearer %s"\n' "$(mint race '{}')"
		printf 'header = "Content-Type: application/json"\n'
		printf 'data-binary = "{\\"text\\":\\"racer\\"}"\n'
		for i in $(seq 1 40); do
			printf 'url = "%s/api/tasks"\noutput = "%s/b%d"\n' "$BASE" "$d" "$i"
		done
	} >"$d/curl.cfg"
	codes=$(curl -s -m 60 -Z --parallel-immediate --parallel-max 40 \
	    -K "$d/curl.cfg" -w '%{http_code}\n' 2>/dev/null | sort | uniq -c |
	    awk '{printf "%s%s:%s", sep, $2, $1; sep=" "}')
	psql_c "DROP TRIGGER test_slow_insert ON api.tasks;
	    DROP FUNCTION public.test_slow_insert()"
	n409=$(cat "$d"/b* | jq -r .error 2>/dev/null | grep -c '^too_many_tasks$')
	is "$(psql_c "SELECT count(*) FROM api.tasks WHERE owner_sub = 'race-oid'")" 500 \
	    "limit, 40 parallel POSTs over 490 tasks: exactly 500 stored"
	is "$codes" "201:10 409:30" "limit, parallel: 10 created (201), 30 refused (409)"
	is "$n409" 30 "limit, parallel: every 409 is too_many_tasks"
}

cases_isolation() {
	local id=$TASK_ALICE missing before carol
	req GET /api/tasks/2147483000 "$BOB"
	missing="$ST $BODY"
	req GET "/api/tasks/$id" "$ALICE"
	before=$BODY

	req GET "/api/tasks/$id" "$BOB"
	is "$ST" 404 "bob: alice's task is 404"
	is "$ST $BODY" "$missing" "bob: same answer as a missing task"
	send PATCH "/api/tasks/$id" "$BOB" '{"text":"hacked","done":true}'
	is "$ST" 404 "bob: PATCH alice's task: 404"
	req DELETE "/api/tasks/$id" "$BOB"
	is "$ST" 404 "bob: DELETE alice's task: 404"
	req GET "/api/tasks/$id" "$ALICE"
	is "$BODY" "$before" "bob: alice's task unchanged"
	req GET /api/tasks "$BOB"
	is "$(jb "[.tasks[] | select(.id == $id)] | length")" 0 "bob: alice's task not in bob's list"
	send POST /api/tasks "$BOB" '{"text":"bob task"}'
	is "$ST" 201 "bob: creates his own"
	BOB_TASK=$(jb .id)
	req GET /api/tasks "$ALICE"
	is "$(jb "[.tasks[] | select(.id == $BOB_TASK)] | length")" 0 "alice: bob's task not in her list"
	req GET "/api/tasks/$BOB_TASK" "$ALICE"
	is "$ST" 404 "alice: bob's task is 404"

	# Same oid, other issuer: another user.
	carol=$(mint alice "{\"iss\":\"$ISS_B\"}" --key "$KEC" --kid e1 --alg ES256)
	req GET "/api/tasks/$id" "$carol"
	is "$ST" 404 "same oid, other issuer: alice's task is 404"
	req GET /api/tasks "$carol"
	is "$(jb "[.tasks[] | select(.id == $id)] | length")" 0 "same oid, other issuer: not in the list"
	req DELETE "/api/tasks/$id" "$carol"
	is "$ST" 404 "same oid, other issuer: DELETE 404"

	# Same issuer, other user flow (B2C policy): same user.
	req GET "/api/tasks/$id" "$(mint alice '{"tfp":"B2C_1_edit"}')"
	is "$ST" 200 "same user through another user flow: 200"
	# user_claim is oid (the default): oid is the user, never sub.
	req GET "/api/tasks/$id" "$(mint alice '{"sub":"someone-else"}')"
	is "$ST" 200 "oid is the user, not sub: 200"
	expect_invalid_token "user_claim oid: a sub-only token (no fallback)" \
	    "$(mint alice '{"oid":null,"sub":"alice-oid"}')"
	expect_invalid_token "oid a number, sub a string" "$(mint alice '{"oid":42}')"
	expect_invalid_token "oid empty, sub a string" "$(mint alice '{"oid":""}')"
	expect_invalid_token "oid an array, sub a string" "$(mint alice '{"oid":["alice-oid"]}')"
	expect_invalid_token "neither oid nor sub" "$(mint alice '{"oid":null,"sub":null}')"
	ok "log: a missing user claim is named" logged "rejected token: no user claim"
	ok "log: a user claim of the wrong type is named" logged "rejected token: user claim not a string"
	ok "log: an empty user claim is named" logged "rejected token: user claim empty or too long"
}

cases_concurrency() {
	local i cfg="$T_SCRATCH/par.cfg" codes t0 t1
	printf 'header = "Authorization: Bearer %s"\n' "$ALICE" >"$cfg"
	for i in $(seq 1 64); do
		printf 'url = "%s/api/tasks"\noutput = "/dev/null"\n' "$BASE" >>"$cfg"
	done
	t0=$(date +%s%N)
	codes=$(curl -s -Z --parallel-max 32 -K "$cfg" -w '%{http_code}\n' 2>/dev/null | sort | uniq -c | tr -s ' ')
	t1=$(date +%s%N)
	diag "64 GETs, 32 at a time: $(( (t1 - t0) / 1000000 )) ms"
	like "$codes" '^ ?64 200$' "concurrency: 64 parallel GETs all 200 ($codes)"
}

cases_provider_down() {
	local a b c
	# The key sets disappear (404), then the whole provider.
	mv "$IDP/$JWKS_A" "$IDP/$JWKS_A.gone"
	req GET /api/tasks "$(mint alice '{}' --key "$KFOREIGN" --kid k9)"
	one_of "$ST" "401 503" "keys 404: unknown kid: 401 or 503 (got $ST)"
	req GET /api/tasks "$ALICE"
	is "$ST" 200 "keys 404: key-1 token still works"
	static_server_stop
	req GET /api/tasks "$ALICE"
	a=$ST
	req GET /api/tasks "$K2TOK"
	b=$ST
	req GET /api/tasks "$(mint carol "{\"iss\":\"$ISS_B\"}" --key "$KEC" --kid e1 --alg ES256)"
	c=$ST
	is "$a $b $c" "200 200 200" "provider down: tokens with known keys (k1, k2, e1) still work"
	req GET /api/tasks "$(mint alice '{}' --key "$KFOREIGN" --kid k10)"
	one_of "$ST" "401 503" "provider down: unknown kid: 401 or 503 (got $ST)"
	req GET /api/healthz -
	is "$ST" 200 "provider down: healthz 200"
	req GET /api/readyz -
	one_of "$ST:$(jb .reason)" "200:null 503:provider" \
	    "provider down: readyz 200 (this process has every key) or 503, reason provider"
	mv "$IDP/$JWKS_A.gone" "$IDP/$JWKS_A"
	static_server_restart || bail_out "static server did not restart"
}

cases_db_down() {
	local n i
	pg_stop
	req GET /api/healthz -
	is "$ST" 200 "db down: healthz 200 (alive; it touches no database)"
	req GET /api/readyz -
	is "$ST" 503 "db down: readyz 503"
	like "$(hdr Retry-After)" '^[0-9]+$' "db down: readyz Retry-After"
	is "$(jb .reason)" database "db down: readyz says why: database"
	req GET /api/tasks "$ALICE"
	is "$ST" 503 "db down: list 503"
	like "$(hdr Retry-After)" '^[0-9]+$' "db down: list Retry-After"
	is "$(jb '.error | type')" string "db down: JSON error body"
	send POST /api/tasks "$ALICE" '{"text":"while down"}'
	is "$ST" 503 "db down: create 503"
	req GET "/api/tasks/$TASK_ALICE" "$ALICE"
	is "$ST" 503 "db down: get 503"
	req GET /api/tasks -
	is "$ST" 401 "db down: no token is still 401"

	pg_restart || bail_out "PostgreSQL did not restart"
	ok "db back: readyz 200 again within 15 s" wait_status "$BASE/api/readyz" 200 15
	n=0
	for i in $(seq 1 12); do
		req GET "/api/tasks/$TASK_ALICE" "$ALICE"
		[ "$ST" = 200 ] && n=$((n + 1))
	done
	is "$n" 12 "db back: every process reconnects (12 of 12 GETs 200)"
	is "$(jb .text)" "buy milk" "db back: data still there"
	send POST /api/tasks "$ALICE" '{"text":"after restart"}'
	is "$ST" 201 "db back: create 201"
}

# cases_logs: every server log exists (the server's own stdout capture,
# *.out or stdout.log, may be empty; the others have lines) and none holds
# a token, a token's signature or a token's payload.
cases_logs() {
	local f found=0 bad=""
	local files=()
	for f in "${API_LOGS[@]}"; do
		if [ ! -f "$f" ]; then
			bad="$bad$f: missing"$'\n'
			continue
		fi
		files+=("$f")
		case $f in
		*.out | */stdout.log) ;;
		*) [ -s "$f" ] || bad="$bad$f: empty"$'\n' ;;
		esac
	done
	is "$bad" "" "logs: every server log exists and has lines (${#API_LOGS[@]} files)"
	sort -u "$TOKENS" | grep -v '^$' >"$TOKENS.u"
	if [ ! -s "$TOKENS.u" ] || [ "${#files[@]}" -eq 0 ]; then
		fail "logs: no token appears in any server log" \
		    "nothing to check: $(wc -l <"$TOKENS.u") tokens, ${#files[@]} log files"
		return
	fi
	if grep -F -q -f "$TOKENS.u" "${files[@]}"; then
		found=1
		grep -F -n -f "$TOKENS.u" "${files[@]}" | head -n 3 | cut -c 1-300 |
		    while IFS= read -r l; do diag "$l"; done
	fi
	is "$found" 0 "logs: no token appears in any server log ($(wc -l <"$TOKENS.u") tokens)"
	# Nor any signature part alone (40+ characters).
	cut -d. -f3 "$TOKENS.u" | awk 'length($0) >= 40' >"$TOKENS.sig"
	found=0
	grep -F -q -f "$TOKENS.sig" "${files[@]}" && found=1
	is "$found" 0 "logs: no token signature appears in any server log"
	found=0
	cut -d. -f2 "$TOKENS.u" | awk 'length($0) >= 40' >"$TOKENS.pay"
	grep -F -q -f "$TOKENS.pay" "${files[@]}" && found=1
	is "$found" 0 "logs: no token payload appears in any server log"
}
