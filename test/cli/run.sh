#!/bin/bash
#
# test/cli/run.sh - tests of the secant-pre command-line tool, against the
# known-answer vectors of test/vectors/scheme-v1.json and by properties of
# randomised round trips.
#
# usage: test/cli/run.sh PATH/TO/secant-pre [VECTORS_JSON]
#
# Prints "ok - name" or "not ok - name" per check, then "N passed, M failed";
# exits non-zero if any check failed.

set -u

if [ $# -lt 1 ] || [ ! -x "$1" ]; then
	echo "usage: $0 PATH/TO/secant-pre [VECTORS_JSON]" >&2
	exit 2
fi
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
# ROOT; ok, not_ok, report NAME STATUS, check NAME COMMAND..., tap_summary
. "$(dirname "$0")/../prologue.sh"
VECTORS=${2:-$ROOT/test/vectors/scheme-v1.json}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$T" || exit 2
# key files of the tests are private (secret files readable by others get a
# warning on stderr; that warning is tested on its own below)
umask 077


# sp ARGS...: run the tool; stderr goes to last.err and is kept in all.err
sp() {
	local rc
	"$BIN" "$@" 2>last.err
	rc=$?
	cat last.err >>all.err
	return $rc
}

# fails_cleanly WANT OUT RC: exit status RC is WANT, nothing in the file OUT,
# one line "secant-pre: <command>: <message>" on stderr
fails_cleanly() {
	[ "$1" -eq "$3" ] && [ ! -s "$2" ] && [ "$(wc -l <last.err)" -eq 1 ] &&
		grep -q '^secant-pre: ' last.err
}

# expect_failure NAME STATUS STDIN ARGS...: the tool must fail cleanly
expect_failure() {
	local name=$1 want=$2 input=$3 rc
	shift 3
	sp "$@" <"$input" >out.bin
	rc=$?
	check "$name" fails_cleanly "$want" out.bin "$rc"
}

# Text forms of the known-answer vectors, one file per value.
python3 - "$VECTORS" <<'EOF' || exit 2
import base64, json, sys

v = json.load(open(sys.argv[1]))

def text(prefix, hexbytes):
    b = base64.urlsafe_b64encode(bytes.fromhex(hexbytes)).decode()
    return prefix + b.rstrip("=")

def put(name, data):
    open(name, "wb" if isinstance(data, bytes) else "w").write(data)

for who in ("group", "user", "device", "backup"):
    put(who + ".sk", text("presk_", v[who]["secret_key_seed"]) + "\n")
    put(who + ".pk", text("prepk_", v[who]["public_key"]) + "\n")
    put(who + ".seed", v[who]["secret_key_seed"])
put("ct1", text("prect_", v["encrypt"]["ciphertext_level1"]) + "\n")
for i, hop in enumerate(v["hops"]):
    put("grant%d" % (i + 1), text("pregrant_", hop["grant"]) + "\n")
    put("ct%d" % (i + 2),
        text("prect_", hop["ciphertext_level%d" % (i + 2)]) + "\n")
put("message", bytes.fromhex(v["encrypt"]["message"]))
put("aad", bytes.fromhex(v["encrypt"]["aad"]))
put("index.hex", v["token"]["index_key"] + "\n")
put("index.raw", bytes.fromhex(v["token"]["index_key"]))
put("keyword", v["token"]["keyword"])
put("token", text("pretok_", v["token"]["token"]) + "\n")
EOF

# flip IN OUT OFFSET: the value IN (a text form, or a bare base64url body)
# with one byte flipped (negative offsets count from the end)
flip() {
	python3 - "$@" <<'EOF'
import base64, re, sys

text = open(sys.argv[1]).read().strip()
prefix, body = re.fullmatch(r"(pre(?:sk|pk|grant|ct|tok)_)?(.*)", text).groups()
raw = bytearray(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
raw[int(sys.argv[3])] ^= 0x01
out = base64.urlsafe_b64encode(bytes(raw)).decode().rstrip("=")
open(sys.argv[2], "w").write((prefix or "") + out + "\n")
EOF
}

# body_head FILE: hex of the first 8 bytes of the body (base64url) in FILE
body_head() {
	python3 -c 'import base64, sys; b = open(sys.argv[1]).read().strip(); print(base64.urlsafe_b64decode(b + "=" * (-len(b) % 4))[:8].hex())' "$1"
}

# rebody IN OUT cut N | IN OUT mark: the body IN with its first N bytes cut
# off, or with the envelope v2 marker put in front
rebody() {
	python3 - "$@" <<'EOF'
import base64, sys

b = open(sys.argv[1]).read().strip()
raw = base64.urlsafe_b64decode(b + "=" * (-len(b) % 4))
raw = raw[int(sys.argv[4]):] if sys.argv[3] == "cut" else b"SPEN\x02\0\0\0" + raw
open(sys.argv[2], "w").write(base64.urlsafe_b64encode(raw).decode().rstrip("=") + "\n")
EOF
}

# sorted_tokens FILE: the pretok_ lines of FILE are distinct and sorted by
# the bytes they encode
sorted_tokens() {
	python3 - "$1" <<'EOF'
import base64, sys

raw = [base64.urlsafe_b64decode(line.strip()[7:] + "==")
       for line in open(sys.argv[1])]
sys.exit(0 if raw == sorted(set(raw)) and len(raw) > 1 else 1)
EOF
}

# json FILE EXPR: evaluate the Python expression EXPR on the JSON object j
json() {
	python3 -c 'import json, sys; j = json.load(open(sys.argv[1])); sys.exit(0 if eval(sys.argv[2]) else 1)' "$1" "$2" 2>/dev/null && return 0
	# on failure, what was asserted on (rc, prompts, echo: never the text)
	DIAG=$(python3 -c 'import json, sys; j = json.load(open(sys.argv[1])); print({k: j.get(k) for k in ("rc", "prompts", "echo")})' "$1" 2>&1)
	return 1
}

# ---- keys ----

sp keygen >a.sk
check "keygen prints a presk_ line" grep -qxE 'presk_[A-Za-z0-9_-]{43}' a.sk
sp pubkey <a.sk >a.pk
check "pubkey prints a prepk_ line" grep -qxE 'prepk_[A-Za-z0-9_-]{86}' a.pk
sp pubkey <a.sk >a2.pk
check "pubkey is deterministic" cmp -s a.pk a2.pk
sp keygen >b.sk
check "keygen gives a new key each time" test "$(cat a.sk)" != "$(cat b.sk)"
sp pubkey <b.sk >b.pk
printf '  %s  \n\n' "$(cat a.sk)" >a-spaced.sk
sp pubkey <a-spaced.sk >a3.pk
check "pubkey trims white space around the key" cmp -s a.pk a3.pk
for who in group user device backup; do
	sp pubkey <$who.sk >out.pk
	check "pubkey of the KAT $who seed is the KAT public key" cmp -s out.pk $who.pk
done

# ---- known-answer ciphertexts ----

keys=(group user device backup)
for level in 1 2 3 4; do
	who=${keys[$((level - 1))]}
	sp decrypt --secret-key "$who".sk <ct$level >out.bin
	check "decrypt KAT level $level with the $who key" cmp -s out.bin message
done
for hop in 1 2 3; do
	sp reencrypt @grant$hop <ct$hop >out.ct
	check "reencrypt KAT level $hop with grant $hop gives KAT level $((hop + 1))" \
		cmp -s out.ct ct$((hop + 1))
done
sp reencrypt "$(cat grant1)" <ct1 >out.ct
check "reencrypt takes the grant as a text argument" cmp -s out.ct ct2
expect_failure "reencrypt has no --key option" 2 ct1 reencrypt --key=x

# ---- fresh round trips ----

head -c 100000 /dev/urandom >plain.bin
sp encrypt @a.pk --aad "record:1" <plain.bin >r1.ct
check "encrypt prints a prect_ line" grep -qxE 'prect_[A-Za-z0-9_-]+' r1.ct
sp decrypt --secret-key a.sk <r1.ct >out.bin
check "decrypt a fresh level 1 ciphertext" cmp -s out.bin plain.bin
sp encrypt @a.pk <plain.bin >r1b.ct
check "encrypt is randomised" test "$(cat r1.ct)" != "$(cat r1b.ct)"
sp grant @b.pk --not-after 4102444800 <a.sk >ab.grant
check "grant prints a pregrant_ line" grep -qxE 'pregrant_[A-Za-z0-9_-]{363}' ab.grant
sp reencrypt @ab.grant <r1.ct >r2.ct
sp decrypt --secret-key b.sk <r2.ct >out.bin
check "encrypt, grant, reencrypt, decrypt round trip" cmp -s out.bin plain.bin
: >empty
sp encrypt "$(cat a.pk)" <empty >e.ct
sp decrypt --secret-key a.sk <e.ct >out.bin
check "round trip of an empty plaintext" test $? -eq 0 -a ! -s out.bin

# a chain up to the maximum level 16, then one hop too many
cp a.sk k1.sk
cp r1.ct chain.ct
for i in $(seq 2 17); do
	sp keygen >k"$i".sk
	sp pubkey <k"$i".sk >k"$i".pk
	sp grant @k"$i".pk <k$((i - 1)).sk >g"$i"
done
for i in $(seq 2 16); do
	sp reencrypt @g"$i" <chain.ct >next.ct && mv next.ct chain.ct
done
sp decrypt --secret-key k16.sk <chain.ct >out.bin
check "decrypt at level 16" cmp -s out.bin plain.bin
sp inspect <chain.ct >chain.json
check "inspect shows level 16 and 15 hops" \
	json chain.json 'j["level"] == 16 and len(j["hops"]) == 15'
expect_failure "reencrypt beyond level 16 fails" 1 chain.ct reencrypt @g17

# ---- tokens ----

sp token --index-key index.hex "$(cat keyword)" >out.tok
check "token of the KAT keyword with the hex index key" cmp -s out.tok token
sp token --index-key index.raw "$(cat keyword)" >out.tok
check "token with the raw 32-byte index key" cmp -s out.tok token
sp token --index-key index.hex "  DiaBeTes " diabetes >out.tok
check "token normalises case and white space, one line per word" \
	cmp -s out.tok <(cat token token)
head -c 31 index.raw >short.key
expect_failure "token refuses a short index key" 1 empty token --index-key short.key x
expect_failure "token refuses an empty word" 1 empty token --index-key index.hex " "
sp token --index-key index.hex " Diabetes " >out.tok
check "token of \" Diabetes \" is the KAT token of \"diabetes\"" cmp -s out.tok token

# Unicode: NFKC case folding with utf8proc, the same code as pre_token

# same_tokens WORD...: token gives one line per word, all the same
same_tokens() {
	sp token --index-key index.hex "$@" >same.tok &&
		[ "$(wc -l <same.tok)" -eq $# ] && [ "$(sort -u same.tok | wc -l)" -eq 1 ]
}
check "token folds case beyond ASCII: Ärztin, ärztin, ÄRZTIN" \
	same_tokens "Ärztin" "ärztin" "ÄRZTIN"
check "token composes: naïve in NFC and in NFD (i + U+0308) agree" \
	same_tokens "naïve" $'nai\xcc\x88ve' "NAÏVE"
check "token composes: decomposed A + U+0308 rztin is Ärztin" \
	same_tokens $'A\xcc\x88rztin' "ärztin"
# utf8proc's case folding maps final sigma to sigma (CaseFolding.txt: 03C2
# C 03C3), so all three spellings agree
check "token folds Greek: ΣΊΣΥΦΟΣ, σίσυφοσ and σίσυφος agree" \
	same_tokens "ΣΊΣΥΦΟΣ" "σίσυφοσ" "σίσυφος"
check "token applies compatibility mappings: the ligature ﬁ is fi" \
	same_tokens "ﬁnance" "FINANCE"
sp token --index-key index.hex ärztin arztin >out.tok
check "token keeps accents: ärztin and arztin differ" \
	test "$(sort -u out.tok | wc -l)" -eq 2
expect_failure "token refuses invalid UTF-8" 1 empty token --index-key index.hex $'ab\xff'
expect_failure "token refuses a word of ignorable characters only" 1 empty \
	token --index-key index.hex $'\xc2\xad'

# tokens of a document: distinct, sorted by their bytes
printf 'The cat sat. the CAT, the mat;\nTHE Cat sat!\n' >doc.txt
sp tokens --index-key index.hex <doc.txt >doc.tok
check "tokens prints one line per distinct word (4 of 10 words)" \
	test "$(wc -l <doc.tok)" -eq 4
check "tokens lines are distinct and sorted by token bytes" sorted_tokens doc.tok
sp token --index-key index.hex the cat sat mat >words.tok
check "tokens gives the tokens that token gives for each word" \
	cmp -s <(sort doc.tok) <(sort words.tok)
printf 'diabetes' >diabetes.txt
sp tokens --index-key index.hex <diabetes.txt >out.tok
check "tokens of the KAT keyword is the KAT token" cmp -s out.tok token
sp tokens --index-key index.raw --prefixes <diabetes.txt >prefix.tok
sp token --index-key index.hex dia diab di diabete diabetes >p.tok
check "tokens --prefixes of diabetes gives 6 tokens (dia .. diabetes)" \
	test "$(wc -l <prefix.tok)" -eq 6
check "tokens --prefixes includes dia, diab, diabete and diabetes" \
	test "$(grep -cxF -f <(sed -n '1p;2p;4p;5p' p.tok) prefix.tok)" -eq 4
grep -qxF -e "$(sed -n 3p p.tok)" prefix.tok
check "tokens --prefixes does not include di (shorter than 3)" test $? -eq 1
check "tokens --prefixes lines are distinct and sorted" sorted_tokens prefix.tok
printf 'Ärztin ärztin nai\xcc\x88ve NAÏVE' >unicode.txt
sp tokens --index-key index.hex <unicode.txt >out.tok
sp token --index-key index.hex Ärztin naïve >words.tok
check "tokens normalises a document like token" \
	cmp -s <(sort out.tok) <(sort words.tok)
sp tokens --index-key index.hex <empty >out.tok
check "tokens of an empty document prints nothing" test $? -eq 0 -a ! -s out.tok
printf 'ok \xff' >bad-utf8.txt
expect_failure "tokens refuses invalid UTF-8" 1 bad-utf8.txt tokens --index-key index.hex
expect_failure "tokens --prefixes takes no value" 2 diabetes.txt \
	tokens --index-key index.hex --prefixes=yes
expect_failure "tokens --prefixes given twice exits 2" 2 diabetes.txt \
	tokens --prefixes --index-key index.hex --prefixes
expect_failure "tokens needs --index-key" 2 diabetes.txt tokens --prefixes

# ---- inspect ----

sp inspect <ct4 >ct4.json
check "inspect of KAT level 4 is valid JSON with level 4" \
	json ct4.json 'j["type"] == "pre_ciphertext" and j["valid"] and j["level"] == 4 and len(j["hops"]) == 3'
check "inspect of KAT level 4 names origin, recipient and hop keys" \
	json ct4.json "j['origin'] == '$(cat group.pk)' and j['recipient'] == '$(cat backup.pk)' and [h['to'] for h in j['hops']] == ['$(cat user.pk)', '$(cat device.pk)', '$(cat backup.pk)']"
check "inspect of KAT level 4 gives sizes" \
	json ct4.json "j['aad_bytes'] == $(wc -c <aad) and j['plaintext_bytes'] == $(wc -c <message) and j['bytes'] == 196 + j['aad_bytes'] + 128 * 3 + j['plaintext_bytes'] + 16"
sp inspect <grant3 >grant.json
check "inspect of a grant gives from, to, not_after and X only" \
	json grant.json "j['type'] == 'pre_grant' and j['from'] == '$(cat device.pk)' and j['to'] == '$(cat backup.pk)' and j['not_after'] == '2030-01-01T00:00:00Z' and len(j['X']) == 64 and set(j) == {'type', 'valid', 'bytes', 'from', 'to', 'not_after', 'X'}"
sp inspect <group.sk >sk.json
check "inspect of a secret key shows its public key and nothing secret" \
	json sk.json "j == {'type': 'pre_secret_key', 'bytes': 32, 'public_key': '$(cat group.pk)'}"
sp inspect <group.pk >pk.json
check "inspect of a public key" json pk.json 'j["type"] == "pre_public_key" and j["bytes"] == 64'
sp inspect <token >tok.json
check "inspect of a token" json tok.json 'j["type"] == "pre_token" and j["bytes"] == 16'

# ---- errors ----

expect_failure "decrypt with the wrong key fails, prints nothing" 1 ct1 decrypt --secret-key user.sk
expect_failure "decrypt with an unrelated key fails, prints nothing" 1 r2.ct decrypt --secret-key a.sk
flip r1.ct tampered.ct -1
expect_failure "decrypt of a modified body fails, prints nothing" 1 tampered.ct decrypt --secret-key a.sk
flip r1.ct tampered.ct 200
expect_failure "decrypt of a modified aad fails, prints nothing" 1 tampered.ct decrypt --secret-key a.sk
flip r1.ct tampered.ct 140
expect_failure "a modified capsule is refused on input" 1 tampered.ct inspect
flip grant1 tampered.grant 200
expect_failure "a grant with a bad signature is refused" 1 ct1 reencrypt @tampered.grant
expect_failure "reencrypt with a grant from another key fails" 1 ct1 reencrypt @grant2
echo "hello world" >garbage
expect_failure "decrypt of garbage fails" 1 garbage decrypt --secret-key a.sk
expect_failure "inspect of garbage fails" 1 garbage inspect
echo 'prect_!!!!' >badb64
expect_failure "bad base64url is refused" 1 badb64 inspect
expect_failure "a public key is not a ciphertext (wrong prefix)" 1 group.pk decrypt --secret-key group.sk
grep -q 'pre_ciphertext' last.err
report "the wrong-prefix error names the type" $?
expect_failure "a ciphertext is not a secret key (wrong prefix)" 1 ct1 pubkey
expect_failure "a public key is not a grant" 1 ct1 reencrypt @group.pk
expect_failure "a secret key is refused on the command line" 1 empty encrypt "$(cat a.sk)"
expect_failure "a missing key file is reported" 1 ct1 decrypt --secret-key no-such-file

# ---- envelopes (seal, open) ----

head -c 1048576 /dev/urandom >big.bin
sp seal @a.pk --aad "record:2" <big.bin >env.txt
sed -n 1p env.txt >env.ct
sed -n 2p env.txt >env.body
check "seal prints a prect_ line and a base64url body line" \
	test "$(wc -l <env.txt)" -eq 2 -a "$(grep -cxE 'prect_[A-Za-z0-9_-]+' env.ct)" -eq 1 \
	-a "$(grep -cxE '[A-Za-z0-9_-]+' env.body)" -eq 1
sp inspect <env.ct >env.json
check "the key ciphertext holds a 32-byte data key and the aad" \
	json env.json 'j["level"] == 1 and j["plaintext_bytes"] == 32 and j["aad_bytes"] == 8'
body_bytes=$(python3 -c 'import base64, sys; b = open(sys.argv[1]).read().strip(); print(len(base64.urlsafe_b64decode(b + "==")))' env.body)
check "the body is envelope v2: marker, nonce, ciphertext and tag (1 MiB + 48 bytes)" \
	test "$body_bytes" -eq $((1048576 + 48)) -a "$(body_head env.body)" = 5350454e02000000
sp open --secret-key a.sk --body env.body <env.ct >out.bin
check "seal, open round trip of 1 MiB" cmp -s out.bin big.bin
sp reencrypt @ab.grant <env.ct >env2.ct
sp open --secret-key b.sk --body env.body <env2.ct >out.bin
check "seal, reencrypt the key ciphertext only, open by the grantee" cmp -s out.bin big.bin
cp env.ct chain-env.ct
for i in $(seq 2 16); do
	sp reencrypt @g"$i" <chain-env.ct >next.ct && mv next.ct chain-env.ct
done
sp open --secret-key k16.sk --body env.body <chain-env.ct >out.bin
check "open after 15 hops of the key ciphertext (level 16)" cmp -s out.bin big.bin
sp seal "$(cat a.pk)" <empty >env-empty.txt
sed -n 1p env-empty.txt >env-empty.ct
sed -n 2p env-empty.txt >env-empty.body
sp open --secret-key a.sk --body env-empty.body <env-empty.ct >out.bin
check "seal, open round trip of an empty plaintext" test $? -eq 0 -a ! -s out.bin
sp seal @a.pk <big.bin >other.txt
sed -n 2p other.txt >other.body
check "seal is randomised" test "$(cat env.body)" != "$(cat other.body)"
flip env.body tampered.body 5000
expect_failure "open of a modified body fails, prints nothing" 1 env.ct \
	open --secret-key a.sk --body tampered.body
flip env.body tampered.body 3
expect_failure "open of a body with a modified nonce fails" 1 env.ct \
	open --secret-key a.sk --body tampered.body
expect_failure "open of the body of another envelope fails" 1 env.ct \
	open --secret-key a.sk --body other.body
expect_failure "open with the wrong key fails, prints nothing" 1 env.ct \
	open --secret-key b.sk --body env.body
expect_failure "open by the delegator after re-encryption fails" 1 env2.ct \
	open --secret-key a.sk --body env.body
flip env.ct tampered.ct 200
expect_failure "open with a modified key ciphertext aad fails" 1 tampered.ct \
	open --secret-key a.sk --body env.body
expect_failure "open refuses a ciphertext that holds no data key" 1 r1.ct \
	open --secret-key a.sk --body env.body
expect_failure "open refuses a body that is not base64url" 1 env.ct \
	open --secret-key a.sk --body garbage
expect_failure "open needs --body" 2 env.ct open --secret-key a.sk
rebody env.body cut.body cut 8
expect_failure "open of a v2 body with its marker cut off fails" 1 env.ct \
	open --secret-key a.sk --body cut.body

# envelope v1: bodies written by the seal of earlier versions still open
FIX=$T/fixture-v1
cp -r "$ROOT/test/fixtures/envelope-v1" "$FIX" && chmod 600 "$FIX/owner.sk"
for rec in record empty; do
	sp open --secret-key "$FIX/owner.sk" --body "$FIX/$rec.body" <"$FIX/$rec.key" >out.bin
	check "open of the v1 fixture $rec (written by the old seal)" cmp -s out.bin "$FIX/$rec.plain"
done
check "the v1 fixture has no marker" test "$(body_head "$FIX/record.body")" != 5350454e02000000
sp grant @b.pk <"$FIX/owner.sk" >ownerb.grant
sp reencrypt @ownerb.grant <"$FIX/record.key" >fix2.ct
sp open --secret-key b.sk --body "$FIX/record.body" <fix2.ct >out.bin
check "open of the v1 fixture after re-encrypting its key ciphertext" cmp -s out.bin "$FIX/record.plain"
flip "$FIX/record.body" fix-tampered.body 30
expect_failure "open of a modified v1 body fails, prints nothing" 1 "$FIX/record.key" \
	open --secret-key "$FIX/owner.sk" --body fix-tampered.body
expect_failure "open of the v1 fixture with the wrong key fails" 1 "$FIX/record.key" \
	open --secret-key a.sk --body "$FIX/record.body"
expect_failure "open of the v1 fixture next to another key ciphertext fails" 1 "$FIX/empty.key" \
	open --secret-key "$FIX/owner.sk" --body "$FIX/record.body"
rebody "$FIX/record.body" marked.body mark
expect_failure "open of a v1 body given a v2 marker fails" 1 "$FIX/record.key" \
	open --secret-key "$FIX/owner.sk" --body marked.body

# ---- usage ----

sp --help >out.txt
check "--help exits 0 and prints usage" grep -q '^usage: secant-pre' out.txt
for cmd in keygen index-keygen pubkey encrypt grant reencrypt decrypt seal open token tokens inspect; do
	sp $cmd --help >out.txt
	check "$cmd --help exits 0 and prints usage" grep -q "^usage: secant-pre $cmd" out.txt
done
sp encrypt -h >out.txt
check "-h works like --help" grep -q '^usage: secant-pre encrypt' out.txt
expect_failure "an unknown command exits 2" 2 empty frobnicate
expect_failure "an unknown option exits 2" 2 empty encrypt @a.pk --frob
check "... and names it" grep -q 'unknown option --frob ' last.err
expect_failure "an unknown option with a value exits 2" 2 empty \
	pubkey "--passphrase=correct horse battery staple"
check "... naming the option, not its value" \
	test "$(grep -c 'unknown option --passphrase ' last.err)" -eq 1 -a "$(grep -c horse last.err)" -eq 0
expect_failure "a missing required option exits 2" 2 ct1 decrypt
expect_failure "a missing argument exits 2" 2 empty encrypt
expect_failure "an extra argument exits 2" 2 empty keygen extra
expect_failure "a bad --not-after exits 2" 2 a.sk grant @b.pk --not-after soon
sp 2>/dev/null >out.txt
check "no command exits 2" test $? -eq 2

# ---- key files: -o FILE, O_EXCL, mode 0600, warnings ----

VERSION=$(sed -n 's/^EXTVERSION = //p' "$ROOT/Makefile")
sp --version >out.txt
check "--version prints the version of the Makefile's EXTVERSION" \
	eq "$(cat out.txt)" "secant-pre $VERSION"

(umask 022 && "$BIN" keygen -o new.sk 2>last.err)
check "keygen -o FILE creates FILE with mode 600 under umask 022" \
	eq "$(stat -c %a new.sk)" 600
check "keygen -o FILE writes a presk_ line" grep -qxE 'presk_[A-Za-z0-9_-]{43}' new.sk
cp new.sk new.sk.orig
expect_failure "keygen -o refuses an existing file" 1 empty keygen -o new.sk
check "the refusal names the file" grep -q 'new.sk exists' last.err
check "the existing file is untouched" cmp -s new.sk new.sk.orig
ln -s no-such-target dangling.sk
expect_failure "keygen -o refuses a dangling symlink" 1 empty keygen -o dangling.sk
check "the symlink's target was not created" test ! -e no-such-target
(umask 022 && "$BIN" index-keygen -o new.idx 2>last.err)
check "index-keygen -o FILE creates FILE with mode 600" eq "$(stat -c %a new.idx)" 600
check "index-keygen writes 64 hex digits" grep -qxE '[0-9a-f]{64}' new.idx
sp token --index-key new.idx diabetes >out.tok
check "token takes an index key made by index-keygen" grep -qxE 'pretok_[A-Za-z0-9_-]{22}' out.tok
expect_failure "index-keygen -o refuses an existing file" 1 empty index-keygen -o new.idx
(umask 022 && "$BIN" keygen >open.sk 2>last.err)
check "keygen into a file others can read warns on stderr" grep -q 'warning: standard output' last.err
cp a.sk shared.sk && chmod 644 shared.sk
sp decrypt --secret-key shared.sk <r1.ct >out.bin
check "a secret key file others can read still works" cmp -s out.bin plain.bin
check "... with a warning naming the file and its mode" grep -q 'warning: shared.sk .*mode 0644' last.err
printf '%s\n' "$(cat index.hex)" >shared.idx && chmod 640 shared.idx
sp token --index-key shared.idx diabetes >out.tok
check "an index key file group can read gives a warning" grep -q 'warning: shared.idx' last.err
sp decrypt --secret-key a.sk <r1.ct >out.bin
check "a private key file gives no warning" test ! -s last.err
expect_failure "keygen --passphrase-file without --protect exits 2" 2 empty \
	keygen -o x.sk --passphrase-file pw

# ---- passphrase-protected key files ----

printf 'correct horse battery staple\n' >pw
printf 'not the passphrase\n' >wrong.pw
sp keygen -o p.sk --protect --passphrase-file pw --pwhash-limits interactive
check "keygen --protect writes a prelocked_ line" grep -qxE 'prelocked_[A-Za-z0-9_-]{150}' p.sk
check "the protected key file has mode 600" eq "$(stat -c %a p.sk)" 600
sp pubkey --secret-key p.sk --passphrase-file pw >p.pk
check "pubkey reads a protected key (--passphrase-file)" grep -qxE 'prepk_[A-Za-z0-9_-]{86}' p.pk
sp pubkey --secret-key p.sk --passphrase-fd 3 3<pw >p2.pk
check "pubkey reads it with --passphrase-fd, the same key" cmp -s p.pk p2.pk
sp encrypt @p.pk <plain.bin >p.ct
sp decrypt --secret-key p.sk --passphrase-fd 3 3<pw <p.ct >out.bin
check "decrypt with a protected key" cmp -s out.bin plain.bin
printf 'correct horse battery staple' | sp decrypt --secret-key p.sk --passphrase-fd 4 4<&0 <p.ct >out.bin
check "a passphrase without a newline" cmp -s out.bin plain.bin
expect_failure "decrypt with a wrong passphrase fails, writes nothing" 1 p.ct \
	decrypt --secret-key p.sk --passphrase-file wrong.pw
check "the wrong passphrase is named as such" grep -q 'p.sk: wrong passphrase' last.err
expect_failure "an empty passphrase is refused" 1 p.ct \
	decrypt --secret-key p.sk --passphrase-file empty
sp grant @b.pk --secret-key p.sk --passphrase-file pw >pb.grant
sp reencrypt @pb.grant <p.ct >pb.ct
sp decrypt --secret-key b.sk <pb.ct >out.bin
check "grant --secret-key with a protected key" cmp -s out.bin plain.bin
sp seal @p.pk <plain.bin >penv.txt
sed -n 1p penv.txt >penv.ct
sed -n 2p penv.txt >penv.body
sp open --secret-key p.sk --body penv.body --passphrase-file pw <penv.ct >out.bin
check "open with a protected key" cmp -s out.bin plain.bin
expect_failure "open with a wrong passphrase fails" 1 penv.ct \
	open --secret-key p.sk --body penv.body --passphrase-file wrong.pw
cp p.sk before.sk
expect_failure "keygen --protect refuses an existing file before asking" 1 empty \
	keygen -o p.sk --protect --passphrase-file pw
check "the protected file is untouched" cmp -s p.sk before.sk
sp index-keygen -o p.idx --protect --passphrase-fd 3 --pwhash-limits interactive 3<pw
check "index-keygen --protect writes a prelocked_ line" grep -qxE 'prelocked_[A-Za-z0-9_-]{150}' p.idx
sp tokens --index-key p.idx --passphrase-file pw <doc.txt >p.tok
check "tokens with a protected index key" test "$(wc -l <p.tok)" -eq 4
sp token --index-key p.idx --passphrase-file pw the >p1.tok
check "token with a protected index key agrees with tokens" grep -qxF -f p1.tok p.tok
expect_failure "token with a wrong passphrase fails" 1 empty \
	token --index-key p.idx --passphrase-file wrong.pw the
expect_failure "a protected index key is not a secret key" 1 r1.ct \
	decrypt --secret-key p.idx --passphrase-file pw
check "... and the error says what the file holds" grep -q 'p.idx is a passphrase-protected search index key' last.err
expect_failure "a protected secret key is not an index key" 1 empty \
	token --index-key p.sk --passphrase-file pw the
expect_failure "--passphrase-fd and --passphrase-file together exit 2" 2 r1.ct \
	decrypt --secret-key p.sk --passphrase-fd 0 --passphrase-file pw
sp inspect <p.sk >pinfo.json
check "inspect describes a protected key file by its header, without a passphrase" \
	json pinfo.json "j == {'type': 'protected_key_file', 'bytes': 112, 'version': 1, 'content': 'pre_secret_key', 'kdf': 'argon2id13', 'opslimit': 2, 'memlimit': 67108864}"
check "... and asks for none (nothing on stderr)" test ! -s last.err
sp inspect <p.idx >pinfo.json
check "inspect of a protected index key says it holds an index key" \
	json pinfo.json "j['type'] == 'protected_key_file' and j['content'] == 'index_key' and 'opened' not in j"
sp inspect --passphrase-file pw <p.sk >pinfo.json
check "inspect --passphrase-file opens it and shows its public key, nothing secret" \
	json pinfo.json "j['opened'] is True and j['public_key'] == '$(cat p.pk)' and set(j) == {'type', 'bytes', 'version', 'content', 'kdf', 'opslimit', 'memlimit', 'opened', 'public_key'}"
sp inspect --passphrase-fd 3 3<pw <p.idx >pinfo.json
check "inspect --passphrase-fd opens a protected index key (no key shown)" \
	json pinfo.json "j['opened'] is True and j['content'] == 'index_key' and 'public_key' not in j"
expect_failure "inspect with a wrong passphrase fails and prints nothing" 1 p.sk \
	inspect --passphrase-file wrong.pw
expect_failure "inspect --passphrase-file of a value that is no key file exits 2" 2 ct1 \
	inspect --passphrase-file pw
flip p.sk tampered.sk 40
sed -i 's/^/prelocked_/; s/^prelocked_prelocked_/prelocked_/' tampered.sk
expect_failure "a modified protected key file does not open" 1 p.ct \
	decrypt --secret-key tampered.sk --passphrase-file pw

# where a passphrase comes from: never argv
cp pw shared.pw && chmod 644 shared.pw
sp pubkey --secret-key p.sk --passphrase-file shared.pw >out.pk
check "a passphrase file others can read still works" cmp -s out.pk p.pk
check "... with a warning naming the file and its mode" \
	grep -q 'warning: shared.pw .*mode 0644' last.err
sp pubkey --secret-key p.sk --passphrase-fd 9 9<&- </dev/null >out.pk
check "--passphrase-fd of a closed descriptor fails cleanly" fails_cleanly 1 out.pk $?
check "... naming --passphrase-fd" grep -q 'passphrase from --passphrase-fd' last.err
expect_failure "--passphrase-fd needs a descriptor number (exit 2)" 2 empty \
	pubkey --secret-key p.sk --passphrase-fd three
expect_failure "no option takes the passphrase itself (exit 2)" 2 empty \
	pubkey --secret-key p.sk "--passphrase=correct horse battery staple"
expect_failure "a missing --passphrase-file is reported" 1 empty \
	pubkey --secret-key p.sk --passphrase-file no-such-file
check "... by its name" grep -q 'cannot open no-such-file' last.err
if command -v setsid >/dev/null; then
	setsid -w "$BIN" pubkey --secret-key p.sk </dev/null >out.pk 2>last.err
	check "without a terminal or a passphrase option: a clear error" fails_cleanly 1 out.pk $?
	check "... that names --passphrase-fd and --passphrase-file" \
		grep -q -- 'no terminal.*--passphrase-fd N or --passphrase-file FILE' last.err
	cat last.err >>all.err
else
	echo "# skipped: the no-terminal error (no setsid)"
fi

# known answers: test/vectors/keyfile.json (fixed passphrase, salt, nonce)
python3 - "$ROOT/test/vectors/keyfile.json" <<'PY' || exit 2
import base64, json, sys
for i, v in enumerate(json.load(open(sys.argv[1]))["vectors"]):
    open("kf%d.locked" % i, "w").write(v["text"] + "\n")
    open("kf%d.pass" % i, "wb").write(bytes.fromhex(v["passphrase_utf8"]) + b"\n")
    secret = bytes.fromhex(v["secret"])
    if v["content"] == 1:
        open("kf%d.plain" % i, "w").write(
            "presk_" + base64.urlsafe_b64encode(secret).decode().rstrip("=") + "\n")
    else:
        open("kf%d.plain" % i, "w").write(secret.hex() + "\n")
    open("kf%d.content" % i, "w").write(str(v["content"]))
PY
for i in 0 1 2; do
	if [ "$(cat kf$i.content)" = 1 ]; then
		sp pubkey --secret-key kf$i.plain >want.pk
		sp pubkey --secret-key kf$i.locked --passphrase-file kf$i.pass >got.pk
		check "keyfile.json vector $i opens to its secret key" cmp -s got.pk want.pk
	else
		sp token --index-key kf$i.plain diabetes >want.tok
		sp token --index-key kf$i.locked --passphrase-file kf$i.pass diabetes >got.tok
		check "keyfile.json vector $i opens to its index key" cmp -s got.tok want.tok
	fi
	expect_failure "keyfile.json vector $i refuses a wrong passphrase" 1 empty \
		pubkey --secret-key kf$i.locked --passphrase-file wrong.pw
done

# ---- changing a key file's protection: passwd, protect, unprotect ----

# only FILES... in the directory rw (no temporary file left behind)
only_in_rw() {
	eq "$(ls -A rw | sort | tr '\n' ' ')" "$(printf '%s\n' "$@" | sort | tr '\n' ' ')"
}
printf 'a new passphrase\n' >new.pw
mkdir rw
# vector 0: a PRE secret key with the smallest Argon2id limits (quick)
cp kf0.locked rw/k.sk
cp rw/k.sk before.sk
sp pubkey --secret-key kf0.plain >k.pk
sp passwd rw/k.sk --passphrase-file wrong.pw --new-passphrase-file new.pw </dev/null >out.txt
check "passwd with a wrong current passphrase fails cleanly" fails_cleanly 1 out.txt $?
check "... naming the file and the wrong passphrase" grep -q 'rw/k.sk: wrong passphrase' last.err
check "... and leaves the file as it was" cmp -s rw/k.sk before.sk
check "... and no other file in its directory" only_in_rw k.sk
sp passwd rw/k.sk --passphrase-file kf0.pass --new-passphrase-file new.pw </dev/null >out.txt
check "passwd exits 0, quietly" test $? -eq 0 -a ! -s out.txt -a ! -s last.err
check "passwd writes a new prelocked_ line" grep -qxE 'prelocked_[A-Za-z0-9_-]{150}' rw/k.sk
check "... not the old one (new salt and nonce)" test "$(cat rw/k.sk)" != "$(cat before.sk)"
check "... with mode 600" eq "$(stat -c %a rw/k.sk)" 600
check "... and no temporary file left" only_in_rw k.sk
sp pubkey --secret-key rw/k.sk --passphrase-file new.pw >out.pk
check "the new passphrase opens the same key" cmp -s out.pk k.pk
expect_failure "the old passphrase opens it no more" 1 empty \
	pubkey --secret-key rw/k.sk --passphrase-file kf0.pass
sp inspect <rw/k.sk >pinfo.json
check "passwd keeps the file's Argon2id limits" \
	json pinfo.json "j['opslimit'] == 1 and j['memlimit'] == 8192"
printf '%s\n%s\n' 'a new passphrase' 'correct horse battery staple' >both.pw
sp passwd rw/k.sk --passphrase-fd 3 --new-passphrase-fd 3 --pwhash-limits interactive 3<both.pw
sp pubkey --secret-key rw/k.sk --passphrase-file pw >out.pk
check "passwd with one descriptor for both: first line current, second new" cmp -s out.pk k.pk
sp inspect <rw/k.sk >pinfo.json
check "passwd --pwhash-limits sets new limits" \
	json pinfo.json "j['opslimit'] == 2 and j['memlimit'] == 67108864"
cp rw/k.sk before.sk
sp passwd rw/k.sk -o rw/copy.sk --passphrase-file pw --new-passphrase-file new.pw
sp pubkey --secret-key rw/copy.sk --passphrase-file new.pw >out.pk
check "passwd -o NEW_FILE writes the key under the new passphrase there" cmp -s out.pk k.pk
check "... with mode 600" eq "$(stat -c %a rw/copy.sk)" 600
check "... and leaves FILE as it was" cmp -s rw/k.sk before.sk
cp rw/copy.sk before-copy.sk
expect_failure "passwd -o refuses an existing file" 1 empty \
	passwd rw/k.sk -o rw/copy.sk --passphrase-file pw --new-passphrase-file new.pw
check "... which is untouched" cmp -s rw/copy.sk before-copy.sk
ln -s k.sk rw/link.sk
expect_failure "passwd refuses a symbolic link" 1 empty \
	passwd rw/link.sk --passphrase-file pw --new-passphrase-file new.pw
check "... saying so" grep -q 'rw/link.sk is a symbolic link' last.err
check "... and leaves the link and its target alone" \
	test -L rw/link.sk -a "$(cat rw/k.sk)" = "$(cat before.sk)"
rm rw/link.sk rw/copy.sk
expect_failure "passwd of an unprotected file fails" 1 empty \
	passwd a.sk --passphrase-file pw --new-passphrase-file new.pw
check "... with a hint to use protect" grep -q "'secant-pre protect a.sk' protects it" last.err
expect_failure "passwd - exits 2 (FILE is rewritten in place)" 2 p.sk \
	passwd - --passphrase-file pw --new-passphrase-file new.pw
expect_failure "passwd needs FILE (exit 2)" 2 empty passwd
expect_failure "--new-passphrase-fd and --new-passphrase-file together exit 2" 2 empty \
	passwd rw/k.sk --new-passphrase-fd 0 --new-passphrase-file pw

if [ "$(id -u)" -eq 0 ] && id nobody >/dev/null 2>&1; then
	cp kf0.locked rw/owned.sk && chown nobody rw/owned.sk
	sp passwd rw/owned.sk --passphrase-file kf0.pass --new-passphrase-file new.pw
	check "passwd run by root keeps the file's owner" eq "$(stat -c %U rw/owned.sk)" nobody
	rm rw/owned.sk
fi
cp a.sk rw/a.sk && chmod 644 rw/a.sk
sp protect rw/a.sk --passphrase-file pw --pwhash-limits interactive
check "protect turns a presk_ file into a prelocked_ line" \
	grep -qxE 'prelocked_[A-Za-z0-9_-]{150}' rw/a.sk
check "... with mode 600 (it was 644)" eq "$(stat -c %a rw/a.sk)" 600
check "... after a warning that others could read the old file" grep -q 'warning: rw/a.sk' last.err
sp pubkey --secret-key rw/a.sk --passphrase-file pw >out.pk
check "... the same key behind the passphrase" cmp -s out.pk a.pk
cp rw/a.sk before.sk
expect_failure "protect of a protected file fails" 1 empty \
	protect rw/a.sk --passphrase-file pw
check "... with a hint to use passwd" grep -q "'secant-pre passwd rw/a.sk' changes" last.err
check "... and leaves it as it was" cmp -s rw/a.sk before.sk
cp index.hex rw/index.hex
sp protect rw/index.hex --passphrase-fd 3 --pwhash-limits interactive 3<pw
sp inspect <rw/index.hex >pinfo.json
check "protect of an index key file gives a protected index key" \
	json pinfo.json "j['content'] == 'index_key'"
sp token --index-key rw/index.hex --passphrase-file pw "$(cat keyword)" >out.tok
check "... that makes the KAT token" cmp -s out.tok token
expect_failure "protect refuses a public key file, saying what it holds" 1 empty \
	protect a.pk --passphrase-file pw
check "... in the message" grep -q 'a.pk is a public key.*this needs a key file' last.err
expect_failure "protect refuses a file that holds no key" 1 empty \
	protect garbage --passphrase-file pw
check "... in the message" grep -q 'garbage holds no key' last.err
check "protect refused without a trace in rw" only_in_rw a.sk index.hex k.sk

sp unprotect rw/a.sk --passphrase-file wrong.pw </dev/null >out.txt
check "unprotect with a wrong passphrase fails cleanly" fails_cleanly 1 out.txt $?
check "... and leaves the file as it was" cmp -s rw/a.sk before.sk
sp unprotect rw/a.sk --passphrase-file pw
check "unprotect writes the presk_ line back" cmp -s rw/a.sk a.sk
check "... with mode 600" eq "$(stat -c %a rw/a.sk)" 600
sp unprotect rw/index.hex --passphrase-file pw
check "unprotect of an index key writes its 64 hex digits" cmp -s rw/index.hex index.hex
cp index.raw rw/index.raw
sp protect rw/index.raw --passphrase-file pw --pwhash-limits interactive
sp unprotect rw/index.raw --passphrase-file pw
check "a raw 32-byte index key comes back as 64 hex digits" cmp -s rw/index.raw index.hex
sp unprotect rw/k.sk -o - --passphrase-file pw >out.sk
check "unprotect -o - writes the key to standard output" cmp -s out.sk kf0.plain
expect_failure "unprotect of an unprotected file fails" 1 empty \
	unprotect rw/a.sk --passphrase-file pw
check "... with a hint to use protect" grep -q "'secant-pre protect rw/a.sk'" last.err
expect_failure "unprotect takes no --pwhash-limits (exit 2)" 2 empty \
	unprotect rw/k.sk --pwhash-limits interactive
check "no temporary file was left in rw" only_in_rw a.sk index.hex index.raw k.sk

# grant -o FILE: a grant holds a secret of the delegator
(umask 022 && "$BIN" grant @b.pk -o ab-o.grant <a.sk 2>last.err)
check "grant -o FILE writes a pregrant_ line with mode 600" \
	test "$(stat -c %a ab-o.grant)" = 600 -a "$(grep -cxE 'pregrant_[A-Za-z0-9_-]{363}' ab-o.grant)" -eq 1
sp reencrypt @ab-o.grant <r1.ct >out.ct
sp decrypt --secret-key b.sk <out.ct >out.bin
check "... a grant that works" cmp -s out.bin plain.bin
expect_failure "grant -o refuses an existing file" 1 a.sk grant @b.pk -o ab-o.grant

# ---- one vocabulary: --secret-key, --index-key, - (the old aliases are gone) ----

expect_failure "decrypt --key (removed in 0.6.0) is an unknown option (exit 2)" 2 r1.ct \
	decrypt --key a.sk
check "... so says the message" grep -q 'unknown option --key (' last.err
expect_failure "open --key (removed in 0.6.0) is an unknown option (exit 2)" 2 env.ct \
	open --key a.sk --body env.body
expect_failure "token --key-file (removed in 0.6.0) is an unknown option (exit 2)" 2 /dev/null \
	token --key-file index.hex diabetes
check "... so says the message" grep -q 'unknown option --key-file (' last.err
expect_failure "tokens --key-file=FILE (removed in 0.6.0) is an unknown option (exit 2)" 2 diabetes.txt \
	tokens --key-file=index.hex
sp decrypt --secret-key a.sk --secret-key a.sk <r1.ct >out.bin
check "--secret-key given twice (exit 2)" \
	test $? -eq 2 -a ! -s out.bin
check "... so says the message" grep -q 'option --secret-key given twice' last.err
sp pubkey --secret-key - <a.sk >out.pk
check "pubkey --secret-key - reads standard input" cmp -s out.pk a.pk
sp pubkey --secret-key a.sk </dev/null >out.pk
check "pubkey --secret-key FILE" cmp -s out.pk a.pk
sp token --index-key - diabetes <index.hex >out.tok
check "token --index-key - reads standard input" cmp -s out.tok token
expect_failure "decrypt --secret-key - exits 2 (stdin holds the ciphertext)" 2 r1.ct \
	decrypt --secret-key -

# ---- token refuses white space inside a word ----

expect_failure "token \"two words\" exits 2" 2 empty token --index-key index.hex "two words"
check "... with a hint to use tokens" grep -q "use 'secant-pre tokens'" last.err
expect_failure "token refuses a tab inside a word" 2 empty token --index-key index.hex $'a\tb'
expect_failure "token refuses a no-break space inside a word (NFKC: a space)" 2 empty \
	token --index-key index.hex $'a\xc2\xa0b'

# ---- errors that say what a file holds, and the @FILE hint ----

expect_failure "encrypt with a file name without @ fails" 1 plain.bin encrypt a.pk
check "... with a hint to write @FILE" grep -q '@a.pk' last.err
expect_failure "reencrypt with a file name without @ fails" 1 ct1 reencrypt grant1
check "... with a hint to write @grant1" grep -q '@grant1' last.err
expect_failure "a public key file given as the secret key" 1 r1.ct decrypt --secret-key a.pk
check "... names the file and what it holds" grep -q 'a.pk is a public key.*this needs a PRE secret key' last.err
expect_failure "an index key file given as the secret key" 1 r1.ct decrypt --secret-key index.hex
check "... says it looks like an index key" grep -q 'index.hex looks like a search index key' last.err
expect_failure "a secret key file given as the public key" 1 plain.bin encrypt @a.sk
check "... names the file and what it holds" grep -q 'a.sk is a PRE secret key.*this needs a public key' last.err
expect_failure "a secret key given as the index key" 1 empty token --index-key a.sk x
check "... names the file and what it holds" grep -q 'a.sk is a PRE secret key.*search index key' last.err
expect_failure "a ciphertext given as the grant" 1 ct1 reencrypt @ct2
check "... names the file and what it holds" grep -q 'ct2 is a ciphertext.*this needs a grant' last.err

# ---- decrypt --batch: one JSON line per input line ----

flip r1.ct r1-flipped.ct -1
{
	cat r1.ct
	echo "hello world"
	cat e.ct
	echo
	cat ct1
	cat r1-flipped.ct
	cat r1.ct
} >batch.in
sp decrypt --secret-key a.sk --batch <batch.in >batch.out
check "decrypt --batch exits 1 when a line fails" test $? -eq 1
check "decrypt --batch says how many lines failed" grep -q '4 of 7 values' last.err
python3 - batch.out plain.bin <<'PY'
import base64, json, sys
lines = open(sys.argv[1]).read().splitlines()
plain = open(sys.argv[2], "rb").read()
def b64(s):
    return base64.b64decode(s, validate=True)
j = [json.loads(l) for l in lines]
assert [x["n"] for x in j] == list(range(1, 8)), "n"
assert [x["ok"] for x in j] == [True, False, True, False, False, False, True], "ok"
assert b64(j[0]["plaintext"]) == plain and b64(j[6]["plaintext"]) == plain
assert j[2]["plaintext"] == ""
for x in j:
    assert set(x) == ({"n", "ok", "plaintext"} if x["ok"] else {"n", "ok", "error"})
assert "not a ciphertext" in j[1]["error"] and j[3]["error"] == "empty line"
assert "decrypt" in j[4]["error"] and "decrypt" in j[5]["error"]
PY
report "decrypt --batch: n, ok, base64 plaintext or error, in order, mixing good and bad lines" $?
{ cat r1.ct; cat e.ct; } >good.in
sp decrypt --secret-key a.sk --batch <good.in >batch.out
check "decrypt --batch of good lines only exits 0, two lines" \
	test $? -eq 0 -a "$(wc -l <batch.out)" -eq 2
sp decrypt --secret-key p.sk --passphrase-file pw --batch <p.ct >batch.out
check "decrypt --batch with a protected key" json batch.out 'j["ok"] and j["n"] == 1'
sp decrypt --secret-key a.sk --batch <empty >batch.out
check "decrypt --batch of no input writes nothing, exits 0" test $? -eq 0 -a ! -s batch.out

# ---- decrypt --batch through its caches == each line on its own ----
# A batch of level-3 values on two paths (x0 -> x1 -> x2, y0 -> x1 -> x2),
# a level-1 value for x2 and one for another key, mixed with values whose
# per-value bytes (T_1, s, the tag; T_1 swapped for another value's) or path
# bytes (X_2; X_1 swapped) were changed, and lines that are no value.  In
# one process the batch goes through the decryption context and the
# validation cache (the paths found again and again); each line in a
# process of its own finds every cache empty.  The JSON lines must be the
# same bytes, in the batch's order and in reverse.
for k in x0 x1 x2 y0; do sp keygen -o $k.sk && sp pubkey --secret-key $k.sk >$k.pk; done
sp grant @x1.pk --secret-key x0.sk >x01.grant
sp grant @x1.pk --secret-key y0.sk >y01.grant
sp grant @x2.pk --secret-key x1.sk >x12.grant
: >mix.in
for i in 1 2 3 4 5 6; do
	head -c $((i * 7)) /dev/urandom >m$i.bin
	if [ $((i % 2)) -eq 0 ]; then o=y; else o=x; fi
	sp encrypt @${o}0.pk <m$i.bin | sp reencrypt @${o}01.grant | sp reencrypt @x12.grant >v$i.ct
done
sp encrypt @x2.pk <m1.bin >w1.ct
sp encrypt @x1.pk <m2.bin >w2.ct
python3 - <<'PY'
import base64
def dec(f):
    t = open(f).read().strip()
    b = t[len("prect_"):]
    return bytearray(base64.urlsafe_b64decode(b + "=" * (-len(b) % 4)))
def enc(raw):
    return "prect_" + base64.urlsafe_b64encode(bytes(raw)).decode().rstrip("=")
v = {i: dec("v%d.ct" % i) for i in range(1, 7)}
# level 3, no aad: hop 1 at 196 (P 64, X 32, T 32), hop 2 at 324, s at 136
T1, X1, X2 = 196 + 96, 196 + 64, 324 + 64
def changed(i, how):
    r = bytearray(v[i])
    if how == "T1 invalid": r[T1 + 31] |= 0x80
    if how == "T1 swapped": r[T1:T1 + 32] = v[i + 2][T1:T1 + 32]
    if how == "X2 invalid": r[X2 + 31] |= 0x80
    if how == "X1 swapped": r[X1:X1 + 32] = v[i][X2:X2 + 32]
    if how == "s": r[136] ^= 1
    if how == "tag": r[-1] ^= 1
    return enc(r)
lines = []
for rnd in range(3):
    for i in range(1, 7):
        lines.append(enc(v[i]))
        how = ["T1 invalid", "T1 swapped", "X2 invalid", "X1 swapped", "s", "tag"][(i + rnd) % 6]
        lines.append(changed(1 + (i + rnd) % 4, how))
    lines.append(open("w1.ct").read().strip())
    lines.append(open("w2.ct").read().strip())
    lines.append("not a value")
    lines.append(open("x1.pk").read().strip())
open("mix.in", "w").write("\n".join(lines) + "\n")
open("mix-rev.in", "w").write("\n".join(reversed(lines)) + "\n")
PY
# alone FILE OUT: each line of FILE in its own process, n renumbered
alone() {
	local n=0 line
	: >"$2"
	while IFS= read -r line; do
		n=$((n + 1))
		printf '%s\n' "$line" | "$BIN" decrypt --secret-key x2.sk --batch 2>/dev/null |
			sed "s/^{\"n\":1,/{\"n\":$n,/" >>"$2"
	done <"$1"
}
for f in mix mix-rev; do
	sp decrypt --secret-key x2.sk --batch <$f.in >$f.out
	alone $f.in $f.alone
	check "decrypt --batch of a mixed batch ($f): the same JSON lines as each line alone" \
		cmp -s $f.out $f.alone
done
python3 - mix.out <<'PY'
import json, sys
j = [json.loads(l) for l in open(sys.argv[1])]
assert len(j) == 48, len(j)
ok = [x["ok"] for x in j]
# per round: 6 good values, 6 changed ones (none decrypts), w1 good, w2 (x1's), 2 no values
for r in range(3):
    b = r * 16
    assert ok[b:b + 12:2] == [True] * 6 and ok[b + 1:b + 12:2] == [False] * 6, ok[b:b + 12]
    assert ok[b + 12:b + 16] == [True, False, False, False], ok[b + 12:b + 16]
errs = {x["error"].split(":")[0] for x in j if not x["ok"]}
assert errs == {"invalid pre_ciphertext", "cannot decrypt", "not a ciphertext"}, errs
PY
report "... which decrypts the good values and refuses every changed one, each with its reason" $?

# ---- a message instead of a silent wait when standard input is a terminal ----

# on_tty ARGS...: run the tool with standard input on a fresh pty that is
# closed at once; print its stderr
on_tty() {
	python3 - "$BIN" "$@" <<'PY'
import os, pty, subprocess, sys
master, slave = pty.openpty()
p = subprocess.Popen(sys.argv[1:], stdin=slave, stdout=subprocess.DEVNULL,
                     stderr=subprocess.PIPE)
os.close(slave)
try:
    err = p.stderr.readline()
finally:
    os.close(master)
    p.wait(timeout=10)
sys.stdout.write(err.decode(errors="replace"))
PY
}
if python3 -c 'import pty; pty.openpty()' 2>/dev/null; then
	on_tty decrypt --secret-key a.sk >tty.err
	check "decrypt says it reads the terminal instead of waiting silently" \
		grep -q 'reading standard input from the terminal' tty.err
	on_tty encrypt @a.pk >tty.err
	check "encrypt says so too" grep -q 'reading standard input from the terminal' tty.err
	on_tty decrypt --secret-key a.sk --batch >tty.err
	check "decrypt --batch says so too" grep -q 'reading standard input from the terminal' tty.err
else
	echo "# skipped: the terminal message (no pty available)"
fi

# ---- key rotation: rewrap (records at rest to a new key), rotate usage ----

printf 'record one' | sp encrypt @a.pk --aad "row:1" >rw1.ct
printf '1\t%s\n7\t%s\t%s\n' "$(cat rw1.ct)" "$(cat env.ct)" "$(cat env.body)" >rw.tsv
sp rewrap @b.pk --secret-key a.sk <rw.tsv >rw.out
check "rewrap prints one line per record, IDs kept" test "$(cut -f1 rw.out | tr '\n' ,)" = "1,7,"
sed -n 1p rw.out | cut -f2 >rw1.new
sp decrypt --secret-key b.sk <rw1.new >out.bin
check "rewrap: a plain record opens with the new key" test "$(cat out.bin)" = "record one"
sp inspect <rw1.new >rw1.json
check "rewrap keeps the aad and makes a level-1 value" json rw1.json 'j["level"] == 1 and j["aad_bytes"] == 5'
sed -n 2p rw.out | cut -f2 >rw7.ct
sed -n 2p rw.out | cut -f3 >rw7.body
sp open --secret-key b.sk --body rw7.body <rw7.ct >out.bin
check "rewrap: an envelope opens with the new key" cmp -s out.bin big.bin
sp decrypt --secret-key a.sk <env.ct >dk.old
sp decrypt --secret-key b.sk <rw7.ct >dk.new
check "rewrap: the envelope has a new data key" test "$(od -An -tx1 dk.old)" != "$(od -An -tx1 dk.new)" -a -s dk.new
sp open --secret-key a.sk --body rw7.body <env.ct >out.bin
check "rewrap: the old key ciphertext does not open the new body" test $? -ne 0 -a ! -s out.bin
printf '1\tprect_nonsense\n' >rw-bad.tsv
expect_failure "rewrap: a bad line fails cleanly" 1 rw-bad.tsv rewrap @b.pk --secret-key a.sk
expect_failure "rewrap: a line for another key fails cleanly" 1 rw.tsv rewrap @a.pk --secret-key b.sk
expect_failure "rotate: an unknown kind is a usage error" 2 empty rotate planet x --seal-to x
expect_failure "rotate: --seal-to is needed" 2 empty rotate group clinic -o rot-new.sk --secret-key a.sk
expect_failure "rotate: a group rotation needs the old key" 2 empty rotate group clinic -o rot-new.sk --seal-to x
expect_failure "rotate: -o FILE is needed (stdout gets the SQL)" 2 empty rotate user u --seal-to x
check "rotate: no key file was written by the failures" test ! -e rot-new.sk

# ---- passphrases typed on the terminal: no echo, echo back on Ctrl-C ----

# ptydrive.py STDIN STDOUT STEPS CMD...: run CMD with a new pty as its
# controlling terminal (so /dev/tty is the pty), standard input and output
# from and to files, stderr on the pty.  STEPS, comma-separated, act at each
# passphrase prompt once echo is off: p:TEXT types TEXT and Enter, int
# types Ctrl-C, tstp Ctrl-Z, term sends SIGTERM.  Prints one JSON object:
# rc (negative: killed by that signal), prompts (how many were seen), echo
# (whether the terminal echoes after the command ended) and text (all it
# wrote on the terminal).
cat >ptydrive.py <<'PY'
import json, os, pty, select, signal, sys, termios, time

stdin_path, stdout_path, steps = sys.argv[1:4]
cmd = sys.argv[4:]
pid, master = pty.fork()
if pid == 0:
    # a terminal session's signals, whatever the tests inherited (started
    # with & or nohup, SIGINT, SIGQUIT and SIGHUP are ignored, and the tool
    # rightly keeps them so: Ctrl-C would do nothing)
    for s in (signal.SIGINT, signal.SIGQUIT, signal.SIGHUP, signal.SIGTERM, signal.SIGTSTP):
        signal.signal(s, signal.SIG_DFL)
    os.dup2(os.open(stdin_path, os.O_RDONLY), 0)
    os.dup2(os.open(stdout_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), 1)
    os.execv(cmd[0], cmd)
    os._exit(127)
text = b""
pending = b""
deadline = time.monotonic() + 300  # only so that a bug cannot hang the tests
prompts = 0


def echo_on():
    return bool(termios.tcgetattr(master)[3] & termios.ECHO)


def read_some():
    global text, pending
    if not select.select([master], [], [], 0.2)[0]:
        return True
    try:
        data = os.read(master, 4096)
    except OSError:
        return False
    text += data
    pending += data
    return bool(data)


def at_prompt():
    while time.monotonic() < deadline:
        if (b"assphrase" in pending and pending.rstrip().endswith(b":")
                and not echo_on()):
            return True
        if not read_some():
            return False
    return False


for step in [s for s in steps.split(",") if s]:
    if not at_prompt():
        break
    pending = b""
    prompts += 1
    if step.startswith("p:"):
        os.write(master, step[2:].encode() + b"\n")
    elif step == "int":
        os.write(master, b"\x03")
    elif step == "tstp":
        os.write(master, b"\x1a")
    elif step == "term":
        os.kill(pid, signal.SIGTERM)
while time.monotonic() < deadline and read_some():
    pass
if time.monotonic() >= deadline:
    os.kill(pid, signal.SIGKILL)
_, status = os.waitpid(pid, 0)
rc = os.WEXITSTATUS(status) if os.WIFEXITED(status) else -os.WTERMSIG(status)
print(json.dumps({"rc": rc, "prompts": prompts, "echo": echo_on(),
                  "text": text.decode(errors="replace")}))
PY

# on_pty STDIN STDOUT STEPS ARGS...: ptydrive.py on the tool, into pty.json;
# the terminal's text is kept in all.err too
on_pty() {
	local input=$1 output=$2 steps=$3
	shift 3
	python3 ptydrive.py "$input" "$output" "$steps" "$BIN" "$@" >pty.json
	python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["text"])' pty.json >>all.err
}

if python3 -c 'import pty, os; os.close(pty.openpty()[0])' 2>/dev/null; then
	on_pty empty pty.out 'p:typed passphrase,p:typed passphrase' \
		keygen -o tty.sk --protect --pwhash-limits interactive
	check "keygen --protect asks twice on the terminal, echo off, then echo back on" \
		json pty.json "j['rc'] == 0 and j['prompts'] == 2 and j['echo'] and 'New passphrase for tty.sk: ' in j['text'] and 'Repeat the passphrase: ' in j['text']"
	check "... the typed passphrase never shows on the terminal" \
		json pty.json "'typed' not in j['text']"
	printf 'typed passphrase\n' >typed.pw
	sp pubkey --secret-key tty.sk --passphrase-file typed.pw >tty.pk
	check "... and it is the passphrase of the file" grep -qxE 'prepk_[A-Za-z0-9_-]{86}' tty.pk
	on_pty empty pty.out 'p:one passphrase,p:another' \
		keygen -o tty2.sk --protect --pwhash-limits interactive
	check "two different passphrases on the terminal: exit 1, nothing written" \
		json pty.json "j['rc'] == 1 and j['prompts'] == 2 and j['echo'] and 'the two passphrases differ' in j['text']"
	check "... no file" test ! -e tty2.sk
	on_pty p.ct pty.out 'p:correct horse battery staple' decrypt --secret-key p.sk
	check "decrypt asks for the passphrase on the terminal" \
		json pty.json "j['rc'] == 0 and j['prompts'] == 1 and j['echo'] and 'The passphrase for p.sk: ' in j['text']"
	check "... and decrypts" cmp -s pty.out plain.bin
	on_pty p.ct pty.out 'p:not it' decrypt --secret-key p.sk
	check "a wrong passphrase typed: exit 1, nothing written" \
		json pty.json "j['rc'] == 1 and j['echo'] and 'wrong passphrase' in j['text']"
	check "... nothing on standard output" test ! -s pty.out
	on_pty p.ct pty.out int decrypt --secret-key p.sk
	check "Ctrl-C at the prompt ends the command by SIGINT and turns echo back on" \
		json pty.json "j['rc'] == -2 and j['prompts'] == 1 and j['echo']"
	check "... nothing on standard output" test ! -s pty.out
	on_pty p.ct pty.out term decrypt --secret-key p.sk
	check "SIGTERM at the prompt ends the command and turns echo back on" \
		json pty.json "j['rc'] == -15 and j['prompts'] == 1 and j['echo']"
	on_pty p.ct pty.out 'tstp,p:correct horse battery staple' decrypt --secret-key p.sk
	check "Ctrl-Z at the prompt (not stopped: no job control here): asked again, echo off" \
		json pty.json "j['rc'] == 0 and j['prompts'] == 2 and j['echo']"
	check "... and decrypts" cmp -s pty.out plain.bin
	# Ctrl-Z under a job-control shell: stopped with echo back on, then fg
	cat >jobctl.py <<'PY'
import json, os, pty, select, sys, termios, time

# jobctl.py TOOL SK CT OUT PASS: an interactive bash (no line editing) on a
# pty runs "TOOL decrypt --secret-key SK <CT >OUT"; Ctrl-Z at its prompt,
# fg, then PASS typed.  Prints what was seen at each step, as JSON.
tool, sk, ct, out, pw = sys.argv[1:6]
pid, master = pty.fork()
if pid == 0:
    os.environ["PS1"] = "$ "
    os.execvp("bash", ["bash", "--norc", "--noprofile", "--noediting", "-i"])
seen = b""
deadline = time.monotonic() + 300  # only so that a bug cannot hang the tests


def echo_on():
    return bool(termios.tcgetattr(master)[3] & termios.ECHO)


def wait_for(pattern, echo=None):
    global seen
    while time.monotonic() < deadline:
        i = seen.find(pattern)
        if i >= 0 and (echo is None or echo_on() == echo):
            seen = seen[i + len(pattern):]
            return True
        if select.select([master], [], [], 0.2)[0]:
            try:
                seen += os.read(master, 4096)
            except OSError:
                return False
    return False


r = {}
wait_for(b"$ ")
os.write(master, ("%s decrypt --secret-key %s <%s >%s\n" % (tool, sk, ct, out)).encode())
r["prompt, echo off"] = wait_for(b"passphrase for", False)
os.write(master, b"\x1a")
r["stopped, echo on"] = wait_for(b"Stopped") and wait_for(b"$ ", True)
os.write(master, b"fg\n")
r["after fg: asked again, echo off"] = wait_for(b"passphrase for", False)
os.write(master, pw.encode() + b"\n")
r["then the shell, echo on"] = wait_for(b"$ ", True)
os.write(master, b"echo rc=$?\n")
r["exit status 0"] = wait_for(b"rc=0")
os.write(master, b"exit\n")
if time.monotonic() >= deadline:
    os.kill(pid, 9)
os.waitpid(pid, 0)
print(json.dumps(r))
PY
	if command -v bash >/dev/null; then
		python3 jobctl.py "$BIN" p.sk p.ct jobctl.out 'correct horse battery staple' >jobctl.json
		check "Ctrl-Z at the prompt in a shell: stopped with echo on; after fg asked again without echo" \
			json jobctl.json "all(j.values()) and len(j) == 5"
		check "... and decrypts" cmp -s jobctl.out plain.bin
	fi
	cp rw/k.sk before.sk
	on_pty empty pty.out 'p:correct horse battery staple,int' passwd rw/k.sk
	check "Ctrl-C at passwd's new passphrase prompt: killed, echo back on" \
		json pty.json "j['rc'] == -2 and j['prompts'] == 2 and j['echo'] and 'New passphrase for rw/k.sk: ' in j['text']"
	check "... the file as it was, no temporary file" \
		test "$(cat rw/k.sk)" = "$(cat before.sk)" -a "$(ls -A rw | wc -l)" -eq 4
	on_pty empty pty.out 'p:correct horse battery staple,p:typed passphrase,p:typed passphrase' \
		passwd rw/k.sk
	sp pubkey --secret-key rw/k.sk --passphrase-file typed.pw >out.pk
	check "passwd on the terminal: current once, new twice" \
		json pty.json "j['rc'] == 0 and j['prompts'] == 3 and j['echo']"
	check "... the new passphrase opens the same key" cmp -s out.pk k.pk
else
	echo "# skipped: passphrases on the terminal (no pty available)"
fi

# ---- issue 32: as pleasant as age ----

# keygen -o FILE prints the public key on stderr, as age-keygen does
sp keygen -o age.sk >out.txt
check "keygen -o FILE prints 'Public key: prepk_...' on stderr, the file's public key" \
	eq "$(cat last.err)" "Public key: $(sp pubkey --secret-key age.sk)"
check "... and nothing on stdout" test ! -s out.txt
sp keygen >age2.sk
check "keygen to stdout prints no public key on stderr" test ! -s last.err

# --not-after: ISO 8601 (UTC unless an offset), durations, Unix seconds
not_after() { sp grant @b.pk --secret-key a.sk --not-after "$1" | "$BIN" inspect 2>/dev/null | jq -r .not_after; }
check "--not-after 2027-01-01 is midnight UTC, and inspect prints ISO" eq "$(not_after 2027-01-01)" 2027-01-01T00:00:00Z
check "--not-after 2027-01-01T12:00+02:00 keeps its offset" eq "$(not_after 2027-01-01T12:00+02:00)" 2027-01-01T10:00:00Z
check "--not-after '2027-06-30 23:59:59Z'" eq "$(not_after '2027-06-30 23:59:59Z')" 2027-06-30T23:59:59Z
check "--not-after Unix seconds still work" eq "$(not_after 1893456000)" 2030-01-01T00:00:00Z
check "--not-after 0 means none: null" eq "$(not_after 0)" null
for d in 30d:2592000 12h:43200 90m:5400 2w:1209600; do
	before=$(date +%s)
	got=$(not_after "${d%%:*}")
	after=$(date +%s)
	got=$(date -u -d "$got" +%s)
	check "--not-after ${d%%:*} is now + ${d#*:} s" \
		test "$got" -ge $((before + ${d#*:})) -a "$got" -le $((after + ${d#*:}))
done
for bad in 2027-02-30 2027-13-01 tomorrow 30x 2027-01-01T25:00 -5; do
	expect_failure "--not-after $bad is a usage error" 2 empty grant @b.pk --secret-key a.sk --not-after "$bad"
done
check "... which names the forms it takes" grep -q 'ISO 8601' last.err

# decrypt --batch: ids, --encoding, padded base64 by default
printf 'a\xffb' >bin.plain
sp encrypt @a.pk <bin.plain >bin.ct
printf 'row 1\t%s\n%s\nrow "3"\t%s\nrow 4\tprect_nonsense\n' "$(cat r1.ct)" "$(cat r1.ct)" "$(cat bin.ct)" >ids.in
sp decrypt --secret-key a.sk --batch <ids.in >ids.out
check "decrypt --batch: JSON lines carry the id of ID<TAB>CT lines, none for a bare value" \
	eq "$(jq -c '[.n, .id, .ok]' ids.out | tr '\n' ' ')" '[1,"row 1",true] [2,null,true] [3,"row \"3\"",true] [4,"row 4",false] '
check "decrypt --batch: jq -r .plaintext | base64 -d gives the plaintext (padded base64)" \
	cmp -s <(head -n 1 ids.out | jq -r .plaintext | base64 -d) plain.bin
check "... and binary plaintexts" cmp -s <(sed -n 3p ids.out | jq -r .plaintext | base64 -d) bin.plain
for e in base64:Yf9i base64url:Yf9i hex:61ff62; do
	sp decrypt --secret-key a.sk --batch --encoding ${e%%:*} <bin.ct >enc.out
	check "decrypt --batch --encoding ${e%%:*}" eq "$(jq -r .plaintext enc.out)" "${e#*:}"
done
printf '?>?' | sp encrypt @a.pk >q.ct
sp decrypt --secret-key a.sk --batch <q.ct >enc.out
check "base64 is the standard alphabet, padded" eq "$(jq -r .plaintext enc.out)" Pz4/
sp decrypt --secret-key a.sk --batch --encoding base64url <q.ct >enc.out
check "base64url is unpadded, URL-safe" eq "$(jq -r .plaintext enc.out)" Pz4_
printf 'h\xc3\xa9 "x"\n' | sp encrypt @a.pk >utf8.ct
sp decrypt --secret-key a.sk --batch --encoding raw <utf8.ct >enc.out
check "--encoding raw: UTF-8 text as a JSON string" eq "$(jq -r .plaintext enc.out)" "$(printf 'h\xc3\xa9 "x"')"
sp decrypt --secret-key a.sk --batch --encoding raw <bin.ct >enc.out
check "--encoding raw of a plaintext that is not UTF-8: that line fails, saying so" \
	eq "$(jq -r '[.ok, (.error | test("not UTF-8"))] | @tsv' enc.out)" "$(printf 'false\ttrue')"
expect_failure "--encoding of another name is a usage error" 2 r1.ct decrypt --secret-key a.sk --batch --encoding base32
rewrap_then_decrypt() { sp rewrap @b.pk --secret-key a.sk <ids-rw.in | "$BIN" decrypt --secret-key b.sk --batch 2>/dev/null | jq -r .id | tr '\n' ,; }
printf 'k1\t%s\nk2\t%s\n' "$(cat r1.ct)" "$(cat bin.ct)" >ids-rw.in
check "rewrap's output feeds decrypt --batch with the same ids" eq "$(rewrap_then_decrypt)" k1,k2,

# a one-value command given several lines says so
cat r1.ct r1.ct >two.ct
expect_failure "decrypt of two lines fails cleanly" 1 two.ct decrypt --secret-key a.sk
check "... saying standard input holds 2 lines, and pointing to --batch" \
	grep -q 'standard input holds 2 lines, but decrypt reads one value from it (decrypt --batch' last.err
expect_failure "reencrypt of two lines fails cleanly" 1 two.ct reencrypt @grant1
check "... saying so" grep -q 'holds 2 lines' last.err
cat env.ct env.ct >two-env.ct
expect_failure "open of two key ciphertexts fails cleanly" 1 two-env.ct open --secret-key a.sk --body env.body
check "... saying so" grep -q 'holds 2 lines' last.err
expect_failure "inspect of two values fails cleanly" 1 two.ct inspect
check "... saying so" grep -q 'holds 2 lines' last.err

# a secret written to a stdout that others can read: a warning (grant too)
(
	umask 022
	"$BIN" grant @b.pk --secret-key a.sk >grant-open.out 2>grant-open.err
	"$BIN" decrypt --secret-key a.sk <r1.ct >plain-open.out 2>plain-open.err
	"$BIN" decrypt --secret-key a.sk --batch <r1.ct >batch-open.out 2>batch-open.err
	"$BIN" open --secret-key a.sk --body env.body <env.ct >open-open.out 2>open-open.err
)
for c in grant plain batch open; do
	check "$c to a stdout others can read warns" grep -q 'standard output is a file that group or others can read' $c-open.err
done
check "... and still writes it" test -s grant-open.out -a -s plain-open.out
sp grant @b.pk --secret-key a.sk >grant-private.out
check "a grant to a private file: no warning" test ! -s last.err
printf '%s\n' "$(python3 -c 'import base64, hashlib; pk = b"\x07" * 32; print("presealkey_" + base64.urlsafe_b64encode(b"SPSK\x01\0\0\0" + hashlib.blake2b(pk, digest_size=32).digest()[:8] + pk + b"\x01" * 16).decode().rstrip("="))')" >seal.key
(umask 022; "$BIN" grant @b.pk --secret-key a.sk --seal-to @seal.key >sealed-open.out 2>sealed-open.err)
check "a sealed grant (no secret in it) to such a file: no warning" test ! -s sealed-open.err -a -s sealed-open.out

# rewrap -j N: parallel, streaming, in order; the same records as one worker
python3 - r1.ct <<'PY'
import sys
ct = open(sys.argv[1]).read().strip()
with open("many.in", "w") as f:
    for i in range(1, 1001):
        f.write("id%d\t%s\n" % (i, ct))
PY
for j in 1 2 3; do
	sp rewrap @b.pk --secret-key a.sk -j $j <many.in >many.$j
	check "rewrap -j $j: 1000 lines, the ids in the input's order" \
		eq "$(cut -f1 many.$j | md5sum)" "$(cut -f1 many.in | md5sum)"
	"$BIN" decrypt --secret-key b.sk --batch <many.$j 2>/dev/null | jq -r '[.id, .plaintext] | @tsv' >many.$j.dec
	check "... each opens with the new key to its plaintext" \
		eq "$(cut -f2 many.$j.dec | sort -u)" "$(base64 -w0 plain.bin)"
done
check "rewrap makes new ciphertexts (none repeats)" eq "$(cut -f2 many.2 | sort -u | wc -l)" 1000
sed '700s/.*/id700\tprect_nonsense/' many.in >many-bad.in
sp rewrap @b.pk --secret-key a.sk -j 3 <many-bad.in >many-bad.out
check "rewrap -j 3 stops at a bad line 700: exit 1" test $? -eq 1
check "... after writing the 699 lines before it, in order" \
	eq "$(cut -f1 many-bad.out | md5sum)" "$(head -n 699 many.in | cut -f1 | md5sum)"
check "... and names the line" grep -q '^secant-pre: rewrap: line 700: invalid pre_ciphertext' last.err
check "... in one message" eq "$(wc -l <last.err)" 1
expect_failure "rewrap -j 0 is a usage error" 2 empty rewrap @b.pk --secret-key a.sk -j 0
printf 'no-tab-here\n' >rw-notab.in
expect_failure "rewrap of a line without an id fails cleanly" 1 rw-notab.in rewrap @b.pk --secret-key a.sk
check "... saying what it expects" grep -q 'line 1: ID, a tab and a ciphertext expected' last.err
check "no progress line when stderr is not a terminal" test ! -s last.err -o "$(grep -c 'records,' all.err)" -eq 0

# progress on a terminal (a pty on stderr): count, rate, ETA; -q silences it
# on_pty_err STDIN ARGS...: run the tool with standard input from the file
# STDIN, stderr on a new pty, stdout to out.pty; print all the pty saw
on_pty_err() {
	python3 - "$@" "$BIN" <<'PY'
import os, pty, subprocess, sys
master, slave = pty.openpty()
stdin, args, binary = sys.argv[1], sys.argv[2:-1], sys.argv[-1]
p = subprocess.Popen([binary] + args, stdin=open(stdin, "rb"),
                     stdout=open("out.pty", "wb"), stderr=slave)
os.close(slave)
seen = b""
while True:
    try:
        chunk = os.read(master, 4096)
    except OSError:
        break
    if not chunk:
        break
    seen += chunk
p.wait(timeout=120)
os.close(master)
sys.stdout.write(seen.decode(errors="replace"))
PY
}
if python3 -c 'import pty; pty.openpty()' 2>/dev/null; then
	for i in 1 2 3 4; do cat many.in; done >many4.in
	on_pty_err many4.in rewrap @b.pk --secret-key a.sk -j 1 >pty.err
	check "rewrap on a terminal draws a progress line: count, rate, fraction, ETA" \
		grep -Eq '[0-9]+ records, [0-9]+/s, [0-9]+ %, ETA [0-9]+:[0-9]{2}:[0-9]{2}' pty.err
	check "... redrawn in place (\\r) and ended with the total" \
		grep -Eq $'\r.*4000 records, [0-9]+/s, done in [0-9]+:[0-9]{2}:[0-9]{2}' pty.err
	check "... while stdout has every record" eq "$(wc -l <out.pty)" 4000
	on_pty_err many4.in rewrap @b.pk --secret-key a.sk -j 1 -q >pty.err
	check "rewrap -q: no progress line" test ! -s pty.err
	for i in 1 2 3 4; do cat many4.in; done | cut -f2 >manyct.in
	on_pty_err manyct.in decrypt --secret-key a.sk --batch >pty.err
	check "decrypt --batch over a file draws one too" grep -Eq 'values, [0-9]+/s, [0-9]+ %, ETA' pty.err
else
	echo "# skipped: progress on a terminal (no pty available)"
fi

# rotate group reads the remaining members from a file or stdin
for k in m1 m2 m3; do sp keygen -o $k.sk 2>/dev/null; sp pubkey --secret-key $k.sk >$k.pk; done
printf 'm1\t%s\n# a comment\n\nm2|%s\n%s\n' "$(cat m1.pk)" "$(cat m2.pk)" "$(cat m3.pk)" >members.txt
sp rotate group clinic --members members.txt --secret-key a.sk --seal-to @seal.key -o rot1.sk >rot1.sql
check "rotate group --members FILE: one sealed grant per member line (3) and the bridge" \
	eq "$(grep -o 'presealed_' rot1.sql | wc -l)" 4
sp rotate group clinic --members - --secret-key a.sk --seal-to @seal.key -o rot2.sk <members.txt >rot2.sql
check "rotate group --members - reads standard input" eq "$(grep -o 'presealed_' rot2.sql | wc -l)" 4
sp rotate group clinic @m1.pk --members members.txt --secret-key a.sk --seal-to @seal.key -o rot3.sk >rot3.sql
check "... after the keys given as arguments" eq "$(grep -o 'presealed_' rot3.sql | wc -l)" 5
printf 'm1\tnot-a-key\n' >members-bad.txt
expect_failure "rotate --members with a line that is no key fails cleanly" 1 empty rotate group clinic --members members-bad.txt --secret-key a.sk --seal-to @seal.key -o rot4.sk
check "... naming the line" grep -q 'members-bad.txt, line 1: a public key (prepk_) expected' last.err
check "... and writes no key" test ! -e rot4.sk
sp rotate reissue --members members.txt --secret-key a.sk --seal-to @seal.key >rot5.sql
check "rotate reissue --members: one add_grant per member" eq "$(grep -c 'secant.add_grant' rot5.sql)" 3
expect_failure "rotate device takes no --members" 2 empty rotate device d --members members.txt --secret-key a.sk --seal-to @seal.key -o rot6.sk

# the man page and the bash completion, generated from --help
MAN=$ROOT/build/cli/secant-pre.1
COMPL=$ROOT/build/cli/secant-pre.bash
if [ -f "$MAN" ] && [ "$BIN" -ef "$ROOT/secant-pre" ]; then
	sh "$ROOT/src/cli/mkdocs.sh" "$BIN" man >man.now
	check "build/cli/secant-pre.1 is what the tool's --help gives now" cmp -s man.now "$MAN"
	MANWIDTH=100 man -l "$MAN" >man.txt 2>man.err
	check "man -l renders secant-pre.1 without a warning" test $? -eq 0 -a ! -s man.err
	missing=
	for c in $("$BIN" --help | sed -n 's/^  secant-pre \([a-z-]*\).*/\1/p'); do
		grep -q "^   $c\$" man.txt || missing="$missing $c"
		for o in $("$BIN" $c --help | grep -o -- ' -[-a-z]*' | sort -u); do
			grep -q -- "$o" man.txt || missing="$missing $c$o"
		done
	done
	check "the man page has a section for every command, with its options" eq "$missing" ""
	check "... and its help text (rewrap -j)" grep -q 'N workers (threads; default: the number of cores)' man.txt
	complete_words() { bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _secant_pre; printf "%s\n" "${COMPREPLY[@]}"' _ "$COMPL" "$@" | sort | tr '\n' ' '; }
	check "bash completion: commands" eq "$(complete_words secant-pre re)" "reencrypt rewrap "
	check "bash completion: a command's options" eq "$(complete_words secant-pre rewrap -)" "--help --passphrase-fd --passphrase-file --secret-key -j -q "
	check "bash completion: rotate's kinds" eq "$(complete_words secant-pre rotate "")" "device group reissue user "
	check "bash completion: decrypt --e" eq "$(complete_words secant-pre decrypt --e)" "--encoding "
else
	echo "# skipped: man page and completion (not the tree's secant-pre, or not built)"
fi

# the README's command-line block, run as written (secant-pre on PATH)
mkdir readme && (
	cd readme || exit 1
	mkdir bin && ln -s "$BIN" bin/secant-pre
	python3 -c 'import re, sys; s = open(sys.argv[1]).read().split("## On the command line", 1)[1]; print(re.search(r"```sh\n(.*?)```", s, re.S).group(1), end="")' "$ROOT/README.md" >block.sh
	PATH="$PWD/bin:$PATH" bash -e block.sh >block.out 2>block.err
) 
check "README's command-line block runs as written" eq "$(cat readme/block.out)" "$(printf 'BP 120/80\nBP 120/80')"
check "... keygen -o printed the public key" grep -q '^Public key: prepk_' readme/block.err
check "... and the grant expires in 30 days" eq "$("$BIN" inspect <readme/clinic-ada.grant | jq -r .not_after | cut -c1-10)" "$(date -u -d '+30 days' +%Y-%m-%d)"

# ---- docs/CLI.md documents every command and option ----

# Each command that --help lists has an entry in the synopsis of
# docs/CLI.md (its lines from "secant-pre COMMAND" to the next
# "secant-pre ") with every option of its synopsis; every option any --help
# mentions (deprecated aliases included) appears in docs/CLI.md; so does
# @FILE.
python3 - "$BIN" "$ROOT/docs/CLI.md" <<'PY'
import re, subprocess, sys

tool, doc = sys.argv[1:3]
section = open(doc).read()
block = section[section.index("```\n") + 4:]
block = block[:block.index("```")]
entries = {}
for chunk in re.split(r"\n(?=secant-pre )", block):
    entries.setdefault(chunk.split()[1], []).append(chunk)
OPTION = r"(?<![\w-])(--[a-z][a-z-]*[a-z]|-o)(?![\w-])"


def run(*args):
    return subprocess.run([tool, *args], capture_output=True, text=True).stdout


commands = re.findall(r"^  secant-pre (\S+)", run("--help"), re.M)
missing = []
for c in commands:
    helptext = run(c, "--help")
    synopsis = helptext.splitlines()[0]
    if c not in entries:
        missing.append("no synopsis of " + c)
        continue
    documented = " ".join(entries[c])
    for o in sorted(set(re.findall(OPTION, synopsis))):
        if not re.search(r"(?<![\w-])" + re.escape(o) + r"(?![\w-])", documented):
            missing.append(c + " " + o + " (synopsis)")
    for o in sorted(set(re.findall(OPTION, helptext))):
        if not re.search(r"(?<![\w-])" + re.escape(o) + r"(?![\w-])", section):
            missing.append(c + " " + o)
for o in ("@FILE", "--version", "--help"):
    if o not in section:
        missing.append(o)
if len(commands) < 12 or missing:
    print("# %d commands; not in docs/CLI.md: %s"
          % (len(commands), ", ".join(missing)))
    sys.exit(1)
PY
report "docs/CLI.md has every command and option of --help, and @FILE" $?

# ---- make install-cli: into LIBPREFIX/bin, never the server's bindir ----

# into a DESTDIR under the test's directory only (never the real system)
PGC=${PG_CONFIG:-}
if [ -x "$PGC" ] && [ "$BIN" -ef "$ROOT/secant-pre" ] && command -v make >/dev/null; then
	bindir=$("$PGC" --bindir)
	make -s -C "$ROOT" install-cli PG_CONFIG="$PGC" LIBPREFIX=/opt/sp DESTDIR="$T/dest" >install.out 2>&1
	check "make install-cli puts secant-pre into DESTDIR/LIBPREFIX/bin" \
		eq "$(LD_LIBRARY_PATH="$ROOT/build/lib" "$T/dest/opt/sp/bin/secant-pre" --version 2>&1)" \
		"secant-pre $VERSION"
	check "... and nothing into the server's bindir" test ! -e "$T/dest$bindir/secant-pre"
	check "... with the installed library's directory as its rpath" \
		grep -q "RUNPATH.*\[/opt/sp/lib\]" <<<"$(readelf -d "$T/dest/opt/sp/bin/secant-pre")"
	check "... the man page and the bash completion into DESTDIR/LIBPREFIX/share" \
		test -s "$T/dest/opt/sp/share/man/man1/secant-pre.1" -a -s "$T/dest/opt/sp/share/bash-completion/completions/secant-pre"
	make -s -C "$ROOT" uninstall-cli PG_CONFIG="$PGC" LIBPREFIX=/opt/sp DESTDIR="$T/dest" >install.out 2>&1
	check "make uninstall-cli removes it" test ! -e "$T/dest/opt/sp/bin/secant-pre"
	check "... and the man page and completion" \
		test ! -e "$T/dest/opt/sp/share/man/man1/secant-pre.1" -a ! -e "$T/dest/opt/sp/share/bash-completion/completions/secant-pre"
else
	echo "# skipped: make install-cli (no pg_config, or not the tree's secant-pre)"
fi

# ---- secrets never reach stderr ----

# ---- threshold grants (docs/SCHEME.md, "Threshold grants") ----
# test/vectors/threshold.json: the holders' server keys, database
# identities and sealing keys, the shares of the 2-of-3 split of grant 1
python3 - "$(dirname "$VECTORS")/threshold.json" <<'EOF' || exit 2
import base64, json, sys

t = json.load(open(sys.argv[1]))
b64 = lambda b: base64.urlsafe_b64encode(b).decode().rstrip("=")
for k, s in enumerate(t["servers"]):
    open("srv%d.key" % k, "w").write(s["secret"] + "\n")
    open("srv%d.db" % k, "w").write(s["database"])
    open("srv%d.seal" % k, "w").write("presealkey_" + b64(bytes.fromhex(s["sealing_key"])) + "\n")
for i, sh in enumerate(t["grants"][0]["shares"]):
    open("tshare%d" % (i + 1), "w").write("pretshare_" + b64(bytes.fromhex(sh)) + "\n")
EOF
# grants[0].holders = servers 0, 1, 2
for i in 1 2 3; do
	sp partial @tshare$i --server-key srv$((i - 1)).key --database "$(cat srv$((i - 1)).db)" <ct1 >p$i
	check "partial: holder $i of the KAT 2-of-3 grant prints a prepartial_ line" \
		grep -qxE 'prepartial_[A-Za-z0-9_-]{139}' p$i
done
for pair in "1 2" "1 3" "3 2"; do
	set -- $pair
	sp combine @tshare1 @p$1 @p$2 <ct1 >out.ct
	check "combine: partials $1 and $2 give the KAT level 2 (the unsplit grant's) byte for byte" \
		cmp -s out.ct ct2
done
expect_failure "combine: one partial of a 2-of-3 grant is refused" 1 ct1 combine @tshare1 @p1
expect_failure "combine: the same partial twice is refused" 1 ct1 combine @tshare1 @p1 @p1
expect_failure "combine: partials for another ciphertext are refused" 1 ct2 combine @tshare1 @p1 @p2
expect_failure "partial: a share opens only under its holder's server key" 1 ct1 \
	partial @tshare1 --server-key srv1.key --database "$(cat srv0.db)"
expect_failure "partial: a share opens only for its database" 1 ct1 \
	partial @tshare1 --server-key srv0.key --database "$(cat srv1.db)"
expect_failure "partial: a holder makes no partial for another recipient" 1 ct2 \
	partial @tshare1 --server-key srv0.key --database "$(cat srv0.db)"
# a fresh threshold grant: user -> device, 3-of-4 over servers 0..3
sp grant @device.pk --threshold 3/4 --seal-to @srv0.seal,@srv1.seal,@srv2.seal,@srv3.seal \
	--secret-key user.sk >ud.shares
check "grant --threshold 3/4 prints four pretshare_ lines" \
	test "$(grep -cxE 'pretshare_[A-Za-z0-9_-]{598}' ud.shares)" -eq 4
for i in 1 2 3 4; do sed -n "${i}p" ud.shares >ud$i; done
for i in 1 2 4; do
	sp partial @ud$i --server-key srv$((i - 1)).key --database "$(cat srv$((i - 1)).db)" <ct2 >q$i
done
sp combine @ud3 @q4 @q1 @q2 <ct2 >ud.ct
sp decrypt --secret-key device.sk <ud.ct >out.bin
check "grant --threshold, partial, combine, decrypt: three of four holders re-encrypt to the device" \
	cmp -s out.bin message
expect_failure "grant --threshold: fewer sealing keys than N is a usage error" 2 empty \
	grant @device.pk --threshold 2/3 --seal-to @srv0.seal,@srv1.seal --secret-key user.sk
expect_failure "grant --threshold: one server key twice is refused" 1 empty \
	grant @device.pk --threshold 2/2 --seal-to @srv0.seal,@srv0.seal --secret-key user.sk
expect_failure "grant --threshold: T above N is a usage error" 2 empty \
	grant @device.pk --threshold 3/2 --seal-to @srv0.seal,@srv1.seal --secret-key user.sk
sp inspect <ud1 >out.json
check "inspect: a grant share" grep -q '"type":"threshold grant share","valid":true' out.json
# every grant of threshold.json: each combination of its vector partials
# gives its result byte for byte; and every must-refuse value is refused
# with its error's sentence (the core's sp_strerror, read from sp_core.c):
# shares and partials through combine, openings through partial
python3 - "$(dirname "$VECTORS")/threshold.json" "$ROOT/src/core/sp_core.c" <<'EOF' || exit 2
import base64, json, re, sys

t = json.load(open(sys.argv[1]))
why = dict(re.findall(r'case (SP_E[A-Z]+):\s*return "([^"]*)"', open(sys.argv[2]).read()))
b64 = lambda h: base64.urlsafe_b64encode(bytes.fromhex(h)).decode().rstrip("=")
put = lambda name, text: open(name, "w").write(text + "\n")
with open("tv.combine", "w") as todo:
    for g, v in enumerate(t["grants"]):
        put("tv%d.ct" % g, "prect_" + b64(v["ciphertext"]))
        put("tv%d.share" % g, "pretshare_" + b64(v["shares"][0]))
        for i, p in enumerate(v["partials"]):
            put("tv%d.p%d" % (g, i + 1), "prepartial_" + b64(p))
        for k, c in enumerate(v["combinations"]):
            put("tv%d.want%d" % (g, k), "prect_" + b64(c["result"]))
            todo.write("%d %d %d-of-%d %s\n" % (g, k, v["t"], v["n"],
                                              " ".join("@tv%d.p%d" % (g, i) for i in c["indices"])))
with open("tv.invalid", "w") as todo:
    for k, b in enumerate(t["invalid"]):
        raw = bytes.fromhex(b["value"])
        if b["kind"] in ("share", "open"):
            put("bad%d" % k, "pretshare_" + b64(b["value"]))
            args = "@bad%d" % k
        elif b["kind"] == "partial":
            put("bad%d" % k, "prepartial_" + b64(b["value"]))
            # the bad one first, with a good partial of another index
            args = "@bad%d @tv0.p%d" % (k, 3 if raw[5] == 1 else 1)
        else:
            args = ""
            for j in range(0, len(raw), 104):
                put("bad%d.%d" % (k, j // 104), "prepartial_" + b64(raw[j:j + 104].hex()))
                args += " @bad%d.%d" % (k, j // 104)
        todo.write("%s\t%s\t%s\t%s\n" % (b["kind"], args.strip(), why[b["error"]], b["name"]))
EOF
while read -r g k tn partials; do
	# shellcheck disable=SC2086
	sp combine @tv$g.share $partials <tv$g.ct >out.ct
	check "combine: threshold.json grant $g ($tn), combination $k of the vector partials is its result" \
		cmp -s out.ct tv$g.want$k
done <tv.combine
while IFS=$'\t' read -r kind args why name; do
	case $kind in
		open) set -- partial $args --server-key srv0.key --database "$(cat srv0.db)" ;;
		share) set -- combine $args @tv0.p1 @tv0.p2 ;;
		*) set -- combine @tv0.share $args ;;
	esac
	expect_failure "threshold.json must-refuse $kind \"$name\": refused" 1 tv0.ct "$@"
	check "... with the error: $why" grep -qF -- "$why" last.err
done <tv.invalid

leaked=0
for f in group.sk user.sk device.sk backup.sk a.sk b.sk; do
	for secret in "$(cat $f)" "$(cut -c7- $f)"; do
		grep -qF -- "$secret" all.err && leaked=1
	done
done
for f in group.seed user.seed device.seed backup.seed; do
	grep -qiF -- "$(cat $f)" all.err && leaked=1
done
report "no secret key appears in any stderr output" $leaked
leaked=0
for f in pw wrong.pw new.pw kf0.pass kf1.pass kf2.pass; do
	grep -qF -- "$(head -n 1 $f)" all.err && leaked=1
done
grep -qF 'typed passphrase' all.err && leaked=1
for f in kf0.plain kf1.plain kf2.plain index.hex; do
	grep -qiF -- "$(cat $f)" all.err && leaked=1
done
report "no passphrase, protected secret or index key appears on stderr or the terminal" $leaked

tap_summary
