#!/usr/bin/python3
"""test/t/at_rest.py - the searching and the arithmetic of test/t/at_rest.sh.

    at_rest.py check WORK SERVER_KEY_FILE

WORK (made by test/t/at_rest.sh) holds
    keys/NAME.KIND.sk, keys/NAME.KIND.pk  the keys (KIND group, user, device, or
                                          outsider: no principal)
    grants/NAME.grant                     every grant made: pregrant_ (bare, sealed on
                                          the server or refused) or presealed_ (CLI)
    stored.txt                            secant.grants.sealed, one presealed_ per line
    artifacts/CLASS/...                   what is searched (dumps, data directory, ...)
    received/NAME.ct                      ciphertexts re-encrypted for NAME
    scratch/                              the positive controls (planted grants)

    at_rest.py scan WORK FILE GRANT...

searches one more FILE for the rk of the grants grants/GRANT... and runs
the recovery on the grant-like values in it.

Prints one "ok - NAME" or "not ok - NAME" line per check (the shell script
counts them) and "# " lines of detail.  Only the standard library and
libsodium (ctypes).  The arithmetic is docs/SCHEME.md's:
    Hs(tag, m) = BLAKE2b-512("secant-pre/v1/" tag 0x00 m) mod l
    p = Hs("sk", seed), P = p*G
    grant: from (8..72), to (72..136), X (136..168), rk (168..200)
    d = Hs("delegate", X || to.P || q*X) for the grantee's scalar q
    rk*d = p_from when the grantee's d is right: checked as (rk*d)*G == from.P
"""
import base64
import ctypes
import ctypes.util
import hashlib
import os
import re
import sys

sodium = ctypes.CDLL(ctypes.util.find_library('sodium') or 'libsodium.so.23')
if sodium.sodium_init() < 0:
    sys.exit('libsodium does not initialise')

GRANT_BYTES = 272
GRANT_MAGIC = b'SPGR\x01\x00\x00\x00'
SEALED_BYTES = 360
RK = slice(168, 200)

# ---- the scheme's arithmetic ----


def buf(n=32):
    return ctypes.create_string_buffer(n)


def hs(tag, *parts):
    h = hashlib.blake2b(digest_size=64)
    h.update(b'secant-pre/v1/' + tag + b'\0')
    for p in parts:
        h.update(p)
    out = buf()
    sodium.crypto_core_ristretto255_scalar_reduce(out, h.digest())
    return out.raw


def base_mul(s):
    out = buf()
    return out.raw if sodium.crypto_scalarmult_ristretto255_base(out, s) == 0 else None


def point_mul(s, point):
    out = buf()
    return out.raw if sodium.crypto_scalarmult_ristretto255(out, s, point) == 0 else None


def scalar_mul(a, b):
    out = buf()
    sodium.crypto_core_ristretto255_scalar_mul(out, a, b)
    return out.raw


def seal_open(sealed, server_sk):
    """The 296-byte plaintext of a presealed_ value, or None."""
    pk = buf()
    if len(sealed) != SEALED_BYTES or sodium.crypto_scalarmult_base(pk, server_sk) != 0:
        return None
    box = sealed[16:]
    plain = buf(len(box) - 48)
    if sodium.crypto_box_seal_open(plain, box, ctypes.c_ulonglong(len(box)), pk, server_sk) != 0:
        return None
    return plain.raw


def pre_scalar(seed):
    return hs(b'sk', seed)


def unb64url(body):
    return base64.urlsafe_b64decode(body + '=' * (-len(body) % 4))


def from_text(text, prefix):
    text = text.strip()
    if not text.startswith(prefix):
        raise ValueError('not a %s value' % prefix)
    return unb64url(text[len(prefix):])


# ---- results ----

RESULTS = []


def check(name, cond, *detail):
    RESULTS.append(bool(cond))
    print(('ok - ' if cond else 'not ok - ') + name)
    if not cond:
        for d in detail:
            print('#   ' + d)
    return bool(cond)


def note(text):
    print('# ' + text)


# ---- what is searched for ----

