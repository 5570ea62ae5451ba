#!/usr/bin/env bash
# test/t/docs.sh - the docs tell the truth about the tree: in README.md and
# docs/*.md (CHANGELOG.md is history and not checked)
#   - every repository path they name exists (globs and placeholders such
#     as NN, A--B, <v> match at least one file), and every link to a file
#     of the repository and every #anchor resolves;
#   - every `make TARGET` they give is a target of the Makefile (or PGXS);
#   - the version they call current is default_version of
#     secant_pre.control, and README.md says which it is;
#   - measured figures (rates such as ops/s, times in ms or µs, ratios such
#     as 1.5× or 97 %) appear only in docs/BENCHMARKS.md: the others link to
#     it; ALLOW below lists the few that are definitions, not measurements;
#   - README.md has at most 450 lines, and docs/DEVELOPMENT.md names every
#     folder of src/ and test/ and every top-level entry.
# Needs no server.  Ends with "N passed, M failed".
set -uo pipefail
. "$(dirname "$0")/../prologue.sh"

while IFS=$'\t' read -r verdict name diag; do
	if [ "$verdict" = ok ]; then
		ok "$name"
	else
		not_ok "$name"
		printf '%s\n' "$diag" | tr '\036' '\n' | sed 's/^/#   /'
	fi
