#!/bin/sh
# service-drill.sh - run uccnd.service under a real systemd as PID 1 and
# check what a user would see: it starts and reports ready (Type=notify),
# its first start makes /var/lib/uccnd with the keys, `uccn status` answers
# as the coordinator, `systemctl reload` re-reads /etc/uccn/uccnd.conf,
# `systemctl stop` stops it cleanly, a second start keeps the data, and
# `systemd-analyze security` rates it under 3.0. One line per check; exits
# non-zero if any check failed.
#
# How: a minimal Debian tree (debootstrap, made once and kept in
# DRILL_DIR/root, /var/cache/uccn-service-drill unless set: outside the
# project, so the root-owned tree never stands in the way of a user's
# `make clean`), `make install DESTDIR=` into it, booted with
# systemd-nspawn --boot on a private network (loopback only), driven from
# here with nsenter (no systemd or machined is needed on this machine), then
# powered off.
#
# Needs: root, Debian with apt-get (debootstrap and
# systemd-container are installed when missing) and a Debian mirror
# (DRILL_MIRROR, else debootstrap's default). DRILL_SUITE picks the tree's
# release (default: this machine's, so the binaries built here run there).
# Takes under a minute the first time (47 s measured, most of it
# debootstrap) and a few seconds later (3 s: a boot, the checks and a
# poweroff), plus a build when the sources changed.
# Under sudo the project is built as the user who ran sudo, so the build
# stays theirs. `rm -rf /var/cache/uccn-service-drill` makes the tree
# again.
set -eu

cd "$(dirname "$0")/.."
top=$(pwd)
drill="${DRILL_DIR:-/var/cache/uccn-service-drill}"
root="$drill/root"
started=$(date +%s)
passed=0
failed=0

say() { printf '%s\n' "$*"; }
pass() { passed=$((passed + 1)); say "ok   $1: $2"; }
# fail NAME EXPECTED SAW
fail() {
	failed=$((failed + 1))
	say "FAIL $1: expected $2; saw: $3"
}

if [ "$(id -u)" != 0 ]; then
	say "service-drill: needs root (debootstrap and systemd-nspawn)" >&2
	exit 1
fi

# ---- tools ----
need=""
command -v debootstrap >/dev/null 2>&1 || need="$need debootstrap"
command -v systemd-nspawn >/dev/null 2>&1 || need="$need systemd-container"
command -v nsenter >/dev/null 2>&1 || need="$need util-linux"
if [ -n "$need" ]; then
	say "service-drill: installing:$need"
	apt-get update -qq
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $need >/dev/null
fi

# ---- the tree, made once ----
# shellcheck disable=SC1091
suite=${DRILL_SUITE:-$(. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}")}
suite=${suite:-bookworm}
# Debian 13 renamed msgpack-c's runtime package (libmsgpackc2 before).
msgpack=libmsgpackc2
[ "$suite" = bookworm ] || msgpack=libmsgpack-c2
include="systemd,systemd-sysv,dbus,libzmq5,liblmdb0,$msgpack,libsodium23"
want="$suite $include"
if [ ! -f "$root/.uccn-drill" ] || [ "$(cat "$root/.uccn-drill")" != "$want" ]; then
	say "service-drill: debootstrap $suite into $root (once; log in $drill/debootstrap.log)"
	rm -rf "$root" "$root.tmp"
	mkdir -p "$drill"
	# shellcheck disable=SC2086
	if ! debootstrap --variant=minbase --include="$include" "$suite" "$root.tmp" \
		${DRILL_MIRROR:-} >"$drill/debootstrap.log" 2>&1; then
		tail -n 20 "$drill/debootstrap.log"
		say "service-drill: debootstrap failed (log: $drill/debootstrap.log)" >&2
		exit 1
	fi
	printf '%s\n' "$want" >"$root.tmp/.uccn-drill"
	mv "$root.tmp" "$root"
fi

# ---- this tree's uccn, installed fresh, with no state from a past run ----
if [ -n "${SUDO_UID:-}" ] && [ "${SUDO_UID}" != 0 ]; then
	setpriv --reuid="$SUDO_UID" --regid="${SUDO_GID:-$SUDO_UID}" --clear-groups \
		make -s --no-print-directory all
else
	make -s --no-print-directory all
fi
make -s --no-print-directory install DESTDIR="$root" PREFIX=/usr/local >/dev/null
rm -rf "$root/var/lib/uccnd" "$root/var/lib/private/uccnd" "$root/etc/uccn" \
	"$root/etc/systemd/system/uccnd.service.d" "$root/var/log/journal"
mkdir -p "$root/etc/uccn"
# The README's settings file (Running it for years).
printf 'listen = tcp://0.0.0.0:7246\nlog_level = info\n' >"$root/etc/uccn/uccnd.conf"

# ---- boot ----
machine="uccn-drill-$$"
nspawn=""
leader=""
finish() {
	[ -n "$nspawn" ] || return 0
	if [ -d "/proc/$nspawn" ]; then
		[ -z "$leader" ] || inside systemctl poweroff --no-block >/dev/null 2>&1 || true
		wait_gone "$nspawn" 60 || { kill -TERM "$nspawn" 2>/dev/null || true; wait_gone "$nspawn" 30; } ||
			kill -KILL "$nspawn" 2>/dev/null || true
	fi
	wait "$nspawn" 2>/dev/null || true
	nspawn=""
	rmdir "/run/systemd/nspawn/propagate/$machine" 2>/dev/null || true
}
# wait_gone PID SECONDS: true once PID has exited (a zombie counts).
wait_gone() {
	i=0
	while [ "$i" -lt "$2" ]; do
		[ -d "/proc/$1" ] || return 0
		case $(cut -d')' -f2 "/proc/$1/stat" 2>/dev/null) in " Z"*) return 0 ;; esac
		sleep 1
		i=$((i + 1))
	done
	return 1
}
trap 'finish' EXIT
trap 'exit 130' INT TERM

