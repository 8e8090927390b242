/*
 * inflow.h - what each connection has sent that libzmq holds but has not
 * delivered: the bound on a message spread over many frames.
 *
 * libzmq stores every frame of a multipart message until its last one has
 * arrived (its pipes publish whole messages only; ZMQ_MAXMSGSIZE bounds a
 * frame, nothing bounds a message), so uccnd cannot refuse such a message
 * before it is whole, and a member could make it hold hundreds of MiB. The
 * kernel counts the bytes each TCP connection has received
 * (TCP_INFO's tcpi_bytes_received); uccnd counts the bytes libzmq has
 * delivered from it (ZMQ_SRCFD names a frame's connection). A connection
 * whose difference passes INFLOW_LIMIT is shut down: its bytes are not a
 * request uccnd could ever answer (a request is one frame of at most
 * 128 KiB, and a connection has at most 64 outstanding), and libzmq frees
 * what it held when the connection closes.
 *
 * The check is cheap when nothing grows: every INFLOW_TICK_MS, while any
 * connection is open, the heap's size (mallinfo2) is compared with what it
 * was at the last look; only when it has grown by INFLOW_SLACK are the
 * connections asked. An idle daemon with no connection does not tick.
 * Connections over ipc:// have no TCP_INFO and are not watched.
 */
#ifndef UCCND_INFLOW_H
#define UCCND_INFLOW_H

#include <stddef.h>
#include <stdint.h>

#define INFLOW_TICK_MS 20
/* Heap growth since the last look that makes uccnd look at connections. */
#define INFLOW_SLACK (4u * 1024 * 1024)
/* Undelivered bytes a connection may have before it is shut down: more
 * than a connection's whole credit of requests (64 x 128 KiB). */
#define INFLOW_LIMIT (12u * 1024 * 1024)
/* Undelivered bytes all connections together may have: past it the one
 * holding the most is shut down, so many connections each under the
 * limit cannot add up. */
#define INFLOW_TOTAL (32u * 1024 * 1024)
/* What a connection sends that is never delivered: the handshake, each
 * frame's ZMTP and CURVE framing, heartbeats. */
#define INFLOW_PER_FRAME 64u
#define INFLOW_PER_SECOND 64u
#define INFLOW_FIXED (16u * 1024)

struct inflow_conn {
	int64_t opened_ms;    /* 0: the fd is not a connection of ours */
	uint64_t delivered;   /* bytes of frames delivered */
	uint64_t frames;
};

struct inflow {
	struct inflow_conn *conns; /* by fd */
	size_t nconns;
	size_t open;               /* connections watched; the timer ticks while > 0 */
	int timer;                 /* timerfd, or -1 */
	size_t heap_seen;          /* the heap at the last look */
	uint64_t shut;             /* connections shut down */
};

struct server;

/* Start watching (the timer joins s's loop). 0, or UCCN_E_IO. */
int server_inflow_open(struct server *s, char *err, size_t errlen);
void server_inflow_close(struct server *s);
/* The ROUTER's monitor saw connection fd accepted, or closed. */
void server_inflow_accepted(struct server *s, int fd);
void server_inflow_closed(struct server *s, int fd);
/* A frame of size bytes came from connection fd (ZMQ_SRCFD). */
void server_inflow_delivered(struct server *s, int fd, size_t size);
/* The loop's callback for the timer. */
void server_on_inflow(void *ctx);

#endif
