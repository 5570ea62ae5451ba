/*
 * secant_pre.c - the secant-pre command-line tool: keys, encryption, grants,
 * re-encryption, decryption, envelopes for large records, search tokens and
 * inspection of secant_pre values (shared/design/SCHEME.md), without a
 * database.
 *
 * Secret keys are read only from files or standard input, never from the
 * command line, and no value given as an argument or input is ever echoed
 * in a message (file names are).  Key files are written with O_EXCL and
 * mode 0600, optionally protected by a passphrase (sp_keyfile.h), which is
 * read from the terminal, a file descriptor or a file, never from argv;
 * passwd, protect and unprotect replace a key file atomically (rename).
 * Every buffer is wiped before it is freed; standard input and output are
 * unbuffered so that no copy of a secret stays in a stdio buffer.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <sodium.h>

#include "sp_cache.h"
#include "sp_codec.h"
#include "sp_seal.h"
#include "sp_core.h"
#include "sp_envelope.h"
#include "sp_keyfile.h"
#include "sp_random.h"
#include "sp_text.h"

#if defined(__GNUC__)
#define CLI_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define CLI_PRINTF(f, a)
#endif

#define EXIT_USAGE		2		/* exit status of a usage error */
#define PARSE_HELP		(-1)	/* parse_args: --help was asked for */
#define MAX_INPUT_BYTES ((size_t) 1 << 30)	/* 1 GiB */
#define READ_CHUNK		((size_t) 1 << 16)
#define MAX_OPTIONS		8		/* options of one command */
#define MAX_PASSPHRASE	4096	/* bytes of a passphrase */
#define INDEX_KEY_HEX	(2 * SP_INDEXKEYBYTES)
#define PK_TEXT_MAX		128		/* > text form of a public key */

/* the version of the extension, from the Makefile's EXTVERSION */
#ifndef SECANT_PRE_VERSION
#define SECANT_PRE_VERSION "unknown"
#endif

/* envelopes (sp_envelope.h): the text form of a body */
#define BODY_BASE64		sodium_base64_VARIANT_URLSAFE_NO_PADDING

/* A growable byte buffer; wiped before it is freed. */
typedef struct buf
{
	uint8_t    *data;
	size_t		len;
	size_t		cap;
} buf;

struct command;

/* Parsed arguments of a command. */
typedef struct args
{
	const struct command *cmd;
	const char *opt[MAX_OPTIONS];	/* value of each option (a flag: its
									 * name), or NULL if not given */
	char	  **pos;			/* positional arguments */
	int			npos;
} args;

/* How an option is given. */
typedef enum option_kind
{
	OPT_VALUE,					/* --name VALUE or --name=VALUE, optional */
	OPT_REQUIRED,				/* the same, and it must be given */
	OPT_FLAG					/* --name alone: a boolean */
} option_kind;

/* An option of a command. */
typedef struct option_spec
{
	const char *name;
	option_kind kind;
	const char *alias;			/* deprecated old name, or NULL */
} option_spec;

/* A command of the tool. */
typedef struct command
{
	const char *name;
	const char *synopsis;		/* arguments, after the command name */
	const char *help;			/* description, printed by --help */
	option_spec options[MAX_OPTIONS];	/* unused ones have a NULL name */
	int			min_pos;
	int			max_pos;		/* -1: no limit */
	int			(*run) (const args *a);
} command;

static const char *command_name = NULL;

/* Print one line "secant-pre: <command>: <message>" on stderr. */
static void
vcomplain(bool usage, const char *fmt, va_list ap)
{
	fputs("secant-pre: ", stderr);
	if (command_name != NULL)
		fprintf(stderr, "%s: ", command_name);
	vfprintf(stderr, fmt, ap);
	if (usage)
		fprintf(stderr, " (see 'secant-pre%s%s --help')",
				command_name != NULL ? " " : "",
				command_name != NULL ? command_name : "");
	fputc('\n', stderr);
}

/* Report a failure of the current command; returns the exit status 1. */
static int	CLI_PRINTF(1, 2)
fail(const char *fmt,...)
{
	va_list		ap;

	va_start(ap, fmt);
	vcomplain(false, fmt, ap);
	va_end(ap);
	return EXIT_FAILURE;
}

/* Report a usage error; returns the exit status 2. */
static int	CLI_PRINTF(1, 2)
usage_fail(const char *fmt,...)
{
	va_list		ap;

	va_start(ap, fmt);
	vcomplain(true, fmt, ap);
	va_end(ap);
	return EXIT_USAGE;
}

/* Print a warning or a note on stderr; the command goes on. */
static void CLI_PRINTF(1, 2)
warn(const char *fmt,...)
{
	va_list		ap;

	va_start(ap, fmt);
	vcomplain(false, fmt, ap);
	va_end(ap);
}

/* Report a failed core operation with the core's explanation. */
static int
fail_sp(const char *what, int err)
{
	return fail("%s: %s", what, sp_strerror(err));
}

/* Report a value of kind that is malformed or invalid. */
static int
fail_invalid(sp_kind kind, int err)
{
	return fail("invalid %s: %s", sp_kind_name(kind), sp_strerror(err));
}

/* Wipe and free a buffer, leaving it empty. */
static void
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

