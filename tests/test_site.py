"""The published website as a reader gets it: first the built pages, then a real browser.

These tests read `_build/html`, which `make test` builds just before running them (or run
`make book`). The browser tests serve it on 127.0.0.1 and open it in headless Chromium with
every other host blocked, so a page that needs the network to render fails. The pages come
from `_toc.yml`, so a new chapter is tested as soon as it is in the table of contents.
"""

from __future__ import annotations

import functools
import http.server
import json
import re
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import yaml
from bs4 import BeautifulSoup, Tag

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "_build" / "html"
SCREENSHOTS = ROOT / "_build" / "screenshots"
REPORT = ROOT / "_build" / "site_report.json"
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
MATHJAX = "_static/es5/startup.js"  # the loader; it fetches the rest
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
# Visible text that means MathJax did not typeset something.
RAW_TEX = re.compile(r"\\\(|\\\)|\\\[|\\\]|\$\$|\\begin\{|\\end\{|\\frac|\\mathrm")
PAGE_LOAD_BUDGET_S = 30.0  # generous: the 2-core CI machine runs other tests too
SITE_BUDGET_BYTES = 15 * 2**20  # the whole site, figures included
PAGE_BUDGET_BYTES = 3 * 2**20  # what one chapter page transfers: HTML, scripts, fonts, images
VEGA = "_static/vega/vega.min.js"
EXPLORABLE = "[data-explorable]"  # an explorable figure (relu_course.plotting.explorable_lines)
EXPLORABLE_SLIDER = f"{EXPLORABLE} .explorable-control input[type=range]"


def toc_docnames() -> list[str]:
    """Every page in `_toc.yml`, in reading order, as Sphinx docnames."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    names = [toc["root"]]

    def walk(entries: list[dict]) -> None:
        for entry in entries:
            if "file" in entry:
                names.append(re.sub(r"\.(md|ipynb)$", "", entry["file"]))
            walk(entry.get("sections", []))

    for part in toc.get("parts", []):
        walk(part.get("chapters", []))
    walk(toc.get("chapters", []))
    return names


DOCS = toc_docnames()
LABS = [doc for doc in DOCS if (ROOT / f"{doc}.ipynb").is_file() or doc.endswith("/lab")]
CHAPTERS = [doc for doc in DOCS if re.fullmatch(r"book/[^/]+/index", doc)]
API_DOC = next((doc for doc in DOCS if doc.endswith("/api")), "book/api")
BIBLIOGRAPHY_DOC = next((doc for doc in DOCS if doc.endswith("/bibliography")), "book/bibliography")
DEFINITION_DOC = "book/definition/index"


def lab_of(chapter: str) -> str | None:
    lab = chapter.rsplit("/", 1)[0] + "/lab"
    return lab if lab in LABS else None


def expected_launch_urls(doc: str) -> dict[str, str]:
    """The Colab and Binder links of a lab page, derived from `_config.yml` alone."""
    repo = CONFIG["repository"]
    launch = CONFIG["launch_buttons"]
    org, name = urlsplit(repo["url"]).path.strip("/").split("/")[:2]
    branch = repo.get("branch", "main")
    book = repo.get("path_to_book", "").strip("/")
    path = f"{book}/{doc}.ipynb" if book else f"{doc}.ipynb"
    ui = {"classic": "tree", "jupyterlab": "lab/tree"}[launch.get("notebook_interface", "classic")]
    return {
        "Colab": f"{launch['colab_url'].rstrip('/')}/github/{org}/{name}/blob/{branch}/{path}",
        "Binder": f"{launch['binderhub_url'].rstrip('/')}/v2/gh/{org}/{name}/{branch}"
        f"?urlpath={ui}/{path}",
    }


# --- the built pages --------------------------------------------------------------------


@pytest.fixture(scope="module")
def site() -> Path:
    if not (SITE / "index.html").is_file():
        pytest.fail(f"There is no built website in {SITE}: run `make book` first.")
    return SITE


def built(docs: list[str]) -> list[str]:
    """The pages that were built; test_every_page_of_the_toc_is_built reports the others."""
    return [doc for doc in docs if (SITE / f"{doc}.html").is_file()]


def all_html(site: Path) -> list[Path]:
    return sorted(
        p for p in site.rglob("*.html") if not p.relative_to(site).parts[0].startswith("_")
    )


@functools.cache
def soup_of(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def article(doc: str) -> Tag:
    node = soup_of(SITE / f"{doc}.html").select_one("article.bd-article")
    assert node is not None, f"{doc}.html has no article: is the theme still sphinx-book-theme?"
    return node


def resolve(page: Path, ref: str) -> tuple[Path, str] | None:
    """The file and #fragment a relative link on `page` points to; None for other hosts."""
    parts = urlsplit(ref)
    if parts.scheme or parts.netloc or ref.startswith(("javascript:", "data:")):
        return None
    target = page if not parts.path else (page.parent / unquote(parts.path)).resolve()
    if parts.path.endswith("/"):
        target = target / "index.html"
    return target, unquote(parts.fragment)


