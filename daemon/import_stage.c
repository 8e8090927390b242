/*
 * import_stage.c - imports too large for one request frame (SPEC 4.12.1).
 * city.import.stage's chunks are checked and held here, in memory, under a
 * random id, until the city that started the import commits them with
 * city.import (whose check takes them into its request, so they go to the
 * store in its one transaction) or leaves them idle too long.
 *
 * One table per process, touched by the broker's main thread only (reads
 * and checks run there; the commit thread sees the cities only once they
 * belong to a request).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "clock.h"
#include "log.h"
#include "server_int.h"
#include "uccn_error.h"
#include "uccn_invite.h"
#include "uccn_tz.h"

struct staged_import {
	char id[UCCN_IMPORT_ID_HEX + 1];  /* "" for a free slot */
	char city[UCCN_MAX_ID + 1];       /* who started it: the only one who
					   * may add to it or commit it */
	struct uccn_city *cities;
	size_t n;
	int64_t touched_ms;               /* CLOCK_MONOTONIC */
};

static struct staged_import imports[UCCN_MAX_OPEN_IMPORTS];

static void drop(struct staged_import *im)
{
	for (size_t i = 0; i < im->n; i++)
		uccn_city_clear(&im->cities[i]);
	free(im->cities);
	memset(im, 0, sizeof *im);
}

static void drop_idle(int64_t now)
{
	for (size_t i = 0; i < UCCN_MAX_OPEN_IMPORTS; i++) {
		struct staged_import *im = &imports[i];
		if (im->id[0] && now - im->touched_ms > (int64_t)UCCN_IMPORT_IDLE_S * 1000) {
			log_msg(LOG_INFO, "dropped staged import %s of city '%s' (%zu cities): "
				"idle for %d s", im->id, im->city, im->n, UCCN_IMPORT_IDLE_S);
			drop(im);
		}
	}
}

void server_import_stage_free(void)
{
	for (size_t i = 0; i < UCCN_MAX_OPEN_IMPORTS; i++)
		drop(&imports[i]);
}

/* Import id if city started it; NULL otherwise, so that another city
 * cannot tell a staged id from an unknown one. */
static struct staged_import *find(const char *id, const char *city)
{
	for (size_t i = 0; i < UCCN_MAX_OPEN_IMPORTS; i++) {
		struct staged_import *im = &imports[i];
		if (im->id[0] && strcmp(im->id, id) == 0 && strcmp(im->city, city) == 0)
			return im;
	}
	return NULL;
}

static void reply_not_staged(struct uccn_reply *rep)
{
	server_reply_error(rep, UCCN_E_NOTFOUND, "import ID is not staged (expired, committed, "
			   "or the server restarted); start the import again");
}

/* A free slot with a fresh id for city, or NULL when all are taken. */
static struct staged_import *start(const char *city, int64_t now)
{
	struct staged_import *im = NULL;
	for (size_t i = 0; i < UCCN_MAX_OPEN_IMPORTS && !im; i++)
		if (!imports[i].id[0])
			im = &imports[i];
	if (!im)
		return NULL;
	unsigned char raw[UCCN_IMPORT_ID_HEX / 2];
	bool taken;
	do {
		randombytes_buf(raw, sizeof raw);
		uccn_hex_encode(raw, sizeof raw, im->id);
		taken = false;
		for (size_t i = 0; i < UCCN_MAX_OPEN_IMPORTS; i++)
			taken |= &imports[i] != im && strcmp(imports[i].id, im->id) == 0;
	} while (taken);
	snprintf(im->city, sizeof im->city, "%s", city);
	im->touched_ms = now;
	return im;
}

/* What city.import checks of a city beyond its fields' rules, in t: its
 * zone is in the zone database and its field exists. An error names the
 * city's place in the whole import: base cities come before cs. */
static int check_chunk(struct uccn_txn *t, const struct uccn_city *cs, size_t n, size_t base,
		       struct uccn_reply *rep)
{
	for (size_t i = 0; i < n; i++) {
		int rc = 0;
		if (cs[i].tz && !uccn_tz_known(cs[i].tz))
			server_reply_error(rep, rc = UCCN_E_INVALID,
					   "city '%s': '%s' is not a time zone of the zone database",
					   cs[i].id, cs[i].tz);
		else if ((rc = uccn_store_field_get(t, cs[i].field)) == UCCN_E_NOTFOUND)
			server_reply_error(rep, rc, "city '%s': field '%s' does not exist",
					   cs[i].id, cs[i].field);
		else if (rc)
			server_reply_error(rep, rc, "cannot read the fields: %s", uccn_strerror(rc));
		if (rc) {
			rep->error_index = base + i + 1;
			return rc;
		}
	}
	return 0;
}

