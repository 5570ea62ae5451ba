/*
 * main.c - the secant-pre command-line tool: its entry point, the table of
 * its commands with their help, and its usage.
 *
 * secant-pre does what a client of secant_pre does without a database:
 * keys, encryption, grants, re-encryption, decryption, envelopes for large
 * records, search tokens, inspection of values and key rotation
 * (shared/design/SCHEME.md), as a client of libsecant-pre: it includes
 * the library's public header only.  One file per concern: args (the
 * arguments), report (messages), io (files and streams), values (text
 * forms), batch (records with ids, JSON lines), progress (the progress
 * line), when (times), passphrase (the terminal prompt), keyfile (key
 * files), keys,
 * encrypt, decrypt, envelope, search, inspect, rotate, rewrap (the
 * commands).
 *
 * Secret keys are read only from files or standard input, never from the
 * command line, and no value given as an argument or input is ever echoed
 * in a message (file names are).  Key files are written with O_EXCL and
 * mode 0600, optionally protected by a passphrase (sp_keyfile.h), which is
 * read from the terminal, a file descriptor or a file, never from argv;
 * passwd, protect and unprotect replace a key file atomically (rename).
 * Every buffer is wiped before it is freed; standard input and output are
 * unbuffered so that no copy of a secret stays in a stdio buffer.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "secant_pre.h"
#include "args.h"
#include "decrypt.h"
#include "encrypt.h"
#include "envelope.h"
#include "inspect.h"
#include "keys.h"
#include "passphrase.h"
#include "report.h"
#include "rewrap.h"
#include "rotate.h"
#include "search.h"
#include "threshold.h"

/* the version of the extension, from the Makefile's EXTVERSION */
#ifndef SECANT_PRE_VERSION
#define SECANT_PRE_VERSION "unknown"
#endif

/* Options shared by the commands that read or write key files. */
#define PASSPHRASE_OPTIONS \
	{"--passphrase-fd", OPT_VALUE}, {"--passphrase-file", OPT_VALUE}
#define PASSPHRASE_HELP \
	"  --passphrase-fd N     read the passphrase of a protected key file from\n" \
	"                        file descriptor N (up to a newline)\n" \
	"  --passphrase-file F   read it from the first line of the file F\n" \
	"  (else it is asked for on the terminal, without echo; never in argv)\n"
#define NEW_KEY_HELP \
	"  -o FILE               write to FILE, created with mode 0600; an\n" \
	"                        existing FILE is never overwritten ('-' or no\n" \
	"                        -o: standard output)\n" \
	"  --protect             protect the key with a passphrase (Argon2id +\n" \
	"                        XChaCha20-Poly1305; prelocked_...; see\n" \
	"                        docs/SCHEME.md, Protected key files)\n" \
	"  --pwhash-limits L     Argon2id cost of --protect: interactive,\n" \
	"                        moderate (the default) or sensitive\n"
#define NEW_KEY_OPTIONS \
	{"-o", OPT_VALUE}, {"--protect", OPT_FLAG}, \
	{"--pwhash-limits", OPT_VALUE}, PASSPHRASE_OPTIONS
#define NEW_PASSPHRASE_OPTIONS \
	{"--new-passphrase-fd", OPT_VALUE}, \
	{"--new-passphrase-file", OPT_VALUE}
#define REWRITE_HELP \
	"\n" \
	"The file is replaced atomically: the new contents go to a new file\n" \
	"(mode 0600) in the same directory, which is synced and renamed over\n" \
	"FILE, so FILE is either old or new, never half written or readable by\n" \
	"others; nothing is written unless every passphrase is right.  The old\n" \
	"contents may remain on the disk (and in other hard links or backups).\n" \
	"\n" \
	"  -o NEW_FILE           write to NEW_FILE instead (created with mode\n" \
	"                        0600, never overwriting; '-': standard output)\n" \
	"                        and leave FILE as it is\n"
