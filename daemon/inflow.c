/*
 * inflow.c - shut down a connection that sends more than uccnd could ever
 * deliver (see inflow.h).
 */
#include <errno.h>
#include <stdbool.h>
#include <malloc.h>
#include <netinet/in.h>
#include <linux/tcp.h> /* tcp_info with tcpi_bytes_received */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "inflow.h"
#include "log.h"
#include "loop.h"
#include "server_int.h"
#include "uccn_error.h"

/* Bytes malloc has handed out and not had back, in every arena. */
static size_t heap_in_use(void)
{
	struct mallinfo2 mi = mallinfo2();
	return mi.uordblks + mi.hblkhd;
}

/* The timer ticks only while a connection is open: an idle daemon sleeps. */
static void arm(struct inflow *in, bool on)
{
	long ns = on ? INFLOW_TICK_MS * 1000000L : 0;
	struct itimerspec every = {.it_interval = {.tv_nsec = ns}, .it_value = {.tv_nsec = ns}};
	timerfd_settime(in->timer, 0, &every, NULL);
}

int server_inflow_open(struct server *s, char *err, size_t errlen)
{
	struct inflow *in = &s->inflow;
	in->timer = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (in->timer < 0 || loop_add(s->loop, NULL, in->timer, server_on_inflow, s) != 0) {
		snprintf(err, errlen, "cannot start the inflow timer: %s", strerror(errno));
		return UCCN_E_IO;
	}
	in->heap_seen = heap_in_use();
	return 0;
}

void server_inflow_close(struct server *s)
{
	struct inflow *in = &s->inflow;
	if (in->timer >= 0)
		close(in->timer);
	in->timer = -1;
	free(in->conns);
	in->conns = NULL;
	in->nconns = 0;
}

/* The slot of fd, grown as needed; NULL for a bad fd or no memory. */
static struct inflow_conn *slot(struct inflow *in, int fd)
{
	if (fd < 0 || fd > 1 << 20)
		return NULL;
	if ((size_t)fd >= in->nconns) {
		size_t n = in->nconns ? in->nconns : 64;
		while (n <= (size_t)fd)
			n *= 2;
		struct inflow_conn *c = realloc(in->conns, n * sizeof *c);
		if (!c)
			return NULL;
		memset(c + in->nconns, 0, (n - in->nconns) * sizeof *c);
		in->conns = c;
		in->nconns = n;
	}
	return &in->conns[fd];
}

void server_inflow_accepted(struct server *s, int fd)
{
	struct inflow *in = &s->inflow;
	struct inflow_conn *c = slot(in, fd);
	if (!c)
		return;
	if (!c->opened_ms && in->open++ == 0) {
		in->heap_seen = heap_in_use();
		arm(in, true);
	}
	*c = (struct inflow_conn){.opened_ms = clock_mono_ms()};
}

/* Connection fd is no longer one to watch. */
static void forget(struct inflow *in, int fd)
{
	struct inflow_conn *c = &in->conns[fd];
	if (c->opened_ms && --in->open == 0)
		arm(in, false);
	memset(c, 0, sizeof *c);
}

void server_inflow_closed(struct server *s, int fd)
{
	struct inflow *in = &s->inflow;
	if (fd >= 0 && (size_t)fd < in->nconns)
		forget(in, fd);
}

void server_inflow_delivered(struct server *s, int fd, size_t size)
{
	struct inflow *in = &s->inflow;
	if (fd >= 0 && (size_t)fd < in->nconns && in->conns[fd].opened_ms) {
		in->conns[fd].delivered += size;
		in->conns[fd].frames++;
	}
}

/* Bytes connection fd has sent that were not delivered, beyond what its
 * framing and heartbeats explain; 0 when the kernel cannot say (not TCP). */
static uint64_t undelivered(const struct inflow_conn *c, int fd, int64_t now)
{
	struct tcp_info ti;
	socklen_t len = sizeof ti;
	memset(&ti, 0, sizeof ti);
	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) != 0 ||
	    len < offsetof(struct tcp_info, tcpi_bytes_received) + sizeof ti.tcpi_bytes_received)
		return 0;
	uint64_t explained = c->delivered + c->frames * INFLOW_PER_FRAME + INFLOW_FIXED +
			     (uint64_t)((now - c->opened_ms) / 1000 + 1) * INFLOW_PER_SECOND;
	return ti.tcpi_bytes_received > explained ? ti.tcpi_bytes_received - explained : 0;
}

static void shut(struct server *s, int fd, uint64_t bytes, const char *why)
{
	/* shutdown, not close: the fd stays libzmq's, which sees the end of
	 * the stream, closes it and frees what it held. */
	shutdown(fd, SHUT_RDWR);
	forget(&s->inflow, fd);
	s->inflow.shut++;
	log_limited(LOG_WARN, LOG_KIND_REQUEST, "dropped a connection that sent %llu bytes "
		    "more than it could be answered for (%s); %llu dropped so far",
		    (unsigned long long)bytes, why, (unsigned long long)s->inflow.shut);
}

/* Every connection: shut those past INFLOW_LIMIT, then the largest while
 * all of them together hold more than INFLOW_TOTAL. */
static void scan(struct server *s)
{
	struct inflow *in = &s->inflow;
	int64_t now = clock_mono_ms();
	uint64_t total = 0;
	for (;;) {
		int worst = -1;
		uint64_t worst_bytes = 0;
		total = 0;
		for (size_t fd = 0; fd < in->nconns; fd++) {
			if (!in->conns[fd].opened_ms)
				continue;
			uint64_t b = undelivered(&in->conns[fd], (int)fd, now);
			if (b > INFLOW_LIMIT) {
				shut(s, (int)fd, b, "one message of many frames");
				continue;
			}
			total += b;
			if (b > worst_bytes) {
				worst_bytes = b;
				worst = (int)fd;
			}
		}
		if (total <= INFLOW_TOTAL || worst < 0)
			break;
		shut(s, worst, worst_bytes, "the most of all connections together");
	}
}

void server_on_inflow(void *ctx)
{
	struct server *s = ctx;
	struct inflow *in = &s->inflow;
	uint64_t ticks;
	if (read(in->timer, &ticks, sizeof ticks) < 0 && errno != EAGAIN)
		return;
	size_t heap = heap_in_use();
	if (heap < in->heap_seen) {
		/* A large part freed (a dropped connection's frames, a big
		 * reply sent): give it back to the system, not to the arenas
		 * of whichever thread freed it. */
		if (in->heap_seen - heap >= INFLOW_SLACK)
			malloc_trim(0);
		in->heap_seen = heap;
		return;
	}
	if (heap - in->heap_seen < INFLOW_SLACK)
		return;
	scan(s);
	in->heap_seen = heap;
}
