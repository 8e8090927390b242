/*
 * tzdb.c - look a zone name up in the system's zone database by opening its
 * TZif file; the name's syntax (no "..", no leading '/') is checked first,
 * so a name can never reach outside the database's directory.
 */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "tzdb.h"
#include "uccn_records.h"

static const char *tz_dir(void)
{
	const char *d = getenv("TZDIR");
	return d && *d ? d : "/usr/share/zoneinfo";
}

bool tzdb_known(const char *name)
{
	static bool warned;
	char path[PATH_MAX], magic[4];
	struct stat st;
	if (!uccn_tz_name_valid(name))
		return false;
	if (stat(tz_dir(), &st) != 0) {
		if (!warned)
			log_msg(LOG_WARN, "no time zone database at %s: zone names are not checked (install tzdata)",
				tz_dir());
		warned = true;
		return true;
	}
	snprintf(path, sizeof path, "%s/%s", tz_dir(), name);
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		/* Many zones (Europe/London...) are links in some packagings. */
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return false;
	}
	bool ok = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
		  read(fd, magic, 4) == 4 && memcmp(magic, "TZif", 4) == 0;
	close(fd);
	return ok;
}