@functools.cache
def ids_of(path: Path) -> frozenset[str]:
    soup = soup_of(path)
    return frozenset(
        [str(t["id"]) for t in soup.find_all(id=True)]
        + [str(t["name"]) for t in soup.find_all("a", attrs={"name": True})]
    )


def test_every_page_of_the_toc_is_built(site: Path) -> None:
    missing = [doc for doc in DOCS if doc not in built(DOCS)]
    assert missing == [], f"in _toc.yml but not built (run `make book`): {missing}"


def test_math_is_rendered_by_the_mathjax_the_site_serves(site: Path) -> None:
    assert (site / MATHJAX).is_file(), f"{MATHJAX} is not in the site: run `make setup`"
    pages_with_math = 0
    for page in all_html(site):
        soup = soup_of(page)
        scripts = [str(s["src"]) for s in soup.find_all("script", src=True)]
        mathjax = [s for s in scripts if "/es5/" in s]
        # Only the one entry point: every other MathJax file loads on demand.
        assert all(urlsplit(s).path.endswith(MATHJAX) for s in mathjax), (page, mathjax)
        if soup.select("article .math"):
            pages_with_math += 1
            assert mathjax, f"{page.relative_to(site)} has math but does not load MathJax"
            target = resolve(page, mathjax[0])
            assert target is not None and target[0] == (site / MATHJAX).resolve()
    assert pages_with_math > 0, "no page has math: the intro writes relu(x) = max(0, x)"


def test_site_fits_its_size_budget(site: Path) -> None:
    files = [p for p in site.rglob("*") if p.is_file()]
    total = sum(p.stat().st_size for p in files)
    biggest = sorted(files, key=lambda p: p.stat().st_size, reverse=True)[:5]
    assert total <= SITE_BUDGET_BYTES, (
        f"the site is {total / 2**20:.1f} MB, over its {SITE_BUDGET_BYTES / 2**20:.0f} MB budget; "
        "largest files: " + ", ".join(
            f"{p.relative_to(site)} ({p.stat().st_size / 2**20:.1f} MB)" for p in biggest)
    )


def test_pages_with_an_explorable_load_vega_once_and_the_others_not_at_all(site: Path) -> None:
    problems = []
    for page in all_html(site):
        soup = soup_of(page)
        scripts = [urlsplit(str(s["src"])).path for s in soup.find_all("script", src=True)]
        vega = [s for s in scripts if s.endswith(VEGA.split("_static/")[1])]
        name = page.relative_to(site)
        if soup.select(EXPLORABLE):
            if len(vega) != 1 or not any(s.endswith("explorable.js") for s in scripts):
                problems.append(f"{name}: has an explorable but loads Vega {len(vega)} times")
            elif (target := resolve(page, vega[0])) is None or target[0] != (site / VEGA).resolve():
                problems.append(f"{name}: loads Vega from {vega[0]}, not the site's {VEGA}")
        elif vega:
            problems.append(f"{name}: loads Vega but shows no explorable")
    assert problems == [], "\n".join(problems)


