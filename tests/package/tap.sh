# tests/package/tap.sh -- the TAP helpers of tests/package/run and
# tests/package/systemd.  Source it after setting $scratch (a directory for
# the output of each check).  Output: "ok N - ..." lines, then finish's
# "N passed, N failed"; finish exits non-zero when a check failed.
n=0 passed=0 failed=0

ok() {			# ok CONDITION-EXIT-STATUS DESCRIPTION
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n - $2"; passed=$((passed + 1))
	else
		echo "not ok $n - $2"; failed=$((failed + 1))
	fi
}
check() {		# check DESCRIPTION COMMAND...: ok when COMMAND succeeds
	local d=$1; shift
	"$@" >"$scratch/check.out" 2>&1
	local rc=$?
	ok $rc "$d"
	[ $rc -eq 0 ] || sed 's/^/# /' "$scratch/check.out" | tail -25
	return $rc
}
note() { printf '# %s\n' "$*"; }
finish() {
	echo "$passed passed, $failed failed"
	[ $failed -eq 0 ]
	exit
}
bail() {		# bail DESCRIPTION [LOG]: a step nothing after it can do without
	ok 1 "$1"
	[ -n "${2:-}" ] && [ -f "$2" ] && tail -40 "$2" | sed 's/^/# /'
	finish
}
