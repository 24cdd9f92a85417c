# tests/integration/webapp_ux.sh -- the web app as a person uses it, seen
# through curl: what a read-only account is shown and what its writes get
# back, deleting through a confirmation page, the sign-in error pages, and
# the headers every page carries (CSP form-action, COOP).  Sourced by
# webapp_lighttpd.test and webapp_apache.test after lib.sh and stack.sh.
#
#   webapp_ux_run SERVER   the cases against a stack of their own under
#                          SERVER (lighttpd | apache)
#
# The browser test (tests/browser/e2e.js) checks the same things as they
# look, with axe-core and the keyboard; these check the HTTP answers.

ux_jar() {	# ux_jar NAME: a fresh cookie jar
	rm -f "$STACK_DIR/ux-jar-$1"
	printf '%s\n' "$STACK_DIR/ux-jar-$1"
}

ux_post() {	# ux_post JAR PATH NAME=VALUE...: a form POST
	local jar=$1 path=$2 kv
	local -a args=()
	shift 2
	for kv in "$@"; do
		args+=(--data-urlencode "$kv")
	done
	stack_http "$jar" POST "$APP_URL$path" "${args[@]}"
}

ux_has() {	# ux_has FIXED-STRING: on the last page?
	page_has "$1"
}

ux_db() {
	psql_c "$1" 2>&1
}

# ux_id TEXT: the id of the task whose text is TEXT, from its delete link.
ux_id() {
	printf '%s' "$ST_PAGE" | perl -e '
	my $t = shift; local $/; my $h = <STDIN>;
	exit 1 unless $h =~ m{<span class="text">\Q$t\E</span>.*?<a class="delete" href="/tasks/(\d+)/delete"}s;
	print $1;' -- "$1"
}

# ux_headers WHAT: CSP with form-action (this site and the provider's
# origin, for the redirects of sign-out and of an expired session's POST)
# and Cross-Origin-Opener-Policy, on the last answer.
ux_headers() {
	local what=$1 csp idp
	idp=${IDP_URL%/}
	csp=$(stack_header Content-Security-Policy)
	like "$csp" "(^|; )form-action 'self'( [^;]*)?(;|\$)" "$what: CSP has form-action 'self'"
	like "$csp" "form-action 'self'[^;]* $(printf '%s' "$idp" | sed 's/[.]/\\./g')(;| |\$)" \
	    "$what: form-action also allows the provider ($idp)"
	unlike "$csp" "form-action[^;]*(\\*|https?:( |;|\$))" "$what: form-action allows no wildcard"
	like "$csp" "default-src 'none'" "$what: CSP default-src 'none' is kept"
	is "$(stack_header Cross-Origin-Opener-Policy)" same-origin \
	    "$what: Cross-Origin-Opener-Policy same-origin"
}

ux_headers_everywhere() {
	local j
	j=$(ux_jar anon)
	stack_http "$j" GET "$APP_URL/"
	ux_headers "GET / (200)"
	stack_http "$j" GET "$APP_URL/no/such/page"
	ux_headers "404 page"
	stack_http "$j" GET "$APP_URL/tasks"
	is "$ST_STATUS" 303 "GET /tasks signed out: 303"
	ux_headers "303 to sign in"
	stack_http "$j" GET "$APP_URL/signout"
	ux_headers "405 page"
}

