# tests/integration/webapp_features.sh -- issue 11 in the web app, through
# curl: editing a task (and the "changed in another window" page), the
# list's filter, search and pages, drafts kept across signing in again,
# the sessions page, "my data" (downloads and deleting), and ui_locales.
# Sourced by webapp_lighttpd.test and webapp_apache.test after lib.sh,
# stack.sh and webapp_cases.sh (wc_post).
#
#   webapp_features_run SERVER   the cases against a stack of their own

ft_jar() {	# ft_jar NAME: a fresh cookie jar
	rm -f "$STACK_DIR/ft-jar-$1"
	printf '%s\n' "$STACK_DIR/ft-jar-$1"
}

ft_has() {	# ft_has FIXED-STRING: on the last page?
	page_has "$1"
}

ft_db() {
	psql_c "$1" 2>&1
}

ft_sql_str() {	# ft_sql_str TEXT: TEXT as an SQL literal
	printf "'%s'" "$(printf '%s' "$1" | sed "s/'/''/g")"
}

# ft_id TEXT: the id of alice's (any owner's) task with that text.
ft_id() {
	ft_db "SELECT id FROM api.tasks WHERE text = $(ft_sql_str "$1") ORDER BY id DESC LIMIT 1"
}

ft_headers() {	# ft_headers WHAT: the security headers are there
	like "$(stack_header Content-Security-Policy)" "default-src 'none'.*frame-ancestors 'none'" \
	    "$1: CSP"
	is "$(stack_header X-Frame-Options)" DENY "$1: X-Frame-Options"
	is "$(stack_header Cache-Control)" no-store "$1: Cache-Control no-store"
}

ft_session_hash() {	# ft_session_hash JAR
	printf '%s' "$(stack_cookie "$1" todo_session)" | openssl dgst -sha256 -binary |
	    base64 | tr '+/' '-_' | tr -d '=\n'
}

# ft_tokens_end HASH: the session's tokens are gone (refresh refused), in
# a session older than the sign-in loop guard's window.
ft_tokens_end() {
	ft_db "UPDATE webapp.sessions SET created_at = now() - interval '5 minutes' WHERE id_hash = '$1'" >/dev/null
	ft_db "DELETE FROM webapp.tokens WHERE session_hash = '$1'" >/dev/null
}

# ---- edit and conflict -------------------------------------------------

