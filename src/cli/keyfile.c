/*
 * keyfile.c - key files: a PRE secret key (a presk_ line) or a search
 * index key (64 hex digits or 32 raw bytes), either of them possibly
 * passphrase-protected (prelocked_, sp_keyfile.h); loaded, and new ones
 * written with mode 0600, never overwriting.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "secant_pre.h"
#include "args.h"
#include "io.h"
#include "keyfile.h"
#include "passphrase.h"
#include "report.h"
#include "values.h"

#define INDEX_KEY_HEX	(2 * SP_INDEXKEYBYTES)	/* digits of an index key */

/* Decode the protected key file text of name and check its header. */
int
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
int
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

/* Expand a secret key from its seed. */
int
expand_secret(sp_secret *key, const uint8_t seed[SP_SEEDBYTES])
{
	int			err = sp_secret_expand(key, seed);

	return err == SP_OK ? 0 : fail_invalid(SP_KIND_SECRET_KEY, err);
}

/* True if text looks like an index key file: 64 hex digits or 32 bytes. */
bool
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
int
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
int
load_secret(const char *path, sp_secret *key)
{
	uint8_t		seed[SP_SEEDBYTES];
	int			rc = load_seed(path, seed);

	if (rc == 0)
		rc = expand_secret(key, seed);
	sodium_memzero(seed, sizeof seed);
	return rc;
}

/* Parse the unprotected key file text of name as an index key: 64 hex
 * digits (white space trimmed) or 32 raw bytes. */
int
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
int
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

/* Parse --pwhash-limits: interactive, moderate (the default) or sensitive. */
int
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
int
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
int
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
