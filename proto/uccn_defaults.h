/*
 * uccn_defaults.h - what uccnd and uccn assume when no flag is given, in one
 * place so the two always agree: the endpoint and the data directory (whose
 * server.pub and coordinator.key the CLI uses by default).
 */
#ifndef UCCN_DEFAULTS_H
#define UCCN_DEFAULTS_H

#include <stddef.h>

/* Loopback only: a daemon started without flags is not on the network. */
#define UCCN_DEFAULT_PORT 7246
#define UCCN_DEFAULT_ENDPOINT "tcp://127.0.0.1:7246"

/*
 * The default data directory: $UCCN_DATA if set, else $XDG_DATA_HOME/uccn,
 * else $HOME/.local/share/uccn. Returns 0, or UCCN_E_INVALID when none of
 * those variables is set, UCCN_E_TOOBIG when buf is too small.
 */
int uccn_default_data_dir(char *buf, size_t len);

#endif
