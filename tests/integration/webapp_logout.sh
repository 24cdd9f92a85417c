# tests/integration/webapp_logout.sh -- logout that reaches every session
# (issue 16): back-channel logout tokens, front-channel logout, signing out
# at the provider directly, RP-initiated logout's state, RFC 9207's iss in
# the authorization response, and PAR (RFC 9126; every sign-in of this
# stack pushes its request, those of the other stacks do not).  Shared by webapp_lighttpd.test and
# webapp_apache.test (sourced after lib.sh, stack.sh and webapp_cases.sh).
#
#   webapp_logout_run SERVER   a stack of its own under SERVER; the
#                              provider registers the app's back-channel
#                              and front-channel logout URIs (stack.sh)

# wl_db SQL
wl_db() {
	psql_c "$1" 2>&1
}

# wl_hash COOKIE-VALUE: the session's id_hash.
wl_hash() {
	printf '%s' "$1" | openssl dgst -sha256 -binary | base64 | tr '+/' '-_' | tr -d '='
}

# wl_session JAR: the id_hash of the jar's session.
wl_session() {
	wl_hash "$(stack_cookie "$1" todo_session)"
}

# wl_alive HASH: 1 when that session is in the database, else 0.
wl_alive() {
	wl_db "SELECT count(*) FROM webapp.sessions WHERE id_hash = '$1'"
}

# wl_signin NAME USER: a fresh browser signed in as USER; prints the jar.
wl_signin() {
	local j
	j=$(wc_jar "logout-$1")
	if ! stack_signin "$j" "$2" "$2-password" >&2; then
		printf '%s\n' "$j"
		return 1
	fi
	printf '%s\n' "$j"
}

# wl_token [CLAIMS-JSON] [--other-key]: a logout token for the app, by the
# provider's test key, naming $IDP_ISSUER and the app's client id.
wl_token() {
	node "$T_LIBDIR/logout_token.js" "$top_srcdir/deploy/dev-idp/test-signing-key.json" \
	    "$IDP_ISSUER" 00000000-0000-4000-a000-000000000001 "$@"
}

# wl_back TOKEN: POST it to the back-channel endpoint.
wl_back() {
	stack_http - POST "$APP_URL/signout/backchannel" --data-urlencode "logout_token=$1"
}

wl_framed_headers() {	# wl_framed_headers WHAT: the front-channel page's headers
	local what=$1 csp
	csp=$(stack_header Content-Security-Policy)
	like "$csp" "frame-ancestors( [^;]*)? ${IDP_URL//./\\.}(;| |\$)" \
	    "$what: CSP frame-ancestors names the provider's origin"
	unlike "$csp" "frame-ancestors 'none'|frame-ancestors \*|unsafe-inline" \
	    "$what: and nothing wider"
	is "$(stack_header X-Frame-Options)" "" "$what: no X-Frame-Options DENY"
	is "$(stack_header Cache-Control)" no-store "$what: Cache-Control no-store"
}

# ---- cases -----------------------------------------------------------------

wl_remembers_sid() {
	local j h
	j=$(wl_signin sid alice) || { fail "alice signs in"; return 1; }
	h=$(wl_session "$j")
	like "$(wl_db "SELECT provider_sid FROM webapp.sessions WHERE id_hash = '$h'")" \
	    '^[A-Za-z0-9_-]{10,}$' "a session remembers the provider's sid (the id_token's)"
	is "$(wl_db "SELECT issuer FROM webapp.sessions WHERE id_hash = '$h'")" "$IDP_ISSUER" \
	    "and its issuer"
}

