# secant_pre - PGXS build.  `make test` and `make demo` are the two commands
# the README gives; both set up what they need (see test/cluster.sh).

EXTENSION = secant_pre
EXTVERSION = 0.6.0
MODULE_big = secant_pre
include src/core/core.mk
.DEFAULT_GOAL := all
# the PostgreSQL glue (src/pg/): every .c there is part of the module
GLUE_OBJS = $(patsubst %.c,%.o,$(sort $(wildcard src/pg/*.c)))
OBJS = $(GLUE_OBJS) $(CORE_OBJS)

# schema/ holds the extension's SQL: schema/secant_pre.sql is the whole
# current schema, and the install script of this version is built from it;
# schema/secant_pre--A--B.sql are frozen upgrade deltas and
# schema/secant_pre--0.1.0.sql is the frozen base of the upgrade chain (the
# first release).  sql/ and expected/ are pg_regress's pair only.
# schema/secant_pre--0.3.0--$(EXTVERSION).sql is the direct update from 0.3.0,
# built from the released steps with the share tables' conversion replaced
# (see the rule below).
DATA_built = schema/$(EXTENSION)--$(EXTVERSION).sql schema/$(EXTENSION)--0.3.0--$(EXTVERSION).sql
DATA = $(filter-out $(DATA_built),$(wildcard schema/$(EXTENSION)--*.sql))
REGRESS = $(sort $(patsubst sql/%.sql,%,$(wildcard sql/*.sql)))
REGRESS_OPTS = --inputdir=.
ISOLATION = revoke_race rotate_race finality_race kept_paths
ISOLATION_OPTS = --inputdir=.
PG_CPPFLAGS = -Isrc/pg -Isrc/core
SHLIB_LINK += $(CORE_LIBS)
EXTRA_CLEAN = secant-pre build results output_iso regression.diffs regression.out

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# The library, the CLI and the Python package: one fragment per layer.
# (The extension's own rules are PGXS's, above.)
include src/lib/lib.mk
include src/cli/cli.mk
include python/python.mk

all: secant-pre lib

schema/$(EXTENSION)--$(EXTVERSION).sql: schema/$(EXTENSION).sql
	cp $< $@

# The direct update 0.3.0 -> current, so that PostgreSQL's shortest update
# path from 0.1.0, 0.2.0 and 0.3.0 never runs the released 0.3.0 -> 0.4.0
# conversion of share tables (it evaluated casts over user tables as the
# superuser): the released steps 0.3.0 -> 0.4.0 -> 0.5.0 -> $(EXTVERSION) in
# a row, with that conversion block replaced by schema/upgrade_0.3.0_shares.sql
# (the build fails unless exactly one block was replaced).
UPGRADE_030 = schema/$(EXTENSION)--0.3.0--0.4.0.sql schema/$(EXTENSION)--0.4.0--0.5.0.sql \
	schema/$(EXTENSION)--0.5.0--$(EXTVERSION).sql
schema/$(EXTENSION)--0.3.0--$(EXTVERSION).sql: $(UPGRADE_030) schema/upgrade_0.3.0_shares.sql
	awk -v block=schema/upgrade_0.3.0_shares.sql \
		'/^-- Convert the share tables registered by 0.3.0:/ { skip = 1; n++; while ((getline l < block) > 0) print l; next } \
		 skip && /^END \$$\$$;$$/ { skip = 0; next } !skip' $(UPGRADE_030) >$@.tmp
	test "$$(grep -c '^-- Convert the share tables registered by 0.3.0' $@.tmp)" = 1 && \
		test "$$(grep -c 'secant_pre upgrade' $@.tmp)" = 1 && \
		! grep -q 'secant_pre 0.4.0: copies of' $@.tmp && mv $@.tmp $@

# make uninstall removes everything make install placed (PGXS's own
# uninstall: the module, its bitcode, the control and SQL files)
install: install-cli install-libsecant install-python
uninstall: uninstall-cli uninstall-libsecant uninstall-python

# ---- the README's two commands and the other entry points ----
.PHONY: test test-matrix deb test-deb demo bench test-scaleout test-threshold soak fuzz unitcheck

test:
	bash test/cluster.sh test

demo:
	bash test/cluster.sh demo

bench:
	bash test/cluster.sh bench

# the SQL regression/isolation tests and the attacker suite on other
# PostgreSQL majors, each in a cached Debian root (test/matrix/run.sh; root)
PG ?= 17 18
test-matrix:
	bash test/matrix/run.sh $(PG)

# Debian packages (debian/, pg_buildext), built from a copy of the tree in
# build/deb/ for the PostgreSQL majors installed; the .debs land in build/deb/
deb:
	rm -rf build/deb && mkdir -p build/deb/secant-pre-$(EXTVERSION)
	git ls-files -co --exclude-standard -z | xargs -0 cp --parents -t build/deb/secant-pre-$(EXTVERSION)
	cd build/deb/secant-pre-$(EXTVERSION) && pg_buildext updatecontrol && dpkg-buildpackage -us -uc -b

# the packages installed into a fresh Debian 12 root (test/deb/run.sh; root)
test-deb: deb
	bash test/deb/run.sh build/deb

# coordinator + two shards through postgres_fdw (also part of make test)
test-scaleout:
	bash test/cluster.sh scaleout

test-threshold:
	bash test/cluster.sh threshold

# libFuzzer harnesses of every parser, 60 s each (FUZZ_SECONDS)
fuzz:
	bash test/fuzz/run.sh $${FUZZ_SECONDS:-60}

# pgbench soak of shares, reads, revocations and re-grants (own cluster)
soak:
	bash test/cluster.sh soak

# C unit tests of the core (plain, ASan/UBSan, valgrind); no server needed
unitcheck:
	bash test/unit/run.sh
