# tests/integration/api_dpop.sh -- DPoP (RFC 9449) cases of the API, sourced
# by api_cases.sh, so they run under every server the API tests use:
#
#   cases_dpop           DPoP-bound tokens with good and bad proofs
#
# Tokens come from mint (api_cases.sh) with a "cnf":{"jkt":...} claim; the
# proofs are signed by mint-jwt too (--header carries typ and the public
# jwk). The thumbprints (RFC 7638) and ath values are computed here with jq
# and openssl, not with the code under test.

# b64url_sha256: base64url(SHA-256(stdin)) without padding.
b64url_sha256() {
	openssl dgst -sha256 -binary | base64 -w0 | tr '+/' '-_' | tr -d '='
}

# dpop_jwk KEYFILE: the public JWK of KEYFILE, without kid, use and alg.
dpop_jwk() {
	"$MINT" --jwks "$1:x" | jq -c '.keys[0] | del(.kid, .use, .alg)'
}

# dpop_jkt KEYFILE: its RFC 7638 thumbprint.
dpop_jkt() {
	dpop_jwk "$1" | jq -cjS 'if .kty == "EC" then {crv, kty, x, y}
	    else {e, kty, n} end' | b64url_sha256
}

# dpop_proof KEYFILE ALG HTM HTU TOKEN [CLAIMS_JSON [HEADER_JSON]]: a proof
# for HTM HTU (with ath for TOKEN unless it is "-"), signed with KEYFILE;
# CLAIMS_JSON and HEADER_JSON override members (null removes one). Every
# proof is remembered for the log check.
dpop_proof() {
	local key=$1 alg=$2 htm=$3 htu=$4 tok=$5 ovr=${6:-'{}'}
	local hovr=${7:-'{}'} ath=null claims hdr proof
	[ "$tok" != - ] && ath=$(printf '%s' "$tok" | b64url_sha256 | jq -R .)
	claims=$(jq -cn --arg htm "$htm" --arg htu "$htu" \
	    --arg jti "$(openssl rand -hex 12)" --argjson iat "$(date +%s)" \
	    --argjson ath "$ath" --argjson o "$ovr" '{jti: $jti, htm: $htm,
	    htu: $htu, iat: $iat, ath: $ath} + $o |
	    with_entries(select(.value != null))')
	hdr=$(jq -cn --argjson jwk "$(dpop_jwk "$key")" --argjson o "$hovr" \
	    '{typ: "dpop+jwt", jwk: $jwk} + $o')
	proof=$("$MINT" --key "$key" --alg "$alg" --header "$hdr" \
	    --claims "$claims") || bail_out "mint-jwt (proof) failed"
	printf '%s\n' "$proof" >>"$TOKENS"
	printf '%s\n' "$proof"
}

# dreq METHOD PATH TOKEN PROOF [curl args...]: the DPoP scheme; PROOF "-"
# sends no DPoP header.
dreq() {
	local m=$1 p=$2 tok=$3 proof=$4
	shift 4
	if [ "$proof" = - ]; then
		req "$m" "$p" - -H "Authorization: DPoP $tok" "$@"
	else
		req "$m" "$p" - -H "Authorization: DPoP $tok" \
		    -H "DPoP: $proof" "$@"
	fi
}

# challenges: every WWW-Authenticate value of the last answer, one a line.
challenges() {
	grep -i '^WWW-Authenticate:' "$T_SCRATCH/resp.h" | cut -d: -f2- |
	    tr -d '\r' | sed 's/^ *//'
}

