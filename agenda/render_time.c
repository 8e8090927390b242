/*
 * render_time.c - calendar arithmetic on a proleptic Gregorian day count
 * (never mktime or TZ): dates, clocks with their day marks, RFC 3339.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render_int.h"
#include "uccn_error.h"

/* ---- the calendar ---- */

static int64_t cal_floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * days_from_civil); a day of month past the month's end runs on. */
static int64_t cal_days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = cal_floor_div(y, 400);
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

struct civil cal_from_seconds(int64_t t)
{
	struct civil c;
	int64_t z = cal_floor_div(t, 86400), rest = t - z * 86400;
	c.hour = (int)(rest / 3600);
	c.minute = (int)(rest / 60 % 60);
	c.second = (int)(rest % 60);
	c.wday = (int)(z + 3 - cal_floor_div(z + 3, 7) * 7); /* 1970-01-01 was a Thursday */
	z += 719468;
	int64_t era = cal_floor_div(z, 146097);
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	c.mday = (int)(doy - (153 * mp + 2) / 5 + 1);
	c.month = (int)(mp < 10 ? mp + 3 : mp - 9);
	c.year = yoe + era * 400 + (c.month <= 2);
	return c;
}

/* Minutes since 1970-01-01 00:00 of minute t of meeting day `day`, as if
 * the meeting's wall clock were UTC. */
static int64_t cal_wall_minutes(const struct uccn_agenda_meeting *m, int day, int t)
{
	return (cal_days_from_civil(m->year, m->month, m->mday) + day) * DAY_MINUTES + t;
}

struct civil cal_wall_civil(const struct uccn_agenda_meeting *m, int day, int t)
{
	return cal_from_seconds(cal_wall_minutes(m, day, t) * 60);
}

struct civil cal_utc_civil(const struct uccn_agenda_meeting *m, int day, int t)
{
	return cal_from_seconds((cal_wall_minutes(m, day, t) - m->utc_offset[day]) * 60);
}

static const char *const month_names[12] = {
	"January", "February", "March", "April", "May", "June", "July",
	"August", "September", "October", "November", "December",
};

static const char *const weekday_names[7] = {
	"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
};

/* "Wednesday 9 December 2026" */
void cal_put_long_date(struct buf *b, struct civil c)
{
	buf_printf(b, "%s %d %s %" PRId64, weekday_names[c.wday], c.mday, month_names[c.month - 1],
	     c.year);
}

/* "9-10 December 2026", "30 November - 1 December 2026", ... with dashes. */
void cal_put_date_range(struct buf *b, const struct uccn_agenda_meeting *m, int days)
{
	struct civil f = cal_wall_civil(m, 0, 0), l = cal_wall_civil(m, days - 1, 0);
	if (days == 1)
		buf_printf(b, "%d %s %" PRId64, f.mday, month_names[f.month - 1], f.year);
	else if (f.year == l.year && f.month == l.month)
		buf_printf(b, "%d\u2013%d %s %" PRId64, f.mday, l.mday, month_names[f.month - 1], f.year);
	else if (f.year == l.year)
		buf_printf(b, "%d %s \u2013 %d %s %" PRId64, f.mday, month_names[f.month - 1], l.mday,
		     month_names[l.month - 1], l.year);
	else
		buf_printf(b, "%d %s %" PRId64 " \u2013 %d %s %" PRId64, f.mday, month_names[f.month - 1],
		     f.year, l.mday, month_names[l.month - 1], l.year);
}

/* "+01:00", "-05:30" */
void cal_put_offset(struct buf *b, int minutes)
{
	int a = minutes < 0 ? -minutes : minutes;
	buf_printf(b, "%c%02d:%02d", minutes < 0 ? '-' : '+', a / 60 % 100, a % 60);
}

/* " (+1 day)", " (-2 days)": how far a local date runs from the meeting's. */
static void cal_put_day_mark(struct buf *b, int64_t d)
{
	if (d != 0)
		buf_printf(b, " (%+" PRId64 " day%s)", d, d == 1 || d == -1 ? "" : "s");
}

/* A wall-clock time of day; with `day_mark`, " (+1 day)" or " (-1 day)"
 * when the minutes run past the day (a participant's local time). */
void cal_put_clock(struct buf *b, int minutes, bool day_mark)
{
	int64_t d = cal_floor_div(minutes, DAY_MINUTES);
	int r = (int)(minutes - d * DAY_MINUTES);
	buf_printf(b, "%02d:%02d", r / 60, r % 60);
	if (day_mark)
		cal_put_day_mark(b, d);
}

/* "Tue 9 June 08:20 (+1 day)": the date first, so a presenter on another
 * continent reads their own day, and the mark says it is not the meeting's. */
void cal_put_local(struct buf *b, const struct uccn_agenda_meeting *m, int day, int t, int off)
{
	struct civil c = cal_wall_civil(m, day, t + off);
	buf_printf(b, "%.3s %d %s %02d:%02d", weekday_names[c.wday], c.mday, month_names[c.month - 1],
		   c.hour, c.minute);
	cal_put_day_mark(b, cal_floor_div(t + off, DAY_MINUTES));
}

void cal_put_date(struct buf *b, const struct uccn_agenda_meeting *m, int day)
{
	struct civil c = cal_wall_civil(m, day, 0);
	buf_printf(b, "%04" PRId64 "-%02d-%02d", c.year, c.month, c.mday);
}

/* 2026-12-09T09:00:00+00:00: the meeting's wall time with its offset. */
void cal_put_rfc3339(struct buf *b, const struct uccn_agenda_meeting *m, int day, int t)
{
	struct civil c = cal_wall_civil(m, day, t);
	buf_printf(b, "%04" PRId64 "-%02d-%02dT%02d:%02d:00", c.year, c.month, c.mday, c.hour, c.minute);
	cal_put_offset(b, m->utc_offset[day]);
}

/* Wall minutes run on linearly past midnight, so t + off lands on the
 * right date whichever way the clock is shifted. */
void cal_put_rfc3339_at(struct buf *b, const struct uccn_agenda_meeting *m, int day, int t, int off)
{
	struct civil c = cal_wall_civil(m, day, t + off);
	buf_printf(b, "%04" PRId64 "-%02d-%02dT%02d:%02d:00", c.year, c.month, c.mday, c.hour, c.minute);
	cal_put_offset(b, m->utc_offset[day] + off);
}

void cal_put_ics_time(struct buf *b, struct civil c, bool utc)
{
	buf_printf(b, "%04" PRId64 "%02d%02dT%02d%02d%02d%s", c.year, c.month, c.mday, c.hour, c.minute,
	     c.second, utc ? "Z" : "");
}
