/*
 * harness_int.h - what the harness's own files share and the tests do not
 * see: a sleep that survives signals, a printf into a fresh string, and
 * the decoding of a wait status.
 */
#ifndef UCCN_HARNESS_INT_H
#define UCCN_HARNESS_INT_H

/* Sleep ms milliseconds, resuming after a signal. */
void h_sleep_ms(int ms);
/* printf into a fresh malloc'd string; fails the test when out of memory. */
char *h_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A waitpid status as h_run_t has it: the exit code in *status (-1 when
 * killed) and the signal that killed it in *sig (0 when it exited). */
void h_set_status(int wstatus, int *status, int *sig);

#endif