# Run a command inside the container, with a clean environment.
inside() {
	nsenter -t "$leader" -a -- /usr/bin/env -i PATH=/usr/local/bin:/usr/bin:/bin \
		HOME=/root LANG=C.UTF-8 SYSTEMD_PAGER= SYSTEMD_COLORS=0 "$@"
}
# The journal of uccnd.service after cursor $1 (all of it when empty).
journal_since() {
	if [ -n "$1" ]; then
		inside journalctl -u uccnd --no-pager -o cat --after-cursor="$1" 2>/dev/null || true
	else
		inside journalctl -u uccnd --no-pager -o cat 2>/dev/null || true
	fi
}
cursor() {
	inside journalctl -u uccnd --no-pager -n 1 --show-cursor -o cat 2>/dev/null |
		sed -n 's/^-- cursor: //p'
}
# wait_journal CURSOR PATTERN SECONDS: true once a line matches.
wait_journal() {
	i=0
	while [ "$i" -lt "$3" ]; do
		journal_since "$1" | grep -q -- "$2" && return 0
		sleep 1
		i=$((i + 1))
	done
	return 1
}
show() { inside systemctl show -p "$1" --value uccnd 2>/dev/null || true; }
# After a failed check: what the service said.
journal_tail() { journal_since "" | tail -n 15 | sed 's/^/     | /'; }

systemd-nspawn -D "$root" --boot --machine="$machine" --register=no --keep-unit \
	--private-network --console=read-only </dev/null >"$drill/boot.log" 2>&1 &
nspawn=$!
i=0
while [ -z "$leader" ] && [ "$i" -lt 60 ]; do
	# shellcheck disable=SC2013 # pids, one word each
	for c in $(cat /proc/"$nspawn"/task/*/children 2>/dev/null); do
		[ "$(cat "/proc/$c/comm" 2>/dev/null)" = systemd ] && leader=$c
	done
	[ -n "$leader" ] || { sleep 1; i=$((i + 1)); }
done
state=""
i=0
while [ -n "$leader" ] && [ "$i" -lt 120 ]; do
	state=$(inside systemctl is-system-running 2>/dev/null || true)
	case $state in running | degraded) break ;; esac
	sleep 1
	i=$((i + 1))
done
case $state in
running | degraded)
	pass boot "systemd $(inside systemctl --version | sed -n '1s/^systemd //p') is PID 1 in $machine, system $state"
	;;
*)
	fail boot "systemd as PID 1 reaching running or degraded" "${state:-no container} (log: $drill/boot.log)"
	tail -n 20 "$drill/boot.log"
	say "service-drill: $passed passed, $failed failed"
	exit 1
	;;
esac

# ---- start: Type=notify, so active (running) means READY=1 arrived ----
inside systemctl daemon-reload
out=$(inside systemctl start uccnd 2>&1) && rc=0 || rc=$?
active=$(inside systemctl status uccnd --no-pager 2>/dev/null | sed -n 's/^ *Active: //p' | sed 's/ since.*//')
if [ "$rc" = 0 ] && [ "$active" = "active (running)" ]; then
	pass start "systemctl start exit 0; Active: $active"
else
	fail start "systemctl start exit 0 and Active: active (running)" "exit $rc, Active: $active $out"
	journal_tail
fi
status=$(show StatusText)
case $status in
"serving on "*) pass ready "READY=1 and STATUS= through NOTIFY_SOCKET: \"$status\"" ;;
*)
	fail ready "StatusText \"serving on ...\" from uccnd's sd_notify" "\"$status\""
	;;
