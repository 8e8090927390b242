#!/bin/sh
# run.sh BUILD_DIR TEST_BINARY... - run every cmocka test program against the
# programs in BUILD_DIR (uccnd, uccn) and print one closing line:
# "tests: N passed, M failed". Exits non-zero if any test failed or any
# program died without its summary. Each program gets UCCN_TEST_TIMEOUT
# seconds (1200 unless set); one that takes longer is stopped, counted as
# failed, and its output so far is shown, so a hang costs one program, not
# the whole run.
set -u
limit=${UCCN_TEST_TIMEOUT:-1200}
bin=$1
shift
export UCCN_BIN="$bin"
passed=0
failed=0
broken=""
log=$(mktemp)
trap 'rm -f "$log"' EXIT
for t in "$@"; do
	echo "== $t"
	start=$(date +%s)
	# --foreground: the program stays in the terminal's process group,
	# so Ctrl-C stops it at once (its uccnd children die with it).
	timeout --foreground -k 10 "$limit" "$t" >"$log" 2>&1
	rc=$?
	took=$(($(date +%s) - start))
	cat "$log"
	echo "== $t: $took s"
	# 124: stopped by SIGTERM; 137: it ignored that and took the SIGKILL.
	if [ "$rc" -eq 124 ] || { [ "$rc" -eq 137 ] && [ "$took" -ge "$limit" ]; }; then
		echo "== $t: stopped after ${limit} s without finishing"
		broken="$broken $t(timed out)"
		failed=$((failed + 1))
		continue
	fi
	p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -n 1)
	f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -n 1)
	passed=$((passed + ${p:-0}))
	failed=$((failed + ${f:-0}))
	if [ -z "$p$f" ] || { [ "$rc" -ne 0 ] && [ -z "$f" ]; }; then
		broken="$broken $t(exit $rc)"
		failed=$((failed + 1))
	fi
done
[ -n "$broken" ] && echo "programs that ended without a cmocka summary:$broken"
echo "tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
