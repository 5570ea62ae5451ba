# python/python.mk - the Python package (python/secant_pre/), a client of
# libsecant-pre through cffi (ABI mode).  Included by the Makefile after
# src/lib/lib.mk (LIBPREFIX, LIB_LIBDIR, LIB_SONAME).
#
# make install puts it into PYTHONDIR (on /usr/bin/python3's path for the
# default /usr/local), told where the library is (secant_pre/_where.py).
# A venv or another Python: pip install ./python (python/pyproject.toml).

PYTHON3 ?= /usr/bin/python3
PYTHONDIR ?= $(LIBPREFIX)/lib/python$(shell $(PYTHON3) -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null || echo 3)/dist-packages

install-python:
	$(MKDIR_P) '$(DESTDIR)$(PYTHONDIR)/secant_pre'
	$(INSTALL_DATA) python/secant_pre/*.py python/secant_pre/py.typed '$(DESTDIR)$(PYTHONDIR)/secant_pre/'
	echo 'LIBRARY = "$(LIB_LIBDIR)/$(LIB_SONAME)"' >'$(DESTDIR)$(PYTHONDIR)/secant_pre/_where.py'

uninstall-python:
	rm -rf '$(DESTDIR)$(PYTHONDIR)/secant_pre'

.PHONY: install-python uninstall-python
