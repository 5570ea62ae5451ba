# secant_pre - PGXS build.  `make test` and `make demo` are the two commands
# the README gives; both set up what they need (see test/cluster.sh).

EXTENSION = secant_pre
EXTVERSION = 0.5.0
MODULE_big = secant_pre
include src/core/core.mk
.DEFAULT_GOAL := all
GLUE_OBJS = src/module.o src/raise.o src/typeio.o src/keycache.o \
	src/seckey.o src/pubkey.o src/grant.o src/ciphertext.o src/reencrypt.o \
	src/token.o src/grant_path.o src/path_cache.o src/reencrypt_for.o src/audit.o src/definer.o src/share.o \
	src/redact.o src/read_audit.o src/server_key.o src/sealed.o
OBJS = $(GLUE_OBJS) $(CORE_OBJS)

# sql/secant_pre.sql is the whole current schema; the install script of
# this version is built from it.  sql/secant_pre--A--B.sql are frozen
# upgrade deltas; sql/secant_pre--0.1.0.sql is the frozen base of the
# upgrade chain (the first release).
DATA_built = sql/$(EXTENSION)--$(EXTVERSION).sql
DATA = $(filter-out $(DATA_built),$(wildcard sql/$(EXTENSION)--*.sql))
REGRESS = $(sort $(patsubst sql/%.sql,%,$(filter-out sql/$(EXTENSION).sql sql/$(EXTENSION)--%,$(wildcard sql/*.sql))))
REGRESS_OPTS = --inputdir=.
ISOLATION = revoke_race rotate_race
ISOLATION_OPTS = --inputdir=.
PG_CPPFLAGS = -Isrc -Isrc/core
SHLIB_LINK += $(CORE_LIBS)
EXTRA_CLEAN = secant-pre build results output_iso regression.diffs regression.out

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# ---- the client-side CLI: links core + codec, never the server ----
CLI_SRCS = src/cli/secant-pre.c $(CORE_SRCS)
CLI_CFLAGS = -O2 -g -Wall -Wextra -std=gnu99 -Isrc/core \
	-DSECANT_PRE_VERSION='"$(EXTVERSION)"'

all: secant-pre

$(DATA_built): sql/$(EXTENSION).sql
	cp $< $@

secant-pre: $(CLI_SRCS) src/core/*.h
	$(CC) $(CLI_CFLAGS) -o $@ $(CLI_SRCS) $(CORE_LIBS)

install: install-cli

# The CLI goes into pg_config --bindir (not on PATH on Debian) and a
# symlink to it into CLI_LINKDIR, which is; skipped with a message when
# CLI_LINKDIR is not writable or holds a secant-pre that is not a symlink.
CLI_LINKDIR ?= /usr/local/bin

install-cli: secant-pre
	$(MKDIR_P) '$(DESTDIR)$(bindir)'
	$(INSTALL_PROGRAM) secant-pre '$(DESTDIR)$(bindir)/secant-pre'
	@link='$(DESTDIR)$(CLI_LINKDIR)/secant-pre'; \
	if [ -e "$$link" ] && [ ! -L "$$link" ]; then \
		echo "install-cli: $$link exists and is not a symlink; left alone (the CLI is $(bindir)/secant-pre)"; \
	elif mkdir -p '$(DESTDIR)$(CLI_LINKDIR)' 2>/dev/null && [ -w '$(DESTDIR)$(CLI_LINKDIR)' ] && \
		ln -sfn '$(bindir)/secant-pre' "$$link" 2>/dev/null; then \
		echo "install-cli: $$link -> $(bindir)/secant-pre"; \
	else \
		echo "install-cli: cannot write $(DESTDIR)$(CLI_LINKDIR); no symlink (the CLI is $(bindir)/secant-pre)"; \
	fi

# ---- the README's two commands and the other entry points ----
.PHONY: test demo bench test-scaleout soak fuzz unitcheck install-cli

test:
	bash test/cluster.sh test

demo:
	bash test/cluster.sh demo

bench:
	bash test/cluster.sh bench

# coordinator + two shards through postgres_fdw (also part of make test)
test-scaleout:
	bash test/cluster.sh scaleout

# libFuzzer harnesses of every parser, 60 s each (FUZZ_SECONDS)
fuzz:
	bash test/fuzz/run.sh $${FUZZ_SECONDS:-60}

# pgbench soak of shares, reads, revocations and re-grants (own cluster)
soak:
	bash test/cluster.sh soak

# C unit tests of the core (plain, ASan/UBSan, valgrind); no server needed
unitcheck:
	bash test/unit/run.sh
