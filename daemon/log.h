/*
 * log.h - uccnd's log: one line per event on stderr, with UTC time and
 * level, so systemd's journal or a file redirect keeps it.
 */
#ifndef UCCND_LOG_H
#define UCCND_LOG_H

enum log_level { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG };

/* Lines above this level are dropped; LOG_INFO unless set. */
void log_set_level(enum log_level level);
void log_msg(enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
