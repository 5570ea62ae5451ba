/*
 * envelope.c - envelopes for large records (sp_envelope.h): seal prints
 * a key ciphertext and a body, open reads them back.
 */
#include <sodium.h>

#include "secant_pre.h"
#include "args.h"
#include "encrypt.h"
#include "envelope.h"
#include "io.h"
#include "keyfile.h"
#include "report.h"
#include "values.h"

/* Seal m with the data key into the text line of a v2 body. */
int
seal_body(const uint8_t *data_key, const buf *key_ct, const buf *m,
		  buf *text)
{
	size_t		n = sp_envelope_body_bytes(SP_ENVELOPE_V2, m->len);
	size_t		textcap = sodium_base64_ENCODED_LEN(n, BASE64URL);
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
						  BASE64URL);
		text->data[textcap - 1] = '\n';	/* in place of the NUL */
		text->len = textcap;
	}
	buf_free(&body);
	return rc;
}

/* Decode a body's text form (unpadded base64url) into body. */
int
decode_body(const char *name, const uint8_t *p, size_t len, buf *body)
{
	const char *end = NULL;
	int			rc = buf_reserve(body, sp_text_decoded_max(len));

	if (rc == 0 &&
		(sodium_base642bin(body->data, body->cap, (const char *) p, len, NULL,
						   &body->len, &end, BASE64URL) != 0 ||
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
int
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
int
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
int
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
	{
		warn_readable_stdout(PLAINTEXT_HINT);
		write_out(m.data, m.len);
	}
	sodium_memzero(data_key, sizeof data_key);
	sp_secret_wipe(&key);
	buf_free(&key_ct);
	buf_free(&body);
	buf_free(&m);
	return rc;
}
