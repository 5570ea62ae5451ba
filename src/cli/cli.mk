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

# make install puts the CLI into CLI_BINDIR, $(LIBPREFIX)/bin (on PATH for
# the default /usr/local; /usr/bin in the Debian package), linked again
# with the installed library's directory as its rpath (CLI_RPATH_FLAGS;
# empty for a library in the linker's own path, as in the Debian package).
CLI_BINDIR = $(LIBPREFIX)/bin
CLI_RPATH_FLAGS ?= -Wl,-rpath,'$(LIB_LIBDIR)'

install-cli: secant-pre lib $(CLI_DOCS)
	$(MKDIR_P) '$(DESTDIR)$(CLI_BINDIR)' '$(DESTDIR)$(CLI_MANDIR)' '$(DESTDIR)$(CLI_COMPLETIONDIR)'
	$(INSTALL_DATA) build/cli/secant-pre.1 '$(DESTDIR)$(CLI_MANDIR)/secant-pre.1'
	$(INSTALL_DATA) build/cli/secant-pre.bash '$(DESTDIR)$(CLI_COMPLETIONDIR)/secant-pre'
	$(CC) $(CLI_CFLAGS) -o $(LIB_DIR)/secant-pre.installed $(CLI_SRCS) \
		$(CLI_RPATH_FLAGS) $(CLI_LDLIBS)
	$(INSTALL_PROGRAM) $(LIB_DIR)/secant-pre.installed '$(DESTDIR)$(CLI_BINDIR)/secant-pre'

uninstall-cli:
	rm -f '$(DESTDIR)$(CLI_BINDIR)/secant-pre' '$(DESTDIR)$(CLI_MANDIR)/secant-pre.1' \
		'$(DESTDIR)$(CLI_COMPLETIONDIR)/secant-pre'

.PHONY: install-cli uninstall-cli
