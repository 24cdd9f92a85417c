# tests/integration/webapp_cases.sh -- the web app's integration cases,
# shared by webapp_lighttpd.test and webapp_apache.test (sourced after
# lib.sh and stack.sh).
#
#   webapp_run SERVER    every case against the whole stack under SERVER
#                        (lighttpd | apache): the real development identity
#                        provider, PostgreSQL, the API and the web app.
#
# Two stacks per server: the first with defaults (provider on 127.0.0.1,
# one-hour tokens), the second with the provider on 127.0.0.2 (another
# site) and 61-second tokens, for renewal.  Needs what stack.sh needs; a
# missing dependency is a failure, not a skip.

. "$T_LIBDIR/webapp_dpop.sh"	# wc_dpop: DPoP-bound tokens (RFC 9449)

# ---- helpers ---------------------------------------------------------------

# wc_post JAR PATH [NAME=VALUE...]: an urlencoded form POST to the app.
wc_post() {
	local jar=$1 path=$2 kv
	local -a args=()
	shift 2
	for kv in "$@"; do
		args+=(--data-urlencode "$kv")
	done
	[ ${#args[@]} -eq 0 ] && args=(--data '')
	stack_http "$jar" POST "$APP_URL$path" "${args[@]}"
}

# wc_task_id TEXT: the id of the task with that (plain) text on the last page.
wc_task_id() {
	printf '%s' "$ST_PAGE" | perl -e '
	my $t = shift; local $/; my $h = <STDIN>;
	exit 1 unless $h =~ m{<span class="text">\Q$t\E</span><form class="inline" method="post" action="/tasks/(\d+)/done">};
	print $1;' -- "$1"
}

# (stack_csrf runs in $(...), a subshell: it does not update ST_PAGE.)
wc_db() {
	psql_c "$1" 2>&1
}

# wc_token_posts: token endpoint requests in every provider log so far.
wc_token_posts() {
	local f n=0 c
	for f in "$STACK_DIR"/idp-*.log; do
		c=$(grep -cE ' POST /[^ ]+/oauth2/v2\.0/token [0-9]+ ' "$f")
		n=$((n + c))
	done
	printf '%d\n' "$n"
}

wc_form() {	# wc_form SELECTOR: is there such a form on the last page?
	stack_form "$1" >/dev/null
}

wc_has() {	# wc_has FIXED-STRING: on the last page?
	page_has "$1"
}

# wc_security_headers WHAT: the headers every HTML answer must carry.
wc_security_headers() {
	local what=$1 csp
	csp=$(stack_header Content-Security-Policy)
	like "$csp" "frame-ancestors 'none'" "$what: CSP has frame-ancestors 'none'"
	unlike "$csp" "unsafe-inline|unsafe-eval|^$" "$what: CSP present, no unsafe-inline/eval"
	like "$csp" "default-src 'none'" "$what: CSP default-src 'none'"
	is "$(stack_header X-Frame-Options)" DENY "$what: X-Frame-Options DENY"
	is "$(stack_header Referrer-Policy)" no-referrer "$what: Referrer-Policy no-referrer"
	is "$(stack_header X-Content-Type-Options)" nosniff "$what: X-Content-Type-Options nosniff"
	is "$(stack_header Cache-Control)" no-store "$what: Cache-Control no-store"
}

# wc_session_count
wc_sessions() {
	wc_db "SELECT count(*) FROM webapp.sessions"
}

# wc_error_answer JAR WHAT: post the provider's error answer (form_post,
# error_description with CR LF as B2C sends it) and follow the app.  When
# the app refuses it, says why and goes on with the CR LF replaced by
# spaces, so the cases after it still run.
wc_error_answer() {
	local jar=$1 what=$2 body
	stack_form_post "$jar"
	is "$ST_STATUS" 303 "$what: the app accepts the error answer (error_description with CR LF, as B2C sends it)"
	if [ "$ST_STATUS" = 400 ]; then
		diag "the app's page: $(printf '%s' "$ST_PAGE" | grep -o '<p class="error"[^<]*' | sed 's/.*>//')"
		body=$(printf '%s' "$STACK_FP_BODY" | sed 's/%0D%0A/%20/g')
		stack_http "$jar" POST "$APP_URL/signin/callback" --data-binary "$body" \
		    -H 'Content-Type: application/x-www-form-urlencoded'
		diag "the same answer with CR LF replaced by spaces: $ST_STATUS $ST_LOCATION"
	fi
	STACK_CALLBACK=$ST_LOCATION
	stack_http "$jar" GET "$STACK_CALLBACK"
	STACK_CALLBACK_STATUS=$ST_STATUS
	STACK_CALLBACK_LOCATION=$ST_LOCATION
	stack_follow "$jar"
}

# wc_healthz WHAT: the app, the API behind the same server and the
# provider's discovery document all answer 200.
wc_healthz() {
	local u got=""
	for u in "$APP_URL/healthz" "$APP_URL/api/healthz" \
	    "${IDP_METADATA/\{policy\}/B2C_1_susi}"; do
		got="$got $(curl -s -o /dev/null -m 10 -w '%{http_code}' "$u")"
	done
	is "${got# }" "200 200 200" "$1"
}

# wc_b64hash STRING: SHA-256, unpadded base64url (how the app stores ids).
wc_b64hash() {
	printf '%s' "$1" | openssl dgst -sha256 -binary | base64 | tr '+/' '-_' | tr -d '=\n'
}

# wc_session_hash JAR: the stored id_hash of the jar's session.
wc_session_hash() {
	wc_b64hash "$(stack_cookie "$1" todo_session)"
}

# wc_param URL NAME: one (still encoded) query parameter of URL.
wc_param() {
	printf '%s' "$1" | sed -nE "s/.*[?&]$2=([^&]*).*/\1/p"
}

# wc_webapp_pids: the web app's FastCGI processes under this stack's server.
wc_webapp_pids() {
	ps -e -o pid=,ppid=,args= | awk -v root="${STACK_WEBAPP_POOL_PID:-$STACK_SERVER_PID}" -v bin="$STACK_WEBAPP_BIN_" '
	{ pp[$1] = $2; if (index($3, bin) == 1) w[$1] = 1 }
	END { for (p in w) { q = p; while (q != "" && q != 0 && q != 1) {
		if (q == root) { print p; break } q = pp[q] } } }'
}

# wc_webapp_restart: end the web app's processes (by their ids, children of
# this stack's server); the server starts new ones, which read the
# configuration and the key file again.  Waits until the app answers.
wc_webapp_restart() {
	local pids i
	pids=$(wc_webapp_pids)
	[ -n "$pids" ] || { stack_err "no web app process found"; return 1; }
	kill $pids 2>/dev/null
	for i in $(seq 1 100); do
		sleep 0.1
		[ -z "$(wc_webapp_pids | grep -xF -f <(printf '%s\n' $pids))" ] && break
	done
	for i in $(seq 1 100); do
		[ "$(curl -s -o /dev/null -m 5 -w '%{http_code}' "$APP_URL/healthz")" = 200 ] && return 0
		sleep 0.1
	done
	stack_err "the web app did not come back"
	return 1
}

wc_jar() {	# wc_jar NAME: a fresh cookie jar (= a fresh browser)
	rm -f "$STACK_DIR/jar-$1"
	printf '%s\n' "$STACK_DIR/jar-$1"
}

# ---- cases: no session -----------------------------------------------------

wc_anonymous() {
	local j
	j=$(wc_jar anon)
	stack_http "$j" GET "$APP_URL/healthz"
	is "$ST_STATUS" 200 "GET /healthz: 200"
	like "$ST_PAGE" '"status" *: *"ok"' "GET /healthz: status ok"
	stack_http "$j" GET "$APP_URL/api/healthz"
	is "$ST_STATUS" 200 "GET /api/healthz (the API through the same server): 200"

	stack_http "$j" GET "$APP_URL/static/style.css"
	is "$ST_STATUS" 200 "GET /static/style.css: 200"
	like "$(stack_header Content-Type)" '^text/css' "style.css is text/css"

	stack_http "$j" GET "$APP_URL/"
	is "$ST_STATUS" 200 "GET / signed out: 200"
	like "$(stack_header Content-Type)" '^text/html; charset=utf-8' "GET /: text/html; charset=utf-8"
	ok "GET / signed out offers Sign in" wc_has 'href="/signin"'
	wc_security_headers "GET /"
	unlike "$ST_PAGE" '<script|style=' "GET /: no inline script or style attribute"

	stack_http "$j" GET "$APP_URL/no/such/page"
	is "$ST_STATUS" 404 "GET /no/such/page: 404"
	wc_security_headers "404 page"
	stack_http "$j" GET "$APP_URL/tasks/abc/done"
	is "$ST_STATUS" 404 "GET /tasks/abc/done: 404"
	stack_http "$j" POST "$APP_URL/tasks/0/delete" --data ''
	is "$ST_STATUS" 404 "POST /tasks/0/delete: 404"
	stack_http "$j" GET "$APP_URL/signin/callbackx"
	is "$ST_STATUS" 404 "GET /signin/callbackx: 404"

	stack_http "$j" DELETE "$APP_URL/tasks"
	is "$ST_STATUS" 405 "DELETE /tasks: 405"
	is "$(stack_header Allow)" "GET, HEAD, POST" "DELETE /tasks: Allow GET, HEAD, POST"
	stack_http "$j" GET "$APP_URL/signout"
	is "$ST_STATUS" 405 "GET /signout: 405"
	is "$(stack_header Allow)" "POST" "GET /signout: Allow POST"
	stack_http "$j" PUT "$APP_URL/" --data 'x=1'
	is "$ST_STATUS" 405 "PUT /: 405"
	is "$(stack_header Allow)" "GET, HEAD" "PUT /: Allow GET, HEAD"
	stack_http "$j" GET "$APP_URL/tasks/1/done"
	is "$ST_STATUS" 405 "GET /tasks/1/done: 405"
	is "$(stack_header Allow)" "POST" "GET /tasks/1/done: Allow POST"
	wc_security_headers "405 page"

	stack_http "$j" GET "$APP_URL/tasks"
	is "$ST_STATUS $ST_LOCATION" "303 $APP_URL/signin?return_to=%2Ftasks" \
	    "GET /tasks signed out: 303 to /signin?return_to=/tasks"
	stack_http "$j" GET "$APP_URL/claims"
	is "$ST_STATUS $ST_LOCATION" "303 $APP_URL/signin?return_to=%2Fclaims" \
	    "GET /claims signed out: 303 to /signin?return_to=/claims"
	stack_http "$j" GET "$APP_URL/profile"
	is "$ST_STATUS $ST_LOCATION" "303 $APP_URL/signin?return_to=%2Fprofile" \
	    "GET /profile signed out: 303 to /signin?return_to=/profile"
	wc_post "$j" /tasks text=x csrf=x
	is "$ST_STATUS $ST_LOCATION" "303 $APP_URL/signin?return_to=%2Ftasks%3Fdraft%3D1" \
	    "POST /tasks signed out: 303 to /signin, back to the add form with its draft"
	wc_post "$j" /signout csrf=x
	is "$ST_STATUS $ST_LOCATION" "303 $APP_URL/" "POST /signout signed out: 303 to /"

	stack_http "$j" GET "$APP_URL/signin/callback"
	is "$ST_STATUS" 400 "GET /signin/callback without state: 400"
	stack_http "$j" GET "$APP_URL/signin/callback?state=nonsense"
	is "$ST_STATUS" 400 "GET /signin/callback, unknown state, no binding cookie: 400"
	wc_post "$j" /signin/callback state=nonsense code=nonsense
	is "$ST_STATUS" 400 "POST /signin/callback with an unknown state: 400"
	is "$(wc_sessions)" 0 "no session was created by any of that"
}

# ---- cases: signing in -------------------------------------------------------

# wc_signin_alice: step by step, checking the request and the cookies.
wc_signin_alice() {
	local loc sc
	JA=$(wc_jar alice)
	stack_http "$JA" GET "$APP_URL/signin?return_to=%2Ftasks"
	loc=$ST_LOCATION
	is "$ST_STATUS" 303 "GET /signin: 303"
	like "$loc" "^$IDP_URL/dev\.onmicrosoft\.com/B2C_1_susi/oauth2/v2\.0/authorize\?" \
	    "GET /signin: to the B2C_1_susi authorize endpoint from the metadata"
	like "$loc" '[?&]response_mode=form_post(&|$)' "authorize: response_mode=form_post"
	like "$loc" '[?&]response_type=code(&|$)' "authorize: response_type=code"
	like "$loc" '[?&]code_challenge_method=S256(&|$)' "authorize: PKCE S256"
	like "$loc" '[?&]code_challenge=[A-Za-z0-9_-]{43}(&|$)' "authorize: code_challenge"
	like "$loc" '[?&]state=[A-Za-z0-9_-]{20,}(&|$)' "authorize: state"
	like "$loc" '[?&]nonce=[A-Za-z0-9_-]{20,}(&|$)' "authorize: nonce"
	like "$loc" '[?&]scope=[^&]*offline_access' "authorize: scope has offline_access"
	like "$loc" "[?&]redirect_uri=$(stack_urlencode "$APP_URL/signin/callback")(&|\$)" \
	    "authorize: redirect_uri is the app's callback"
	sc=$(stack_header Set-Cookie | grep '^todo_auth=')
	like "$sc" '^todo_auth=[A-Za-z0-9_-]{43};' "GET /signin sets the browser-binding cookie todo_auth"
	like "$sc" '; HttpOnly(;|$)' "todo_auth: HttpOnly"
	like "$sc" '; SameSite=Lax(;|$)' "todo_auth: SameSite=Lax"
	like "$sc" '; Path=/(;|$)' "todo_auth: Path=/"
	unlike "$sc" '; Secure' "todo_auth: no Secure with cookie_secure off"
	wc_security_headers "GET /signin redirect"

	stack_follow "$JA"
	ok "the provider shows its login page" wc_form 'id="localAccountForm"'
	if ! stack_idp_login "$JA" alice alice-password; then
		fail "alice logs in at the provider"
		return 1
	fi
	ok "the provider answers with a form_post page to the callback" stack_is_form_post
	stack_form_post "$JA"
	is "$ST_STATUS" 303 "POST /signin/callback (form_post): 303"
	wc_secrets_at_rest "$loc"
	like "$ST_LOCATION" "^$APP_URL/signin/callback\\?state=[A-Za-z0-9_-]+\$" \
	    "POST /signin/callback: to GET /signin/callback?state= (no code in the URL)"
	unlike "$ST_LOCATION" "code=" "the code never appears in a URL"
	is "$(stack_header Set-Cookie)" "" "POST /signin/callback sets no cookie (the cross-site POST has none)"
	stack_http "$JA" GET "$ST_LOCATION"
	is "$ST_STATUS $ST_LOCATION" "303 $APP_URL/tasks" "GET /signin/callback: 303 to /tasks"
	sc=$(stack_header Set-Cookie | grep '^todo_session=')
	like "$sc" '^todo_session=[A-Za-z0-9_-]{40,};' "the session cookie todo_session is set"
	like "$sc" '; HttpOnly(;|$)' "todo_session: HttpOnly"
	like "$sc" '; SameSite=Lax(;|$)' "todo_session: SameSite=Lax"
	like "$sc" '; Path=/(;|$)' "todo_session: Path=/"
	unlike "$sc" '; Domain=' "todo_session: host-only (no Domain)"
	unlike "$sc" '; (Max-Age|Expires)=' "todo_session: a browser-session cookie (no Max-Age, no Expires)"
	wc_security_headers "GET /signin/callback redirect"
	stack_follow "$JA"
	is "$ST_STATUS $ST_URL" "200 $APP_URL/tasks" "signed in: /tasks answers 200"
	ok "the header names Alice Anderson" wc_has '<span class="who">Alice Anderson</span>'
	wc_security_headers "GET /tasks"
	is "$(wc_sessions)" 1 "one session in the database"
	is "$(wc_db "SELECT count(*) FROM webapp.auth_requests")" 0 \
	    "the sign-in request was used up"
	is "$(wc_db "SELECT count(*) FROM webapp.tokens WHERE access_token IS NOT NULL AND refresh_token IS NOT NULL AND access_token NOT LIKE 'eyJ%' AND refresh_token NOT LIKE 'eyJ%'")" 1 \
	    "the token cache holds an access and a refresh token, encrypted"
	is "$(wc_db "SELECT count(*) FROM webapp.sessions WHERE id_token LIKE 'eyJ%'")" 0 \
	    "the ID token is stored encrypted"
	is "$(wc_db "SELECT extract(epoch FROM expires_at - created_at)::int FROM webapp.sessions")" 43200 \
	    "the session ends 12 hours after sign-in (session_max_lifetime's default)"
	stack_http "$JA" GET "$APP_URL/claims"
	is "$ST_STATUS" 200 "GET /claims: 200"
	ok "claims page lists oid" wc_has '6f1c2a3b-0001-4a5e-9c7d-a11ce0000001'
	ok "claims page lists tfp B2C_1_susi" wc_has 'B2C_1_susi'
	stack_http "$JA" GET "$APP_URL/"
	ok "GET / signed in welcomes Alice" wc_has 'Welcome, Alice Anderson'
}

# wc_secrets_at_rest AUTHORIZE_URL: between the form_post and the GET
# callback, webapp.auth_requests holds nothing a database reader could
# replay: not the nonce, not the PKCE verifier (its S256 is not the
# challenge), not the code.
wc_secrets_at_rest() {
	local url=$1 sh row nonce chal v n c
	sh=$(wc_b64hash "$STACK_STATE")
	nonce=$(wc_param "$url" nonce)
	chal=$(wc_param "$url" code_challenge)
	row=$(wc_db "SELECT nonce || ' ' || code_verifier || ' ' || coalesce(code, '-') FROM webapp.auth_requests WHERE state_hash = '$sh'")
	read -r n v c <<<"$row"
	ok "auth_requests has the sign-in, with its code recorded" test -n "$n" -a -n "$v" -a "${c:--}" != -
	isnt "$n" "$nonce" "auth_requests.nonce is not the nonce in the clear"
	unlike "$row" "$nonce" "the nonce appears nowhere in the row"
	isnt "$(wc_b64hash "$v")" "$chal" "auth_requests.code_verifier is not the PKCE verifier (its S256 is not the challenge)"
	isnt "$c" "$STACK_CODE" "auth_requests.code is not the code in the clear"
	unlike "$row" "$STACK_CODE" "the code appears nowhere in the row"
}

# wc_query_answer: the app asked for form_post; a code or error in the
# callback's query string is refused, nothing is redeemed, and the
# sign-in stays usable for the real form_post.
wc_query_answer() {
	local j form state n0 s0
	j=$(wc_jar query)
	stack_signin_start "$j" /tasks && stack_idp_login "$j" alice alice-password
	if ! stack_is_form_post; then
		fail "query answer: reach the form_post page"
		return 1
	fi
	form=$(stack_form 'method="post"' | sed -n 2p)
	state=$(stack_field "$form" state)
	n0=$(wc_token_posts)
	s0=$(wc_sessions)
	stack_http "$j" GET "$APP_URL/signin/callback?state=$(stack_urlencode "$state")&code=made-up-code"
	is "$ST_STATUS" 400 "GET /signin/callback?state=&code= (not form_post): 400"
	stack_http "$j" GET "$APP_URL/signin/callback?state=$(stack_urlencode "$state")&error=access_denied"
	is "$ST_STATUS" 400 "GET /signin/callback?state=&error= (not form_post): 400"
	stack_http "$j" GET "$APP_URL/signin/callback?state=$(stack_urlencode "$state")"
	is "$ST_STATUS" 400 "GET /signin/callback?state= before the form_post: 400"
	is "$(wc_token_posts)" "$n0" "nothing was redeemed (no token request)"
	is "$(wc_sessions)" "$s0" "no session was made"
	stack_http "$j" POST "$APP_URL/signin/callback" --data-binary "$form" \
	    -H 'Content-Type: application/x-www-form-urlencoded'
	stack_note_secret "$(stack_field "$form" code)"
	is "$ST_STATUS" 303 "the real form_post is still accepted"
	stack_http "$j" GET "$ST_LOCATION"
	is "$ST_STATUS $ST_LOCATION" "303 $APP_URL/tasks" "and its GET /signin/callback signs in"
}

# wc_signin_flood: pending sign-ins are bounded per browser.
wc_signin_flood() {
	local j cfg bh n other
	stack_http "$(wc_jar flood-other)" GET "$APP_URL/signin"
	other=$(wc_b64hash "$(wc_param "$ST_LOCATION" state)")
	j=$(wc_jar flood)
	cfg=$STACK_DIR/flood.curl
	: >"$cfg"
	for n in $(seq 1 3000); do
		printf 'url = "%s/signin"\noutput = "/dev/null"\n' "$APP_URL" >>"$cfg"
	done
	curl -s -m 300 -b "$j" -c "$j" -K "$cfg" -w '%{http_code}\n' >"$STACK_DIR/flood.codes"
	is "$(sort -u "$STACK_DIR/flood.codes" | tr '\n' ' ')" "303 " "3000 sign-ins started by one browser: each answered 303"
	bh=$(wc_b64hash "$(stack_cookie "$j" todo_auth)")
	is "$(wc_db "SELECT count(*) FROM webapp.auth_requests WHERE browser_hash = '$bh'")" 5 \
	    "only that browser's newest 5 pending sign-ins are kept"
	is "$(wc_db "SELECT count(*) FROM webapp.auth_requests WHERE state_hash = '$other'")" 1 \
	    "another browser's pending sign-in is untouched"
}

# wc_idle_timeout: session_idle_timeout's default is 30 minutes.
wc_idle_timeout() {
	local h
	h=$(wc_session_hash "$JC")
	wc_db "UPDATE webapp.sessions SET last_seen_at = now() - interval '1700 seconds' WHERE id_hash = '$h'" >/dev/null
	stack_http "$JC" GET "$APP_URL/claims"
	is "$ST_STATUS" 200 "28 minutes idle: still signed in"
	wc_db "UPDATE webapp.sessions SET last_seen_at = now() - interval '1801 seconds' WHERE id_hash = '$h'" >/dev/null
	stack_http "$JC" GET "$APP_URL/claims"
	is "$ST_STATUS $ST_LOCATION" "303 $APP_URL/signin?return_to=%2Fclaims" \
	    "30 minutes idle (session_idle_timeout's default): signed out"
}

# wc_key_rotation: cache_key_file gains a newer key (the old one kept
# with an id) while J2 is signed in; the app's processes restart; the
# user stays signed in, and new tokens are sealed with the new key's id.
# Also lowers max_pending_signins for wc_signin_ceiling.
wc_key_rotation() {
	local key=$STACK_DIR/cache.key old h
	old=$(od -An -v -tx1 "$key" | tr -d ' \n')
	is "${#old}" 64 "the stack's key file holds 32 raw bytes"
	h=$(wc_session_hash "$J2")
	printf '# newest first\nk2:%s\nk1:%s\n' "$(openssl rand -hex 32)" "$old" >"$key.new"
	chmod 600 "$key.new"
	t_is_root && chown "$T_WWW_USER" "$key.new"
	mv "$key.new" "$key"
	printf 'max_pending_signins = 200\n' >>"$STACK_DIR/webapp.conf"
	if ! wc_webapp_restart; then
		fail "key rotation: the web app restarts with two keys"
		return 1
	fi
	pass "key rotation: the web app restarts with two keys"
	stack_http "$J2" GET "$APP_URL/tasks"
	is "$ST_STATUS" 200 "after the rotation the user is still signed in (tokens sealed with the old key open)"
	ok "and sees the tasks" wc_has 'renewal check'
	wc_db "UPDATE webapp.tokens SET access_expires_at = now() WHERE session_hash = '$h'" >/dev/null
	stack_http "$J2" GET "$APP_URL/tasks"
	is "$ST_STATUS" 200 "a renewal with the refresh token sealed by the old key works"
	is "$(wc_db "SELECT count(*) FROM webapp.tokens WHERE session_hash = '$h' AND access_token LIKE 'k2:%' AND refresh_token LIKE 'k2:%'")" 1 \
	    "the renewed tokens are sealed with the new key (id k2)"
	stack_http "$J2" GET "$APP_URL/tasks"
	is "$ST_STATUS" 200 "and open again on the next request"
}

# wc_signin_ceiling: with max_pending_signins = 200 (wc_key_rotation),
# sign-ins from 300 browsers: at most 200 rows, the rest 503 + Retry-After.
wc_signin_ceiling() {
	local cfg n
	cfg=$STACK_DIR/ceiling.curl
	: >"$cfg"
	for n in $(seq 1 300); do
		printf 'url = "%s/signin"\noutput = "/dev/null"\n' "$APP_URL" >>"$cfg"
	done
	curl -s -m 120 -K "$cfg" -w '%{http_code}\n' >"$STACK_DIR/ceiling.codes"
	ok "pending sign-ins stay within max_pending_signins (200)" \
	    test "$(wc_db "SELECT count(*) FROM webapp.auth_requests WHERE expires_at > now()")" -le 200
	ok "beyond it, sign-ins are refused with 503 ($(grep -c '^503$' "$STACK_DIR/ceiling.codes") of 300)" \
	    test "$(grep -c '^503$' "$STACK_DIR/ceiling.codes")" -ge 100
	stack_http "$(wc_jar ceiling)" GET "$APP_URL/signin"
	is "$ST_STATUS" 503 "GET /signin at the ceiling: 503"
	like "$(stack_header Retry-After)" '^[0-9]+$' "with Retry-After"
	like "$ST_PAGE" 'Too many sign-ins are in progress' "the page says why"
}

# ---- cases: tasks ------------------------------------------------------------

wc_tasks_crud() {
	local csrf id n
	csrf=$(stack_csrf "$JA" /tasks)
	like "$csrf" '^[A-Za-z0-9_-]{20,}$' "the tasks page carries a csrf token"
	[ -n "$csrf" ] || return 1
	stack_http "$JA" GET "$APP_URL/tasks"
	ok "empty list says so" wc_has 'Nothing to do yet.'

	wc_post "$JA" /tasks csrf="$csrf" text="Buy milk"
	is "$ST_STATUS $ST_LOCATION" "303 $APP_URL/tasks" "POST /tasks: 303 to /tasks"
	stack_follow "$JA"
	is "$ST_STATUS" 200 "the list loads after adding"
	id=$(wc_task_id "Buy milk")
	like "$id" '^[1-9][0-9]*$' "the new task is listed with its id"
	is "$(wc_db "SELECT text || '|' || done FROM api.tasks WHERE id = ${id:-0}")" "Buy milk|false" \
	    "the API stored it, not done"
	wc_post "$JA" /tasks csrf="$csrf" text="Call mum"
	stack_follow "$JA"
	ok "a second task is listed" wc_has '<span class="text">Call mum</span>'
	ok "the first one still is" wc_has '<span class="text">Buy milk</span>'

	wc_post "$JA" "/tasks/$id/done" csrf="$csrf" done=true
	is "$ST_STATUS $ST_LOCATION" "303 $APP_URL/tasks" "POST /tasks/$id/done done=true: 303"
	stack_follow "$JA"
	ok "the task is shown done" wc_has '<li class="done"><span class="text">Buy milk</span>'
	is "$(wc_db "SELECT done FROM api.tasks WHERE id = ${id:-0}")" t "done in the database"
	wc_post "$JA" "/tasks/$id/done" csrf="$csrf" done=false
	stack_follow "$JA"
	ok "toggled back: not done" wc_has '<li><span class="text">Buy milk</span>'
	is "$(wc_db "SELECT done FROM api.tasks WHERE id = ${id:-0}")" f "not done in the database"
	wc_post "$JA" "/tasks/$id/done" csrf="$csrf" done=maybe
	is "$ST_STATUS" 400 "done=maybe: 400"

	wc_post "$JA" "/tasks/$id/delete" csrf="$csrf"
	is "$ST_STATUS $ST_LOCATION" "303 $APP_URL/tasks?notice=deleted" "POST /tasks/$id/delete: 303 to the list with a notice"
	stack_follow "$JA"
	unlike "$ST_PAGE" 'Buy milk' "the deleted task is gone from the list"
	is "$(wc_db "SELECT count(*) FROM api.tasks WHERE id = ${id:-0}")" 0 "and from the database"
	wc_post "$JA" "/tasks/$id/delete" csrf="$csrf"
	is "$ST_STATUS $ST_LOCATION" "303 $APP_URL/tasks?notice=gone" "deleting it again: 303 to the list (already gone)"

	wc_post "$JA" /tasks csrf="$csrf" text='<img src=x onerror=alert(1)>'
	stack_follow "$JA"
	ok "hostile text is shown escaped" wc_has '<span class="text">&lt;img src=x onerror=alert(1)&gt;</span>'
	unlike "$ST_PAGE" '<img' "no <img element in the page"
	wc_post "$JA" /tasks csrf="$csrf" text='Grüße, 東京 & "quotes"'
	stack_follow "$JA"
	ok "UTF-8 text and & \" survive (escaped)" wc_has '<span class="text">Grüße, 東京 &amp; &quot;quotes&quot;</span>'

	n=$(wc_db "SELECT count(*) FROM api.tasks")
	wc_post "$JA" /tasks csrf="$csrf" text=""
	is "$ST_STATUS" 400 "empty text: 400"
	wc_post "$JA" /tasks csrf="$csrf" text="$(printf 'x%.0s' $(seq 1 1001))"
	is "$ST_STATUS" 400 "1001 characters: 400 (the API's limit)"
	like "$ST_PAGE" 'Not saved' "the 400 page says the task was not saved"
	is "$(wc_db "SELECT count(*) FROM api.tasks")" "$n" "nothing was added by the refused posts"
}

wc_forms() {
	local csrf n big
	csrf=$(stack_csrf "$JA" /tasks)
	n=$(wc_db "SELECT count(*) FROM api.tasks")
	big=$(head -c 20000 /dev/zero | tr '\0' 'a')
	wc_post "$JA" /tasks csrf="$csrf" text="$big"
	is "$ST_STATUS" 413 "a 20 KB form (over the app's 16 KiB): 413"
	wc_security_headers "413 page"
	big=$(head -c 100000 /dev/zero | tr '\0' 'a')
	wc_post "$JA" /tasks csrf="$csrf" text="$big"
	is "$ST_STATUS" 413 "a 100 KB form (over the server's 64 KiB for the app): 413"
	stack_http "$JA" POST "$APP_URL/tasks" -H 'Content-Type: application/json' \
	    --data-binary "{\"csrf\":\"$csrf\",\"text\":\"json\"}"
	is "$ST_STATUS" 415 "a JSON post to /tasks: 415"
	stack_http "$JA" POST "$APP_URL/tasks" -F "csrf=$csrf" -F "text=multipart"
	is "$ST_STATUS" 415 "a multipart post to /tasks: 415"
	is "$(wc_db "SELECT count(*) FROM api.tasks")" "$n" "nothing was added"
}

wc_csrf() {
	local csrf id n other
	csrf=$(stack_csrf "$JA" /tasks)
	wc_post "$JA" /tasks csrf="$csrf" text="csrf target"
	stack_follow "$JA"
	id=$(wc_task_id "csrf target")
	n=$(wc_db "SELECT count(*) FROM api.tasks")
	wc_post "$JA" /tasks text="no token"
	is "$ST_STATUS" 403 "POST /tasks without csrf: 403"
	like "$ST_PAGE" 'did not come from this site' "the 403 page explains"
	wc_post "$JA" /tasks csrf="${csrf}x" text="wrong token"
	is "$ST_STATUS" 403 "POST /tasks with a wrong csrf: 403"
	wc_post "$JA" /tasks csrf="" text="empty token"
	is "$ST_STATUS" 403 "POST /tasks with an empty csrf: 403"
	other=$(stack_csrf "$JB" /tasks)
	wc_post "$JA" /tasks csrf="$other" text="someone else's token"
	is "$ST_STATUS" 403 "POST /tasks with another session's csrf: 403"
	is "$(wc_db "SELECT count(*) FROM api.tasks")" "$n" "nothing was added"
	wc_post "$JA" "/tasks/$id/done" done=true
	is "$ST_STATUS" 403 "POST /tasks/$id/done without csrf: 403"
	wc_post "$JA" "/tasks/$id/delete" csrf=nope
	is "$ST_STATUS" 403 "POST /tasks/$id/delete with a wrong csrf: 403"
	is "$(wc_db "SELECT done FROM api.tasks WHERE id = ${id:-0}")" f "the task is unchanged"
	wc_post "$JA" /signout
	is "$ST_STATUS" 403 "POST /signout without csrf: 403"
	stack_http "$JA" GET "$APP_URL/tasks"
	is "$ST_STATUS" 200 "still signed in after the refused sign-out"
}

wc_isolation() {
	local csrfa csrfb aid bid
	JB=$(wc_jar bob)
	if ! stack_signin "$JB" bob bob-password; then
		fail "bob signs in"
		return 1
	fi
	is "$ST_STATUS $ST_URL" "200 $APP_URL/tasks" "bob signs in and lands on /tasks"
	ok "the header names Bob Brown" wc_has '<span class="who">Bob Brown</span>'
	csrfa=$(stack_csrf "$JA" /tasks)
	wc_post "$JA" /tasks csrf="$csrfa" text="alice private"
	stack_follow "$JA"
	aid=$(wc_task_id "alice private")
	csrfb=$(stack_csrf "$JB" /tasks)
	stack_http "$JB" GET "$APP_URL/tasks"
	unlike "$ST_PAGE" 'alice private|Call mum' "bob does not see alice's tasks"
	wc_post "$JB" /tasks csrf="$csrfb" text="bob private"
	stack_follow "$JB"
	bid=$(wc_task_id "bob private")
	like "$bid" '^[0-9]+$' "bob's own task is listed"
	stack_http "$JA" GET "$APP_URL/tasks"
	unlike "$ST_PAGE" 'bob private' "alice does not see bob's task"

	wc_post "$JB" "/tasks/$aid/done" csrf="$csrfb" done=true
	one_of "$ST_STATUS" "303 404" "bob toggling alice's task: refused quietly ($ST_STATUS)"
	wc_post "$JB" "/tasks/$aid/delete" csrf="$csrfb"
	one_of "$ST_STATUS" "303 404" "bob deleting alice's task: refused quietly ($ST_STATUS)"
	is "$(wc_db "SELECT text || '|' || done FROM api.tasks WHERE id = ${aid:-0}")" \
	    "alice private|false" "alice's task is unchanged and still there"
	stack_http "$JA" GET "$APP_URL/tasks"
	ok "alice still sees her task, not done" wc_has '<li><span class="text">alice private</span>'
}

wc_readonly() {
	local csrf n aid
	JC=$(wc_jar carol)
	if ! stack_signin "$JC" carol carol-password; then
		fail "carol signs in"
		return 1
	fi
	is "$ST_STATUS $ST_URL" "200 $APP_URL/tasks" "carol (read only) may list her tasks"
	csrf=$(stack_csrf "$JC" /tasks)
	n=$(wc_db "SELECT count(*) FROM api.tasks")
	wc_post "$JC" /tasks csrf="$csrf" text="carol wants to write"
	is "$ST_STATUS $ST_LOCATION" "303 $APP_URL/tasks?notice=readonly" \
	    "carol adding a task: 303 back to the list with a notice"
	stack_follow "$JC"
	like "$ST_PAGE" 'may read tasks but not change them' "the page says she may read but not change tasks"
	wc_security_headers "permission page"
	is "$(wc_db "SELECT count(*) FROM api.tasks")" "$n" "nothing was added"
	stack_http "$JC" GET "$APP_URL/tasks"
	unlike "$ST_PAGE" 'carol wants to write' "her list is still empty of it"
	aid=$(wc_db "SELECT id FROM api.tasks WHERE text = 'alice private'")
	wc_post "$JC" "/tasks/$aid/delete" csrf="$csrf"
	one_of "$ST_STATUS" "403 303" "carol deleting someone's task id: refused ($ST_STATUS)"
	is "$(wc_db "SELECT count(*) FROM api.tasks WHERE id = ${aid:-0}")" 1 "the task is still there"
}

# ---- cases: the sign-in protocol -----------------------------------------

wc_replay() {
	local j body cb n x y
	j=$(wc_jar replay)
	stack_signin_start "$j" /tasks && stack_idp_login "$j" alice alice-password
	if ! stack_is_form_post; then
		fail "replay: reach the form_post page"
		return 1
	fi
	stack_form_post "$j"
	body=$STACK_FP_BODY
	cb=$ST_LOCATION
	is "$ST_STATUS" 303 "replay: the first form_post is accepted"
	n=$(wc_sessions)
	stack_http "$j" POST "$APP_URL/signin/callback" --data-binary "$body" \
	    -H 'Content-Type: application/x-www-form-urlencoded'
	is "$ST_STATUS" 400 "the same form_post again (code+state): 400"
	x=$(wc_jar attacker)
	stack_http "$x" GET "$cb"
	is "$ST_STATUS" 400 "GET /signin/callback?state= from another browser (no binding cookie): 400"
	is "$(stack_header Set-Cookie | grep -c '^todo_session=[^;]')" 0 "no session cookie for it"
	y=$(wc_jar other)
	stack_signin_start "$y" /tasks >/dev/null 2>&1	# a binding cookie of its own
	stack_http "$y" GET "$cb"
	is "$ST_STATUS" 400 "GET /signin/callback?state= from a browser with another binding: 400"
	is "$(wc_sessions)" "$n" "no session was created by the refused attempts"
	stack_http "$j" GET "$cb"
	is "$ST_STATUS $ST_LOCATION" "303 $APP_URL/tasks" "the right browser still completes the sign-in"
	n=$(wc_sessions)
	stack_http "$j" GET "$cb"
	is "$ST_STATUS" 400 "the same GET /signin/callback?state= again: 400"
	is "$(stack_header Set-Cookie | grep -c '^todo_session=[^;]')" 0 "no session cookie for the replay"
	stack_http "$j" POST "$APP_URL/signin/callback" --data-binary "$body" \
	    -H 'Content-Type: application/x-www-form-urlencoded'
	is "$ST_STATUS" 400 "the form_post once more, after the sign-in: 400"
	is "$(wc_sessions)" "$n" "the replays created no session"
	# (a made-up code: a real one in a URL would land in the access log)
	stack_http "$j" GET "$APP_URL/signin/callback?code=replayed-code&state=$(stack_urlencode "$STACK_STATE")"
	is "$ST_STATUS" 400 "query-mode replay of the state: 400"
	is "$(wc_sessions)" "$n" "still no new session"
}

wc_cancel() {
	local j link
	j=$(wc_jar cancel)
	stack_signin_start "$j" /tasks
	link=$(stack_link cancel) || { fail "the login page has a cancel link"; return 1; }
	stack_http "$j" GET "$(stack_abs "$ST_URL" "$link")"
	stack_follow "$j"
	ok "cancel: the provider answers with a form_post page" stack_is_form_post
	wc_error_answer "$j" cancel
	is "$STACK_CALLBACK_STATUS $STACK_CALLBACK_LOCATION" "303 $APP_URL/?notice=cancelled" \
	    "cancel: the callback sends the user to /?notice=cancelled"
	is "$ST_STATUS" 200 "cancel: the home page loads"
	ok "cancel: the page says so" wc_has 'Sign-in was cancelled.'
	ok "cancel: no session cookie" eval "! stack_cookie '$j' todo_session >/dev/null"
}

wc_forgot_password() {
	local j link
	j=$(wc_jar forgot)
	stack_signin_start "$j" /claims
	link=$(stack_link forgotPassword) || { fail "the login page has a forgot-password link"; return 1; }
	stack_http "$j" GET "$(stack_abs "$ST_URL" "$link")"
	stack_follow "$j"
	ok "forgot password: the provider answers with a form_post page" stack_is_form_post
	like "$(stack_field "$(stack_form 'method="post"' | sed -n 2p)" error_description)" '^AADB2C90118' \
	    "forgot password: the answer carries AADB2C90118"
	wc_error_answer "$j" "forgot password"
	is "$STACK_CALLBACK_STATUS" 303 "forgot password: the callback redirects"
	like "$STACK_CALLBACK_LOCATION" "^$IDP_URL/dev\.onmicrosoft\.com/B2C_1_reset/oauth2/v2\.0/authorize\?" \
	    "forgot password: to the B2C_1_reset authorize endpoint"
	ok "the reset page is shown" wc_form 'action="[^"]*/reset"'
	local form action
	form=$(stack_form 'action="[^"]*/reset"')
	action=$(stack_abs "$ST_URL" "$(printf '%s\n' "$form" | sed -n 1p)")
	stack_http "$j" POST "$action" --data-urlencode username=bob \
	    --data-urlencode newPassword=bob-new-password
	is "$ST_STATUS" 303 "reset: the provider accepts the new password"
	stack_follow "$j"
	ok "reset: a form_post page to the callback" stack_is_form_post
	stack_finish "$j"
	is "$STACK_CALLBACK_STATUS $STACK_CALLBACK_LOCATION" "303 $APP_URL/claims" \
	    "reset: signed in and sent back to the original return_to (/claims)"
	is "$ST_STATUS" 200 "reset: the page loads"
	ok "reset: signed in as Bob" wc_has '<span class="who">Bob Brown</span>'
	ok "reset: the session's claims say B2C_1_reset" wc_has 'B2C_1_reset'
	stack_http "$j" GET "$APP_URL/tasks"
	is "$ST_STATUS" 200 "reset: tasks load with the reset flow's tokens"
	ok "reset: bob's own task is listed" wc_has 'bob private'

	j=$(wc_jar bob-new)
	stack_signin_start "$j" /tasks
	stack_idp_login "$j" bob bob-password 2>/dev/null
	is "$ST_STATUS" 401 "bob's old password no longer works at the provider"
	if stack_signin "$(wc_jar bob-new2)" bob bob-new-password; then
		pass "bob signs in with the new password"
	else
		fail "bob signs in with the new password"
	fi
}

wc_open_redirect() {
	local j rt
	j=$(wc_jar redirect)
	for rt in '//evil.example' '//evil.example/tasks' 'https://evil.example/' \
	    '/\evil.example' '/%2F%2Fevil.example' '/%5Cevil.example' \
	    'javascript:alert(1)' '/tasks
Location: http://evil.example/'; do
		stack_http "$j" GET "$APP_URL/signin?return_to=$(stack_urlencode "$rt")"
		if [ "$ST_STATUS" = 400 ]; then	# e.g. lighttpd's url-ctrls-reject
			pass "return_to '$(printf '%s' "$rt" | tr '\n' ' ')' refused outright (400)"
			continue
		fi
		if ! stack_signin "$j" alice alice-password "$rt"; then
			fail "return_to '$rt': sign-in completes"
			continue
		fi
		one_of "$STACK_CALLBACK_LOCATION" "$APP_URL/tasks $APP_URL/" \
		    "return_to '$(printf '%s' "$rt" | tr '\n' ' ')' ends at / or /tasks"
	done
	stack_signin "$j" alice alice-password /claims
	is "$STACK_CALLBACK_LOCATION" "$APP_URL/claims" "a local return_to (/claims) is honoured"
	stack_http "$j" GET "$APP_URL/signin?return_to=%2F%2Fevil.example"
	unlike "$ST_LOCATION" '^https?://evil' "GET /signin?return_to=//evil.example goes to the provider, not evil"
}

wc_profile() {
	local before after form action
	before=$(stack_cookie "$JA" todo_session)
	stack_http "$JA" GET "$APP_URL/profile"
	is "$ST_STATUS" 303 "GET /profile: 303"
	like "$ST_LOCATION" "^$IDP_URL/dev\.onmicrosoft\.com/B2C_1_edit_profile/oauth2/v2\.0/authorize\?" \
	    "GET /profile: to the B2C_1_edit_profile authorize endpoint"
	stack_follow "$JA"
	form=$(stack_form 'action="[^"]*/profile"') || { fail "the provider shows the profile form"; return 1; }
	pass "the provider shows the profile form (single sign-on, no login)"
	action=$(stack_abs "$ST_URL" "$(printf '%s\n' "$form" | sed -n 1p)")
	stack_http "$JA" POST "$action" --data-urlencode 'name=Alice <b>Renamed</b>'
	is "$ST_STATUS" 303 "edit profile: the provider accepts the new name"
	stack_follow "$JA"
	stack_finish "$JA"
	is "$STACK_CALLBACK_STATUS $STACK_CALLBACK_LOCATION" "303 $APP_URL/" "edit profile: back to /"
	ok "the header shows the new name, escaped" wc_has '<span class="who">Alice &lt;b&gt;Renamed&lt;/b&gt;</span>'
	after=$(stack_cookie "$JA" todo_session)
	is "$after" "$before" "edit profile keeps the session"
	stack_http "$JA" GET "$APP_URL/tasks"
	is "$ST_STATUS" 200 "tasks still load after editing the profile"
	ok "with alice's tasks" wc_has 'alice private'
}

wc_no_renewal_when_fresh() {
	local n i good=0
	n=$(wc_token_posts)
	for i in 1 2 3; do
		stack_http "$JA" GET "$APP_URL/tasks"
		[ "$ST_STATUS" = 200 ] && wc_has 'alice private' && good=$((good + 1))
	done
	is "$good" 3 "tasks load three times, with alice's tasks"
	is "$(wc_token_posts)" "$n" "a fresh access token is reused (no token requests)"
}

wc_signout() {
	local old csrf loc h
	old=$(stack_cookie "$JA" todo_session)
	h=$(printf '%s' "$old" | openssl dgst -sha256 -binary | base64 | tr '+/' '-_' | tr -d '=')
	is "$(wc_db "SELECT count(*) FROM webapp.sessions WHERE id_hash = '$h'")" 1 \
	    "alice's session is in the database before sign-out"
	csrf=$(stack_csrf "$JA" /tasks)
	wc_post "$JA" /signout csrf="$csrf"
	loc=$ST_LOCATION
	is "$ST_STATUS" 303 "POST /signout: 303"
	like "$loc" "^$IDP_URL/dev\.onmicrosoft\.com/B2C_1_susi/oauth2/v2\.0/logout\?" \
	    "sign-out: to the provider's end_session endpoint"
	like "$loc" '[?&]id_token_hint=eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+(&|$)' \
	    "sign-out: with id_token_hint"
	like "$loc" "[?&]post_logout_redirect_uri=$(stack_urlencode "$APP_URL/")(&|\$)" \
	    "sign-out: with post_logout_redirect_uri = the app's /"
	like "$(stack_header Set-Cookie | grep '^todo_session=')" '^todo_session=;.*Max-Age=0' \
	    "sign-out clears the session cookie"
	stack_follow "$JA"
	is "$ST_STATUS $ST_URL" "200 $APP_URL/" "the provider sends the user back to the app's /"
	ok "the home page is signed out" wc_has 'href="/signin"'
	stack_http - GET "$APP_URL/tasks" -H "Cookie: todo_session=$old"
	is "$ST_STATUS $ST_LOCATION" "303 $APP_URL/signin?return_to=%2Ftasks" \
	    "the old session cookie no longer works: GET /tasks -> /signin"
	stack_http - POST "$APP_URL/tasks" -H "Cookie: todo_session=$old" \
	    --data-urlencode "csrf=$csrf" --data-urlencode "text=after sign-out"
	is "$ST_STATUS" 303 "POST /tasks with the old cookie: 303 to sign in"
	is "$(wc_db "SELECT count(*) FROM api.tasks WHERE text = 'after sign-out'")" 0 "nothing added"
	is "$(wc_db "SELECT count(*) FROM webapp.sessions WHERE id_hash = '$h'")" 0 \
	    "the session row is gone"
	is "$(wc_db "SELECT count(*) FROM webapp.tokens WHERE session_hash = '$h'")" 0 \
	    "and its cached tokens"
	stack_signin_start "$JA" /tasks
	ok "the provider session ended too (login page again)" wc_form 'id="localAccountForm"'
}

# wc_logs_clean WHAT: every log of the stack exists, those that are not
# quiet by design (STACK_LOGS_QUIET) have lines, and no log holds a JWT or
# any secret seen (code, session id, csrf token).
wc_logs_clean() {
	local what=$1 f hits="" bad="" h n=0 nsecrets
	nsecrets=$(sort -u "$STACK_DIR/secrets" 2>/dev/null | grep -c .)
	for f in $STACK_LOGS; do
		n=$((n + 1))
		if [ ! -f "$f" ]; then
			bad="$bad$f: missing"$'\n'
			continue
		fi
		case " $STACK_LOGS_QUIET " in
		*" $f "*) ;;
		*) [ -s "$f" ] || bad="$bad$f: empty"$'\n' ;;
		esac
		h=$(grep -nE 'eyJ[A-Za-z0-9_-]{10,}\.' "$f" | head -n 3)
		[ -n "$h" ] && hits="$hits$f: $h"$'\n'
		if [ "$nsecrets" -gt 0 ]; then
			h=$(grep -nF -f "$STACK_DIR/secrets" "$f" | head -n 3)
			[ -n "$h" ] && hits="$hits$f (a code, session id or csrf token): $h"$'\n'
		fi
	done
	is "$bad" "" "$what: every log exists and has lines ($n files)"
	if [ "$nsecrets" -eq 0 ]; then
		fail "$what: no JWT, code, session id or csrf token in any log" \
		    "no secret was collected in $STACK_DIR/secrets: nothing to look for"
	else
		is "$hits" "" "$what: no JWT, code, session id or csrf token in any log ($n files, $nsecrets secrets)"
	fi
}

