#!/usr/bin/env python3
"""The documentation site, checked the way a reader meets it.

usage: test_site.py HTML_DIR [CHROMIUM]
       test_site.py --skip REASON

HTML_DIR is the built site (build/docs/site/html, which meson builds
before running this). The test
  1. serves HTML_DIR over HTTP on a loopback port picked by the system;
  2. crawls every page (every .html file of the site, and every page they
     link to) and fails on a link to a page or a file that is not there, a
     link to an anchor the page does not have, and an image (img, iframe,
     object) that is missing or empty;
  3. checks that the site has what it must: the index, a page per lesson
     in lesson order, the glossary, a file page per public header, the
     diagrams;
  4. opens the index, one lesson page and one API page in headless
     Chromium, reads the page's text after its scripts ran (--dump-dom)
     and takes a screenshot that must not be blank (the PNG is decoded
     here, and the pixels that differ from the background are counted).
Exit status 0 when all pass, 1 otherwise, 77 (skipped) when Doxygen or
Chromium is missing (--skip, or no CHROMIUM found), saying so.
"""
import collections
import html.parser
import http.server
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import threading
import urllib.error
import urllib.parse
import urllib.request
import zlib

SKIP = 77


class Links(html.parser.HTMLParser):
    """Collects what a page links to, and the anchors it defines."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.refs = []      # (tag, attribute, url)
        self.anchors = set()
        self.text = []
        self.in_script = 0
        self.code_depth = 0  # inside a code block (div.fragment, pre)

    def handle_endtag(self, tag):
        if tag in ("script", "style", "code", "tt"):
            self.in_script = max(0, self.in_script - 1)
        if self.code_depth and tag in ("div", "pre"):
            self.code_depth -= 1

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "code", "tt"):
            self.in_script += 1  # not prose: scripts, and code spans
        a = dict(attrs)
        if tag in ("div", "pre"):
            if self.code_depth:
                self.code_depth += 1
            elif tag == "pre" or "fragment" in (a.get("class") or ""):
                self.code_depth = 1
        for name in ("id", "name"):
            if a.get(name) and (name == "id" or tag == "a"):
                self.anchors.add(a[name])
        for attr in ("href", "src", "data"):
            if a.get(attr) and (tag, attr) in {
                    ("a", "href"), ("link", "href"), ("script", "src"),
                    ("img", "src"), ("iframe", "src"), ("object", "data")}:
                self.refs.append((tag, attr, a[attr]))

    def handle_data(self, data):
        if not self.in_script and not self.code_depth:
            self.text.append(data)


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def serve(root):
    """A server on 127.0.0.1, a port the system picks; returns it."""
    handler = lambda *a, **k: Quiet(*a, directory=root, **k)  # noqa: E731
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def fetch(url):
    """(status, body bytes)."""
    try:
        with urllib.request.urlopen(url, timeout=30) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, b""


def crawl(base, root):
    """Every page of the site, fetched over HTTP; returns the problems
    and the pages' text by path."""
    problems, texts, anchors = [], {}, {}
    todo = collections.deque(sorted(
        n for n in os.listdir(root) if n.endswith(".html")))
    seen = set(todo)
    refs_of = {}
    while todo:
        page = todo.popleft()
        status, body = fetch(base + page)
        if status != 200:
            problems.append(f"{page}: HTTP {status}")
            continue
        parser = Links()
        parser.feed(body.decode("utf-8", "replace"))
        anchors[page] = parser.anchors
        texts[page] = " ".join(parser.text)
        refs_of[page] = parser.refs
        for tag, attr, url in parser.refs:
            target = urllib.parse.urlsplit(urllib.parse.urljoin(base + page,
                                                                url))
            if target.scheme not in ("http", "") or \
                    target.netloc not in ("", urllib.parse.urlsplit(base).netloc):
                continue  # outside the site: not ours to check
            path = urllib.parse.unquote(target.path).lstrip("/")
            if path.endswith(".html") and path not in seen:
                seen.add(path)
                todo.append(path)
    # Every link, now that every page's anchors are known.
    files_checked = {}
    for page, refs in sorted(refs_of.items()):
        for tag, attr, url in refs:
            target = urllib.parse.urlsplit(urllib.parse.urljoin(base + page,
                                                                url))
            if target.scheme not in ("http", "") or \
                    target.netloc not in ("", urllib.parse.urlsplit(base).netloc):
                continue
            path = urllib.parse.unquote(target.path).lstrip("/") or \
                "index.html"
            if path not in files_checked:
                if path in anchors:
                    files_checked[path] = (200, 1)
                else:
                    status, body = fetch(base + path)
                    files_checked[path] = (status, len(body))
            status, size = files_checked[path]
            what = f"{page}: <{tag} {attr}=\"{url}\">"
            if status != 200:
                problems.append(f"{what} is broken (HTTP {status})")
            elif tag in ("img", "iframe", "object") and size == 0:
                problems.append(f"{what} is an empty image")
            elif target.fragment and path in anchors and \
                    target.fragment not in anchors[path]:
                problems.append(f"{what}: {path} has no anchor "
                                f"#{target.fragment}")
    return problems, texts, len(seen), len(files_checked)


