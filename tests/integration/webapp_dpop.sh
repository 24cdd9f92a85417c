# tests/integration/webapp_dpop.sh -- the web app with DPoP-bound tokens
# (RFC 9449), sourced by webapp_cases.sh; run with a signed-in alice ($JA).
#
#   wc_dpop      the development provider offers DPoP, use_dpop is auto:
#                alice's session has its own key, her cached access token
#                is bound to it (cnf.jkt), the task pages work through
#                DPoP calls, and the API refuses that token without the
#                session's key.
#   wc_dpop_renewed   after wc_renewal: the refreshed token is bound too.

# wc_b64url_json PART: a JWT part decoded.
wc_b64url_json() {
	local s
	s=$(printf '%s' "$1" | tr '_-' '/+')
	while [ $(( ${#s} % 4 )) -ne 0 ]; do s="$s="; done
	printf '%s' "$s" | base64 -d 2>/dev/null
}

# wc_dpop_logged TEXT: a log of the stack has TEXT, within 3 s (a server
# may write its error log a moment after it answered).
wc_dpop_logged() {
	local i f
	for i in 1 2 3 4 5 6; do
		for f in $STACK_LOGS; do
			grep -qF -- "$1" "$f" 2>/dev/null && return 0
		done
		sleep 0.5
	done
	return 1
}

# wc_dpop_session: the hash of the session whose tokens changed last, if
# it has a DPoP key.
wc_dpop_session() {
	wc_db "SELECT t.session_hash FROM webapp.tokens t
	    JOIN webapp.dpop_keys k ON k.session_hash = t.session_hash
	    ORDER BY t.updated_at DESC LIMIT 1"
}

# wc_dpop_token HASH: that session's cached access token, opened (and
# noted as a secret for the log checks).
wc_dpop_token() {
	local tok
	tok=$(node "$top_srcdir/tests/tools/unseal.js" "$STACK_DIR/cache.key" \
	    "$1|access" "$(wc_db "SELECT access_token FROM webapp.tokens
	    WHERE session_hash = '$1'")" 2>/dev/null)
	stack_note_secret "$tok"
	printf '%s\n' "$tok"
}

# wc_dpop_jkt TOKEN: its cnf.jkt, or nothing.
wc_dpop_jkt() {
	wc_b64url_json "$(printf '%s' "$1" | cut -d. -f2)" |
	    jq -r '.cnf.jkt // empty' 2>/dev/null
}

# wc_dpop_key_jkt HASH: the RFC 7638 thumbprint of that session's DPoP key,
# from its sealed private key (opened, its public point taken by openssl).
wc_dpop_key_jkt() {
	local b64 pub x y
	b64=$(node "$top_srcdir/tests/tools/unseal.js" "$STACK_DIR/cache.key" \
	    "$1|dpop" "$(wc_db "SELECT private_key FROM webapp.dpop_keys
	    WHERE session_hash = '$1'")" 2>/dev/null | tr '_-' '/+')
	while [ $(( ${#b64} % 4 )) -ne 0 ]; do b64="$b64="; done
	pub="$STACK_DIR/dpop-pub.der"
	printf '%s' "$b64" | base64 -d 2>/dev/null |
	    openssl ec -inform DER -pubout -outform DER 2>/dev/null >"$pub"
	# The SubjectPublicKeyInfo ends in the point 04 || x || y.
	x=$(tail -c 64 "$pub" | head -c 32 | base64 -w0 | tr '+/' '-_' | tr -d '=')
	y=$(tail -c 32 "$pub" | base64 -w0 | tr '+/' '-_' | tr -d '=')
	printf '{"crv":"P-256","kty":"EC","x":"%s","y":"%s"}' "$x" "$y" |
	    openssl dgst -sha256 -binary | base64 -w0 | tr '+/' '-_' | tr -d '='
}

# wc_dpop_renewed: after wc_renewal, the refreshed token is bound too.
wc_dpop_renewed() {
	local hash tok
	hash=$(wc_dpop_session)
	tok=$(wc_dpop_token "$hash")
	like "$(wc_dpop_jkt "$tok")" '^[A-Za-z0-9_-]{43}$' \
	    "dpop: a refreshed access token is DPoP-bound too (cnf.jkt)"
	is "$(wc_dpop_jkt "$tok")" "$(wc_dpop_key_jkt "$hash")" \
	    "dpop: ... to the session's own key"
}

# wc_dpop_api SCHEME TOKEN: GET the API's task list with that
# Authorization (no DPoP header); sets code and challenge.
wc_dpop_api() {
	code=$(curl -s -o /dev/null -D "$STACK_DIR/dpop.h" -w '%{http_code}' \
	    -H "Authorization: $1 $2" "$STACK_API_URL_/tasks")
	challenge=$(tr -d '\r' <"$STACK_DIR/dpop.h" |
	    grep -i '^WWW-Authenticate:')
}

wc_dpop() {
	local csrf hash tok jkt code challenge rejected
	rejected=$(cat $STACK_LOGS 2>/dev/null | grep -c 'rejected token')
	csrf=$(stack_csrf "$JA" /tasks)
	wc_post "$JA" /tasks csrf="$csrf" text="Sender-constrained"
	is "$ST_STATUS $ST_LOCATION" "303 $APP_URL/tasks" \
	    "dpop: adding a task through DPoP calls: 303"
	stack_follow "$JA"
	is "$ST_STATUS" 200 "dpop: the list loads"
	ok "dpop: with the new task" wc_has '<span class="text">Sender-constrained</span>'
	is "$(cat $STACK_LOGS 2>/dev/null | grep -c 'rejected token')" "$rejected" \
	    "dpop: the API refused none of the web app's calls"

	hash=$(wc_dpop_session)
	like "$hash" '^[A-Za-z0-9_-]{43}$' \
	    "dpop: the session with cached tokens has a DPoP key"
	like "$(wc_db "SELECT private_key FROM webapp.dpop_keys
	    WHERE session_hash = '$hash'")" '^[A-Za-z0-9_-]+$' \
	    "dpop: the key is stored sealed (no PEM, no JSON)"
	tok=$(wc_dpop_token "$hash")
	like "$tok" '^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$' \
	    "dpop: the cached access token opens with the cache key"
	jkt=$(wc_dpop_jkt "$tok")
	like "$jkt" '^[A-Za-z0-9_-]{43}$' \
	    "dpop: the cached access token is DPoP-bound (cnf.jkt)"
	is "$jkt" "$(wc_dpop_key_jkt "$hash")" \
	    "dpop: ... to the session's own key (its thumbprint)"

	wc_dpop_api Bearer "$tok"
	is "$code" 401 "dpop: the API refuses the cached token as a bearer token"
	like "$challenge" \
	    'Bearer realm="todo-b2c", error="invalid_token".*DPoP algs=' \
	    "dpop: ... invalid_token, and DPoP offered"
	wc_dpop_api DPoP "$tok"
	is "$code" 401 "dpop: ... and as DPoP without the session's proof"
	like "$challenge" 'DPoP realm="todo-b2c", error="invalid_dpop_proof"' \
	    "dpop: ... invalid_dpop_proof"
	ok "dpop: the API logged the bearer use of a bound token" \
	    wc_dpop_logged 'rejected token: dpop-bound token sent as a bearer token'
	stack_http "$JA" GET "$APP_URL/tasks"
	is "$ST_STATUS" 200 "dpop: the web app still works after that"
}