def external_resources(page: Path) -> list[str]:
    """Everything a page loads (not links it offers) from a host other than the site."""
    soup = soup_of(page)
    found = []
    for tag, attr in [("script", "src"), ("img", "src"), ("iframe", "src"), ("source", "src"),
                      ("video", "src"), ("audio", "src"), ("embed", "src"), ("object", "data")]:
        found += [str(t[attr]) for t in soup.find_all(tag, attrs={attr: True})]
    for link in soup.find_all("link", href=True):
        rel = set(link.get("rel", []))
        if rel & {"stylesheet", "preload", "icon", "shortcut", "modulepreload", "manifest"}:
            found.append(str(link["href"]))
    for style in soup.find_all("style"):
        found += re.findall(r"url\(\s*['\"]?([^'\")]+)", style.get_text())
    return [r for r in found if urlsplit(r).scheme in ("http", "https") or r.startswith("//")]


def test_no_page_needs_a_resource_from_another_host(site: Path) -> None:
    offenders = {}
    for page in all_html(site):
        if refs := external_resources(page):
            offenders[str(page.relative_to(site))] = refs
    for css in (site / "_static").rglob("*.css"):
        text = css.read_text(encoding="utf-8", errors="replace")
        if refs := re.findall(r"(?:url\(|@import)\s*['\"]?((?:https?:)?//[^'\")\s]+)", text):
            offenders[str(css.relative_to(site))] = refs
    assert offenders == {}, f"pages that would need the network to render: {offenders}"


def test_internal_links_and_anchors_all_resolve(site: Path) -> None:
    broken = []
    for page in all_html(site):
        soup = soup_of(page)
        refs = [str(t["href"]) for t in soup.find_all(["a", "link"], href=True)]
        sources = soup.find_all(["img", "script", "source", "iframe"], src=True)
        refs += [str(t["src"]) for t in sources]
        for ref in refs:
            if ref in ("", "#") or ref.startswith(("mailto:", "tel:")):
                continue
            target = resolve(page, ref)
            if target is None:
                continue
            path, fragment = target
            where = f"{page.relative_to(site)} -> {ref}"
            if not path.is_file():
                broken.append(f"{where} (no such file)")
            elif fragment and path.suffix == ".html" and fragment not in ids_of(path):
                broken.append(f"{where} (no #{fragment} on that page)")
    assert broken == [], "broken links:\n" + "\n".join(broken)


def test_cross_references_to_the_api_and_sections_all_resolve(site: Path) -> None:
    # An unresolved role such as {py:func}`relu_course.x` renders as code with no link.
    # The API page's type annotations name torch and builtins, which have no page here.
    unresolved = []
    for doc in built(DOCS):
        for node in article(doc).select(".xref"):
            text = node.get_text()
            if doc == API_DOC and not text.startswith("relu_course"):
                continue
            if node.find_parent("a") is None:
                unresolved.append(f"{doc}: {text}")
    assert unresolved == [], "references that link nowhere:\n" + "\n".join(unresolved)


def describes(text: str | None) -> bool:
    """True for real alt text; False for none, or a file name standing in for it."""
    text = (text or "").strip()
    return bool(text) and not re.fullmatch(r"\S+\.(png|jpe?g|gif|svg|webp)", text, re.IGNORECASE)


