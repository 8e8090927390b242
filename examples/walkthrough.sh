#!/bin/sh
# walkthrough.sh - uccn doing its main job, on a machine with nothing set up:
# start a local uccnd on a fresh data directory, import the network's member
# list (examples/data/uccn-cities.csv), give six Cities of Literature their
# own keys, register real joint projects and meetings (examples/network.sh),
# post from several cities, list by city and by kind, build the Kraków
# annual meeting's agenda (written to examples/out/ as Markdown, HTML and
# iCalendar), publish it, and stop cleanly.
#
#   sh examples/walkthrough.sh        (after `make`; `make demo` does both)
#
# Environment: UCCN_BIN (default build), UCCN_DEMO_DIR (default a fresh
# temporary directory, removed at the end unless given), UCCN_AGENDA_DIR
# (where the agenda files go; default examples/out).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
bin=${UCCN_BIN:-$top/build}
csv=$here/data/uccn-cities.csv
out=${UCCN_AGENDA_DIR:-$here/out}
uccnd=$bin/uccnd
uccn=$bin/uccn
[ -x "$uccnd" ] && [ -x "$uccn" ] || { echo "walkthrough: build first (make)" >&2; exit 1; }

if [ -n "${UCCN_DEMO_DIR:-}" ]; then dir=$UCCN_DEMO_DIR; keep=1; else dir=$(mktemp -d); keep=0; fi
pid=""
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null || true
	[ "$keep" = 1 ] || rm -rf "$dir"
}
trap cleanup EXIT INT TERM

if [ -t 1 ]; then bold=$(printf '\033[1m'); plain=$(printf '\033[0m'); else bold=""; plain=""; fi
step() { printf '\n%s== %s%s\n' "$bold" "$*" "$plain"; }
# Echo a command line as one would type it, quoting words with spaces.
show_cmd() {
	printf '$ uccn'
	for a in "$@"; do
		case $a in *" "*|*"!"*|*";"*) printf " '%s'" "$a" ;; *) printf ' %s' "$a" ;; esac
	done
	printf '\n'
}
run() { show_cmd "$@"; "$uccn" "$@"; }

# The daemon's defaults are loopback and a per-user data directory; here the
# data directory is a fresh one, and the port the first free one from 7246.
port=7246
while :; do
	"$uccnd" --data "$dir" --listen "tcp://127.0.0.1:$port" 2>>"$dir/uccnd.log" &
	pid=$!
	export UCCN_DATA="$dir" UCCN_ENDPOINT="tcp://127.0.0.1:$port"
	# Wait for readiness by asking it, not by sleeping a fixed time.
	tries=0
	until "$uccn" --timeout 0.5 status >/dev/null 2>&1; do
		tries=$((tries + 1))
		if ! kill -0 "$pid" 2>/dev/null || [ $tries -ge 40 ]; then break; fi
	done
	if kill -0 "$pid" 2>/dev/null && "$uccn" --timeout 1 status >/dev/null 2>&1; then break; fi
	kill "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	pid=""
	port=$((port + 1))
	[ $port -lt 7266 ] || { echo "walkthrough: uccnd did not start; see $dir/uccnd.log" >&2; cat "$dir/uccnd.log" >&2; exit 1; }
done

step "uccnd is running on $UCCN_ENDPOINT with its data in $dir"
echo "First start made the server's key, and a coordinator city with its key:"
ls -l "$dir/server.pub" "$dir/coordinator.key"
run status

step "The coordinator imports the member list: 350 cities, one transaction"
run import cities "$csv"
echo "Running it again changes nothing:"
run import cities "$csv"
run city show krakow

step "Twelve Cities of Literature on five continents come on-line: each makes a key, the coordinator registers it"
for id in krakow nottingham edinburgh granada-literature heidelberg reykjavik \
	iowa-city melbourne durban montevideo baghdad bucheon; do
	key=$("$uccn" keygen -o "$dir/$id.key")
	run city rekey "$id" --key "$key"
done
run city list --field literature --country "United Kingdom"

step "Joint projects and meetings (examples/network.sh; sources in examples/data/NETWORK.md)"
UCCN_BIN=$bin sh "$here/network.sh"
run project list --field literature
run meeting show col-annual-2026

step "Cities post; the daemon knows each by its key"
as() { city=$1; shift; show_cmd --key "$city.key" "$@"; "$uccn" --key "$dir/$city.key" "$@"; }
as reykjavik post --kind report --project drop-the-mic --title "Drop the Mic: what four years of slam taught us" \
	"Five cities, dozens of poets; our notes for the next network project."
