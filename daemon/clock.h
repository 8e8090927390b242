/*
 * clock.h - the daemon's clocks in milliseconds: monotonic for waits,
 * deadlines and rates; wall time for what is stored (a post's time).
 */
#ifndef UCCN_CLOCK_H
#define UCCN_CLOCK_H

#include <stdint.h>

/* CLOCK_MONOTONIC, in ms and in ns. */
int64_t clock_mono_ms(void);
int64_t clock_mono_ns(void);
/* CLOCK_REALTIME in ms since the Unix epoch. */
int64_t clock_wall_ms(void);

#endif
