#!/bin/sh
# have-libfuzzer.sh - exit 0 when clang can build a libFuzzer harness with
# ASan and UBSan here; otherwise print why (one line) and exit 1. Trying a
# tiny harness is the only sure test: clang without its compiler-rt
# runtimes is common.
command -v clang >/dev/null 2>&1 || { echo "clang not found (apt-get install clang)"; exit 1; }
dir=$(mktemp -d) || exit 1
trap 'rm -rf "$dir"' EXIT
printf '%s\n' '#include <stddef.h>' '#include <stdint.h>' \
	'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);' \
	'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }' \
	>"$dir/t.c"
if ! clang -fsanitize=fuzzer,address,undefined "$dir/t.c" -o "$dir/t" >"$dir/log" 2>&1; then
	echo "clang cannot link -fsanitize=fuzzer (libFuzzer runtime missing?)"
	exit 1
fi
exit 0
