/*
 * test_service.c - end-to-end: uccnd as a service (issue 15, item 3). It
 * tells a service manager it is ready only once it serves, and when it
 * reloads and stops, through $NOTIFY_SOCKET as systemd's Type=notify
 * expects; and `make install` installs a unit that systemd-analyze
 * verifies, with a security exposure under 3, which `make uninstall`
 * removes again with everything else.
 */
#include "../harness/harness.h"
#include "../harness/harness_int.h"

#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

/* The next datagram on fd within ms, into buf; false on timeout. */
static bool next_notice(int fd, char *buf, size_t len, int ms)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	if (poll(&p, 1, ms) != 1)
		return false;
	ssize_t n = recv(fd, buf, len - 1, 0);
	if (n < 0)
		return false;
	buf[n] = '\0';
	return true;
}

static void test_notify_ready_reload_stopping(void **state)
{
	(void)state;
	char *dir = h_tmpdir_new();
	assert_non_null(dir);
	char *sock = h_xasprintf("%s.notify", dir);
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	assert_true(strlen(sock) < sizeof sa.sun_path);
	strcpy(sa.sun_path, sock);
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);

	h_daemon_t *d = h_daemon_new(dir);
	assert_non_null(d);
	char *uccnd = h_xasprintf("%s/uccnd", h_bin_dir());
	setenv("NOTIFY_SOCKET", sock, 1);
	pid_t pid = h_spawn((char *[]){uccnd, "--data", dir, "--listen", d->endpoint, NULL}, -1,
			    -1, -1);
	unsetenv("NOTIFY_SOCKET");
	assert_true(pid > 0);

	/* READY comes with the pid, and only once it serves: the first
	 * request after it is answered. */
	char msg[1024];
	assert_true(next_notice(fd, msg, sizeof msg, 20000));
	assert_non_null(strstr(msg, "READY=1"));
	char *mainpid = h_xasprintf("MAINPID=%ld\n", (long)pid);
	assert_non_null(strstr(msg, mainpid));
	assert_non_null(strstr(msg, "STATUS=serving on"));
	h_run_t r = {0};
	h_uccn(&r, d, d->coordinator_key, NULL, "--timeout", "5", "status", NULL);
	h_assert_exit(&r, 0);

	/* A reload is announced, then readiness again. */
	assert_int_equal(kill(pid, SIGHUP), 0);
	assert_true(next_notice(fd, msg, sizeof msg, 10000));
	assert_string_equal(msg, "RELOADING=1");
	assert_true(next_notice(fd, msg, sizeof msg, 10000));
	assert_string_equal(msg, "READY=1");
	h_uccn(&r, d, d->coordinator_key, NULL, "--timeout", "5", "status", NULL);
	h_assert_exit(&r, 0);

	/* So is a stop. */
	assert_int_equal(kill(pid, SIGTERM), 0);
	assert_true(next_notice(fd, msg, sizeof msg, 10000));
	assert_string_equal(msg, "STOPPING=1");
	int status = 0;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);

	close(fd);
	unlink(sock);
	h_run_clear(&r);
	free(mainpid);
	free(uccnd);
	free(sock);
	h_daemon_destroy(&d);
	h_tmpdir_destroy(&dir);
}

/* Regular files under dir, counted (0 for none). */
static int files_under(const char *dir)
{
	h_run_t r = {0};
	h_run(&r, (char *[]){"/usr/bin/find", (char *)dir, "-type", "f", NULL}, NULL, 10000);
	int n = 0;
	for (const char *p = r.out; *p; p++)
		n += *p == '\n';
	h_run_clear(&r);
	return n;
}

static void test_unit_installs_verifies_uninstalls(void **state)
{
	(void)state;
	if (access("/usr/bin/systemd-analyze", X_OK) != 0) {
		fprintf(stderr, "note: skipped: systemd-analyze is not installed here, so the "
			"unit cannot be verified\n");
		return;
	}
	char *prefix = h_tmpdir_new();
	assert_non_null(prefix);
	/* A make of its own: not the jobserver or the variables (SAN=...) of
	 * the make that runs the tests. */
	char *install = h_xasprintf("unset MAKEFLAGS MFLAGS MAKELEVEL; make -s --no-print-directory "
				    "install PREFIX='%s' BUILD='%s'", prefix, h_bin_dir());
	char *uninstall = h_xasprintf("unset MAKEFLAGS MFLAGS MAKELEVEL; make -s "
				      "--no-print-directory uninstall PREFIX='%s' BUILD='%s'",
				      prefix, h_bin_dir());
	h_run_t r = {0};
	h_run(&r, (char *[]){"/bin/sh", "-c", install, NULL}, NULL, 120000);
	h_assert_exit(&r, 0);
	char *unit = h_xasprintf("%s/lib/systemd/system/uccnd.service", prefix);
	char *text = h_read_file(unit, NULL);
	assert_non_null(text);
	char *exec = h_xasprintf("ExecStart=%s/bin/uccnd\n", prefix);
	assert_non_null(strstr(text, exec));
	assert_non_null(strstr(text, "Environment=UCCN_DATA=/var/lib/uccnd"));
	assert_non_null(strstr(text, "Type=notify"));
	free(text);

	/* verify: the unit parses and its binary and man pages are there. */
	char *verify = h_xasprintf("MANPATH='%s/share/man' systemd-analyze verify '%s'", prefix,
				   unit);
	h_run(&r, (char *[]){"/bin/sh", "-c", verify, NULL}, NULL, 60000);
	h_assert_exit(&r, 0);
	if (r.err[0]) {
		h_run_print(&r);
		fail_msg("systemd-analyze verify complained");
	}

	/* security: the overall exposure, on systemd's scale of 0 to 10. */
	h_run(&r, (char *[]){"systemd-analyze", "security", "--offline=true", unit, NULL}, NULL,
	      60000);
	h_assert_exit(&r, 0);
	const char *line = strstr(r.out, "Overall exposure level for uccnd.service: ");
	if (!line) {
		h_run_print(&r);
		fail_msg("no overall exposure level in systemd-analyze security's output");
	}
	double exposure = strtod(line + strlen("Overall exposure level for uccnd.service: "),
				 NULL);
	fprintf(stderr, "note: systemd-analyze security: exposure %.1f\n", exposure);
	assert_true(exposure < 3.0);

	h_run(&r, (char *[]){"/bin/sh", "-c", uninstall, NULL}, NULL, 60000);
	h_assert_exit(&r, 0);
	assert_int_equal(files_under(prefix), 0);

	h_run_clear(&r);
	free(verify);
	free(exec);
	free(unit);
	free(uninstall);
	free(install);
	h_tmpdir_destroy(&prefix);
}

int main(int argc, char **argv)
{
	if (argc > 1)
		h_set_bin_dir(argv[1]);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_notify_ready_reload_stopping),
		cmocka_unit_test(test_unit_installs_verifies_uninstalls),
	};
	return cmocka_run_group_tests_name("e2e_service", tests, NULL, NULL);
}
