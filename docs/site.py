#!/usr/bin/env python3
"""Builds the documentation site: guide, lessons and API reference in one.

usage: site.py build ROOT OUTDIR DOXYGEN DOT [STAMP [DEPFILE]]
       site.py filter INDEX FILE        (Doxygen's input filter)

`build` does everything `meson compile -C build docs` asks for (and, with
DEPFILE, lists what it read there, so that the build runs it again only
when one of those changed):
  1. reads what there is: the guide pages (docs/*.md), the lessons
     (lessons/NN-slug/README.md, in lesson order), the public headers;
  2. writes OUTDIR/gen/: index.json (which public names each lesson and
     each guide page uses), site.dox (the page tree: guide, lessons,
     glossary, API), errors.dox (one entry per error code, from the
     CO__ERRORS table in error.h, so a new code is documented by the very
     sentence co_strerror() gives), layers.dot (the library's layers, from
     LAYERS in tests/layers/layers.py, so the picture cannot drift from
     the code) and the Doxyfile (from docs/Doxyfile.in);
  3. runs Doxygen with warnings as errors;
  4. reads Doxygen's XML back and fails if an enum value or a struct field
     of the public API has no documentation (Doxygen itself only warns
     about functions, macros, types and variables).

`filter` is what Doxygen runs on every input file (FILTER_PATTERNS). It
keeps the line count, so Doxygen's line numbers stay right. For a
Markdown page it gives the page its label, turns links to other pages into
page links (and links to source files into plain paths), draws the
diagrams named by `<!-- diagram: NAME caption -->` lines, and makes every
public name in backquotes a link to its entry. For a header it turns
"lesson NN" and "docs/NAME.md" into links and appends "Used in lessons"
and "Explained in" to the comment of each public name, from the index.
"""
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

PUBLIC = re.compile(r"\b(?:co_[a-z0-9_]+|CO_[A-Z0-9_]+)\b")
INTERNAL = re.compile(r"^(?:co__|CO__)")
FENCE = re.compile(r"^\s*(```+|~~~+)")
LESSON_DIR = re.compile(r"^(\d\d)-[a-z0-9-]+$")
# The files of a lesson whose names count as "used": what a student reads
# and writes, not the grader.
LESSON_FILES = ["README.md", "example.c", "exercise.c", "exercise.h",
                "solution.c"]


def lessons(root):
    """[(number, slug, folder)] in lesson order."""
    base = os.path.join(root, "lessons")
    out = []
    for name in sorted(os.listdir(base)):
        m = LESSON_DIR.match(name)
        if m and os.path.isfile(os.path.join(base, name, "README.md")):
            out.append((m.group(1), name, os.path.join(base, name)))
    return out


def guide_pages(root):
    """docs/*.md in the order docs/README.md lists them, then the rest."""
    docs = os.path.join(root, "docs")
    names = sorted(n for n in os.listdir(docs) if n.endswith(".md"))
    with open(os.path.join(docs, "README.md"), encoding="utf-8") as f:
        listed = re.findall(r"\]\(([a-z0-9_-]+\.md)\)", f.read())
    order = [n for n in listed if n in names]
    order += [n for n in names if n not in order and n != "README.md"]
    return [os.path.join(docs, n) for n in order]


def label_for(root, path):
    """The page label of a Markdown file of the site, or None."""
    rel = os.path.relpath(os.path.abspath(path), root).replace(os.sep, "/")
    if rel == "docs/README.md":
        return "index"
    if rel == "README.md":
        return "readme"
    m = re.match(r"^docs/([a-z0-9_-]+)\.md$", rel)
    if m:
        return "guide-" + m.group(1)
    m = re.match(r"^lessons/(\d\d)-[a-z0-9-]+/README\.md$", rel)
    if m:
        return "lesson-" + m.group(1)
    return None


def title_of(path):
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("# "):
                return line[2:].strip()
    return os.path.basename(path)