#define REWRITE_LIMITS_HELP \
	"  --pwhash-limits L     Argon2id cost: interactive, moderate or sensitive\n"
#define SECRET_KEY_HELP \
	"SECRET_KEY_FILE holds a PRE secret key: a presk_ line, or a\n" \
	"passphrase-protected key file (prelocked_...), read transparently.\n"
#define INDEX_KEY_HELP \
	"INDEX_KEY_FILE holds the 32-byte search index key: 64 hexadecimal\n" \
	"digits (white space around them is ignored), exactly 32 raw bytes, or\n" \
	"a passphrase-protected key file made by 'index-keygen --protect'.\n" \

static const command commands[] = {
	{
		"keygen", "[-o FILE] [--protect] [--pwhash-limits L] [--passphrase-fd N | --passphrase-file F]",
		"Make a new random PRE secret key (presk_...) and write it to FILE\n"
		"(mode 0600, never overwriting) or standard output.  With -o FILE its\n"
		"public key is printed on standard error (\"Public key: prepk_...\"), as\n"
		"age-keygen does.  Secret keys are never accepted on the command line.\n"
		"\n" NEW_KEY_HELP PASSPHRASE_HELP,
		{NEW_KEY_OPTIONS}, 0, 0, cmd_keygen
	},
	{
		"index-keygen", "[-o FILE] [--protect] [--pwhash-limits L] [--passphrase-fd N | --passphrase-file F]",
		"Make a new random 32-byte search index key (64 hexadecimal digits, the\n"
		"key of pre_token and of 'token' and 'tokens') and write it to FILE\n"
		"(mode 0600, never overwriting) or standard output.\n"
		"\n" NEW_KEY_HELP PASSPHRASE_HELP,
		{NEW_KEY_OPTIONS}, 0, 0, cmd_index_keygen
	},
	{
		"pubkey", "[--secret-key SECRET_KEY_FILE] [--passphrase-fd N | --passphrase-file F] [< SECRET_KEY_FILE]",
		"Print the public key (prepk_...) of the secret key in SECRET_KEY_FILE,\n"
		"or read from standard input ('-' or no --secret-key).\n"
		SECRET_KEY_HELP "\n" PASSPHRASE_HELP,
		{{"--secret-key", OPT_VALUE}, PASSPHRASE_OPTIONS}, 0, 0, cmd_pubkey
	},
	{
		"encrypt", "PUBKEY [--aad TEXT] < PLAINTEXT",
		"Encrypt standard input (raw bytes, at most 1 GiB) for PUBKEY and print\n"
		"the level-1 ciphertext (prect_...).  PUBKEY is a prepk_ text, or @FILE\n"
		"to read it from FILE.\n"
		"\n"
		"  --aad TEXT   associated data: bound to the ciphertext and stored in\n"
		"               it in clear (not secret)\n",
		{{"--aad", OPT_VALUE}}, 1, 1, cmd_encrypt
	},
	{
		"grant", "PUBKEY [--not-after WHEN] [--seal-to SEALING_KEY | --threshold T/N --seal-to K1,...,KN] [--secret-key DELEGATOR_SECRET_KEY_FILE] [-o FILE] [--passphrase-fd N | --passphrase-file F]",
		"Print a grant (pregrant_...) that lets a proxy re-encrypt ciphertexts\n"
		"of the delegator, whose secret key is read from the --secret-key file\n"
		"(or standard input), for the grantee PUBKEY (a prepk_ text, or @FILE).\n"
		"The grant holds a secret of the delegator: give it only to the proxy\n"
		"(the database), never to the grantee.\n"
		SECRET_KEY_HELP
		"\n"
		"  --not-after WHEN           expiry written into the grant: an ISO 8601\n"
		"                             date or time (2027-01-01,\n"
		"                             2027-01-01T12:00, UTC unless an offset\n"
		"                             is given: 2027-01-01T12:00+02:00), a\n"
		"                             duration from now (30d, 12h, 90m, 45s,\n"
		"                             2w) or Unix seconds; 0, the default,\n"
		"                             means none\n"
		"  --seal-to SEALING_KEY      print the grant sealed (presealed_) to the\n"
		"                             database's key: the presealkey_ text of\n"
		"                             SELECT secant.server_public_key() (or @FILE);\n"
		"                             what the database stores\n"
		"  --threshold T/N            split the grant T-of-N (docs/SCHEME.md,\n"
		"                             Threshold grants): print N grant shares\n"
		"                             (pretshare_), one per line, the i-th sealed\n"
		"                             to the i-th of the N comma-separated sealing\n"
		"                             keys of --seal-to (distinct server keys,\n"
		"                             N <= 16); the grant itself is wiped\n"
		"  -o FILE                    write the grant to FILE, created with\n"
		"                             mode 0600, never overwriting (an unsealed\n"
		"                             grant on standard output: a warning if\n"
		"                             others can read it there)\n"
		PASSPHRASE_HELP,
		{{"--not-after", OPT_VALUE}, {"--secret-key", OPT_VALUE},
		{"--seal-to", OPT_VALUE}, {"-o", OPT_VALUE},
		{"--threshold", OPT_VALUE}, PASSPHRASE_OPTIONS}, 1, 1, cmd_grant
	},
	{
		"partial", "SHARE --server-key SERVER_KEY_FILE --database HEX < CIPHERTEXT",
		"A holder's partial (prepartial_) of the threshold grant share SHARE (a\n"
		"pretshare_ text, or @FILE) for the ciphertext on standard input: the\n"
		"share is opened with the holder's server key (SERVER_KEY_FILE: 64\n"
		"hexadecimal digits, as secant_pre.server_key_file) for its database\n"
		"identity (--database: 32 hexadecimal digits) and checked against its\n"
		"commitments; the ciphertext must be valid and its current recipient the\n"
		"grant's delegator.  The partial carries a proof: anyone can check it.\n",
		{{"--server-key", OPT_REQUIRED}, {"--database", OPT_REQUIRED}},
		1, 1, cmd_partial
	},
	{
		"combine", "SHARE PARTIAL... < CIPHERTEXT",
		"Combine exactly T partials (prepartial_ texts, or @FILE) of the T-of-N\n"
		"threshold grant of SHARE (any of its shares) for the ciphertext on\n"
		"standard input, each proof checked, into the ciphertext one level up:\n"
		"byte for byte what the unsplit grant gives ('secant-pre reencrypt').\n",
		{{NULL, OPT_VALUE}}, 2, -1, cmd_combine
	},
	{
		"reencrypt", "GRANT < CIPHERTEXT",
		"Re-encrypt the ciphertext read from standard input with GRANT (a\n"
		"pregrant_ text, or @FILE, which keeps it out of the process list) and\n"
		"print the ciphertext one level up.  Both values are validated fully\n"
		"first.  Like the server's pre_reencrypt, this does not look at the\n"
		"clock: the grant's not_after is policy, enforced by the database.\n",
		{{NULL, OPT_VALUE}}, 1, 1, cmd_reencrypt
	},
	{
		"decrypt", "--secret-key SECRET_KEY_FILE [--batch [--encoding E] [-q]] [--passphrase-fd N | --passphrase-file F] < CIPHERTEXT",
		"Decrypt the ciphertext read from standard input with the secret key\n"
		"in SECRET_KEY_FILE and write the plaintext to standard output.\n"
		"Nothing is written unless decryption succeeds.  Standard input holds\n"
		"one value: several lines are refused (use --batch).\n"
		SECRET_KEY_HELP
		"\n"
		"  --batch        read one record per line, ID<TAB>CIPHERTEXT or a\n"
		"                 ciphertext alone, and write one JSON line per input\n"
		"                 line, in order, with the line's ID if it has one:\n"
		"                   {\"n\":1,\"id\":\"42\",\"ok\":true,\"plaintext\":\"...\"}\n"
		"                   {\"n\":2,\"ok\":false,\"error\":\"...\"}\n"
		"                 (n is the line number).  Exit status 1 if any line\n"
		"                 failed, after every line was answered.\n"
		"  --encoding E   the plaintext in the JSON: base64 (padded, the\n"
		"                 default: jq -r .plaintext | base64 -d), base64url\n"
		"                 (unpadded), hex, or raw (a JSON string: UTF-8 text\n"
		"                 only, else that line fails)\n"
		"  -q             no progress line (else shown on standard error when\n"
		"                 it is a terminal: count, rate, and with a file on\n"
		"                 standard input the fraction done and the time left)\n"
		PASSPHRASE_HELP,
		{{"--secret-key", OPT_REQUIRED}, {"--batch", OPT_FLAG},
		{"--encoding", OPT_VALUE}, {"-q", OPT_FLAG},
		PASSPHRASE_OPTIONS}, 0, 0, cmd_decrypt
	},
	{
		"seal", "PUBKEY [--aad TEXT] < PLAINTEXT",
		"Envelope encryption, for large records.  Encrypt standard input (raw\n"
		"bytes, up to just under 768 MiB) with a fresh random 32-byte data key\n"
		"and print two lines:\n"
		"  1. the key ciphertext (prect_...): the data key encrypted for PUBKEY\n"
		"     (a prepk_ text, or @FILE), with TEXT as its associated data;\n"
		"  2. the body (envelope v2): unpadded base64url of the marker 'SPEN'\n"
		"     2 0 0 0, a 24-byte nonce and the XChaCha20-Poly1305 encryption of\n"
		"     the plaintext under the data key, bound to the marker and to the\n"
		"     key ciphertext's magic, version, P0, E, V, s, nonce and aad, which\n"
		"     re-encryption never changes.\n"
		"Store them in two columns.  The proxy only ever re-encrypts the small\n"
		"key ciphertext (pre_reencrypt, or 'secant-pre reencrypt'); the body\n"
		"column is never touched, so sharing a record costs the same whatever\n"
		"its size.  Read a record back with 'secant-pre open'.\n"
		"\n"
		"  --aad TEXT   associated data of the key ciphertext, stored in it in\n"
		"               clear (not secret) and authenticated with the body\n",
		{{"--aad", OPT_VALUE}}, 1, 1, cmd_seal
	},
	{
		"open", "--secret-key SECRET_KEY_FILE --body BODY_FILE [--passphrase-fd N | --passphrase-file F] < KEY_CIPHERTEXT",
		"Open an envelope made by 'secant-pre seal': decrypt the key ciphertext\n"
		"read from standard input (at any level, re-encrypted or not) with the\n"
		"secret key in SECRET_KEY_FILE, then the body in BODY_FILE with the\n"
		"data key, and write the plaintext to standard output.  Nothing is\n"
		"written unless both succeed: a wrong key, a modified body or a body\n"
		"of another key ciphertext is reported as a failure.  Bodies of both\n"
		"envelope versions are read: v2, and v1 (no marker, written by earlier\n"
		"versions of this tool).\n"
		SECRET_KEY_HELP
		"\n" PASSPHRASE_HELP,
		{{"--secret-key", OPT_REQUIRED}, {"--body", OPT_REQUIRED},
		PASSPHRASE_OPTIONS}, 0, 0, cmd_open
	},
	{
		"token", "--index-key INDEX_KEY_FILE [--passphrase-fd N | --passphrase-file F] WORD...",
		"Print one search token (pretok_...) per WORD, in order, the same bytes\n"
		"as the server's pre_token(key, word).  Each word is normalised first:\n"
		"Unicode NFKC case folding with utf8proc (upper and lower case, and\n"
		"composed and decomposed accents, give one token), then white space\n"
		"around it is removed; a word that is then empty is refused, and so\n"
		"is a word with white space inside (exit 2: its token would match no\n"
		"word of a document; use 'tokens' to split a text into words).\n"
		INDEX_KEY_HELP "\n" PASSPHRASE_HELP,
		{{"--index-key", OPT_REQUIRED}, PASSPHRASE_OPTIONS}, 1, -1,
		cmd_token
	},
	{
		"tokens", "--index-key INDEX_KEY_FILE [--prefixes] [--passphrase-fd N | --passphrase-file F] < DOCUMENT",
		"Print the distinct search tokens of the words of the UTF-8 document\n"
		"read from standard input, one per line, sorted by their bytes: the\n"
		"same lines as SELECT unnest(pre_tokens(key, document, prefixes)).\n"
		"The document is normalised like a word of 'token', then split into\n"
		"words on every character that is not a letter, a mark or a digit.\n"
		"The order hides both the order of the words and their alphabetical\n"
		"order.  " INDEX_KEY_HELP
		"\n"
		"  --prefixes   also print the tokens of the proper prefixes of at\n"
		"               least 3 characters (code points) of each word, for\n"
		"               prefix search\n"
		PASSPHRASE_HELP,
		{{"--index-key", OPT_REQUIRED}, {"--prefixes", OPT_FLAG},
		PASSPHRASE_OPTIONS}, 0, 0, cmd_tokens
	},
	{
		"rotate", "group|user|device|reissue NAME [PUBKEY...] [--members FILE] [-q] --seal-to SEALING_KEY [--secret-key FILE] [-o NEW_KEY_FILE] [--index-key FILE] [--protect] [--pwhash-limits L] [--passphrase-fd N | --passphrase-file F]",
		"Key rotation, on the client that holds the keys: write a new secret\n"
		"key to NEW_KEY_FILE (mode 0600, never overwriting) and print the SQL\n"
		"call that completes the rotation in one transaction, its grants sealed\n"
		"to SEALING_KEY (the presealkey_ text of secant.server_public_key(), or\n"
		"@FILE).  PUBKEY: prepk_ texts, or @FILE.\n"
		"  rotate group NAME MEMBER_PUBKEY... --secret-key OLD_GROUP_KEY\n"
		"      [--index-key NEW_INDEX_KEY]: the bridge old -> new (records at\n"
		"      rest stay readable), new -> each remaining member, the new index\n"
		"      key (made with index-keygen) encrypted to the new key: the call\n"
		"      to secant.rotate_group (required when the group has an index key)\n"
		"  rotate user NAME DEVICE_PUBKEY... [--secret-key OLD_USER_KEY]:\n"
		"      new -> each remaining device (and a bridge with --secret-key):\n"
		"      secant.rotate_user; then each delegator re-issues (reissue)\n"
		"  rotate device NAME --secret-key USER_KEY: the user's enrolment\n"
		"      grant to the new device key: secant.rotate_device\n"
		"  rotate reissue NEW_PUBKEY... --secret-key DELEGATOR_KEY: one\n"
		"      secant.add_grant per key (secant.pending_reissues lists them;\n"
		"      no -o)\n"
		"  --members FILE   read more public keys (the remaining members of a\n"
		"      group, a user's devices) from FILE ('-': standard input), one a\n"
		"      line: a prepk_ text, or NAME<TAB>PUBKEY or NAME|PUBKEY (the key\n"
		"      last), as psql -At prints SELECT name, public_key FROM\n"
		"      secant.members('clinic') WHERE name <> 'the_one_who_left';\n"
		"      blank lines and lines starting with # are skipped\n"
		"  -q               no progress line on a terminal\n"
		"Give the same passphrase options for reading --secret-key and for\n"
		"--protect (one passphrase).\n"
		SECRET_KEY_HELP "\n" NEW_KEY_HELP PASSPHRASE_HELP,
		{{"-o", OPT_VALUE}, {"--protect", OPT_FLAG}, {"--pwhash-limits", OPT_VALUE},
		PASSPHRASE_OPTIONS, {"--secret-key", OPT_VALUE}, {"--seal-to", OPT_VALUE},
		{"--index-key", OPT_VALUE}, {"--members", OPT_VALUE},
		{"-q", OPT_FLAG}}, 1, -1, cmd_rotate
	},
	{
		"rewrap", "NEW_PUBKEY --secret-key SECRET_KEY_FILE [-j N] [-q] [--passphrase-fd N | --passphrase-file F] < RECORDS",
		"Move records at rest to a new key (after a group rotation; then the\n"
		"bridge can be dropped: secant.drop_bridges).  Reads one record per\n"
		"line, ID<TAB>CIPHERTEXT, or ID<TAB>KEY_CIPHERTEXT<TAB>BODY for an\n"
		"envelope ('seal'), and prints the same line for NEW_PUBKEY (prepk_ or\n"
		"@FILE): the value decrypted with the secret key and encrypted again\n"
		"with the same aad; an envelope's body is opened and sealed again under\n"
		"a NEW random data key (a holder of the old key may have kept the old\n"
		"one).  ID is copied as it is (no tab or newline in it).  Stops at the\n"
		"first line that fails (exit 1); the lines before it were written.\n"
		"Streams: memory holds a few lines per worker, whatever the input.\n"
		SECRET_KEY_HELP "\n"
		"  -j N   N workers (threads; default: the number of cores); the\n"
		"         output stays in the input's order\n"
		"  -q     no progress line (else shown on standard error when it is a\n"
		"         terminal: count, rate, and with a file on standard input the\n"
		"         fraction done and the time left)\n"
		PASSPHRASE_HELP,
		{{"--secret-key", OPT_REQUIRED}, {"-j", OPT_VALUE},
		{"-q", OPT_FLAG}, PASSPHRASE_OPTIONS}, 1, 1, cmd_rewrap
	},
	{
		"inspect", "[--passphrase-fd N | --passphrase-file F] < VALUE",
		"Validate any value in text form (presk_, prepk_, pregrant_, prect_,\n"
		"pretok_) read from standard input and describe it as one line of JSON.\n"
		"No secret material is printed: a secret key is described by its\n"
		"public key only, a grant without its re-encryption key.\n"
		"A passphrase-protected key file (prelocked_) is described by its\n"
		"header, without a passphrase:\n"
		"  {\"type\":\"protected_key_file\",\"bytes\":112,\"version\":1,\n"
		"   \"content\":\"pre_secret_key\" or \"index_key\",\"kdf\":\"argon2id13\",\n"
		"   \"opslimit\":N,\"memlimit\":BYTES}\n"
		"With --passphrase-fd or --passphrase-file it is opened as well\n"
		"(\"opened\":true, and the \"public_key\" of a PRE secret key); a wrong\n"
		"passphrase fails and prints nothing.\n"
		"\n" PASSPHRASE_HELP,
		{PASSPHRASE_OPTIONS}, 0, 0, cmd_inspect
	},
	{
		"passwd", "FILE [-o NEW_FILE] [--pwhash-limits L] [--passphrase-fd N | --passphrase-file F] [--new-passphrase-fd N | --new-passphrase-file F]",
		"Change the passphrase of the protected key file FILE (prelocked_): it\n"
		"is opened with the current passphrase and written again with the new\n"
		"one, a new salt and a new nonce.  The Argon2id cost stays the file's\n"
		"unless --pwhash-limits is given.  On a terminal the current passphrase\n"
		"is asked for once and the new one twice.\n"
		REWRITE_HELP REWRITE_LIMITS_HELP PASSPHRASE_HELP
		"  --new-passphrase-fd N, --new-passphrase-file F   the new passphrase\n"
		"                        likewise (the same N as --passphrase-fd: its\n"
		"                        first line is the current one, its second the\n"
		"                        new one)\n",
		{{"-o", OPT_VALUE}, {"--pwhash-limits", OPT_VALUE},
		PASSPHRASE_OPTIONS, NEW_PASSPHRASE_OPTIONS}, 1, 1, cmd_passwd
	},
	{
		"protect", "FILE [-o NEW_FILE] [--pwhash-limits L] [--passphrase-fd N | --passphrase-file F]",
		"Protect the unprotected key file FILE (a presk_ line, or a search\n"
		"index key) with a passphrase, as 'keygen --protect' would have\n"
		"(prelocked_; the passphrase options give the new passphrase; on a\n"
		"terminal it is asked for twice).\n"
		REWRITE_HELP
		"  --pwhash-limits L     Argon2id cost: interactive, moderate (the\n"
		"                        default) or sensitive\n"
		PASSPHRASE_HELP,
		{{"-o", OPT_VALUE}, {"--pwhash-limits", OPT_VALUE},
		PASSPHRASE_OPTIONS}, 1, 1, cmd_protect
	},
	{
		"unprotect", "FILE [-o NEW_FILE] [--passphrase-fd N | --passphrase-file F]",
		"Remove the passphrase of the protected key file FILE: it is opened\n"
		"and written again unprotected (a presk_ line, or 64 hexadecimal\n"
		"digits for a search index key), still with mode 0600.\n"
		REWRITE_HELP PASSPHRASE_HELP,
		{{"-o", OPT_VALUE}, PASSPHRASE_OPTIONS}, 1, 1, cmd_unprotect
	},
};

