/*
 * rotate.c - key rotation on the client: rotate group, user, device
 * (a new key and the SQL call that completes the rotation, its grants
 * sealed to the database's key) and reissue (a delegator's grants to new
 * keys).
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "secant_pre.h"
#include "args.h"
#include "batch.h"
#include "encrypt.h"
#include "io.h"
#include "keyfile.h"
#include "progress.h"
#include "report.h"
#include "rotate.h"
#include "values.h"

/* Print a value's text form as a SQL string literal (the alphabet has no quote). */
static int
print_sql_value(sp_kind kind, const uint8_t *bin, size_t len)
{
	buf			text = {0};
	int			rc = encode_lines(kind, bin, len, 1, &text);

	if (rc == 0)
	{
		putchar('\'');
		write_out(text.data, text.len - 1);	/* without its newline */
		putchar('\'');
	}
	buf_free(&text);
	return rc;
}

/* Print text as a SQL string literal, quotes doubled. */
static void
print_sql_text(const char *s)
{
	putchar('\'');
	for (; *s != '\0'; s++)
	{
		if (*s == '\'')
			putchar('\'');
		putchar(*s);
	}
	putchar('\'');
}

/* Print a new grant from -> to, sealed to seal_key, as a SQL literal. */
static int
print_sealed_grant(const sp_secret *from, const uint8_t *to, const uint8_t *seal_key)
{
	uint8_t		sealed[SP_SEALEDBYTES];
	int			err = seal_new_grant(sealed, from, to, 0, seal_key);

	if (err != SP_OK)
		return fail_sp("cannot make a sealed grant", err);
	return print_sql_value(SP_KIND_SEALED_GRANT, sealed, sizeof sealed);
}

/* Print ARRAY[...]::pre_sealed_grant[] of grants from -> each of n keys,
 * with a progress line on a terminal unless quiet. */
static int
print_sealed_grants(const sp_secret *from, const uint8_t *keys, int n,
					const uint8_t *seal_key, bool quiet)
{
	progress	pr;
	int			rc = 0;

	progress_start(&pr, "grants", quiet, (uint64_t) n);
	printf("ARRAY[");
	for (int i = 0; rc == 0 && i < n; i++)
	{
		if (i > 0)
			printf(", ");
		rc = print_sealed_grant(from, keys + (size_t) i * SP_PUBLICKEYBYTES, seal_key);
		progress_add(&pr, 1, 0);
	}
	printf("]::pre_sealed_grant[]");
	progress_end(&pr);
	return rc;
}

/* Load the public keys given as arguments into one array. */
static int
load_keys(char **texts, int n, buf *keys)
{
	buf			one = {0};
	int			rc = buf_reserve(keys, (size_t) (n > 0 ? n : 1) * SP_PUBLICKEYBYTES);

	for (int i = 0; rc == 0 && i < n; i++)
	{
		rc = load_arg(texts[i], SP_KIND_PUBLIC_KEY, &one);
		if (rc == 0)
			rc = append(keys, one.data, SP_PUBLICKEYBYTES);
		buf_free(&one);
	}
	return rc;
}

/*
 * Append the public keys of the --members file path ('-': standard input)
 * to keys: one a line, a prepk_ text alone or last after a tab or a |
 * (NAME<TAB>PUBKEY, psql -At's NAME|PUBKEY); blank lines and # comments
 * skipped.  *n counts them.
 */
static int
load_members(const char *path, buf *keys, int *n)
{
	buf			text = {0};
	buf			one = {0};
	size_t		line = 0;
	int			rc = read_source(path, &text);

	for (char *p = (char *) text.data, *next; rc == 0 && p != NULL && *p != '\0'; p = next)
	{
		size_t		len = strcspn(p, "\n");
		const char *key = p;

		next = p[len] == '\n' ? p + len + 1 : NULL;
		p[len] = '\0';
		line++;
		for (char *c = p; *c != '\0'; c++)
			if (*c == '\t' || *c == '|')
				key = c + 1;
		len = strlen(key);
		trim((const uint8_t **) &key, &len);
		if (len == 0 || p[strspn(p, " \t")] == '#')
			continue;
		if (sp_text_kind(key, len) != SP_KIND_PUBLIC_KEY)
			rc = fail("%s, line %zu: a public key (prepk_) expected, alone or "
					  "after NAME and a tab or |", source_name(path), line);
		else
			rc = decode_value(key, len, SP_KIND_PUBLIC_KEY, &one);
		if (rc == 0)
			rc = append(keys, one.data, SP_PUBLICKEYBYTES);
		*n += rc == 0;
		buf_free(&one);
	}
	buf_free(&text);
	return rc;
}