/* Move b into a new allocation of cap bytes, wiping the old one. */
static int
buf_reserve(buf *b, size_t cap)
{
	uint8_t    *data = malloc(cap > 0 ? cap : 1);
	size_t		len = b->len;

	if (data == NULL)
		return fail("out of memory");
	if (len > 0)
		memcpy(data, b->data, len);
	buf_free(b);
	b->data = data;
	b->len = len;
	b->cap = cap;
	return 0;
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
static bool
is_stdin(const char *path)
{
	return path == NULL || strcmp(path, "-") == 0;
}

/* The name of a source in messages. */
static const char *
source_name(const char *path)
{
	return is_stdin(path) ? "standard input" : path;
}

/* Say so on stderr when standard input is a terminal, instead of waiting silently. */
static void
notice_terminal_stdin(void)
{
	if (isatty(fileno(stdin)))
		warn("reading standard input from the terminal (end it with Ctrl-D; "
			 "see --help)");
}

/* Warn if the secret file open as f is a regular file that others can read. */
static void
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
static int
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
static int
read_source(const char *path, buf *b)
{
	return read_file(path, false, b);
}

/* What a value of kind is, for messages: "a public key (pre_public_key)". */
static const char *
kind_phrase(int kind)
{
	switch (kind)
	{
		case SP_KIND_SECRET_KEY:
			return "a PRE secret key (presk_)";
		case SP_KIND_PUBLIC_KEY:
			return "a public key (prepk_, pre_public_key)";
		case SP_KIND_GRANT:
			return "a grant (pregrant_, pre_grant)";
		case SP_KIND_CIPHERTEXT:
			return "a ciphertext (prect_, pre_ciphertext)";
		case SP_KIND_TOKEN:
			return "a search token (pretok_, pre_token)";
	}
	return "an unknown value";
}

/* What a protected key file holds, for messages. */
static const char *
content_phrase(int content)
{
	return content == SP_KF_INDEX_KEY ?
		"a passphrase-protected search index key (prelocked_)" :
		"a passphrase-protected PRE secret key (prelocked_)";
}

/* ---- passphrases: a terminal prompt, --passphrase-fd or --passphrase-file ---- */

/* A passphrase and where it comes from; read once per run, wiped at exit. */
typedef struct passphrase_src
{
	const char *fd_option;		/* the options that give it, for messages */
	const char *file_option;
	int			fd;				/* the fd option's value, or -1 */
	const char *file;			/* the file option's value, or NULL */
	bool		read;			/* text holds the passphrase */
	size_t		len;
	char		text[MAX_PASSPHRASE + 1];
} passphrase_src;

/* the passphrase of the key file read, or of a new one (keygen, protect) */
static passphrase_src pass_cur = {"--passphrase-fd", "--passphrase-file",
-1, NULL, false, 0, {0}};

/* the new passphrase of passwd */
static passphrase_src pass_new = {"--new-passphrase-fd", "--new-passphrase-file",
-1, NULL, false, 0, {0}};

/* Read a line (without its \n or \r\n) from fd byte by byte into out. */
static int
read_line_fd(int fd, const char *name, char *out, size_t cap, size_t *len)
{
	size_t		n = 0;
	char		c;
	ssize_t		r;

	for (;;)
	{
		r = read(fd, &c, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return fail("cannot read the passphrase from %s: %s", name,
						strerror(errno));
		if (r == 0 || c == '\n')
			break;
		if (n == cap)
		{
			sodium_memzero(out, cap);
			return fail("the passphrase from %s is longer than %d bytes", name,
						MAX_PASSPHRASE);
		}
		out[n++] = c;
	}
	if (n > 0 && out[n - 1] == '\r')
		n--;
	*len = n;
	return 0;
}

/*
 * While a prompt has echo off, the signals that end or stop the process
 * put the terminal back first: the handler restores its settings, then
 * takes the signal's default action (SA_RESETHAND | SA_NODEFER); after a
 * stop (Ctrl-Z, then fg) it turns echo off again and repeats the prompt.
 * SIGTTIN and SIGTTOU are left alone: they stop a background process
 * before it changes the terminal or reads from it.
 */
static const int prompt_signals[] = {
	SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGALRM, SIGTSTP
};

#define NPROMPT_SIGNALS ((int) (sizeof prompt_signals / sizeof prompt_signals[0]))

static int	prompt_fd = -1;		/* the terminal, while a prompt is on */
static const char *prompt_text = "";
static struct termios prompt_old;	/* its settings before the prompt */
static struct termios prompt_quiet; /* the same without echo */

/* Write a constant string to the terminal (a courtesy: errors are ignored). */
static void
tty_write(int fd, const char *s)
{
	if (write(fd, s, strlen(s)) < 0)
	{
		/* nothing to do */
	}
}

static void on_prompt_signal(int sig);

/* Catch sig with on_prompt_signal, unless it is ignored; old gets the action before. */
static void
catch_prompt_signal(int sig, struct sigaction *old)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_prompt_signal;
	sa.sa_flags = SA_RESETHAND | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	if (sigaction(sig, NULL, old) == 0 && old->sa_handler != SIG_IGN)
		sigaction(sig, &sa, NULL);
}

/* Async-signal-safe: tcsetattr, write, raise, sigaction and strlen only. */
static void
on_prompt_signal(int sig)
{
	int			saved = errno;
	struct sigaction ignored;

	tcsetattr(prompt_fd, TCSAFLUSH, &prompt_old);
	tty_write(prompt_fd, "\n");
	raise(sig);					/* the default action: end, or stop */
	catch_prompt_signal(sig, &ignored);	/* continued after a stop */
	tcsetattr(prompt_fd, TCSAFLUSH, &prompt_quiet);
	tty_write(prompt_fd, prompt_text);
	errno = saved;
}

/* Prompt on the terminal (echo off) and read a line into out. */
static int
prompt_tty(const passphrase_src *p, const char *prompt, char *out, size_t cap,
		   size_t *len)
{
	int			fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
	struct sigaction old[NPROMPT_SIGNALS];
	bool		quiet = false;
	int			rc;

	if (fd < 0)
		return fail("a passphrase is needed and there is no terminal to ask "
					"for it: use %s N or %s FILE", p->fd_option, p->file_option);
	if (tcgetattr(fd, &prompt_old) == 0)
	{
		prompt_quiet = prompt_old;
		prompt_quiet.c_lflag &= ~(tcflag_t) (ECHO | ECHONL);
		prompt_fd = fd;
		prompt_text = prompt;
		for (int i = 0; i < NPROMPT_SIGNALS; i++)
			catch_prompt_signal(prompt_signals[i], &old[i]);
		quiet = tcsetattr(fd, TCSAFLUSH, &prompt_quiet) == 0;
	}
	tty_write(fd, prompt);		/* after echo is off: nothing typed is lost */
	rc = read_line_fd(fd, "the terminal", out, cap, len);
	if (quiet)
		tcsetattr(fd, TCSAFLUSH, &prompt_old);
	if (prompt_fd >= 0)
	{
		for (int i = 0; i < NPROMPT_SIGNALS; i++)
			if (old[i].sa_handler != SIG_IGN)
				sigaction(prompt_signals[i], &old[i], NULL);
		prompt_fd = -1;
	}
	tty_write(fd, "\n");
	close(fd);
	return rc;
}

/* Get the passphrase p (once per run): from its fd, its file or the
 * terminal; confirm asks twice on a terminal (for a new file). */
static int
get_passphrase(passphrase_src *p, const char *for_what, bool confirm)
{
	char		again[MAX_PASSPHRASE + 1];
	size_t		againlen = 0;
	char		prompt[512];
	int			rc;

	if (p->read)
		return 0;
	if (p->fd >= 0)
		rc = read_line_fd(p->fd, p->fd_option, p->text, MAX_PASSPHRASE, &p->len);
	else if (p->file != NULL)
	{
		FILE	   *f = fopen(p->file, "rb");

		if (f == NULL)
			return fail("cannot open %s: %s", p->file, strerror(errno));
		check_secret_mode(f, p->file);
		rc = read_line_fd(fileno(f), p->file, p->text, MAX_PASSPHRASE, &p->len);
		fclose(f);
	}
	else
	{
		snprintf(prompt, sizeof prompt, "%s passphrase for %s: ",
				 confirm ? "New" : "The", for_what);
		rc = prompt_tty(p, prompt, p->text, MAX_PASSPHRASE, &p->len);
		if (rc == 0 && confirm && p->len > 0)
		{
			rc = prompt_tty(p, "Repeat the passphrase: ", again, MAX_PASSPHRASE,
							&againlen);
			if (rc == 0 && (againlen != p->len ||
							sodium_memcmp(again, p->text, againlen) != 0))
				rc = fail("the two passphrases differ; nothing written");
			sodium_memzero(again, sizeof again);
		}
	}
	if (rc == 0 && p->len == 0)
		rc = fail("the passphrase is empty");
	if (rc != 0)
	{
		sodium_memzero(p->text, sizeof p->text);
		p->len = 0;
		return rc;
	}
	p->read = true;
	return 0;
}

/* Wipe the passphrases. */
static void
wipe_passphrase(void)
{
	sodium_memzero(pass_cur.text, sizeof pass_cur.text);
	sodium_memzero(pass_new.text, sizeof pass_new.text);
	pass_cur.len = pass_new.len = 0;
	pass_cur.read = pass_new.read = false;
}

/* Decode the protected key file text of name and check its header. */
static int
parse_protected(const char *name, const uint8_t *text, size_t len,
				uint8_t file[SP_KF_BYTES], sp_kf_header *h)
{
	int			err = sp_keyfile_text_decode(file, (const char *) text, len);

	if (err == SP_KF_OK)
		err = sp_keyfile_parse(file, SP_KF_BYTES, h);
	if (err != SP_KF_OK)
		return fail("%s: %s", name, sp_keyfile_strerror(err));
	return 0;
}

/*
 * Open the protected key file text of name with the passphrase of pass_cur
 * into secret; it must hold content (0: either kind).  h gets its header.
 */
static int
open_protected(const char *name, const uint8_t *text, size_t len, int content,
			   uint8_t secret[SP_KF_SECRETBYTES], sp_kf_header *h)
{
	uint8_t		file[SP_KF_BYTES];
	int			rc = parse_protected(name, text, len, file, h);
	int			err;

	if (rc == 0 && content != 0 && h->content != content)
		rc = fail("%s is %s; this needs %s", name, content_phrase(h->content),
				  content == SP_KF_INDEX_KEY ? "a search index key" :
				  "a PRE secret key");
	if (rc == 0)
		rc = get_passphrase(&pass_cur, name, false);
	if (rc == 0 &&
		(err = sp_keyfile_open(secret, h, file, sizeof file, pass_cur.text,
							   pass_cur.len)) != SP_KF_OK)
		rc = fail("%s: %s", name, sp_keyfile_strerror(err));
	sodium_memzero(file, sizeof file);
	return rc;
}

/* ---- values ---- */

/* Decode the text form of a value of kind and validate the value fully. */
static int
decode_value(const char *text, size_t len, sp_kind kind, buf *value)
{
	int			err;

	if (buf_reserve(value, sp_text_decoded_max(len)) != 0)
		return EXIT_FAILURE;
	err = sp_text_decode(value->data, value->cap, &value->len, kind,
						 text, len);
	if (err == SP_OK)
		err = sp_validate(kind, value->data, value->len);
	return err == SP_OK ? 0 : fail_invalid(kind, err);
}

/* Refuse the text of name if it holds a value of another kind, saying what it holds. */
static int
check_holds(const char *name, const uint8_t *text, size_t len, sp_kind kind)
{
	int			held = sp_text_kind((const char *) text, len);

	if (sp_keyfile_is_text((const char *) text, len))
		return fail("%s is a passphrase-protected key file (prelocked_); "
					"this needs %s", name, kind_phrase(kind));
	if (held >= 0 && held != (int) kind)
		return fail("%s is %s; this needs %s", name, kind_phrase(held),
					kind_phrase(kind));
	return 0;
}

/* Decode the text of name (a file or standard input) as a value of kind. */
static int
decode_source(const char *name, const buf *text, sp_kind kind, buf *value)
{
	int			rc = check_holds(name, text->data, text->len, kind);

	if (rc == 0)
		rc = decode_value((const char *) text->data, text->len, kind, value);
	return rc;
}

/* Load a value of kind from a file, or from standard input if path is NULL. */
static int
load_value(const char *path, sp_kind kind, buf *value)
{
	buf			text = {0};
	int			rc = read_source(path, &text);

	if (rc == 0)
		rc = decode_source(source_name(path), &text, kind, value);
	buf_free(&text);
	return rc;
}

/* True if arg names an existing file (for the @FILE hint). */
static bool
names_a_file(const char *arg)
{
	struct stat st;

	return arg[0] != '\0' && strchr(arg, '\n') == NULL && stat(arg, &st) == 0 &&
		S_ISREG(st.st_mode);
}

/* Load a value given as an argument: its text form, or @FILE. */
static int
load_arg(const char *arg, sp_kind kind, buf *value)
{
	size_t		len = strlen(arg);
	int			held = sp_text_kind(arg, len);

	if (arg[0] == '@')
		return load_value(arg + 1, kind, value);
	if (held == SP_KIND_SECRET_KEY)
		return fail("secret keys are never accepted on the command line");
	if (held < 0 && names_a_file(arg))
		return fail("the argument is not %s but the name of a file: write "
					"@%s to read the value from it", kind_phrase(kind), arg);
	if (held >= 0 && held != (int) kind)
		return fail("the argument is %s; this needs %s", kind_phrase(held),
					kind_phrase(kind));
	return decode_value(arg, len, kind, value);
}

/* Expand a secret key from its seed. */
static int
expand_secret(sp_secret *key, const uint8_t seed[SP_SEEDBYTES])
{
	int			err = sp_secret_expand(key, seed);

	return err == SP_OK ? 0 : fail_invalid(SP_KIND_SECRET_KEY, err);
}

/* True if text looks like an index key file: 64 hex digits or 32 bytes. */
static bool
looks_like_index_key(const buf *text)
{
	const uint8_t *p = text->data;
	size_t		len = text->len;
	size_t		hex = 0;

	if (len == SP_INDEXKEYBYTES)
		return true;
	while (len > 0 && (p[len - 1] == '\n' || p[len - 1] == ' ' || p[len - 1] == '\r'))
		len--;
	while (hex < len && ((p[hex] >= '0' && p[hex] <= '9') ||
						 (p[hex] >= 'a' && p[hex] <= 'f') ||
						 (p[hex] >= 'A' && p[hex] <= 'F')))
		hex++;
	return hex == len && len == INDEX_KEY_HEX;
}

/* Parse the unprotected key file text of name as a PRE secret key seed. */
static int
parse_seed(const char *name, const buf *text, uint8_t seed[SP_SEEDBYTES])
{
	buf			value = {0};
	int			rc;

	if (sp_text_kind((const char *) text->data, text->len) < 0 &&
		looks_like_index_key(text))
		return fail("%s looks like a search index key; this needs %s", name,
					kind_phrase(SP_KIND_SECRET_KEY));
	rc = decode_source(name, text, SP_KIND_SECRET_KEY, &value);
	if (rc == 0)
		memcpy(seed, value.data, SP_SEEDBYTES);
	buf_free(&value);
	return rc;
}

/* Load the seed of a PRE secret key: presk_ text, or a protected file. */
static int
load_seed(const char *path, uint8_t seed[SP_SEEDBYTES])
{
	const char *name = source_name(path);
	buf			text = {0};
	sp_kf_header h;
	int			rc = read_file(path, true, &text);

	if (rc == 0 && sp_keyfile_is_text((const char *) text.data, text.len))
		rc = open_protected(name, text.data, text.len, SP_KF_PRE_SECRET_KEY,
							seed, &h);
	else if (rc == 0)
		rc = parse_seed(name, &text, seed);
	buf_free(&text);
	return rc;
}

/* Load a secret key from a file (or standard input) and expand it. */
static int
load_secret(const char *path, sp_secret *key)
{
	uint8_t		seed[SP_SEEDBYTES];
	int			rc = load_seed(path, seed);

	if (rc == 0)
		rc = expand_secret(key, seed);
	sodium_memzero(seed, sizeof seed);
	return rc;
}

/* Write bytes to standard output (errors are caught at exit). */
static void
write_out(const void *data, size_t len)
{
	if (len > 0)
		fwrite(data, 1, len, stdout);
}

/* Encode n values of kind, len bytes each, in text form, one per line. */
static int
encode_lines(sp_kind kind, const uint8_t *bin, size_t len, size_t n,
			 buf *text)
{
	size_t		line = sp_text_bytes(kind, len);	/* its NUL becomes \n */
	int			err = SP_OK;

	if (n > SIZE_MAX / line)
		return fail("out of memory");
	if (buf_reserve(text, n * line) != 0)
		return EXIT_FAILURE;
	for (size_t i = 0; err == SP_OK && i < n; i++)
	{
		err = sp_text_encode((char *) text->data + i * line, line, kind,
							 bin + i * len, len);
		text->data[i * line + line - 1] = '\n';
	}
	if (err != SP_OK)
		return fail_sp("cannot encode value", err);
	text->len = n * line;
	return 0;
}

/* Print the text form of a value on its own line of standard output. */
static int
print_value(sp_kind kind, const uint8_t *bin, size_t len)
{
	buf			text = {0};
	int			rc = encode_lines(kind, bin, len, 1, &text);

	if (rc == 0)
		write_out(text.data, text.len);
	buf_free(&text);
	return rc;
}

/* Print the result of a core operation, or report its failure. */
static int
emit(int err, const char *what, sp_kind kind, const uint8_t *bin, size_t len)
{
	if (err != SP_OK)
		return fail_sp(what, err);
	return print_value(kind, bin, len);
}

/* True for ASCII white space. */
static bool
is_space(uint8_t c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' ||
		c == '\r';
}

/* Narrow p/len to the part without surrounding ASCII white space. */
static void
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

/* The value of the option called name of the command, or NULL. */
static const char *
opt(const args *a, const char *name)
{
	for (int o = 0; o < MAX_OPTIONS && a->cmd->options[o].name != NULL; o++)
		if (strcmp(a->cmd->options[o].name, name) == 0)
			return a->opt[o];
	return NULL;
}

/* ---- writing secrets: -o FILE (O_EXCL, mode 0600) or standard output ---- */

/* Refuse early (before any passphrase prompt) an output file that exists. */
static int
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

/* Write len bytes of a secret to a new file (mode 0600) or standard output. */
static int
write_secret(const char *path, const void *data, size_t len)
{
	struct stat st;
	int			fd;

	if (is_stdin(path))			/* "-": standard output */
	{
		if (fstat(fileno(stdout), &st) == 0 && S_ISREG(st.st_mode) &&
			(st.st_mode & (S_IRGRP | S_IROTH)) != 0)
			warn("warning: standard output is a file that group or others can "
				 "read (mode %04o); use -o FILE, which creates it with mode 0600",
				 (unsigned) (st.st_mode & 07777));
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

/* Print the text form of a core operation's result, or write it (a secret)
 * to the new file path (-o; NULL: standard output). */
static int
emit_to(const char *path, int err, const char *what, sp_kind kind,
		const uint8_t *bin, size_t len)
{
	buf			text = {0};
	int			rc;

	if (path == NULL)
		return emit(err, what, kind, bin, len);
	if (err != SP_OK)
		return fail_sp(what, err);
	rc = encode_lines(kind, bin, len, 1, &text);
	if (rc == 0)
		rc = write_secret(path, text.data, text.len);
	buf_free(&text);
	return rc;
}

/* Check, before any prompt, that path is a key file that can be replaced. */
static int
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
static int
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

/* Parse --pwhash-limits: interactive, moderate (the default) or sensitive. */
static int
pwhash_limits(const char *name, uint64_t *ops, uint64_t *mem)
{
	if (name == NULL || strcmp(name, "moderate") == 0)
	{
		*ops = crypto_pwhash_OPSLIMIT_MODERATE;
		*mem = crypto_pwhash_MEMLIMIT_MODERATE;
	}
	else if (strcmp(name, "interactive") == 0)
	{
		*ops = crypto_pwhash_OPSLIMIT_INTERACTIVE;
		*mem = crypto_pwhash_MEMLIMIT_INTERACTIVE;
	}
	else if (strcmp(name, "sensitive") == 0)
	{
		*ops = crypto_pwhash_OPSLIMIT_SENSITIVE;
		*mem = crypto_pwhash_MEMLIMIT_SENSITIVE;
	}
	else
		return usage_fail("--pwhash-limits is interactive, moderate or sensitive");
	return 0;
}

/*
 * The text of a key file that holds the 32-byte secret of content: a
 * presk_ line or 64 hex digits, or, with a passphrase pass (read), a
 * prelocked_ line sealed with Argon2id limits ops and mem.
 */
static int
key_file_text(int content, const uint8_t secret[SP_KF_SECRETBYTES],
			  const passphrase_src *pass, uint64_t ops, uint64_t mem, buf *text)
{
	uint8_t		file[SP_KF_BYTES];
	uint8_t		salt[SP_KF_SALTBYTES];
	uint8_t		nonce[SP_KF_NONCEBYTES];
	int			err;

	if (pass == NULL && content == SP_KF_PRE_SECRET_KEY)
		return encode_lines(SP_KIND_SECRET_KEY, secret, SP_SEEDBYTES, 1, text);
	if (buf_reserve(text, SP_KF_TEXTBYTES) != 0)
		return EXIT_FAILURE;
	if (pass == NULL)
	{
		sodium_bin2hex((char *) text->data, INDEX_KEY_HEX + 1, secret,
					   SP_INDEXKEYBYTES);
		text->data[INDEX_KEY_HEX] = '\n';
		text->len = INDEX_KEY_HEX + 1;
		return 0;
	}
	sp_random_bytes(salt, sizeof salt);
	sp_random_bytes(nonce, sizeof nonce);
	err = sp_keyfile_seal(file, content, secret, pass->text, pass->len, ops,
						  mem, salt, nonce);
	if (err == SP_KF_OK)
		err = sp_keyfile_text_encode((char *) text->data, file);
	sodium_memzero(file, sizeof file);
	if (err != SP_KF_OK)
		return fail("cannot protect the key: %s", sp_keyfile_strerror(err));
	text->data[SP_KF_TEXTBYTES - 1] = '\n';	/* in place of the NUL */
	text->len = SP_KF_TEXTBYTES;
	return 0;
}

/* Write a new 32-byte secret of content as text (plain or protected). */
static int
save_new_secret(const args *a, int content, const uint8_t secret[32])
{
	const char *path = opt(a, "-o");
	bool		protect = opt(a, "--protect") != NULL;
	uint64_t	ops = 0,
				mem = 0;
	buf			text = {0};
	int			rc;

	if (!protect && (opt(a, "--passphrase-fd") != NULL ||
					 opt(a, "--passphrase-file") != NULL ||
					 opt(a, "--pwhash-limits") != NULL))
		return usage_fail("a passphrase option needs --protect");
	rc = pwhash_limits(opt(a, "--pwhash-limits"), &ops, &mem);
	if (rc == 0)
		rc = check_new_file(path);
	if (rc == 0 && protect)
		rc = get_passphrase(&pass_cur, is_stdin(path) ? "the new key" : path,
							true);
	if (rc == 0)
		rc = key_file_text(content, secret, protect ? &pass_cur : NULL, ops,
						   mem, &text);
	if (rc == 0)
		rc = write_secret(path, text.data, text.len);
	buf_free(&text);
	return rc;
}

/* ---- commands ---- */

/* Write 32 new random bytes as a secret of the given content. */
static int
save_random_secret(const args *a, int content)
{
	uint8_t		secret[SP_SEEDBYTES];	/* = SP_INDEXKEYBYTES */
	int			rc;

	sp_random_bytes(secret, sizeof secret);
	rc = save_new_secret(a, content, secret);
	sodium_memzero(secret, sizeof secret);
	return rc;
}

/* keygen: write a new random secret key. */
static int
cmd_keygen(const args *a)
{
	return save_random_secret(a, SP_KF_PRE_SECRET_KEY);
}

/* index-keygen: write a new random 32-byte search index key. */
static int
cmd_index_keygen(const args *a)
{
	return save_random_secret(a, SP_KF_INDEX_KEY);
}

/* pubkey: print the public key of a secret key (standard input by default). */
static int
cmd_pubkey(const args *a)
{
	sp_secret	key;
	int			rc;

	rc = load_secret(opt(a, "--secret-key"), &key);
	if (rc == 0)
		rc = print_value(SP_KIND_PUBLIC_KEY, key.pk, sizeof key.pk);
	sp_secret_wipe(&key);
	return rc;
}

/* Encrypt m for the public key pk at level 1 into ct, freshly random. */
static int
encrypt_for_aad(const uint8_t *pk, const uint8_t *m, size_t mlen,
				const uint8_t *aad, size_t aadlen, buf *ct)
{
	size_t		ctlen = sp_ciphertext_bytes(1, aadlen, mlen);
	uint8_t		r[SP_SCALARBYTES];
	uint8_t		u[SP_SCALARBYTES];
	uint8_t		nonce[SP_NONCEBYTES];
	int			err;

	if (ctlen == 0)
		return fail_sp("cannot encrypt", SP_ETOOLONG);
	if (buf_reserve(ct, ctlen) != 0)
		return EXIT_FAILURE;
	sp_random_scalar(r);
	sp_random_scalar(u);
	sp_random_bytes(nonce, sizeof nonce);
	err = sp_encrypt(ct->data, ctlen, pk, m, mlen, aad, aadlen, r, u, nonce);
	sodium_memzero(r, sizeof r);
	sodium_memzero(u, sizeof u);
	if (err != SP_OK)
		return fail_sp("cannot encrypt", err);
	ct->len = ctlen;
	return 0;
}

/* encrypt_for_aad with a text aad */
static int
encrypt_for(const uint8_t *pk, const uint8_t *m, size_t mlen, const char *aad,
			buf *ct)
{
	return encrypt_for_aad(pk, m, mlen, (const uint8_t *) aad, strlen(aad), ct);
}

/* encrypt: encrypt standard input for a public key (level 1). */
static int
cmd_encrypt(const args *a)
{
	const char *aad = opt(a, "--aad") != NULL ? opt(a, "--aad") : "";
	buf			pk = {0};
	buf			m = {0};
	buf			ct = {0};
	int			rc;

	rc = load_arg(a->pos[0], SP_KIND_PUBLIC_KEY, &pk);
	if (rc == 0)
		rc = read_source(NULL, &m);
	if (rc == 0)
		rc = encrypt_for(pk.data, m.data, m.len, aad, &ct);
	if (rc == 0)
		rc = print_value(SP_KIND_CIPHERTEXT, ct.data, ct.len);
	buf_free(&pk);
	buf_free(&m);
	buf_free(&ct);
	return rc;
}

/* Parse a --not-after value: Unix seconds, decimal digits only. */
static int
parse_not_after(const char *text, int64_t *not_after)
{
	char	   *end;
	long long	v;

	if (text == NULL)
		return 0;
	errno = 0;
	v = strtoll(text, &end, 10);
	if (text[0] < '0' || text[0] > '9' || *end != '\0' || errno != 0)
		return usage_fail("--not-after needs non-negative Unix seconds");
	*not_after = (int64_t) v;
	return 0;
}

/*
 * A new grant from -> to (fresh x), sealed to seal_key when it is not NULL
 * (fresh ephemeral seed); grant is wiped unless unsealed output is wanted.
 */
static int
make_grant(uint8_t grant[SP_GRANTBYTES], uint8_t sealed[SP_SEALEDBYTES],
		   const sp_secret *from, const uint8_t *to, int64_t not_after,
		   const uint8_t *seal_key)
{
	uint8_t		x[SP_SCALARBYTES];
	uint8_t		seed[SP_SEALSEEDBYTES];
	int			err;

	sp_random_scalar(x);
	err = sp_grant(grant, from, to, not_after, x);
	if (err == SP_OK && seal_key != NULL)
	{
		randombytes_buf(seed, sizeof seed);
		err = sp_seal_grant(sealed, grant, seal_key, seed);
		sodium_memzero(grant, SP_GRANTBYTES);
	}
	sodium_memzero(x, sizeof x);
	sodium_memzero(seed, sizeof seed);
	return err;
}

/* A new grant from -> to, sealed to seal_key. */
static int
seal_new_grant(uint8_t sealed[SP_SEALEDBYTES], const sp_secret *from,
			   const uint8_t *to, int64_t not_after, const uint8_t *seal_key)
{
	uint8_t		grant[SP_GRANTBYTES];

	return make_grant(grant, sealed, from, to, not_after, seal_key);
}

/* grant: make a grant from the key on standard input to a public key. */
static int
cmd_grant(const args *a)
{
	sp_secret	from;
	buf			to = {0};
	uint8_t		grant[SP_GRANTBYTES];
	uint8_t		sealed[SP_SEALEDBYTES];
	buf			seal_key = {0};
	int64_t		not_after = 0;
	bool		have_from = false;
	int			err;
	int			rc;

	rc = parse_not_after(opt(a, "--not-after"), &not_after);
	if (rc == 0)
		rc = check_new_file(opt(a, "-o"));
	if (rc == 0)
		rc = load_arg(a->pos[0], SP_KIND_PUBLIC_KEY, &to);
	if (rc == 0)
	{
		rc = load_secret(opt(a, "--secret-key"), &from);
		have_from = rc == 0;
	}
	if (rc == 0 && opt(a, "--seal-to") != NULL)
		rc = load_arg(opt(a, "--seal-to"), SP_KIND_SEAL_KEY, &seal_key);
	if (rc == 0)
	{
		err = make_grant(grant, sealed, &from, to.data, not_after, seal_key.data);
		if (seal_key.data == NULL)
			rc = emit_to(opt(a, "-o"), err, "cannot make grant", SP_KIND_GRANT,
						 grant, sizeof grant);
		else
			rc = emit_to(opt(a, "-o"), err, "cannot make a sealed grant",
						 SP_KIND_SEALED_GRANT, sealed, sizeof sealed);
	}
	sodium_memzero(grant, sizeof grant);
	if (have_from)
		sp_secret_wipe(&from);
	buf_free(&to);
	buf_free(&seal_key);
	return rc;
}

/* reencrypt: re-encrypt the ciphertext on standard input with a grant. */
static int
cmd_reencrypt(const args *a)
{
	buf			grant = {0};
	buf			ct = {0};
	buf			out = {0};
	int			rc;

	rc = load_arg(a->pos[0], SP_KIND_GRANT, &grant);
	if (rc == 0)
		rc = load_value(NULL, SP_KIND_CIPHERTEXT, &ct);
	if (rc == 0)
		rc = buf_reserve(&out, ct.len + SP_HOPBYTES);
	if (rc == 0)
		rc = emit(sp_reencrypt(out.data, out.cap, ct.data, ct.len,
							   grant.data),
				  "cannot re-encrypt", SP_KIND_CIPHERTEXT, out.data, out.cap);
	buf_free(&grant);
	buf_free(&ct);
	buf_free(&out);
	return rc;
}

/* Refuse "-" for a key file when standard input holds the data. */
static int
key_not_stdin(const char *path, const char *option, const char *data)
{
	if (path != NULL && strcmp(path, "-") == 0)
		return usage_fail("%s - would read standard input, which holds %s",
						  option, data);
	return 0;
}

/*
 * Decrypt one validated ciphertext into m (sized here); the one place that
 * decrypts a value, so that a decryption context can be plugged in.
 */
/* paths remembered by decrypt --batch */
#define BATCH_PATHS 256
static sp_dctx *batch_ctx = NULL;
/* paths whose hop bytes decrypt --batch found valid (public data) */
static sp_vcache *batch_valid = NULL;

static int
decrypt_value(const sp_secret *key, const buf *ct, buf *m)
{
	if (buf_reserve(m, sp_plaintext_bytes(ct->data, ct->len)) != 0)
		return SP_ENOMEM;
	return sp_decrypt_cached(m->data, m->cap, &m->len, ct->data, ct->len, key,
							 batch_ctx);
}

/*
 * The decryption context of decrypt --batch: values on one path cost one
 * scalar multiplication each (sp_cache.h).  Without memory for it, every
 * value is decrypted on its own (same bytes).
 */
static void
batch_ctx_open(void)
{
	size_t		bytes = sp_dctx_bytes(BATCH_PATHS),
				vbytes = sp_vcache_bytes(BATCH_PATHS);

	batch_ctx = malloc(bytes);
	if (batch_ctx != NULL && sp_dctx_init(batch_ctx, bytes, BATCH_PATHS) != SP_OK)
	{
		free(batch_ctx);
		batch_ctx = NULL;
	}
	/* and the validation of values on known paths: same codes without it */
	batch_valid = malloc(vbytes);
	if (batch_valid != NULL &&
		sp_vcache_init(batch_valid, vbytes, BATCH_PATHS) != SP_OK)
	{
		free(batch_valid);
		batch_valid = NULL;
	}
}

static void
batch_ctx_close(void)
{
	if (batch_valid != NULL)
	{
		sp_vcache_wipe(batch_valid);
		free(batch_valid);
		batch_valid = NULL;
	}
	if (batch_ctx == NULL)
		return;
	sp_dctx_wipe(batch_ctx);
	free(batch_ctx);
	batch_ctx = NULL;
}

/* Append the JSON string of a constant ASCII message (escaped) to b. */
static int
append_json_string(buf *b, const char *s)
{
	size_t		need = 2 * strlen(s) + 3;

	if (b->cap - b->len < need && buf_reserve(b, b->len + need) != 0)
		return EXIT_FAILURE;
	b->data[b->len++] = '"';
	for (; *s != '\0'; s++)
	{
		if (*s == '"' || *s == '\\')
			b->data[b->len++] = '\\';
		b->data[b->len++] = (uint8_t) ((unsigned char) *s < 0x20 ? ' ' : *s);
	}
	b->data[b->len++] = '"';
	return 0;
}

/* The JSON line of one batch result: the plaintext m or the error. */
static int
batch_result(size_t n, const char *error, const buf *m, buf *line)
{
	size_t		b64 = m != NULL ? sodium_base64_ENCODED_LEN(m->len, BODY_BASE64) : 0;
	char		head[64];
	int			len;
	int			rc;

	len = snprintf(head, sizeof head, "{\"n\":%zu,\"ok\":%s,\"%s\":", n,
				   error == NULL ? "true" : "false",
				   error == NULL ? "plaintext" : "error");
	line->len = 0;
	if (buf_reserve(line, (size_t) len + b64 + 2 * (error ? strlen(error) : 0) + 8) != 0)
		return EXIT_FAILURE;
	memcpy(line->data, head, (size_t) len);
	line->len = (size_t) len;
	if (error != NULL)
		rc = append_json_string(line, error);
	else
	{
		line->data[line->len++] = '"';
		sodium_bin2base64((char *) line->data + line->len, b64,
						  m->len > 0 ? m->data : (const uint8_t *) "", m->len,
						  BODY_BASE64);
		line->len += b64 - 1;
		line->data[line->len++] = '"';
		rc = 0;
	}
	if (rc == 0)
	{
		line->data[line->len++] = '}';
		line->data[line->len++] = '\n';
	}
	return rc;
}

/* Decrypt one line of a batch; the error message (constant) or NULL. */
static const char *
batch_one(const sp_secret *key, const uint8_t *text, size_t len, buf *ct,
		  buf *m, char *why, size_t whysize)
{
	int			held;
	int			err;

	trim(&text, &len);
	if (len == 0)
		return "empty line";
	held = sp_text_kind((const char *) text, len);
	if (held != SP_KIND_CIPHERTEXT)
	{
		snprintf(why, whysize, "not a ciphertext: the line is %s",
				 held >= 0 ? kind_phrase(held) : "no secant_pre value");
		return why;
	}
	ct->len = 0;				/* nothing to keep from the last line */
	if (buf_reserve(ct, sp_text_decoded_max(len)) != 0)
		return "out of memory";
	err = sp_text_decode(ct->data, ct->cap, &ct->len, SP_KIND_CIPHERTEXT,
						 (const char *) text, len);
	if (err == SP_OK)
		err = sp_ciphertext_validate_path(ct->data, ct->len, batch_valid);
	if (err != SP_OK)
	{
		snprintf(why, whysize, "invalid pre_ciphertext: %s", sp_strerror(err));
		return why;
	}
	err = decrypt_value(key, ct, m);
	if (err != SP_OK)
	{
		buf_free(m);
		snprintf(why, whysize, "cannot decrypt: %s", sp_strerror(err));
		return why;
	}
	return NULL;
}

/* decrypt --batch: one ciphertext per line in, one JSON line per input out. */
static int
decrypt_batch(const sp_secret *key)
{
	char	   *line = NULL;
	size_t		cap = 0;
	ssize_t		len;
	size_t		n = 0;
	size_t		failed = 0;
	buf			ct = {0};
	buf			m = {0};
	buf			out = {0};
	char		why[256];
	int			rc = 0;

	/*
	 * Ciphertexts only: a stdio buffer may hold them (the key came from a
	 * file).  The buffer is given: main made stdin unbuffered, and glibc
	 * would keep that one-byte buffer for a NULL one (a read() per byte).
	 */
	static char inbuf[READ_CHUNK];

	setvbuf(stdin, inbuf, _IOFBF, sizeof inbuf);
	notice_terminal_stdin();
	batch_ctx_open();
	while (rc == 0 && (len = getline(&line, &cap, stdin)) >= 0)
	{
		const char *error;

		n++;
		if ((size_t) len > MAX_INPUT_BYTES)
			error = "line longer than 1 GiB";
		else
			error = batch_one(key, (const uint8_t *) line, (size_t) len, &ct,
							  &m, why, sizeof why);
		if (error != NULL)
			failed++;
		rc = batch_result(n, error, error == NULL ? &m : NULL, &out);
		if (rc == 0)
			write_out(out.data, out.len);
		buf_free(&m);
		buf_free(&out);
	}
	if (rc == 0 && ferror(stdin))
		rc = fail("cannot read standard input: %s", strerror(errno));
	if (line != NULL)
	{
		sodium_memzero(line, cap);
		free(line);
	}
	buf_free(&ct);
	batch_ctx_close();
	if (rc == 0 && failed > 0)
		rc = fail("%zu of %zu values could not be decrypted (see the JSON lines)",
				  failed, n);
	return rc;
}

/* decrypt: write the plaintext of the ciphertext on standard input. */
static int
cmd_decrypt(const args *a)
{
	sp_secret	key;
	buf			ct = {0};
	buf			m = {0};
	int			rc;
	int			err;

	rc = key_not_stdin(opt(a, "--secret-key"), "--secret-key", "the ciphertext");
	if (rc == 0)
		rc = load_secret(opt(a, "--secret-key"), &key);
	if (rc == 0 && opt(a, "--batch") != NULL)
	{
		rc = decrypt_batch(&key);
		sp_secret_wipe(&key);
		return rc;
	}
	if (rc == 0)
		rc = load_value(NULL, SP_KIND_CIPHERTEXT, &ct);
	if (rc == 0)
	{
		err = decrypt_value(&key, &ct, &m);
		if (err == SP_OK)
			write_out(m.data, m.len);
		else
			rc = fail_sp("cannot decrypt", err);
	}
	sp_secret_wipe(&key);
	buf_free(&ct);
	buf_free(&m);
	return rc;
}

/* ---- envelopes ---- */

/* Seal m with the data key into the text line of a v2 body. */
static int
seal_body(const uint8_t *data_key, const buf *key_ct, const buf *m,
		  buf *text)
{
	size_t		n = sp_envelope_body_bytes(SP_ENVELOPE_V2, m->len);
	size_t		textcap = sodium_base64_ENCODED_LEN(n, BODY_BASE64);
	uint8_t		nonce[SP_ENVELOPE_NONCEBYTES];
	buf			body = {0};
	int			rc = 0;

	if (n == 0 || textcap > MAX_INPUT_BYTES)	/* open could not read it */
		rc = fail_sp("cannot seal", SP_ETOOLONG);
	if (rc == 0)
		rc = buf_reserve(&body, n);
	if (rc == 0)
		rc = buf_reserve(text, textcap);
	if (rc == 0)
	{
		int			err;

		sp_random_bytes(nonce, sizeof nonce);
		err = sp_envelope_seal(body.data, n, SP_ENVELOPE_V2, data_key, nonce,
							   key_ct->data, key_ct->len, m->data, m->len);
		if (err != SP_OK)
			rc = fail_sp("cannot seal", err);
	}
	if (rc == 0)
	{
		sodium_bin2base64((char *) text->data, textcap, body.data, n,
						  BODY_BASE64);
		text->data[textcap - 1] = '\n';	/* in place of the NUL */
		text->len = textcap;
	}
	buf_free(&body);
	return rc;
}

/* Decode a body's text form (unpadded base64url) into body. */
static int
decode_body(const char *name, const uint8_t *p, size_t len, buf *body)
{
	const char *end = NULL;
	int			rc = buf_reserve(body, sp_text_decoded_max(len));

	if (rc == 0 &&
		(sodium_base642bin(body->data, body->cap, (const char *) p, len, NULL,
						   &body->len, &end, BODY_BASE64) != 0 ||
		 end != (const char *) p + len ||
		 sp_envelope_version(body->data, body->len) < 0))
		rc = fail("%s: not a body: unpadded base64url of at least %d bytes "
				  "expected", name, (int) SP_ENVELOPE_V1_OVERHEAD);
	return rc;
}

/* Load a body from a file: unpadded base64url, white space around ignored. */
static int
load_body(const char *path, buf *body)
{
	buf			text = {0};
	const uint8_t *p;
	size_t		len;
	int			rc = read_source(path, &text);

	if (rc != 0)
		return rc;
	p = text.data;
	len = text.len;
	trim(&p, &len);
	rc = decode_body(path, p, len, body);
	buf_free(&text);
	return rc;
}

/* Open a body (v1 or v2) with the data key into m; m stays empty on failure. */
static int
open_body(const uint8_t *data_key, const buf *key_ct, const buf *body,
		  buf *m)
{
	int			rc = buf_reserve(m, sp_envelope_plaintext_bytes(body->len));
	int			err;

	if (rc != 0)
		return rc;
	err = sp_envelope_open(m->data, m->cap, &m->len, NULL, data_key,
						   key_ct->data, key_ct->len, body->data, body->len);
	if (err != SP_OK)
		return fail_sp("cannot open the body", err);
	return 0;
}

/* seal: print a key ciphertext and a body for standard input. */
static int
cmd_seal(const args *a)
{
	const char *aad = opt(a, "--aad") != NULL ? opt(a, "--aad") : "";
	uint8_t		data_key[SP_ENVELOPE_KEYBYTES];
	buf			pk = {0};
	buf			m = {0};
	buf			key_ct = {0};
	buf			key_text = {0};
	buf			body_text = {0};
	int			rc;

	sp_random_bytes(data_key, sizeof data_key);
	rc = load_arg(a->pos[0], SP_KIND_PUBLIC_KEY, &pk);
	if (rc == 0)
		rc = read_source(NULL, &m);
	if (rc == 0)
		rc = encrypt_for(pk.data, data_key, sizeof data_key, aad, &key_ct);
	if (rc == 0)
		rc = seal_body(data_key, &key_ct, &m, &body_text);
	if (rc == 0)
		rc = encode_lines(SP_KIND_CIPHERTEXT, key_ct.data, key_ct.len, 1,
						  &key_text);
	if (rc == 0)
	{
		write_out(key_text.data, key_text.len);
		write_out(body_text.data, body_text.len);
	}
	sodium_memzero(data_key, sizeof data_key);
	buf_free(&pk);
	buf_free(&m);
	buf_free(&key_ct);
	buf_free(&key_text);
	buf_free(&body_text);
	return rc;
}

/* open: decrypt the key ciphertext on standard input, then write the body. */
static int
cmd_open(const args *a)
{
	sp_secret	key;
	uint8_t		data_key[SP_ENVELOPE_KEYBYTES];
	size_t		data_keylen = 0;
	buf			key_ct = {0};
	buf			body = {0};
	buf			m = {0};
	int			rc;
	int			err;

	rc = key_not_stdin(opt(a, "--secret-key"), "--secret-key",
					   "the key ciphertext");
	if (rc == 0)
		rc = key_not_stdin(opt(a, "--body"), "--body", "the key ciphertext");
	if (rc == 0)
		rc = load_secret(opt(a, "--secret-key"), &key);
	if (rc == 0)
		rc = load_value(NULL, SP_KIND_CIPHERTEXT, &key_ct);
	if (rc == 0)
		rc = load_body(opt(a, "--body"), &body);
	if (rc == 0 &&
		sp_plaintext_bytes(key_ct.data, key_ct.len) != SP_ENVELOPE_KEYBYTES)
		rc = fail("the ciphertext does not hold a %d-byte data key",
				  SP_ENVELOPE_KEYBYTES);
	if (rc == 0 &&
		(err = sp_decrypt(data_key, sizeof data_key, &data_keylen,
						  key_ct.data, key_ct.len, &key)) != SP_OK)
		rc = fail_sp("cannot decrypt the data key", err);
	if (rc == 0)
		rc = open_body(data_key, &key_ct, &body, &m);
	if (rc == 0)
		write_out(m.data, m.len);
	sodium_memzero(data_key, sizeof data_key);
	sp_secret_wipe(&key);
	buf_free(&key_ct);
	buf_free(&body);
	buf_free(&m);
	return rc;
}

/* Parse the unprotected key file text of name as an index key: 64 hex
 * digits (white space trimmed) or 32 raw bytes. */
static int
parse_index_key(const char *name, const buf *file, uint8_t key[SP_INDEXKEYBYTES])
{
	const uint8_t *hex = file->data;
	size_t		hexlen = file->len;
	size_t		binlen = 0;
	const char *end = NULL;
	int			held = sp_text_kind((const char *) file->data, file->len);

	trim(&hex, &hexlen);
	if (file->len == SP_INDEXKEYBYTES)
		memcpy(key, file->data, SP_INDEXKEYBYTES);
	else if (held >= 0)
		return fail("%s is %s; this needs a search index key (64 hex digits, "
					"32 raw bytes or a protected index key file)", name,
					kind_phrase(held));
	else if (hexlen != INDEX_KEY_HEX ||
			 sodium_hex2bin(key, SP_INDEXKEYBYTES, (const char *) hex, hexlen,
							NULL, &binlen, &end) != 0 ||
			 binlen != SP_INDEXKEYBYTES || end != (const char *) hex + hexlen)
		return fail("%s: an index key file holds 64 hex digits or 32 raw bytes",
					name);
	return 0;
}

/* Load an index key: an unprotected key file, or a protected one. */
static int
load_index_key(const char *path, uint8_t key[SP_INDEXKEYBYTES])
{
	buf			file = {0};
	const char *name = source_name(path);
	sp_kf_header h;
	int			rc = read_file(path, true, &file);

	if (rc == 0 && file.len != SP_INDEXKEYBYTES &&
		sp_keyfile_is_text((const char *) file.data, file.len))
		rc = open_protected(name, file.data, file.len, SP_KF_INDEX_KEY, key, &h);
	else if (rc == 0)
		rc = parse_index_key(name, &file, key);
	buf_free(&file);
	return rc;
}

/* The normaliser's scratch space (wiped by sp_text_free_work). */
static sp_text_work *
new_text_work(void)
{
	sp_text_work *work = malloc(sizeof(sp_text_work));

	if (work == NULL)
		fail("out of memory");
	else
		work->stop = NULL;
	return work;
}

/* Wipe and free the normaliser's scratch space. */
static void
free_text_work(sp_text_work *work)
{
	if (work != NULL)
	{
		sp_text_wipe(work);
		free(work);
	}
}

/* True if a normalised word holds white space inside. */
static bool
has_space(const uint8_t *word, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (is_space(word[i]))
			return true;
	return false;
}

/* token: print the search token of each word. */
static int
cmd_token(const args *a)
{
	uint8_t		key[SP_INDEXKEYBYTES];
	uint8_t		token[SP_TOKENBYTES];
	sp_text_work *work = new_text_work();
	const uint8_t *word;
	size_t		len = 0;
	int			rc = work == NULL ? EXIT_FAILURE : 0;
	int			err;

	if (rc == 0)
		rc = load_index_key(opt(a, "--index-key"), key);
	for (int i = 0; rc == 0 && i < a->npos; i++)
	{
		err = sp_text_normalise(work, (const uint8_t *) a->pos[i],
								strlen(a->pos[i]), &word, &len);
		if (err != SP_OK)
			rc = fail_sp("cannot normalise a keyword", err);
		else if (len == 0)
			rc = fail("a keyword is empty");
		else if (has_space(word, len))
			rc = usage_fail("word %d holds white space, and its token would "
							"match no word of a document: give one word per "
							"argument, or use 'secant-pre tokens' to split a text",
							i + 1);
		else
			rc = emit(sp_token(token, key, word, len), "cannot make token",
					  SP_KIND_TOKEN, token, sizeof token);
	}
	sodium_memzero(key, sizeof key);
	free_text_work(work);
	return rc;
}

/* The tokens of a document's words, gathered by add_word_token. */
typedef struct token_list
{
	const uint8_t *key;
	buf			tokens;			/* SP_TOKENBYTES bytes each */
} token_list;

/* sp_word_fn: append the token of one word; 0 or exit status 1. */
static int
add_word_token(void *arg, const uint8_t *word, size_t len)
{
	token_list *list = arg;
	buf		   *b = &list->tokens;
	int			err;

	if (b->len == b->cap && b->cap > SIZE_MAX / 2)
		return fail("out of memory");
	if (b->len == b->cap &&
		buf_reserve(b, b->cap > 0 ? 2 * b->cap : READ_CHUNK) != 0)
		return EXIT_FAILURE;
	err = sp_token(b->data + b->len, list->key, word, len);
	if (err != SP_OK)
		return fail_sp("cannot make token", err);
	b->len += SP_TOKENBYTES;
	return 0;
}

/* tokens: print the distinct tokens of a document, sorted by their bytes. */
static int
cmd_tokens(const args *a)
{
	uint8_t		key[SP_INDEXKEYBYTES];
	token_list	list = {key, {0}};
	buf			doc = {0};
	buf			text = {0};
	sp_text_work *work = new_text_work();
	size_t		n = 0;
	int			rc;

	rc = work == NULL ? EXIT_FAILURE :
		key_not_stdin(opt(a, "--index-key"), "--index-key", "the document");
	if (rc == 0)
		rc = load_index_key(opt(a, "--index-key"), key);
	if (rc == 0)
		rc = read_source(NULL, &doc);
	if (rc == 0)
		rc = sp_text_words(work, doc.data, doc.len, opt(a, "--prefixes") != NULL,
						   add_word_token, &list);
	if (rc < 0)					/* from sp_text_words, not yet reported */
		rc = fail_sp("cannot normalise the document", rc);
	if (rc == 0)
		n = sp_tokens_sort_unique((void *) list.tokens.data,
								  list.tokens.len / SP_TOKENBYTES);
	if (rc == 0)
		rc = encode_lines(SP_KIND_TOKEN, list.tokens.data, SP_TOKENBYTES, n,
						  &text);
	if (rc == 0)
		write_out(text.data, text.len);
	sodium_memzero(key, sizeof key);
	free_text_work(work);
	buf_free(&doc);
	buf_free(&list.tokens);
	buf_free(&text);
	return rc;
}

/* ---- key files: passwd, protect, unprotect ---- */

/* Parse the unprotected key file text of name: a PRE secret key or an index key. */
static int
parse_plain_key(const char *name, const buf *text,
				uint8_t secret[SP_KF_SECRETBYTES], int *content)
{
	int			held = sp_text_kind((const char *) text->data, text->len);

	if (held == SP_KIND_SECRET_KEY)
	{
		*content = SP_KF_PRE_SECRET_KEY;
		return parse_seed(name, text, secret);
	}
	if (held < 0 && looks_like_index_key(text))
	{
		*content = SP_KF_INDEX_KEY;
		return parse_index_key(name, text, secret);
	}
	if (held >= 0)
		return fail("%s is %s; this needs a key file (a PRE secret key or a "
					"search index key)", name, kind_phrase(held));
	return fail("%s holds no key: a presk_ line, a search index key (64 hex "
				"digits or 32 raw bytes) or a prelocked_ file expected", name);
}

/* How a key file's passphrase protection changes. */
typedef enum protection_change
{
	PROTECTION_ADD,				/* protect */
	PROTECTION_CHANGE,			/* passwd */
	PROTECTION_REMOVE			/* unprotect */
} protection_change;

/*
 * Rewrite the key file a->pos[0] with its protection changed: opened with
 * the current passphrase (pass_cur) if it has one, written with the new
 * one (protect: pass_cur, passwd: pass_new) or none, in place (atomically)
 * or to -o FILE.  Every check and prompt comes before anything is written.
 */
static int
change_protection(const args *a, protection_change how)
{
	const char *path = a->pos[0];
	const char *out = opt(a, "-o");
	const char *limits = opt(a, "--pwhash-limits");
	passphrase_src *newpass = how == PROTECTION_ADD ? &pass_cur : &pass_new;
	uint8_t		secret[SP_KF_SECRETBYTES];
	sp_kf_header h = {0, 0, 0};
	uint64_t	ops = 0,
				mem = 0;
	int			content = 0;
	bool		locked = false;
	buf			text = {0};
	buf			newtext = {0};
	int			rc;

	rc = pwhash_limits(limits, &ops, &mem);
	if (rc == 0)
		rc = out == NULL ? check_replaceable(path) : check_new_file(out);
	if (rc == 0)
		rc = read_file(path, true, &text);
	if (rc == 0)
		locked = text.len != SP_INDEXKEYBYTES &&
			sp_keyfile_is_text((const char *) text.data, text.len);
	if (rc == 0 && locked && how == PROTECTION_ADD)
		rc = fail("%s is already passphrase-protected; 'secant-pre passwd %s' "
				  "changes its passphrase", source_name(path), source_name(path));
	else if (rc == 0 && !locked && how != PROTECTION_ADD)
		rc = fail("%s is not passphrase-protected; 'secant-pre protect %s' "
				  "protects it", source_name(path), source_name(path));
	else if (rc == 0 && locked)
	{
		rc = open_protected(source_name(path), text.data, text.len, 0, secret, &h);
		content = h.content;
		if (limits == NULL)		/* passwd keeps the file's cost */
		{
			ops = h.opslimit;
			mem = h.memlimit;
		}
	}
	else if (rc == 0)
		rc = parse_plain_key(source_name(path), &text, secret, &content);
	if (rc == 0 && how != PROTECTION_REMOVE)
		rc = get_passphrase(newpass, out != NULL && !is_stdin(out) ? out :
							source_name(path), true);
	if (rc == 0)
		rc = key_file_text(content, secret,
						   how == PROTECTION_REMOVE ? NULL : newpass, ops, mem,
						   &newtext);
	if (rc == 0)
		rc = out != NULL ? write_secret(out, newtext.data, newtext.len) :
			replace_secret(path, newtext.data, newtext.len);
	sodium_memzero(secret, sizeof secret);
	buf_free(&text);
	buf_free(&newtext);
	return rc;
}

/* protect FILE: add a passphrase to an unprotected key file. */
static int
cmd_protect(const args *a)
{
	return change_protection(a, PROTECTION_ADD);
}

/* passwd FILE: change the passphrase of a protected key file. */
static int
cmd_passwd(const args *a)
{
	return change_protection(a, PROTECTION_CHANGE);
}

/* unprotect FILE: remove the passphrase of a protected key file. */
static int
cmd_unprotect(const args *a)
{
	return change_protection(a, PROTECTION_REMOVE);
}

/* ---- inspect ---- */

/* Open the JSON object describing a value. */
static void
json_open(sp_kind kind, size_t len, bool valid)
{
	printf("{\"type\":\"%s\"%s,\"bytes\":%zu", sp_kind_name(kind),
		   valid ? ",\"valid\":true" : "", len);
}

/* Print sep "name":"prepk_..." for a public key. */
static int
json_public_key(const char *sep, const char *name, const uint8_t *pk)
{
	char		text[PK_TEXT_MAX];
	int			err = sp_text_encode(text, sizeof text, SP_KIND_PUBLIC_KEY,
									 pk, SP_PUBLICKEYBYTES);

	if (err != SP_OK)
		return fail_sp("cannot encode value", err);
	printf("%s\"%s\":\"%s\"", sep, name, text);
	return 0;
}

/* Print sep "name":"<hex>" for a point. */
static void
json_point(const char *sep, const char *name, const uint8_t *point)
{
	char		hex[2 * SP_POINTBYTES + 1];

	sodium_bin2hex(hex, sizeof hex, point, SP_POINTBYTES);
	printf("%s\"%s\":\"%s\"", sep, name, hex);
}

/* Describe a secret key by its public key only: never secret material. */
static int
inspect_secret_key(const buf *v)
{
	sp_secret	key;
	int			rc = expand_secret(&key, v->data);

	if (rc == 0)
	{
		json_open(SP_KIND_SECRET_KEY, v->len, false);
		rc = json_public_key(",", "public_key", key.pk);
	}
	sp_secret_wipe(&key);
	return rc;
}

/* Describe a grant: keys, expiry and X, never rk. */
static int
inspect_grant(const buf *v)
{
	int			rc;

	json_open(SP_KIND_GRANT, v->len, true);
	rc = json_public_key(",", "from", v->data + SP_GR_FROM);
	if (rc == 0)
		rc = json_public_key(",", "to", v->data + SP_GR_TO);
	if (rc == 0)
	{
		printf(",\"not_after\":%" PRId64, sp_grant_not_after(v->data));
		json_point(",", "X", v->data + SP_GR_X);
	}
	return rc;
}

/* Describe a ciphertext: sizes, level, keys and the hop records' keys. */
static int
inspect_ciphertext(const buf *v)
{
	const uint8_t *ct = v->data;
	int			level = sp_ciphertext_level(ct);
	int			rc;

	json_open(SP_KIND_CIPHERTEXT, v->len, true);
	printf(",\"level\":%d,\"aad_bytes\":%" PRIu32 ",\"plaintext_bytes\":%zu",
		   level, sp_ciphertext_aadlen(ct), sp_plaintext_bytes(ct, v->len));
	rc = json_public_key(",", "origin", ct + SP_CT_P0);
	if (rc == 0)
		rc = json_public_key(",", "recipient", sp_ciphertext_recipient(ct));
	printf(",\"hops\":[");
	for (int k = 1; rc == 0 && k < level; k++)
	{
		const uint8_t *hop = sp_ciphertext_hop(ct, k);

		rc = json_public_key(k > 1 ? ",{" : "{", "to", hop);
		json_point(",", "X", hop + SP_PUBLICKEYBYTES);
		printf("}");
	}
	printf("]");
	return rc;
}

/*
 * Describe a protected key file by its header: format, version, content,
 * key derivation and its limits, never the secret.  With a passphrase
 * option it is opened too, and a PRE secret key is described by its
 * public key; a wrong passphrase prints nothing.
 */
static int
inspect_protected(const buf *text)
{
	uint8_t		file[SP_KF_BYTES];
	uint8_t		secret[SP_KF_SECRETBYTES];
	sp_kf_header h;
	sp_secret	key;
	bool		open = pass_cur.fd >= 0 || pass_cur.file != NULL;
	bool		expanded = false;
	int			rc = parse_protected("standard input", text->data, text->len,
									 file, &h);

	if (rc == 0 && open)
		rc = open_protected("standard input", text->data, text->len, 0,
							secret, &h);
	if (rc == 0 && open && h.content == SP_KF_PRE_SECRET_KEY)
		expanded = (rc = expand_secret(&key, secret)) == 0;
	if (rc == 0)
	{
		printf("{\"type\":\"protected_key_file\",\"bytes\":%d,\"version\":%d,"
			   "\"content\":\"%s\",\"kdf\":\"argon2id13\",\"opslimit\":%" PRIu64
			   ",\"memlimit\":%" PRIu64, SP_KF_BYTES, file[SP_KF_VER],
			   h.content == SP_KF_INDEX_KEY ? "index_key" :
			   sp_kind_name(SP_KIND_SECRET_KEY), h.opslimit, h.memlimit);
		if (open)
			printf(",\"opened\":true");
		if (expanded)
			rc = json_public_key(",", "public_key", key.pk);
	}
	if (expanded)
		sp_secret_wipe(&key);
	sodium_memzero(secret, sizeof secret);
	sodium_memzero(file, sizeof file);
	return rc;
}

/* inspect: validate any value on standard input and describe it as JSON. */
static int
cmd_inspect(const args *a)
{
	static int	(*const describe[SP_KIND_COUNT]) (const buf *v) = {
		[SP_KIND_SECRET_KEY] = inspect_secret_key,
		[SP_KIND_GRANT] = inspect_grant,
		[SP_KIND_CIPHERTEXT] = inspect_ciphertext,
	};							/* NULL: kind and size say it all */
	buf			text = {0};
	buf			value = {0};
	int			kind = -1;
	bool		locked = false;
	int			rc;

	rc = read_source(NULL, &text);
	if (rc == 0)
	{
		kind = sp_text_kind((const char *) text.data, text.len);
		locked = kind < 0 &&
			sp_keyfile_is_text((const char *) text.data, text.len);
	}
	if (rc == 0 && !locked && (opt(a, "--passphrase-fd") != NULL ||
							   opt(a, "--passphrase-file") != NULL))
		rc = usage_fail("a passphrase option applies to a protected key file "
						"(prelocked_) only");
	if (rc == 0 && locked)
		rc = inspect_protected(&text);
	else if (rc == 0 && kind < 0)
		rc = fail("not a secant_pre value: no known prefix "
				  "(presk_, prepk_, pregrant_, prect_, pretok_, prelocked_)");
	else if (rc == 0)
		rc = decode_value((const char *) text.data, text.len, kind, &value);
	if (rc == 0 && !locked && describe[kind] != NULL)
		rc = describe[kind] (&value);
	else if (rc == 0 && !locked)
		json_open(kind, value.len, true);
	if (rc == 0)
		printf("}\n");
	buf_free(&text);
	buf_free(&value);
	return rc;
}

/* ---- rotate: a new key and the grants that a rotation's SQL call needs ---- */

/* Print a value's text form as a SQL string literal (the alphabet has no quote). */
static int
print_sql_value(sp_kind kind, const uint8_t *bin, size_t len)
{
	buf			text = {0};
	int			rc = encode_lines(kind, bin, len, 1, &text);

	if (rc == 0)
	{
		putchar('\'');
		write_out(text.data, text.len - 1);	/* without its newline */
		putchar('\'');
	}
	buf_free(&text);
	return rc;
}

/* Print text as a SQL string literal, quotes doubled. */
static void
print_sql_text(const char *s)
{
	putchar('\'');
	for (; *s != '\0'; s++)
	{
		if (*s == '\'')
			putchar('\'');
		putchar(*s);
	}
	putchar('\'');
}

/* Print a new grant from -> to, sealed to seal_key, as a SQL literal. */
static int
print_sealed_grant(const sp_secret *from, const uint8_t *to, const uint8_t *seal_key)
{
	uint8_t		sealed[SP_SEALEDBYTES];
	int			err = seal_new_grant(sealed, from, to, 0, seal_key);

	if (err != SP_OK)
		return fail_sp("cannot make a sealed grant", err);
	return print_sql_value(SP_KIND_SEALED_GRANT, sealed, sizeof sealed);
}

/* Print ARRAY[...]::pre_sealed_grant[] of grants from -> each of n keys. */
static int
print_sealed_grants(const sp_secret *from, const uint8_t *keys, int n, const uint8_t *seal_key)
{
	int			rc = 0;

	printf("ARRAY[");
	for (int i = 0; rc == 0 && i < n; i++)
	{
		if (i > 0)
			printf(", ");
		rc = print_sealed_grant(from, keys + (size_t) i * SP_PUBLICKEYBYTES, seal_key);
	}
	printf("]::pre_sealed_grant[]");
	return rc;
}

/* Load the public keys given as arguments into one array. */
static int
load_keys(char **args, int n, buf *keys)
{
	buf			one = {0};
	int			rc = buf_reserve(keys, (size_t) (n > 0 ? n : 1) * SP_PUBLICKEYBYTES);

	for (int i = 0; rc == 0 && i < n; i++)
	{
		rc = load_arg(args[i], SP_KIND_PUBLIC_KEY, &one);
		if (rc == 0)
			memcpy(keys->data + (size_t) i * SP_PUBLICKEYBYTES, one.data, SP_PUBLICKEYBYTES);
		buf_free(&one);
	}
	return rc;
}

/* Where the public keys start among rotate's arguments. */
static int
reissue_first(const char *kind)
{
	return strcmp(kind, "reissue") == 0 ? 1 : 2;
}

/*
 * rotate group|user|device NAME [PUBKEY...]: write a new key to -o FILE and
 * print the SQL call that completes the rotation, its grants sealed to
 * --seal-to; rotate reissue PUBKEY...: the delegator's grants to new keys.
 */
static int
cmd_rotate(const args *a)
{
	const char *kind = a->pos[0];
	bool		group = strcmp(kind, "group") == 0;
	bool		user = strcmp(kind, "user") == 0;
	bool		device = strcmp(kind, "device") == 0;
	bool		reissue = strcmp(kind, "reissue") == 0;
	const char *old_path = opt(a, "--secret-key");
	sp_secret	old;
	sp_secret	new;
	bool		have_old = false;
	bool		have_new = false;
	uint8_t		seed[SP_SEEDBYTES];
	uint8_t		index_key[SP_INDEXKEYBYTES];
	buf			seal_key = {0};
	buf			ct = {0};
	buf			keys = {0};
	int			first_key = reissue_first(kind);
	int			rc = 0;

	if (!group && !user && !device && !reissue)
		return usage_fail("the first argument is group, user, device or reissue");
	if (opt(a, "--seal-to") == NULL)
		return usage_fail("--seal-to is needed: the database stores sealed grants only");
	if (reissue != (opt(a, "-o") == NULL) || (!reissue && is_stdin(opt(a, "-o"))))
		return usage_fail(reissue ? "reissue makes no new key (no -o)" :
						  "-o FILE is needed: standard output gets the SQL");
	if ((group || device || reissue) && old_path == NULL)
		return usage_fail(group ? "--secret-key: the group's old key (for the bridge)" :
						  "--secret-key: the delegator's key (the user of the device)");
	if (opt(a, "--index-key") != NULL && !group)
		return usage_fail("--index-key is for a group rotation");
	if ((device && a->npos != 2) || (!reissue && a->npos < 2) || (reissue && a->npos < 2))
		return usage_fail(device ? "rotate device NAME (no public keys)" :
						  reissue ? "rotate reissue NEW_PUBKEY..." : "rotate %s NAME PUBKEY...", kind);
	rc = load_arg(opt(a, "--seal-to"), SP_KIND_SEAL_KEY, &seal_key);
	if (rc == 0 && old_path != NULL)
	{
		rc = load_secret(old_path, &old);
		have_old = rc == 0;
	}
	if (rc == 0 && opt(a, "--index-key") != NULL)
		rc = load_index_key(opt(a, "--index-key"), index_key);
	if (rc == 0)
		rc = load_keys(a->pos + first_key, a->npos - first_key, &keys);
	if (rc == 0 && reissue)
	{
		for (int i = 0; rc == 0 && i < a->npos - first_key; i++)
		{
			printf("SELECT secant.add_grant(");
			rc = print_sealed_grant(&old, keys.data + (size_t) i * SP_PUBLICKEYBYTES, seal_key.data);
			printf("::pre_sealed_grant);\n");
		}
		goto done;
	}
	if (rc == 0)
	{
		sp_random_bytes(seed, sizeof seed);
		rc = expand_secret(&new, seed);
		have_new = rc == 0;
	}
	if (rc == 0)
		rc = save_new_secret(a, SP_KF_PRE_SECRET_KEY, seed);
	if (rc == 0 && opt(a, "--index-key") != NULL)
		rc = encrypt_for(new.pk, index_key, sizeof index_key, "", &ct);
	if (rc != 0)
		goto done;
	printf("SELECT * FROM secant.rotate_%s(", kind);
	print_sql_text(a->pos[1]);
	printf(", ");
	rc = print_sql_value(SP_KIND_PUBLIC_KEY, new.pk, sizeof new.pk);
	printf(", ");
	if (rc == 0 && group)
	{
		rc = print_sealed_grant(&old, new.pk, seal_key.data);
		printf(", ");
	}
	if (rc == 0 && device)
	{
		printf("ARRAY[");
		rc = print_sealed_grant(&old, new.pk, seal_key.data);
		printf("]::pre_sealed_grant[]");
	}
	else if (rc == 0)
		rc = print_sealed_grants(&new, keys.data, a->npos - first_key, seal_key.data);
	if (rc == 0 && ct.data != NULL)
	{
		printf(", ");
		rc = print_sql_value(SP_KIND_CIPHERTEXT, ct.data, ct.len);
	}
	if (rc == 0 && user && have_old)
	{
		printf(", ");
		rc = print_sealed_grant(&old, new.pk, seal_key.data);
	}
	printf(");\n");
done:
	sodium_memzero(seed, sizeof seed);
	sodium_memzero(index_key, sizeof index_key);
	if (have_old)
		sp_secret_wipe(&old);
	if (have_new)
		sp_secret_wipe(&new);
	buf_free(&seal_key);
	buf_free(&ct);
	buf_free(&keys);
	return rc;
}

/* ---- rewrap: records at rest moved from a retired key to the new one ---- */

/*
 * One record of rewrap: ct (and body, for an envelope) decrypted with key,
 * printed again for pk: a new ciphertext with the same aad, and for an
 * envelope a new data key, key ciphertext and body.
 */
static int
rewrap_one(const sp_secret *key, const uint8_t *pk, const buf *ct,
		   const buf *body, const char *id, size_t idlen)
{
	const uint8_t *aad = ct->data + SP_HEADERBYTES;
	size_t		aadlen = sp_ciphertext_aadlen(ct->data);
	uint8_t		data_key[SP_ENVELOPE_KEYBYTES];
	buf			m = {0};
	buf			plain = {0};
	buf			out = {0};
	buf			out_text = {0};
	buf			body_text = {0};
	int			rc = 0;
	int			err = decrypt_value(key, ct, &m);

	if (err != SP_OK)
		rc = fail_sp("cannot decrypt", err);
	else if (body->data == NULL)
		rc = encrypt_for_aad(pk, m.data, m.len, aad, aadlen, &out);
	else if (m.len != SP_ENVELOPE_KEYBYTES)
		rc = fail("an envelope's key ciphertext holds a 32-byte data key");
	else
	{
		rc = open_body(m.data, ct, body, &plain);
		sp_random_bytes(data_key, sizeof data_key);	/* a new data key */
		if (rc == 0)
			rc = encrypt_for_aad(pk, data_key, sizeof data_key, aad, aadlen, &out);
		if (rc == 0)
			rc = seal_body(data_key, &out, &plain, &body_text);
		sodium_memzero(data_key, sizeof data_key);
	}
	if (rc == 0)
		rc = encode_lines(SP_KIND_CIPHERTEXT, out.data, out.len, 1, &out_text);
	if (rc == 0)
	{
		write_out(id, idlen);
		putchar('\t');
		write_out(out_text.data, out_text.len - (body_text.data != NULL));
		if (body_text.data != NULL)
		{
			putchar('\t');
			write_out(body_text.data, body_text.len);
		}
	}
	buf_free(&m);
	buf_free(&plain);
	buf_free(&out);
	buf_free(&out_text);
	buf_free(&body_text);
	return rc;
}

/*
 * rewrap NEW_PUBKEY --secret-key KEY < LINES: each line "ID<TAB>prect_"
 * or "ID<TAB>prect_<TAB>BODY"; prints the same lines for NEW_PUBKEY.
 */
static int
cmd_rewrap(const args *a)
{
	sp_secret	key;
	buf			pk = {0};
	buf			in = {0};
	buf			ct = {0};
	buf			body = {0};
	bool		have_key = false;
	size_t		line = 0;
	int			rc = load_arg(a->pos[0], SP_KIND_PUBLIC_KEY, &pk);

	if (rc == 0)
		rc = key_not_stdin(opt(a, "--secret-key"), "--secret-key", "the records");
	if (rc == 0)
	{
		rc = load_secret(opt(a, "--secret-key"), &key);
		have_key = rc == 0;
	}
	if (rc == 0)
		rc = read_source(NULL, &in);
	for (char *p = (char *) in.data, *next; rc == 0 && p != NULL && *p != '\0'; p = next)
	{
		char	   *nl = strchr(p, '\n');
		char	   *t1 = memchr(p, '\t', nl != NULL ? (size_t) (nl - p) : strlen(p));
		char	   *t2;
		size_t		len = nl != NULL ? (size_t) (nl - p) : strlen(p);

		next = nl != NULL ? nl + 1 : NULL;
		line++;
		if (len > 0 && p[len - 1] == '\r')
			len--;
		if (len == 0)
			continue;
		if (t1 == NULL)
		{
			rc = fail("line %zu: ID, a tab and a ciphertext expected", line);
			break;
		}
		t2 = memchr(t1 + 1, '\t', len - (size_t) (t1 + 1 - p));
		rc = decode_value(t1 + 1, (t2 != NULL ? t2 : p + len) - (t1 + 1),
						  SP_KIND_CIPHERTEXT, &ct);
		if (rc == 0 && t2 != NULL)
			rc = decode_body("the body", (const uint8_t *) t2 + 1,
							 (size_t) (p + len - (t2 + 1)), &body);
		if (rc == 0)
			rc = rewrap_one(&key, pk.data, &ct, &body, p, (size_t) (t1 - p));
		buf_free(&ct);
		buf_free(&body);
	}
	if (have_key)
		sp_secret_wipe(&key);
	buf_free(&pk);
	buf_free(&in);
	return rc;
}

/* ---- command table, usage and argument parsing ---- */

/* Options shared by the commands that read or write key files. */
#define PASSPHRASE_OPTIONS \
	{"--passphrase-fd", OPT_VALUE, NULL}, {"--passphrase-file", OPT_VALUE, NULL}
#define PASSPHRASE_HELP \
	"  --passphrase-fd N     read the passphrase of a protected key file from\n" \
	"                        file descriptor N (up to a newline)\n" \
	"  --passphrase-file F   read it from the first line of the file F\n" \
	"  (else it is asked for on the terminal, without echo; never in argv)\n"
#define NEW_KEY_HELP \
	"  -o FILE               write to FILE, created with mode 0600; an\n" \
	"                        existing FILE is never overwritten ('-' or no\n" \
	"                        -o: standard output)\n" \
	"  --protect             protect the key with a passphrase (Argon2id +\n" \
	"                        XChaCha20-Poly1305; prelocked_...; see\n" \
	"                        docs/SCHEME.md, Protected key files)\n" \
	"  --pwhash-limits L     Argon2id cost of --protect: interactive,\n" \
	"                        moderate (the default) or sensitive\n"
#define NEW_KEY_OPTIONS \
	{"-o", OPT_VALUE, NULL}, {"--protect", OPT_FLAG, NULL}, \
	{"--pwhash-limits", OPT_VALUE, NULL}, PASSPHRASE_OPTIONS
#define NEW_PASSPHRASE_OPTIONS \
	{"--new-passphrase-fd", OPT_VALUE, NULL}, \
	{"--new-passphrase-file", OPT_VALUE, NULL}
#define REWRITE_HELP \
	"\n" \
	"The file is replaced atomically: the new contents go to a new file\n" \
	"(mode 0600) in the same directory, which is synced and renamed over\n" \
	"FILE, so FILE is either old or new, never half written or readable by\n" \
	"others; nothing is written unless every passphrase is right.  The old\n" \
	"contents may remain on the disk (and in other hard links or backups).\n" \
	"\n" \
	"  -o NEW_FILE           write to NEW_FILE instead (created with mode\n" \
	"                        0600, never overwriting; '-': standard output)\n" \
	"                        and leave FILE as it is\n"
#define REWRITE_LIMITS_HELP \
	"  --pwhash-limits L     Argon2id cost: interactive, moderate or sensitive\n"
#define SECRET_KEY_HELP \
	"SECRET_KEY_FILE holds a PRE secret key: a presk_ line, or a\n" \
	"passphrase-protected key file (prelocked_...), read transparently.\n"
#define INDEX_KEY_HELP \
	"INDEX_KEY_FILE holds the 32-byte search index key: 64 hexadecimal\n" \
	"digits (white space around them is ignored), exactly 32 raw bytes, or\n" \
	"a passphrase-protected key file made by 'index-keygen --protect'.\n" \
	"--key-file is a deprecated alias of --index-key (one release).\n"

static const command commands[] = {
	{
		"keygen", "[-o FILE] [--protect] [--pwhash-limits L] [--passphrase-fd N | --passphrase-file F]",
		"Make a new random PRE secret key (presk_...) and write it to FILE\n"
		"(mode 0600, never overwriting) or standard output.  Secret keys are\n"
		"never accepted on the command line.\n"
		"\n" NEW_KEY_HELP PASSPHRASE_HELP,
		{NEW_KEY_OPTIONS}, 0, 0, cmd_keygen
	},
	{
		"index-keygen", "[-o FILE] [--protect] [--pwhash-limits L] [--passphrase-fd N | --passphrase-file F]",
		"Make a new random 32-byte search index key (64 hexadecimal digits, the\n"
		"key of pre_token and of 'token' and 'tokens') and write it to FILE\n"
		"(mode 0600, never overwriting) or standard output.\n"
		"\n" NEW_KEY_HELP PASSPHRASE_HELP,
		{NEW_KEY_OPTIONS}, 0, 0, cmd_index_keygen
	},
	{
		"pubkey", "[--secret-key SECRET_KEY_FILE] [--passphrase-fd N | --passphrase-file F] [< SECRET_KEY_FILE]",
		"Print the public key (prepk_...) of the secret key in SECRET_KEY_FILE,\n"
		"or read from standard input ('-' or no --secret-key).\n"
		SECRET_KEY_HELP "\n" PASSPHRASE_HELP,
		{{"--secret-key", OPT_VALUE, NULL}, PASSPHRASE_OPTIONS}, 0, 0, cmd_pubkey
	},
	{
		"encrypt", "PUBKEY [--aad TEXT] < PLAINTEXT",
		"Encrypt standard input (raw bytes, at most 1 GiB) for PUBKEY and print\n"
		"the level-1 ciphertext (prect_...).  PUBKEY is a prepk_ text, or @FILE\n"
		"to read it from FILE.\n"
		"\n"
		"  --aad TEXT   associated data: bound to the ciphertext and stored in\n"
		"               it in clear (not secret)\n",
		{{"--aad", OPT_VALUE, NULL}}, 1, 1, cmd_encrypt
	},
	{
		"grant", "PUBKEY [--not-after UNIX_SECONDS] [--seal-to SEALING_KEY] [--secret-key DELEGATOR_SECRET_KEY_FILE] [-o FILE] [--passphrase-fd N | --passphrase-file F]",
		"Print a grant (pregrant_...) that lets a proxy re-encrypt ciphertexts\n"
		"of the delegator, whose secret key is read from the --secret-key file\n"
		"(or standard input), for the grantee PUBKEY (a prepk_ text, or @FILE).\n"
		"The grant holds a secret of the delegator: give it only to the proxy\n"
		"(the database), never to the grantee.\n"
		SECRET_KEY_HELP
		"\n"
		"  --not-after UNIX_SECONDS   expiry written into the grant; 0, the\n"
		"                             default, means none\n"
		"  --seal-to SEALING_KEY      print the grant sealed (presealed_) to the\n"
		"                             database's key: the presealkey_ text of\n"
		"                             SELECT secant.server_public_key() (or @FILE);\n"
		"                             what the database stores\n"
		"  -o FILE                    write the grant to FILE, created with\n"
		"                             mode 0600, never overwriting\n"
		PASSPHRASE_HELP,
		{{"--not-after", OPT_VALUE, NULL}, {"--secret-key", OPT_VALUE, NULL},
		{"--seal-to", OPT_VALUE, NULL}, {"-o", OPT_VALUE, NULL},
		PASSPHRASE_OPTIONS}, 1, 1, cmd_grant
	},
	{
		"reencrypt", "GRANT < CIPHERTEXT",
		"Re-encrypt the ciphertext read from standard input with GRANT (a\n"
		"pregrant_ text, or @FILE, which keeps it out of the process list) and\n"
		"print the ciphertext one level up.  Both values are validated fully\n"
		"first.  Like the server's pre_reencrypt, this does not look at the\n"
		"clock: the grant's not_after is policy, enforced by the database.\n",
		{{NULL, OPT_VALUE, NULL}}, 1, 1, cmd_reencrypt
	},
	{
		"decrypt", "--secret-key SECRET_KEY_FILE [--batch] [--passphrase-fd N | --passphrase-file F] < CIPHERTEXT",
		"Decrypt the ciphertext read from standard input with the secret key\n"
		"in SECRET_KEY_FILE and write the plaintext to standard output.\n"
		"Nothing is written unless decryption succeeds.\n"
		SECRET_KEY_HELP
		"--key is a deprecated alias of --secret-key (one release).\n"
		"\n"
		"  --batch   read one text-form ciphertext per line and write one JSON\n"
		"            line per input line, in order:\n"
		"              {\"n\":1,\"ok\":true,\"plaintext\":\"<base64url>\"}\n"
		"              {\"n\":2,\"ok\":false,\"error\":\"...\"}\n"
		"            (n is the line number; unpadded base64url).  Exit status 1\n"
		"            if any line failed, after every line was answered.\n"
		PASSPHRASE_HELP,
		{{"--secret-key", OPT_REQUIRED, "--key"}, {"--batch", OPT_FLAG, NULL},
		PASSPHRASE_OPTIONS}, 0, 0, cmd_decrypt
	},
	{
		"seal", "PUBKEY [--aad TEXT] < PLAINTEXT",
		"Envelope encryption, for large records.  Encrypt standard input (raw\n"
		"bytes, up to just under 768 MiB) with a fresh random 32-byte data key\n"
		"and print two lines:\n"
		"  1. the key ciphertext (prect_...): the data key encrypted for PUBKEY\n"
		"     (a prepk_ text, or @FILE), with TEXT as its associated data;\n"
		"  2. the body (envelope v2): unpadded base64url of the marker 'SPEN'\n"
		"     2 0 0 0, a 24-byte nonce and the XChaCha20-Poly1305 encryption of\n"
		"     the plaintext under the data key, bound to the marker and to the\n"
		"     key ciphertext's magic, version, P0, E, V, s, nonce and aad, which\n"
		"     re-encryption never changes.\n"
		"Store them in two columns.  The proxy only ever re-encrypts the small\n"
		"key ciphertext (pre_reencrypt, or 'secant-pre reencrypt'); the body\n"
		"column is never touched, so sharing a record costs the same whatever\n"
		"its size.  Read a record back with 'secant-pre open'.\n"
		"\n"
		"  --aad TEXT   associated data of the key ciphertext, stored in it in\n"
		"               clear (not secret) and authenticated with the body\n",
		{{"--aad", OPT_VALUE, NULL}}, 1, 1, cmd_seal
	},
	{
		"open", "--secret-key SECRET_KEY_FILE --body BODY_FILE [--passphrase-fd N | --passphrase-file F] < KEY_CIPHERTEXT",
		"Open an envelope made by 'secant-pre seal': decrypt the key ciphertext\n"
		"read from standard input (at any level, re-encrypted or not) with the\n"
		"secret key in SECRET_KEY_FILE, then the body in BODY_FILE with the\n"
		"data key, and write the plaintext to standard output.  Nothing is\n"
		"written unless both succeed: a wrong key, a modified body or a body\n"
		"of another key ciphertext is reported as a failure.  Bodies of both\n"
		"envelope versions are read: v2, and v1 (no marker, written by earlier\n"
		"versions of this tool).\n"
		SECRET_KEY_HELP
		"--key is a deprecated alias of --secret-key (one release).\n"
		"\n" PASSPHRASE_HELP,
		{{"--secret-key", OPT_REQUIRED, "--key"}, {"--body", OPT_REQUIRED, NULL},
		PASSPHRASE_OPTIONS}, 0, 0, cmd_open
	},
	{
		"token", "--index-key INDEX_KEY_FILE [--passphrase-fd N | --passphrase-file F] WORD...",
		"Print one search token (pretok_...) per WORD, in order, the same bytes\n"
		"as the server's pre_token(key, word).  Each word is normalised first:\n"
		"Unicode NFKC case folding with utf8proc (upper and lower case, and\n"
		"composed and decomposed accents, give one token), then white space\n"
		"around it is removed; a word that is then empty is refused, and so\n"
		"is a word with white space inside (exit 2: its token would match no\n"
		"word of a document; use 'tokens' to split a text into words).\n"
		INDEX_KEY_HELP "\n" PASSPHRASE_HELP,
		{{"--index-key", OPT_REQUIRED, "--key-file"}, PASSPHRASE_OPTIONS}, 1, -1,
		cmd_token
	},
	{
		"tokens", "--index-key INDEX_KEY_FILE [--prefixes] [--passphrase-fd N | --passphrase-file F] < DOCUMENT",
		"Print the distinct search tokens of the words of the UTF-8 document\n"
		"read from standard input, one per line, sorted by their bytes: the\n"
		"same lines as SELECT unnest(pre_tokens(key, document, prefixes)).\n"
		"The document is normalised like a word of 'token', then split into\n"
		"words on every character that is not a letter, a mark or a digit.\n"
		"The order hides both the order of the words and their alphabetical\n"
		"order.  " INDEX_KEY_HELP
		"\n"
		"  --prefixes   also print the tokens of the proper prefixes of at\n"
		"               least 3 characters (code points) of each word, for\n"
		"               prefix search\n"
		PASSPHRASE_HELP,
		{{"--index-key", OPT_REQUIRED, "--key-file"}, {"--prefixes", OPT_FLAG, NULL},
		PASSPHRASE_OPTIONS}, 0, 0, cmd_tokens
	},
	{
		"rotate", "group|user|device|reissue NAME [PUBKEY...] --seal-to SEALING_KEY [--secret-key FILE] [-o NEW_KEY_FILE] [--index-key FILE] [--protect] [--pwhash-limits L] [--passphrase-fd N | --passphrase-file F]",
		"Key rotation, on the client that holds the keys: write a new secret\n"
		"key to NEW_KEY_FILE (mode 0600, never overwriting) and print the SQL\n"
		"call that completes the rotation in one transaction, its grants sealed\n"
		"to SEALING_KEY (the presealkey_ text of secant.server_public_key(), or\n"
		"@FILE).  PUBKEY: prepk_ texts, or @FILE.\n"
		"  rotate group NAME MEMBER_PUBKEY... --secret-key OLD_GROUP_KEY\n"
		"      [--index-key NEW_INDEX_KEY]: the bridge old -> new (records at\n"
		"      rest stay readable), new -> each remaining member, the new index\n"
		"      key (made with index-keygen) encrypted to the new key: the call\n"
		"      to secant.rotate_group (required when the group has an index key)\n"
		"  rotate user NAME DEVICE_PUBKEY... [--secret-key OLD_USER_KEY]:\n"
		"      new -> each remaining device (and a bridge with --secret-key):\n"
		"      secant.rotate_user; then each delegator re-issues (reissue)\n"
		"  rotate device NAME --secret-key USER_KEY: the user's enrolment\n"
		"      grant to the new device key: secant.rotate_device\n"
		"  rotate reissue NEW_PUBKEY... --secret-key DELEGATOR_KEY: one\n"
		"      secant.add_grant per key (secant.pending_reissues lists them;\n"
		"      no -o)\n"
		"Give the same passphrase options for reading --secret-key and for\n"
		"--protect (one passphrase).\n"
		SECRET_KEY_HELP "\n" NEW_KEY_HELP PASSPHRASE_HELP,
		{{"-o", OPT_VALUE, NULL}, {"--protect", OPT_FLAG, NULL}, {"--pwhash-limits", OPT_VALUE, NULL},
		PASSPHRASE_OPTIONS, {"--secret-key", OPT_VALUE, NULL}, {"--seal-to", OPT_VALUE, NULL},
		{"--index-key", OPT_VALUE, NULL}}, 2, -1, cmd_rotate
	},
	{
		"rewrap", "NEW_PUBKEY --secret-key SECRET_KEY_FILE [--passphrase-fd N | --passphrase-file F] < RECORDS",
		"Move records at rest to a new key (after a group rotation; then the\n"
		"bridge can be dropped: secant.drop_bridges).  Reads one record per\n"
		"line, ID<TAB>CIPHERTEXT, or ID<TAB>KEY_CIPHERTEXT<TAB>BODY for an\n"
		"envelope ('seal'), and prints the same line for NEW_PUBKEY (prepk_ or\n"
		"@FILE): the value decrypted with the secret key and encrypted again\n"
		"with the same aad; an envelope's body is opened and sealed again under\n"
		"a NEW random data key (a holder of the old key may have kept the old\n"
		"one).  ID is copied as it is (no tab or newline in it).  Stops at the\n"
		"first line that fails (exit 1); the lines before it were written.\n"
		SECRET_KEY_HELP "\n" PASSPHRASE_HELP,
		{{"--secret-key", OPT_REQUIRED, NULL}, PASSPHRASE_OPTIONS}, 1, 1, cmd_rewrap
	},
	{
		"inspect", "[--passphrase-fd N | --passphrase-file F] < VALUE",
		"Validate any value in text form (presk_, prepk_, pregrant_, prect_,\n"
		"pretok_) read from standard input and describe it as one line of JSON.\n"
		"No secret material is printed: a secret key is described by its\n"
		"public key only, a grant without its re-encryption key.\n"
		"A passphrase-protected key file (prelocked_) is described by its\n"
		"header, without a passphrase:\n"
		"  {\"type\":\"protected_key_file\",\"bytes\":112,\"version\":1,\n"
		"   \"content\":\"pre_secret_key\" or \"index_key\",\"kdf\":\"argon2id13\",\n"
		"   \"opslimit\":N,\"memlimit\":BYTES}\n"
		"With --passphrase-fd or --passphrase-file it is opened as well\n"
		"(\"opened\":true, and the \"public_key\" of a PRE secret key); a wrong\n"
		"passphrase fails and prints nothing.\n"
		"\n" PASSPHRASE_HELP,
		{PASSPHRASE_OPTIONS}, 0, 0, cmd_inspect
	},
	{
		"passwd", "FILE [-o NEW_FILE] [--pwhash-limits L] [--passphrase-fd N | --passphrase-file F] [--new-passphrase-fd N | --new-passphrase-file F]",
		"Change the passphrase of the protected key file FILE (prelocked_): it\n"
		"is opened with the current passphrase and written again with the new\n"
		"one, a new salt and a new nonce.  The Argon2id cost stays the file's\n"
		"unless --pwhash-limits is given.  On a terminal the current passphrase\n"
		"is asked for once and the new one twice.\n"
		REWRITE_HELP REWRITE_LIMITS_HELP PASSPHRASE_HELP
		"  --new-passphrase-fd N, --new-passphrase-file F   the new passphrase\n"
		"                        likewise (the same N as --passphrase-fd: its\n"
		"                        first line is the current one, its second the\n"
		"                        new one)\n",
		{{"-o", OPT_VALUE, NULL}, {"--pwhash-limits", OPT_VALUE, NULL},
		PASSPHRASE_OPTIONS, NEW_PASSPHRASE_OPTIONS}, 1, 1, cmd_passwd
	},
	{
		"protect", "FILE [-o NEW_FILE] [--pwhash-limits L] [--passphrase-fd N | --passphrase-file F]",
		"Protect the unprotected key file FILE (a presk_ line, or a search\n"
		"index key) with a passphrase, as 'keygen --protect' would have\n"
		"(prelocked_; the passphrase options give the new passphrase; on a\n"
		"terminal it is asked for twice).\n"
		REWRITE_HELP
		"  --pwhash-limits L     Argon2id cost: interactive, moderate (the\n"
		"                        default) or sensitive\n"
		PASSPHRASE_HELP,
		{{"-o", OPT_VALUE, NULL}, {"--pwhash-limits", OPT_VALUE, NULL},
		PASSPHRASE_OPTIONS}, 1, 1, cmd_protect
	},
	{
		"unprotect", "FILE [-o NEW_FILE] [--passphrase-fd N | --passphrase-file F]",
		"Remove the passphrase of the protected key file FILE: it is opened\n"
		"and written again unprotected (a presk_ line, or 64 hexadecimal\n"
		"digits for a search index key), still with mode 0600.\n"
		REWRITE_HELP PASSPHRASE_HELP,
		{{"-o", OPT_VALUE, NULL}, PASSPHRASE_OPTIONS}, 1, 1, cmd_unprotect
	},
};

#define NCOMMANDS ((int) (sizeof commands / sizeof commands[0]))

/* Print "secant-pre COMMAND SYNOPSIS" on a line after lead. */
static void
print_synopsis(const char *lead, const command *cmd)
{
	printf("%ssecant-pre %s%s%s\n", lead, cmd->name,
		   cmd->synopsis[0] != '\0' ? " " : "", cmd->synopsis);
}

/* Print the usage of the tool. */
static void
print_usage(void)
{
	printf("usage: secant-pre COMMAND [ARGUMENTS]\n\n"
		   "Proxy re-encryption of secant_pre values, without a database.\n"
		   "Secret keys are read from files or standard input only.\n\n"
		   "Values given as arguments are text forms, or @FILE to read one from FILE.\n\n"
		   "commands:\n");
	for (int i = 0; i < NCOMMANDS; i++)
		print_synopsis("  ", &commands[i]);
	printf("\nRun 'secant-pre COMMAND --help' for the details of a command.\n"
		   "'secant-pre --version' prints the version.\n"
		   "Exit status: 0 on success, 1 on failure, 2 on a usage error.\n");
}

/* Print the usage of one command. */
static void
print_command_usage(const command *cmd)
{
	print_synopsis("usage: ", cmd);
	printf("\n%s", cmd->help);
}

/* True if arg asks for help. */
static bool
is_help(const char *arg)
{
	return strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0;
}

/* The command called name, or NULL. */
static const command *
find_command(const char *name)
{
	for (int i = 0; i < NCOMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

/* True if arg (--name or --name=VALUE) is the option name. */
static bool
is_option(const char *name, const char *arg)
{
	size_t		len = strcspn(arg, "=");

	return name != NULL && strlen(name) == len && strncmp(name, arg, len) == 0;
}

/*
 * Index of the option of cmd that arg (--name or --name=VALUE) names, or
 * -1.  A deprecated alias counts as its option, with a note on stderr.
 */
static int
find_option(const command *cmd, const char *arg)
{
	for (int o = 0; o < MAX_OPTIONS && cmd->options[o].name != NULL; o++)
	{
		if (is_option(cmd->options[o].name, arg))
			return o;
		if (is_option(cmd->options[o].alias, arg))
		{
			warn("note: %s is deprecated and will be removed in the next "
				 "release; use %s", cmd->options[o].alias, cmd->options[o].name);
			return o;
		}
	}
	return -1;
}

/* Parse the option at argv[*i] into a, consuming its value if it has one. */
static int
parse_option(const command *cmd, int argc, char **argv, int *i, args *a)
{
	const char *arg = argv[*i];
	const char *eq = strchr(arg, '=');
	int			o = find_option(cmd, arg);

	if (o < 0)
	{
		size_t		len = strcspn(arg, "=");
		size_t		name = strspn(arg, "-abcdefghijklmnopqrstuvwxyz");

		/* named only if it looks like an option's name: never a value */
		if (name == len && len <= 40 && strspn(arg, "-") <= 2)
			return usage_fail("unknown option %.*s", (int) len, arg);
		return usage_fail("unknown option");
	}
	if (a->opt[o] != NULL)
		return usage_fail("option %s given twice", cmd->options[o].name);
	if (cmd->options[o].kind == OPT_FLAG && eq != NULL)
		return usage_fail("option %s takes no value", cmd->options[o].name);
	if (cmd->options[o].kind == OPT_FLAG)
		a->opt[o] = arg;
	else if (eq != NULL)
		a->opt[o] = eq + 1;
	else if (*i + 1 < argc)
		a->opt[o] = argv[++*i];
	else
		return usage_fail("option %s needs a value", cmd->options[o].name);
	return 0;
}

/* Check the counts of arguments and the required options. */
static int
check_args(const command *cmd, const args *a)
{
	for (int o = 0; o < MAX_OPTIONS && cmd->options[o].name != NULL; o++)
		if (cmd->options[o].kind == OPT_REQUIRED && a->opt[o] == NULL)
			return usage_fail("option %s is required", cmd->options[o].name);
	if (a->npos < cmd->min_pos)
		return usage_fail("missing argument");
	if (cmd->max_pos >= 0 && a->npos > cmd->max_pos)
		return usage_fail("too many arguments");
	return 0;
}

/*
 * Parse the arguments of cmd.  Positional arguments are gathered at the
 * front of argv.  Returns 0, PARSE_HELP or the exit status of a usage error.
 */
static int
parse_args(const command *cmd, int argc, char **argv, args *a)
{
	bool		options_done = false;
	int			rc;

	a->cmd = cmd;
	a->pos = argv;
	for (int i = 0; i < argc; i++)
	{
		char	   *arg = argv[i];

		if (options_done || arg[0] != '-' || arg[1] == '\0')
			argv[a->npos++] = arg;
		else if (strcmp(arg, "--") == 0)
			options_done = true;
		else if (is_help(arg))
			return PARSE_HELP;
		else if ((rc = parse_option(cmd, argc, argv, &i, a)) != 0)
			return rc;
	}
	return check_args(cmd, a);
}

/* Take the fd and file options of the passphrase p from the command. */
static int
passphrase_source(const args *a, passphrase_src *p)
{
	const char *fd = opt(a, p->fd_option);
	char	   *end;
	long		v;

	if (fd != NULL && opt(a, p->file_option) != NULL)
		return usage_fail("give %s or %s, not both", p->fd_option,
						  p->file_option);
	p->file = opt(a, p->file_option);
	if (fd == NULL)
		return 0;
	errno = 0;
	v = strtol(fd, &end, 10);
	if (fd[0] < '0' || fd[0] > '9' || *end != '\0' || errno != 0 || v > 65535)
		return usage_fail("%s needs a file descriptor number", p->fd_option);
	p->fd = (int) v;
	return 0;
}

/* Take the passphrase options of the command. */
static int
passphrase_options(const args *a)
{
	int			rc = passphrase_source(a, &pass_cur);

	return rc != 0 ? rc : passphrase_source(a, &pass_new);
}

/* Entry point: secant-pre COMMAND [ARGUMENTS]. */
int
main(int argc, char **argv)
{
	const command *cmd;
	args		a = {NULL, {NULL}, NULL, 0};
	int			rc;

	setvbuf(stdin, NULL, _IONBF, 0);
	setvbuf(stdout, NULL, _IONBF, 0);
	signal(SIGPIPE, SIG_IGN);
	if (sp_init() != SP_OK)
		return fail("cannot initialise libsodium");
	if (argc < 2)
		return usage_fail("missing command");
	if (is_help(argv[1]))
	{
		print_usage();
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0)
	{
		printf("secant-pre %s\n", SECANT_PRE_VERSION);
		return 0;
	}
	cmd = find_command(argv[1]);
	if (cmd == NULL)
		return usage_fail("unknown command");
	command_name = cmd->name;
	rc = parse_args(cmd, argc - 2, argv + 2, &a);
	if (rc == PARSE_HELP)
		print_command_usage(cmd);
	if (rc != 0)
		return rc == PARSE_HELP ? 0 : rc;
	rc = passphrase_options(&a);
	if (rc == 0)
		rc = cmd->run(&a);
	wipe_passphrase();
	if (rc == 0 && (fflush(stdout) != 0 || ferror(stdout)))
		rc = fail("cannot write to standard output");
	return rc;
}
