/*
 * keys.c - the key commands: keygen, index-keygen, pubkey, and passwd,
 * protect and unprotect, which change a key file's passphrase protection.
 */
#include <stdbool.h>
#include <stdio.h>

#include <sodium.h>

#include "secant_pre.h"
#include "args.h"
#include "io.h"
#include "keyfile.h"
#include "keys.h"
#include "passphrase.h"
#include "report.h"
#include "values.h"

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

/*
 * keygen: write a new random secret key; with -o FILE, print its public
 * key on stderr (as age-keygen does), the stdout of a pipeline staying
 * free.
 */
int
cmd_keygen(const args *a)
{
	uint8_t		seed[SP_SEEDBYTES];
	const char *path = opt(a, "-o");
	sp_secret	key;
	char		pk[128];
	int			rc;

	sp_random_bytes(seed, sizeof seed);
	rc = save_new_secret(a, SP_KF_PRE_SECRET_KEY, seed);
	if (rc == 0 && !is_stdin(path))
	{
		rc = expand_secret(&key, seed);
		if (rc == 0 && sp_text_encode(pk, sizeof pk, SP_KIND_PUBLIC_KEY, key.pk,
									  sizeof key.pk) == SP_OK)
			fprintf(stderr, "Public key: %s\n", pk);
		if (rc == 0)
			sp_secret_wipe(&key);
	}
	sodium_memzero(seed, sizeof seed);
	return rc;
}

/* index-keygen: write a new random 32-byte search index key. */
int
cmd_index_keygen(const args *a)
{
	return save_random_secret(a, SP_KF_INDEX_KEY);
}

/* pubkey: print the public key of a secret key (standard input by default). */
int
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
int
cmd_protect(const args *a)
{
	return change_protection(a, PROTECTION_ADD);
}

/* passwd FILE: change the passphrase of a protected key file. */
int
cmd_passwd(const args *a)
{
	return change_protection(a, PROTECTION_CHANGE);
}

/* unprotect FILE: remove the passphrase of a protected key file. */
int
cmd_unprotect(const args *a)
{
	return change_protection(a, PROTECTION_REMOVE);
}
