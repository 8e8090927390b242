#!/bin/sh
# network.sh - register, as the coordinator, real joint projects and meetings
# of the network: World Poetry Day readings, Drop the Mic, Engage! Young
# Producers, the European Paper Route, the 2018 conference in Kraków and
# Katowice, and an (invented) Cities of Literature annual meeting. Where each
# fact comes from, and which details are illustrative: data/NETWORK.md.
#
#   build/uccn import cities examples/data/uccn-cities.csv
#   sh examples/network.sh
#
# Needs a running uccnd whose member list has been imported (the city ids
# below are the import's: granada-literature, santa-maria-da-feira, ...).
# Environment: UCCN_BIN (default build); the daemon is found as by any uccn
# command (UCCN_ENDPOINT, UCCN_DATA, or UCCN_SERVER_KEY and UCCN_KEY), and
# the key used must be the coordinator's or the Secretariat's. Run it once
# per data directory: a second run stops at the first record that exists.
set -eu

network_here=$(cd "$(dirname "$0")" && pwd)
network_uccn=${UCCN_BIN:-$network_here/../build}/uccn
[ -x "$network_uccn" ] || { echo "network: build first (make)" >&2; exit 1; }

# Echo each command as one would type it, then run it.
network_run() {
	printf '$ uccn'
	for a in "$@"; do
		case $a in *" "*|*"!"*|*";"*) printf " '%s'" "$a" ;; *) printf ' %s' "$a" ;; esac
	done
	printf '\n'
	"$network_uccn" "$@"
}

if ! "$network_uccn" city show granada-literature >/dev/null 2>&1; then
	echo "network: no city granada-literature; import the member list first:" >&2
	echo "  uccn import cities $network_here/data/uccn-cities.csv" >&2
	exit 1
fi

# Projects.

network_run project add world-poetry-day --title "World Poetry Day readings" \
	--lead granada-literature \
	--partner dublin --partner edinburgh --partner krakow --partner barcelona \
	--partner heidelberg --partner iowa-city --partner nottingham --partner prague \
	--partner obidos --partner tartu --partner baghdad --partner reykjavik \
	--field literature --status active --start 2018-03-21 \
	--description "Readings on 21 March in the Cities of Literature at the same time, under one poster and one press release."

network_run project add drop-the-mic --title "Drop the Mic: Nordic-Baltic Slam Poetry Network" \
	--lead reykjavik \
	--partner tartu --partner lillehammer --partner heidelberg --partner krakow \
	--field literature --status completed --start 2016-10-16 \
	--description "Slam poets, authors and musicians met, worked and performed in five Cities of Literature, 2016-2020; artists from Copenhagen took part in the first stage."

network_run project add engage-young-producers --title "Engage! Young Producers" \
	--lead barcelona --partner krakow --partner norwich \
	--field literature --status completed \
	--description "Young people producing literary events with literature organisations; led by PEN Català (Barcelona) with partners in Kraków, Norwich and Växjö, funded by Creative Europe."

network_run project add european-paper-route --title "European Paper Route" \
	--lead fabriano \
	--partner angouleme --partner heidelberg --partner santa-maria-da-feira \
	--field crafts_folk_art --field literature --field gastronomy \
	--status active --start 2024-06-12 \
	--description "Candidacy for a Council of Europe cultural route through the historic centres of hand-made paper; Capellades (Spain) takes part too."

# Meetings.

network_run meeting add uccn-conference-2018 --kind conference \
	--host krakow,katowice --place "Kraków and Katowice" \
	--start 2018-06-12 --end 2018-06-15 --tz Europe/Warsaw
network_run meeting update uccn-conference-2018 --if-version 1 --status held

network_run meeting add col-annual-2026 --kind annual-meeting --field literature \
	--host krakow --place Kraków \
	--start 2026-12-09 --end 2026-12-10 --tz Europe/Warsaw --hybrid
