/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Checked output: every command that writes a result (export --json, runs,
 * compare, dashboard) opens it here and closes it here, so a full disk, a
 * /dev/full or a closed pipe is an error and never a "written" with a
 * truncated file.
 *
 * A regular file (or a path that does not exist yet) is written as an
 * unnamed file (O_TMPFILE) in PATH's directory, flushed, fsynced, linked as
 * PATH.tmp.PID and renamed over PATH: a failed write leaves PATH as it was
 * (absent, or the old content), never partial, and a process killed while
 * writing (SIGKILL, OOM) leaves no temporary file. Where the filesystem
 * has no O_TMPFILE (some FUSE, 9p) PATH.tmp.PID itself is written; INT,
 * TERM or HUP remove it (outfile.c).
 * Standard output, a device (/dev/full) or a fifo cannot be renamed over;
 * they are written in place and only checked. A symbolic link is followed:
 * the file it names is replaced, the link stays. Writes go through a stream
 * that keeps the errno of the first failed write(), so the error says
 * "No space left on device", not what stdio's error flag alone could tell.
 * For standard output, stdout itself is that stream until outfile_close,
 * so printf() is checked too.
 */
#ifndef MMSCOPE_OUTFILE_H
#define MMSCOPE_OUTFILE_H

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>

struct outfile {
	FILE *f;		/* write here (for standard output: stdout, replaced) */
	FILE *saved_stdout;	/* the stdout replaced while open */
	int fd;
	int err;		/* errno of the first failed write */
	char path[PATH_MAX];	/* what is replaced; "" for standard output */
	char tmp[PATH_MAX + 32];	/* PATH.tmp.PID, "" when in place */
	bool unnamed;		/* written as an O_TMPFILE, named tmp at the commit */
	int mode;		/* permissions to keep when replacing, -1 none */
};

/*
 * Open PATH (NULL or "-": standard output). Returns 0, or -1 with
 * "PATH: reason" in err.
 */
int outfile_open(struct outfile *o, const char *path, char *err, size_t errlen);
/*
 * Finish: flush, check every earlier write, fsync and rename (and fsync the
 * directory). Returns 0, or -1 with "PATH: reason" in err, the temporary
 * file removed. Standard output is flushed and checked, not closed.
 */
int outfile_close(struct outfile *o, char *err, size_t errlen);

#endif
