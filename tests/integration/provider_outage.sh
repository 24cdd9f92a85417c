# tests/integration/provider_outage.sh -- the provider documents kept in
# PostgreSQL (lib/provider_store.c), shared by provider_outage_lighttpd.test
# and provider_outage_apache.test (sourced after lib.sh and stack.sh).
#
#   provider_outage_run SERVER
#       the whole stack behind SERVER; alice signs in and both programs
#       fetch (and store) every provider document; the provider stops and
#       the web server restarts (every FastCGI process new): the API still
#       takes a valid token, the web app still serves alice, both /readyz
#       say ready.  Then the negative control: the stored rows deleted, the
#       server restarted again, provider still down: 503 and not ready.
#       The provider back: 200 again, and the documents stored again.

PO_API_AUD=00000000-0000-4000-a000-000000000002	# stack.sh's api.conf
PO_ALICE_OID=6f1c2a3b-0001-4a5e-9c7d-a11ce0000001	# deploy/dev-idp

# po_token: an access token as the development provider issues them for
# alice, signed with its (public, test-only) key.
po_token() {
	local mint key=$STACK_DIR/dev-idp-key.pem now claims
	mint=$(tool mint-jwt) || return 1
	node -e 'const c = require("crypto"), fs = require("fs");
	    const k = JSON.parse(fs.readFileSync(process.argv[1])).keys[0];
	    process.stdout.write(c.createPrivateKey({ key: k, format: "jwk" })
	        .export({ type: "pkcs8", format: "pem" }));' \
	    "$top_srcdir/deploy/dev-idp/test-signing-key.json" >"$key" || return 1
	chmod 600 "$key"
	now=$(date +%s)
	claims=$(jq -cn --arg iss "$IDP_ISSUER" --arg aud "$PO_API_AUD" \
	    --arg oid "$PO_ALICE_OID" --argjson now "$now" '{iss: $iss,
	    aud: $aud, sub: $oid, oid: $oid, scp: "read write",
	    azp: "00000000-0000-4000-a000-000000000001", ver: "1.0",
	    tfp: "B2C_1_susi", iat: $now, nbf: $now, exp: ($now + 3600)}')
	"$mint" --key "$key" --kid dev-idp-test-key-1 --alg RS256 \
	    --claims "$claims"
}

# po_code URL [CURL_ARGS...]: the status of GET URL.
po_code() {
	local url=$1
	shift
	curl -s -o "$STACK_DIR/po-body" -m 30 -w '%{http_code}' "$@" "$url"
}

# po_fcgi: the pids of the server's FastCGI processes (its process group).
po_fcgi() {
	ps -e -o pid=,pgid=,comm= | awk -v g="$STACK_SERVER_PID" \
	    '$2 == g && $3 ~ /^todo-(api|webapp)/ { print $1 }' | sort -n |
	    tr '\n' ' '
}

# po_restart: stop the web server with all its FastCGI processes, start it
# again on the same port, wait until both programs answer.  (lighttpd's
# stdout, where the programs log, is started anew: the old one is kept.)
po_restart() {
	local port=${APP_URL##*:} out=$STACK_DIR/lighttpd/lighttpd.out
	server_stop "$STACK_SERVER_PID"
	[ -f "$out" ] && cat "$out" >>"$STACK_DIR/po-earlier.out"
	case $STACK_SERVER in
	lighttpd) stack_lighttpd_start "$port" || return 1 ;;
	apache)
		stack_apache_start "$port" || return 1
		STACK_SERVER_PID=$T_APACHE_PID ;;
	*) return 1 ;;
	esac
	wait_status "$APP_URL/healthz" 200 30 &&
	    wait_status "$APP_URL/api/healthz" 200 30
}

# po_api_wait TOKEN STATUS: until the API answers STATUS to TOKEN (a
# process that found nothing asks the provider again after 5 s).
po_api_wait() {
	local i code
	for i in $(seq 1 40); do
		code=$(po_code "$APP_URL/api/tasks" -H "Authorization: Bearer $1")
		[ "$code" = "$2" ] && break
		sleep 0.5
	done
	printf '%s\n' "$code"
}

# po_logged TEXT: whether a log of the stack has TEXT.
po_logged() {
	local f
	for f in $STACK_LOGS "$STACK_DIR/po-earlier.out"; do
		grep -qF "$1" "$f" 2>/dev/null && return 0
	done
	return 1
}

# po_rows SCHEMA: how many documents SCHEMA.provider_cache holds.
po_rows() {
	psql_c "SELECT count(*) FROM $1.provider_cache"
}

