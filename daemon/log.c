/*
 * log.c - timestamped log lines on stderr, and a token bucket per kind of
 * line for what outsiders and failing disks can trigger at will, so that
 * neither can fill the disk or drown the journal (issue 14, failure 9).
 */
#include <assert.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "log.h"

/* One kind's budget and what it has left out since it last wrote. */
struct limit {
	bool used;
	double tokens;
	int64_t refilled_at;    /* ms */
	int64_t last_event_ms;  /* written or not */
	int64_t first_left_out_ms;
	uint64_t left_out;
	enum log_level level;   /* of the last line left out */
};

static const char *const kind_names[LOG_KINDS] = {
	[LOG_KIND_HANDSHAKE] = "handshake refused",
	[LOG_KIND_GUEST] = "unregistered key",
	[LOG_KIND_REQUEST] = "request refused",
	[LOG_KIND_DECODE] = "bad request",
	[LOG_KIND_REPLY] = "reply not sent",
	[LOG_KIND_BATCH] = "batch failed",
	[LOG_KIND_STORE] = "store error",
};

static const char *const level_names[] = {"error", "warn", "info", "debug"};
/* Read on every line, from the loop and the commit thread; set from the
 * loop (SIGHUP, admin.log). */
static _Atomic int max_level = LOG_INFO;
static FILE *stream;  /* NULL: stderr */
/* The loop and the commit thread both log: one lock keeps the limits
 * consistent and each line whole. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct limit limits[LOG_KINDS];
static bool flush_at_exit;

void log_set_level(enum log_level level)
{
	atomic_store_explicit(&max_level, (int)level, memory_order_relaxed);
}

enum log_level log_get_level(void)
{
	return (enum log_level)atomic_load_explicit(&max_level, memory_order_relaxed);
}

const char *log_level_name(enum log_level level)
{
	return (unsigned)level < sizeof level_names / sizeof level_names[0] ?
	       level_names[level] : "unknown";
}

int log_level_from_name(const char *name, enum log_level *out)
{
	for (size_t i = 0; i < sizeof level_names / sizeof level_names[0]; i++)
		if (strcmp(name, level_names[i]) == 0) {
			*out = (enum log_level)i;
			return 0;
		}
	return -1;
}

void log_set_stream(FILE *f)
{
	stream = f;
}

void log_limit_reset(void)
{
	pthread_mutex_lock(&lock);
	memset(limits, 0, sizeof limits);
	pthread_mutex_unlock(&lock);
}

/* One line; the caller holds the lock. */
static void write_line(enum log_level level, const char *suffix, const char *fmt, va_list ap)
{
	FILE *f = stream ? stream : stderr;
	struct timespec ts;
	struct tm tm;
	char when[32];
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", &tm);
	fprintf(f, "%s.%03ldZ uccnd %s: ", when, ts.tv_nsec / 1000000, log_level_name(level));
	vfprintf(f, fmt, ap);
	fputs(suffix, f);
	fputc('\n', f);
	fflush(f);
}

static void write_fmt(enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void write_fmt(enum log_level level, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	write_line(level, "", fmt, ap);
	va_end(ap);
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	va_list ap;
	if (level > log_get_level())
		return;
	pthread_mutex_lock(&lock);
	va_start(ap, fmt);
	write_line(level, "", fmt, ap);
	va_end(ap);
	pthread_mutex_unlock(&lock);
}

/* n with thousands separators: counts in the thousands are the point. */
static void with_commas(char *buf, size_t len, uint64_t n)
{
	char digits[24];
	int nd = snprintf(digits, sizeof digits, "%llu", (unsigned long long)n);
	size_t o = 0;
	for (int i = 0; i < nd && o + 2 < len; i++) {
		if (i > 0 && (nd - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = digits[i];
	}
	buf[o] = '\0';
}

/* Whole seconds since the first line left out, rounded up: "in the last
 * 0 s" would read as nothing. */
static long span_s(const struct limit *l, int64_t now)
{
	int64_t ms = now - l->first_left_out_ms;
	return ms <= 0 ? 1 : (long)((ms + 999) / 1000);
}

/* Refill l's bucket to now and take a token if there is one. A clock that
 * seems to run backwards (another caller's older reading) refills nothing. */
static bool take_token(struct limit *l, int64_t now)
{
	if (!l->used) {
		l->used = true;
		l->tokens = LOG_LIMIT_BURST;
		l->refilled_at = now;
	} else if (now > l->refilled_at) {
		l->tokens += (double)(now - l->refilled_at) * LOG_LIMIT_PER_S / 1000.0;
		if (l->tokens > LOG_LIMIT_BURST)
			l->tokens = LOG_LIMIT_BURST;
		l->refilled_at = now;
	}
	if (l->tokens < 1.0)
		return false;
	l->tokens -= 1.0;
	return true;
}

static void flush_at_exit_hook(void)
{
	log_flush_all();
}

static bool limited_v(int64_t now, enum log_level level, enum log_kind kind,
		      const char *fmt, va_list ap)
{
	assert(kind >= 0 && kind < LOG_KINDS);
	if (level > log_get_level())
		return false;
	pthread_mutex_lock(&lock);
	struct limit *l = &limits[kind];
	bool ok = take_token(l, now);
	l->last_event_ms = now;
	if (!ok) {
		if (l->left_out++ == 0)
			l->first_left_out_ms = now;
		l->level = level;
		/* A count owed at exit is written then, not lost. */
		if (!flush_at_exit && atexit(flush_at_exit_hook) == 0)
			flush_at_exit = true;
		pthread_mutex_unlock(&lock);
		return false;
	}
	char suffix[96] = "", count[32];
	if (l->left_out) {
		with_commas(count, sizeof count, l->left_out);
		snprintf(suffix, sizeof suffix, " (and %s more like it in the last %ld s)", count,
			 span_s(l, now));
		l->left_out = 0;
	}
	write_line(level, suffix, fmt, ap);
	pthread_mutex_unlock(&lock);
	return true;
}

void log_limited(enum log_level level, enum log_kind kind, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	limited_v(clock_mono_ms(), level, kind, fmt, ap);
	va_end(ap);
}

bool log_limited_at(int64_t now_ms, enum log_level level, enum log_kind kind,
		    const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	bool written = limited_v(now_ms, level, kind, fmt, ap);
	va_end(ap);
	return written;
}

/* Say what kind k left out; the caller holds the lock. */
static void write_count(struct limit *l, enum log_kind k, int64_t now)
{
	char count[32];
	with_commas(count, sizeof count, l->left_out);
	write_fmt(l->level, "%s: %s more like it in the last %ld s were not shown",
		  kind_names[k], count, span_s(l, now));
	l->left_out = 0;
}

/* With all, every count owed; without, those of quiet kinds, each paid
 * from its bucket so that the counts themselves cannot flood. */
static void flush(int64_t now, bool all)
{
	pthread_mutex_lock(&lock);
	for (int k = 0; k < LOG_KINDS; k++) {
		struct limit *l = &limits[k];
		if (!l->left_out)
			continue;
		if (all || (now - l->last_event_ms >= LOG_LIMIT_QUIET_MS && take_token(l, now)))
			write_count(l, (enum log_kind)k, now);
	}
	pthread_mutex_unlock(&lock);
}

void log_flush_idle_at(int64_t now_ms)
{
	flush(now_ms, false);
}

void log_flush_all_at(int64_t now_ms)
{
	flush(now_ms, true);
}

void log_flush_idle(void)
{
	flush(clock_mono_ms(), false);
}

void log_flush_all(void)
{
	flush(clock_mono_ms(), true);
}
