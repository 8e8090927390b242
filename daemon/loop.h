/*
 * loop.h - uccnd's event loop: zmq_poll over sockets and file descriptors,
 * with a hook that runs after every wake-up's events, just before the loop
 * sleeps again, as in Redis.
 */
#ifndef UCCND_LOOP_H
#define UCCND_LOOP_H

#include <stdbool.h>

struct loop;

/* Called when the socket or fd is readable. */
typedef void (*loop_fn)(void *ctx);

int loop_new(struct loop **out);
void loop_destroy(struct loop **l);

/* Watch a ZeroMQ socket (socket != NULL) or a file descriptor. At most
 * LOOP_MAX_ITEMS in all. Returns 0 or UCCN_E_TOOBIG. */
#define LOOP_MAX_ITEMS 8
int loop_add(struct loop *l, void *socket, int fd, loop_fn fn, void *ctx);

/* Run before every sleep. */
void loop_before_sleep(struct loop *l, loop_fn fn, void *ctx);

/* Wake after ms without events too (the before-sleep hook then runs);
 * -1, the default, waits for events only. */
void loop_set_timeout(struct loop *l, long ms);

/* Run until loop_stop() is called (from a callback). Returns 0, or a
 * negative code when polling itself fails. */
int loop_run(struct loop *l);
void loop_stop(struct loop *l);

#endif