def test_every_figure_has_alt_text_or_a_caption(site: Path) -> None:
    undescribed = []
    for doc in built(DOCS):
        for img in article(doc).find_all("img"):
            figure = img.find_parent("figure")
            caption = figure.find("figcaption") if figure else None
            if not describes(img.get("alt")) and not (caption and caption.get_text(strip=True)):
                undescribed.append(f"{doc}: {img.get('src')}")
    assert undescribed == [], (
        "images with neither alt text nor a caption (give glue:figure an :alt: and a caption, "
        "or a lab cell metadata mystnb.image.alt):\n" + "\n".join(undescribed)
    )


def test_bibliography_lists_entries_and_citations_link_to_them(site: Path) -> None:
    bibliography = site / f"{BIBLIOGRAPHY_DOC}.html"
    entries = soup_of(bibliography).select('[role="doc-biblioentry"], .citation')
    assert entries, "the bibliography page lists no references"
    entry_ids = {str(e["id"]) for e in entries if e.get("id")}
    citations = 0
    for doc in built(DOCS):
        if doc == BIBLIOGRAPHY_DOC:
            continue
        page = site / f"{doc}.html"
        for link in article(doc).find_all("a", href=True):
            target = resolve(page, str(link["href"]))
            if target and target[0] == bibliography.resolve() and target[1]:
                citations += 1
                assert target[1] in entry_ids, f"{doc}: citation {link.get_text()} -> #{target[1]}"
    assert citations > 0, "no page cites anything from book/references.bib"


def test_each_chapter_opens_with_learning_objectives_and_closes_with_a_summary(site: Path) -> None:
    problems = []
    for doc in built(CHAPTERS):
        top = article(doc).find("section")
        children = [c for c in top.find_all(recursive=False) if c.name not in ("span",)]
        first = children[1] if len(children) > 1 else None
        title = first.select_one(".admonition-title") if first is not None else None
        if title is None or "learning objectives" not in title.get_text().lower():
            problems.append(f"{doc}: does not open with a 'Learning objectives' admonition")
        sections = top.find_all("section", recursive=False)
        last = sections[-1].find(re.compile("^h2$")) if sections else None
        if last is None or last.get_text(strip=True).rstrip("#").strip() != "Summary":
            problems.append(f"{doc}: does not close with a '## Summary' section")
    assert problems == [], "\n".join(problems)


def test_each_reading_page_links_to_its_lab(site: Path) -> None:
    missing = []
    for doc in built(CHAPTERS):
        lab = lab_of(doc)
        if lab is None:
            continue
        page = site / f"{doc}.html"
        targets = {resolve(page, str(a["href"])) for a in article(doc).find_all("a", href=True)}
        if ((site / f"{lab}.html").resolve(), "") not in targets:
            missing.append(doc)
    assert missing == [], f"reading pages with no link to their lab ({{doc}}`lab`): {missing}"


def test_each_lab_page_offers_its_notebook_for_download(site: Path) -> None:
    for doc in built(LABS):
        page = site / f"{doc}.html"
        downloads = [
            str(a["href"]) for a in soup_of(page).select(".dropdown-download-buttons a[href]")
            if str(a["href"]).endswith(".ipynb")
        ]
        assert downloads, f"{doc}: no download button for the notebook"
        target = resolve(page, downloads[0])
        assert target is not None and target[0].is_file(), f"{doc}: {downloads[0]} is missing"
        notebook = json.loads(target[0].read_text(encoding="utf-8"))
        assert notebook["cells"], f"{doc}: the downloadable notebook is empty"


def public_modules() -> list[str]:
    package = ROOT / "relu_course"
    names = [p.stem for p in package.glob("*.py") if not p.stem.startswith("_")]
    names += [p.parent.name for p in package.glob("*/__init__.py")]
    return sorted(f"relu_course.{name}" for name in names)


