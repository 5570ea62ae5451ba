"""test/python/runtests.py MODULE.py [ARGS...] - run one unittest module,
one line per test, and end with "N passed, M failed" (errors, failing subtests and
unexpected successes count as failed, skips as neither)."""
import importlib.util
import os
import sys
import unittest

path = sys.argv[1]
sys.argv = [path] + sys.argv[2:]
sys.path.insert(0, os.path.dirname(os.path.abspath(path)))
spec = importlib.util.spec_from_file_location(os.path.basename(path)[:-3], path)
mod = importlib.util.module_from_spec(spec)
sys.modules[spec.name] = mod  # module fixtures (setUpModule) are looked up there
spec.loader.exec_module(mod)
suite = unittest.defaultTestLoader.loadTestsFromModule(mod)
result = unittest.TextTestRunner(stream=sys.stdout, verbosity=2).run(suite)
bad = [t for t, _ in result.failures + result.errors] + list(result.unexpectedSuccesses)
failed = len(bad)  # each failing subtest counts
tests_failed = {getattr(t, "test_case", t).id() for t in bad}
passed = max(0, result.testsRun - len(tests_failed) - len(result.skipped))
print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
