# tests/integration/bad_input.sh -- bad input that no other case sends
# (issue 12; the table in tests/README.md names every input and its test).
# Sourced after lib.sh (and api_cases.sh or stack.sh) by the per-server
# API and web app tests.
#
#   bad_input_api BASE LOG      after api_run_cases, against the same
#                               server: oversized headers and request
#                               lines, broken percent-encoding, odd
#                               methods and framing.  LOG: the server's
#                               error log (the programs' stderr).
#   bad_input_webapp_run SERVER a stack of its own under SERVER, one
#                               signed-in browser: garbage, oversized and
#                               doubled cookies, bad queries and forms.
#
# Each answer must be a clear 4xx (never 5xx), change nothing in the
# database, and leave the value sent out of the programs' log (and forged
# cookies out of every log; access logs hold request lines).

BI_MARK=bad-input-9f2c41		# in queries, forms, headers
BI_SECRET=bad-input-cookie-5e7a0d	# in forged session cookies

# bi_api REQ-ARGS...: one curl to the API; sets BI_ST.
bi_api() {
	BI_ST=$(curl -s -m 20 -o "$T_SCRATCH/bi.body" -w '%{http_code}' "$@")
}

bi_4xx() {	# bi_4xx DESCRIPTION: the last answer is 4xx
	like "$BI_ST" '^4[0-9][0-9]$' "$1: 4xx (got $BI_ST)"
}

bad_input_api() {
	local base=$1 log=$2 n0 big id
	wait_status "$base/api/healthz" 200 30 || diag "the API is not healthy before the bad-input cases"
	n0=$(psql_c "SELECT count(*) || ':' || coalesce(max(updated_at)::text, '') FROM api.tasks")

	big=$(head -c 20000 /dev/zero | tr '\0' 'a')
	bi_api -H "Authorization: Bearer $ALICE" -H "X-Pad: $BI_MARK$big" "$base/api/tasks"
	bi_4xx "API: a 20 KB header (over the server's 16 KiB)"
	bi_api -H "Authorization: Bearer $ALICE" "$base/api/tasks?q=$BI_MARK$(head -c 12000 /dev/zero | tr '\0' 'a')"
	bi_4xx "API: a 12 KB request line"
	bi_api -H "Authorization: Bearer $ALICE" "$base/api/tasks/%zz"
	bi_4xx "API: broken percent-encoding in the path"
	bi_api -H "Authorization: Bearer $ALICE" "$base/api/tasks/1%00"
	bi_4xx "API: an encoded NUL in the path"
	bi_api -H "Authorization: Bearer $ALICE" "$base/api/tasks?q=%ff%fe$BI_MARK"
	bi_4xx "API: invalid UTF-8 in the query"
	bi_api -X FROB -H "Authorization: Bearer $ALICE" "$base/api/tasks"
	one_of "$BI_ST" "400 405 501" "API: an unknown method: 405 or 501 (got $BI_ST)"
	# A chunked body (no Content-Length): taken, or refused with a 4xx.
	bi_api -X POST -H "Authorization: Bearer $ALICE" -H 'Content-Type: application/json' \
	    -H 'Transfer-Encoding: chunked' --data-binary '{"text":"chunked body"}' "$base/api/tasks"
	one_of "$BI_ST" "201 400 411 413" "API: a chunked JSON body: 201 or a 4xx (got $BI_ST)"
	[ "$BI_ST" = 201 ] && id=$(jq -r .id "$T_SCRATCH/bi.body") &&
	    curl -s -m 20 -o /dev/null -X DELETE -H "Authorization: Bearer $ALICE" "$base/api/tasks/$id"
	# (A body shorter than its Content-Length: a slow body, tests/stress/run.)
	bi_api -X POST -H "Authorization: Bearer $ALICE" -H 'Content-Type: application/json' \
	    -H "Content-Length: 99999999999999999999" --data-binary '{"text":"x"}' "$base/api/tasks"
	like "$BI_ST" '^(4[0-9][0-9]|000)$' "API: an absurd Content-Length: 4xx or closed (got $BI_ST)"
	bi_api -H "Authorization: Bearer $ALICE" -H 'Host: evil.example:1/../x' "$base/api/tasks"
	one_of "$BI_ST" "200 400" "API: a malformed Host header: 400, or ignored (got $BI_ST)"

	is "$(psql_c "SELECT count(*) || ':' || coalesce(max(updated_at)::text, '') FROM api.tasks")" "$n0" \
	    "API bad input: nothing changed in the database"
	is "$(grep -c "$BI_MARK" "$log" 2>/dev/null)" 0 "API bad input: the values sent are not in the log"
	is "$(curl -s -o /dev/null -m 10 -w '%{http_code}' "$base/api/healthz")" 200 \
	    "API bad input: the API still answers"
}

# ---- the web app --------------------------------------------------------------------

bi_web() {	# bi_web JAR METHOD PATH [curl args]: sets BI_ST
	stack_http "$@"
	BI_ST=$ST_STATUS
}

