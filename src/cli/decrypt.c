/*
 * decrypt.c - the decrypt command: one ciphertext, or one per line with
 * --batch (one JSON line per input line, a decryption context and a
 * validation cache shared by the values on one path).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "secant_pre.h"
#include "args.h"
#include "decrypt.h"
#include "io.h"
#include "keyfile.h"
#include "report.h"
#include "values.h"

/* paths remembered by decrypt --batch */
#define BATCH_PATHS 256
/* the decryption context of decrypt --batch, or NULL */
static sp_dctx *batch_ctx = NULL;
/* paths whose hop bytes decrypt --batch found valid (public data) */
static sp_vcache *batch_valid = NULL;

/*
 * Decrypt one validated ciphertext into m (sized here); the one place that
 * decrypts a value, so that a decryption context can be plugged in.
 */
int
decrypt_value(const sp_secret *key, const buf *ct, buf *m)
{
	if (buf_reserve(m, sp_plaintext_bytes(ct->data, ct->len)) != 0)
		return SP_ENOMEM;
	return sp_decrypt_cached(m->data, m->cap, &m->len, ct->data, ct->len, key,
							 batch_ctx);
}

/*
 * The decryption context of decrypt --batch: values on one path cost one
 * scalar multiplication each (sp_cache.h); and the validation of values
 * on known paths.  Without memory for them, every value is decrypted and
 * validated on its own (same bytes, same codes).
 */
static void
batch_ctx_open(void)
{
	batch_ctx = sp_dctx_new(BATCH_PATHS);
	batch_valid = sp_vcache_new(BATCH_PATHS);
}

/* Wipe and free the context and the cache of batch_ctx_open. */
static void
batch_ctx_close(void)
{
	sp_vcache_free(batch_valid);
	batch_valid = NULL;
	sp_dctx_free(batch_ctx);
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
	size_t		b64 = m != NULL ? sodium_base64_ENCODED_LEN(m->len, BASE64URL) : 0;
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
						  BASE64URL);
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
int
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