as granada-literature post --kind news --project world-poetry-day --title "World Poetry Day readings" \
	"Readings in every member city on 21 March; send us your programme."
as heidelberg post --kind good-practice --title "Literature house residencies" \
	"How we run a two-month residency with the city library."
as nottingham post --kind agenda-item --meeting col-annual-2026 --minutes 20 \
	--title "Engage! Young Producers: next cohort" "Proposal to open the programme to ten more cities."
as krakow project join european-paper-route
echo "Kraków writes to Nottingham privately, and to the project's partners:"
as krakow post --kind message --to city:nottingham --title "Co-hosting 2026?" \
	"Would Nottingham co-host the annual meeting with us?"
as krakow post --kind news --to project:drop-the-mic --title "Slam archive online" \
	"Recordings of all Drop the Mic stages are now online."
echo "Nottingham reads its mailbox, then marks it read:"
as nottingham inbox
as nottingham inbox --ack "$("$uccn" --key "$dir/nottingham.key" inbox --json | sed 's/.*"seq":\([0-9]*\).*/\1/')"
echo "Edinburgh cannot see the private message (only public posts are listed):"
as edinburgh list --city krakow
echo "A post about a project that does not exist is refused, and nothing is stored:"
as krakow post --project no-such-project "This goes nowhere." || true
echo "A retry with the same idempotency key stores nothing new:"
as edinburgh post --kind news --key-id edinburgh-2024-07 --json "Book festival dates announced."
as edinburgh post --kind news --key-id edinburgh-2024-07 --json "Book festival dates announced."

step "Everything, newest first"
run list
step "Only Nottingham's posts, and the agenda items for the annual meeting"
run list --city nottingham
run list --meeting col-annual-2026 --kind agenda-item
step "Only news, as JSON for scripts"
run list --kind news --json
step "One post in full"
run show "$("$uccn" list --limit 1 --kind good-practice --json | sed 's/.*"seq":\([0-9]*\).*/\1/')"

echo "The coordinator's own record gets a zone (UNESCO's secretariat is in Paris), so the agenda can show its local times:"
run city update coordinator --if-version 1 --tz Europe/Paris

step "Agenda items for the Kraków annual meeting, from five continents (some presenting on-line)"
as iowa-city post --kind agenda-item --meeting col-annual-2026 --minutes 30 --remote \
	--title "Iowa Writers' residencies abroad" "Opening our residencies to writers of every member city."
as melbourne post --kind agenda-item --meeting col-annual-2026 --minutes 25 --remote \
	--title "Melbourne's library network" "Lessons from 40 public libraries."
as montevideo post --kind agenda-item --meeting col-annual-2026 --minutes 20 --remote \
	--title "Río de la Plata book fairs" "A shared calendar for the region's fairs."
as bucheon post --kind agenda-item --meeting col-annual-2026 --minutes 20 --remote --priority high \
	--title "Webtoons and literature" "Comics as a way into reading."
as durban post --kind agenda-item --meeting col-annual-2026 --minutes 25 \
	--title "Time of the Writer festival" "Twenty-five years of a festival, and what travels."
as baghdad post --kind agenda-item --meeting col-annual-2026 --minutes 30 \
	--title "Al-Mutanabbi Street" "Rebuilding a street of booksellers."
as edinburgh post --kind proposal --meeting col-annual-2026 --minutes 20 \
	--title "A network-wide translation fund" "Each city funds one translation a year from another member's language."
as heidelberg post --kind agenda-item --meeting col-annual-2026 --minutes 15 --pin 2:09:00 \
	--title "The literature house model" "Pinned to the start of day 2."

step "The annual meeting's agenda, built from the records; written to $out as Markdown, HTML and iCalendar"
mkdir -p "$out"
run agenda col-annual-2026
run agenda col-annual-2026 --format html -o "$out/col-annual-2026.html"
run agenda col-annual-2026 --format ics -o "$out/col-annual-2026.ics"
run agenda col-annual-2026 --format md -o "$out/col-annual-2026.md"
run agenda col-annual-2026 --publish
ls -l "$out"

step "Stopping uccnd cleanly (SIGTERM)"
kill -TERM "$pid"
if wait "$pid"; then echo "uccnd stopped cleanly (exit 0)."; else echo "uccnd exited $?" >&2; exit 1; fi
pid=""