# ---- the second stack: another site, short tokens --------------------------

wc_other_site() {
	local j sc
	like "$IDP_URL" '^http://127\.0\.0\.2:' "the provider runs on 127.0.0.2 (another site)"
	j=$(wc_jar site)
	J2=$j
	stack_http "$j" GET "$APP_URL/signin"
	like "$ST_LOCATION" '^http://127\.0\.0\.2:' "the app sends the browser to 127.0.0.2"
	stack_follow "$j"
	stack_idp_login "$j" alice alice-password
	stack_finish "$j"
	is "$STACK_CALLBACK_STATUS $STACK_CALLBACK_LOCATION" "303 $APP_URL/tasks" \
	    "sign-in with the provider on another site completes"
	is "$ST_STATUS $ST_URL" "200 $APP_URL/tasks" "and the tasks page loads"
	is "$(awk -F '\t' '$6 == "todo_session" { print $1 }' "$j" | sed 's/^#HttpOnly_//')" \
	    127.0.0.1 "the session cookie belongs to the app's host only"
}

wc_renewal() {
	local csrf n0 n1 i id good=0
	csrf=$(stack_csrf "$J2" /tasks)
	wc_post "$J2" /tasks csrf="$csrf" text="renewal check"
	stack_follow "$J2"
	ok "a task is added with the first token" wc_has 'renewal check'
	n0=$(wc_token_posts)
	for i in 1 2 3; do
		sleep 2		# 61 s tokens: under 60 s left, so renew
		stack_http "$J2" GET "$APP_URL/tasks"
		[ "$ST_STATUS" = 200 ] && wc_has 'renewal check' && good=$((good + 1))
	done
	is "$good" 3 "tasks load on each of three requests as the token nears expiry"
	n1=$(wc_token_posts)
	ok "the provider saw a refresh for each ($n0 -> $n1 token requests)" test "$n1" -ge $((n0 + 3))
	sleep 2
	id=$(wc_task_id "renewal check")
	wc_post "$J2" "/tasks/$id/done" csrf="$csrf" done=true
	is "$ST_STATUS $ST_LOCATION" "303 $APP_URL/tasks" "a change goes through with a renewed token"
	is "$(wc_db "SELECT done FROM api.tasks WHERE id = ${id:-0}")" t "and is stored"
	unlike "$(grep -h 'grant.error' $STACK_DIR/idp-*.log)" . "the provider refused no grant (rotation kept)"
	unlike "$(cat $STACK_LOGS 2>/dev/null | grep -h 'refresh refused')" . "the app logged no refused refresh"
}