wl_frontchannel() {
	local j h sid k
	j=$(wl_signin front alice) || { fail "alice signs in"; return 1; }
	h=$(wl_session "$j")
	sid=$(wl_db "SELECT provider_sid FROM webapp.sessions WHERE id_hash = '$h'")

	stack_http - GET "$APP_URL/signout/frontchannel?sid=$(stack_urlencode "$sid")"
	is "$ST_STATUS" 400 "front-channel: a sid without iss is refused (400)"
	wl_framed_headers "front-channel 400"
	is "$(wl_alive "$h")" 1 "and the session stays (no CSRF sign-out by sid alone)"
	stack_http - GET "$APP_URL/signout/frontchannel?iss=$(stack_urlencode "https://evil.example/v2.0/")&sid=$(stack_urlencode "$sid")"
	is "$ST_STATUS" 400 "front-channel: a foreign iss is refused (400)"
	is "$(wl_alive "$h")" 1 "and the session stays"
	stack_http - GET "$APP_URL/signout/frontchannel?iss=$(stack_urlencode "$IDP_ISSUER")"
	is "$ST_STATUS" 400 "front-channel: iss without sid is refused (400)"
	stack_http - GET "$APP_URL/signout/frontchannel?iss=$(stack_urlencode "$IDP_ISSUER")&sid=another-sid"
	is "$ST_STATUS" 200 "front-channel: another sid of our provider: 200"
	is "$(wl_alive "$h")" 1 "which ends no other session"

	stack_http - GET "$APP_URL/signout/frontchannel?iss=$(stack_urlencode "$IDP_ISSUER")&sid=$(stack_urlencode "$sid")"
	is "$ST_STATUS" 200 "front-channel: iss and the session's sid (no cookie, as in a cross-site frame): 200"
	wl_framed_headers "front-channel 200"
	ok "the page says signed out" wc_has 'You are signed out'
	is "$(wl_alive "$h")" 0 "the session is gone from PostgreSQL (every node)"
	stack_http "$j" GET "$APP_URL/tasks"
	is "$ST_STATUS $ST_LOCATION" "303 $APP_URL/signin?return_to=%2Ftasks" \
	    "its browser is sent to sign in"

	stack_http - GET "$APP_URL/"
	is "$(stack_header X-Frame-Options)" DENY "every other page keeps X-Frame-Options DENY"
	like "$(stack_header Content-Security-Policy)" "frame-ancestors 'none'" \
	    "and frame-ancestors 'none'"
	stack_http - POST "$APP_URL/signout/frontchannel" --data ''
	is "$ST_STATUS" 405 "POST /signout/frontchannel: 405"

	k=$(wl_signin front-own alice) || { fail "alice signs in"; return 1; }
	h=$(wl_session "$k")
	stack_http "$k" GET "$APP_URL/signout/frontchannel"
	is "$ST_STATUS" 200 "front-channel without iss and sid ends the browser's own session: 200"
	is "$(wl_alive "$h")" 0 "that session is gone"
}

wl_backchannel_refusals() {
	local j h sid t what
	j=$(wl_signin back-refused alice) || { fail "alice signs in"; return 1; }
	h=$(wl_session "$j")
	sid=$(wl_db "SELECT provider_sid FROM webapp.sessions WHERE id_hash = '$h'")

	stack_http - GET "$APP_URL/signout/backchannel"
	is "$ST_STATUS" 405 "GET /signout/backchannel: 405"
	is "$(stack_header Allow)" POST "with Allow: POST"
	stack_http - POST "$APP_URL/signout/backchannel" --data-urlencode "other=1"
	is "$ST_STATUS" 400 "back-channel: no logout_token: 400"
	like "$ST_PAGE" '^\{"error":"invalid_request","error_description":"[^"]+"\}$' \
	    "with a JSON error"
	like "$(stack_header Content-Type)" '^application/json' "as application/json"
	is "$(stack_header Cache-Control)" no-store "and Cache-Control: no-store"

	while IFS='|' read -r what t; do
		wl_back "$t"
		is "$ST_STATUS" 400 "back-channel: $what: 400"
	done <<EOF
a bad signature (a key the provider never published)|$(wl_token "{\"sid\":\"$sid\"}" --other-key)
another audience|$(wl_token "{\"sid\":\"$sid\",\"aud\":\"someone-else\"}")
another issuer|$(wl_token "{\"sid\":\"$sid\",\"iss\":\"https://evil.example/v2.0/\"}")
no events claim|$(wl_token "{\"sid\":\"$sid\",\"events\":null}")
another event|$(wl_token "{\"sid\":\"$sid\",\"events\":{\"urn:other\":{}}}")
a nonce (an id_token, not a logout token)|$(wl_token "{\"sid\":\"$sid\",\"nonce\":\"n\"}")
neither sid nor sub|$(wl_token '{}')
no jti|$(wl_token "{\"sid\":\"$sid\",\"jti\":null}")
issued 20 minutes ago|$(wl_token "{\"sid\":\"$sid\",\"iat\":$(( $(date +%s) - 1200 ))}")
expired|$(wl_token "{\"sid\":\"$sid\",\"iat\":$(( $(date +%s) - 200 )),\"exp\":$(( $(date +%s) - 100 ))}")
no signature|$(wl_token "{\"sid\":\"$sid\"}" | sed 's/\.[^.]*$/./')
not a JWT|not-a-jwt
EOF
	is "$(wl_alive "$h")" 1 "none of them ended the session"
	stack_http "$j" GET "$APP_URL/tasks"
	is "$ST_STATUS" 200 "which still serves its tasks"
}

