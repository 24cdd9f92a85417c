# tests/integration/webapp_hostile.sh -- the web app against a dishonest
# identity provider (issue 17): every id_token check in the sign-in
# callback must be able to fail a test.  Sourced after lib.sh and stack.sh
# by webapp_lighttpd.test and webapp_apache.test.
#
#   webapp_hostile_run SERVER   a stack of its own under SERVER (lighttpd |
#                               apache) whose provider runs with hostile
#                               modes on (DEV_IDP_HOSTILE=1, see
#                               deploy/dev-idp/README.md).  Each sign-in
#                               adds hostile=MODE to the authorization
#                               request; the provider then answers that
#                               sign-in's code with a bad id_token (or
#                               none).  The app must show its error page,
#                               set no session cookie, store no session,
#                               log the reason and no secret.  Controls: a
#                               sign-in without a mode, and one whose
#                               honest id_token went through the hostile
#                               signing code, both succeed.

# mode and the reason the app logs ("id_token rejected: REASON")
WH_MODES=(
	"wrong-nonce:wrong nonce"
	"wrong-aud:wrong audience"
	"wrong-iss:wrong issuer"
	"other-key:bad signature"
	"expired:token expired"
	"alg-none:algorithm not allowed"
	"alg-none-unsecured:malformed token"
	"azp-mismatch:azp is another client"
	"azp-missing:several audiences and no azp"
	"no-id-token:missing"
	"no-iat:no iat"
	"old-iat:issued too long ago"
	"wrong-tfp:tfp is another user flow"
	"oid-number:user claim not a string"
)

# refresh-time modes (the first refresh of the sign-in's tokens) and the
# provider's error code the app must log
WH_REFRESH_MODES=(
	"refresh-invalid-client:invalid_client"
	"refresh-unauthorized-client:unauthorized_client"
	"refresh-429:temporarily_unavailable"
)

wh_jar() {	# wh_jar NAME: a fresh cookie jar (= a fresh browser)
	rm -f "$STACK_DIR/jar-hostile-$1"
	printf '%s\n' "$STACK_DIR/jar-hostile-$1"
}

wh_db() {
	psql_c "$1" 2>&1
}

wh_has() {	# wh_has FIXED-STRING: on the last page?
	page_has "$1"
}

# wh_count FIXED-STRING FILE...: lines of the FILEs holding the string.
wh_count() {
	local s=$1
	shift
	cat -- "$@" 2>/dev/null | grep -cF -- "$s"
}

# wh_session_cookies: session cookies with a value set by the last answer.
wh_session_cookies() {
	stack_header Set-Cookie | grep -cE '^(__Host-)?todo_session=[^;]'
}