def expect_pages(root, texts):
    """What the site must have."""
    problems = []
    src = os.path.abspath(os.path.join(root, "..", "gen", "index.json"))
    import json
    with open(src, encoding="utf-8") as f:
        index = json.load(f)
    for le in index["lessons"]:
        page = le["label"] + ".html"
        if page not in texts:
            problems.append(f"no page for lesson {le['nn']} ({page})")
    tree = ""
    # The page "lessons" (docs/site.py) has them as its subpages; Doxygen
    # writes that part of the navigation tree to lessons.js.
    tree_path = os.path.join(root, "lessons.js")
    if os.path.isfile(tree_path):
        with open(tree_path, encoding="utf-8") as f:
            tree = f.read()
    order = [tree.find('"' + le["label"] + '.html"') for le in index["lessons"]]
    if -1 in order or order != sorted(order):
        problems.append("the navigation tree does not list the lessons in "
                        "lesson order")
    for page in ("index.html", "guide-glossary.html", "guide-internals.html",
                 "files.html", "globals.html", "search/search.js"):
        if not os.path.isfile(os.path.join(root, page)):
            problems.append(f"the site has no {page}")
    for h in sorted(os.listdir(os.path.join(index["root"], "lib/include/coflow"))):
        if h.endswith(".h"):
            page = h.replace("_", "__").replace(".", "_8") + ".html"
            if page not in texts:
                problems.append(f"no API page for coflow/{h} ({page})")
    for d in ("layers", "loop-iteration", "task-states", "future-callbacks",
              "await-chain"):
        if not os.path.isfile(os.path.join(root, f"dot_{d}.svg")):
            problems.append(f"the diagram {d} was not drawn (dot_{d}.svg)")
    # Markup that the filter or Doxygen failed to turn into HTML shows up
    # as text.
    raw = re.compile(r"[@\\](?:ref|p|param|return|code|usedin|explainedin)\b"
                     r"|<tt>|</?code>|\{#[a-z-]+\}|<!--")
    for page, text in sorted(texts.items()):
        if page.endswith("_source.html"):
            continue  # the headers as they are, comments and all
        m = raw.search(text)
        if m:
            around = " ".join(text[max(0, m.start() - 60):m.end() + 40].split())
            problems.append(f"{page} shows raw markup: ...{around}...")
    lesson = texts.get("lesson-06.html", "")
    if "co_create_task" not in lesson or "API used in this lesson" not in lesson:
        problems.append("lesson 06's page does not list the API it uses")
    api = texts.get("task_8h.html", "")
    if "Introduced in" not in api or "Explained in" not in api:
        problems.append("task.h's page does not say which lessons use its "
                        "names and which guide pages explain them")
    return problems


# ---- PNG, decoded with zlib and struct -------------------------------------