ft_edit() {
	local j=$1 csrf id v v2 form
	csrf=$(stack_csrf "$j" /tasks)
	wc_post "$j" /tasks csrf="$csrf" text="feat: edit me" due=2031-12-31
	is "$ST_STATUS $ST_LOCATION" "303 $APP_URL/tasks" "add with a due date: 303 to the list"
	id=$(ft_id "feat: edit me")
	stack_http "$j" GET "$APP_URL/tasks"
	ok "the list shows the due date" ft_has '<span class="due">Due 2031-12-31</span>'
	ok "the list links to the edit page" ft_has "<a class=\"edit\" href=\"/tasks/$id\" aria-label=\"Edit: feat: edit me\">Edit</a>"
	stack_http "$j" GET "$APP_URL/tasks/$id"
	is "$ST_STATUS" 200 "GET /tasks/{id}: 200"
	ft_headers "edit page"
	ok "the edit form posts to /tasks/{id}" ft_has "<form class=\"edit\" method=\"post\" action=\"/tasks/$id\">"
	ok "the form holds the text" ft_has 'value="feat: edit me"'
	ok "and the due date" ft_has 'id="due" name="due" inputmode="numeric" maxlength="10" autocomplete="off" pattern="[0-9]{4}-[0-9]{2}-[0-9]{2}" value="2031-12-31"'
	v=$(ft_db "SELECT version FROM api.tasks WHERE id = $id")
	ok "the form carries the version" ft_has "name=\"version\" value=\"$v\""
	wc_post "$j" "/tasks/$id" csrf="$csrf" version="$v" text="feat: edited" due=""
	is "$ST_STATUS $ST_LOCATION" "303 $APP_URL/tasks?notice=saved" "save: 303 to the list with a notice"
	is "$(ft_db "SELECT text || '|' || coalesce(due::text, 'none') FROM api.tasks WHERE id = $id")" \
	    "feat: edited|none" "save: text changed, due date cleared"
	stack_follow "$j"
	ok "the list says it was saved" ft_has '<p class="notice" role="status">Task saved.</p>'
	# Two windows: both opened at version v2; the first saves.
	v2=$(ft_db "SELECT version FROM api.tasks WHERE id = $id")
	wc_post "$j" "/tasks/$id" csrf="$csrf" version="$v2" text="feat: window one" due=2032-01-01
	is "$ST_STATUS" 303 "window one saves"
	wc_post "$j" "/tasks/$id" csrf="$csrf" version="$v2" text="feat: window two" due=""
	is "$ST_STATUS" 409 "window two, same version: 409, the conflict page"
	ft_headers "conflict page"
	ok "it says the task changed in another window" ft_has '<h1>Changed in another window</h1>'
	ok "it shows yours" ft_has '<dd>feat: window two</dd>'
	ok "and the current one" ft_has '<dd>feat: window one</dd>'
	is "$(ft_db "SELECT text FROM api.tasks WHERE id = $id")" "feat: window one" \
	    "nothing was overwritten"
	form=$(stack_form "action=\"/tasks/$id\"") || form=""
	like "$(printf '%s\n' "$form" | sed -n 2p)" "version=$((v2 + 1))(&|\$)" \
	    "\"Save my version\" carries the current version"
	stack_http "$j" POST "$APP_URL/tasks/$id" -H 'Sec-Fetch-Site: same-origin' \
	    --data "$(printf '%s\n' "$form" | sed -n 2p)"
	is "$ST_STATUS" 303 "\"Save my version\": saved"
	is "$(ft_db "SELECT text FROM api.tasks WHERE id = $id")" "feat: window two" \
	    "the chosen version is the task now"
	# Refusals: nothing changes.
	v=$(ft_db "SELECT version FROM api.tasks WHERE id = $id")
	wc_post "$j" "/tasks/$id" csrf="$csrf" text="feat: no version"
	is "$ST_STATUS" 400 "save without a version: 400"
	wc_post "$j" "/tasks/$id" csrf="$csrf" version="$v" text="feat: bad day" due=2031-02-30
	is "$ST_STATUS" 400 "save with 2031-02-30: 400"
	wc_post "$j" "/tasks/$id" csrf="$csrf" version="$v" text=""
	is "$ST_STATUS" 400 "save with no text: 400"
	wc_post "$j" "/tasks/$id" csrf=wrong version="$v" text="feat: csrf"
	is "$ST_STATUS" 403 "save without the CSRF token: 403"
	wc_post "$j" "/tasks/$id" csrf="$csrf" version="0$v" text="feat: zero"
	is "$ST_STATUS" 400 "a version with a leading zero: 400"
	is "$(ft_db "SELECT text || '|' || version FROM api.tasks WHERE id = $id")" \
	    "feat: window two|$v" "refused saves changed nothing"
	stack_http "$j" GET "$APP_URL/tasks/0$id"
	is "$ST_STATUS" 404 "GET /tasks/0{id}: 404"
	stack_http "$j" DELETE "$APP_URL/tasks/$id"
	is "$ST_STATUS" 405 "DELETE /tasks/{id}: 405"
	FT_ALICE_TASK=$id
}

# ---- filter and pages ----------------------------------------------------