# Item 1: a read-only account (carol) sees no controls; writes come back
# as a redirect with a notice.
ux_readonly() {
	local j csrf n aid
	j=$(ux_jar carol)
	if ! stack_signin "$j" carol carol-password; then
		fail "ux: carol signs in"
		return 1
	fi
	stack_http "$j" GET "$APP_URL/tasks"
	is "$ST_STATUS" 200 "read-only: GET /tasks 200"
	ok "read-only: a notice says she may read but not change tasks" \
	    ux_has 'Your account may read tasks but not change them'
	unlike "$ST_PAGE" 'method="post" action="/tasks"' "read-only: no New-task form (the list's filter is a GET form)"
	unlike "$ST_PAGE" '/done"|/delete"' "read-only: no done or delete controls"
	ux_headers "read-only tasks page"
	csrf=$(stack_csrf "$j" /tasks)
	n=$(ux_db "SELECT count(*) FROM api.tasks")
	ux_post "$j" /tasks csrf="$csrf" text="carol still tries"
	is "$ST_STATUS $ST_LOCATION" "303 $APP_URL/tasks?notice=readonly" \
	    "read-only: POST /tasks -> 303 /tasks?notice=readonly"
	ux_headers "read-only redirect"
	stack_follow "$j"
	is "$ST_STATUS" 200 "read-only: the list loads after the refused write"
	ok "read-only: the notice says nothing was changed" \
	    ux_has '<p class="notice" role="status">Nothing was changed. Your account may read tasks but not change them'
	is "$(ux_db "SELECT count(*) FROM api.tasks")" "$n" "read-only: nothing was added"
	aid=$(ux_db "SELECT id FROM api.tasks ORDER BY id LIMIT 1")
	ux_post "$j" "/tasks/${aid:-1}/done" csrf="$csrf" done=true
	is "$ST_STATUS $ST_LOCATION" "303 $APP_URL/tasks?notice=readonly" \
	    "read-only: POST /tasks/{id}/done -> 303 with the notice"
	ux_post "$j" "/tasks/${aid:-1}/delete" csrf="$csrf"
	is "$ST_STATUS $ST_LOCATION" "303 $APP_URL/tasks?notice=readonly" \
	    "read-only: POST /tasks/{id}/delete -> 303 with the notice"
	stack_http "$j" GET "$APP_URL/tasks/${aid:-1}/delete"
	one_of "$ST_LOCATION" "$APP_URL/tasks?notice=readonly $APP_URL/tasks?notice=gone" \
	    "read-only: GET /tasks/{id}/delete (someone else's) -> back to the list"
	is "$(ux_db "SELECT count(*) FROM api.tasks")" "$n" "read-only: nothing was deleted"
}

# Item 3: delete asks first; the list says what happened.  Item 2's
# labels on the way.
ux_delete() {
	local j b csrf id bid
	j=$(ux_jar alice)
	if ! stack_signin "$j" alice alice-password; then
		fail "ux: alice signs in"
		return 1
	fi
	csrf=$(stack_csrf "$j" /tasks)
	ux_post "$j" /tasks csrf="$csrf" text="ux delete me"
	is "$ST_STATUS $ST_LOCATION" "303 $APP_URL/tasks" "add: 303 to /tasks"
	stack_follow "$j"
	id=$(ux_id "ux delete me")
	like "$id" '^[1-9][0-9]*$' "the list links the task's delete confirmation (/tasks/{id}/delete)"
	unlike "$ST_PAGE" 'method="post" action="/tasks/[0-9]+/delete"' \
	    "the list has no one-click delete form"
	ok "an open task offers \"Mark as done\", named after it" \
	    ux_has 'aria-label="Mark as done: ux delete me">Mark as done</button>'
	ux_post "$j" "/tasks/$id/done" csrf="$csrf" done=true
	stack_follow "$j"
	ok "a done task says so in words" \
	    ux_has '<span class="text">ux delete me</span><span class="status">✓ Done</span>'
	ok "a done task offers \"Mark as open\", named after it" \
	    ux_has 'aria-label="Mark as open: ux delete me">Mark as open</button>'
	unlike "$ST_PAGE" '>Undo<|Not done' "no \"Undo\" and no \"Not done\" label"

	stack_http "$j" GET "$APP_URL/tasks/$id/delete"
	is "$ST_STATUS" 200 "GET /tasks/$id/delete: the confirmation page"
	ok "it names the task" ux_has '<p class="quote">ux delete me</p>'
	ok "it posts to /tasks/$id/delete with the csrf token" \
	    ux_has "method=\"post\" action=\"/tasks/$id/delete\"><input type=\"hidden\" name=\"csrf\" value=\"$csrf\">"
	ok "it offers a way back" ux_has '<a class="button secondary" href="/tasks">Keep it</a>'
	ux_headers "delete confirmation"
	is "$(ux_db "SELECT count(*) FROM api.tasks WHERE id = $id")" 1 "showing it deleted nothing"
	stack_http "$j" HEAD "$APP_URL/tasks/$id/delete"
	is "$ST_STATUS" 200 "HEAD /tasks/$id/delete: 200"
	is "$(ux_db "SELECT count(*) FROM api.tasks WHERE id = $id")" 1 "nor did HEAD"

	ux_post "$j" "/tasks/$id/delete" csrf="$csrf"
	is "$ST_STATUS $ST_LOCATION" "303 $APP_URL/tasks?notice=deleted" \
	    "POST /tasks/$id/delete: 303 /tasks?notice=deleted"
	stack_follow "$j"
	ok "the list says the task was deleted" ux_has '<p class="notice" role="status">Task deleted.</p>'
	unlike "$ST_PAGE" 'ux delete me' "and no longer lists it"
	is "$(ux_db "SELECT count(*) FROM api.tasks WHERE id = $id")" 0 "it is gone from the database"
	stack_http "$j" GET "$APP_URL/tasks/$id/delete"
	is "$ST_STATUS $ST_LOCATION" "303 $APP_URL/tasks?notice=gone" \
	    "GET /tasks/$id/delete once it is gone: 303 /tasks?notice=gone"
	stack_follow "$j"
	ok "the list says it no longer exists" ux_has 'That task no longer exists.'

	stack_http "$j" GET "$APP_URL/tasks/0/delete"
	is "$ST_STATUS" 404 "GET /tasks/0/delete: 404"
	stack_http "$j" PUT "$APP_URL/tasks/1/delete" --data x=1
	is "$ST_STATUS $(stack_header Allow)" "405 GET, HEAD, POST" "PUT /tasks/1/delete: 405, Allow GET, HEAD, POST"

	b=$(ux_jar bob)
	if stack_signin "$b" bob bob-password; then
		csrf=$(stack_csrf "$b" /tasks)
		ux_post "$b" /tasks csrf="$csrf" text="ux bob keeps this"
		stack_follow "$b"
		bid=$(ux_id "ux bob keeps this")
		stack_http "$j" GET "$APP_URL/tasks/${bid:-1}/delete"
		is "$ST_STATUS $ST_LOCATION" "303 $APP_URL/tasks?notice=gone" \
		    "alice asking to delete bob's task: like a missing one"
		unlike "$ST_PAGE" 'ux bob keeps this' "without showing its text"
		is "$(ux_db "SELECT count(*) FROM api.tasks WHERE id = ${bid:-0}")" 1 "bob's task is still there"
	else
		fail "ux: bob signs in"
	fi
	stack_http "$(ux_jar nobody)" GET "$APP_URL/tasks/$id/delete"
	is "$ST_STATUS $ST_LOCATION" "303 $APP_URL/signin?return_to=%2Ftasks%2F$id%2Fdelete" \
	    "GET /tasks/$id/delete signed out: to sign in, coming back to it"
	JUX=$j
}

