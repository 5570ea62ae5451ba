/*
 * inspect.c - the inspect command: any value, or a protected key file,
 * validated and described as one line of JSON, never its secret.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>

#include <sodium.h>

#include "secant_pre.h"
#include "args.h"
#include "inspect.h"
#include "io.h"
#include "keyfile.h"
#include "passphrase.h"
#include "report.h"
#include "values.h"
#include "when.h"

#define PK_TEXT_MAX		128		/* > text form of a public key */

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
		int64_t		not_after = sp_grant_not_after(v->data);
		char		iso[32];

		format_when(not_after, iso, sizeof iso);
		if (not_after == 0)
			printf(",\"not_after\":null");
		else
			printf(",\"not_after\":\"%s\"", iso);
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
int
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
	if (rc == 0 && (kind >= 0 || locked))
		rc = check_one_value("standard input", &text);
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
