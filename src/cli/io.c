/*
 * io.c - the input and output of the secant-pre command-line tool:
 * buffers wiped before they are freed, whole files or standard input read
 * up to 1 GiB, standard output, and secret files written with O_EXCL and
 * mode 0600 or replaced atomically (rename).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "io.h"
#include "report.h"

/* Wipe and free a buffer, leaving it empty. */
void
buf_free(buf *b)
{
	if (b->data != NULL)
	{
		sodium_memzero(b->data, b->cap);
		free(b->data);
	}
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}

/*
 * Move b into a new allocation of cap bytes, wiping the old one; -1 if
 * memory is short (b left as it was, nothing reported).
 */
int
buf_grow(buf *b, size_t cap)
{
	uint8_t    *data = malloc(cap > 0 ? cap : 1);
	size_t		len = b->len;

	if (data == NULL)
		return -1;
	if (len > 0)
		memcpy(data, b->data, len);
	buf_free(b);
	b->data = data;
	b->len = len;
	b->cap = cap;
	return 0;
}

/* buf_grow, reporting a failure: 0 or the exit status 1. */
int
buf_reserve(buf *b, size_t cap)
{
	return buf_grow(b, cap) == 0 ? 0 : fail("out of memory");
}

/* Next capacity of a buffer that reads input. */
static size_t
next_cap(size_t cap)
{
	if (cap == 0)
		return READ_CHUNK;
	return cap > MAX_INPUT_BYTES / 2 ? MAX_INPUT_BYTES + 2 : 2 * cap;
}

/* Read all of f into b, NUL-terminated, up to MAX_INPUT_BYTES. */
static int
read_stream(FILE *f, const char *name, buf *b)
{
	size_t		n;

	do
	{
		if (b->cap - b->len < 2 && buf_reserve(b, next_cap(b->cap)) != 0)
			return EXIT_FAILURE;
		n = fread(b->data + b->len, 1, b->cap - b->len - 1, f);
		b->len += n;
		if (b->len > MAX_INPUT_BYTES)
			return fail("%s is larger than 1 GiB", name);
	} while (n > 0);
	if (ferror(f))
		return fail("cannot read %s: %s", name, strerror(errno));
	b->data[b->len] = '\0';
	return 0;
}

/* True for the path of standard input: NULL or "-". */
bool
is_stdin(const char *path)
{
	return path == NULL || strcmp(path, "-") == 0;
}

/* The name of a source in messages. */
const char *
source_name(const char *path)
{
	return is_stdin(path) ? "standard input" : path;
}

/* Say so on stderr when standard input is a terminal, instead of waiting silently. */
void
notice_terminal_stdin(void)
{
	if (isatty(fileno(stdin)))
		warn("reading standard input from the terminal (end it with Ctrl-D; "
			 "see --help)");
}

/* Warn if the secret file open as f is a regular file that others can read. */
void
check_secret_mode(FILE *f, const char *path)
{
	struct stat st;

	if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) &&
		(st.st_mode & (S_IRGRP | S_IROTH)) != 0)
		warn("warning: %s holds a secret and can be read by group or others "
			 "(mode %04o); run chmod 600 %s", path,
			 (unsigned) (st.st_mode & 07777), path);
}

/* Read a whole file, or standard input if path is NULL or "-". */
int
read_file(const char *path, bool secret, buf *b)
{
	FILE	   *f;
	int			rc;

	if (is_stdin(path))
	{
		notice_terminal_stdin();
		return read_stream(stdin, "standard input", b);
	}
	f = fopen(path, "rb");
	if (f == NULL)
		return fail("cannot open %s: %s", path, strerror(errno));
	setvbuf(f, NULL, _IONBF, 0);
	if (secret)
		check_secret_mode(f, path);
	rc = read_stream(f, path, b);
	fclose(f);
	return rc;
}

/* Read a whole file that holds no secret (or standard input). */
int
read_source(const char *path, buf *b)
{
	return read_file(path, false, b);
}

/* Write bytes to standard output (errors are caught at exit). */
void
write_out(const void *data, size_t len)
{
	if (len > 0)
		fwrite(data, 1, len, stdout);
}

/* True for ASCII white space. */
bool
is_space(uint8_t c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' ||
		c == '\r';
}

/* Narrow p/len to the part without surrounding ASCII white space. */
void
trim(const uint8_t **p, size_t *len)
{
	while (*len > 0 && is_space((*p)[0]))
	{
		(*p)++;
		(*len)--;
	}
	while (*len > 0 && is_space((*p)[*len - 1]))
		(*len)--;
}

/* Refuse "-" for a key file when standard input holds the data. */
int
key_not_stdin(const char *path, const char *option, const char *data)
{
	if (path != NULL && strcmp(path, "-") == 0)
		return usage_fail("%s - would read standard input, which holds %s",
						  option, data);
	return 0;
}

