/*
 * output.h - how uccn prints results. The text view and --json are two
 * implementations of this one interface, as in OpenBSD's *ctl tools, so
 * commands never branch on the format.
 */
#ifndef UCCN_CLI_OUTPUT_H
#define UCCN_CLI_OUTPUT_H

#include <stddef.h>
#include <stdint.h>

#include "uccn_msg.h"

struct output {
	/* list: posts newest first; next is the cursor for the next page or 0. */
	void (*posts)(const struct uccn_post *p, size_t n, uint64_t next);
	void (*post)(const struct uccn_post *p);
	void (*cities)(const struct uccn_city *c, size_t n);
	void (*city)(const struct uccn_city *c);
	/* server_key, own_key: the public keys in use (Z85), for fingerprints */
	void (*status)(const char *endpoint, const char *server_key, const char *own_key,
		       const struct uccn_status_info *i);
	void (*posted)(uint64_t seq, bool duplicate, int64_t created_ms);
	void (*city_added)(const char *id, uint64_t seq);
	void (*keygen)(const char *pub, const char *path);
	void (*fields)(const char *const *names, size_t n);
	void (*field_added)(const char *name, uint64_t seq);
	/* what: "city", "project", "meeting" */
	void (*record_changed)(const char *what, const char *id, uint64_t seq,
			       uint64_t version);
	void (*projects)(const struct uccn_project *p, size_t n);
	void (*project)(const struct uccn_project *p);
	void (*meetings)(const struct uccn_meeting *m, size_t n);
	void (*meeting)(const struct uccn_meeting *m);
	/* inbox: unread posts, oldest first, and how many are unread in all */
	void (*inbox)(const struct uccn_post *p, size_t n, uint64_t unread);
	void (*acked)(uint64_t upto, uint64_t acked, uint64_t unread);
	/* watch: one post, one line */
	void (*watched)(const struct uccn_post *p);
	/* import cities: the counts, and the fields kept as changed by hand */
	void (*imported)(const char *path, const struct uccn_reply *rep);
	/* city rekey: the city's new version, and with --write the new public
	 * key and the file its pair went to (pub and path NULL without) */
	void (*rekeyed)(const char *id, uint64_t seq, uint64_t version, const char *pub,
			const char *path);
	/* admin handover: to is now the coordinator, from a member */
	void (*handed_over)(const char *to, const char *from, uint64_t seq);
	/* admin log: uccnd's level before and now */
	void (*log_level)(const char *was, const char *level);
	/* admin backup: file written; b holds the manifest, checksum, size */
	void (*backed_up)(const char *file, const struct uccn_backup_chunk *b);
};

extern const struct output output_text;
extern const struct output output_json;

#endif