def test_api_reference_documents_every_public_module_and_function(site: Path) -> None:
    import importlib
    import inspect

    ids = ids_of(site / f"{API_DOC}.html")
    missing = []
    for module_name in public_modules():
        if f"module-{module_name}" not in ids:
            missing.append(f"module {module_name} (add it to {API_DOC}.md)")
            continue
        module = importlib.import_module(module_name)
        names = getattr(module, "__all__", None) or [
            name for name, obj in vars(module).items()
            if not name.startswith("_")
            and (inspect.isfunction(obj) or inspect.isclass(obj))
            and obj.__module__ == module_name
        ]
        missing += [f"{module_name}.{n} (no docstring?)" for n in names
                    if f"{module_name}.{n}" not in ids and callable(getattr(module, n, None))]
    assert missing == [], "not in the API reference:\n" + "\n".join(missing)


def test_each_reading_page_links_to_the_api_reference(site: Path) -> None:
    api = (site / f"{API_DOC}.html").resolve()
    silent = []
    for doc in built(CHAPTERS):
        if lab_of(doc) is None:
            continue
        page = site / f"{doc}.html"
        targets = [resolve(page, str(a["href"])) for a in article(doc).find_all("a", href=True)]
        if not any(t and t[0] == api for t in targets):
            silent.append(doc)
    assert silent == [], (
        f"reading pages that never link a function to the API reference "
        f"(write {{py:func}}`relu_course.module.function` where it first appears): {silent}"
    )


# --- in a real browser ------------------------------------------------------------------


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def server(site: Path) -> Iterator[str]:
    handler = functools.partial(_QuietHandler, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    executable = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(executable).is_file():
        pytest.fail("Chromium is missing: run `make browser-deps` (Debian's chromium package).")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        # Playwright gives the browser a fresh, temporary profile.
        chromium = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def transfers() -> dict[str, int]:
    """Bytes each page transferred, filled by the page tests for the report."""
    return {}


@pytest.fixture(scope="module")
def load_times(transfers: dict[str, int]) -> Iterator[dict[str, float]]:
    times: dict[str, float] = {}
    yield times
    if times and SITE.is_dir():
        files = [p for p in SITE.rglob("*") if p.is_file()]
        slowest = max(times, key=times.__getitem__)
        REPORT.write_text(json.dumps({
            "pages": len(all_html(SITE)),
            "site_bytes": sum(p.stat().st_size for p in files),
            "site_files": len(files),
            "slowest_page": slowest,
            "slowest_load_s": round(times[slowest], 2),
            "load_s": {doc: round(t, 2) for doc, t in times.items()},
            "transferred_bytes": transfers,
        }, indent=2) + "\n", encoding="utf-8")


def require_page(doc: str) -> None:
    if not (SITE / f"{doc}.html").is_file():
        pytest.fail(f"{doc}.html was not built: run `make book` (is {doc} in the book?)")


class Visit:
    """One page opened offline: what it asked other hosts for, and what went wrong."""

    def __init__(self, browser: object, base: str, path: str, **context_options: object) -> None:
        self.context = browser.new_context(**context_options)  # fresh storage each time
        self.blocked: list[str] = []
        self.errors: list[str] = []
        self.requested: list[str] = []  # paths fetched from the site, in order
        host = urlsplit(base).netloc
        self.context.route("**/*", self._only_from(host))
        self.page = self.context.new_page()
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(f"uncaught: {e}"))
        self.page.on(
            "response", lambda r: r.status >= 400 and self.errors.append(f"{r.status} {r.url}")
        )
        start = time.perf_counter()
        self.page.goto(base + path, wait_until="load")
        # MathJax typesets after load; its promise settles when the page's math is done.
        self.page.evaluate("() => window.MathJax?.startup?.promise ?? null")
        self.seconds = time.perf_counter() - start

    def _only_from(self, host: str):
        def route(route) -> None:
            if urlsplit(route.request.url).netloc == host:
                self.requested.append(urlsplit(route.request.url).path)
                route.continue_()
            else:
                self.blocked.append(route.request.url)
                route.abort()
        return route

    def transferred_bytes(self) -> int:
        """The bytes the page fetched: each file the site served, counted once."""
        files = {SITE / unquote(path).lstrip("/") for path in self.requested}
        files = {f / "index.html" if f.is_dir() else f for f in files}
        return sum(f.stat().st_size for f in files if f.is_file())

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def visit(browser: object, server: str) -> Iterator:
    opened: list[Visit] = []

    def open_page(path: str, **options: object) -> Visit:
        opened.append(Visit(browser, server, path, **options))
        return opened[-1]

    yield open_page
    for v in opened:
        v.close()