esac
restarts=$(show NRestarts)
if [ "$restarts" = 0 ]; then
	pass restarts "NRestarts=0"
else
	fail restarts "NRestarts=0" "NRestarts=$restarts"
	journal_tail
fi

# ---- first start: the state directory and the keys ----
link=$(readlink "$root/var/lib/uccnd" || true)
missing=""
for f in server.key server.pub coordinator.key data.mdb; do
	[ -s "$root/var/lib/private/uccnd/$f" ] || missing="$missing $f"
done
perm=$(stat -c '%a %u' "$root/var/lib/private/uccnd" 2>/dev/null || echo none)
if [ "$link" = private/uccnd ] && [ -z "$missing" ] && [ "${perm%% *}" = 700 ] &&
	[ "${perm#* }" != 0 ]; then
	pass state-dir "/var/lib/uccnd -> $link, mode ${perm%% *}, owner uid ${perm#* } (DynamicUser); server.key server.pub coordinator.key data.mdb"
else
	fail state-dir "/var/lib/uccnd -> private/uccnd, mode 700, not root's, with server.key server.pub coordinator.key data.mdb" \
		"link '$link', mode/uid '$perm', missing:${missing:- none}"
fi
first=$(journal_since "" | grep -E "created the server key pair|registered city 'coordinator'" | tr '\n' ' ')
case $first in
*"created the server key pair"*"registered city 'coordinator'"*) pass first-start "journal: $first" ;;
*) fail first-start "journal lines 'created the server key pair' and 'registered city 'coordinator''" "$(journal_since "" | tail -n 5 | tr '\n' ' ')" ;;
esac

# ---- uccn status as the coordinator, with the keys uccnd made ----
out=$(inside uccn --timeout 10 --key /var/lib/uccnd/coordinator.key \
	--server-key /var/lib/uccnd/server.pub status 2>&1) && rc=0 || rc=$?
you=$(printf '%s\n' "$out" | sed -n 's/^you are: *//p')
if [ "$rc" = 0 ] && [ "$you" = "coordinator (coordinator)" ]; then
	pass status "uccn status exit 0; you are: $you; $(printf '%s\n' "$out" | sed -n 's/^endpoint: *//p')"
else
	fail status "uccn status exit 0, you are: coordinator (coordinator)" "exit $rc: $(printf '%s' "$out" | head -n 5 | tr '\n' ' ')"
fi

# ---- LimitNOFILE ----
pid=$(show MainPID)
# MainPID is a pid of the container's namespace: read its /proc there.
nofile=$(inside cat "/proc/$pid/limits" 2>/dev/null | sed -n 's/^Max open files *\([0-9]*\).*/\1/p')
# systemd gives a service the nearest limit it may; it may not go past
# its own hard limit, which a host without CAP_SYS_RESOURCE caps.
ceiling=$(sed -n 's/^Max open files *[0-9]* *\([0-9]*\).*/\1/p' "/proc/$leader/limits")
if [ "$nofile" = 65536 ]; then
	pass nofile "uccnd may open 65536 files (LimitNOFILE)"
elif [ -n "$nofile" ] && [ "$ceiling" -lt 65536 ] && [ "$nofile" = "$ceiling" ]; then
	pass nofile "uccnd may open $nofile files: LimitNOFILE=65536, capped by the container's PID 1 hard limit $ceiling (this host's)"
else
	fail nofile "65536 open files (or the container's hard limit, $ceiling)" "'$nofile'"
fi