done < <(python3 - "$ROOT" <<'PY'
import glob, os, re, subprocess, sys

root = sys.argv[1]
os.chdir(root)

# Figures outside docs/BENCHMARKS.md that are definitions, not
# measurements: (file, the matched text, why).
ALLOW = {
}

docs = ["README.md"] + sorted(glob.glob("docs/*.md"))
current = re.search(r"^default_version\s*=\s*'([^']+)'", open("secant_pre.control").read(), re.M).group(1)
results = []


def result(name, problems):
    problems = sorted(set(problems))
    results.append(("ok" if not problems else "not_ok", name, "\x1e".join(problems[:40])))


def split(text):
    """(prose with fenced blocks blanked, the fenced blocks' text)"""
    prose, code, fence = [], [], False
    for line in text.split("\n"):
        if line.lstrip().startswith("```"):
            fence = not fence
            prose.append("")
            continue
        (code if fence else prose).append(line)
        if fence:
            prose.append("")
    return "\n".join(prose), "\n".join(code)


def spans(prose):
    return [m.group(1).replace("\n", " ") for m in re.finditer(r"`([^`]+)`", prose)]


def slug(heading):
    h = heading.strip().lower().replace("`", "")
    h = re.sub(r"[^\w\- ]", "", h)
    return h.replace(" ", "-")


def anchors(path):
    prose, _ = split(open(path, encoding="utf-8").read())
    return {slug(m.group(1)) for m in re.finditer(r"^#+ (.*)$", prose, re.M)}


def line_of(text, pos):
    return text.count("\n", 0, pos) + 1


try:
    files = subprocess.run(["git", "ls-files"], capture_output=True, text=True, check=True).stdout.split()
except (OSError, subprocess.CalledProcessError):
    files = [os.path.relpath(os.path.join(d, f)) for d, _, fs in os.walk(".") for f in fs]
folders = {f.split("/")[0] for f in files if "/" in f and not f.startswith(".")}

# ---- paths ----
TOP = "(?:" + "|".join(sorted(folders | {"src", "test", "docs", "schema", "sql", "build"})) + ")"
PATH = re.compile(r"(?<![\w/.$~-])(" + TOP + r"/(?:[\w.*/{},<>+-]*[\w*}/>])?)")
PLACEHOLDER = re.compile(r"<[^>]*>|(?<![A-Za-z])(?:A|B|OLD|NEW|NN|N|topic)(?![A-Za-z])")


def expand(p):
    m = re.search(r"\{([^{}]*)\}", p)
    if not m:
        return [p]
    return [q for alt in m.group(1).split(",") for q in expand(p[:m.start()] + alt + p[m.end():])]


def exists(p):
    if p.startswith("build/"):
        return True                                   # made by the build
    m = re.fullmatch(r"schema/secant_pre--(\d+\.\d+\.\d+)\.sql", p)
    if m and m.group(1) == current:
        return True                                   # the install script make builds
    for q in expand(p):
        q = PLACEHOLDER.sub("*", q).rstrip("/") or q
        if glob.glob(q):
            continue
        return False
    return True


for doc in docs:
    text = open(doc, encoding="utf-8").read()
    bad = []
    for m in PATH.finditer(text):
        if not exists(m.group(1)):
            bad.append("%s:%d: %s" % (doc, line_of(text, m.start()), m.group(1)))
    for m in re.finditer(r"(?<![\w/.-])([A-Z][A-Z_]+\.md)\b", text):
        if not (os.path.exists(m.group(1)) or os.path.exists("docs/" + m.group(1))):
            bad.append("%s:%d: %s (no such document)" % (doc, line_of(text, m.start()), m.group(1)))
    prose, _ = split(text)
    for m in re.finditer(r"\]\(([^)\s]+)\)", prose):
        target = m.group(1)
        if re.match(r"[a-z]+:", target):
            continue
        f, _, anchor = target.partition("#")
        path = os.path.normpath(os.path.join(os.path.dirname(doc), f)) if f else doc
        if not os.path.exists(path):
            bad.append("%s:%d: link to %s (no such file)" % (doc, line_of(text, m.start()), target))
        elif anchor and path.endswith(".md") and anchor not in anchors(path):
            bad.append("%s:%d: link to %s (no such heading)" % (doc, line_of(text, m.start()), target))
    result("%s: every repository path, document and link it names exists" % doc, bad)

# ---- make targets ----
mk = open("Makefile").read()
targets = set(re.findall(r"^([a-z][\w-]*)\s*:(?!=)", mk, re.M))
for line in re.findall(r"^\.PHONY\s*:(.*)$", mk, re.M):
    targets.update(line.split())
targets.update(["all", "install", "installcheck", "clean", "uninstall", "check"])   # PGXS
bad = []
for doc in docs:
    text = open(doc, encoding="utf-8").read()
    prose, code = split(text)
    for chunk in spans(prose) + code.split("\n"):
        for m in re.finditer(r"(?<![\w/-])make((?:\s+-[A-Za-z]+)*)\s+([a-z][\w-]*)\b", chunk):
            if re.search(r"-[fC]", m.group(1)):
                continue
            if m.group(2) not in targets:
                bad.append("%s: make %s" % (doc, m.group(2)))
result("every `make TARGET` the docs give is a Makefile target", bad)

# ---- the current version ----
bad = []
readme = open("README.md", encoding="utf-8").read()
m = re.search(r"^Current version: (\d+\.\d+\.\d+)", readme, re.M)
if not m:
    bad.append("README.md: no line 'Current version: X.Y.Z'")
for doc in docs:
    text = open(doc, encoding="utf-8").read()
    for m in re.finditer(r"(?i)\b(?:current|this) (?:version|release)\W{0,3}(?:is\W{1,3})?(\d+\.\d+\.\d+)", text):
        if m.group(1) != current:
            bad.append("%s:%d: %s (default_version is %s)" % (doc, line_of(text, m.start()), m.group(0), current))
    for m in re.finditer(r"secant_pre--(\d+\.\d+\.\d+)\.sql", text):
        if m.group(1) != current and not os.path.exists("schema/" + m.group(0)):
            bad.append("%s:%d: %s: neither frozen nor the current install script (%s)" % (doc, line_of(text, m.start()), m.group(0), current))
result("the version the docs call current is default_version (%s)" % current, bad)

# ---- measured figures only in docs/BENCHMARKS.md ----
NUM = r"(?<![\w.])\d(?:[\d,.]*\d)?(?:\s?[–-]\s?\d(?:[\d,.]*\d)?)?"
FIGURE = re.compile(
    NUM + r"\s?(?:[a-z-]+)?/s\b"                 # rates: ops/s, rows/s, tx/s, /s
    + r"|" + NUM + r"\s?(?:ms|µs|us|ns)\b"        # times
    + r"|" + NUM + r"\s?×"                        # ratios
    + r"|" + NUM + r"x\b"
    + r"|" + NUM + r"\s?%")                       # percentages
for doc in docs:
    if doc == "docs/BENCHMARKS.md":
        continue
    text = open(doc, encoding="utf-8").read()
    prose, _ = split(text)
    bad = []
    for m in FIGURE.finditer(prose):
        if (doc, m.group(0)) not in ALLOW:
            bad.append("%s:%d: %s" % (doc, line_of(prose, m.start()), m.group(0)))
    result("%s: no measured figure (they live in docs/BENCHMARKS.md)" % doc, bad)

# ---- README length, a complete layout ----
n = readme.count("\n")
result("README.md has at most 450 lines", [] if n <= 450 else ["README.md has %d lines" % n])
entries = set()
for f in files:
    parts = f.split("/")
    if parts[0].startswith("."):
        continue
    entries.add(parts[0] + ("/" if len(parts) > 1 else ""))
    if parts[0] in ("src", "test") and len(parts) > 2:
        entries.add("/".join(parts[:2]) + "/")
dev = open("docs/DEVELOPMENT.md", encoding="utf-8").read()
named = set(PATH.findall(dev)) | set(re.findall(r"`([\w./-]+)`", dev))
bad = [e for e in sorted(entries) if e not in named and e.rstrip("/") not in named
       and not any(n.startswith(e) for n in named)]
result("docs/DEVELOPMENT.md names every top-level entry and every folder of src/ and test/", bad)

for verdict, name, diag in results:
    print("%s\t%s\t%s" % (verdict, name, diag))
PY
)
tap_finish
