// SPDX-License-Identifier: GPL-2.0
/* Checked, atomic output files (outfile.h). */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "outfile.h"

/*
 * While a named temporary file exists (the moment between linking the
 * unnamed file and the rename; the whole write where there is no
 * O_TMPFILE), a signal that would end the process
 * (Ctrl-C, a runner's TERM, a closed terminal's HUP) removes it first and
 * then ends the process by that signal as before. Only signals still at
 * their default action are taken over: a command with a handler of its own
 * stops in order and closes or aborts its outfile itself. One temporary
 * file at a time (the commands write one result).
 */
static const int fatal_signals[] = { SIGINT, SIGTERM, SIGHUP };
static char pending_tmp[PATH_MAX + 32];
static struct sigaction saved_action[3];
static bool taken[3];

static void remove_pending(int sig)
{
	unlink(pending_tmp);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void guard_tmp(const char *tmp)
{
	struct sigaction sa = { .sa_handler = remove_pending };

	snprintf(pending_tmp, sizeof(pending_tmp), "%s", tmp);
	sigfillset(&sa.sa_mask);
	for (int i = 0; i < 3; i++) {
		taken[i] = sigaction(fatal_signals[i], NULL, &saved_action[i]) == 0 &&
			   saved_action[i].sa_handler == SIG_DFL &&
			   sigaction(fatal_signals[i], &sa, NULL) == 0;
	}
}

/*
 * INT, TERM and HUP wait while a name is made and its guard set up, so no
 * signal finds the name without the guard, nor a name that was not ours.
 */
static void hold_fatal(sigset_t *saved)
{
	sigset_t fatal;

	sigemptyset(&fatal);
	for (int i = 0; i < 3; i++)
		sigaddset(&fatal, fatal_signals[i]);
	sigprocmask(SIG_BLOCK, &fatal, saved);
}

/*
 * The end of hold_fatal: guard tmp if the name was made (NULL: it was
 * not), then let the held signals through; one that came meanwhile now
 * finds the guard. errno is kept for the caller's report.
 */
static void release_fatal(const sigset_t *saved, const char *tmp)
{
	int e = errno;

	if (tmp)
		guard_tmp(tmp);
	sigprocmask(SIG_SETMASK, saved, NULL);
	errno = e;
}

/* The temporary file is renamed or removed: signals act as before. */
static void unguard_tmp(void)
{
	for (int i = 0; i < 3; i++)
		if (taken[i])
			sigaction(fatal_signals[i], &saved_action[i], NULL);
	memset(taken, 0, sizeof(taken));
}

/*
 * An unnamed file in PATH's directory (O_TMPFILE): what is written lives
 * there until the commit names it, so even a SIGKILL, an OOM kill or a
 * power loss mid-write leaves nothing behind. Mode 0666 less the umask, as
 * a named file gets. -1 with errno when the directory cannot have one.
 */
static int open_unnamed(const char *path)
{
	char *copy = strdup(path);
	int fd, e;

	if (!copy) {
		errno = ENOMEM;
		return -1;
	}
	fd = open(dirname(copy), O_TMPFILE | O_WRONLY | O_CLOEXEC, 0666);
	e = errno;
	free(copy);
	errno = e;
	return fd;
}

/*
 * Give the unnamed file fd the name tmp. linkat(AT_EMPTY_PATH) needs
 * CAP_DAC_READ_SEARCH on older kernels (ENOENT without it); the
 * /proc/self/fd link works for anyone, as long as /proc is mounted.
 */
static int link_unnamed(int fd, const char *tmp)
{
	char proc[64];

	if (!linkat(fd, "", AT_FDCWD, tmp, AT_EMPTY_PATH))
		return 0;
	if (errno != ENOENT && errno != EPERM)
		return -1;
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	return linkat(AT_FDCWD, proc, AT_FDCWD, tmp, AT_SYMLINK_FOLLOW);
}

/* The stream's write: the whole buffer, retrying short writes; the first errno kept. */
static ssize_t cookie_write(void *c, const char *buf, size_t len)
{
	struct outfile *o = c;
	size_t done = 0;

	while (done < len) {
		ssize_t n = write(o->fd, buf + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (!o->err)
				o->err = n < 0 ? errno : EIO;
			return done ? (ssize_t)done : -1;
		}
		done += n;
	}
	return done;
}

static FILE *checked_stream(struct outfile *o, int fd)
{
	cookie_io_functions_t io = { .write = cookie_write };

	o->fd = fd;
	return fopencookie(o, "w", io);
}

static int failf(char *err, size_t errlen, const char *path, int e)
{
	snprintf(err, errlen, "%s: %s", *path ? path : "standard output",
		 e ? strerror(e) : "write error");
	return -1;
}

int outfile_open(struct outfile *o, const char *path, char *err, size_t errlen)
{
	struct stat st;
	int fd;

	memset(o, 0, sizeof(*o));
	o->mode = -1;
	if (!path || !strcmp(path, "-")) {
		FILE *f;

		fflush(stdout);
		f = checked_stream(o, STDOUT_FILENO);
		if (!f)	/* out of memory: plain stdout, still flushed and checked */
			return 0;
		o->saved_stdout = stdout;
		stdout = o->f = f;
		return 0;
	}
	if (!*path) {
		snprintf(err, errlen, "an empty file name");
		return -1;
	}
	if (strlen(path) >= sizeof(o->path)) {
		snprintf(err, errlen, "%.64s...: %s", path, strerror(ENAMETOOLONG));
		return -1;
	}
	snprintf(o->path, sizeof(o->path), "%s", path);
	/* a link: replace the file it names, not the link */
	if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode)) {
		char *real = realpath(path, NULL), target[PATH_MAX];
		ssize_t n;

		if (real && strlen(real) < sizeof(o->path)) {
			snprintf(o->path, sizeof(o->path), "%s", real);
		} else if (!real && (n = readlink(path, target, sizeof(target) - 1)) > 0) {
			/* a dangling link: create what it names, as `> link` would */
			char *copy = strdup(path);

			int len;

			target[n] = '\0';
			if (copy && target[0] != '/')
				len = snprintf(o->path, sizeof(o->path), "%s/%.*s", dirname(copy),
					       (int)(sizeof(o->path) / 2), target);
			else
				len = snprintf(o->path, sizeof(o->path), "%s", target);
			free(copy);
			if (len < 0 || (size_t)len >= sizeof(o->path))
				return failf(err, errlen, path, ENAMETOOLONG);
		}
		free(real);
	}
	if (stat(o->path, &st) == 0 && !S_ISREG(st.st_mode)) {
		if (S_ISDIR(st.st_mode))
			return failf(err, errlen, path, EISDIR);
		/* a device or fifo: in place (renaming over /dev/full would replace it) */
		fd = open(o->path, O_WRONLY | O_TRUNC | O_CLOEXEC);
		if (fd < 0)
			return failf(err, errlen, path, errno);
		o->f = checked_stream(o, fd);
		if (!o->f) {
			close(fd);
			return failf(err, errlen, path, ENOMEM);
		}
		return 0;
	}
	if (stat(o->path, &st) == 0)
		o->mode = st.st_mode & 07777;
	snprintf(o->tmp, sizeof(o->tmp), "%s.tmp.%d", o->path, (int)getpid());
	fd = open_unnamed(o->path);
	if (fd >= 0) {
		o->unnamed = true;
	} else if (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL) {
		sigset_t saved;

		/* no O_TMPFILE here (FUSE, 9p; EISDIR: a kernel without it) */
		hold_fatal(&saved);
		fd = open(o->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
		release_fatal(&saved, fd >= 0 ? o->tmp : NULL);
	}
	if (fd < 0) {
		int e = errno;

		o->tmp[0] = '\0';
		return failf(err, errlen, path, e);
	}
	if (o->mode >= 0)
		(void)fchmod(fd, o->mode);
	o->f = checked_stream(o, fd);
	if (!o->f) {
		close(fd);
		if (!o->unnamed) {
			unlink(o->tmp);
			unguard_tmp();
		}
		o->tmp[0] = '\0';
		return failf(err, errlen, path, ENOMEM);
	}
	return 0;
}

