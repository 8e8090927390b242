/*
 * harness.h - the test harness of the end-to-end tests and the benches:
 * run the real uccnd and uccn binaries in a scratch directory on a free
 * loopback port, and look at what they do. This header only gathers its
 * parts:
 *
 *   proc.h     the binaries' directory, the clock, files, running children
 *   daemon.h   scratch directories, free ports, starting and stopping uccnd
 *   client.h   running the real uccn, key pairs, cities, DEALER sockets
 *   json.h     reading the CLI's --json output
 *
 * Binaries come from $UCCN_BIN ("build" when unset, "build/san" under
 * sanitizers), or from h_set_bin_dir(). Every wait is bounded: a hung
 * daemon or CLI fails the test, it never hangs it. Children get
 * PR_SET_PDEATHSIG, so a crashed test leaves no daemon behind.
 *
 * Typical test:
 *
 *     char *dir = h_tmpdir_new();
 *     h_daemon_t *d = h_daemon_new(dir);
 *     assert_int_equal(h_daemon_start(d), 0);
 *     h_run_t r = {0};
 *     h_uccn(&r, d, d->coordinator_key, NULL, "status", NULL);
 *     h_assert_exit(&r, 0);
 *     assert_int_equal(h_daemon_stop(d), 0);
 *     h_run_clear(&r);
 *     h_daemon_destroy(&d);
 *     h_tmpdir_destroy(&dir);
 */
#ifndef UCCN_HARNESS_H
#define UCCN_HARNESS_H

#include "proc.h"
#include "daemon.h"
#include "client.h"
#include "json.h"

#endif
