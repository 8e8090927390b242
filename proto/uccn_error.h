/*
 * uccn_error.h - the project's error codes, shared by every module and
 * carried on the wire by name (see proto/SPEC.md, "Errors").
 *
 * Functions return 0 on success or one of these negative codes. Foreign codes
 * (errno, MDB_*, msgpack, zmq) are mapped once, in the module that meets them.
 */
#ifndef UCCN_ERROR_H
#define UCCN_ERROR_H

enum uccn_error {
	UCCN_OK = 0,
	UCCN_E_INVALID = -1,    /* malformed request, bad argument or field */
	UCCN_E_TOOBIG = -2,     /* a string, list or frame is past its limit */
	UCCN_E_NOTFOUND = -3,   /* the named record does not exist */
	UCCN_E_EXISTS = -4,     /* a record with that id or key exists already */
	UCCN_E_DENIED = -5,     /* the caller's role does not allow this */
	UCCN_E_CONFLICT = -6,   /* stale version: the record changed meanwhile */
	UCCN_E_NOMEM = -7,      /* out of memory */
	UCCN_E_IO = -8,         /* an I/O error on the data directory */
	UCCN_E_FULL = -9,       /* disk or database full: nothing was written */
	UCCN_E_CORRUPT = -10,   /* stored data failed its checks */
	UCCN_E_VERSION = -11,   /* unsupported protocol or data version */
	UCCN_E_UNKNOWN_OP = -12,/* the request names an operation we lack */
	UCCN_E_INTERNAL = -13,  /* a bug: the server logs the details */
	UCCN_E_BUSY = -14,      /* at capacity for now (watchers, a batch): ask again shortly */
	UCCN_E_MAPFULL = -15,   /* store-internal: grow the map and retry */
	UCCN_E_TIMEOUT = -16,   /* client side: no answer in time */
	UCCN_E_AUTH = -17,      /* client side: the server refused our key */
};

/* A short English description of code; never NULL, static storage. */
const char *uccn_strerror(int code);

/*
 * The wire name of code ("not_found", ...), as sent in an error reply.
 * Static storage; "internal" for a code that has no wire name.
 */
const char *uccn_error_name(int code);

/* The code for a wire name, or UCCN_E_INTERNAL when the name is unknown. */
int uccn_error_from_name(const char *name);

#endif
