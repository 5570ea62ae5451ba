/*
 * decrypt.c - the decrypt command: one ciphertext, or one per line with
 * --batch (one JSON line per input line, a decryption context and a
 * validation cache shared by the values on one path).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "secant_pre.h"
#include "args.h"
#include "batch.h"
#include "decrypt.h"
#include "io.h"
#include "keyfile.h"
#include "progress.h"
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

/* How decrypt --batch writes a plaintext in its JSON. */
typedef enum encoding
{
	ENC_BASE64,					/* padded, standard alphabet: base64 -d */
	ENC_BASE64URL,				/* unpadded base64url, as the text forms */
	ENC_HEX,
	ENC_RAW						/* a JSON string: UTF-8 text only */
} encoding;

static const char *const encoding_names[] = {"base64", "base64url", "hex", "raw"};

/* Parse --encoding (default base64); 0 or a usage error. */
static int
parse_encoding(const char *name, encoding *e)
{
	*e = ENC_BASE64;
	for (int i = 0; name != NULL && i < 4; i++)
		if (strcmp(name, encoding_names[i]) == 0)
		{
			*e = (encoding) i;
			return 0;
		}
	return name == NULL ? 0 :
		usage_fail("--encoding is base64, base64url, hex or raw");
}

/* Append the plaintext m to line as a JSON string in encoding e; a
 * constant error message, or NULL. */
static const char *
append_plaintext(buf *line, const buf *m, encoding e)
{
	static const uint8_t none[1];
	const uint8_t *data = m->len > 0 ? m->data : none;
	size_t		n = e == ENC_BASE64 ? sodium_base64_ENCODED_LEN(m->len, sodium_base64_VARIANT_ORIGINAL) :
		e == ENC_BASE64URL ? sodium_base64_ENCODED_LEN(m->len, BASE64URL) :
		e == ENC_HEX ? 2 * m->len + 1 : 0;

	if (e == ENC_RAW)
	{
		if (!is_utf8(m->data, m->len))
			return "the plaintext is not UTF-8 text (use --encoding base64)";
		return append_json(line, (const char *) data, m->len) == 0 ? NULL :
			"out of memory";
	}
	if (append_str(line, "\"") != 0 || buf_reserve(line, line->len + n + 2) != 0)
		return "out of memory";
	if (e == ENC_HEX)
		sodium_bin2hex((char *) line->data + line->len, n, data, m->len);
	else
		sodium_bin2base64((char *) line->data + line->len, n, data, m->len,
						  e == ENC_BASE64 ? sodium_base64_VARIANT_ORIGINAL : BASE64URL);
	line->len += n - 1;
	return append_str(line, "\"") == 0 ? NULL : "out of memory";
}

/*
 * The JSON line of one batch result into line: {"n":N[,"id":ID],"ok":...}
 * with the plaintext m, or the error (*ok false).
 */
static int
batch_result(size_t n, const record *r, const char *error, const buf *m,
			 encoding e, buf *line, bool *ok)
{
	char		head[64];
	int			len = snprintf(head, sizeof head, "{\"n\":%zu", n);
	int			rc;

	line->len = 0;
	rc = append(line, head, (size_t) len);
	if (rc == 0 && r->id != NULL)
		rc = append_str(line, ",\"id\":") || append_json(line, r->id, r->idlen);
	if (rc == 0 && error == NULL)
	{
		size_t		keep = line->len;

		rc = append_str(line, ",\"ok\":true,\"plaintext\":");
		error = rc == 0 ? append_plaintext(line, m, e) : NULL;
		if (error != NULL)
			line->len = keep;
	}
	*ok = error == NULL;
	if (rc == 0 && error != NULL)
		rc = append_str(line, ",\"ok\":false,\"error\":") ||
			append_json(line, error, strlen(error));
	return rc == 0 ? append_str(line, "}\n") : rc;
}

/* Decrypt the value of one record; the error message or NULL. */
static const char *
batch_one(const sp_secret *key, const record *r, buf *ct, buf *m, char *why,
		  size_t whysize)
{
	const uint8_t *text = (const uint8_t *) r->value;
	size_t		len = r->len;
	int			held;
	int			err;

	trim(&text, &len);
	if (r->id != NULL && !is_utf8((const uint8_t *) r->id, r->idlen))
		return "the id is not UTF-8 text";
	if (r->more != NULL)
		return "more than ID<TAB>CIPHERTEXT on the line";
	if (len == 0)
		return "no ciphertext";
	held = sp_text_kind((const char *) text, len);
	if (held != SP_KIND_CIPHERTEXT)
	{
		snprintf(why, whysize, "not a ciphertext: the value is %s",
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

/*
 * decrypt --batch: one ciphertext per line in (ID<TAB>CIPHERTEXT or
 * CIPHERTEXT), one JSON line per line out, in order.
 */
static int
decrypt_batch(const args *a, const sp_secret *key)
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
	encoding	e;
	progress	pr;
	int			rc = parse_encoding(opt(a, "--encoding"), &e);

	/*
	 * Ciphertexts only: a stdio buffer may hold them (the key came from a
	 * file).  The buffer is given: main made stdin unbuffered, and glibc
	 * would keep that one-byte buffer for a NULL one (a read() per byte).
	 */
	static char inbuf[READ_CHUNK];

	if (rc != 0)
		return rc;
	setvbuf(stdin, inbuf, _IOFBF, sizeof inbuf);
	notice_terminal_stdin();
	warn_readable_stdout(PLAINTEXT_HINT);
	batch_ctx_open();
	progress_start(&pr, "values", opt(a, "-q") != NULL, 0);
	while (rc == 0 && (len = getline(&line, &cap, stdin)) >= 0)
	{
		const char *error = NULL;
		record		r = {0};
		bool		ok;

		n++;
		if ((size_t) len > MAX_INPUT_BYTES)
			error = "line longer than 1 GiB";
		else if (!split_record(line, (size_t) len, &r))
			error = "empty line";
		else
			error = batch_one(key, &r, &ct, &m, why, sizeof why);
		rc = batch_result(n, &r, error, &m, e, &out, &ok);
		failed += !ok;
		if (rc == 0)
			write_out(out.data, out.len);
		buf_free(&m);
		buf_free(&out);
		progress_add(&pr, 1, (uint64_t) len);
	}
	progress_end(&pr);
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
		rc = decrypt_batch(a, &key);
		sp_secret_wipe(&key);
		return rc;
	}
	if (rc == 0)
		rc = load_value(NULL, SP_KIND_CIPHERTEXT, &ct);
	if (rc == 0)
	{
		err = decrypt_value(&key, &ct, &m);
		if (err == SP_OK)
		{
			warn_readable_stdout(PLAINTEXT_HINT);
			write_out(m.data, m.len);
		}
		else
			rc = fail_sp("cannot decrypt", err);
	}
	sp_secret_wipe(&key);
	buf_free(&ct);
	buf_free(&m);
	return rc;
}