def b64_windows(data, start, end):
    """The base64 characters (both alphabets) that depend on data[start:end]
    only, for each of the 3 alignments data can have inside a larger
    encoded value: at any alignment one of them is a substring of the
    encoding."""
    out = set()
    part = data[start:end]
    for a in range(3):
        enc = base64.b64encode(b'\0' * a + part + b'\0\0')
        first = -(-8 * a // 6)                   # first char wholly inside part
        last = (8 * (a + len(part))) // 6        # chars before this one end inside it
        w = enc[first:last]
        out.add(w)
        out.add(w.translate(bytes.maketrans(b'+/', b'-_')))
    return out


def encodings(value):
    """Raw bytes, hex (both cases), base64 standard and url-safe (padded
    and not) of a secret."""
    b64 = base64.b64encode(value)
    url = base64.urlsafe_b64encode(value)
    return {value, value.hex().encode(), value.hex().upper().encode(),
            b64, b64.rstrip(b'='), url, url.rstrip(b'=')} | b64_windows(value, 0, len(value))


def wrap(text, width):
    return [text[i:i + width] for i in range(0, len(text), width)]


def datum_text(value):
    """value's bytes as a printed Datum shows them (signed decimal)."""
    return b' '.join(str(b - 256 if b > 127 else b).encode() for b in value)


def grant_patterns(grant):
    """Every form of a grant's rk: rk alone in every encoding and at every
    base64 alignment, as printed Datum bytes, and the whole grant (raw, hex,
    base64, pregrant_)."""
    pats = encodings(grant[RK]) | {datum_text(grant[RK])}
    url = base64.urlsafe_b64encode(grant).rstrip(b'=')
    pats |= {grant, grant.hex().encode(), grant.hex().upper().encode(),
             base64.b64encode(grant), url, b'pregrant_' + url}
    pats |= b64_windows(grant, RK.start, RK.stop)
    return pats


# ---- the scanner ----

def artifact_files(root):
    for d, _, names in os.walk(root):
        for n in sorted(names):
            p = os.path.join(d, n)
            if os.path.isfile(p) and not os.path.islink(p):
                yield p


def read(path):
    try:
        with open(path, 'rb') as f:
            return f.read()
    except OSError:
        return b''


def find_patterns(data, patterns):
    """[(label, offset)] of the first occurrence of each pattern."""
    hits = []
    for pat, label in patterns.items():
        i = data.find(pat)
        if i >= 0:
            hits.append((label, i))
    return hits


# runs, matched from where they begin only (the look-behind)
HEX_RUN = re.compile(rb'(?<![0-9a-fA-F])[0-9a-fA-F]{%d,}' % (2 * GRANT_BYTES))
B64_RUN = re.compile(rb'(?<![A-Za-z0-9+/_-])[A-Za-z0-9+/_-]{%d,}' % (GRANT_BYTES * 4 // 3))
# a Datum as the debug_print_* settings print it: "LEN [ b b b ... ]", its
# signed decimal bytes; debug_pretty_print breaks the lines anywhere (inside
# a number too) and indents the next line
DATUM = re.compile(rb'\d+ \[([-0-9 \t\r\n]{%d,})\]' % (2 * GRANT_BYTES))


def datum_bytes(body):
    lines = body.split(b'\n')
    if len(lines) > 1:
        rest = [line[1:] if line.startswith(b'\t') else line for line in lines[1:]]
        indent = min(len(line) - len(line.lstrip(b' ')) for line in rest)
        body = lines[0] + b''.join(line[indent:] for line in rest)
    out = bytearray()
    for x in body.split():
        try:
            out.append(int(x) & 0xff)
        except ValueError:
            return b''
    return bytes(out)


def b64_decode_loose(s):
    s = s.translate(bytes.maketrans(b'-_', b'+/'))
    if len(s) % 4 == 1:
        s = s[:-1]
    s += b'=' * (-len(s) % 4)
    try:
        return base64.b64decode(s)
    except ValueError:
        return b''


def magic_hits(blob):
    i = blob.find(GRANT_MAGIC)
    while i >= 0:
        if len(blob) - i >= GRANT_BYTES:
            yield blob[i:i + GRANT_BYTES]
        i = blob.find(GRANT_MAGIC, i + 1)


def grant_candidates(data, nested=True):
    """[(form, 272 bytes)]: every grant-like value in data, raw (the
    magic at any offset), in hex (either case, either nibble alignment),
    in base64 of either alphabet at any alignment (pregrant_ text
    included), or in the bytes of a printed Datum (decimal: any of these
    forms again)."""
    found = [('raw', g) for g in magic_hits(data)]
    for m in HEX_RUN.finditer(data):
        run = m.group(0)
        for off in (0, 1):
            s = run[off:]
            s = s[:len(s) // 2 * 2]
            found += [('hex', g) for g in magic_hits(bytes.fromhex(s.decode()))]
    for m in B64_RUN.finditer(data):
        run = m.group(0)
        for off in range(4):
            found += [('base64', g) for g in magic_hits(b64_decode_loose(run[off:]))]
    if nested:
        for blob in datum_blobs(data):
            found += [('datum, ' + form, g) for form, g in grant_candidates(blob, False)]
    return found


def datum_blobs(data):
    return [datum_bytes(m.group(1)) for m in DATUM.finditer(data)]


def searchable(data):
    """data, and the bytes of the printed Datums in it (for the rk search)."""
    return b'\n'.join([data] + datum_blobs(data))


# ---- the recovery ----

def learned_d(ciphertexts, held):
    """{X: d} that the holders of the scalars in held learn while decrypting
    the re-encrypted ciphertexts they received (docs/SCHEME.md "Decrypt"):
    D = p*X(n-1), then for each hop k, downwards, dk = Hs("delegate", Xk ||
    Pk.P || D), D = dk*Tk.  So a device learns the d of its own grant and of
    every grant above it on the ciphertext's path (its user's membership)."""
    by_point = {base_mul(q): q for q in held.values()}
    out = {}
    for ct in ciphertexts:
        level = ct[5]
        aad = int.from_bytes(ct[192:196], 'little')
        hops = [ct[196 + aad + 128 * k:196 + aad + 128 * (k + 1)] for k in range(level - 1)]
        if not hops or hops[-1][:32] not in by_point:
            continue
        d_point = point_mul(by_point[hops[-1][:32]], hops[-1][64:96])
        for hop in reversed(hops):
            if d_point is None:
                break
            x, t = hop[64:96], hop[96:128]
            d = hs(b'delegate', x, hop[:32], d_point)
            out[x] = d
            d_point = point_mul(d, t)
    return out


def recover(candidates, known, ciphertexts=()):
    """The attacker's view: the grant-like values found, the scalars of the
    secrets it holds (name -> p) and the ciphertexts it received.  For every
    candidate: rk*d tried as the delegator's scalar, with every d the
    attacker can compute -- Hs("delegate", X || P || q*X) for each scalar q
    held (P the grant's to.P, and q's own P), and the d learned from its
    ciphertexts (learned_d).  What is recovered is held from then on (the
    cascade device -> user -> group).  Returns {delegator P (hex): via}."""
    held = dict(known)
    held_points = {base_mul(q) for q in held.values()}
    recovered = {}
    progress = True
    while progress:
        progress = False
        learned = learned_d(ciphertexts, held)
        for g in candidates:
            from_p, to_p, x, rk = g[8:40], g[72:104], g[136:168], g[RK]
            if from_p in held_points:
                continue
            tries = [('ciphertext', learned[x])] if x in learned else []
            for name, q in list(held.items()):
                dh = point_mul(q, x)
                if dh is not None:
                    tries += [(name, hs(b'delegate', x, p, dh)) for p in {to_p, base_mul(q)}]
            for via, d in tries:
                cand = scalar_mul(rk, d)
                if base_mul(cand) == from_p:
                    recovered[from_p.hex()] = via
                    held['recovered:' + from_p.hex()[:8]] = cand
                    held_points.add(from_p)
                    progress = True
                    break
    return recovered


def load_ciphertexts(work):
    rdir = os.path.join(work, 'received')
    return [from_text(read(os.path.join(rdir, n)).decode(), 'prect_') for n in sorted(os.listdir(rdir))]


# ---- the checks ----

def load_keys(work):
    keys = {}
    kdir = os.path.join(work, 'keys')
    for n in sorted(os.listdir(kdir)):
        if not n.endswith('.sk'):
            continue
        name, kind = n[:-3].rsplit('.', 1)
        seed = from_text(read(os.path.join(kdir, n)).decode(), 'presk_')
        pk = from_text(read(os.path.join(kdir, n[:-3] + '.pk')).decode(), 'prepk_')
        keys[name] = {'kind': kind, 'p': pre_scalar(seed), 'seed': seed, 'P': pk[:32]}
    return keys


def main(work, server_key_file):
    server_hex = read(server_key_file).strip()
    server_sk = bytes.fromhex(server_hex.decode())
    keys = load_keys(work)
    by_point = {k['P']: name for name, k in keys.items()}

    check('keys: every secret key gives its public key (p = Hs("sk", seed), P = p*G; %d keys)' % len(keys),
          all(base_mul(k['p']) == k['P'] for k in keys.values()))

    # every grant made, opened where sealed
    grants = {}
    unopened = []
    gdir = os.path.join(work, 'grants')
    for n in sorted(os.listdir(gdir)):
        text = read(os.path.join(gdir, n)).decode().strip()
        if text.startswith('presealed_'):
            plain = seal_open(from_text(text, 'presealed_'), server_sk)
            if plain is None or len(plain) != 296:
                unopened.append(n)
                continue
            grants[n] = plain[24:]
        else:
            grants[n] = from_text(text, 'pregrant_')
    sealed_made = sum(1 for n in os.listdir(gdir) if read(os.path.join(gdir, n)).startswith(b'presealed_'))
    check('every grant sealed by the CLI opens with the server key (%d sealed, %d grants in all)'
          % (sealed_made, len(grants)), not unopened and sealed_made > 0, 'not opened: ' + ' '.join(unopened))
    check('every grant made is a 272-byte grant (magic, version)',
          all(len(g) == GRANT_BYTES and g.startswith(GRANT_MAGIC) for g in grants.values()))
    stored = [line for line in read(os.path.join(work, 'stored.txt')).decode().split() if line]
    stored_rk = []
    for s in stored:
        plain = seal_open(from_text(s, 'presealed_'), server_sk)
        stored_rk.append(plain[24:][RK] if plain else None)
    made_rk = {g[RK]: n for n, g in grants.items()}
    check('every stored grant (secant.grants.sealed, %d) opens and is one the clinic made' % len(stored),
          stored and all(rk in made_rk for rk in stored_rk))

    # patterns: every rk, every grant, the group's secrets
    patterns = {}
    for n, g in grants.items():
        for p in grant_patterns(g):
            patterns[p] = 'rk of ' + n
    for name, k in keys.items():
        if k['kind'] == 'group':
            for p in encodings(k['seed']) | encodings(k['p']):
                patterns[p] = 'secret of group ' + name
    key_patterns = {p: 'server key' for p in encodings(server_sk) | {server_hex, server_hex.upper()}}
    note('%d patterns for %d grants and the group secrets; %d for the server key'
         % (len(patterns), len(grants), len(key_patterns)))

    # the artifacts, class by class
    adir = os.path.join(work, 'artifacts')
    all_candidates = []
    total_files = total_bytes = 0
    for cls in sorted(os.listdir(adir)):
        files = list(artifact_files(os.path.join(adir, cls)))
        size = 0
        hits, key_hits, cands = [], [], []
        for f in files:
            data = read(f)
            size += len(data)
            rel = os.path.relpath(f, adir)
            hits += [(rel, lab, off) for lab, off in find_patterns(searchable(data), patterns)]
            key_hits += [(rel, lab, off) for lab, off in find_patterns(data, key_patterns)]
            cands += [(rel, form, g) for form, g in grant_candidates(data)]
        total_files += len(files)
        total_bytes += size
        note('%s: %d files, %d bytes, %d grant-like values' % (cls, len(files), size, len(cands)))
        check('%s: holds something (%d files, %d bytes)' % (cls, len(files), size), size > 0)
        check('%s: no rk of any of the %d grants, no group secret, in any encoding (%d hits)'
              % (cls, len(grants), len(hits)), not hits,
              *['%s: %s at byte %d' % h for h in hits[:20]])
        check('%s: not the server key (raw, hex, base64; %d hits)' % (cls, len(key_hits)), not key_hits,
              *['%s: %s at byte %d' % h for h in key_hits[:20]])
        for rel, form, g in cands:
            frm = by_point.get(g[8:40], '?')
            to = by_point.get(g[72:104], '?')
            note('  grant-like value (%s) in %s: %s -> %s, rk %s' % (form, rel, frm, to,
                 'of a grant made' if g[RK] in made_rk else 'unknown'))
        all_candidates += [g for _, _, g in cands]
    note('searched %d files, %d bytes' % (total_files, total_bytes))

    # the recovery, as a revoked device (and its user) would run it
    uniq = list(dict.fromkeys(all_candidates))
    received = load_ciphertexts(work)
    devices = {n: k['p'] for n, k in keys.items() if k['kind'] in ('device', 'outsider')}
    users = {n: k['p'] for n, k in keys.items() if k['kind'] == 'user'}
    groups = {k['P'].hex(): n for n, k in keys.items() if k['kind'] == 'group'}
    protected = {k['P'].hex(): n for n, k in keys.items() if k['kind'] in ('group', 'user')}
    # the attacker model is strong enough: the d that the devices learn from
    # the ciphertexts they received, with the rk of the real membership
    # grants (opened here with the server key), give the group key
    learned = learned_d(received, devices)
    real = [g for g in grants.values() if g[136:168] in learned and g[8:40].hex() in groups]
    check('the devices\' received ciphertexts (%d) give the d of %d real membership grants: with their rk that would be the group key'
          % (len(received), len(real)),
          real and all(base_mul(scalar_mul(g[RK], learned[g[136:168]])) == g[8:40] for g in real))
    got = recover(uniq, devices, received)
    check('recovery with every device\'s (and outsider\'s) secret and ciphertexts over %d grant-like values: no user or group key (%s)'
          % (len(uniq), ', '.join(protected.get(p, p[:8]) for p in got) or 'none'),
          not any(p in protected for p in got))
    got = recover(uniq, {**devices, **users}, received)
    check('recovery with every device\'s and user\'s secret: no group key (%s)'
          % (', '.join(groups.get(p, p[:8]) for p in got) or 'none'),
          not any(p in groups for p in got))

    controls(work, keys, grants, patterns, server_hex, key_patterns)
    return all(RESULTS)


def controls(work, keys, grants, patterns, server_hex, key_patterns):
    """The same scanner and recovery on planted values: they must find and
    recover, or the checks above prove nothing."""
    sdir = os.path.join(work, 'scratch')
    ctl = {}
    for n in ('control_group_user.grant', 'control_user_device.grant'):
        ctl[n] = from_text(read(os.path.join(sdir, n)).decode(), 'pregrant_')
    g = ctl['control_group_user.grant']
    text = b'pregrant_' + base64.urlsafe_b64encode(g).rstrip(b'=')
    noise = os.urandom(4096)
    planted = {
        'raw bytes at an odd offset of binary noise': noise[:1001] + g + noise[1001:],
        'pregrant_ text in a log line': b"2026-12-01 LOG:  statement: INSERT INTO t VALUES ('" + text + b"')\n",
        'upper-case hex in a bytea literal': b"'\\x" + g.hex().upper().encode() + b"'",
        'standard base64 of a larger value, unaligned': base64.b64encode(b'x' + noise[:50] + g + noise[50:90]),
        'url-safe base64, unpadded, offset by two': base64.urlsafe_b64encode(b'ab' + g).rstrip(b'='),
        'a printed Datum (debug_print_plan)': b':constvalue 276 [ ' + datum_text(b'\x50\x04\x00\x00' + g) + b' ]',
        'a printed Datum wrapped over lines inside numbers (debug_pretty_print)':
        b'\t   :constvalue 272 [ ' + b'\n\t   '.join(wrap(datum_text(g) + b' ]', 61)),
    }
    pats = {p: l for p, l in patterns.items()}
    for p in grant_patterns(g):
        pats[p] = 'rk of the control grant'
    for label, blob in planted.items():
        with open(os.path.join(sdir, 'planted.bin'), 'wb') as f:
            f.write(blob)
        data = read(os.path.join(sdir, 'planted.bin'))
        found = [c for _, c in grant_candidates(data)]
        hits = [lab for lab, _ in find_patterns(searchable(data), pats) if lab == 'rk of the control grant']
        check('control, %s: the scanner finds the grant and the rk search finds its rk (%d, %d)'
              % (label, len(found), len(hits)), g in found and hits)
    # the arithmetic: the grantee's secret and a bare grant give the group's key
    users = {n: k['p'] for n, k in keys.items() if k['kind'] == 'user'}
    group = [k for k in keys.values() if k['kind'] == 'group'][0]
    got = recover([g], users)
    check('control: a bare group->user grant and the users\' secrets recover the group key (rk*d)*G = P',
          group['P'].hex() in got)
    device = ctl['control_user_device.grant']
    phone = by_name_point(keys, device[72:104])
    got = recover([g, device], {phone: keys[phone]['p']})
    check('control: with the user->device grant too, the device\'s secret alone recovers the user, then the group (%d keys)'
          % len(got), group['P'].hex() in got and device[8:40].hex() in got)
    got = recover([g], {phone: keys[phone]['p']})
    check('control: the device\'s secret and the group->user grant alone recover nothing', not got)
    ct = from_text(read(os.path.join(sdir, 'control.ct')).decode(), 'prect_')
    got = recover([g], {phone: keys[phone]['p']}, [ct])
    check('control: ... but with a level-3 ciphertext it received through that grant, the device recovers the group key',
          group['P'].hex() in got and got[group['P'].hex()] == 'ciphertext')
    data = read(os.path.join(sdir, 'server.key'))
    check('control: the server key search finds the key file\'s contents',
          find_patterns(data, key_patterns) and find_patterns(bytes.fromhex(server_hex.decode()), key_patterns))


def scan(work, path, names):
    """One more file, searched for the rk of the grants NAMES (grants/) and
    for grant-like values; the recovery run with every device's and user's
    secret."""
    keys = load_keys(work)
    grants = {n: from_text(read(os.path.join(work, 'grants', n)).decode(), 'pregrant_') for n in names}
    patterns = {}
    for n, g in grants.items():
        for p in grant_patterns(g):
            patterns[p] = 'rk of ' + n
    data = read(path)
    hits = find_patterns(searchable(data), patterns)
    cands = grant_candidates(data)
    rel = os.path.basename(path)
    check('%s (%d bytes): no rk of %s (%d hits)' % (rel, len(data), ', '.join(names), len(hits)), not hits,
          *['%s at byte %d%s' % (lab, off, ' (in the bytes of a printed Datum)' if off > len(data) else '')
            for lab, off in hits[:10]])
    for form, _ in cands:
        note('  grant-like value (%s) in %s' % (form, rel))
    groups = {k['P'].hex(): n for n, k in keys.items() if k['kind'] == 'group'}
    got = recover([g for _, g in cands], {n: k['p'] for n, k in keys.items() if k['kind'] != 'group'})
    check('%s: recovery over its %d grant-like values: no group key (%s)'
          % (rel, len(cands), ', '.join(groups.get(p, p[:8]) for p in got) or 'none'),
          not any(p in groups for p in got))
    return all(RESULTS)


def by_name_point(keys, point):
    return [n for n, k in keys.items() if k['P'] == point][0]


if __name__ == '__main__':
    if len(sys.argv) == 4 and sys.argv[1] == 'check':
        sys.exit(0 if main(sys.argv[2], sys.argv[3]) else 1)
    if len(sys.argv) >= 5 and sys.argv[1] == 'scan':
        sys.exit(0 if scan(sys.argv[2], sys.argv[3], sys.argv[4:]) else 1)
    sys.exit('usage: at_rest.py check WORK SERVER_KEY_FILE | scan WORK FILE GRANT...')
