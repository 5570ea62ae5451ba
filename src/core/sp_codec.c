/*
 * sp_codec.c - text forms of secant_pre values: prefix + unpadded base64url
 * (SCHEME.md "Text forms"), and validation of any kind's bytes.
 */
#include <string.h>

#include <sodium.h>

#include "sp_codec.h"
#include "sp_seal.h"
#include "sp_threshold.h"

#define B64_VARIANT sodium_base64_VARIANT_URLSAFE_NO_PADDING

typedef struct kind_info
{
	const char *prefix;
	const char *name;
	size_t		bytes;
} kind_info;

static const kind_info kinds[SP_KIND_COUNT] = {
	[SP_KIND_SECRET_KEY] = {"presk_", "pre_secret_key", SP_SEEDBYTES},
	[SP_KIND_PUBLIC_KEY] = {"prepk_", "pre_public_key", SP_PUBLICKEYBYTES},
	[SP_KIND_GRANT] = {"pregrant_", "pre_grant", SP_GRANTBYTES},
	[SP_KIND_CIPHERTEXT] = {"prect_", "pre_ciphertext", 0},
	[SP_KIND_TOKEN] = {"pretok_", "pre_token", SP_TOKENBYTES},
	[SP_KIND_SEALED_GRANT] = {"presealed_", "pre_sealed_grant", SP_SEALEDBYTES},
	[SP_KIND_SEAL_KEY] = {"presealkey_", "sealing key", SP_SEALKEYBYTES},
	[SP_KIND_TSHARE] = {"pretshare_", "threshold grant share", 0},
	[SP_KIND_TPARTIAL] = {"prepartial_", "partial", SP_TPARTIALBYTES},
};

const char *
sp_kind_prefix(sp_kind kind)
{
	return kinds[kind].prefix;
}

const char *
sp_kind_name(sp_kind kind)
{
	return kinds[kind].name;
}

size_t
sp_kind_bytes(sp_kind kind)
{
	return kinds[kind].bytes;
}

/* Length of the text form of len bytes, including the terminating NUL. */
size_t
sp_text_bytes(sp_kind kind, size_t len)
{
	return strlen(kinds[kind].prefix) +
		sodium_base64_ENCODED_LEN(len, B64_VARIANT);
}

/* Write the text form of bin into out. */
int
sp_text_encode(char *out, size_t outcap, sp_kind kind, const uint8_t *bin,
			   size_t len)
{
	size_t		plen = strlen(kinds[kind].prefix);

	if (outcap < sp_text_bytes(kind, len))
		return SP_ELENGTH;
	memcpy(out, kinds[kind].prefix, plen);
	sodium_bin2base64(out + plen, outcap - plen, bin, len, B64_VARIANT);
	return SP_OK;
}

/* Upper bound of the decoded length of a text of textlen characters. */
size_t
sp_text_decoded_max(size_t textlen)
{
	return textlen / 4 * 3 + 3;
}

static int
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
		c == '\v';
}

/* True if all len characters are in the base64url alphabet. */
static int
is_base64url(const char *text, size_t len)
{
	for (size_t i = 0; i < len; i++)
	{
		char		c = text[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
			  (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return 0;
	}
	return 1;
}

/* Narrow text/textlen to the part without surrounding white space. */
static void
trim(const char **text, size_t *textlen)
{
	while (*textlen > 0 && is_space(**text))
	{
		(*text)++;
		(*textlen)--;
	}
	while (*textlen > 0 && is_space((*text)[*textlen - 1]))
		(*textlen)--;
}

/* Which kind a text form is, by prefix; -1 if none. */
int
sp_text_kind(const char *text, size_t textlen)
{
	trim(&text, &textlen);
	for (int k = 0; k < SP_KIND_COUNT; k++)
	{
		size_t		plen = strlen(kinds[k].prefix);

		if (textlen >= plen && memcmp(text, kinds[k].prefix, plen) == 0)
			return k;
	}
	return -1;
}

/*
 * Decode the text form of a value into bin.  Strict: the whole text after
 * the prefix must be unpadded base64url with zero trailing bits.
 */
int
sp_text_decode(uint8_t *bin, size_t bincap, size_t *len, sp_kind kind,
			   const char *text, size_t textlen)
{
	size_t		plen = strlen(kinds[kind].prefix);
	const char *end = NULL;
	size_t		fixed = kinds[kind].bytes;

	*len = 0;
	trim(&text, &textlen);
	if (textlen < plen || memcmp(text, kinds[kind].prefix, plen) != 0)
		return SP_EPREFIX;
	text += plen;
	textlen -= plen;
	if (textlen == 0)
		return SP_ELENGTH;
	/* libsodium 1.0.18 takes bytes >= 0x80 for '_': check the alphabet */
	if (!is_base64url(text, textlen))
		return SP_EBASE64;
	/* a fixed-size kind: the text length alone tells a wrong size */
	if (fixed != 0 &&
		textlen != sodium_base64_ENCODED_LEN(fixed, B64_VARIANT) - 1)
		return SP_ELENGTH;
	if (sodium_base642bin(bin, bincap, text, textlen, NULL, len, &end,
						  B64_VARIANT) != 0 || end != text + textlen)
	{
		sodium_memzero(bin, bincap);
		*len = 0;
		return SP_EBASE64;
	}
	return SP_OK;
}

/* Full validation of the bytes of a value of any kind. */
int
sp_validate(sp_kind kind, const uint8_t *bin, size_t len)
{
	return sp_validate_cached(kind, bin, len, NULL);
}

/* sp_validate, public keys through a cache (which may be NULL). */
int
sp_validate_cached(sp_kind kind, const uint8_t *bin, size_t len,
				   sp_keycache *cache)
{
	if (kinds[kind].bytes != 0 && len != kinds[kind].bytes)
		return SP_ELENGTH;
	switch (kind)
	{
		case SP_KIND_PUBLIC_KEY:
			return sp_public_key_validate_cached(bin, cache);
		case SP_KIND_GRANT:
			return sp_grant_validate_cached(bin, cache);
		case SP_KIND_CIPHERTEXT:
			return sp_ciphertext_validate_cached(bin, len, cache);
		case SP_KIND_SEALED_GRANT:
			return sp_sealed_validate(bin);
		case SP_KIND_SEAL_KEY:
			return sp_seal_key_validate(bin);
		case SP_KIND_TSHARE:
			return sp_tshare_validate(bin, len);
		case SP_KIND_TPARTIAL:
			return sp_tpartial_check(bin);
		case SP_KIND_SECRET_KEY:
		case SP_KIND_TOKEN:
		case SP_KIND_COUNT:
			break;
	}
	return SP_OK;
}
