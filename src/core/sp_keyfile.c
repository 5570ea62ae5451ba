/*
 * sp_keyfile.c - passphrase-protected key files (sp_keyfile.h, SCHEME.md
 * "Protected key files").
 */
#include <string.h>

#include <sodium.h>

#include "sp_internal.h"
#include "sp_keyfile.h"

#define KF_BASE64 sodium_base64_VARIANT_URLSAFE_NO_PADDING

static const uint8_t kf_magic[4] = {'S', 'P', 'K', 'F'};

/* One sentence describing an sp_kf_err code. */
const char *
sp_keyfile_strerror(int err)
{
	switch (err)
	{
		case SP_KF_OK:
			return "no error";
		case SP_KF_ETEXT:
			return "not a protected key file (prelocked_ and 150 base64url characters expected)";
		case SP_KF_EMAGIC:
			return "a protected key file with a bad magic";
		case SP_KF_EVERSION:
			return "a protected key file of an unknown version";
		case SP_KF_ECONTENT:
			return "a protected key file of an unknown content";
		case SP_KF_EKDF:
			return "a protected key file with an unknown key derivation";
		case SP_KF_ERESERVED:
			return "a protected key file with non-zero reserved bytes";
		case SP_KF_ELIMITS:
			return "a protected key file with Argon2id limits out of range";
		case SP_KF_EPWHASH:
			return "Argon2id failed (out of memory?)";
		case SP_KF_EPASSPHRASE:
			return "wrong passphrase, or the file was modified";
		case SP_KF_EEMPTY:
			return "the passphrase is empty";
	}
	return "unknown error";
}

/* True if the limits are within what a key file may carry. */
static int
limits_ok(uint64_t opslimit, uint64_t memlimit)
{
	return opslimit >= SP_KF_OPSLIMIT_MIN && opslimit <= SP_KF_OPSLIMIT_MAX &&
		memlimit >= SP_KF_MEMLIMIT_MIN && memlimit <= SP_KF_MEMLIMIT_MAX;
}

/* Derive the AEAD key from the passphrase with Argon2id. */
static int
derive(uint8_t key[crypto_aead_xchacha20poly1305_ietf_KEYBYTES],
	   const char *passphrase, size_t passlen, const uint8_t *salt,
	   uint64_t opslimit, uint64_t memlimit)
{
	if (passlen == 0)
		return SP_KF_EEMPTY;
	if (crypto_pwhash(key, crypto_aead_xchacha20poly1305_ietf_KEYBYTES,
					  passphrase, passlen, salt, (unsigned long long) opslimit,
					  (size_t) memlimit, crypto_pwhash_ALG_ARGON2ID13) != 0)
	{
		sodium_memzero(key, crypto_aead_xchacha20poly1305_ietf_KEYBYTES);
		return SP_KF_EPWHASH;
	}
	return SP_KF_OK;
}

int
sp_keyfile_is_text(const char *text, size_t len)
{
	while (len > 0 && (*text == ' ' || *text == '\t' || *text == '\n' ||
					   *text == '\r' || *text == '\v' || *text == '\f'))
	{
		text++;
		len--;
	}
	return len >= SP_KF_PREFIXLEN && memcmp(text, SP_KF_PREFIX, SP_KF_PREFIXLEN) == 0;
}

int
sp_keyfile_seal(uint8_t out[SP_KF_BYTES], int content,
				const uint8_t secret[SP_KF_SECRETBYTES],
				const char *passphrase, size_t passlen,
				uint64_t opslimit, uint64_t memlimit,
				const uint8_t salt[SP_KF_SALTBYTES],
				const uint8_t nonce[SP_KF_NONCEBYTES])
{
	uint8_t		key[crypto_aead_xchacha20poly1305_ietf_KEYBYTES];
	unsigned long long clen = 0;
	int			err;

	if (content != SP_KF_PRE_SECRET_KEY && content != SP_KF_INDEX_KEY)
		return SP_KF_ECONTENT;
	if (!limits_ok(opslimit, memlimit))
		return SP_KF_ELIMITS;
	memset(out, 0, SP_KF_BYTES);
	sp_header_put(out + SP_KF_MAGIC, kf_magic, SP_KF_VERSION);
	out[SP_KF_CONTENT] = (uint8_t) content;
	out[SP_KF_KDF] = SP_KF_KDF_ARGON2ID13;
	memcpy(out + SP_KF_SALT, salt, SP_KF_SALTBYTES);
	sp_store64_le(out + SP_KF_OPSLIMIT, opslimit);
	sp_store64_le(out + SP_KF_MEMLIMIT, memlimit);
	memcpy(out + SP_KF_NONCE, nonce, SP_KF_NONCEBYTES);
	err = derive(key, passphrase, passlen, salt, opslimit, memlimit);
	if (err == SP_KF_OK &&
		crypto_aead_xchacha20poly1305_ietf_encrypt(out + SP_KF_CIPHERTEXT, &clen,
												   secret, SP_KF_SECRETBYTES,
												   out, SP_KF_HEADERBYTES, NULL,
												   nonce, key) != 0)
		err = SP_KF_EPWHASH;	/* cannot happen */
	sodium_memzero(key, sizeof key);
	if (err != SP_KF_OK)
		sodium_memzero(out, SP_KF_BYTES);
	return err;
}

