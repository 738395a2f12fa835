// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * tagctl export -o FILE: the file is replaced atomically, so that a reader
 * (node_exporter's textfile collector, a CI step) never sees half of it.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "export.h"

/* The folder of path, where the temporary file must be for rename(). */
static int folder_of(const char *path, char *buf, size_t len)
{
	char copy[4096];

	if (snprintf(copy, sizeof(copy), "%s", path) >= (int)sizeof(copy))
		return -ENAMETOOLONG;
	snprintf(buf, len, "%s", dirname(copy));
	return 0;
}

/* A hidden name, not ending in .prom: the textfile collector skips it. */
static int temp_name(const char *path, char *buf, size_t len)
{
	char copy[4096], folder[4096];
	int ret = folder_of(path, folder, sizeof(folder));

	if (ret)
		return ret;
	snprintf(copy, sizeof(copy), "%s", path);
	if (snprintf(buf, len, "%s/.%s.XXXXXX", folder, basename(copy)) >= (int)len)
		return -ENAMETOOLONG;
	return 0;
}

/* The rename itself must reach the disk too. */
static void sync_folder(const char *path)
{
	char folder[4096];
	int fd;

	if (folder_of(path, folder, sizeof(folder)))
		return;
	fd = open(folder, O_RDONLY | O_DIRECTORY);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

/* The mode fopen() would have given: mkstemp() makes files only we can read. */
static int usual_mode(int fd)
{
	mode_t mask = umask(0);

	umask(mask);
	return fchmod(fd, 0666 & ~mask) ? -errno : 0;
}

static int fill(int fd, export_writer_fn write, const struct export_input *in,
		const char **what)
{
	FILE *out = fdopen(fd, "w");
	int ret;

	*what = "cannot write";
	if (!out) {
		ret = -errno;
		close(fd);
		return ret;
	}
	ret = usual_mode(fd);
	if (!ret)
		ret = write(out, in);
	if (!ret && fflush(out))
		ret = -errno;
	if (!ret && fsync(fd)) {
		*what = "cannot sync";
		ret = -errno;
	}
	if (!ret && ferror(out))
		ret = -EIO;
	if (fclose(out) && !ret)
		ret = -errno;
	return ret;
}

int export_write_file(const char *path, export_writer_fn write, const struct export_input *in,
		      char *err, size_t err_len)
{
	const char *what = "cannot create a temporary file next to";
	char temp[4096];
	int fd, ret = temp_name(path, temp, sizeof(temp));

	fd = ret ? -1 : mkstemp(temp);
	if (!ret && fd < 0)
		ret = -errno;
	if (!ret)
		ret = fill(fd, write, in, &what);
	if (!ret && rename(temp, path)) {
		what = "cannot rename the temporary file to";
		ret = -errno;
	}
	if (ret) {
		if (fd >= 0)
			unlink(temp);
		snprintf(err, err_len, "%s %s: %s", what, path, strerror(-ret));
		return ret;
	}
	sync_folder(path);
	return 0;
}