# wh_signin JAR MODE: alice signs in; the authorization request carries
# hostile=MODE unless MODE is empty.  Stops after GET
# /signin/callback?state= (its answer in ST_*), where the app redeems the
# code and checks the id_token.  Non-zero when it does not get there.
wh_signin() {
	local jar=$1 mode=$2 url
	stack_http "$jar" GET "$APP_URL/signin?return_to=%2Ftasks"
	if [ "$ST_STATUS" != 303 ] || [[ "$ST_LOCATION" != "$IDP_URL"/*\?* ]]; then
		stack_err "GET /signin: expected 303 to the provider, got $ST_STATUS '$ST_LOCATION'"
		return 1
	fi
	url=$ST_LOCATION
	[ -n "$mode" ] && url="$url&hostile=$(stack_urlencode "$mode")"
	stack_http "$jar" GET "$url"
	stack_follow "$jar" || return 1
	if ! stack_is_form_post; then
		stack_idp_login "$jar" alice alice-password || return 1
	fi
	stack_form_post "$jar" || return 1
	if [ "$ST_STATUS" != 303 ] || [[ "$ST_LOCATION" != "$APP_URL/signin/callback?"* ]]; then
		stack_err "POST /signin/callback: expected 303, got $ST_STATUS '$ST_LOCATION'"
		return 1
	fi
	stack_http "$jar" GET "$ST_LOCATION"
}

# wh_accepted WHAT MODE: the control; the sign-in succeeds.
wh_accepted() {
	local what=$1 mode=$2 j n_sess n_idp
	j=$(wh_jar "control-${mode:-none}")
	n_sess=$(wh_db "SELECT count(*) FROM webapp.sessions")
	n_idp=$(wh_count "hostile token answer: $mode" "$STACK_IDP_LOG")
	if ! wh_signin "$j" "$mode"; then
		fail "$what: the sign-in reaches the app's callback"
		return 1
	fi
	is "$ST_STATUS $ST_LOCATION" "303 $APP_URL/tasks" \
	    "$what: GET /signin/callback signs alice in (303 to /tasks)"
	is "$(wh_session_cookies)" 1 "$what: a session cookie is set"
	is "$(wh_db "SELECT count(*) FROM webapp.sessions")" $((n_sess + 1)) \
	    "$what: one new row in webapp.sessions"
	stack_follow "$j"
	is "$ST_STATUS $ST_URL" "200 $APP_URL/tasks" "$what: /tasks loads"
	ok "$what: signed in as Alice Anderson" \
	    wh_has '<span class="who">Alice Anderson</span>'
	if [ -n "$mode" ]; then
		is "$(wh_count "hostile token answer: $mode" "$STACK_IDP_LOG")" \
		    $((n_idp + 1)) "$what: the id_token did go through the hostile code path"
	else
		is "$(grep -c 'hostile token answer' "$STACK_IDP_LOG")" 0 \
		    "$what: the provider answered honestly"
	fi
}

# wh_refused MODE REASON: the app refuses the sign-in.
wh_refused() {
	local mode=$1 reason=$2 j n_sess n_tok n_log n_idp
	j=$(wh_jar "$mode")
	n_sess=$(wh_db "SELECT count(*) FROM webapp.sessions")
	n_tok=$(wh_db "SELECT count(*) FROM webapp.tokens")
	n_log=$(wh_count "id_token rejected: $reason" $STACK_LOGS)
	n_idp=$(wh_count "hostile token answer: $mode" "$STACK_IDP_LOG")
	if ! wh_signin "$j" "$mode"; then
		fail "$mode: the sign-in reaches the app's callback"
		return 1
	fi
	is "$ST_STATUS" 400 "$mode: GET /signin/callback answers 400"
	ok "$mode: the error page says Sign-in failed" wh_has '<h1>Sign-in failed</h1>'
	ok "$mode: and that the sign-in could not be verified" \
	    wh_has 'The sign-in could not be verified. Please sign in again.'
	is "$(wh_session_cookies)" 0 "$mode: no session cookie is set"
	ok "$mode: no session cookie in the browser" \
	    eval "! stack_cookie '$j' todo_session >/dev/null && ! stack_cookie '$j' __Host-todo_session >/dev/null"
	is "$(wh_db "SELECT count(*) FROM webapp.sessions")" "$n_sess" \
	    "$mode: no new row in webapp.sessions"
	is "$(wh_db "SELECT count(*) FROM webapp.tokens")" "$n_tok" \
	    "$mode: no tokens cached"
	is "$(wh_count "hostile token answer: $mode" "$STACK_IDP_LOG")" \
	    $((n_idp + 1)) "$mode: the provider sent the hostile answer"
	is "$(wh_count "id_token rejected: $reason" $STACK_LOGS)" \
	    $((n_log + 1)) "$mode: the app logs why (id_token rejected: $reason)"
	stack_http "$j" GET "$APP_URL/tasks"
	is "$ST_STATUS $ST_LOCATION" "303 $APP_URL/signin?return_to=%2Ftasks" \
	    "$mode: the browser is not signed in (/tasks sends it to sign in)"
}

wh_hash() {	# wh_hash JAR: the stored id_hash of the jar's session
	printf '%s' "$(stack_cookie "$1" todo_session)" | openssl dgst -sha256 -binary |
	    base64 | tr '+/' '-_' | tr -d '=\n'
}

# wh_signed_in JAR MODE: alice signs in with MODE; ends on /tasks.
wh_signed_in() {
	wh_signin "$1" "$2" || return 1
	[ "$ST_STATUS $ST_LOCATION" = "303 $APP_URL/tasks" ] || return 1
	stack_follow "$1"
	[ "$ST_STATUS $ST_URL" = "200 $APP_URL/tasks" ]
}

wh_rt() {	# wh_rt HASH: the session's stored (sealed) refresh token
	wh_db "SELECT refresh_token FROM webapp.tokens WHERE session_hash = '$1'"
}

# wh_session JAR-NAME MODE [WHAT]: alice signs in with MODE in a fresh
# jar; sets the caller's j (the jar), h (the session's hash) and rt (its
# stored refresh token).
wh_session() {
	j=$(wh_jar "$1")
	if ! wh_signed_in "$j" "$2"; then
		fail "${3:-$2}: alice signs in"
		return 1
	fi
	h=$(wh_hash "$j")
	rt=$(wh_rt "$h")
}

# wh_refresh_error MODE CODE: the first refresh answers an error other
# than invalid_grant: a "try again" page with 503, the refresh token kept,
# the provider's error code logged; the next request renews and works.
wh_refresh_error() {
	local mode=$1 code=$2 j h rt n_log
	wh_session "$mode" "$mode" || return 1
	n_log=$(wh_count "refresh answered $code" $STACK_LOGS)
	wh_db "UPDATE webapp.tokens SET access_expires_at = now() WHERE session_hash = '$h'" >/dev/null
	stack_http "$j" GET "$APP_URL/tasks"
	is "$ST_STATUS" 503 "$mode: the refresh fails: 503"
	ok "$mode: a page that says try again" wh_has 'try again'
	like "$(stack_header Retry-After)" '^[0-9]+$' "$mode: with Retry-After"
	is "$(wh_rt "$h")" "$rt" \
	    "$mode: the refresh token is kept"
	is "$(wh_count "refresh answered $code" $STACK_LOGS)" $((n_log + 1)) \
	    "$mode: the app logs the provider's error code ($code)"
	stack_http "$j" GET "$APP_URL/tasks"
	is "$ST_STATUS" 200 "$mode: the next request renews with the kept refresh token"
	ok "$mode: still signed in as Alice Anderson" wh_has '<span class="who">Alice Anderson</span>'
}

# wh_refresh_fails_still_valid: the renewal due a minute before expiry
# fails (the provider answers 429): the access token, still valid for 30 s,
# is used (200, no "try again"); for the next 30 s that process does not
# ask the provider again while tokens are still valid.
wh_refresh_fails_still_valid() {
	local j h rt n_log
	wh_session kept refresh-429 "kept token" || return 1
	n_log=$(wh_count ": the access token is still valid" $STACK_LOGS)
	wh_db "UPDATE webapp.tokens SET access_expires_at = now() + interval '30 seconds' WHERE session_hash = '$h'" >/dev/null
	stack_http "$j" GET "$APP_URL/tasks"
	is "$ST_STATUS" 200 "kept token: the renewal fails, the still valid token serves the page"
	ok "kept token: still signed in as Alice Anderson" wh_has '<span class="who">Alice Anderson</span>'
	is "$(wh_count ": the access token is still valid" $STACK_LOGS)" $((n_log + 1)) \
	    "kept token: the app says so in its log"
	is "$(wh_rt "$h")" "$rt" \
	    "kept token: the refresh token is kept"
	stack_http "$j" GET "$APP_URL/tasks"
	is "$ST_STATUS" 200 "kept token: the next page works too"
}

# wh_store_lost KILLS: PostgreSQL drops the web app's connection while it
# stores renewed tokens (a trigger on webapp.tokens terminates the backend,
# KILLS times).  The provider has already rotated the refresh token (it is
# single use there), so the new pair must not be lost: the page is served
# with it, it is stored once PostgreSQL answers, and the next renewal
# (which needs that refresh token) keeps alice signed in.
wh_store_lost() {
	local kills=$1 what="store lost ($1 dropped connection(s))" j h rt n_kept n_late
	wh_session "lost$kills" "" "$what" || return 1
	n_kept=$(wh_count "renewed tokens not stored (postgresql failed)" $STACK_LOGS)
	n_late=$(wh_count "renewed tokens stored after postgresql came back" $STACK_LOGS)
	wh_db "UPDATE webapp.tokens SET access_expires_at = now() WHERE session_hash = '$h'" >/dev/null
	wh_db "CREATE SEQUENCE public.wh_kills;
	    CREATE OR REPLACE FUNCTION public.wh_kill() RETURNS trigger
	    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS \$f\$
	    BEGIN
		IF nextval('public.wh_kills') <= $kills THEN
			PERFORM pg_terminate_backend(pg_backend_pid());
			PERFORM pg_sleep(5);
		END IF;
		RETURN NEW;
	    END \$f\$;
	    CREATE TRIGGER wh_kill BEFORE INSERT OR UPDATE ON webapp.tokens
	    FOR EACH ROW WHEN (NEW.session_hash = '$h') EXECUTE FUNCTION public.wh_kill()" >/dev/null
	stack_http "$j" GET "$APP_URL/tasks"
	wh_db "DROP TRIGGER wh_kill ON webapp.tokens" >/dev/null
	is "$ST_STATUS" 200 "$what: the page is served with the renewed token"
	ok "$what: still signed in as Alice Anderson" wh_has '<span class="who">Alice Anderson</span>'
	is "$(wh_db "SELECT last_value >= $kills FROM public.wh_kills")" t \
	    "$what: the connection was dropped while storing (the trigger fired)"
	is "$(wh_count "renewed tokens not stored (postgresql failed)" $STACK_LOGS)" $((n_kept + 1)) \
	    "$what: the app says the store failed"
	is "$(wh_count "renewed tokens stored after postgresql came back" $STACK_LOGS)" $((n_late + 1)) \
	    "$what: and that it stored them on a retry"
	isnt "$(wh_rt "$h")" "$rt" "$what: the rotated refresh token is stored"
	rt=$(wh_rt "$h")
	wh_db "UPDATE webapp.tokens SET access_expires_at = now() WHERE session_hash = '$h'" >/dev/null
	stack_http "$j" GET "$APP_URL/tasks"
	is "$ST_STATUS" 200 "$what: the next renewal works (the stored refresh token is the live one)"
	ok "$what: still signed in after it" wh_has '<span class="who">Alice Anderson</span>'
	isnt "$(wh_rt "$h")" "$rt" "$what: (that renewal rotated it again)"
	wh_db "DROP FUNCTION public.wh_kill(); DROP SEQUENCE public.wh_kills" >/dev/null
}

# wh_refresh_single_use: the control for wh_store_lost: this provider
# refuses a refresh token redeemed once already.
wh_refresh_single_use() {
	local j h rt
	wh_session single-use "" "single use" || return 1
	wh_db "UPDATE webapp.tokens SET access_expires_at = now() WHERE session_hash = '$h'" >/dev/null
	stack_http "$j" GET "$APP_URL/tasks"
	is "$ST_STATUS" 200 "single use: a renewal works"
	# Put the redeemed refresh token back, as a lost store would leave it.
	wh_db "UPDATE webapp.tokens SET refresh_token = '$rt', access_expires_at = now() WHERE session_hash = '$h'" >/dev/null
	stack_http "$j" GET "$APP_URL/tasks"
	like "$ST_STATUS $ST_LOCATION" "^303 $APP_URL/signin\\?return_to=%2Ftasks" \
	    "single use: the redeemed refresh token again is refused: sign in"
}

# wh_renew_burst: 20 parallel page loads after the access token expired,
# while the one refresh they need takes 7 s: every load succeeds and the
# provider sees exactly one refresh grant.
wh_renew_burst() {
	local j h n0 i codes pids=""
	j=$(wh_jar burst)
	if ! wh_signed_in "$j" refresh-slow; then
		fail "burst: alice signs in"
		return 1
	fi
	h=$(wh_hash "$j")
	n0=$(wh_count "token request: refresh_token" "$STACK_IDP_LOG")
	wh_db "UPDATE webapp.tokens SET access_expires_at = now() WHERE session_hash = '$h'" >/dev/null
	for i in $(seq 1 20); do
		curl -s -m 40 -b "$j" -o /dev/null -w '%{http_code}\n' "$APP_URL/tasks" >"$STACK_DIR/burst.$i" &
		pids="$pids $!"
	done
	wait $pids	# (only these: the stack's servers are children too)
	codes=$(cat "$STACK_DIR"/burst.* | sort | uniq -c | awk '{ printf "%s x%s ", $2, $1 }')
	is "$codes" "200 x20 " "20 parallel page loads after expiry, one slow renewal: all 200"
	is "$(wh_count "token request: refresh_token" "$STACK_IDP_LOG")" $((n0 + 1)) \
	    "exactly one refresh grant for the burst"
	is "$(wh_count "hostile refresh answer: refresh-slow" "$STACK_IDP_LOG")" 1 \
	    "(and it was the slow one)"
}

# wh_loop_guard: the provider signs alice in without an access token, at
# every round; the app stops after one round with a page saying so.
wh_loop_guard() {
	local j mode=no-access-token auth=0 steps=0 url
	j=$(wh_jar loop)
	stack_http "$j" GET "$APP_URL/signin?return_to=%2Ftasks"
	while [ $steps -lt 40 ]; do
		steps=$((steps + 1))
		case $ST_STATUS in
		301 | 302 | 303 | 307 | 308)
			url=$ST_LOCATION
			stack_on_stack "$url" || break
			if [[ "$url" == "$IDP_URL"/*/oauth2/v2.0/authorize\?* ]]; then
				auth=$((auth + 1))
				[ $auth -gt 4 ] && break
				url="$url&hostile=$mode"
			fi
			stack_http "$j" GET "$url"
			continue ;;
		esac
		if stack_is_form_post; then
			stack_form_post "$j"
		elif stack_form 'id="localAccountForm"' >/dev/null; then
			stack_idp_login "$j" alice alice-password || break
		else
			break
		fi
	done
	is "$auth" 2 "no access token at each sign-in: the app sends the browser to sign in once more, not again"
	is "$ST_STATUS" 502 "then an error page (502)"
	ok "which says the provider issued no access token" wh_has 'issued no access token'
	is "$(wh_count "hostile token answer: $mode" "$STACK_IDP_LOG")" 2 "(the provider left out the access token both times)"
	ok "the app logs the loop" grep -q 'sign-in loop stopped' $STACK_LOGS
}