wc_refresh_failure() {
	# The provider restarts, forgetting its refresh tokens.
	if ! stack_idp_restart; then
		fail "a refused refresh sends the user to /signin?return_to=/tasks" \
		    "the provider did not restart"
		return 1
	fi
	sleep 2
	stack_http "$J2" GET "$APP_URL/tasks"
	is "$ST_STATUS $ST_LOCATION" "303 $APP_URL/signin?return_to=%2Ftasks&again=1" \
	    "a refused refresh sends the user to /signin?return_to=/tasks (again: signed in, yet sent to sign in)"
	like "$(cat "$STACK_IDP_LOG")" 'grant.error: invalid_grant' "the provider logged the refused refresh"
	is "$(wc_db "SELECT count(*) FROM webapp.tokens")" 0 "the refused tokens were dropped"
	stack_follow "$J2"
	ok "signing in again starts at the login page" stack_idp_login "$J2" alice alice-password
	stack_finish "$J2"
	is "$STACK_CALLBACK_LOCATION" "$APP_URL/tasks" "after signing in again: back to /tasks"
	is "$ST_STATUS" 200 "the tasks page loads"
	ok "with the task from before" wc_has 'renewal check'
}

# ---- the run -------------------------------------------------------------------

webapp_run() {
	local server=$1 t0
	t0=$(date +%s)
	JA="" JB="" JC="" J2=""

	STACK_LOG_LEVEL=debug stack_up "$server" ||
		bail_out "$server: the stack did not start"
	wc_healthz "$server: the stack is up ($APP_URL, provider $IDP_URL)"
	wc_anonymous
	wc_signin_alice || bail_out "cannot continue without a signed-in user"
	wc_tasks_crud
	wc_dpop
	wc_isolation
	wc_readonly
	wc_csrf
	wc_forms
	wc_replay
	wc_query_answer
	wc_idle_timeout
	wc_signin_flood
	wc_cancel
	wc_open_redirect
	wc_profile
	wc_forgot_password
	wc_no_renewal_when_fresh
	wc_signout
	stack_down
	wc_logs_clean "$server, first stack"
	diag "first stack: $(( $(date +%s) - t0 )) s"

	STACK_LOG_LEVEL=debug STACK_IDP_HOST=127.0.0.2 STACK_ACCESS_TOKEN_TTL=61 \
	    stack_up "$server" || bail_out "$server: the second stack did not start"
	wc_healthz "$server: a second stack is up (provider $IDP_URL, 61 s tokens)"
	wc_other_site
	wc_renewal
	wc_dpop_renewed
	wc_refresh_failure
	wc_key_rotation
	wc_signin_ceiling
	stack_down
	wc_logs_clean "$server, second stack"
	diag "both stacks: $(( $(date +%s) - t0 )) s"
}