int
sp_keyfile_parse(const uint8_t *in, size_t len, sp_kf_header *h)
{
	if (len != SP_KF_BYTES)
		return SP_KF_ETEXT;
	switch (sp_magic_check(in + SP_KF_MAGIC, kf_magic, SP_KF_VERSION))
	{
		case SP_EMAGIC:
			return SP_KF_EMAGIC;
		case SP_EVERSION:
			return SP_KF_EVERSION;
	}
	if (in[SP_KF_CONTENT] != SP_KF_PRE_SECRET_KEY &&
		in[SP_KF_CONTENT] != SP_KF_INDEX_KEY)
		return SP_KF_ECONTENT;
	if (in[SP_KF_KDF] != SP_KF_KDF_ARGON2ID13)
		return SP_KF_EKDF;
	if (in[SP_KF_RESERVED] != 0)
		return SP_KF_ERESERVED;
	h->content = in[SP_KF_CONTENT];
	h->opslimit = sp_load64_le(in + SP_KF_OPSLIMIT);
	h->memlimit = sp_load64_le(in + SP_KF_MEMLIMIT);
	if (!limits_ok(h->opslimit, h->memlimit))
		return SP_KF_ELIMITS;
	return SP_KF_OK;
}

int
sp_keyfile_open(uint8_t secret[SP_KF_SECRETBYTES], sp_kf_header *h,
				const uint8_t *in, size_t len,
				const char *passphrase, size_t passlen)
{
	uint8_t		key[crypto_aead_xchacha20poly1305_ietf_KEYBYTES];
	unsigned long long mlen = 0;
	int			err;

	memset(secret, 0, SP_KF_SECRETBYTES);
	err = sp_keyfile_parse(in, len, h);
	if (err == SP_KF_OK)
		err = derive(key, passphrase, passlen, in + SP_KF_SALT, h->opslimit,
					 h->memlimit);
	if (err == SP_KF_OK &&
		(crypto_aead_xchacha20poly1305_ietf_decrypt(secret, &mlen, NULL,
													in + SP_KF_CIPHERTEXT,
													SP_KF_SECRETBYTES + SP_KF_TAGBYTES,
													in, SP_KF_HEADERBYTES,
													in + SP_KF_NONCE, key) != 0 ||
		 mlen != SP_KF_SECRETBYTES))
		err = SP_KF_EPASSPHRASE;
	sodium_memzero(key, sizeof key);
	if (err != SP_KF_OK)
		sodium_memzero(secret, SP_KF_SECRETBYTES);
	return err;
}

int
sp_keyfile_text_encode(char out[SP_KF_TEXTBYTES], const uint8_t in[SP_KF_BYTES])
{
	memcpy(out, SP_KF_PREFIX, SP_KF_PREFIXLEN);
	sodium_bin2base64(out + SP_KF_PREFIXLEN, SP_KF_TEXTBYTES - SP_KF_PREFIXLEN,
					  in, SP_KF_BYTES, KF_BASE64);
	return SP_KF_OK;
}

int
sp_keyfile_text_decode(uint8_t out[SP_KF_BYTES], const char *text, size_t len)
{
	const char *end = NULL;
	size_t		binlen = 0;

	while (len > 0 && (text[0] == ' ' || text[0] == '\t' || text[0] == '\n' ||
					   text[0] == '\r' || text[0] == '\v' || text[0] == '\f'))
	{
		text++;
		len--;
	}
	while (len > 0 && (text[len - 1] == ' ' || text[len - 1] == '\t' ||
					   text[len - 1] == '\n' || text[len - 1] == '\r' ||
					   text[len - 1] == '\v' || text[len - 1] == '\f'))
		len--;
	if (len != SP_KF_TEXTBYTES - 1 ||
		memcmp(text, SP_KF_PREFIX, SP_KF_PREFIXLEN) != 0 ||
		sodium_base642bin(out, SP_KF_BYTES, text + SP_KF_PREFIXLEN,
						  len - SP_KF_PREFIXLEN, NULL, &binlen, &end,
						  KF_BASE64) != 0 ||
		binlen != SP_KF_BYTES || end != text + len)
	{
		memset(out, 0, SP_KF_BYTES);
		return SP_KF_ETEXT;
	}
	return SP_KF_OK;
}