# wh_provider_guard: a mode the provider does not know is refused there.
wh_provider_guard() {
	local j
	j=$(wh_jar guard)
	stack_http "$j" GET "$APP_URL/signin"
	stack_http "$j" GET "$ST_LOCATION&hostile=no-such-mode"
	is "$ST_STATUS" 400 "the provider refuses an unknown hostile mode (400)"
	like "$ST_PAGE" 'unknown hostile mode' "and says so"
}

# wh_logs_clean WHAT: no token, code, session id, csrf token, password or
# client secret in any log.
wh_logs_clean() {
	local what=$1 f hits="" h
	for f in $STACK_LOGS; do
		[ -f "$f" ] || continue
		h=$(grep -nE 'eyJ[A-Za-z0-9_-]{10,}\.|dev-client-secret|alice-password' "$f" | head -n 3)
		[ -n "$h" ] && hits="$hits$f: $h"$'\n'
		if [ -s "$STACK_DIR/secrets" ]; then
			h=$(grep -nF -f "$STACK_DIR/secrets" "$f" | head -n 3)
			[ -n "$h" ] && hits="$hits$f (a code, session id or csrf token): $h"$'\n'
		fi
	done
	is "$hits" "" "$what: no JWT, code, session id, password or client secret in any log ($(printf '%s\n' $STACK_LOGS | wc -l) files, $(sort -u "$STACK_DIR/secrets" | wc -l) secrets)"
	ok "$what: the logs were written" test -s "$STACK_IDP_LOG"
}

