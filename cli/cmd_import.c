/*
 * cmd_import.c - `uccn import cities FILE`: the CSV (import.c) goes to the
 * server in one city.import when it fits one request frame with room to
 * spare; a larger file is staged in chunks under an import id and then
 * committed in one transaction (SPEC 4.12.1). All or nothing either way,
 * and an error names the line of the file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <msgpack.h>

#include "cli.h"
#include "client.h"
#include "import.h"
#include "uccn_error.h"
#include "uccn_limits.h"

/* What one request of an import may weigh: well under the frame limit
 * (UCCN_MAX_REQUEST_FRAME), with room for the header, the import id and
 * the array's own bytes. */
#define IMPORT_CHUNK_BYTES (96 * 1024)
#define IMPORT_CHUNK_OBJECTS (UCCN_MAX_REQUEST_OBJECTS - 64)

/* What each city costs a request, encoded: bytes and msgpack objects. */
struct city_cost {
	size_t bytes;
	size_t objects;
};

struct import_job {
	struct cli *g;
	const char *path;
	const struct import_row *rows; /* for the line of a city at fault */
	struct uccn_city *cities;      /* moved out of the rows */
	size_t n;
	struct city_cost *cost;
	bool overwrite;
	bool progress;                 /* tell stderr how it goes */
};

static size_t count_objects(const msgpack_object *o)
{
	size_t n = 1;
	if (o->type == MSGPACK_OBJECT_ARRAY)
		for (uint32_t i = 0; i < o->via.array.size; i++)
			n += count_objects(&o->via.array.ptr[i]);
	else if (o->type == MSGPACK_OBJECT_MAP)
		for (uint32_t i = 0; i < o->via.map.size; i++)
			n += count_objects(&o->via.map.ptr[i].key) +
			     count_objects(&o->via.map.ptr[i].val);
	return n;
}

/* Each city as uccn_city_pack puts it on the wire. */
static int measure(struct import_job *job)
{
	msgpack_sbuffer sb;
	msgpack_packer pk;
	int rc = 0;
	if (!(job->cost = calloc(job->n ? job->n : 1, sizeof *job->cost)))
		return UCCN_E_NOMEM;
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	for (size_t i = 0; !rc && i < job->n; i++) {
		msgpack_unpacked u;
		msgpack_sbuffer_clear(&sb);
		if ((rc = uccn_city_pack(&pk, &job->cities[i])))
			break;
		msgpack_unpacked_init(&u);
		if (msgpack_unpack_next(&u, sb.data, sb.size, NULL) != MSGPACK_UNPACK_SUCCESS)
			rc = UCCN_E_INTERNAL;
		else
			job->cost[i] = (struct city_cost){sb.size, count_objects(&u.data)};
		msgpack_unpacked_destroy(&u);
	}
	msgpack_sbuffer_destroy(&sb);
	return rc;
}

/* How many cities from first on make one request: as many as fit
 * IMPORT_CHUNK_BYTES, IMPORT_CHUNK_OBJECTS and UCCN_MAX_IMPORT (at least
 * one, so a city too large for any request is sent and refused by name). */
static size_t chunk_len(const struct import_job *job, size_t first)
{
	size_t bytes = 0, objects = 0, n = 0;
	while (first + n < job->n && n < UCCN_MAX_IMPORT) {
		const struct city_cost *c = &job->cost[first + n];
		if (n && (bytes + c->bytes > IMPORT_CHUNK_BYTES ||
			  objects + c->objects > IMPORT_CHUNK_OBJECTS))
			break;
		bytes += c->bytes;
		objects += c->objects;
		n++;
	}
	return n;
}

/* Send cities [first, first + n) in req (an import or a stage), which
 * borrows them for the call only. */
static int send_cities(struct import_job *job, struct uccn_request *req, size_t first, size_t n,
		       struct uccn_reply *rep)
{
	req->cities = n ? job->cities + first : NULL;
	req->ncities = n;
	uccn_reply_clear(rep);
	int rc = cli_call(job->g, req, rep);
	req->cities = NULL;
	req->ncities = 0;
	if (rc != EXIT_OK && rep->error_index >= 1 && rep->error_index <= job->n)
		fprintf(stderr, "uccn: %s line %zu: %s; nothing was imported\n", job->path,
			job->rows[rep->error_index - 1].line, rep->message ? rep->message : "refused");
	return rc;
}