/* One rotation: what its arguments gave, and the new key. */
typedef struct rotation
{
	const args *a;
	buf			seal_key;		/* --seal-to */
	sp_secret	old;			/* --secret-key, when have_old */
	bool		have_old;
	uint8_t		index_key[SP_INDEXKEYBYTES];	/* --index-key, when given */
	bool		have_index_key;
	buf			keys;			/* the public keys given, nkeys of them */
	int			nkeys;
	sp_secret	new;			/* the new key, when have_new */
	bool		have_new;
	buf			index_ct;		/* the index key encrypted to the new key */
} rotation;

/* A kind of rotation: the arguments it takes, and the function that makes it. */
typedef struct rotation_kind
{
	const char *name;
	bool		new_key;		/* writes a new key to -o FILE */
	const char *old_key;		/* what --secret-key must give, or NULL if
								 * it is optional */
	bool		index_key;		/* takes --index-key */
	int			first_key;		/* where the public keys start among the
								 * arguments; -1: none may be given */
	int			(*run) (rotation *r);
} rotation_kind;

/*
 * Make the new key: write it to -o FILE (with --protect, protected) and
 * encrypt the new index key, if one was given, to it.
 */
static int
make_new_key(rotation *r)
{
	uint8_t		seed[SP_SEEDBYTES];
	int			rc;

	sp_random_bytes(seed, sizeof seed);
	rc = expand_secret(&r->new, seed);
	r->have_new = rc == 0;
	if (rc == 0)
		rc = save_new_secret(r->a, SP_KF_PRE_SECRET_KEY, seed);
	if (rc == 0 && r->have_index_key)
		rc = encrypt_for(r->new.pk, r->index_key, sizeof r->index_key, "",
						 &r->index_ct);
	sodium_memzero(seed, sizeof seed);
	return rc;
}

/* Print the head of the call: SELECT * FROM secant.rotate_KIND('NAME', 'NEW_PUBKEY', */
static int
print_call_head(const rotation *r, const char *kind)
{
	int			rc;

	printf("SELECT * FROM secant.rotate_%s(", kind);
	print_sql_text(r->a->pos[1]);
	printf(", ");
	rc = print_sql_value(SP_KIND_PUBLIC_KEY, r->new.pk, sizeof r->new.pk);
	printf(", ");
	return rc;
}

/*
 * rotate group NAME MEMBER_PUBKEY... --secret-key OLD_GROUP_KEY
 * [--index-key NEW_INDEX_KEY]: secant.rotate_group with the bridge old ->
 * new, the grants new -> each member and the new index key for the new key.
 */
static int
rotate_group(rotation *r)
{
	const uint8_t *seal_key = r->seal_key.data;
	int			rc = make_new_key(r);

	if (rc != 0)
		return rc;
	rc = print_call_head(r, "group");
	if (rc == 0)
	{
		rc = print_sealed_grant(&r->old, r->new.pk, seal_key);
		printf(", ");
	}
	if (rc == 0)
		rc = print_sealed_grants(&r->new, r->keys.data, r->nkeys, seal_key,
									 opt(r->a, "-q") != NULL);
	if (rc == 0 && r->have_index_key)
	{
		printf(", ");
		rc = print_sql_value(SP_KIND_CIPHERTEXT, r->index_ct.data,
							 r->index_ct.len);
	}
	printf(");\n");
	return rc;
}

/*
 * rotate user NAME DEVICE_PUBKEY... [--secret-key OLD_USER_KEY]:
 * secant.rotate_user with the grants new -> each device, and the bridge
 * old -> new when the old key is given.
 */
static int
rotate_user(rotation *r)
{
	const uint8_t *seal_key = r->seal_key.data;
	int			rc = make_new_key(r);

	if (rc != 0)
		return rc;
	rc = print_call_head(r, "user");
	if (rc == 0)
		rc = print_sealed_grants(&r->new, r->keys.data, r->nkeys, seal_key,
									 opt(r->a, "-q") != NULL);
	if (rc == 0 && r->have_old)
	{
		printf(", ");
		rc = print_sealed_grant(&r->old, r->new.pk, seal_key);
	}
	printf(");\n");
	return rc;
}

/*
 * rotate device NAME --secret-key USER_KEY: secant.rotate_device with the
 * user's enrolment grant to the new device key.
 */
static int
rotate_device(rotation *r)
{
	int			rc = make_new_key(r);

	if (rc != 0)
		return rc;
	rc = print_call_head(r, "device");
	if (rc == 0)
	{
		printf("ARRAY[");
		rc = print_sealed_grant(&r->old, r->new.pk, r->seal_key.data);
		printf("]::pre_sealed_grant[]");
	}
	printf(");\n");
	return rc;
}

/*
 * rotate reissue NEW_PUBKEY... --secret-key DELEGATOR_KEY: one
 * secant.add_grant of the delegator's grant per new key (no new key).
 */
