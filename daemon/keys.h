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

#include <stdbool.h>
#include <stddef.h>

#include "uccn_limits.h"
#include "uccn_records.h"
#include "uccn_store.h"

/* The system's own coordinator account (proto names it, so the agenda can
 * tell it from a real city), and the field it is registered in. */
#define KEYS_COORDINATOR_ID UCCN_SYSTEM_CITY_ID
#define KEYS_COORDINATOR_FIELD "literature"

/*
 * Before the store is opened: refuse what start-up cannot trust, creating
 * nothing. A key file that is not a regular file; key files in a dir whose
 * data file is missing or empty (data_present false: the network's records
 * are gone, and a new store would shut every city out); a server.key whose
 * secret is not its public key's, or a server.pub that is not server.key's.
 * A key file readable by others is made 0600 with a warning. Returns 0, or
 * a negative code with a reason naming the file in err.
 */
int keys_check(const char *dir, bool data_present, char *err, size_t errlen);

/*
 * Make sure dir holds the server's keys and the store a coordinator city,
 * creating what is missing; a file that exists is never overwritten, and
 * a server.key missing from a store that holds a network is refused. The
 * server's secret key is copied to server_secret. Returns 0 or a negative
 * code with a reason in err.
 */
int keys_setup(const char *dir, struct uccn_store *store,
	       char server_secret[UCCN_KEY_Z85_LEN + 1], char *err, size_t errlen);

#endif
