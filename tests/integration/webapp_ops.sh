# tests/integration/webapp_ops.sh -- operating the stack: access records
# and JSON logs followed through both programs by request id, /metrics of
# both programs (counts across processes, the text format, who may read
# it), /healthz and /readyz, and the web app's administration commands.
# Sourced after lib.sh and stack.sh (and webapp_cases.sh, for
# wc_logs_clean) by webapp_lighttpd.test and webapp_apache.test.
#
#   webapp_ops_run SERVER   its own stack under SERVER (lighttpd | apache),
#                           both programs with log_format = json; the API
#                           with a metrics_token_file, the web app without
#                           one (loopback only).
#
# The stack's server listens on 127.0.0.1, so every request through it is
# a loopback client: the non-loopback case (404) is checked by talking
# FastCGI to a web-app process directly (spawn-fcgi, cgi-fcgi), which
# lets the test choose REMOTE_ADDR.

WO_TOKEN=wo-metrics-secret-0123456789abcdef
WO_N=24			# requests counted across the processes

# The stack's own config writer, then the keys these cases need.
wo_write_configs() {
	wo_stack_write_configs
	printf '%s\n' "$WO_TOKEN" >"$STACK_DIR/metrics.token"
	chmod 640 "$STACK_DIR/metrics.token"
	t_is_root && chgrp "$T_WWW_GROUP" "$STACK_DIR/metrics.token"
	printf 'metrics_token_file = %s\n' \
	    "$STACK_DIR/metrics.token" >>"$STACK_DIR/api.conf"
}

# wo_scrape URL [CURL_ARGS...]: the body to $STACK_DIR/scrape, the status.
wo_scrape() {
	local url=$1
	shift
	curl -s -m 10 -o "$STACK_DIR/scrape" -D "$STACK_DIR/scrape.h" \
	    -w '%{http_code}' "$@" "$url"
}

# wo_value FILE SAMPLE: the value of the sample (name{labels} exactly), or 0.
wo_value() {
	awk -v s="$2" '$1 == s { v = $2 } END { print (v == "" ? 0 : v) }' "$1"
}