static int
rotate_reissue(rotation *r)
{
	int			rc = 0;

	for (int i = 0; rc == 0 && i < r->nkeys; i++)
	{
		printf("SELECT secant.add_grant(");
		rc = print_sealed_grant(&r->old,
								r->keys.data + (size_t) i * SP_PUBLICKEYBYTES,
								r->seal_key.data);
		printf("::pre_sealed_grant);\n");
	}
	return rc;
}

#define DELEGATOR_KEY "--secret-key: the delegator's key (the user of the device)"

static const rotation_kind rotation_kinds[] = {
	{"group", true, "--secret-key: the group's old key (for the bridge)", true, 2,
	rotate_group},
	{"user", true, NULL, false, 2, rotate_user},
	{"device", true, DELEGATOR_KEY, false, -1, rotate_device},
	{"reissue", false, DELEGATOR_KEY, false, 1, rotate_reissue},
};

/* The kind of rotation called name, or NULL. */
static const rotation_kind *
find_rotation_kind(const char *name)
{
	for (size_t i = 0; i < sizeof rotation_kinds / sizeof rotation_kinds[0]; i++)
		if (strcmp(rotation_kinds[i].name, name) == 0)
			return &rotation_kinds[i];
	return NULL;
}

/* Check the options and arguments of a rotation of kind k (usage errors). */
static int
check_rotation(const args *a, const rotation_kind *k)
{
	const char *out = opt(a, "-o");

	if (opt(a, "--seal-to") == NULL)
		return usage_fail("--seal-to is needed: the database stores sealed grants only");
	if (!k->new_key && out != NULL)
		return usage_fail("reissue makes no new key (no -o)");
	if (k->new_key && (out == NULL || is_stdin(out)))
		return usage_fail("-o FILE is needed: standard output gets the SQL");
	if (k->old_key != NULL && opt(a, "--secret-key") == NULL)
		return usage_fail("%s", k->old_key);
	if (!k->index_key && opt(a, "--index-key") != NULL)
		return usage_fail("--index-key is for a group rotation");
	if (k->first_key < 0 && a->npos != 2)
		return usage_fail("rotate %s NAME (no public keys)", k->name);
	if (k->first_key < 0 && opt(a, "--members") != NULL)
		return usage_fail("rotate %s takes no --members", k->name);
	if (a->npos < (k->first_key == 1 ? 1 : 2))
		return usage_fail("missing argument: rotate %s NAME", k->name);
	if (k->first_key == 1 && a->npos == 1 && opt(a, "--members") == NULL)
		return usage_fail("missing argument: the public keys to grant to");
	if (is_stdin(opt(a, "--members")) && opt(a, "--members") != NULL &&
		(is_stdin(opt(a, "--secret-key")) && opt(a, "--secret-key") != NULL))
		return usage_fail("--members - and --secret-key - would both read "
						  "standard input");
	return 0;
}

/* Read what a rotation of kind k needs: the keys, in the order given. */
static int
load_rotation(rotation *r, const rotation_kind *k)
{
	const args *a = r->a;
	int			first = k->first_key < 0 ? a->npos : k->first_key;
	int			rc = load_arg(opt(a, "--seal-to"), SP_KIND_SEAL_KEY, &r->seal_key);

	if (rc == 0 && opt(a, "--secret-key") != NULL)
	{
		rc = load_secret(opt(a, "--secret-key"), &r->old);
		r->have_old = rc == 0;
	}
	if (rc == 0 && opt(a, "--index-key") != NULL)
	{
		rc = load_index_key(opt(a, "--index-key"), r->index_key);
		r->have_index_key = rc == 0;
	}
	r->nkeys = a->npos - first;
	if (rc == 0)
		rc = load_keys(a->pos + first, r->nkeys, &r->keys);
	if (rc == 0 && opt(a, "--members") != NULL)
		rc = load_members(opt(a, "--members"), &r->keys, &r->nkeys);
	return rc;
}

/* Wipe and free what a rotation holds. */
static void
rotation_free(rotation *r)
{
	sodium_memzero(r->index_key, sizeof r->index_key);
	if (r->have_old)
		sp_secret_wipe(&r->old);
	if (r->have_new)
		sp_secret_wipe(&r->new);
	buf_free(&r->seal_key);
	buf_free(&r->keys);
	buf_free(&r->index_ct);
}

/*
 * rotate group|user|device NAME [PUBKEY...]: write a new key to -o FILE and
 * print the SQL call that completes the rotation, its grants sealed to
 * --seal-to; rotate reissue PUBKEY...: the delegator's grants to new keys.
 */
int
cmd_rotate(const args *a)
{
	const rotation_kind *k = find_rotation_kind(a->pos[0]);
	rotation	r = {0};
	int			rc;

	if (k == NULL)
		return usage_fail("the first argument is group, user, device or reissue");
	rc = check_rotation(a, k);
	if (rc != 0)
		return rc;
	r.a = a;
	rc = load_rotation(&r, k);
	if (rc == 0)
		rc = k->run(&r);
	rotation_free(&r);
	return rc;
}