ft_list() {
	local j=$1 csrf i first second back id
	csrf=$(stack_csrf "$j" /tasks)
	for i in $(seq 1 30); do
		wc_post "$j" /tasks csrf="$csrf" text="feat: page item $i"
	done
	wc_post "$j" /tasks csrf="$csrf" text="feat: needle in the list"
	id=$(ft_id "feat: needle in the list")
	wc_post "$j" "/tasks/$id/done" csrf="$csrf" done=true
	stack_http "$j" GET "$APP_URL/tasks?show=done"
	is "$ST_STATUS" 200 "show=done: 200"
	ok "show=done lists the done task" ft_has '<span class="text">feat: needle in the list</span>'
	unlike "$ST_PAGE" 'feat: page item' "show=done lists no open task"
	ok "the Done choice is checked" ft_has 'value="done" checked'
	stack_http "$j" GET "$APP_URL/tasks?show=open&q=needle"
	ok "open + needle: nothing matches" ft_has 'No tasks match.'
	stack_http "$j" GET "$APP_URL/tasks?show=all&q=needle+in+the"
	ok "all + needle: the task" ft_has '<span class="text">feat: needle in the list</span>'
	unlike "$ST_PAGE" 'feat: page item' "the search leaves the others out"
	ok "the search box keeps the search" ft_has 'name="q" maxlength="200" value="needle in the"'
	stack_http "$j" GET "$APP_URL/tasks?show=bogus"
	is "$ST_STATUS" 400 "show=bogus: 400"
	stack_http "$j" GET "$APP_URL/tasks?q=$(head -c 201 /dev/zero | tr '\0' x)"
	is "$ST_STATUS" 400 "a 201-character search: 400"
	stack_http "$j" GET "$APP_URL/tasks?cursor=a,b"
	is "$ST_STATUS" 400 "a cursor with a comma: 400"
	stack_http "$j" GET "$APP_URL/tasks?show=open"
	first=$(printf '%s' "$ST_PAGE" | grep -o '<span class="text">[^<]*</span>' | sort)
	is "$(printf '%s\n' "$first" | grep -c .)" 25 "page one: 25 tasks"
	ok "page one links to older tasks" eval 'stack_link older >/dev/null'
	ok "page one has no newer link" bash -c '! grep -q "id=\"newer\"" "$1"' _ "$STACK_DIR/http/body"
	stack_http "$j" GET "$(stack_abs "$APP_URL/" "$(stack_link older)")"
	is "$ST_STATUS" 200 "older: 200"
	second=$(printf '%s' "$ST_PAGE" | grep -o '<span class="text">[^<]*</span>' | sort)
	ok "page two has tasks" test -n "$second"
	is "$(comm -12 <(printf '%s\n' "$first") <(printf '%s\n' "$second") | grep -c .)" 0 \
	    "no task on both pages"
	back=$(stack_link newer) || back=""
	ok "page two links back to newer tasks" test -n "$back"
	stack_http "$j" GET "$(stack_abs "$APP_URL/" "$back")"
	is "$(printf '%s' "$ST_PAGE" | grep -o '<span class="text">[^<]*</span>' | sort)" "$first" \
	    "newer: page one again"
}

# ---- drafts -------------------------------------------------------------

