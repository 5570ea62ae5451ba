# src/cli/cli.mk - the client-side CLI, secant-pre (src/cli/): a client of
# libsecant-pre, never of the server.  Included by the Makefile after
# src/lib/lib.mk.  Its sources include the library's one public header
# (build/lib/secant_pre.h) and no core header: the only include path
# given is build/lib, so a core header would not compile.  In the tree the
# program finds the library by $ORIGIN/build/lib, and make install links
# it again with the installed library's directory as its rpath.

CLI_SRCS = $(sort $(wildcard src/cli/*.c))
CLI_HEADERS = $(wildcard src/cli/*.h)
CLI_CFLAGS = -O2 -g -Wall -Wextra -std=gnu99 -pthread -I$(LIB_DIR) \
	-DSECANT_PRE_VERSION='"$(EXTVERSION)"'
CLI_LDLIBS = -L$(LIB_DIR) -lsecant-pre -lsodium

secant-pre: $(CLI_SRCS) $(CLI_HEADERS) $(LIB_DIR)/secant_pre.h $(LIB_DIR)/$(LIB_REAL)
	$(CC) $(CLI_CFLAGS) -o $@ $(CLI_SRCS) -Wl,-rpath,'$$ORIGIN/$(LIB_DIR)' $(CLI_LDLIBS)

# The man page and the bash completion, generated from the tool's --help
# texts (src/cli/mkdocs.sh): one source, no second copy to drift.
CLI_DOCS = build/cli/secant-pre.1 build/cli/secant-pre.bash
CLI_MANDIR ?= $(LIBPREFIX)/share/man/man1
CLI_COMPLETIONDIR ?= $(LIBPREFIX)/share/bash-completion/completions

build/cli/secant-pre.1: secant-pre src/cli/mkdocs.sh
	@mkdir -p build/cli
	sh src/cli/mkdocs.sh ./secant-pre man >$@.tmp && mv $@.tmp $@
build/cli/secant-pre.bash: secant-pre src/cli/mkdocs.sh
	@mkdir -p build/cli
	sh src/cli/mkdocs.sh ./secant-pre bash >$@.tmp && mv $@.tmp $@

all: $(CLI_DOCS)

# The CLI goes into pg_config --bindir (not on PATH on Debian) and a
# symlink to it into CLI_LINKDIR, which is; skipped with a message when
# CLI_LINKDIR is not writable or holds a secant-pre that is not a symlink.
CLI_LINKDIR ?= /usr/local/bin

install-cli: secant-pre lib $(CLI_DOCS)
	$(MKDIR_P) '$(DESTDIR)$(bindir)' '$(DESTDIR)$(CLI_MANDIR)' '$(DESTDIR)$(CLI_COMPLETIONDIR)'
	$(INSTALL_DATA) build/cli/secant-pre.1 '$(DESTDIR)$(CLI_MANDIR)/secant-pre.1'
	$(INSTALL_DATA) build/cli/secant-pre.bash '$(DESTDIR)$(CLI_COMPLETIONDIR)/secant-pre'
	$(CC) $(CLI_CFLAGS) -o $(LIB_DIR)/secant-pre.installed $(CLI_SRCS) \
		-Wl,-rpath,'$(LIB_LIBDIR)' $(CLI_LDLIBS)
	$(INSTALL_PROGRAM) $(LIB_DIR)/secant-pre.installed '$(DESTDIR)$(bindir)/secant-pre'
	@link='$(DESTDIR)$(CLI_LINKDIR)/secant-pre'; \
	if [ -e "$$link" ] && [ ! -L "$$link" ]; then \
		echo "install-cli: $$link exists and is not a symlink; left alone (the CLI is $(bindir)/secant-pre)"; \
	elif mkdir -p '$(DESTDIR)$(CLI_LINKDIR)' 2>/dev/null && [ -w '$(DESTDIR)$(CLI_LINKDIR)' ] && \
		ln -sfn '$(bindir)/secant-pre' "$$link" 2>/dev/null; then \
		echo "install-cli: $$link -> $(bindir)/secant-pre"; \
	else \
		echo "install-cli: cannot write $(DESTDIR)$(CLI_LINKDIR); no symlink (the CLI is $(bindir)/secant-pre)"; \
	fi

.PHONY: install-cli
