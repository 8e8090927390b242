/*
 * tzinfo.c - zone offsets and VTIMEZONE text from the C library's zone
 * database, by switching TZ for the moment of the call (the CLI has one
 * thread). A VTIMEZONE lists the year's actual transitions as one-off
 * STANDARD/DAYLIGHT components, which every calendar program reads.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tzinfo.h"
#include "uccn_tz.h"

bool tz_known(const char *tz)
{
	/* Without a database the C library would give every zone UTC's
	 * offsets without a word, so here only UTC is known then. */
	return uccn_tz_known(tz) && (strcmp(tz, "UTC") == 0 || uccn_tz_database_present());
}

/* Run with TZ set to tz; restore the old TZ after. */
struct tz_scope {
	char *old;
	bool had;
};

static void tz_enter(struct tz_scope *s, const char *tz)
{
	const char *old = getenv("TZ");
	s->had = old != NULL;
	s->old = old ? strdup(old) : NULL;
	setenv("TZ", tz, 1);
	tzset();
}

static void tz_leave(struct tz_scope *s)
{
	if (s->had && s->old)
		setenv("TZ", s->old, 1);
	else
		unsetenv("TZ");
	tzset();
	free(s->old);
}

int tz_offset(const char *tz, int y, int m, int d, int *minutes)
{
	struct tz_scope s;
	if (!tz_known(tz))
		return -1;
	tz_enter(&s, tz);
	struct tm tm = {.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d, .tm_hour = 12,
			.tm_isdst = -1};
	time_t t = mktime(&tm);
	struct tm lt;
	int rc = -1;
	if (t != (time_t)-1 && localtime_r(&t, &lt)) {
		*minutes = (int)(lt.tm_gmtoff / 60);
		rc = 0;
	}
	tz_leave(&s);
	return rc;
}

static void offset_text(long secs, char *buf, size_t len)
{
	/* Zone offsets stay within +/-24 h: two digits of hours. */
	int m = (int)(labs(secs) / 60 % (24 * 60));
	snprintf(buf, len, "%c%02d%02d", secs < 0 ? '-' : '+', m / 60, m % 60);
}

char *tz_vtimezone(const char *tz, int year)
{
	struct tz_scope s;
	char *out = NULL;
	size_t len = 0;
	FILE *f;
	if (!tz_known(tz) || !(f = open_memstream(&out, &len)))
		return NULL;
	tz_enter(&s, tz);
	struct tm start = {.tm_year = year - 1900, .tm_mon = 0, .tm_mday = 1, .tm_isdst = -1};
	time_t t = mktime(&start), end = t + 366L * 86400;
	struct tm lt;
	localtime_r(&t, &lt);
	long prev = lt.tm_gmtoff;
	fprintf(f, "BEGIN:VTIMEZONE\r\nTZID:%s\r\n", tz);
	int transitions = 0;
	/* Hour by hour finds every change of offset in the year. */
	for (time_t h = t + 3600; h <= end; h += 3600) {
		localtime_r(&h, &lt);
		if (lt.tm_gmtoff == prev)
			continue;
		/* The local wall time just before the change, as RFC 5545 wants. */
		time_t at = h;
		char from[16], to[16];
		offset_text(prev, from, sizeof from);
		offset_text(lt.tm_gmtoff, to, sizeof to);
		long local = (long)at + prev;
		struct tm wall;
		time_t lw = (time_t)local;
		gmtime_r(&lw, &wall);
		fprintf(f, "BEGIN:%s\r\nTZNAME:%s\r\nDTSTART:%04d%02d%02dT%02d%02d%02d\r\n"
			"TZOFFSETFROM:%s\r\nTZOFFSETTO:%s\r\nEND:%s\r\n",
			lt.tm_isdst ? "DAYLIGHT" : "STANDARD", lt.tm_zone ? lt.tm_zone : tz,
			wall.tm_year + 1900, wall.tm_mon + 1, wall.tm_mday, wall.tm_hour,
			wall.tm_min, wall.tm_sec, from, to, lt.tm_isdst ? "DAYLIGHT" : "STANDARD");
		prev = lt.tm_gmtoff;
		transitions++;
	}
	if (transitions == 0) {
		char off[16];
		offset_text(prev, off, sizeof off);
		localtime_r(&t, &lt);
		fprintf(f, "BEGIN:STANDARD\r\nTZNAME:%s\r\nDTSTART:19700101T000000\r\n"
			"TZOFFSETFROM:%s\r\nTZOFFSETTO:%s\r\nEND:STANDARD\r\n",
			lt.tm_zone ? lt.tm_zone : tz, off, off);
	}
	fprintf(f, "END:VTIMEZONE\r\n");
	tz_leave(&s);
	if (fclose(f) != 0) {
		free(out);
		return NULL;
	}
	return out;
}