VISIBLE_TEXT = """() => {
  const root = (document.querySelector('article.bd-article') || document.body).cloneNode(true);
  root.querySelectorAll('pre, code, script, style, textarea, mjx-container, .highlight')
      .forEach(e => e.remove());
  return root.textContent;
}"""
BROKEN_IMAGES = """() => Array.from(document.images)
  .filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.getAttribute('src'))"""


@pytest.mark.parametrize("doc", DOCS)
def test_page_renders_offline_with_math_and_figures_and_no_errors(
    doc, visit, load_times, transfers
) -> None:
    require_page(doc)
    v = visit(f"{doc}.html")
    load_times[doc] = v.seconds
    assert v.blocked == [], f"{doc} asked other hosts for {v.blocked}"
    assert v.errors == [], f"{doc}: browser console errors {v.errors}"
    page = v.page
    math = page.locator("article .math").count()
    typeset = page.locator("article mjx-container").count()
    assert typeset >= math, f"{doc}: {math} formulas but only {typeset} typeset by MathJax"
    raw = RAW_TEX.findall(page.evaluate(VISIBLE_TEXT))
    assert raw == [], f"{doc}: raw TeX left in the visible text: {raw[:5]}"
    page.evaluate("() => window.scrollTo(0, document.body.scrollHeight)")
    page.wait_for_load_state("load")
    assert page.evaluate(BROKEN_IMAGES) == [], f"{doc}: images that did not load"
    assert v.seconds < PAGE_LOAD_BUDGET_S, f"{doc} took {v.seconds:.1f} s to load and typeset"
    transfers[doc] = v.transferred_bytes()
    if doc in CHAPTERS:
        assert transfers[doc] <= PAGE_BUDGET_BYTES, (
            f"{doc} transfers {transfers[doc] / 2**20:.2f} MB, over the "
            f"{PAGE_BUDGET_BYTES / 2**20:.0f} MB budget of a chapter page"
        )


FRAME = f"() => document.querySelector('{EXPLORABLE}').dataset.frame"
VIEW = f"() => document.querySelector('{EXPLORABLE} .explorable-view').innerHTML"


@pytest.mark.parametrize("doc", [doc for doc in CHAPTERS if lab_of(doc)])
def test_first_explorable_of_each_chapter_moves_with_the_keyboard(doc, visit) -> None:
    require_page(doc)
    v = visit(f"{doc}.html", viewport={"width": 1280, "height": 900})
    page = v.page
    assert page.locator(EXPLORABLE).count() > 0, (
        f"{doc} shows no explorable figure: glue one from its lab "
        "(relu_course.plotting.explorable_lines) and paste it with {glue:figure} and "
        ":doc: lab.ipynb"
    )
    page.wait_for_selector(f"{EXPLORABLE}[data-explorable-ready] .explorable-view svg",
                           timeout=15_000)
    slider = page.locator(EXPLORABLE_SLIDER).first
    assert slider.is_visible(), f"{doc}: the first explorable's slider is not visible"
    frame, drawing = page.evaluate(FRAME), page.evaluate(VIEW)
    # Step towards the other end when the figure starts at the last value.
    at_end = slider.get_attribute("value") == slider.get_attribute("max")
    key = "ArrowLeft" if at_end else "ArrowRight"
    slider.focus()
    page.keyboard.press(key)
    page.wait_for_function(f"f => ({FRAME})() !== f", arg=frame, timeout=10_000)
    assert page.evaluate(VIEW) != drawing, f"{doc}: the slider moved but the figure did not change"
    assert v.errors == [], f"{doc}: browser console errors {v.errors}"
    assert v.blocked == [], f"{doc} asked other hosts for {v.blocked}"


