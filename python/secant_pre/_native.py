"""The C library libsecant-pre through cffi in ABI mode (no compiler needed).

Where the library is: $SECANT_PRE_LIBRARY if set, else the path that
`make install` wrote into _where.py, else the dynamic linker's search
(libsecant-pre.so.0, found after ldconfig in /usr/local/lib).
"""
from __future__ import annotations

import os

import cffi

ffi = cffi.FFI()
# The declarations of secant_pre.h that this package calls (fixed-size
# array parameters as pointers: the same ABI).
ffi.cdef("""
typedef struct sp_secret sp_secret;
typedef struct sp_dctx sp_dctx;
typedef struct { int content; uint64_t opslimit; uint64_t memlimit; } sp_kf_header;
typedef struct { uint8_t key[256][64]; uint8_t full[256]; } sp_keycache;
const char *sp_strerror(int err);
int sp_err_is_malformed(int err);
int sp_init(void);
const char *sp_library_version(void);
int sp_keygen(uint8_t *seed);
sp_secret *sp_secret_new(const uint8_t *seed, int *err);
void sp_secret_free(sp_secret *key);
void sp_secret_public_key(uint8_t *pk, const sp_secret *key);
int sp_public_key(uint8_t *pk, const uint8_t *seed);
size_t sp_ciphertext_bytes(int level, size_t aadlen, size_t mlen);
int sp_encrypt(uint8_t *ct, size_t ctlen, const uint8_t *pk,
               const uint8_t *m, size_t mlen, const uint8_t *aad, size_t aadlen,
               const uint8_t *r, const uint8_t *u, const uint8_t *nonce);
int sp_encrypt_random(uint8_t *ct, size_t ctlen, const uint8_t *pk,
                      const uint8_t *m, size_t mlen, const uint8_t *aad, size_t aadlen);
int sp_ciphertext_check_layout(const uint8_t *ct, size_t ctlen);
int sp_ciphertext_level(const uint8_t *ct);
uint32_t sp_ciphertext_aadlen(const uint8_t *ct);
const uint8_t *sp_ciphertext_hop(const uint8_t *ct, int k);
const uint8_t *sp_ciphertext_recipient(const uint8_t *ct);
size_t sp_plaintext_bytes(const uint8_t *ct, size_t ctlen);
int sp_reencrypt(uint8_t *out, size_t outlen, const uint8_t *ct, size_t ctlen,
                 const uint8_t *grant);
int sp_decrypt_cached(uint8_t *m, size_t mcap, size_t *mlen,
                      const uint8_t *ct, size_t ctlen, const sp_secret *key, sp_dctx *ctx);
sp_dctx *sp_dctx_new(unsigned slots);
void sp_dctx_free(sp_dctx *ctx);
void sp_dctx_stats(const sp_dctx *ctx, uint64_t *hits, uint64_t *misses);
int sp_grant(uint8_t *grant, const sp_secret *from, const uint8_t *to,
             int64_t not_after, const uint8_t *x);
int sp_grant_random(uint8_t *grant, const sp_secret *from, const uint8_t *to,
                    int64_t not_after);
int64_t sp_grant_not_after(const uint8_t *grant);
int sp_seal_grant_random(uint8_t *out, const uint8_t *grant, const uint8_t *key);
int sp_seal_key_validate(const uint8_t *key);
int sp_seal_grant(uint8_t *out, const uint8_t *grant, const uint8_t *key, const uint8_t *seed);
int sp_tshare_split_random(uint8_t *shares, size_t sharelen, const uint8_t *grant,
                           const sp_secret *from, int t, int n, const uint8_t *sealkeys);
int sp_tshare_split(uint8_t *shares, size_t sharelen, const uint8_t *grant,
                    const sp_secret *from, int t, int n, const uint8_t *sealkeys,
                    const uint8_t *coeffs, const uint8_t *seeds);
int sp_tshare_same_grant(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen);
int sp_tshare_open(uint8_t *rk_i, const uint8_t *share, size_t len, const uint8_t *sk,
                   const uint8_t *dbid);
int sp_tpartial(uint8_t *partial, const uint8_t *share, size_t sharelen, const uint8_t *rk_i,
                const uint8_t *ct, size_t ctlen, const uint8_t *rho);
int sp_tpartial_random(uint8_t *partial, const uint8_t *share, size_t sharelen,
                       const uint8_t *rk_i, const uint8_t *ct, size_t ctlen);
int sp_tpartial_verify(const uint8_t *partial, const uint8_t *share, size_t sharelen,
                       const uint8_t *ct, size_t ctlen);
int sp_tcombine(uint8_t *out, size_t outlen, const uint8_t *ct, size_t ctlen,
                const uint8_t *share, size_t sharelen, const uint8_t *partials, int npartials);
int sp_token(uint8_t *token, const uint8_t *key, const uint8_t *word, size_t wordlen);
int sp_token_keyword(uint8_t *token, const uint8_t *key, const uint8_t *keyword, size_t len);
int sp_tokens_document(uint8_t *tokens, size_t cap, size_t *n, const uint8_t *key,
                       const uint8_t *doc, size_t len, int prefixes);
size_t sp_text_bytes(int kind, size_t len);
int sp_text_encode(char *out, size_t outcap, int kind, const uint8_t *bin, size_t len);
int sp_text_decode(uint8_t *bin, size_t bincap, size_t *len, int kind,
                   const char *text, size_t textlen);
size_t sp_text_decoded_max(size_t textlen);
int sp_text_kind(const char *text, size_t textlen);
int sp_validate_cached(int kind, const uint8_t *bin, size_t len, sp_keycache *cache);
size_t sp_envelope_body_bytes(int version, size_t mlen);
size_t sp_envelope_plaintext_bytes(size_t bodylen);
int sp_envelope_seal(uint8_t *body, size_t bodylen, int version, const uint8_t *key,
                     const uint8_t *nonce, const uint8_t *key_ct, size_t key_ctlen,
                     const uint8_t *m, size_t mlen);
int sp_envelope_open(uint8_t *m, size_t mcap, size_t *mlen, int *version,
                     const uint8_t *key, const uint8_t *key_ct, size_t key_ctlen,
                     const uint8_t *body, size_t bodylen);
void sp_random_bytes(uint8_t *buf, size_t len);
const char *sp_keyfile_strerror(int err);
int sp_keyfile_seal(uint8_t *out, int content, const uint8_t *secret,
                    const char *passphrase, size_t passlen, uint64_t opslimit,
                    uint64_t memlimit, const uint8_t *salt, const uint8_t *nonce);
int sp_keyfile_open(uint8_t *secret, sp_kf_header *h, const uint8_t *in, size_t len,
                    const char *passphrase, size_t passlen);
int sp_keyfile_text_encode(char *out, const uint8_t *in);
int sp_keyfile_text_decode(uint8_t *out, const char *text, size_t len);
""")


def _library_path() -> str:
    env = os.environ.get("SECANT_PRE_LIBRARY")
    if env:
        return env
    try:
        from ._where import LIBRARY  # written by make install
        if os.path.exists(LIBRARY):
            return LIBRARY
    except ImportError:
        pass
    return "libsecant-pre.so.0"


LIBRARY_PATH = _library_path()
lib = ffi.dlopen(LIBRARY_PATH)
if lib.sp_init() != 0:
    raise ImportError("secant_pre: libsodium could not start (sp_init)")