#define NCOMMANDS ((int) (sizeof commands / sizeof commands[0]))

/* Print "secant-pre COMMAND SYNOPSIS" on a line after lead. */
static void
print_synopsis(const char *lead, const command *cmd)
{
	printf("%ssecant-pre %s%s%s\n", lead, cmd->name,
		   cmd->synopsis[0] != '\0' ? " " : "", cmd->synopsis);
}

/* Print the usage of the tool. */
static void
print_usage(void)
{
	printf("usage: secant-pre COMMAND [ARGUMENTS]\n\n"
		   "Proxy re-encryption of secant_pre values, without a database.\n"
		   "Secret keys are read from files or standard input only.\n\n"
		   "Values given as arguments are text forms, or @FILE to read one from FILE.\n\n"
		   "commands:\n");
	for (int i = 0; i < NCOMMANDS; i++)
		print_synopsis("  ", &commands[i]);
	printf("\nRun 'secant-pre COMMAND --help' for the details of a command.\n"
		   "'secant-pre --version' prints the version.\n"
		   "Exit status: 0 on success, 1 on failure, 2 on a usage error.\n");
}

/* Print the usage of one command. */
static void
print_command_usage(const command *cmd)
{
	print_synopsis("usage: ", cmd);
	printf("\n%s", cmd->help);
}