/* Stage every chunk, then commit them all in one city.import. */
static int import_staged(struct import_job *job, struct uccn_reply *rep)
{
	struct uccn_request stage = {.op = UCCN_OP_CITY_IMPORT_STAGE};
	struct uccn_request commit = {.op = UCCN_OP_CITY_IMPORT, .overwrite = job->overwrite};
	int rc = EXIT_OK;
	for (size_t first = 0, n; rc == EXIT_OK && first < job->n; first += n) {
		n = chunk_len(job, first);
		if ((rc = send_cities(job, &stage, first, n, rep))) {
			if (rep->status == UCCN_E_UNKNOWN_OP)
				fprintf(stderr, "uccn: %s is too large for one request, and this "
					"uccnd cannot take an import in parts; upgrade it, or split "
					"the file (by field, say)\n", job->path);
			break;
		}
		if (!stage.import_id && (rc = cli_str_set(&stage.import_id, rep->import_id)))
			break;
		if (job->progress)
			fprintf(stderr, "staged %zu/%zu cities\n", first + n, job->n);
	}
	if (rc != EXIT_OK && stage.import_id) {
		/* Give the server its slot back now rather than at expiry. */
		struct uccn_request discard = {.op = UCCN_OP_CITY_IMPORT_STAGE, .discard = true,
					       .import_id = stage.import_id};
		struct uccn_reply ignored = {0};
		(void)cli_call_quiet(job->g, &discard, &ignored);
		uccn_reply_clear(&ignored);
	}
	if (rc == EXIT_OK) {
		if (job->progress)
			fprintf(stderr, "committing %zu cities in one transaction...\n", job->n);
		commit.import_id = stage.import_id;
		stage.import_id = NULL;
		rc = send_cities(job, &commit, 0, 0, rep);
	}
	uccn_request_clear(&stage);
	uccn_request_clear(&commit);
	return rc;
}

static int import_job_run(struct import_job *job, struct uccn_reply *rep)
{
	int rc = measure(job);
	if (rc) {
		fprintf(stderr, "uccn: %s\n", uccn_strerror(rc));
		return EXIT_REFUSED;
	}
	if (chunk_len(job, 0) < job->n)
		return import_staged(job, rep);
	struct uccn_request req = {.op = UCCN_OP_CITY_IMPORT, .overwrite = job->overwrite};
	if (job->progress)
		fprintf(stderr, "sending %zu cities in one transaction...\n", job->n);
	rc = send_cities(job, &req, 0, job->n, rep);
	uccn_request_clear(&req);
	return rc;
}

int cmd_import_cities(struct cli *g, const struct command *cmd, int argc, char **argv)
{
	enum { O_OVERWRITE = 1, O_PROGRESS };
	static const struct option opts[] = {
		{"overwrite", no_argument, NULL, O_OVERWRITE},
		{"progress", no_argument, NULL, O_PROGRESS},
		CLI_GLOBAL_OPTIONS,
		{NULL, 0, NULL, 0},
	};
	struct import_job job = {.g = g, .progress = isatty(STDERR_FILENO)};
	struct uccn_reply rep = {0};
	struct import_row *rows = NULL;
	size_t n = 0, len = 0;
	char *text = NULL, err[512];
	int c, rc = EXIT_OK;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (c == O_OVERWRITE)
			job.overwrite = true;
		else if (c == O_PROGRESS)
			job.progress = true;
		else
			COMMON_OPTION(g, cmd, c, &rc, out);
	}
	if (optind >= argc) {
		rc = cli_usage(cmd, "give the CSV FILE");
		goto out;
	}
	job.path = argv[optind++];
	if (optind < argc) {
		rc = cli_usage(cmd, "unexpected argument '%s'", argv[optind]);
		goto out;
	}
	if ((rc = read_small_file(job.path, 16u << 20, &text, &len, err, sizeof err))) {
		fprintf(stderr, "uccn: %s\n", err);
		rc = rc == UCCN_E_NOTFOUND ? EXIT_NOTFOUND : EXIT_USAGE;
		goto out;
	}
	if (job.progress)
		fprintf(stderr, "reading %s (%zu bytes)...\n", job.path, len);
	if ((rc = import_cities_csv(text, len, &rows, &n, err, sizeof err))) {
		fprintf(stderr, "uccn: %s: %s; nothing was imported\n", job.path, err);
		rc = EXIT_USAGE;
		goto out;
	}
	if (!(job.cities = calloc(n ? n : 1, sizeof *job.cities))) {
		rc = EXIT_REFUSED;
		goto out;
	}
	/* Moved, not shared: the job owns each city from here on, and the
	 * rows keep only their line numbers, for the server's error. */
	for (size_t i = 0; i < n; i++) {
		job.cities[i] = rows[i].city;
		memset(&rows[i].city, 0, sizeof rows[i].city);
	}
	job.n = n;
	job.rows = rows;
	if ((rc = import_job_run(&job, &rep)) == EXIT_OK)
		g->out->imported(job.path, &rep);
out:
	free(text);
	uccn_reply_clear(&rep);
	for (size_t i = 0; i < job.n; i++)
		uccn_city_clear(&job.cities[i]);
	free(job.cities);
	free(job.cost);
	import_rows_free(&rows, n);
	return rc;
}