# wo_prom_ok FILE: empty output when FILE is Prometheus text 0.0.4 (HELP
# and TYPE before each family's samples, every sample line well formed,
# histograms with +Inf, _sum and _count); else what is wrong.
wo_prom_ok() {
	perl -ne '
	BEGIN { $bad = 0 }
	chomp;
	next if /^$/;
	if (/^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) .+$/) { $help{$1} = 1; next }
	if (/^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/) {
		$type{$1} = $2; print "TYPE without HELP: $_\n" unless $help{$1}; next }
	if (/^#/) { print "bad comment: $_\n"; next }
	if (/^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*"(?:,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*")*\})? (-?[0-9.]+(?:[eE][-+]?[0-9]+)?|[-+]Inf|NaN)$/) {
		my ($n, $l) = ($1, $2 // "");
		(my $f = $n) =~ s/_(bucket|sum|count)$//;
		my $fam = exists $type{$n} ? $n : $f;
		print "sample before its TYPE: $_\n" unless exists $type{$fam};
		if (($type{$fam} // "") eq "histogram") {
			$inf{$fam} = 1 if $n =~ /_bucket$/ && $l =~ /le="\+Inf"/;
			$sum{$fam} = 1 if $n =~ /_sum$/;
			$cnt{$fam} = 1 if $n =~ /_count$/;
		}
		$samples++;
		next;
	}
	print "bad line: $_\n";
	END {
		for (keys %type) {
			next unless $type{$_} eq "histogram";
			print "histogram $_ lacks +Inf/_sum/_count\n"
			    unless $inf{$_} && $sum{$_} && $cnt{$_};
		}
		print "no samples\n" unless $samples;
	}' "$1"
}

# wo_json_lines PROGRAM: the program's records in the stack's logs (the
# server's error log, or lighttpd's stderr), one JSON object each (a
# server may prefix its error-log lines with a date).
wo_json_lines() {
	local f
	for f in $STACK_LOGS; do
		[ -f "$f" ] && grep -h "\"program\":\"$1\"" "$f"
	done | sed 's/^[^{]*{/{/'
}

# wo_stop_busy PROG: the pid of the process of PROG (web server's process
# group) that served the last /healthz, stopped (SIGSTOP): the next
# request given to it waits, so the server hands the others to another.
wo_stop_busy() {
	local pid
	pid=$(wo_json_lines "$1" | grep -F '"event":"access"' |
	    grep -F '"route":"/healthz"' | tail -n 1 |
	    sed -n 's/.*"pid":\([0-9]*\).*/\1/p')
	[ -n "$pid" ] && [ "$(ps -o pgid= -p "$pid" | tr -d ' ')" = "$STACK_SERVER_PID" ] &&
	    kill -STOP "$pid" && printf '%s\n' "$pid"
}

# wo_spread URL PROG: WO_N GETs of URL, one process of PROG held still
# for the first second, so at least two processes serve them.
wo_spread() {
	local url=$1 pid
	pid=$(wo_stop_busy "$2")
	seq 1 "$WO_N" | xargs -P 6 -I{} curl -s -o /dev/null -m 20 "$url" &
	sleep 1
	[ -n "$pid" ] && kill -CONT "$pid"
	wait $!
	sleep 0.5
}

# wo_pids PROG ROUTE: how many processes of PROG logged access to ROUTE.
wo_pids() {
	wo_json_lines "$1" | grep -F '"event":"access"' |
	    grep -F "\"route\":\"$2\"" | sed -n 's/.*"pid":\([0-9]*\).*/\1/p' |
	    sort -u | wc -l
}

wo_logs() {
	local what=$1 api web rid=$2
	web=$(wo_json_lines todo-webapp)
	api=$(wo_json_lines todo-api)
	ok "$what: the web app writes JSON records" test -n "$web"
	ok "$what: the API writes JSON records" test -n "$api"
	is "$(printf '%s\n%s\n' "$web" "$api" | perl -MJSON::PP -ne '
	    next unless /\S/; $n++; eval { my $o = JSON::PP->new->decode($_); $ok++ if
	    defined $o->{time} && defined $o->{level} && $o->{pid} =~ /^\d+$/ };
	    END { print $ok == $n ? "ok" : "$ok of $n" }')" ok \
	    "$what: every record of both programs is one JSON object with time, level, pid"
	WO_WEB_ACCESS=$(printf '%s\n' "$web" | grep -F "\"request_id\":\"$rid\"" | grep -F '"event":"access"' | head -n 1)
	WO_API_ACCESS=$(printf '%s\n' "$api" | grep -F "\"request_id\":\"$rid\"" | grep -F '"event":"access"' | head -n 1)
	like "$WO_WEB_ACCESS" '"route":"/tasks".*"status":200|"status":200.*"route":"/tasks"' \
	    "$what: the web app's access record of request $rid names the route template and status"
	like "$WO_WEB_ACCESS" '"duration_ms":[0-9.]+' "$what: with its duration"
	like "$WO_API_ACCESS" '"route":"/tasks"' \
	    "$what: the API's access record carries the same request id (one click through both logs)"
	unlike "$(printf '%s\n' "$web" "$api" | grep -F '"event":"access"' | grep -F '"route":"/tasks/')" \
	    '"route":"/tasks/[0-9]' "$what: routes are templates, never paths with ids"
}

webapp_ops_run() {
	local server=$1 jar base port sock pid before after d sub n out rid
	local line

	eval "$(declare -f stack_write_configs | sed '1s/stack_write_configs/wo_stack_write_configs/')"
	eval "stack_write_configs() { wo_write_configs; }"
	STACK_LOG_FORMAT=json STACK_PROCS=2 stack_up "$server" || bail_out "$server: the ops stack did not start"
	eval "$(declare -f wo_stack_write_configs | sed '1s/wo_stack_write_configs/stack_write_configs/')"
	jar="$STACK_DIR/wo.jar"

	# Health.
	is "$(curl -s -m 10 "$APP_URL/healthz") $(curl -s -m 10 "$APP_URL/readyz")" \
	    '{"status":"ok"} {"status":"ok"}' "$server: web app /healthz and /readyz answer ok"
	is "$(curl -s -m 10 "$APP_URL/api/healthz") $(curl -s -m 10 "$APP_URL/api/readyz")" \
	    '{"status":"ok"} {"status":"ok"}' "$server: API /api/healthz and /api/readyz answer ok"

	# A signed-in user, a task, and one request followed by its id.
	stack_signin "$jar" alice alice-password /tasks
	is "$ST_STATUS" 200 "$server: alice signs in"
	rid="wo-click-$RANDOM$RANDOM"
	stack_http "$jar" GET "$APP_URL/tasks" -H "X-Request-Id: $rid"
	is "$ST_STATUS $(stack_header X-Request-Id)" "200 $rid" \
	    "$server: the answer carries the client's X-Request-Id"
	stack_http - GET "$APP_URL/healthz"
	like "$(stack_header X-Request-Id)" '^[A-Za-z0-9_-]{22}$' \
	    "$server: without one, a fresh request id is sent back"
	# The provider is called without keep-alive: no web app process
	# holds a connection to it once the sign-in is done.
	port=${IDP_URL##*:}
	port=${port%%/*}
	is "$(ss -Htanp "( dport = :$port )" 2>/dev/null | grep -c 'todo-webapp' || true)" 0 \
	    "$server: after a sign-in no web app process keeps a connection to the provider"
	sleep 1
	wo_logs "$server" "$rid"
	diag "example access record: $WO_WEB_ACCESS"

	# A provider error: its AADB2C code and correlation id, with the request id.
	wo_cancel "$server"

	# Metrics: N requests over the processes, counted exactly once each.
	is "$(wo_scrape "$APP_URL/metrics")" 200 "$server: web app /metrics from loopback: 200"
	like "$(tr -d '\r' <"$STACK_DIR/scrape.h" | grep -i '^content-type:')" \
	    'text/plain; version=0.0.4' "$server: as Prometheus text 0.0.4"
	is "$(wo_prom_ok "$STACK_DIR/scrape")" "" "$server: web app scrape parses (HELP, TYPE, samples)"
	cp "$STACK_DIR/scrape" "$STACK_DIR/scrape-web-1"
	before=$(wo_value "$STACK_DIR/scrape" 'todo_webapp_requests_total{route="/healthz",code="2xx"}')
	wo_spread "$APP_URL/healthz" todo-webapp
	wo_scrape "$APP_URL/metrics" >/dev/null
	after=$(wo_value "$STACK_DIR/scrape" 'todo_webapp_requests_total{route="/healthz",code="2xx"}')
	is "$((after - before))" "$WO_N" "$server: $WO_N requests add exactly $WO_N to the request counter"
	n=$(wo_pids todo-webapp /healthz)
	# mod_fcgid grows a pool only when a request finds no idle process:
	# under Apache the requests may all land on one; lighttpd runs a fixed
	# pool and spreads them, and there the spread is asserted.
	if [ "$server" != apache ]; then
		ok "$server: they were served by several processes ($n)" test "$n" -ge 2
	else
		diag "$server: web app processes that served them: $n"
	fi
	for line in 'todo_webapp_signins_started_total{flow="signin"}' \
	    'todo_webapp_signins_completed_total{flow="signin"}' \
	    'todo_webapp_sessions_active' 'todo_webapp_process_starts_total'; do
		n=$(wo_value "$STACK_DIR/scrape" "$line")
		ok "$server: $line counts ($n)" perl -e 'exit !($ARGV[0] >= 1)' "$n"
	done
	like "$(cat "$STACK_DIR/scrape")" 'todo_webapp_signins_failed_total\{reason="cancelled"\} 1' \
	    "$server: the cancelled sign-in counted as failed, reason cancelled"
	like "$(cat "$STACK_DIR/scrape")" 'todo_webapp_b2c_errors_total\{code="AADB2C90091"\} 1' \
	    "$server: and as a provider error by AADB2C code"
	like "$(cat "$STACK_DIR/scrape")" 'todo_webapp_build_info\{version="[^"]+"\} 1' \
	    "$server: build info"
	like "$(cat "$STACK_DIR/scrape")" 'todo_webapp_request_duration_seconds_bucket\{route="/healthz",le="\+Inf"\} [1-9]' \
	    "$server: the duration histogram by route"
	cp "$STACK_DIR/scrape" "$STACK_DIR/scrape-web-2"

	# The API: its token file is required, from anywhere.
	is "$(wo_scrape "$APP_URL/api/metrics")" 404 "$server: API /api/metrics without the bearer secret: 404"
	is "$(wo_scrape "$APP_URL/api/metrics" -H 'Authorization: Bearer wrong-secret-0123456789')" 404 \
	    "$server: with a wrong bearer: 404"
	is "$(wo_scrape "$APP_URL/api/metrics" -H "Authorization: Bearer $WO_TOKEN")" 200 \
	    "$server: with the secret of metrics_token_file: 200"
	is "$(wo_prom_ok "$STACK_DIR/scrape")" "" "$server: API scrape parses"
	cp "$STACK_DIR/scrape" "$STACK_DIR/scrape-api"
	before=$(wo_value "$STACK_DIR/scrape" 'todo_api_requests_total{route="/healthz",code="2xx"}')
	wo_spread "$APP_URL/api/healthz" todo-api
	wo_scrape "$APP_URL/api/metrics" -H "Authorization: Bearer $WO_TOKEN" >/dev/null
	after=$(wo_value "$STACK_DIR/scrape" 'todo_api_requests_total{route="/healthz",code="2xx"}')
	is "$((after - before))" "$WO_N" "$server: $WO_N API requests add exactly $WO_N"
	n=$(wo_pids todo-api /healthz)
	# (Under Apache see above.)
	if [ "$server" != apache ]; then
		ok "$server: they were served by several API processes ($n)" test "$n" -ge 2
	else
		diag "$server: API processes that served them: $n"
	fi
	n=$(wo_value "$STACK_DIR/scrape" 'todo_api_token_verifications_total{outcome="ok"}')
	ok "$server: the API counted verified tokens ($n)" test "$n" -ge 1
	n=$(wo_value "$STACK_DIR/scrape" 'todo_api_provider_fetches_total{document="jwks",outcome="ok"}')
	ok "$server: and its JWKS fetches ($n)" test "$n" -ge 1
	cp "$STACK_DIR/scrape" "$STACK_DIR/scrape-api"

	# A non-loopback client of the web app (no token file): 404.
	sock="$STACK_DIR/wo-fcgi.sock"
	if command -v spawn-fcgi >/dev/null && command -v cgi-fcgi >/dev/null; then
		TODO_WEBAPP_CONFIG="$STACK_DIR/webapp.conf" spawn-fcgi -n -s "$sock" \
		    -- "$STACK_WEBAPP_BIN_" 2>"$STACK_DIR/wo-fcgi.err" &
		pid=$!
		for n in 1 2 3 4 5 6 7 8 9 10; do [ -S "$sock" ] && break; sleep 0.2; done
		for d in 192.0.2.7:404 10.1.2.3:404 127.0.0.5:200 ::1:200 ::ffff:192.0.2.7:404; do
			out=$(env -i REQUEST_METHOD=GET SCRIPT_NAME=/metrics \
			    REMOTE_ADDR="${d%:*}" cgi-fcgi -bind -connect "$sock" 2>/dev/null |
			    tr -d '\r' | sed -n 's/^Status: \([0-9]*\).*/\1/p')
			is "${out:-none}" "${d##*:}" "$server: web app /metrics from REMOTE_ADDR ${d%:*}: ${d##*:}"
		done
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	else
		skip "spawn-fcgi or cgi-fcgi missing: non-loopback /metrics not checked"
	fi

	# Administration commands.
	wo_admin "$server"

	stack_down
	if declare -F wc_logs_clean >/dev/null; then
		wc_logs_clean "$server, ops stack"
	fi
}

# wo_cancel SERVER: a sign-in cancelled at the provider (AADB2C90091).
wo_cancel() {
	local server=$1 j="$STACK_DIR/wo-cancel.jar" link rec
	stack_signin_start "$j" /tasks
	link=$(stack_link cancel) || { fail "$server: the login page has a cancel link"; return 1; }
	stack_http "$j" GET "$(stack_abs "$ST_URL" "$link")"
	stack_follow "$j"
	stack_form_post "$j"
	stack_http "$j" GET "$ST_LOCATION" -H "X-Request-Id: wo-cancel-$RANDOM$RANDOM"
	is "$ST_STATUS $ST_LOCATION" "303 $APP_URL/?notice=cancelled" "$server: a cancelled sign-in goes home"
	sleep 0.5
	rec=$(wo_json_lines todo-webapp | grep -F '"event":"provider_error"' | tail -n 1)
	like "$rec" '"request_id":"wo-cancel-[0-9]+"' "$server: the provider's error is logged with the request id"
	like "$rec" '"provider_error":"AADB2C90091"' "$server: with its AADB2C code"
	like "$rec" '"b2c_correlation_id":"[0-9a-f-]{36}"' "$server: and B2C's correlation id"
	WO_PROVIDER_ERROR=$rec
}

# wo_admin SERVER: --sessions, --purge, --revoke-sessions on the stack.
wo_admin() {
	local server=$1 bin=$STACK_WEBAPP_BIN_ conf="$STACK_DIR/webapp.conf" sub out ids
	sub=$(psql_c "SELECT subject FROM webapp.sessions ORDER BY created_at DESC LIMIT 1")
	ids=$(psql_c "SELECT id_hash FROM webapp.sessions")
	out=$("$bin" --config "$conf" --sessions "$sub" 2>"$STACK_DIR/wo-admin.err")
	like "$out" "^created [0-9T:-]+Z  last seen [0-9T:-]+Z  expires .* active  tokens cached  issuer " \
	    "$server: --sessions lists alice's session (created, last seen)"
	like "$out" "1 sessions of user $sub" "$server: and says how many"
	unlike "$out" "$(printf '%s\n' "$ids" | head -n 1)" "$server: without session ids"
	psql_c "INSERT INTO webapp.sessions (id_hash, public_id, csrf, issuer, subject, name, claims, expires_at) VALUES ('wo-expired', 'wo-expired-pub', 'x', 'i', 'wo-old', 'n', '{}', now() - interval '1 minute')" >/dev/null
	is "$(psql_c "SELECT count(*) FROM webapp.sessions WHERE id_hash = 'wo-expired'")" 1 \
	    "$server: an expired session is there to purge"
	out=$("$bin" --config "$conf" --purge 2>>"$STACK_DIR/wo-admin.err")
	like "$out" '^purged [1-9][0-9]* expired sessions and [0-9]+ expired sign-in requests$' \
	    "$server: --purge deletes expired sessions and says how many"
	is "$(psql_c "SELECT count(*) FROM webapp.sessions WHERE id_hash = 'wo-expired'")" 0 \
	    "$server: the expired session is gone"
	out=$("$bin" --config "$conf" --revoke-sessions "$sub" 2>>"$STACK_DIR/wo-admin.err")
	like "$out" "^revoked 1 sessions of user $sub" "$server: --revoke-sessions says what it did"
	is "$(psql_c "SELECT count(*) FROM webapp.sessions WHERE subject = '$sub'") $(psql_c "SELECT count(*) FROM webapp.tokens")" \
	    "0 0" "$server: the sessions and their cached tokens are gone"
	stack_http "$STACK_DIR/wo.jar" GET "$APP_URL/tasks"
	is "$ST_STATUS $ST_LOCATION" "303 $APP_URL/signin?return_to=%2Ftasks" \
	    "$server: the revoked browser is sent to sign in"
	out=$("$bin" --config "$conf" --sessions 2>&1)
	ok "$server: --sessions without USER is a usage error" test $? -ne 0
}