/* The command called name, or NULL. */
static const command *
find_command(const char *name)
{
	for (int i = 0; i < NCOMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

/* Entry point: secant-pre COMMAND [ARGUMENTS]. */
int
main(int argc, char **argv)
{
	const command *cmd;
	args		a = {NULL, {NULL}, NULL, 0};
	int			rc;

	setvbuf(stdin, NULL, _IONBF, 0);
	setvbuf(stdout, NULL, _IONBF, 0);
	signal(SIGPIPE, SIG_IGN);
	if (sp_init() != SP_OK)
		return fail("cannot initialise libsodium");
	if (argc < 2)
		return usage_fail("missing command");
	if (is_help(argv[1]))
	{
		print_usage();
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0)
	{
		printf("secant-pre %s\n", SECANT_PRE_VERSION);
		return 0;
	}
	cmd = find_command(argv[1]);
	if (cmd == NULL)
		return usage_fail("unknown command");
	command_name = cmd->name;
	rc = parse_args(cmd, argc - 2, argv + 2, &a);
	if (rc == PARSE_HELP)
		print_command_usage(cmd);
	if (rc != 0)
		return rc == PARSE_HELP ? 0 : rc;
	rc = passphrase_options(&a);
	if (rc == 0)
		rc = cmd->run(&a);
	wipe_passphrase();
	if (rc == 0 && (fflush(stdout) != 0 || ferror(stdout)))
		rc = fail("cannot write to standard output");
	return rc;
}
