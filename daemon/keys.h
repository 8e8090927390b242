/*
 * keys.h - uccnd's key files: the server's CURVE key pair and, on first
 * start, the coordinator's client key pair and city record.
 *
 *   DIR/server.key       server key pair (0600)
 *   DIR/server.pub       server public key, for clients (0644)
 *   DIR/coordinator.key  the coordinator's client key pair (0600)
 */
#ifndef UCCND_KEYS_H
#define UCCND_KEYS_H

#include <stddef.h>

#include "uccn_limits.h"
#include "uccn_records.h"
#include "uccn_store.h"

/* The system's own coordinator account (proto names it, so the agenda can
 * tell it from a real city), and the field it is registered in. */
#define KEYS_COORDINATOR_ID UCCN_SYSTEM_CITY_ID
#define KEYS_COORDINATOR_FIELD "literature"

/*
 * Make sure dir holds the server's keys and the store a coordinator city,
 * creating what is missing; a file that exists is never overwritten. The
 * server's secret key is copied to server_secret. Returns 0 or a negative
 * code with a reason in err.
 */
int keys_setup(const char *dir, struct uccn_store *store,
	       char server_secret[UCCN_KEY_Z85_LEN + 1], char *err, size_t errlen);

#endif
