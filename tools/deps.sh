#!/bin/sh
# deps.sh [test|bench] - install what uccn builds and tests with, from
# Debian's packages, when it is missing: a C compiler and make, pkg-config,
# and the -dev packages of libzmq, LMDB, msgpack-c, cmocka and libsodium; with "test"
# also the independent checkers the end-to-end tests use on the agenda
# (Python's icalendar parser, its jsonschema validator and headless
# Chromium); with "bench" also the
# peer uccn-bench measures against (redis-server, and redis-tools for
# redis-benchmark). Does nothing when all is there, so it is cheap to call
# before every build.
set -e

need=""
add() { need="$need $1"; }

command -v cc >/dev/null 2>&1 || add gcc
command -v make >/dev/null 2>&1 || add make
if command -v pkg-config >/dev/null 2>&1; then
	pkg-config --exists libzmq || add libzmq3-dev
	pkg-config --exists lmdb || add liblmdb-dev
	# Debian 13 renamed the package and its .pc file to msgpack-c.
	pkg-config --exists msgpack-c || pkg-config --exists msgpack || add MSGPACK
	pkg-config --exists cmocka || add libcmocka-dev
	pkg-config --exists libsodium || add libsodium-dev
else
	add "pkg-config libzmq3-dev liblmdb-dev MSGPACK libcmocka-dev libsodium-dev"
fi

if [ "${1:-}" = test ]; then
	/usr/bin/python3 -c 'import icalendar' 2>/dev/null || add python3-icalendar
	/usr/bin/python3 -c 'import jsonschema' 2>/dev/null || add python3-jsonschema
	command -v chromium >/dev/null 2>&1 || add chromium
fi

if [ "${1:-}" = bench ]; then
	command -v redis-server >/dev/null 2>&1 || add redis-server
	command -v redis-benchmark >/dev/null 2>&1 || add redis-tools
fi

[ -z "$need" ] && exit 0

if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
if ! command -v apt-get >/dev/null 2>&1; then
	echo "deps: missing:$need; install them with your system's package manager" >&2
	exit 1
fi
echo "deps: installing:$need" >&2
$SUDO apt-get update -qq
msgpack=libmsgpack-dev
if apt-cache show libmsgpack-c-dev >/dev/null 2>&1; then msgpack=libmsgpack-c-dev; fi
need=$(echo "$need" | sed "s/MSGPACK/$msgpack/")
# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $need >&2