wl_backchannel() {
	local j h k hk b hb t sub
	j=$(wl_signin back-sid alice) || { fail "alice signs in"; return 1; }
	h=$(wl_session "$j")
	k=$(wl_signin back-sid2 alice) || { fail "alice signs in again"; return 1; }
	hk=$(wl_session "$k")
	t=$(wl_token "{\"sid\":\"$(wl_db "SELECT provider_sid FROM webapp.sessions WHERE id_hash = '$h'")\"}")
	is "$(wl_db "SELECT count(*) FROM webapp.tokens WHERE session_hash = '$h'")" 1 \
	    "the session has cached tokens"
	wl_back "$t"
	is "$ST_STATUS" 200 "back-channel: a good logout token with the session's sid: 200"
	is "$(stack_header Cache-Control)" no-store "with Cache-Control: no-store"
	is "$(wl_alive "$h")" 0 "that session is gone from PostgreSQL"
	is "$(wl_db "SELECT count(*) FROM webapp.tokens WHERE session_hash = '$h'")" 0 \
	    "and its cached tokens"
	is "$(wl_alive "$hk")" 1 "alice's session in another browser (another provider sid) stays"
	stack_http "$j" GET "$APP_URL/tasks"
	is "$ST_STATUS $ST_LOCATION" "303 $APP_URL/signin?return_to=%2Ftasks" \
	    "the ended session's browser is sent to sign in"
	wl_back "$t"
	is "$ST_STATUS" 400 "the same logout token again (its jti seen): 400"
	like "$ST_PAGE" 'used already' "which says so"

	b=$(wl_signin back-bob bob) || { fail "bob signs in"; return 1; }
	hb=$(wl_session "$b")
	sub=$(wl_db "SELECT claims->>'sub' FROM webapp.sessions WHERE id_hash = '$hk'")
	ok "alice has sessions in several browsers (earlier cases', this case's other)" \
	    test "$(wl_db "SELECT count(*) FROM webapp.sessions WHERE claims->>'sub' = '$sub'")" -ge 3
	wl_back "$(wl_token "{\"sub\":\"$sub\"}")"
	is "$ST_STATUS" 200 "back-channel: a logout token with sub only: 200"
	is "$(wl_db "SELECT count(*) FROM webapp.sessions WHERE claims->>'sub' = '$sub'")" 0 \
	    "every session of alice ended"
	is "$(wl_alive "$hb")" 1 "bob's stays"
}

