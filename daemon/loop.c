/*
 * loop.c - a small zmq_poll loop with a before-sleep hook.
 */
#include <errno.h>
#include <stdlib.h>
#include <zmq.h>

#include "log.h"
#include "loop.h"
#include "uccn_error.h"

struct loop {
	zmq_pollitem_t items[LOOP_MAX_ITEMS];
	loop_fn fns[LOOP_MAX_ITEMS];
	void *ctxs[LOOP_MAX_ITEMS];
	int n;
	loop_fn before_sleep;
	void *before_sleep_ctx;
	long timeout_ms;
	bool stop;
};

int loop_new(struct loop **out)
{
	*out = calloc(1, sizeof **out);
	if (!*out)
		return UCCN_E_NOMEM;
	(*out)->timeout_ms = -1;
	return 0;
}

void loop_destroy(struct loop **l)
{
	if (!l || !*l)
		return;
	free(*l);
	*l = NULL;
}

int loop_add(struct loop *l, void *socket, int fd, loop_fn fn, void *ctx)
{
	if (l->n == LOOP_MAX_ITEMS)
		return UCCN_E_TOOBIG;
	l->items[l->n] = (zmq_pollitem_t){.socket = socket, .fd = fd, .events = ZMQ_POLLIN};
	l->fns[l->n] = fn;
	l->ctxs[l->n] = ctx;
	l->n++;
	return 0;
}

void loop_set_timeout(struct loop *l, long ms)
{
	l->timeout_ms = ms;
}

void loop_before_sleep(struct loop *l, loop_fn fn, void *ctx)
{
	l->before_sleep = fn;
	l->before_sleep_ctx = ctx;
}

int loop_run(struct loop *l)
{
	while (!l->stop) {
		int rc = zmq_poll(l->items, l->n, l->timeout_ms);
		if (rc < 0) {
			if (errno == EINTR)
				continue;
			log_msg(LOG_ERROR, "zmq_poll: %s", zmq_strerror(errno));
			return UCCN_E_INTERNAL;
		}
		for (int i = 0; i < l->n && !l->stop; i++)
			if (l->items[i].revents & ZMQ_POLLIN)
				l->fns[i](l->ctxs[i]);
		if (l->before_sleep)
			l->before_sleep(l->before_sleep_ctx);
	}
	return 0;
}

void loop_stop(struct loop *l)
{
	l->stop = true;
}