ft_drafts() {
	local j=$1 csrf h id v n
	csrf=$(stack_csrf "$j" /tasks)
	h=$(ft_session_hash "$j")
	# The session ends (idle, or ended elsewhere) while the form is open.
	ft_db "DELETE FROM webapp.sessions WHERE id_hash = '$h'" >/dev/null
	wc_post "$j" /tasks csrf="$csrf" text="feat: typed while signed out" due=2033-03-03
	is "$ST_STATUS $ST_LOCATION" "303 $APP_URL/signin?return_to=%2Ftasks%3Fdraft%3D1" \
	    "add with an ended session: 303 to sign in, coming back to the form"
	is "$(ft_db "SELECT count(*) FROM webapp.drafts")" 1 "a draft is kept"
	is "$(ft_db "SELECT count(*) FROM webapp.drafts WHERE body LIKE '%typed while%'")" 0 \
	    "the draft is sealed, not stored in the clear"
	is "$(ft_db "SELECT count(*) FROM webapp.drafts WHERE expires_at < now() + interval '16 minutes'")" 1 \
	    "the draft is short-lived"
	stack_follow "$j"
	if stack_is_form_post; then
		stack_finish "$j"
	fi
	is "$ST_URL" "$APP_URL/tasks?draft=1" "after sign-in: the add form again"
	ok "the form is filled with the draft" ft_has 'value="feat: typed while signed out"'
	ok "with its due date" ft_has 'value="2033-03-03"'
	ok "and a note" ft_has 'Here is what you had typed: it has not been saved yet.'
	is "$(ft_db "SELECT count(*) FROM api.tasks WHERE text = 'feat: typed while signed out'")" 0 \
	    "the draft was not submitted"
	is "$(ft_db "SELECT count(*) FROM webapp.drafts")" 0 "the draft is used once"
	stack_http "$j" GET "$APP_URL/tasks?draft=1"
	unlike "$ST_PAGE" 'typed while signed out' "a second look shows no draft"
	# The tokens end (refresh refused) during an edit.
	csrf=$(stack_csrf "$j" /tasks)
	id=$FT_ALICE_TASK
	v=$(ft_db "SELECT version FROM api.tasks WHERE id = $id")
	h=$(ft_session_hash "$j")
	ft_tokens_end "$h"
	wc_post "$j" "/tasks/$id" csrf="$csrf" version="$v" text="feat: edit typed as tokens ended"
	is "$ST_STATUS $ST_LOCATION" "303 $APP_URL/signin?return_to=%2Ftasks%2F$id%3Fdraft%3D1&again=1" \
	    "edit with ended tokens: 303 to sign in, back to the edit form"
	is "$(ft_db "SELECT count(*) FROM webapp.drafts WHERE task_id = $id AND subject IS NOT NULL")" 1 \
	    "the edit draft is kept, with its user"
	stack_follow "$j"
	stack_is_form_post && stack_finish "$j"
	is "$ST_URL" "$APP_URL/tasks/$id?draft=1" "after sign-in: the edit form again"
	ok "filled with the draft" ft_has 'value="feat: edit typed as tokens ended"'
	ok "with the version it was typed against" ft_has "name=\"version\" value=\"$v\""
	# Another user's draft in the same browser is never shown.
	csrf=$(stack_csrf "$j" /tasks)
	h=$(ft_session_hash "$j")
	ft_tokens_end "$h"
	wc_post "$j" /tasks csrf="$csrf" text="feat: someone else's draft"
	ft_db "UPDATE webapp.drafts SET subject = 'someone-else'" >/dev/null
	stack_follow "$j"
	stack_is_form_post && stack_finish "$j"
	unlike "$ST_PAGE" "someone else's draft" "a draft of another user is not shown"
	ft_db "DELETE FROM webapp.drafts" >/dev/null
	# A form posted from another site is not kept.
	stack_http - POST "$APP_URL/tasks" -H 'Sec-Fetch-Site: cross-site' \
	    --data-urlencode "text=feat: planted"
	is "$ST_STATUS" 303 "a cross-site POST without a session: 303 to sign in"
	is "$(ft_db "SELECT count(*) FROM webapp.drafts")" 0 "and no draft is kept"
	n=$(ft_db "SELECT count(*) FROM api.tasks")
	stack_http - POST "$APP_URL/tasks/1" -H 'Sec-Fetch-Site: same-origin' \
	    -H 'Content-Type: text/plain' --data 'text=x'
	is "$ST_STATUS" 415 "POST /tasks/{id} signed out, not a form: 415"
	is "$(ft_db "SELECT count(*) FROM api.tasks")" "$n" "nothing was added"
}

# ---- sessions -------------------------------------------------------------