def png_pixels(data):
    """(width, height, rows of (r, g, b) tuples) of an 8-bit RGB/RGBA PNG."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG file")
    pos, idat, width = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            width, height, depth, ctype = struct.unpack(">IIBB", chunk[:10])
            if depth != 8 or ctype not in (2, 6):
                raise ValueError(f"PNG of depth {depth}, colour type {ctype}")
            bpp = 3 if ctype == 2 else 4
        elif kind == b"IDAT":
            idat += chunk
        elif kind == b"IEND":
            break
    raw = zlib.decompress(idat)
    stride = width * bpp
    rows, prev, i = [], bytearray(stride), 0
    for _ in range(height):
        ftype, line = raw[i], bytearray(raw[i + 1:i + 1 + stride])
        i += 1 + stride
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b = prev[x]
            c = prev[x - bpp] if x >= bpp else 0
            if ftype == 1:
                line[x] = (line[x] + a) & 255
            elif ftype == 2:
                line[x] = (line[x] + b) & 255
            elif ftype == 3:
                line[x] = (line[x] + (a + b) // 2) & 255
            elif ftype == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[x] = (line[x] + pred) & 255
        rows.append([tuple(line[x:x + 3]) for x in range(0, stride, bpp)])
        prev = line
    return width, height, rows


def not_blank(png, what):
    """None if the screenshot shows something, else why not."""
    try:
        width, height, rows = png_pixels(png)
    except (ValueError, zlib.error, struct.error) as e:
        return f"{what}: the screenshot cannot be decoded ({e})"
    counts = collections.Counter(p for row in rows for p in row)
    background = counts.most_common(1)[0][0]

    def differs(p):
        return max(abs(p[k] - background[k]) for k in range(3)) > 40
    total = sum(1 for row in rows for p in row if differs(p))
    # The page's own content, right of the navigation tree and below the
    # title bar: a page that shows only Doxygen's frame is blank too.
    content = sum(1 for row in rows[200:height - 60]
                  for p in row[300:] if differs(p))
    area = max(1, (height - 260) * (width - 300))
    if total < width * height // 100 or content < area // 200:
        return (f"{what}: the screenshot is blank ({total} pixels differ "
                f"from the background, {content} of them in the content)")
    return None


def browser(chromium, url, tmp, name):
    """(dom text, png bytes, why not)."""
    profile = os.path.join(tmp, "profile-" + name)
    shot = os.path.join(tmp, name + ".png")
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
             "--no-first-run", "--disable-background-networking",
             "--disable-component-update", "--disable-sync",
             "--user-data-dir=" + profile, "--window-size=1200,900"]
    try:
        dom = subprocess.run([chromium] + flags + ["--dump-dom", url],
                             capture_output=True, text=True, timeout=120)
        subprocess.run([chromium] + flags + ["--screenshot=" + shot, url],
                       capture_output=True, text=True, timeout=120)
    except subprocess.TimeoutExpired:
        return None, None, f"{chromium} did not finish with {url} in 120 s"
    if not os.path.isfile(shot):
        return None, None, (f"{chromium} wrote no screenshot of {url}:\n"
                            f"{dom.stderr[-2000:]}")
    with open(shot, "rb") as f:
        png = f.read()
    return dom.stdout, png, None


def main(argv):
    if len(argv) == 3 and argv[1] == "--skip":
        print(f"SKIP: {argv[2]}")
        return SKIP
    if len(argv) not in (2, 3):
        sys.stderr.write(__doc__)
        return 2
    root = os.path.abspath(argv[1])
    if not os.path.isfile(os.path.join(root, "index.html")):
        print(f"FAIL: {root}/index.html is missing: build the site with "
              f"`meson compile -C build docs`")
        return 1
    chromium = argv[2] if len(argv) == 3 else None
    chromium = chromium if chromium and os.path.isfile(chromium) else \
        shutil.which("chromium") or shutil.which("chromium-browser")

    server = serve(root)
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    failed = []
    try:
        problems, texts, pages, files = crawl(base, root)
        failed += problems
        print(f"crawled {pages} pages over {base}: {files} distinct pages "
              f"and files linked, {len(problems)} broken")
        failed += expect_pages(root, texts)
        if not chromium:
            for p in failed:
                print("FAIL", p)
            print("SKIP: chromium is not installed (Debian: apt-get install "
                  "chromium), so the pages were not opened in a browser"
                  + ("; and the crawl found problems" if failed else ""))
            return 1 if failed else SKIP
        with tempfile.TemporaryDirectory(prefix="docsite-") as tmp:
            for name, page, words in (
                    ("index", "index.html", "coflow's documentation"),
                    ("lesson", "lesson-03.html", "Protothreads"),
                    ("api", "future_8h.html", "co_future_new")):
                dom, png, why = browser(chromium, base + page, tmp, name)
                if why:
                    failed.append(why)
                    continue
                if words not in dom:
                    failed.append(f"{page} in the browser does not show "
                                  f"'{words}'")
                why = not_blank(png, page)
                if why:
                    failed.append(why)
                else:
                    print(f"ok   {page} in {os.path.basename(chromium)}: "
                          f"shows '{words}', screenshot not blank")
    finally:
        server.shutdown()
    for p in failed:
        print("FAIL", p)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
