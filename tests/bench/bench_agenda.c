/*
 * bench_agenda.c - how long the agenda builder takes for a large meeting:
 * 2,000 candidate items from 400 cities in many zones, three days, hybrid,
 * a third presented on-line; then a re-run with the first run as the
 * previous version. Prints the median of several rounds.
 *
 *   bench_agenda [BUILD_DIR]    (the argument is accepted and ignored)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "uccn_agenda.h"

#define NITEMS 2000
#define NCITIES 400
#define ROUNDS 7

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(void)
{
	static struct uccn_agenda_item items[NITEMS];
	static struct uccn_agenda_participant parts[NCITIES];
	static char keys[NITEMS][32], cities[NCITIES][16];
	static struct uccn_agenda_previous prev[NITEMS];
	unsigned seed = 2026;
	for (int c = 0; c < NCITIES; c++) {
		snprintf(cities[c], sizeof cities[c], "city-%03d", c);
		parts[c] = (struct uccn_agenda_participant){.city = cities[c], .tz = "", .has_offset = true};
		int off = ((c * 37) % 27 - 12) * 60; /* -12h .. +14h in hours */
		for (int d = 0; d < UCCN_AGENDA_MAX_DAYS; d++)
			parts[c].offset[d] = off;
	}
	for (int i = 0; i < NITEMS; i++) {
		seed = seed * 1103515245u + 12345u;
		int c = (int)(seed >> 8) % NCITIES;
		snprintf(keys[i], sizeof keys[i], "post:%d", 1000 + i);
		items[i] = (struct uccn_agenda_item){
			.key = keys[i], .kind = i == 0 ? UCCN_AGENDA_OPENING :
				i == 1 ? UCCN_AGENDA_CLOSING : UCCN_AGENDA_PROPOSAL + (int)(seed >> 20) % 4,
			.title = keys[i], .city = cities[c], .seq = (uint64_t)(1000 + i),
			.minutes = 5 * (1 + (int)(seed >> 12) % 12), .priority = (int)(seed >> 16) % 3,
			.remote = (seed >> 24) % 3 == 0, .pin_day = -1, .pin_start = -1, .has_offset = true,
		};
		memcpy(items[i].offset, parts[c].offset, sizeof items[i].offset);
	}
	struct uccn_agenda_input in = {
		.days = 3, .day_start = 9 * 60, .day_end = 17 * 60 + 30, .hybrid = true,
		.items = items, .nitems = NITEMS, .participants = parts, .nparticipants = NCITIES,
	};
	double first[ROUNDS], again[ROUNDS];
	struct uccn_agenda a = {0};
	size_t placed = 0, deferred = 0;
	for (int r = 0; r < ROUNDS; r++) {
		double t0 = now_ms();
		if (uccn_agenda_build(&in, &a) != 0) {
			fprintf(stderr, "bench_agenda: build failed\n");
			return 1;
		}
		first[r] = now_ms() - t0;
		placed = a.nslots;
		deferred = a.ndeferred;
		size_t np = 0;
		for (size_t s = 0; s < a.nslots; s++)
			if (a.slots[s].item != SIZE_MAX)
				prev[np++] = (struct uccn_agenda_previous){items[a.slots[s].item].key,
									   a.slots[s].day, a.slots[s].start};
		uccn_agenda_clear(&a);
		struct uccn_agenda_input in2 = in;
		in2.previous = prev;
		in2.nprevious = np;
		t0 = now_ms();
		if (uccn_agenda_build(&in2, &a) != 0)
			return 1;
		again[r] = now_ms() - t0;
		uccn_agenda_clear(&a);
	}
	qsort(first, ROUNDS, sizeof first[0], cmp_double);
	qsort(again, ROUNDS, sizeof again[0], cmp_double);
	printf("bench_agenda: %d candidate items, %d cities, 3 days, hybrid; %zu slots placed, %zu deferred\n",
	       NITEMS, NCITIES, placed, deferred);
	printf("agenda build:  median %.2f ms, max %.2f ms (%d rounds)\n", first[ROUNDS / 2],
	       first[ROUNDS - 1], ROUNDS);
	printf("agenda re-run: median %.2f ms, max %.2f ms (with the previous version)\n",
	       again[ROUNDS / 2], again[ROUNDS - 1]);
	printf("agenda_ms=%.2f\n", first[ROUNDS / 2]);
	return 0;
}