ft_sessions() {
	local a=$1 b c bob csrf hb pb pa n
	b=$(ft_jar alice-b)
	stack_signin "$b" alice alice-password || fail "alice signs in a second time"
	stack_http "$b" GET "$APP_URL/tasks" -A 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0'
	stack_http "$a" GET "$APP_URL/sessions" -A 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36'
	is "$ST_STATUS" 200 "GET /sessions: 200"
	ft_headers "sessions page"
	ok "the nav marks Sessions current" ft_has '<a href="/sessions" aria-current="page">Sessions</a>'
	ok "the other browser is named" ft_has '<strong>Firefox on Linux</strong>'
	ok "this one is named and marked" ft_has '<strong>Chrome on Linux</strong> <span class="status">This one</span>'
	like "$ST_PAGE" 'address (127\.0\.0\.1|::1)' "the address the server saw"
	is "$(printf '%s' "$ST_PAGE" | grep -o '>End session</button>' | wc -l)" 1 \
	    "one End session button: not for this one"
	hb=$(ft_session_hash "$b")
	pb=$(ft_db "SELECT public_id FROM webapp.sessions WHERE id_hash = '$hb'")
	ok "its form names the session by its public handle" ft_has "action=\"/sessions/$pb/revoke\""
	unlike "$ST_PAGE" "$(stack_cookie "$b" todo_session)|$hb|$(ft_session_hash "$a")" \
	    "no session id or hash on the page"
	csrf=$(stack_csrf "$a" /sessions)
	# Bob cannot end alice's session.
	bob=$(ft_jar bob)
	stack_signin "$bob" bob bob-password || fail "bob signs in"
	wc_post "$bob" "/sessions/$pb/revoke" csrf="$(stack_csrf "$bob" /sessions)"
	is "$ST_STATUS $ST_LOCATION" "303 $APP_URL/sessions?notice=gone" \
	    "bob ending alice's session: as if there were none"
	stack_http "$bob" GET "$APP_URL/sessions"
	unlike "$ST_PAGE" "$pb" "bob's page does not show alice's session"
	is "$(ft_db "SELECT count(*) FROM webapp.sessions WHERE id_hash = '$hb'")" 1 "alice's session stays"
	wc_post "$a" "/sessions/$pb/revoke" csrf=wrong
	is "$ST_STATUS" 403 "end without the CSRF token: 403"
	pa=$(ft_db "SELECT public_id FROM webapp.sessions WHERE id_hash = '$(ft_session_hash "$a")'")
	wc_post "$a" "/sessions/$pa/revoke" csrf="$csrf"
	is "$ST_LOCATION" "$APP_URL/sessions?notice=gone" "this session is not ended from the list (sign out does that)"
	wc_post "$a" "/sessions/$pb/revoke" csrf="$csrf"
	is "$ST_STATUS $ST_LOCATION" "303 $APP_URL/sessions?notice=ended" "end the other session: 303"
	is "$(ft_db "SELECT count(*) FROM webapp.sessions WHERE id_hash = '$hb'")" 0 "it is gone"
	is "$(ft_db "SELECT count(*) FROM webapp.tokens WHERE session_hash = '$hb'")" 0 "its tokens with it"
	stack_http "$b" GET "$APP_URL/tasks"
	is "$ST_STATUS" 303 "the ended browser is sent to sign in"
	c=$(ft_jar alice-c)
	stack_signin "$c" alice alice-password || fail "alice signs in a third time"
	wc_post "$a" /sessions/revoke-others csrf="$csrf"
	is "$ST_STATUS $ST_LOCATION" "303 $APP_URL/sessions?notice=others" "end every other: 303"
	n=$(ft_db "SELECT count(*) FROM webapp.sessions WHERE subject = (SELECT subject FROM webapp.sessions WHERE id_hash = '$(ft_session_hash "$a")')")
	is "$n" 1 "only this session is left"
	is "$(ft_db "SELECT count(*) FROM webapp.sessions WHERE id_hash = '$(ft_session_hash "$bob")'")" 1 \
	    "bob's session was not touched"
	stack_http "$a" GET "$APP_URL/sessions/revoke-others"
	is "$ST_STATUS" 405 "GET /sessions/revoke-others: 405"
	wc_post "$a" "/sessions/a.b/revoke" csrf="$csrf"
	is "$ST_STATUS" 404 "a malformed handle: 404"
	FT_BOB=$bob
}

# ---- my data --------------------------------------------------------------

