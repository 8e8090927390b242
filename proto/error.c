/*
 * error.c - descriptions and wire names of the uccn error codes.
 */
#include <string.h>

#include "uccn_error.h"

struct error_entry {
	int code;
	const char *name;
	const char *text;
};

static const struct error_entry errors[] = {
	{UCCN_OK, "ok", "success"},
	{UCCN_E_INVALID, "invalid", "invalid request or argument"},
	{UCCN_E_TOOBIG, "too_big", "too big"},
	{UCCN_E_NOTFOUND, "not_found", "not found"},
	{UCCN_E_EXISTS, "exists", "already exists"},
	{UCCN_E_DENIED, "denied", "permission denied"},
	{UCCN_E_CONFLICT, "conflict", "version conflict"},
	{UCCN_E_NOMEM, "no_memory", "out of memory"},
	{UCCN_E_IO, "io", "input/output error"},
	{UCCN_E_FULL, "full", "full"},
	{UCCN_E_CORRUPT, "corrupt", "stored data is corrupt"},
	{UCCN_E_VERSION, "version", "unsupported version"},
	{UCCN_E_UNKNOWN_OP, "unknown_op", "unknown operation"},
	{UCCN_E_INTERNAL, "internal", "internal error"},
	{UCCN_E_BUSY, "busy", "busy; try again shortly"},
	{UCCN_E_MAPFULL, "internal", "database map full"},
	{UCCN_E_TIMEOUT, "timeout", "no answer in time"},
	{UCCN_E_AUTH, "auth", "key refused by the server"},
};

static const struct error_entry *find_code(int code)
{
	for (size_t i = 0; i < sizeof errors / sizeof errors[0]; i++)
		if (errors[i].code == code)
			return &errors[i];
	return NULL;
}

const char *uccn_strerror(int code)
{
	const struct error_entry *e = find_code(code);
	return e ? e->text : "unknown error";
}

const char *uccn_error_name(int code)
{
	const struct error_entry *e = find_code(code);
	return e ? e->name : "internal";
}

int uccn_error_from_name(const char *name)
{
	for (size_t i = 0; i < sizeof errors / sizeof errors[0]; i++)
		if (strcmp(errors[i].name, name) == 0)
			return errors[i].code;
	return UCCN_E_INTERNAL;
}
