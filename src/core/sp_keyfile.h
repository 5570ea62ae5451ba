/*
 * sp_keyfile.h - passphrase-protected key files (docs/SCHEME.md, "Protected
 * key files"): a 32-byte secret (a PRE secret key seed or a search index
 * key) encrypted with XChaCha20-Poly1305-IETF under a key that Argon2id
 * (libsodium crypto_pwhash, ALG_ARGON2ID13) derives from a passphrase.
 *
 * Pure C over libsodium, like the rest of the core: the salt and the nonce
 * are passed in by the caller, so sealing is reproducible from the
 * known-answer vectors (test/vectors/keyfile.json).  Every function returns
 * SP_KF_OK (0) or a negative sp_kf_err and never aborts on input data;
 * derived keys are wiped before returning, and a key buffer is zero
 * whenever opening fails.
 */
#ifndef SP_KEYFILE_H
#define SP_KEYFILE_H

#include <stddef.h>
#include <stdint.h>

#include "sp_core.h"

#define SP_KF_PREFIX		"prelocked_"	/* text form: prefix + base64url */
#define SP_KF_PREFIXLEN		10
#define SP_KF_VERSION		0x01
#define SP_KF_KDF_ARGON2ID13 0x01
#define SP_KF_SECRETBYTES	32	/* what a file protects */
#define SP_KF_SALTBYTES		16	/* crypto_pwhash_SALTBYTES */
#define SP_KF_NONCEBYTES	24	/* XChaCha20-Poly1305-IETF */
#define SP_KF_TAGBYTES		16
#define SP_KF_HEADERBYTES	64	/* authenticated as associated data */
#define SP_KF_BYTES			(SP_KF_HEADERBYTES + SP_KF_SECRETBYTES + SP_KF_TAGBYTES)
#define SP_KF_TEXTBYTES		(SP_KF_PREFIXLEN + 150 + 1)	/* with the NUL */

/* field offsets */
#define SP_KF_MAGIC			0	/* "SPKF" */
#define SP_KF_VER			4
#define SP_KF_CONTENT		5
#define SP_KF_KDF			6
#define SP_KF_RESERVED		7
#define SP_KF_SALT			8
#define SP_KF_OPSLIMIT		24	/* uint64 little-endian */
#define SP_KF_MEMLIMIT		32	/* uint64 little-endian, bytes */
#define SP_KF_NONCE			40
#define SP_KF_CIPHERTEXT	64

/* limits a file may carry (read and write); keep the work of opening bounded */
#define SP_KF_OPSLIMIT_MIN	((uint64_t) 1)
#define SP_KF_OPSLIMIT_MAX	((uint64_t) 16)
#define SP_KF_MEMLIMIT_MIN	((uint64_t) 8192)
#define SP_KF_MEMLIMIT_MAX	((uint64_t) 1 << 30)	/* SENSITIVE: 1 GiB */

/* What a key file holds (the content byte). */
typedef enum sp_kf_content
{
	SP_KF_PRE_SECRET_KEY = 1,	/* a PRE secret key seed (presk_) */
	SP_KF_INDEX_KEY = 2			/* a search index key */
} sp_kf_content;

typedef enum sp_kf_err
{
	SP_KF_OK = 0,
	SP_KF_ETEXT = -101,			/* not prelocked_ + strict base64url of 112 bytes */
	SP_KF_EMAGIC = -102,
	SP_KF_EVERSION = -103,
	SP_KF_ECONTENT = -104,		/* unknown content byte */
	SP_KF_EKDF = -105,			/* unknown key derivation */
	SP_KF_ERESERVED = -106,
	SP_KF_ELIMITS = -107,		/* opslimit or memlimit out of range */
	SP_KF_EPWHASH = -108,		/* Argon2id failed (out of memory) */
	SP_KF_EPASSPHRASE = -109,	/* wrong passphrase or modified file */
	SP_KF_EEMPTY = -110			/* empty passphrase */
} sp_kf_err;

/* The header fields of a key file, as parsed. */
typedef struct sp_kf_header
{
	int			content;		/* sp_kf_content */
	uint64_t	opslimit;
	uint64_t	memlimit;
} sp_kf_header;

/* One sentence describing an sp_kf_err code. */
const char *sp_keyfile_strerror(int err);

/* True if text (after leading white space) starts with the prefix prelocked_. */
int			sp_keyfile_is_text(const char *text, size_t len);

/*
 * Seal secret into a key file: header (magic, version, content, KDF,
 * reserved, salt, limits, nonce) and the AEAD of secret under
 * Argon2id(passphrase, salt, opslimit, memlimit), with the header as
 * associated data.
 */
int			sp_keyfile_seal(uint8_t out[SP_KF_BYTES], int content,
							const uint8_t secret[SP_KF_SECRETBYTES],
							const char *passphrase, size_t passlen,
							uint64_t opslimit, uint64_t memlimit,
							const uint8_t salt[SP_KF_SALTBYTES],
							const uint8_t nonce[SP_KF_NONCEBYTES]) SP_WUR;

/* Check the header of a key file of len bytes (no passphrase needed). */
int			sp_keyfile_parse(const uint8_t *in, size_t len,
							 sp_kf_header *h) SP_WUR;

/* Open a key file: secret is written only on success, zero otherwise. */
int			sp_keyfile_open(uint8_t secret[SP_KF_SECRETBYTES], sp_kf_header *h,
							const uint8_t *in, size_t len,
							const char *passphrase, size_t passlen) SP_WUR;

/* Text form: prelocked_ + unpadded base64url, NUL-terminated. */
int			sp_keyfile_text_encode(char out[SP_KF_TEXTBYTES],
								   const uint8_t in[SP_KF_BYTES]) SP_WUR;

/* Decode the text form (white space around it ignored). */
int			sp_keyfile_text_decode(uint8_t out[SP_KF_BYTES],
								   const char *text, size_t len) SP_WUR;

#endif							/* SP_KEYFILE_H */