# Item 4: a sign-in that did not complete shows the signed-out header and
# a primary "Sign in again".
ux_signin_errors() {
	local j
	for j in "$JUX" "$(ux_jar fresh)"; do
		stack_http "$j" GET "$APP_URL/signin/callback?state=nonsense"
		is "$ST_STATUS" 400 "sign-in expired page: 400"
		ok "it is the sign-in expired page" ux_has '<h1>Sign-in expired</h1>'
		unlike "$ST_PAGE" 'class="who"|action="/signout"' \
		    "the header is signed out (no name, no Sign out)"
		ok "the header offers Sign in" ux_has '<a class="signin" href="/signin">Sign in</a>'
		ok "a primary \"Sign in again\" comes back to /tasks" \
		    ux_has '<a class="button" href="/signin?return_to=%2Ftasks">Sign in again</a>'
		ux_headers "sign-in expired page"
	done
	stack_http "$JUX" GET "$APP_URL/tasks"
	is "$ST_STATUS" 200 "the session itself was not touched"
	ux_post "$(ux_jar fresh2)" /signin/callback state=nonsense code=nonsense
	is "$ST_STATUS" 400 "form_post with an unknown state: 400"
	ok "its page offers \"Sign in again\"" ux_has '>Sign in again</a>'
}

# Item 8 in the HTML: a skip link, the current page marked.
ux_frame() {
	stack_http "$JUX" GET "$APP_URL/claims"
	ok "a skip link to main comes first" ux_has '<body><a class="skip" href="#main">Skip to main content</a>'
	ok "main is its target" ux_has '<main id="main"'
	ok "the Claims link is marked as the current page" ux_has '<a href="/claims" aria-current="page">Claims</a>'
	ok "the phone menu is a <details> disclosure" ux_has '<details class="menu"><summary>Menu</summary>'
	like "$ST_PAGE" 'UTC \((in [0-9]+ (minute|hour)s?|less than a minute ago|[0-9]+ (minute|hour)s? ago)\)' \
	    "claims: times in UTC with a relative time"
	ok "claims: exp is explained" ux_has 'Expires: the token is not accepted after this time'
	stack_http "$(ux_jar home)" GET "$APP_URL/"
	is "$(printf '%s' "$ST_PAGE" | grep -o 'class="button"' | wc -l)" 1 \
	    "signed-out home: one primary action"
	ok "signed-out home: sign-up is explained" ux_has 'Sign up now'
}

webapp_ux_run() {
	local server=$1
	JUX=""
	stack_up "$server" || bail_out "$server: the stack for the UX cases did not start"
	ux_headers_everywhere
	ux_readonly
	ux_delete
	if [ -n "$JUX" ]; then
		ux_signin_errors
		ux_frame
	else
		fail "ux: the sign-in error and frame cases need alice's session"
	fi
	stack_down
}