def names_in(path):
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError:
        return set()
    return {n for n in PUBLIC.findall(text) if not INTERNAL.match(n)}


def header_names(root):
    """Every public name declared in the headers (roughly: what is
    declared, defined or typedef'd at file scope)."""
    names = set()
    inc = os.path.join(root, "lib", "include")
    paths = [os.path.join(inc, "coflow.h")]
    paths += [os.path.join(inc, "coflow", n)
              for n in sorted(os.listdir(os.path.join(inc, "coflow")))
              if n.endswith(".h")]
    for p in paths:
        with open(p, encoding="utf-8") as f:
            for line in f:
                m = re.match(r"^#define\s+(CO_[A-Z0-9_]+)", line)
                if m:
                    names.add(m.group(1))
                for m in re.finditer(r"\b(co_[a-z0-9_]+)\s*\(", line):
                    names.add(m.group(1))
                m = re.match(r"^typedef\b.*?\b(co_[a-z0-9_]+)\s*[;{)]", line)
                if m:
                    names.add(m.group(1))
                for m in re.finditer(r"\b(CO_[A-Z0-9_]+)\s*[=,]", line):
                    names.add(m.group(1))
                m = re.match(r"^\s+X\((CO_[A-Z0-9_]+),", line)
                if m:
                    names.add(m.group(1))
    return {n for n in names if not INTERNAL.match(n)}


def make_index(root):
    api = header_names(root)
    index = {"root": os.path.abspath(root), "lessons": [], "guide": [],
             "used": {}, "explained": {}, "api": sorted(api)}
    for nn, slug, folder in lessons(root):
        readme = os.path.join(folder, "README.md")
        index["lessons"].append({"nn": nn, "slug": slug,
                                 "label": "lesson-" + nn,
                                 "title": title_of(readme)})
        used = set()
        for f in LESSON_FILES:
            used |= names_in(os.path.join(folder, f))
        for n in sorted(used & api):
            index["used"].setdefault(n, []).append(nn)
    for page in guide_pages(root):
        label = label_for(root, page)
        index["guide"].append({"label": label, "title": title_of(page),
                               "file": os.path.basename(page)})
        for n in sorted(names_in(page) & api):
            index["explained"].setdefault(n, []).append(label)
    return index


# ---- the generated inputs --------------------------------------------------

def write_errors(root, path):
    """errors.dox: each code of the CO__ERRORS table with its sentence."""
    with open(os.path.join(root, "lib/include/coflow/error.h"),
              encoding="utf-8") as f:
        text = f.read()
    table = text[text.index("#define CO__ERRORS"):text.index("enum co_error")]
    entries = re.findall(r'X\((CO_[A-Z0-9_]+),\s*(-?\d+),((?:\s*"(?:[^"\\]|'
                         r'\\.)*"\s*\\?)+)\)', table)
    if not entries:
        sys.exit("site.py: no error code found in error.h's CO__ERRORS")
    out = ["/* Generated by docs/site.py from lib/include/coflow/error.h. */"]
    for name, value, parts in entries:
        sentence = "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', parts))
        sentence = sentence.replace("\\\"", "\"")
        out.append(f"/** @var {name}\n * {value}: {sentence}.\n *\n"
                   f" * co_strerror({name}) gives this sentence and "
                   f"co_errname() the name. */")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(out) + "\n")
    return len(entries)