webapp_hostile_run() {
	local server=$1 line t0
	t0=$(date +%s)
	if DEV_IDP_HOSTILE=1 STACK_LOG_LEVEL=debug stack_up "$server"; then
		pass "$server: a stack with a hostile provider is up (provider $IDP_URL)"
	else
		bail_out "$server: the stack with a hostile provider did not start"
	fi
	like "$(cat "$STACK_IDP_LOG")" 'HOSTILE MODES ON' "the provider has its hostile modes on"
	wh_accepted "control (no mode)" ""
	wh_accepted "control (resign: the honest id_token re-signed)" resign
	for line in "${WH_MODES[@]}"; do
		wh_refused "${line%%:*}" "${line#*:}"
	done
	wh_provider_guard
	is "$(wh_db "SELECT count(*) FROM webapp.sessions")" 2 \
	    "only the two controls made sessions"
	for line in "${WH_REFRESH_MODES[@]}"; do
		wh_refresh_error "${line%%:*}" "${line#*:}"
	done
	wh_refresh_fails_still_valid
	wh_refresh_single_use
	wh_store_lost 1
	wh_store_lost 4
	wh_renew_burst
	wh_loop_guard
	stack_down
	wh_logs_clean "$server, hostile provider"
	diag "hostile provider: $(( $(date +%s) - t0 )) s"
}