/* Refuse early (before any passphrase prompt) an output file that exists. */
int
check_new_file(const char *path)
{
	struct stat st;

	if (!is_stdin(path) && lstat(path, &st) == 0)
		return fail("%s exists; it is never overwritten (remove it first, or "
					"choose another name)", path);
	return 0;
}

/* Write all of data to the new file fd, fsync and close it; -1 with errno. */
static int
write_fd_all(int fd, const void *data, size_t len)
{
	const uint8_t *p = data;
	int			e;

	if (fchmod(fd, 0600) != 0)
	{
		/* created 0600 less the umask: no wider anyway */
	}
	while (len > 0)
	{
		ssize_t		n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		p += n;
		len -= (size_t) n;
	}
	if (len > 0 || fsync(fd) != 0)
	{
		e = errno != 0 ? errno : EIO;
		close(fd);
		errno = e;
		return -1;
	}
	return close(fd);
}

/*
 * Warn, before a secret is written to standard output, if that is a
 * regular file that group or others can read; hint says what to do.
 */
void
warn_readable_stdout(const char *hint)
{
	struct stat st;

	if (fstat(fileno(stdout), &st) == 0 && S_ISREG(st.st_mode) &&
		(st.st_mode & (S_IRGRP | S_IROTH)) != 0)
		warn("warning: standard output is a file that group or others can "
			 "read (mode %04o), and this writes a secret to it; %s",
			 (unsigned) (st.st_mode & 07777), hint);
}

/* Write len bytes of a secret to a new file (mode 0600) or standard output. */
int
write_secret(const char *path, const void *data, size_t len)
{
	int			fd;

	if (is_stdin(path))			/* "-": standard output */
	{
		warn_readable_stdout("use -o FILE, which creates it with mode 0600");
		write_out(data, len);
		return 0;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 && errno == EEXIST)
		return fail("%s exists; it is never overwritten (remove it first, or "
					"choose another name)", path);
	if (fd < 0)
		return fail("cannot create %s: %s", path, strerror(errno));
	errno = 0;
	if (write_fd_all(fd, data, len) != 0)
	{
		int			e = errno;

		unlink(path);
		return fail("cannot write %s: %s", path, strerror(e));
	}
	return 0;
}

/* Check, before any prompt, that path is a key file that can be replaced. */
int
check_replaceable(const char *path)
{
	struct stat st;

	if (is_stdin(path))
		return usage_fail("the key file is rewritten in place: give its name, "
						  "not -, or write elsewhere with -o FILE");
	if (lstat(path, &st) != 0)
		return fail("cannot open %s: %s", path, strerror(errno));
	if (S_ISLNK(st.st_mode))
		return fail("%s is a symbolic link: give the file it points to, or "
					"write elsewhere with -o FILE", path);
	if (!S_ISREG(st.st_mode))
		return fail("%s is not a regular file", path);
	if (st.st_nlink > 1)
		warn("warning: %s has %ju other hard links, which keep the old "
			 "contents", path, (uintmax_t) (st.st_nlink - 1));
	return 0;
}

/* fsync the directory of path, so that a rename in it is durable. */
static void
sync_dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	char	   *dir = slash == NULL ? strdup(".") :
		strndup(path, slash == path ? 1 : (size_t) (slash - path));
	int			fd = dir != NULL ? open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;

	if (fd >= 0)
	{
		if (fsync(fd) != 0)
		{
			/* the rename is done; only its durability is unsure */
		}
		close(fd);
	}
	free(dir);
}

/*
 * Replace the key file path by data atomically: a new file (mkstemp:
 * O_EXCL, mode 0600, the old file's owner if we may give it) in the same
 * directory, written and fsynced, renamed over path.  On failure path is
 * untouched and the new file removed.
 */
int
replace_secret(const char *path, const void *data, size_t len)
{
	const char *slash = strrchr(path, '/');
	int			dirlen = slash == NULL ? 0 : (int) (slash - path + 1);
	size_t		cap = strlen(path) + 16;
	char	   *tmp = malloc(cap);
	struct stat st;
	int			fd;
	int			rc = 0;

	if (tmp == NULL)
		return fail("out of memory");
	snprintf(tmp, cap, "%.*s.%s.XXXXXX", dirlen, path, path + dirlen);
	fd = mkstemp(tmp);
	if (fd < 0)
		rc = fail("cannot create a new file next to %s: %s", path,
				  strerror(errno));
	else
	{
		if (lstat(path, &st) == 0 &&
			(st.st_uid != geteuid() || st.st_gid != getegid()) &&
			fchown(fd, st.st_uid, st.st_gid) != 0)
		{
			/* only root may: else the file is ours, still mode 0600 */
		}
		errno = 0;
		if (write_fd_all(fd, data, len) != 0 || rename(tmp, path) != 0)
		{
			rc = fail("cannot replace %s: %s", path, strerror(errno));
			unlink(tmp);
		}
		else
			sync_dir_of(path);
	}
	free(tmp);
	return rc;
}