# expect_dpop_error DESC ERROR: a 401 with a DPoP challenge naming ERROR
# and the algorithms, a Bearer challenge beside it, and ERROR in the body.
expect_dpop_error() {
	is "$ST" 401 "$1: 401"
	like "$(challenges)" "DPoP realm=\"todo-b2c\", error=\"$2\", error_description=\"[^\"]*\", algs=\"ES256 PS256 RS256\"" \
	    "$1: WWW-Authenticate DPoP error=\"$2\" with algs"
	like "$(challenges)" ', Bearer realm="todo-b2c"$' \
	    "$1: then a Bearer challenge (both schemes accepted)"
	is "$(challenges | wc -l)" 1 "$1: in one WWW-Authenticate header"
	is "$(jb .error)" "$2" "$1: body error $2"
}

cases_dpop() {
	local kec krsa jkt rjkt tok rtok plain p u n i codes ok401 expired sig c
	local pids
	kec="$T_SCRATCH/dpop-ec.pem"
	krsa="$T_SCRATCH/dpop-rsa.pem"
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
	    -out "$kec" 2>/dev/null || bail_out "openssl genpkey (EC) failed"
	openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
	    -out "$krsa" 2>/dev/null || bail_out "openssl genpkey (RSA) failed"
	jkt=$(dpop_jkt "$kec")
	rjkt=$(dpop_jkt "$krsa")
	like "$jkt" '^[A-Za-z0-9_-]{43}$' "dpop: the EC key's thumbprint"
	tok=$(mint alice "{\"cnf\":{\"jkt\":\"$jkt\"}}")
	rtok=$(mint alice "{\"cnf\":{\"jkt\":\"$rjkt\"}}")
	plain=$(mint alice '{}')
	u="$BASE/api/tasks"

	# An expired proof id left by an earlier run: the first DPoP request
	# of each process deletes what has expired.
	psql_c "INSERT INTO api.dpop_jti VALUES ('$(printf '%043d' 0)',
	    '$(printf '%064d' 0)', now() - interval '1 hour')" >/dev/null
	is "$(psql_c "SELECT count(*) FROM api.dpop_jti
	    WHERE expires_at < now()")" 1 "dpop: an expired proof id is stored"

	dreq GET /api/tasks "$tok" "$(dpop_proof "$kec" ES256 GET "$u" "$tok")"
	is "$ST" 200 "dpop: GET with a bound token and a good ES256 proof: 200"
	is "$(jb '.tasks | type')" array \
	    "dpop: ... the task list"
	is "$(psql_c "SELECT count(*) FROM api.dpop_jti
	    WHERE expires_at < now()")" 0 "dpop: expired proof ids purged"
	is "$(psql_c "SELECT count(*) FROM api.dpop_jti WHERE jkt = '$jkt'")" 1 \
	    "dpop: the proof's jti is recorded in PostgreSQL, under its key"
	dreq POST /api/tasks "$tok" "$(dpop_proof "$kec" ES256 POST "$u" "$tok")" \
	    -H 'Content-Type: application/json' --data-binary '{"text":"dpop task"}'
	is "$ST" 201 "dpop: POST with a proof for POST: 201"
	dreq GET '/api/tasks?limit=5' "$tok" \
	    "$(dpop_proof "$kec" ES256 GET "$u" "$tok")"
	is "$ST" 200 "dpop: htu without the query matches a request with one"
	dreq GET /api/tasks "$rtok" "$(dpop_proof "$krsa" RS256 GET "$u" "$rtok")"
	is "$ST" 200 "dpop: an RS256 proof: 200"
	dreq GET /api/tasks "$rtok" "$(dpop_proof "$krsa" PS256 GET "$u" "$rtok")"
	is "$ST" 200 "dpop: a PS256 proof: 200"

	# A bound read-only token writing: 403, challenged in the DPoP scheme.
	c=$(mint alice "{\"cnf\":{\"jkt\":\"$jkt\"},\"scp\":\"read\"}")
	dreq POST /api/tasks "$c" "$(dpop_proof "$kec" ES256 POST "$u" "$c")" \
	    -H 'Content-Type: application/json' --data-binary '{"text":"no"}'
	is "$ST" 403 "dpop: a read-only bound token writing: 403"
	like "$(challenges)" '^DPoP realm="todo-b2c", error="insufficient_scope", scope="[^"]+", algs="ES256 PS256 RS256"$' \
	    "dpop: ... with a DPoP insufficient_scope challenge"
	is "$(jb .error)" insufficient_scope "dpop: ... body error insufficient_scope"

	p=$(dpop_proof "$kec" ES256 GET "$u" "$tok")
	dreq GET /api/tasks "$tok" "$p"
	is "$ST" 200 "dpop: a fresh proof: 200"
	dreq GET /api/tasks "$tok" "$p"
	expect_dpop_error "dpop: the same proof again (replayed jti)" \
	    invalid_dpop_proof
	ok "dpop: the log says the proof was replayed" \
	    logged "rejected token: dpop proof replayed"

	# A replay race across processes: one proof, many requests at once
	# (the server runs $API_PROCS processes); PostgreSQL lets one win.
	p=$(dpop_proof "$kec" ES256 GET "$u" "$tok")
	n=8
	pids=()
	for i in $(seq "$n"); do
		curl -s -o /dev/null -m 20 -w '%{http_code}\n' \
		    -H "Authorization: DPoP $tok" -H "DPoP: $p" "$u" \
		    >"$T_SCRATCH/dpop-race.$i" &
		pids+=($!)
	done
	wait "${pids[@]}"
	cat "$T_SCRATCH"/dpop-race.* >"$T_SCRATCH/dpop-race"
	codes=$(sort "$T_SCRATCH/dpop-race" | uniq -c | awk '{print $2 "x" $1}' |
	    tr '\n' ' ')
	ok401=$(grep -c '^401$' "$T_SCRATCH/dpop-race")
	is "$(grep -c '^200$' "$T_SCRATCH/dpop-race") $ok401" "1 $((n - 1))" \
	    "dpop: $n concurrent uses of one proof: exactly one 200 ($codes)"

	req GET /api/tasks "$tok"
	is "$ST" 401 "dpop: a bound token sent as Bearer: 401"
	like "$(hdr WWW-Authenticate)" '^Bearer .*error="invalid_token"' \
	    "dpop: ... Bearer error=\"invalid_token\""
	like "$(challenges)" ', DPoP algs="ES256 PS256 RS256"$' \
	    "dpop: ... then the DPoP challenge with its algorithms"
	is "$(jb .error)" invalid_token "dpop: ... body error invalid_token"
	ok "dpop: the log says why" \
	    logged "rejected token: dpop-bound token sent as a bearer token"
	req GET /api/tasks "$tok"
	is "$ST" 401 "dpop: ... again (a bound token never enters the cache)"

	req GET /api/tasks -
	is "$(challenges)" \
	    'Bearer realm="todo-b2c", DPoP algs="ES256 PS256 RS256"' \
	    "dpop: no token: 401 with both challenges"

	dreq GET /api/tasks "$tok" "$(dpop_proof "$kec" ES256 POST "$u" "$tok")"
	expect_dpop_error "dpop: wrong htm" invalid_dpop_proof
	dreq GET /api/tasks "$tok" \
	    "$(dpop_proof "$kec" ES256 GET "$BASE/api/tasks/1" "$tok")"
	expect_dpop_error "dpop: wrong htu (another path)" invalid_dpop_proof
	dreq GET /api/tasks "$tok" \
	    "$(dpop_proof "$kec" ES256 GET "https://${BASE#http://}/api/tasks" "$tok")"
	expect_dpop_error "dpop: wrong htu (https for http)" invalid_dpop_proof
	dreq GET /api/tasks "$tok" "$(dpop_proof "$kec" ES256 GET "$u" "$plain")"
	expect_dpop_error "dpop: wrong ath (another token's)" invalid_dpop_proof
	dreq GET /api/tasks "$tok" "$(dpop_proof "$kec" ES256 GET "$u" -)"
	expect_dpop_error "dpop: no ath" invalid_dpop_proof
	dreq GET /api/tasks "$tok" "$(dpop_proof "$krsa" RS256 GET "$u" "$tok")"
	expect_dpop_error "dpop: a good proof from another key than cnf.jkt" \
	    invalid_token
	is "$(jb .error_description)" "the DPoP proof is not from the token's key" \
	    "dpop: ... says the key does not match"
	expired=$(( $(date +%s) - 300 - 60 - 30 ))
	dreq GET /api/tasks "$tok" "$(dpop_proof "$kec" ES256 GET "$u" "$tok" \
	    "{\"iat\":$expired}")"
	expect_dpop_error "dpop: iat older than dpop_max_age + clock_skew" \
	    invalid_dpop_proof
	dreq GET /api/tasks "$tok" "$(dpop_proof "$kec" ES256 GET "$u" "$tok" \
	    "{\"iat\":$(now_plus 300)}")"
	expect_dpop_error "dpop: iat in the future" invalid_dpop_proof
	dreq GET /api/tasks "$tok" "$(dpop_proof "$kec" ES256 GET "$u" "$tok" \
	    '{"jti":null}')"
	expect_dpop_error "dpop: no jti" invalid_dpop_proof
	dreq GET /api/tasks "$tok" "$(dpop_proof "$kec" ES256 GET "$u" "$tok" \
	    '{}' "{\"jwk\":$(dpop_jwk "$krsa")}")"
	expect_dpop_error "dpop: signed by another key than its jwk (bad signature)" \
	    invalid_dpop_proof
	p=$(dpop_proof "$kec" ES256 GET "$u" "$tok")
	sig=${p##*.}
	c=B
	[ "${sig:10:1}" = B ] && c=C
	p="${p%.*}.${sig:0:10}$c${sig:11}"
	dreq GET /api/tasks "$tok" "$p"
	expect_dpop_error "dpop: a changed signature" invalid_dpop_proof
	dreq GET /api/tasks "$tok" "$(dpop_proof "$kec" ES256 GET "$u" "$tok" \
	    '{}' "{\"jwk\":$(dpop_jwk "$kec" | jq -c --arg d "$(printf '%043d' 0 | tr 0 A)" '. + {d: $d}')}")"
	expect_dpop_error "dpop: a private key (d) in the jwk" invalid_dpop_proof
	dreq GET /api/tasks "$tok" "$(dpop_proof "$kec" ES256 GET "$u" "$tok" \
	    '{}' '{"typ":"JWT"}')"
	expect_dpop_error "dpop: typ JWT" invalid_dpop_proof
	dreq GET /api/tasks "$tok" -
	expect_dpop_error "dpop: the DPoP scheme without a DPoP header" \
	    invalid_dpop_proof
	dreq GET /api/tasks "$tok" "$(dpop_proof "$kec" ES256 GET "$u" "$tok")" \
	    -H "DPoP: $(dpop_proof "$kec" ES256 GET "$u" "$tok")"
	expect_dpop_error "dpop: two DPoP headers" invalid_dpop_proof
	dreq GET /api/tasks "$plain" "$(dpop_proof "$kec" ES256 GET "$u" "$plain")"
	expect_dpop_error "dpop: a token without cnf under the DPoP scheme" \
	    invalid_token
	dreq GET /api/tasks "$(mint alice "{\"cnf\":{\"jkt\":\"$jkt\"},\"exp\":$(now_plus -120)}")" \
	    "$(dpop_proof "$kec" ES256 GET "$u" "$tok")"
	expect_dpop_error "dpop: an expired bound token" invalid_token
	is "$(jb .error_description)" "the access token has expired" \
	    "dpop: ... says it expired"
	dreq GET /api/tasks "$tok" "$(dpop_proof "$kec" ES256 GET "$u" "$tok")"
	is "$ST" 200 "dpop: after all that, a good proof still works"
}