# ---- reload: the settings file again, the same process ----
sed -i 's/^log_level = info$/log_level = debug/' "$root/etc/uccn/uccnd.conf"
c=$(cursor)
out=$(inside systemctl reload uccnd 2>&1) && rc=0 || rc=$?
if [ "$rc" = 0 ] && wait_journal "$c" "reloaded the settings from /etc/uccn/uccnd.conf" 10 &&
	[ "$(inside systemctl is-active uccnd)" = active ] && [ "$(show MainPID)" = "$pid" ]; then
	pass reload "systemctl reload exit 0, still active, pid $pid; journal: $(journal_since "$c" | grep -E "reload: log_level|reloaded the settings" | tr '\n' ' ')"
else
	fail reload "systemctl reload exit 0; journal 'reloaded the settings from /etc/uccn/uccnd.conf'; active, pid $pid" \
		"exit $rc $out; $(inside systemctl is-active uccnd) pid $(show MainPID); journal: $(journal_since "$c" | tr '\n' ' ')"
fi

# ---- stop: clean, exit 0 ----
c=$(cursor)
out=$(inside systemctl stop uccnd 2>&1) && rc=0 || rc=$?
j=$(journal_since "$c")
if [ "$rc" = 0 ] && printf '%s\n' "$j" | grep -q "uccnd.service: Deactivated successfully" &&
	printf '%s\n' "$j" | grep -q "uccnd info: stopped" &&
	! printf '%s\n' "$j" | grep -q -E "Main process exited|Failed with result"; then
	pass stop "systemctl stop exit 0; journal: $(printf '%s\n' "$j" | grep -E "stopping|info: stopped|Deactivated" | tr '\n' ' ')"
else
	fail stop "systemctl stop exit 0; journal 'stopped' and 'Deactivated successfully', no failure" "exit $rc $out; journal: $(printf '%s' "$j" | tr '\n' ' ')"
fi

# ---- a second start keeps the data and the keys ----
cp "$root/var/lib/private/uccnd/server.pub" "$drill/server.pub.first" 2>/dev/null || true
c=$(cursor)
out=$(inside systemctl start uccnd 2>&1) && rc=0 || rc=$?
out2=$(inside uccn --timeout 10 --key /var/lib/uccnd/coordinator.key \
	--server-key /var/lib/uccnd/server.pub status 2>&1) && rc2=0 || rc2=$?
if [ "$rc" = 0 ] && [ "$rc2" = 0 ] &&
	cmp -s "$drill/server.pub.first" "$root/var/lib/private/uccnd/server.pub" &&
	! journal_since "$c" | grep -q "created the server key pair"; then
	pass restart "second start exit 0, same server.pub, uccn status exit 0 ($(printf '%s\n' "$out2" | sed -n 's/^cities: */cities: /p'))"
else
	fail restart "second start exit 0 with the same server.pub, uccn status exit 0" \
		"start exit $rc $out; status exit $rc2: $(printf '%s' "$out2" | head -n 3 | tr '\n' ' ')"
	journal_tail
fi
inside systemctl stop uccnd >/dev/null 2>&1 || true
rm -f "$drill/server.pub.first"

# ---- the exposure of the unit as installed ----
line=$(inside systemd-analyze security uccnd --no-pager 2>&1 | grep "Overall exposure level" || true)
exposure=$(printf '%s\n' "$line" | sed -n 's/.*uccnd.service: \([0-9.]*\).*/\1/p')
if [ -n "$exposure" ] && awk -v e="$exposure" 'BEGIN { exit !(e < 3.0) }'; then
	pass security "$(printf '%s' "$line" | sed 's/^[^O]*//')"
else
	fail security "Overall exposure level under 3.0" "'$line'"
fi

# ---- power off ----
inside systemctl poweroff --no-block >/dev/null 2>&1 || true
if wait_gone "$nspawn" 60; then
	wait "$nspawn" && rc=0 || rc=$?
	nspawn=""
	rmdir "/run/systemd/nspawn/propagate/$machine" 2>/dev/null || true
	if [ "$rc" = 0 ]; then
		pass poweroff "container $machine powered off, systemd-nspawn exit 0"
	else
		fail poweroff "systemd-nspawn exit 0" "exit $rc (log: $drill/boot.log)"
	fi
else
	fail poweroff "container gone within 60 s" "still running; killing it"
fi

say "service-drill: $(($(date +%s) - started)) s"
say "service-drill: $passed passed, $failed failed"
[ "$failed" = 0 ]