def write_layers(root, path):
    """layers.dot: LAYERS of tests/layers/layers.py, bottom at the bottom."""
    spec = importlib.util.spec_from_file_location(
        "layers", os.path.join(root, "tests/layers/layers.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    layers = mod.LAYERS
    out = ["// Generated by docs/site.py from LAYERS in tests/layers/layers.py.",
           "digraph layers {",
           '  graph [rankdir=BT, nodesep=0.25, ranksep=0.35, '
           'fontname="Helvetica"];',
           '  node [shape=box, style="rounded,filled", fillcolor="#eef6fb", '
           'fontname="Helvetica", fontsize=11];',
           '  edge [color="#557799", arrowsize=0.7];']
    for i, (name, files) in enumerate(layers):
        files_txt = "\\n".join(", ".join(files[j:j + 3])
                               for j in range(0, len(files), 3))
        out.append(f'  L{i} [label="{name}\\n{files_txt}", '
                   f'tooltip="layer {i}: {name}"];')
    for i in range(1, len(layers)):
        out.append(f"  L{i} -> L{i - 1};")
    out.append("}")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(out) + "\n")


def write_site_dox(index, path):
    """site.dox: the page tree. The main page (docs/README.md) has the
    guide, the lessons in order, the glossary and the API under it."""
    lines = ["/* Generated by docs/site.py: the site's page tree. */", "/**"]
    lines.append("@page lessons The lessons")
    lines.append("The lessons, in order. Each one is a folder "
                 "<tt>lessons/NN-slug/</tt> with this README, an example, "
                 "an exercise and its grader; <tt>build/coflow</tt> steps "
                 "through them.")
    lines.append("")
    for le in index["lessons"]:
        lines.append(f'- @subpage {le["label"]}')
    lines.append("*/")
    lines.append("/**")
    lines.append("@page guide The guide")
    lines.append("The pages that go deeper than the lessons, each on one "
                 "part of the library.")
    lines.append("")
    for g in index["guide"]:
        lines.append(f'- @subpage {g["label"]}')
    lines.append("*/")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")


def write_doxyfile(root, outdir, dot, index, path):
    with open(os.path.join(root, "docs/Doxyfile.in"), encoding="utf-8") as f:
        text = f.read()
    with open(os.path.join(root, "meson.build"), encoding="utf-8") as f:
        version = re.search(r"version\s*:\s*'([^']+)'", f.read()).group(1)
    guide = [os.path.join(root, "docs", g["file"]) for g in index["guide"]]
    guide += [os.path.join(root, "docs", "README.md"),
              os.path.join(root, "README.md")]
    lesson_readmes = [os.path.join(root, "lessons", le["slug"], "README.md")
                      for le in index["lessons"]]
    subs = {"@VERSION@": version, "@OUTDIR@": outdir, "@SRCROOT@": root,
            "@PYTHON@": sys.executable,
            "@DOT_PATH@": os.path.dirname(dot),
            "@GUIDE@": " ".join(guide), "@LESSONS@": " ".join(lesson_readmes),
            # build/docs/site -> build/lessons, where the pictures are
            "@IMAGES@": os.path.normpath(os.path.join(outdir, "..", "..",
                                                      "lessons"))}
    for k, v in subs.items():
        text = text.replace(k, v)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


# ---- the filter -------------------------------------------------------------

LINK = re.compile(r"(?<!!)\[([^\]\n]+)\]\(([^)\s]+)\)")
CODE_SPAN = re.compile(r"`([^`\n]+)`")
TIMELINE_IMAGE = re.compile(
    r"!\[([^\]\n]*)\]\((?:\.\./)+build/lessons/(lesson-\d\d-timeline\.svg)\)")
DIAGRAM = re.compile(r"^<!--\s*diagram:\s*([a-z0-9_-]+)\s*(.*?)\s*-->\s*$")
# A lesson's committed picture (lessons/NN-slug/timeline.svg), and a line
# `<!-- timeline: lesson-NN-timeline.svg caption -->` for one the build
# alone draws (docs/debugging.md, "The lessons' pictures").
COMMITTED_TIMELINE = re.compile(
    r"!\[([^\]\n]*)\]\(((?:[^()\s]*/)?timeline\.svg)\)")
TIMELINE_NOTE = re.compile(
    r"^<!--\s*timeline:\s*(lesson-\d\d-timeline\.svg)\s*(.*?)\s*-->\s*$")


def committed_timeline(src, m):
    """lessons/NN-slug/timeline.svg as the build's lesson-NN-timeline.svg:
    the same bytes (the test lesson-NN-timeline says so), under a name of
    its own in IMAGE_PATH."""
    full = os.path.normpath(os.path.join(os.path.dirname(src), m.group(2)))
    nn = re.match(r"(\d\d)-", os.path.basename(os.path.dirname(full)))
    return f"![{m.group(1)}](lesson-{nn.group(1)}-timeline.svg)" if nn \
        else m.group(0)


def rewrite_link(index, src, text, target):
    root = index["root"]
    if re.match(r"^[a-z]+:", target) or target.startswith("#"):
        return None
    path, _, _anchor = target.partition("#")
    full = os.path.normpath(os.path.join(os.path.dirname(src), path))
    label = label_for(root, full) if full.endswith(".md") else None
    if label and os.path.isfile(full):
        return f"[{text}](@ref {label})"
    if os.path.isdir(full) and os.path.isfile(os.path.join(full, "README.md")):
        label = label_for(root, os.path.join(full, "README.md"))
        if label:
            return f"[{text}](@ref {label})"
    rel = os.path.relpath(full, root).replace(os.sep, "/")
    inc = "lib/include/"
    if rel.startswith(inc) and rel.endswith(".h") and os.path.isfile(full):
        return f'[{text}](@ref {rel[len(inc):]})'
    # A source file or a folder: named, not linked (it is not on the site).
    return f"{text} (<tt>{rel}</tt>)" if text.strip("`") != rel else f"`{rel}`"


def filter_markdown(index, path, text):
    api = set(index["api"])
    label = label_for(index["root"], path)
    out, in_fence, titled = [], False, False
    for line in text.split("\n"):
        if FENCE.match(line):
            in_fence = not in_fence
            out.append(line)
            continue
        if in_fence:
            out.append(line)
            continue
        if re.match(r"^#{1,6} ", line):
            # Doxygen 1.9 shows a code span in a heading (and in the page
            # tree) as a literal <tt>: headings go plain.
            line = line.replace("`", "")
        if not titled and line.startswith("# ") and label:
            titled = True
            if label == "readme":
                line = "# Getting started: the project's README"
            if label != "index":
                line = line.rstrip() + " {#" + label + "}"
            out.append(line)
            continue
        if re.match(r"^#{1,6} ", line):
            out.append(line)
            continue
        m = DIAGRAM.match(line)
        if m:
            caption = m.group(2).strip().strip('"') or m.group(1)
            out.append(f'@dotfile {m.group(1)}.dot "{caption}"')
            continue
        # The lessons' timeline pictures are drawn by the build
        # (lessons/meson.build) and found through IMAGE_PATH.
        m = TIMELINE_NOTE.match(line)
        if m:
            out.append(f"![{m.group(2) or 'timeline'}]({m.group(1)})")
            continue
        line = TIMELINE_IMAGE.sub(r"![\1](\2)", line)
        line = COMMITTED_TIMELINE.sub(lambda m: committed_timeline(path, m),
                                      line)
        line = LINK.sub(lambda m: rewrite_link(index, path, m.group(1),
                                               m.group(2)) or m.group(0),
                        line)

        def span(m):
            inner = m.group(1)
            name = re.match(r"^((?:co_|CO_)[A-Za-z0-9_]+)(\(.*\))?$", inner)
            if name and name.group(1) in api and '"' not in inner \
                    and "<" not in inner and "@" not in inner:
                return f'<code>@ref {name.group(1)} "{inner}"</code>'
            return m.group(0)
        if label == "guide-glossary" and line.startswith("|") and \
                not re.match(r"^\|[-| ]+\|$", line):
            # The glossary's last column: lesson numbers, linked to the
            # lessons that exist so far.
            cells = line.rstrip().rstrip("|").split("|")
            nns = {le["nn"] for le in index["lessons"]}
            cells[-1] = re.sub(
                r"\b(\d\d)\b",
                lambda k: (f'@ref lesson-{k.group(1)} "{k.group(1)}"'
                           if k.group(1) in nns else k.group(0)), cells[-1])
            line = "|".join(cells) + "|"
        # Only spans outside link texts (a span inside [...] stays).
        parts = re.split(r"(\[[^\]\n]*\]\([^)\n]*\))", line)
        line = "".join(p if i % 2 else CODE_SPAN.sub(span, p)
                       for i, p in enumerate(parts))
        out.append(line)
    if label == "index":
        out[-1] = out[-1] + (
            "\n\n@par On this site\n@ref lessons \"The lessons\", in "
            "order · @ref guide \"The guide\" · @ref guide-glossary "
            "\"The glossary\" · the API reference, one page per header: "
            "<a href=\"files.html\">Files</a>, and every name: "
            "<a href=\"globals.html\">Globals</a> · "
            "@ref readme \"Getting started\"\n")
    if label and label.startswith("lesson-"):
        nn = label[len("lesson-"):]
        used = sorted(n for n, ls in index["used"].items() if nn in ls)
        if used:
            # On the last line, so that the line count stays the same.
            refs = ", ".join(f"@ref {n}" for n in used)
            out[-1] = out[-1] + f"\n\n@par API used in this lesson\n{refs}\n"
    return "\n".join(out)


DOC_COMMENT = re.compile(r"/\*\*(?!<)(.*?)\*/", re.S)
DECL_NAME = [
    re.compile(r"^\s*#\s*define\s+((?:CO|co)_[A-Za-z0-9_]+)"),
    re.compile(r"^\s*typedef\s+[^;{(]*\(\s*\*\s*(co_[a-z0-9_]+)\s*\)"),
    re.compile(r"^\s*typedef\s+(?:struct|enum|union)\s+(co_[a-z0-9_]+)\s*\{"),
    re.compile(r"^\s*(?:struct|enum|union)\s+(co_[a-z0-9_]+)\s*\{"),
    re.compile(r"\b(co_[a-z0-9_]+)\s*\(", re.S),
]


def declared_after(text, pos):
    """The public name declared right after a comment ending at pos."""
    rest = text[pos:pos + 400]
    rest = rest.lstrip("\n ")
    if rest.startswith("/*") or not rest:
        return None
    first = rest.split(";")[0] if not rest.startswith("#") else \
        rest.split("\n")[0]
    for rx in DECL_NAME:
        m = rx.search(first)
        if m:
            name = m.group(1)
            return None if INTERNAL.match(name) else name
    return None


def lesson_refs(index, nns, intro):
    """The lessons line of a name's entry: the lesson that introduces it
    (its header's, when that lesson uses it; else the first that does),
    then the others that use it."""
    titles = {le["nn"]: le["title"] for le in index["lessons"]}
    nns = [nn for nn in nns if nn in titles]
    if intro not in nns:
        intro = nns[0]

    def ref(nn):
        return f'@ref lesson-{nn} "{nn} {short(titles[nn])}"'
    text = "Introduced in " + ref(intro)
    others = [nn for nn in nns if nn != intro]
    if others:
        text += "; used in " + " · ".join(ref(nn) for nn in others)
    return text


def short(title):
    # "Lesson 06 — Tasks: ..." -> "Tasks"
    t = re.sub(r"^Lesson\s+\d+\s*[—-]\s*", "", title)
    return re.split(r"[:(]", t)[0].strip().replace('"', "'").replace("`", "")


def filter_header(index, text):
    nns = {le["nn"] for le in index["lessons"]}
    guide = {g["file"][:-3]: g["label"] for g in index["guide"]}

    api = set(index["api"])
    # The lesson the header's opening comment says introduces it.
    m = re.search(r"/\*\*.*?\*/", text, re.S)
    m = m and re.search(r"Introduced in lesson (\d\d)", m.group(0))
    intro = m.group(1) if m else None

    def link_names(part):
        # A bare public name in the prose becomes a link (Doxygen links
        # functions written with "()" and types by itself, not macros or
        # enum values); one followed by "(" is a call shown, left alone.
        return re.sub(
            r"(?<![@#\w])(?<!@p )(?<!@ref )\b((?:co|CO)_[A-Za-z0-9_]+)\b(?![(\w*])",
            lambda k: (f'@ref {k.group(1)} "{k.group(1)}"'
                       if k.group(1) in api and
                       not INTERNAL.match(k.group(1)) else k.group(0)),
            part)

    def prose(body):
        # Outside @code blocks and `code spans` only.
        out = []
        for i, chunk in enumerate(re.split(r"(@code.*?@endcode)", body,
                                           flags=re.S)):
            if i % 2:
                out.append(chunk)
                continue
            lines = []
            for line in chunk.split("\n"):
                # An indented line is a code block of the comment (or a
                # list item's continuation): left as it is.
                if re.match(r"^\s*\*?(?!/) {4,}\S", line):
                    lines.append(line)
                    continue
                spans = re.split(r"(`[^`\n]*`|\"[^\"\n]*\")", line)
                lines.append("".join(x if j % 2 else link_names(x)
                                     for j, x in enumerate(spans)))
            out.append("\n".join(lines))
        return "".join(out)

    def comment(m):
        body = prose(m.group(1))
        body = re.sub(
            r"\b[Ll]esson (\d\d)\b",
            lambda k: (f'@ref lesson-{k.group(1)} "lesson {k.group(1)}"'
                       if k.group(1) in nns else k.group(0)), body)
        body = re.sub(
            r"\bdocs/([a-z0-9_-]+)\.md\b",
            lambda k: (f'@ref {guide[k.group(1)]} "docs/{k.group(1)}.md"'
                       if k.group(1) in guide else k.group(0)), body)
        name = declared_after(text, m.end())
        extra = ""
        if name:
            # Aliases (Doxyfile.in) make the paragraphs, so that the
            # comment keeps its number of lines.
            used = index["used"].get(name)
            if used:
                extra += " @usedin{" + lesson_refs(index, used, intro) + "}"
            expl = index["explained"].get(name)
            if expl:
                extra += " @explainedin{" + " · ".join(
                    f"@ref {lab}" for lab in expl) + "}"
        return "/**" + body + extra + " */"

    return DOC_COMMENT.sub(comment, text)


def run_filter(index_path, path):
    with open(index_path, encoding="utf-8") as f:
        index = json.load(f)
    with open(path, encoding="utf-8") as f:
        text = f.read()
    if path.endswith(".md"):
        text = filter_markdown(index, path, text)
    elif path.endswith(".h"):
        text = filter_header(index, text)
    sys.stdout.write(text)
    return 0


# ---- the check of what Doxygen does not warn about --------------------------

def has_doc(elem):
    for tag in ("briefdescription", "detaileddescription"):
        d = elem.find(tag)
        if d is not None and "".join(d.itertext()).strip():
            return True
    return False


def check_xml(xmldir, root):
    problems = []
    # A header without an @file comment is left out of the reference
    # whole, and Doxygen says nothing: every public header must have one.
    documented = set()
    for name in os.listdir(xmldir):
        if name.endswith("_8h.xml"):
            cd = ET.parse(os.path.join(xmldir, name)).find("compounddef")
            if cd is not None and has_doc(cd):
                documented.add(cd.findtext("compoundname"))
    inc = os.path.join(root, "lib", "include")
    headers = ["coflow.h"] + sorted(
        n for n in os.listdir(os.path.join(inc, "coflow")) if n.endswith(".h"))
    for h in headers:
        if h not in documented:
            problems.append(f"lib/include/.../{h} has no file comment for "
                            f"Doxygen: open it with /** @file ... */ "
                            f"(what it is, which lesson introduces it)")
    for name in sorted(os.listdir(xmldir)):
        if not name.endswith(".xml") or name in ("index.xml",):
            continue
        tree = ET.parse(os.path.join(xmldir, name))
        for md in tree.iter("memberdef"):
            mname = md.findtext("name") or ""
            if INTERNAL.match(mname):
                continue
            if md.get("kind") == "enum":
                for ev in md.iter("enumvalue"):
                    if not has_doc(ev):
                        problems.append(f"enum value {ev.findtext('name')} "
                                        f"(enum {mname}) is not documented")
    return problems


def build(root, outdir, doxygen, dot):
    root, outdir = os.path.abspath(root), os.path.abspath(outdir)
    gen = os.path.join(outdir, "gen")
    if os.path.isdir(outdir):
        shutil.rmtree(outdir)
    os.makedirs(gen)
    index = make_index(root)
    with open(os.path.join(gen, "index.json"), "w", encoding="utf-8") as f:
        json.dump(index, f, indent=1)
    codes = write_errors(root, os.path.join(gen, "errors.dox"))
    write_layers(root, os.path.join(gen, "layers.dot"))
    write_site_dox(index, os.path.join(gen, "site.dox"))
    doxyfile = os.path.join(outdir, "Doxyfile")
    write_doxyfile(root, outdir, dot, index, doxyfile)
    run = subprocess.run([doxygen, doxyfile], cwd=outdir)
    log = os.path.join(outdir, "warnings.log")
    warnings = ""
    if os.path.isfile(log):
        with open(log, encoding="utf-8") as f:
            warnings = f.read().strip()
    if run.returncode != 0 or warnings:
        sys.stderr.write(warnings + "\n")
        sys.stderr.write(f"site.py: doxygen failed (status {run.returncode})"
                         f": fix the warnings above (every public name needs "
                         f"its comment, with @param for each parameter and "
                         f"@return; every @ref must name something)\n")
        return 1
    problems = check_xml(os.path.join(outdir, "xml"), root)
    for p in problems:
        sys.stderr.write(f"site.py: {p}\n")
    if problems:
        return 1
    print(f"site: {len(index['lessons'])} lessons, {len(index['guide'])} "
          f"guide pages, {len(index['api'])} public names, {codes} error "
          f"codes: {os.path.join(outdir, 'html', 'index.html')}")
    return 0


def inputs(root):
    """What the site is made from, for the build's depfile: the pages, the
    headers, the lessons' files, and the folders they are listed from (a
    file added to one of those changes the folder's time)."""
    inc = os.path.join(root, "lib", "include")
    docs = os.path.join(root, "docs")
    paths = [os.path.join(root, "README.md"), os.path.join(root, "meson.build"),
             os.path.abspath(__file__), os.path.join(docs, "Doxyfile.in"),
             docs, os.path.join(root, "lessons"), os.path.join(inc, "coflow"),
             os.path.join(inc, "coflow.h")]
    paths += [os.path.join(docs, n) for n in sorted(os.listdir(docs))
              if n.endswith(".md")]
    paths += [os.path.join(inc, "coflow", n)
              for n in sorted(os.listdir(os.path.join(inc, "coflow")))
              if n.endswith(".h")]
    for _, _, folder in lessons(root):
        paths.append(folder)
        paths += [os.path.join(folder, n) for n in LESSON_FILES + ["timeline.svg"]
                  if os.path.isfile(os.path.join(folder, n))]
    return paths


def write_depfile(path, target, deps):
    def esc(p):
        return p.replace("\\", "\\\\").replace(" ", "\\ ")
    with open(path, "w", encoding="utf-8") as f:
        f.write(esc(target) + ":")
        for d in deps:
            f.write(" \\\n  " + esc(d))
        f.write("\n")


def main(argv):
    if len(argv) in (6, 7, 8) and argv[1] == "build":
        rc = build(argv[2], argv[3], argv[4], argv[5])
        if rc == 0 and len(argv) >= 7:
            with open(argv[6], "w", encoding="utf-8") as f:
                f.write("built\n")
            if len(argv) == 8:
                write_depfile(argv[7], argv[6], inputs(argv[2]))
        return rc
    if len(argv) == 4 and argv[1] == "filter":
        return run_filter(argv[2], argv[3])
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