/* Append copies of cs to im; on failure im is as it was. */
static int append(struct staged_import *im, const struct uccn_city *cs, size_t n)
{
	struct uccn_city *all = realloc(im->cities, (im->n + n ? im->n + n : 1) * sizeof *all);
	if (!all)
		return UCCN_E_NOMEM;
	im->cities = all;
	for (size_t i = 0; i < n; i++) {
		if (uccn_city_copy(&all[im->n + i], &cs[i])) {
			while (i-- > 0)
				uccn_city_clear(&all[im->n + i]);
			return UCCN_E_NOMEM;
		}
	}
	im->n += n;
	return 0;
}

static void reply_too_big(struct uccn_reply *rep, size_t staged, size_t more)
{
	server_reply_error(rep, UCCN_E_TOOBIG, "%zu staged and %zu more cities make more than "
			   "%d in one import", staged, more, UCCN_MAX_IMPORT_TOTAL);
}

void server_read_city_import_stage(struct server *s, struct uccn_txn *t, const struct caller *c,
				   const struct uccn_request *req, struct uccn_reply *rep)
{
	int64_t now = clock_mono_ms();
	struct staged_import *im;
	bool fresh = !req->import_id;
	int rc;
	(void)s;
	drop_idle(now);
	if (fresh && !(im = start(c->city, now))) {
		server_reply_error(rep, UCCN_E_BUSY, "the server holds %d staged imports already; "
				   "try again in a while", UCCN_MAX_OPEN_IMPORTS);
		return;
	}
	if (!fresh && !(im = find(req->import_id, c->city))) {
		reply_not_staged(rep);
		return;
	}
	if (req->discard) {
		drop(im);
		rc = uccn_str_set(&rep->import_id, req->import_id);
		if (rc)
			server_reply_error(rep, rc, "out of memory");
		return;
	}
	if (req->ncities > UCCN_MAX_IMPORT_TOTAL - im->n) {
		reply_too_big(rep, im->n, req->ncities);
		rc = UCCN_E_TOOBIG;
	} else if (!(rc = check_chunk(t, req->cities, req->ncities, im->n, rep)) &&
		   (rc = append(im, req->cities, req->ncities))) {
		server_reply_error(rep, rc, "out of memory");
	}
	if (rc) {
		/* A first chunk refused leaves no import behind. */
		if (fresh)
			drop(im);
		return;
	}
	im->touched_ms = now;
	if (uccn_str_set(&rep->import_id, im->id)) {
		server_reply_error(rep, UCCN_E_NOMEM, "out of memory");
		return;
	}
	rep->staged = im->n;
}

int server_import_take(const char *city, struct uccn_request *req, struct uccn_reply *rep,
		       size_t *staged)
{
	struct staged_import *im;
	drop_idle(clock_mono_ms());
	*staged = 0;
	if (!(im = find(req->import_id, city))) {
		reply_not_staged(rep);
		return UCCN_E_NOTFOUND;
	}
	if (req->ncities > UCCN_MAX_IMPORT_TOTAL - im->n) {
		reply_too_big(rep, im->n, req->ncities);
		drop(im);
		return UCCN_E_TOOBIG;
	}
	struct uccn_city *all = realloc(im->cities,
					(im->n + req->ncities ? im->n + req->ncities : 1) * sizeof *all);
	if (!all) {
		server_reply_error(rep, UCCN_E_NOMEM, "out of memory");
		drop(im);
		return UCCN_E_NOMEM;
	}
	/* Moved, not copied: the request owns them all from here on. */
	if (req->ncities)
		memcpy(all + im->n, req->cities, req->ncities * sizeof *all);
	free(req->cities);
	req->cities = all;
	*staged = im->n;
	req->ncities += im->n;
	im->cities = NULL;
	im->n = 0;
	drop(im);
	return 0;
}

void server_import_place_error(struct server *s, const char *key, struct pending *p)
{
	struct uccn_txn *t = NULL;
	char city[UCCN_MAX_ID + 1];
	struct staged_import *im;
	unsigned long long n;
	int at = 0;
	if (!p->req.import_id || !p->rep.error_index || !key)
		return;
	if (uccn_store_read(s->store, &t) == 0 && uccn_store_city_by_key(t, key, city) == 0 &&
	    (im = find(p->req.import_id, city)) && im->n) {
		p->rep.error_index += im->n;
		/* The decoder counted in the request's list ("city 2 of the
		 * import: ..."); say the place in the whole import. */
		const char *msg = p->rep.message ? p->rep.message : "";
		if (sscanf(msg, "city %llu of the import: %n", &n, &at) == 1 && at > 0) {
			char *rest = strdup(msg + at);
			if (rest)
				server_reply_error(&p->rep, p->rep.status, "city %llu of the import: %s",
						   (unsigned long long)p->rep.error_index, rest);
			free(rest);
		}
	}
	uccn_store_txn_end(&t);
}