provider_outage_run() {
	local server=$1 jar tok csrf before after gone f
	stack_up "$server" || bail_out "$server: the stack did not start"
	pass "$server: the stack is up ($APP_URL)"
	jar=$STACK_DIR/jar
	ok "$server: alice signs in" stack_signin "$jar" alice alice-password /tasks
	csrf=$(stack_csrf "$jar" /tasks)
	stack_http "$jar" POST "$APP_URL/tasks" --data-urlencode "csrf=$csrf" \
	    --data-urlencode "text=outlives the provider"
	tok=$(po_token) || bail_out "cannot mint a token with the provider's key"
	printf '%s\n' "$tok" >>"$STACK_DIR/secrets"

	# Up: every document is fetched, and stored.
	is "$(po_code "$APP_URL/api/tasks" -H "Authorization: Bearer $tok")" 200 \
	    "$server: provider up: the API takes the token"
	contains "$(cat "$STACK_DIR/po-body")" "outlives the provider" \
	    "$server: ... and lists alice's task"
	is "$(po_code "$APP_URL/readyz")" 200 "$server: the web app is ready"
	is "$(po_code "$APP_URL/api/readyz")" 200 "$server: the API is ready"
	is "$(po_rows api)" 6 "$server: the API stored 3 discovery documents and their JWK sets"
	is "$(po_rows webapp)" 6 "$server: the web app stored them too (3 user flows)"
	is "$(psql_c "SELECT count(*) FROM api.provider_cache WHERE document = 'jwks'
	    AND body::jsonb ? 'keys' AND fetched_at > now() - interval '5 minutes'")" 3 \
	    "$server: stored keys are JWK sets, with their fetch time"

	# The provider stops; every FastCGI process is replaced.
	server_stop "$STACK_IDP_PID"
	STACK_IDP_PID=""
	is "$(po_code "${IDP_METADATA/\{policy\}/B2C_1_susi}")" 000 \
	    "$server: the provider is unreachable"
	before=$(po_fcgi)
	ok "$server: the web server restarts" po_restart
	is "$(po_code "$APP_URL/api/tasks" -H "Authorization: Bearer $tok")" 200 \
	    "$server: provider down, new processes: the API takes the token (stored keys)"
	contains "$(cat "$STACK_DIR/po-body")" "outlives the provider" \
	    "$server: ... and lists alice's task"
	stack_http "$jar" GET "$APP_URL/tasks"
	is "$ST_STATUS" 200 "$server: the web app serves signed-in alice"
	contains "$ST_PAGE" "outlives the provider" "$server: ... her tasks page"
	is "$(po_code "$APP_URL/api/readyz")" 200 "$server: the API is ready (stored keys)"
	is "$(po_code "$APP_URL/readyz")" 200 "$server: the web app is ready (stored documents)"
	after=$(po_fcgi)
	gone=1
	for f in $before; do
		kill -0 "$f" 2>/dev/null && gone=0
	done
	ok "$server: every FastCGI process is new ($before-> $after)" \
	    test -n "$before" -a -n "$after" -a "$gone" = 1
	ok "$server: the programs said they started from the store" \
	    po_logged "keys from the store"

	# Negative control: the same without the stored rows.
	psql_c "DELETE FROM api.provider_cache; DELETE FROM webapp.provider_cache" >/dev/null
	ok "$server: the web server restarts, the store emptied" po_restart
	is "$(po_code "$APP_URL/api/tasks" -H "Authorization: Bearer $tok")" 503 \
	    "$server: no stored keys, provider down: the API answers 503"
	is "$(po_code "$APP_URL/api/readyz")" 503 "$server: ... and is not ready"
	is "$(po_code "$APP_URL/readyz")" 503 "$server: the web app is not ready"

	# The provider back: fetched and stored again.
	ok "$server: the provider starts again" stack_idp_restart
	is "$(po_api_wait "$tok" 200)" 200 \
	    "$server: provider back: the API takes the token"
	ok "$server: the web app is ready again" \
	    wait_status "$APP_URL/readyz" 200 20
	ok "$server: both programs stored the documents again" \
	    test "$(po_rows api)" -ge 2 -a "$(po_rows webapp)" -ge 2

	for f in $STACK_LOGS; do
		if grep -qF -f "$STACK_DIR/secrets" "$f" 2>/dev/null; then
			fail "$server: no token, code or session id in $f"
		fi
	done
	pass "$server: no token, code or session id in the logs"
	stack_down
}
