#!/bin/bash
#
# cli_test.sh - tests of the secant-pre command-line tool, against the
# known-answer vectors of test/vectors/scheme-v1.json and by properties of
# randomised round trips.
#
# usage: test/cli_test.sh PATH/TO/secant-pre [VECTORS_JSON]
#
# Prints "ok - name" or "not ok - name" per check, then "N passed, M failed";
# exits non-zero if any check failed.

set -u

if [ $# -lt 1 ] || [ ! -x "$1" ]; then
	echo "usage: $0 PATH/TO/secant-pre [VECTORS_JSON]" >&2
	exit 2
fi
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
ROOT=$(cd "$(dirname "$0")/.." && pwd)
VECTORS=${2:-$ROOT/test/vectors/scheme-v1.json}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$T" || exit 2

# ok, not_ok, report NAME STATUS, check NAME COMMAND..., tap_summary
. "$ROOT/test/tap.sh"

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
	python3 -c 'import json, sys; j = json.load(open(sys.argv[1])); sys.exit(0 if eval(sys.argv[2]) else 1)' "$1" "$2" 2>/dev/null
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
	sp decrypt --key "$who".sk <ct$level >out.bin
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
sp decrypt --key a.sk <r1.ct >out.bin
check "decrypt a fresh level 1 ciphertext" cmp -s out.bin plain.bin
sp encrypt @a.pk <plain.bin >r1b.ct
check "encrypt is randomised" test "$(cat r1.ct)" != "$(cat r1b.ct)"
sp grant @b.pk --not-after 4102444800 <a.sk >ab.grant
check "grant prints a pregrant_ line" grep -qxE 'pregrant_[A-Za-z0-9_-]{363}' ab.grant
sp reencrypt @ab.grant <r1.ct >r2.ct
sp decrypt --key b.sk <r2.ct >out.bin
check "encrypt, grant, reencrypt, decrypt round trip" cmp -s out.bin plain.bin
: >empty
sp encrypt "$(cat a.pk)" <empty >e.ct
sp decrypt --key a.sk <e.ct >out.bin
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
sp decrypt --key k16.sk <chain.ct >out.bin
check "decrypt at level 16" cmp -s out.bin plain.bin
sp inspect <chain.ct >chain.json
check "inspect shows level 16 and 15 hops" \
	json chain.json 'j["level"] == 16 and len(j["hops"]) == 15'
expect_failure "reencrypt beyond level 16 fails" 1 chain.ct reencrypt @g17

# ---- tokens ----

sp token --key-file index.hex "$(cat keyword)" >out.tok
check "token of the KAT keyword with the hex index key" cmp -s out.tok token
sp token --key-file index.raw "$(cat keyword)" >out.tok
check "token with the raw 32-byte index key" cmp -s out.tok token
sp token --key-file index.hex "  DiaBeTes " diabetes >out.tok
check "token normalises case and white space, one line per word" \
	cmp -s out.tok <(cat token token)
head -c 31 index.raw >short.key
expect_failure "token refuses a short index key" 1 empty token --key-file short.key x
expect_failure "token refuses an empty word" 1 empty token --key-file index.hex " "
sp token --key-file index.hex " Diabetes " >out.tok
check "token of \" Diabetes \" is the KAT token of \"diabetes\"" cmp -s out.tok token

# Unicode: NFKC case folding with utf8proc, the same code as pre_token

# same_tokens WORD...: token gives one line per word, all the same
same_tokens() {
	sp token --key-file index.hex "$@" >same.tok &&
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
sp token --key-file index.hex ärztin arztin >out.tok
check "token keeps accents: ärztin and arztin differ" \
	test "$(sort -u out.tok | wc -l)" -eq 2
expect_failure "token refuses invalid UTF-8" 1 empty token --key-file index.hex $'ab\xff'
expect_failure "token refuses a word of ignorable characters only" 1 empty \
	token --key-file index.hex $'\xc2\xad'

# tokens of a document: distinct, sorted by their bytes
printf 'The cat sat. the CAT, the mat;\nTHE Cat sat!\n' >doc.txt
sp tokens --key-file index.hex <doc.txt >doc.tok
check "tokens prints one line per distinct word (4 of 10 words)" \
	test "$(wc -l <doc.tok)" -eq 4
check "tokens lines are distinct and sorted by token bytes" sorted_tokens doc.tok
sp token --key-file index.hex the cat sat mat >words.tok
check "tokens gives the tokens that token gives for each word" \
	cmp -s <(sort doc.tok) <(sort words.tok)
printf 'diabetes' >diabetes.txt
sp tokens --key-file index.hex <diabetes.txt >out.tok
check "tokens of the KAT keyword is the KAT token" cmp -s out.tok token
sp tokens --key-file index.raw --prefixes <diabetes.txt >prefix.tok
sp token --key-file index.hex dia diab di diabete diabetes >p.tok
check "tokens --prefixes of diabetes gives 6 tokens (dia .. diabetes)" \
	test "$(wc -l <prefix.tok)" -eq 6
check "tokens --prefixes includes dia, diab, diabete and diabetes" \
	test "$(grep -cxF -f <(sed -n '1p;2p;4p;5p' p.tok) prefix.tok)" -eq 4
grep -qxF -e "$(sed -n 3p p.tok)" prefix.tok
check "tokens --prefixes does not include di (shorter than 3)" test $? -eq 1
check "tokens --prefixes lines are distinct and sorted" sorted_tokens prefix.tok
printf 'Ärztin ärztin nai\xcc\x88ve NAÏVE' >unicode.txt
sp tokens --key-file index.hex <unicode.txt >out.tok
sp token --key-file index.hex Ärztin naïve >words.tok
check "tokens normalises a document like token" \
	cmp -s <(sort out.tok) <(sort words.tok)
sp tokens --key-file index.hex <empty >out.tok
check "tokens of an empty document prints nothing" test $? -eq 0 -a ! -s out.tok
printf 'ok \xff' >bad-utf8.txt
expect_failure "tokens refuses invalid UTF-8" 1 bad-utf8.txt tokens --key-file index.hex
expect_failure "tokens --prefixes takes no value" 2 diabetes.txt \
	tokens --key-file index.hex --prefixes=yes
expect_failure "tokens --prefixes given twice exits 2" 2 diabetes.txt \
	tokens --prefixes --key-file index.hex --prefixes
expect_failure "tokens needs --key-file" 2 diabetes.txt tokens --prefixes

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
	json grant.json "j['type'] == 'pre_grant' and j['from'] == '$(cat device.pk)' and j['to'] == '$(cat backup.pk)' and j['not_after'] == 1893456000 and len(j['X']) == 64 and set(j) == {'type', 'valid', 'bytes', 'from', 'to', 'not_after', 'X'}"
sp inspect <group.sk >sk.json
check "inspect of a secret key shows its public key and nothing secret" \
	json sk.json "j == {'type': 'pre_secret_key', 'bytes': 32, 'public_key': '$(cat group.pk)'}"
sp inspect <group.pk >pk.json
check "inspect of a public key" json pk.json 'j["type"] == "pre_public_key" and j["bytes"] == 64'
sp inspect <token >tok.json
check "inspect of a token" json tok.json 'j["type"] == "pre_token" and j["bytes"] == 16'

# ---- errors ----

expect_failure "decrypt with the wrong key fails, prints nothing" 1 ct1 decrypt --key user.sk
expect_failure "decrypt with an unrelated key fails, prints nothing" 1 r2.ct decrypt --key a.sk
flip r1.ct tampered.ct -1
expect_failure "decrypt of a modified body fails, prints nothing" 1 tampered.ct decrypt --key a.sk
flip r1.ct tampered.ct 200
expect_failure "decrypt of a modified aad fails, prints nothing" 1 tampered.ct decrypt --key a.sk
flip r1.ct tampered.ct 140
expect_failure "a modified capsule is refused on input" 1 tampered.ct inspect
flip grant1 tampered.grant 200
expect_failure "a grant with a bad signature is refused" 1 ct1 reencrypt @tampered.grant
expect_failure "reencrypt with a grant from another key fails" 1 ct1 reencrypt @grant2
echo "hello world" >garbage
expect_failure "decrypt of garbage fails" 1 garbage decrypt --key a.sk
expect_failure "inspect of garbage fails" 1 garbage inspect
echo 'prect_!!!!' >badb64
expect_failure "bad base64url is refused" 1 badb64 inspect
expect_failure "a public key is not a ciphertext (wrong prefix)" 1 group.pk decrypt --key group.sk
grep -q 'pre_ciphertext' last.err
report "the wrong-prefix error names the type" $?
expect_failure "a ciphertext is not a secret key (wrong prefix)" 1 ct1 pubkey
expect_failure "a public key is not a grant" 1 ct1 reencrypt @group.pk
expect_failure "a secret key is refused on the command line" 1 empty encrypt "$(cat a.sk)"
expect_failure "a missing key file is reported" 1 ct1 decrypt --key no-such-file

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
sp open --key a.sk --body env.body <env.ct >out.bin
check "seal, open round trip of 1 MiB" cmp -s out.bin big.bin
sp reencrypt @ab.grant <env.ct >env2.ct
sp open --key b.sk --body env.body <env2.ct >out.bin
check "seal, reencrypt the key ciphertext only, open by the grantee" cmp -s out.bin big.bin
cp env.ct chain-env.ct
for i in $(seq 2 16); do
	sp reencrypt @g"$i" <chain-env.ct >next.ct && mv next.ct chain-env.ct
done
sp open --key k16.sk --body env.body <chain-env.ct >out.bin
check "open after 15 hops of the key ciphertext (level 16)" cmp -s out.bin big.bin
sp seal "$(cat a.pk)" <empty >env-empty.txt
sed -n 1p env-empty.txt >env-empty.ct
sed -n 2p env-empty.txt >env-empty.body
sp open --key a.sk --body env-empty.body <env-empty.ct >out.bin
check "seal, open round trip of an empty plaintext" test $? -eq 0 -a ! -s out.bin
sp seal @a.pk <big.bin >other.txt
sed -n 2p other.txt >other.body
check "seal is randomised" test "$(cat env.body)" != "$(cat other.body)"
flip env.body tampered.body 5000
expect_failure "open of a modified body fails, prints nothing" 1 env.ct \
	open --key a.sk --body tampered.body
flip env.body tampered.body 3
expect_failure "open of a body with a modified nonce fails" 1 env.ct \
	open --key a.sk --body tampered.body
expect_failure "open of the body of another envelope fails" 1 env.ct \
	open --key a.sk --body other.body
expect_failure "open with the wrong key fails, prints nothing" 1 env.ct \
	open --key b.sk --body env.body
expect_failure "open by the delegator after re-encryption fails" 1 env2.ct \
	open --key a.sk --body env.body
flip env.ct tampered.ct 200
expect_failure "open with a modified key ciphertext aad fails" 1 tampered.ct \
	open --key a.sk --body env.body
expect_failure "open refuses a ciphertext that holds no data key" 1 r1.ct \
	open --key a.sk --body env.body
expect_failure "open refuses a body that is not base64url" 1 env.ct \
	open --key a.sk --body garbage
expect_failure "open needs --body" 2 env.ct open --key a.sk
rebody env.body cut.body cut 8
expect_failure "open of a v2 body with its marker cut off fails" 1 env.ct \
	open --key a.sk --body cut.body

# envelope v1: bodies written by the seal of earlier versions still open
FIX=$ROOT/test/fixtures/envelope-v1
for rec in record empty; do
	sp open --key "$FIX/owner.sk" --body "$FIX/$rec.body" <"$FIX/$rec.key" >out.bin
	check "open of the v1 fixture $rec (written by the old seal)" cmp -s out.bin "$FIX/$rec.plain"
done
check "the v1 fixture has no marker" test "$(body_head "$FIX/record.body")" != 5350454e02000000
sp grant @b.pk <"$FIX/owner.sk" >ownerb.grant
sp reencrypt @ownerb.grant <"$FIX/record.key" >fix2.ct
sp open --key b.sk --body "$FIX/record.body" <fix2.ct >out.bin
check "open of the v1 fixture after re-encrypting its key ciphertext" cmp -s out.bin "$FIX/record.plain"
flip "$FIX/record.body" fix-tampered.body 30
expect_failure "open of a modified v1 body fails, prints nothing" 1 "$FIX/record.key" \
	open --key "$FIX/owner.sk" --body fix-tampered.body
expect_failure "open of the v1 fixture with the wrong key fails" 1 "$FIX/record.key" \
	open --key a.sk --body "$FIX/record.body"
expect_failure "open of the v1 fixture next to another key ciphertext fails" 1 "$FIX/empty.key" \
	open --key "$FIX/owner.sk" --body "$FIX/record.body"
rebody "$FIX/record.body" marked.body mark
expect_failure "open of a v1 body given a v2 marker fails" 1 "$FIX/record.key" \
	open --key "$FIX/owner.sk" --body marked.body

# ---- usage ----

sp --help >out.txt
check "--help exits 0 and prints usage" grep -q '^usage: secant-pre' out.txt
for cmd in keygen pubkey encrypt grant reencrypt decrypt seal open token tokens inspect; do
	sp $cmd --help >out.txt
	check "$cmd --help exits 0 and prints usage" grep -q "^usage: secant-pre $cmd" out.txt
done
sp encrypt -h >out.txt
check "-h works like --help" grep -q '^usage: secant-pre encrypt' out.txt
expect_failure "an unknown command exits 2" 2 empty frobnicate
expect_failure "an unknown option exits 2" 2 empty encrypt @a.pk --frob
expect_failure "a missing required option exits 2" 2 ct1 decrypt
expect_failure "a missing argument exits 2" 2 empty encrypt
expect_failure "an extra argument exits 2" 2 empty keygen extra
expect_failure "a bad --not-after exits 2" 2 a.sk grant @b.pk --not-after soon
sp 2>/dev/null >out.txt
check "no command exits 2" test $? -eq 2

# ---- secrets never reach stderr ----

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

tap_summary
