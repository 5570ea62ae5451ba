/*
 * rewrap.c - the rewrap command: records at rest moved from a retired
 * key to a new one (after a group rotation), envelopes with a new data
 * key.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "secant_pre.h"
#include "args.h"
#include "decrypt.h"
#include "encrypt.h"
#include "envelope.h"
#include "io.h"
#include "keyfile.h"
#include "report.h"
#include "rewrap.h"
#include "values.h"

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
int
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
