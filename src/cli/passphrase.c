/*
 * passphrase.c - the passphrases of protected key files: from
 * --passphrase-fd, --passphrase-file or a prompt on the terminal (echo
 * off; the signals that end or stop the process put the terminal back
 * first), never from argv; read once per run and wiped at exit.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <sodium.h>

#include "args.h"
#include "io.h"
#include "passphrase.h"
#include "report.h"

/* the passphrase of the key file read, or of a new one (keygen, protect) */
passphrase_src pass_cur = {"--passphrase-fd", "--passphrase-file",
-1, NULL, false, 0, {0}};

/* the new passphrase of passwd */
passphrase_src pass_new = {"--new-passphrase-fd", "--new-passphrase-file",
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
int
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
void
wipe_passphrase(void)
{
	sodium_memzero(pass_cur.text, sizeof pass_cur.text);
	sodium_memzero(pass_new.text, sizeof pass_new.text);
	pass_cur.len = pass_new.len = 0;
	pass_cur.read = pass_new.read = false;
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
int
passphrase_options(const args *a)
{
	int			rc = passphrase_source(a, &pass_cur);

	return rc != 0 ? rc : passphrase_source(a, &pass_new);
}