/* The rename is only durable once the directory entry is on disk too. */
static void sync_dir(const char *path)
{
	char *copy = strdup(path);
	int fd;

	if (!copy)
		return;
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		(void)fsync(fd);
		close(fd);
	}
	free(copy);
}

int outfile_close(struct outfile *o, char *err, size_t errlen)
{
	bool named = o->tmp[0] && !o->unnamed;	/* a PATH.tmp.PID of ours exists */
	int e = 0;

	if (!o->f) {	/* stdout without our stream (out of memory) */
		if (fflush(stdout) || ferror(stdout))
			return failf(err, errlen, "", errno ? errno : EIO);
		return 0;
	}
	/* a write may have failed in any earlier buffered write: the flag stays */
	if (fflush(o->f) || ferror(o->f))
		e = o->err ? o->err : EIO;
	if (o->saved_stdout) {
		fclose(o->f);
		stdout = o->saved_stdout;
		o->saved_stdout = NULL;
		o->f = NULL;
		return e ? failf(err, errlen, "", e) : 0;
	}
	fclose(o->f);	/* the cookie stream: the fd is ours to close */
	o->f = NULL;
	if (!e && o->tmp[0] && fsync(o->fd))
		e = errno;
	/*
	 * The unnamed file is named PATH.tmp.PID only now, for the moment
	 * until the rename; INT, TERM and HUP remove it in that moment too.
	 * A file of that name that linkat refuses to replace (EEXIST) is
	 * not ours to remove.
	 */
	if (!e && o->unnamed) {
		sigset_t saved;

		hold_fatal(&saved);
		if (link_unnamed(o->fd, o->tmp))
			e = errno;
		else
			named = true;
		release_fatal(&saved, named ? o->tmp : NULL);
	}
	if (close(o->fd) && !e && errno != EINTR)
		e = errno;
	if (!e && o->tmp[0] && rename(o->tmp, o->path))
		e = errno;
	if (e) {
		if (named) {
			unlink(o->tmp);
			unguard_tmp();
		}
		o->tmp[0] = '\0';
		return failf(err, errlen, o->path, e);
	}
	if (o->tmp[0]) {
		unguard_tmp();
		sync_dir(o->path);
	}
	o->tmp[0] = '\0';
	return 0;
}
