/*
 * tz.c - a zone name looked up in the system's zone database by opening
 * its TZif file and reading the magic, so a stray file or a directory
 * ("Europe") is not taken for a zone.
 */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "uccn_records.h"
#include "uccn_tz.h"

const char *uccn_tz_dir(void)
{
	const char *d = getenv("TZDIR");
	return d && *d ? d : "/usr/share/zoneinfo";
}

bool uccn_tz_database_present(void)
{
	struct stat st;
	return stat(uccn_tz_dir(), &st) == 0 && S_ISDIR(st.st_mode);
}

bool uccn_tz_known(const char *name)
{
	char path[PATH_MAX], magic[4];
	struct stat st;
	if (!uccn_tz_name_valid(name))
		return false;
	if (strcmp(name, "UTC") == 0 || !uccn_tz_database_present())
		return true;
	if ((size_t)snprintf(path, sizeof path, "%s/%s", uccn_tz_dir(), name) >= sizeof path)
		return false;
	/* Many zones (Europe/London...) are links in some packagings, so a
	 * link is followed; the syntax check keeps it inside the database. */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return false;
	bool ok = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
		  read(fd, magic, 4) == 4 && memcmp(magic, "TZif", 4) == 0;
	close(fd);
	return ok;
}
