/*
 * log.h - uccnd's log: one line per event on stderr, with UTC time and
 * level, so systemd's journal or a file redirect keeps it. Lines that an
 * outsider or a failing disk can cause at will go through a limiter.
 */
#ifndef UCCND_LOG_H
#define UCCND_LOG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

enum log_level { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG };

/* Lines above this level are dropped; LOG_INFO unless set. Safe from any
 * thread: the commit thread logs while the loop may change the level
 * (admin.log). */
void log_set_level(enum log_level level);
/* The level in force. */
enum log_level log_get_level(void);
/* The level's name, "error".."debug", as uccnd.conf and admin.log spell
 * it; and the level of a name: 0, or -1 when it names none. */
const char *log_level_name(enum log_level level);
int log_level_from_name(const char *name, enum log_level *out);
void log_msg(enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* What a limited line is about. Each kind has its own budget, so a flood
 * of one never hides another. */
enum log_kind {
	LOG_KIND_HANDSHAKE,  /* a handshake refused by ZAP */
	LOG_KIND_GUEST,      /* a key no city owns, let in or refused */
	LOG_KIND_REQUEST,    /* a request refused */
	LOG_KIND_DECODE,     /* a request that does not decode */
	LOG_KIND_REPLY,      /* a reply that cannot be encoded or sent */
	LOG_KIND_BATCH,      /* a batch of writes that failed to commit */
	LOG_KIND_STORE,      /* any other store error */
	LOG_KINDS
};

/* The budget of each kind: a burst of LOG_LIMIT_BURST lines, then
 * LOG_LIMIT_PER_S a second. A kind whose lines were left out says how
 * many when it next writes, or after LOG_LIMIT_QUIET_MS without events. */
#define LOG_LIMIT_BURST 5
#define LOG_LIMIT_PER_S 1
#define LOG_LIMIT_QUIET_MS 1000

/* log_msg through kind's budget, at CLOCK_MONOTONIC's time. A line written
 * after some were left out ends "(and N more like it in the last S s)".
 * Safe from any thread. */
void log_limited(enum log_level level, enum log_kind kind, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Write the count of every kind that has left lines out and has been quiet
 * for LOG_LIMIT_QUIET_MS: the loop calls it before it sleeps, so nothing
 * stays hidden for long. Cheap when there is nothing to say. */
void log_flush_idle(void);
/* Write every count still owed, quiet or not (at exit; it is also
 * registered with atexit() the first time a line is left out). */
void log_flush_all(void);

/* The same at a given time (ms on any monotonic clock), for the unit test:
 * log_limited_at returns true when it wrote the line. */
bool log_limited_at(int64_t now_ms, enum log_level level, enum log_kind kind,
		    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void log_flush_idle_at(int64_t now_ms);
void log_flush_all_at(int64_t now_ms);
/* Where lines go (stderr unless set), and forget every kind's state. */
void log_set_stream(FILE *f);
void log_limit_reset(void);

#endif