ft_account() {
	local j=$1 csrf n nb ctype
	csrf=$(stack_csrf "$j" /tasks)
	wc_post "$j" /tasks csrf="$csrf" text="=HYPERLINK(\"http://x\")"
	wc_post "$j" /tasks csrf="$csrf" text='says "hi", then
leaves'
	stack_http "$j" GET "$APP_URL/account"
	is "$ST_STATUS" 200 "GET /account: 200"
	ft_headers "account page"
	ok "it offers the JSON download" ft_has 'href="/account/export.json"'
	ok "and the CSV one" ft_has 'href="/account/export.csv"'
	stack_http "$j" GET "$APP_URL/account/export.json"
	is "$ST_STATUS" 200 "export.json: 200"
	is "$(stack_header Content-Disposition)" 'attachment; filename="todo-tasks.json"' \
	    "export.json: an attachment"
	like "$(stack_header Content-Type)" '^application/json' "export.json: JSON"
	n=$(ft_db "SELECT count(*) FROM api.tasks WHERE owner_sub = (SELECT owner_sub FROM api.tasks WHERE id = $FT_ALICE_TASK)")
	is "$(printf '%s' "$ST_PAGE" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).tasks.length))')" \
	    "$n" "export.json: every task of hers"
	stack_http "$j" GET "$APP_URL/account/export.csv"
	is "$ST_STATUS" 200 "export.csv: 200"
	is "$(stack_header Content-Disposition)" 'attachment; filename="todo-tasks.csv"' \
	    "export.csv: an attachment"
	like "$(stack_header Content-Type)" '^text/csv' "export.csv: CSV"
	is "$(head -n 1 "$STACK_DIR/http/body" | tr -d '\r')" "id,text,done,due,created_at,updated_at" \
	    "export.csv: a header line"
	ok "a formula is defused and quoted" grep -qF ",\"'=HYPERLINK(\"\"http://x\"\")\"," "$STACK_DIR/http/body"
	ok "quotes, commas and line breaks are quoted (RFC 4180)" \
	    perl -0ne 'exit(/,"says ""hi"", then\r?\nleaves",/ ? 0 : 1)' "$STACK_DIR/http/body"
	ok "lines end in CRLF" perl -0ne 'exit(/^id,text,done,due,created_at,updated_at\r\n/ ? 0 : 1)' "$STACK_DIR/http/body"
	nb=$(ft_db "SELECT count(*) FROM api.tasks WHERE owner_sub <> (SELECT owner_sub FROM api.tasks WHERE id = $FT_ALICE_TASK)")
	wc_post "$j" /account/delete csrf="$csrf" confirm=delete
	is "$ST_STATUS" 400 "delete with the wrong confirmation: 400"
	is "$(ft_db "SELECT count(*) FROM api.tasks WHERE id = $FT_ALICE_TASK")" 1 "nothing was deleted"
	wc_post "$j" /account/delete confirm=DELETE
	is "$ST_STATUS" 403 "delete without the CSRF token: 403"
	wc_post "$j" /account/delete csrf="$csrf" confirm=DELETE
	is "$ST_STATUS" 303 "delete my data: 303"
	like "$ST_LOCATION" "^$IDP_URL/.*(logout|end_session)" "then signed out at the provider"
	is "$(ft_db "SELECT count(*) FROM api.tasks WHERE id = $FT_ALICE_TASK")" 0 "her tasks are gone"
	is "$(ft_db "SELECT count(*) FROM api.tasks WHERE owner_sub <> '' ")" "$nb" "bob's tasks stay"
	is "$(ft_db "SELECT count(*) FROM webapp.sessions WHERE id_hash = '$(ft_session_hash "$j")'")" 0 \
	    "her session is gone"
	is "$(ft_db "SELECT count(*) FROM webapp.sessions WHERE id_hash = '$(ft_session_hash "$FT_BOB")'")" 1 \
	    "bob's session stays"
	stack_http "$j" GET "$APP_URL/account"
	is "$ST_STATUS" 303 "signed out: /account sends to sign in"
	stack_http "$j" GET "$APP_URL/"
	ok "home says what happened" ft_has 'Your tasks and sessions were deleted, and you are signed out.'
}

# ---- ui_locales -----------------------------------------------------------

ft_locales() {
	local j
	j=$(ft_jar lang)
	stack_http "$j" GET "$APP_URL/signin" -H 'Accept-Language: de-CH, de;q=0.9, en;q=0.8, fr;q=0.7, *;q=0.5'
	like "$ST_LOCATION" '[?&]ui_locales=de-CH(%20|\+)de(%20|\+)en(&|$)' \
	    "Accept-Language becomes ui_locales (three tags)"
	stack_http "$j" GET "$APP_URL/signin" -H 'Accept-Language: "><script>, en_US, x'
	unlike "$ST_LOCATION" 'ui_locales' "nothing but language tags passes"
	stack_http "$j" GET "$APP_URL/signin"
	unlike "$ST_LOCATION" 'ui_locales' "no Accept-Language: no ui_locales"
}

webapp_features_run() {
	local server=$1 a
	stack_up "$server" || bail_out "$server: the stack for the feature cases did not start"
	ft_locales
	a=$(ft_jar alice)
	if stack_signin "$a" alice alice-password; then
		ft_edit "$a"
		ft_list "$a"
		ft_drafts "$a"
		ft_sessions "$a"
		ft_account "$a"
	else
		fail "features: alice signs in"
	fi
	stack_down
}