bad_input_webapp_run() {
	local server=$1 j csrf n0 s0 big v
	stack_up "$server" || { fail "bad input: the stack under $server did not start"; return; }
	j=$STACK_DIR/bi.jar
	if ! stack_signin "$j" alice alice-password /tasks; then
		fail "bad input: sign-in as alice"
		stack_down
		return
	fi
	csrf=$(stack_csrf "$j" /tasks)
	n0=$(psql_c "SELECT count(*) FROM api.tasks")
	s0=$(psql_c "SELECT count(*) FROM webapp.sessions")

	# Cookies.
	for v in "$BI_SECRET" "$BI_SECRET$(head -c 3000 /dev/zero | tr '\0' 'A')" \
	    "$BI_SECRET%00%ff" "$BI_SECRET;todo_session=$BI_SECRET"; do
		bi_web - GET "$APP_URL/tasks" -H "Cookie: todo_session=$v"
		is "$BI_ST $ST_LOCATION" "303 $APP_URL/signin?return_to=%2Ftasks" \
		    "web: a forged session cookie (${#v} bytes) counts as signed out"
		bi_web - POST "$APP_URL/tasks" -H "Cookie: todo_session=$v" \
		    --data-urlencode "csrf=$csrf" --data-urlencode "text=$BI_MARK"
		one_of "$BI_ST" "303 403" "web: POST /tasks with a forged session cookie: 303 or 403 (got $BI_ST)"
	done
	bi_web - GET "$APP_URL/tasks" -H "Cookie: todo_session=$BI_SECRET$(head -c 20000 /dev/zero | tr '\0' 'A')"
	bi_4xx "web: a 20 KB Cookie header"
	# At most 50 cookies (lib/cookie.h): beyond, the header is ignored.
	big=$(for v in $(seq 1 40); do printf 'c%d=%s; ' "$v" "$BI_MARK"; done)
	bi_web - GET "$APP_URL/tasks" -H "Cookie: ${big}todo_session=$(stack_cookie "$j" todo_session)"
	is "$BI_ST" 200 "web: 40 other cookies before the session: still signed in"
	big=$(for v in $(seq 1 60); do printf 'c%d=%s; ' "$v" "$BI_MARK"; done)
	bi_web - GET "$APP_URL/tasks" -H "Cookie: ${big}todo_session=$(stack_cookie "$j" todo_session)"
	is "$BI_ST $ST_LOCATION" "303 $APP_URL/signin?return_to=%2Ftasks" \
	    "web: 60 other cookies before the session: the header is ignored (signed out)"
	# The real session cookie doubled with a forged one: never another user.
	bi_web - GET "$APP_URL/tasks" -H "Cookie: todo_session=$BI_SECRET; todo_session=$(stack_cookie "$j" todo_session)"
	one_of "$BI_ST" "200 303 400" "web: a doubled session cookie: 200, 303 or 400 (got $BI_ST)"

	# Queries.
	for v in "cursor=%ff$BI_MARK" "notice=%3Cscript%3E$BI_MARK" "cursor=$(head -c 3000 /dev/zero | tr '\0' 'a')" \
	    "done=maybe" "q=%zz"; do
		bi_web "$j" GET "$APP_URL/tasks?$v"
		one_of "$BI_ST" "200 400" "web: GET /tasks?${v:0:30}: 200 or 400 (got $BI_ST)"
		unlike "$ST_PAGE" "<script>" "web: GET /tasks?${v:0:30}: nothing reflected raw"
	done

	# Forms.
	for v in "text=%ff%fe$BI_MARK" "text=a%00b$BI_MARK" "text=%zz$BI_MARK" \
	    "text=$BI_MARK&text=twice" "text=%E2%80%AE$BI_MARK%C0%AF"; do
		bi_web "$j" POST "$APP_URL/tasks" -H 'Content-Type: application/x-www-form-urlencoded' \
		    --data-binary "csrf=$csrf&$v"
		bi_4xx "web: POST /tasks ${v:0:24}"
	done
	bi_web "$j" POST "$APP_URL/tasks" -H 'Content-Type: application/x-www-form-urlencoded; charset=iso-8859-1' \
	    --data-binary "csrf=$csrf&text=$BI_MARK%E9"
	bi_4xx "web: a Latin-1 form"
	bi_web "$j" POST "$APP_URL/tasks/99999999999999999999999/done" \
	    --data-urlencode "csrf=$csrf" --data-urlencode done=true
	bi_4xx "web: a task id past 64 bits"

	is "$(psql_c "SELECT count(*) FROM api.tasks")" "$n0" "web bad input: no task added"
	is "$(psql_c "SELECT count(*) FROM webapp.sessions")" "$s0" "web bad input: no session added"
	bi_web "$j" GET "$APP_URL/tasks"
	is "$BI_ST" 200 "web bad input: the real session still works"
	local f hits=0
	for f in $STACK_LOGS; do
		[ -f "$f" ] && hits=$((hits + $(grep -c "$BI_SECRET" "$f")))
	done
	is "$hits" 0 "web bad input: the forged cookies are in no log"
	# (The server's access log holds request lines; the programs' log not.)
	is "$(grep -c "$BI_MARK" "$STACK_SERVER_ERROR_LOG")" 0 \
	    "web bad input: the values sent are not in the programs' log"
	stack_down
}