@pytest.mark.parametrize("doc", LABS)
def test_lab_page_has_colab_and_binder_buttons_for_its_notebook(doc, visit) -> None:
    require_page(doc)
    page = visit(f"{doc}.html").page
    menu = page.locator(".dropdown-launch-buttons")
    assert menu.count() == 1, f"{doc}: no launch menu (is the lab a notebook with a kernelspec?)"
    menu.locator("button").first.click()
    for name, url in expected_launch_urls(doc).items():
        link = menu.locator(f'a[href="{url}"]')
        assert link.count() == 1, f"{doc}: no {name} button to {url}"
        assert link.is_visible(), f"{doc}: the {name} button does not show when the menu opens"


def test_search_for_dying_finds_the_definition_chapter(visit) -> None:
    assert DEFINITION_DOC in DOCS, f"{DEFINITION_DOC} is not in _toc.yml"
    page = visit("search.html?q=dying").page
    page.wait_for_function(
        "() => document.querySelector('#search-results .search-summary')?.textContent.length > 0",
        timeout=15_000,
    )
    hits = page.eval_on_selector_all("#search-results ul.search li a", "as => as.map(a => a.href)")
    assert any(urlsplit(h).path.endswith(f"/{DEFINITION_DOC}.html") for h in hits), hits


def luminance(css_colour: str) -> float:
    """Relative luminance (0 black, 1 white) of a CSS rgb()/rgba() colour."""
    r, g, b = (int(c) / 255 for c in re.findall(r"\d+", css_colour)[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def test_intro_renders_in_light_mode_for_a_screenshot(visit) -> None:
    v = visit(f"{DOCS[0]}.html", color_scheme="light", viewport={"width": 1280, "height": 900})
    assert v.page.evaluate("document.documentElement.dataset.theme") == "light"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    v.page.screenshot(path=str(SCREENSHOTS / "intro-light.png"), full_page=True)


def test_dark_mode_toggle_darkens_pages_and_keeps_figures_readable(visit) -> None:
    doc = DEFINITION_DOC if DEFINITION_DOC in DOCS else DOCS[0]
    v = visit(f"{doc}.html", color_scheme="light", viewport={"width": 1280, "height": 900})
    page = v.page
    toggle = page.locator(".theme-switch-button").first
    for _ in range(3):  # the toggle cycles auto -> light -> dark
        if page.evaluate("document.documentElement.dataset.theme") == "dark":
            break
        toggle.click()
    assert page.evaluate("document.documentElement.dataset.theme") == "dark"
    body = page.evaluate("() => { const s = getComputedStyle(document.body);"
                         " return [s.backgroundColor, s.color]; }")
    assert luminance(body[0]) < 0.25 and luminance(body[1]) > 0.6, body
    # Figures are drawn on white: in dark mode they must keep a light backing.
    backings = page.eval_on_selector_all(
        "article img", "is => is.map(i => getComputedStyle(i).backgroundColor)")
    assert all(luminance(b) > 0.6 for b in backings), backings
    # Explorable figures sit on the same white card, their text dark on it.
    cards = page.eval_on_selector_all(EXPLORABLE, """es => es.map(e => {
        const s = getComputedStyle(e); return [s.backgroundColor, s.color]; })""")
    assert all(luminance(b) > 0.6 and luminance(c) < 0.25 for b, c in cards), cards
    page.reload()
    assert page.evaluate("document.documentElement.dataset.theme") == "dark", "choice not kept"
    page.evaluate("() => window.MathJax?.startup?.promise ?? null")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{doc.split('/')[1]}-dark.png"), full_page=True)
    assert v.errors == [] and v.blocked == [], (v.errors, v.blocked)