# Signing out at the provider (another app, or the provider's own page)
# ends the app's session: by the back-channel, and the front-channel frame.
wl_provider_signout() {
	local j h sid frame
	j=$(wl_signin at-idp alice) || { fail "alice signs in"; return 1; }
	h=$(wl_session "$j")
	sid=$(wl_db "SELECT provider_sid FROM webapp.sessions WHERE id_hash = '$h'")
	stack_http "$j" GET "$IDP_URL/dev.onmicrosoft.com/B2C_1_susi/oauth2/v2.0/logout"
	is "$ST_STATUS" 200 "signing out at the provider directly: its signed-out page"
	is "$(wl_alive "$h")" 0 "the app's session ended meanwhile (back-channel logout)"
	like "$(cat "$STACK_IDP_LOG")" "back-channel logout sent to $APP_URL/signout/backchannel" \
	    "the provider sent the logout token"
	frame=$(printf '%s' "$ST_PAGE" | grep -o '<iframe class="frontchannel-logout" src="[^"]*"' |
	    sed 's/.*src="//; s/"$//; s/&amp;/\&/g')
	like "$frame" "^$APP_URL/signout/frontchannel\\?" "the page frames the app's front-channel URI"
	is "$(stack_field "${frame#*\?}" iss)" "$IDP_ISSUER" "with the provider's iss"
	is "$(stack_field "${frame#*\?}" sid)" "$sid" "and the session's sid"
	stack_http "$j" GET "$frame" -H "Referer: $IDP_URL/"
	is "$ST_STATUS" 200 "the framed page answers 200"
	stack_http "$j" GET "$APP_URL/tasks"
	is "$ST_STATUS $ST_LOCATION" "303 $APP_URL/signin?return_to=%2Ftasks" \
	    "the browser's app session is over"
	stack_signin_start "$j" /tasks
	ok "and so is its provider session (login page)" wc_form 'id="localAccountForm"'
}

wl_rp_state() {
	local j csrf loc state n
	j=$(wl_signin state alice) || { fail "alice signs in"; return 1; }
	csrf=$(stack_csrf "$j" /tasks)
	n=$(grep -c 'back-channel logout sent' "$STACK_IDP_LOG")
	wc_post "$j" /signout csrf="$csrf"
	loc=$ST_LOCATION
	state=$(stack_field "${loc#*\?}" state)
	like "$state" '^[A-Za-z0-9_-]{40,}$' "RP-initiated logout sends a state"
	stack_http "$j" GET "$loc"
	is "$ST_STATUS" 303 "the provider signs out and redirects"
	like "$ST_LOCATION" "^$APP_URL/\\?state=" "back to the app with the state"
	is "$(stack_field "${ST_LOCATION#*\?}" state)" "$state" "the same state"
	is "$(grep -c 'back-channel logout sent' "$STACK_IDP_LOG")" $((n + 1)) \
	    "(the provider tells the back-channel too; nothing is left to end)"
	stack_http "$j" GET "$ST_LOCATION"
	is "$ST_STATUS $ST_LOCATION" "303 $APP_URL/" "the landing checks the state and goes home"
	stack_http "$j" GET "$APP_URL/"
	ok "which says: signed out" wc_has 'You are signed out'

	stack_http - GET "$APP_URL/?state=forged" -H "Cookie: todo_notice=logout.the-real-state"
	is "$ST_STATUS $ST_LOCATION" "303 $APP_URL/" "a wrong state: home as well"
	like "$(stack_header Set-Cookie)" '^todo_notice=;.*Max-Age=0' "the kept state is dropped"
	stack_http - GET "$APP_URL/?state=forged"
	is "$ST_STATUS $ST_LOCATION" "303 $APP_URL/" "no kept state: home"
	is "$(stack_header Set-Cookie | grep -c 'todo_notice=signedout')" 0 "without the notice"
	stack_http - GET "$APP_URL/" -H "Cookie: todo_notice=logout.the-real-state"
	is "$ST_STATUS" 200 "a missing state: the plain home page"
	ok "without 'signed out'" bash -c '! grep -qF "You are signed out" "$1"' - "$STACK_DIR/http/body"
}

# wl_answer JAR EDIT WHAT: sign in with the form_post answer's fields
# edited by the perl substitution EDIT; the GET callback's answer is in ST_*.
wl_answer() {
	local jar=$1 edit=$2 form body
	stack_signin_start "$jar" /tasks || return 1
	if ! stack_is_form_post; then
		stack_idp_login "$jar" alice alice-password || return 1
	fi
	form=$(stack_form 'method="post"')
	body=$(printf '%s\n' "$form" | sed -n 2p | perl -pe "$edit")
	stack_note_secret "$(stack_field "$body" code)"
	stack_http "$jar" POST "$APP_URL/signin/callback" \
	    -H 'Content-Type: application/x-www-form-urlencoded' --data-binary "$body"
	[ "$ST_STATUS" = 303 ] || return 1
	stack_http "$jar" GET "$ST_LOCATION"
}

wl_iss() {
	local j n
	like "$(curl -s "${IDP_METADATA//\{policy\}/B2C_1_susi}")" \
	    '"authorization_response_iss_parameter_supported":true' \
	    "the provider advertises RFC 9207's iss"
	n=$(wl_db "SELECT count(*) FROM webapp.sessions")
	j=$(wc_jar iss-missing)
	wl_answer "$j" 's/(^|&)iss=[^&]*//; s/^&//'
	is "$ST_STATUS" 400 "RFC 9207: an answer without iss is refused (400)"
	ok "with a clear page" wc_has 'did not come from the identity provider'
	j=$(wc_jar iss-wrong)
	wl_answer "$j" 's/(^|&)iss=[^&]*/$1iss=https%3A%2F%2Fevil.example%2Fv2.0%2F/'
	is "$ST_STATUS" 400 "RFC 9207: an answer with another iss is refused (400)"
	ok "with a clear page" wc_has 'did not come from the identity provider'
	is "$(wl_db "SELECT count(*) FROM webapp.sessions")" "$n" "neither made a session"
	j=$(wc_jar iss-good)
	wl_answer "$j" ''
	is "$ST_STATUS $ST_LOCATION" "303 $APP_URL/tasks" "the same answer with its iss: signed in"
	ok "the app logs why it refused the answer without iss" \
	    grep -q 'no iss in the authorization response' $STACK_LOGS
}

# wl_par: the provider offers PAR and use_par is auto: the request is
# pushed, the browser carries only client_id and request_uri.
wl_par() {
	local j loc q
	like "$(curl -s "${IDP_METADATA//\{policy\}/B2C_1_susi}")" \
	    '"pushed_authorization_request_endpoint":"[^"]+/oauth2/v2\.0/par"' \
	    "the provider advertises a PAR endpoint"
	j=$(wc_jar par)
	stack_http "$j" GET "$APP_URL/signin?return_to=%2Ftasks"
	loc=$ST_LOCATION
	q=${loc#*\?}
	like "$loc" "^$IDP_URL/dev\.onmicrosoft\.com/B2C_1_susi/oauth2/v2\.0/authorize\?" \
	    "PAR: GET /signin sends the browser to the authorize endpoint"
	like "$q" '^client_id=[^&]+&request_uri=urn%3Aietf%3Aparams%3Aoauth%3Arequest_uri%3A[A-Za-z0-9_-]+$' \
	    "PAR: with client_id and request_uri only"
	unlike "$q" 'state=|nonce=|code_challenge=|scope=|redirect_uri=' \
	    "PAR: no state, nonce, PKCE, scope or redirect_uri in the URL"
	like "$(cat "$STACK_IDP_LOG")" ' POST /dev\.onmicrosoft\.com/B2C_1_susi/oauth2/v2\.0/par 201 ' \
	    "PAR: the app pushed the request (201)"
	stack_follow "$j"
	ok "PAR: the provider shows its login page" wc_form 'id="localAccountForm"'
	stack_idp_login "$j" alice alice-password && stack_finish "$j"
	is "$STACK_CALLBACK_STATUS $STACK_CALLBACK_LOCATION" "303 $APP_URL/tasks" \
	    "PAR: the sign-in completes"
	is "$(wl_db "SELECT count(*) FROM webapp.tokens WHERE session_hash = '$(wl_session "$j")' AND refresh_token IS NOT NULL")" 1 \
	    "PAR: with a refresh token (offline_access went through the pushed request)"
	stack_http - GET "$APP_URL/signin" -H "Accept-Language: fr-CA, de;q=0.5"
	unlike "${ST_LOCATION#*\?}" 'ui_locales' "PAR: the browser's languages go in the pushed request, not the URL"
}

# wl_iss_unadvertised: a provider that does not advertise RFC 9207 (and
# use_par off): an iss is checked when present, not required.
wl_iss_unadvertised() {
	local j
	unlike "$(curl -s "${IDP_METADATA//\{policy\}/B2C_1_susi}")" \
	    'authorization_response_iss_parameter_supported' \
	    "this provider does not advertise RFC 9207's iss (--no-iss-parameter)"
	j=$(wc_jar par-off)
	stack_http "$j" GET "$APP_URL/signin"
	like "${ST_LOCATION#*\?}" '(^|&)state=[^&]+' "use_par off: the whole request is in the URL (state)"
	unlike "${ST_LOCATION#*\?}" 'request_uri=' "use_par off: no request_uri"
	j=$(wc_jar iss-unadvertised-wrong)
	wl_answer "$j" 's/(^|&)iss=[^&]*/$1iss=https%3A%2F%2Fevil.example%2Fv2.0%2F/'
	is "$ST_STATUS" 400 "not advertised: an answer with another iss is still refused (400)"
	j=$(wc_jar iss-unadvertised-missing)
	wl_answer "$j" 's/(^|&)iss=[^&]*//; s/^&//'
	is "$ST_STATUS $ST_LOCATION" "303 $APP_URL/tasks" "not advertised: an answer without iss signs in"
	j=$(wc_jar iss-unadvertised-good)
	wl_answer "$j" ''
	is "$ST_STATUS $ST_LOCATION" "303 $APP_URL/tasks" "not advertised: an answer with the right iss signs in"
}

webapp_logout_run() {
	local server=$1 t0
	t0=$(date +%s)
	STACK_USE_PAR=auto STACK_LOG_LEVEL=debug stack_up "$server" ||
		bail_out "$server: the logout stack did not start"
	pass "$server: a stack for logout (use_par auto) is up ($APP_URL, provider $IDP_URL)"
	wl_par
	wl_remembers_sid
	wl_frontchannel
	wl_backchannel_refusals
	wl_backchannel
	wl_provider_signout
	wl_rp_state
	wl_iss
	stack_down
	wc_logs_clean "$server, logout"
	DEV_IDP_NO_ISS_PARAMETER=1 STACK_LOG_LEVEL=debug stack_up "$server" ||
		bail_out "$server: the stack without RFC 9207 did not start"
	pass "$server: a stack whose provider does not advertise RFC 9207 (use_par off) is up"
	wl_iss_unadvertised
	stack_down
	wc_logs_clean "$server, logout without RFC 9207"
	diag "logout: $(( $(date +%s) - t0 )) s"
}
