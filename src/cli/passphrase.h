/*
 * passphrase.h - the passphrases of protected key files (passphrase.c).
 */
#ifndef CLI_PASSPHRASE_H
#define CLI_PASSPHRASE_H

#include <stdbool.h>
#include <stddef.h>

#include "args.h"

#define MAX_PASSPHRASE	4096	/* bytes of a passphrase */

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
extern passphrase_src pass_cur;

/* the new passphrase of passwd */
extern passphrase_src pass_new;

/* Get the passphrase p (once per run): from its fd, its file or the
 * terminal; confirm asks twice on a terminal (for a new file). */
int			get_passphrase(passphrase_src *p, const char *for_what, bool confirm);

/* Wipe the passphrases. */
void		wipe_passphrase(void);

/* Take the passphrase options of the command. */
int			passphrase_options(const args *a);

#endif							/* CLI_PASSPHRASE_H */
