"""`invoke bench`: ingest, full and incremental builds, vanilla Pelican, Hugo + Pagefind, output
size; one line each.

Every build runs `python -m pelican <content> -o <output> -s pelicanconf.py` from the project
folder, the command `invoke build` runs, with the project's theme, plugins and search index.
The vanilla build runs the same posts with Pelican's default theme and no plugin (vanillaconf.py);
Hugo + Pagefind builds them, converted to a Hugo site (hugosite.py, benchmarks/hugo/), with
`hugo` and then the Pagefind CLI on its output.
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import re
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(ROOT / "plugins"), str(HERE)]

import hugosite  # noqa: E402
import measure  # noqa: E402
import synth  # noqa: E402
from feedserver import FeedServer  # noqa: E402

PY = sys.executable
MiB = 1024 * 1024
KB = 1000
NEW_ITEMS = 10
TEXT_START = '<div class="text">'
TEXT_END = "</div>\n</div>"


def _span(values: list[float]) -> str:
    runs = f"{len(values)} run" + ("s" if len(values) > 1 else "")
    low, high = min(values), max(values)
    return f"{statistics.median(values):.2f} s median ({low:.2f}–{high:.2f}, {runs})"


def _verdict(ok: bool) -> str:
    return "OK" if ok else "MISSED"


def machine() -> str:
    """One line describing this machine and its load."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    memory = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f", {int(line.split()[1]) / 1024 / 1024:.0f} GiB"
    except OSError:
        pass
    load = ", load {:.1f} {:.1f} {:.1f}".format(*os.getloadavg())
    return f"{platform.machine()}, {cores} cores{memory}{load}, Python {platform.python_version()}"


# --- scenario 1: ingest -------------------------------------------------------------------


def scenario_ingest(items: int, runs: int, work: Path) -> list[str]:
    """Fetch + convert a feed from a local server vs feedparser alone; then re-fetch it."""
    import feedparser

    from feed_archive import settings
    from feed_archive.ingest import archive

    data = synth.feed_xml(items)
    parse_times, ingest_times, refetch_times = [], [], []
    refetch_ok = True
    detail = ""
    for run in range(runs):
        start = time.perf_counter()
        parsed = feedparser.parse(io.BytesIO(data))
        parse_times.append(time.perf_counter() - start)
        assert len(parsed.entries) == items, "feedparser lost items"
        # a new folder name every run (see scenario_builds: re-created trees write slower here)
        content = Path(tempfile.mkdtemp(prefix=f"ingest-{run}-", dir=work))
        with FeedServer(data) as server:
            config = settings.load(
                {
                    "PATH": str(content),
                    "FEED_ARCHIVE_SOURCES": [{"url": server.url, "name": synth.FEED_NAME}],
                    # the fetch alone: link checks have their own budget (and move their place
                    # in the state file every run, which a re-fetch must not otherwise write)
                    "FEED_ARCHIVE_LINK_CHECKS": 0,
                }
            )
            start = time.perf_counter()
            (report,) = archive.run(config)
            ingest_times.append(time.perf_counter() - start)
            if report.failed or report.counts["new"] != items:
                raise RuntimeError(f"ingest failed: {report.line()}")
            before = _stamps(content)
            served = len(server.log)
            start = time.perf_counter()
            (again,) = archive.run(config)
            refetch_times.append(time.perf_counter() - start)
            requests = server.log[served:]
            unchanged = _stamps(content) == before
            if not (
                len(requests) == 1 and requests[0][2] == 304 and unchanged and again.status == 304
            ):
                refetch_ok = False
            detail = (
                f"{len(requests)} request(s), HTTP {','.join(str(r[2]) for r in requests)}, "
                + ("0 files written" if unchanged else "files changed")
            )
        shutil.rmtree(content, ignore_errors=True)
    ratio = statistics.median(ingest_times) / statistics.median(parse_times)
    return [
        f"[1] ingest       {items} items, {len(data) / 1e6:.1f} MB feed from 127.0.0.1: "
        f"{_span(ingest_times)} · feedparser alone {statistics.median(parse_times):.2f} s · "
        f"ratio {ratio:.2f}× (target ≤ 2×) {_verdict(ratio <= 2)}",
        f"[1] re-fetch     unchanged feed: {detail} · {_span(refetch_times)} "
        f"(target: one conditional request, 304, nothing written) {_verdict(refetch_ok)}",
    ]


def _stamps(folder: Path) -> dict[str, tuple[int, int]]:
    return {
        str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in folder.rglob("*")
        if p.is_file() and not p.name.endswith(".lock")
    }


# --- builds ------------------------------------------------------------------------------


def archive_for(size: int, work: Path) -> Path:
    """The synthetic archive of `size` items (generated once per work folder)."""
    base = work / f"archive-{size}"
    done = base / ".complete"
    if not done.exists():
        shutil.rmtree(base, ignore_errors=True)
        synth.write_archive(base / "content", size)
        shutil.copytree(ROOT / "content" / "pages", base / "content" / "pages", dirs_exist_ok=True)
        done.write_text("ok")
    return base / "content"


def _copy_tree(source: Path, target: Path) -> None:
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(source, target, copy_function=os.link)


def build_ours(content: Path, output: Path, cache: Path) -> measure.Run:
    """The project's build: `invoke build`'s command on another content/output folder."""
    command = [PY, "-m", "pelican", str(content), "-o", str(output), "-s", "pelicanconf.py"]
    command += ["--cache-path", str(cache), "-q"]
    return measure.run(command, cwd=ROOT)


def build_vanilla(content: Path, output: Path) -> measure.Run:
    """Vanilla Pelican: default theme, no plugins, typogrify on, no cache."""
    shutil.rmtree(output, ignore_errors=True)
    command = [
        PY,
        "-m",
        "pelican",
        str(content),
        "-o",
        str(output),
        "-s",
        str(HERE / "vanillaconf.py"),
        "-q",
    ]
    return measure.run(command, cwd=ROOT)


def hugo_site_for(size: int, content: Path, work: Path) -> Path:
    """The Hugo site of the `size`-item archive in `content`: set-up, not timed (posts converted
    once per work folder, config and layouts copied from benchmarks/hugo/ every time)."""
    site = work / f"hugo-{size}"
    done = site / ".complete"
    hugosite.write_layout(site, hugosite.list_page_size())
    if not done.exists():
        count = hugosite.write_posts(content, site)
        if count != size:
            raise RuntimeError(f"Hugo set-up converted {count} posts, not {size}")
        done.write_text("ok")
    return site


def _in_sequence(runs: list[measure.Run]) -> measure.Run:
    """Commands run one after the other as one: wall and CPU add up, the peak is the largest."""
    return measure.Run(
        wall=sum(r.wall for r in runs),
        cpu=sum(r.cpu for r in runs),
        peak=max(r.peak for r in runs),
        output="".join(r.output for r in runs),
    )


ARTICLE_PAGE = re.compile(r"^\d{4}/\d{2}/\d{2}/[^/]+/index\.html$")


def article_pages(output: Path) -> set[str]:
    """Paths of the article pages (/YYYY/MM/DD/slug/index.html) of a built site."""
    found = (p.relative_to(output).as_posix() for p in output.glob("*/*/*/*/index.html"))
    return {path for path in found if ARTICLE_PAGE.match(path)}


class HugoRun:
    """One Hugo + Pagefind build: both commands, their sum, and what they wrote."""

    def __init__(self, hugo: measure.Run, pagefind: measure.Run, public: Path) -> None:
        self.hugo = hugo
        self.pagefind = pagefind
        self.total = _in_sequence([hugo, pagefind])
        self.pages = hugosite.indexed_pages(pagefind.output)
        self.sizes = output_sizes(public)
        self.articles = article_pages(public)


def build_hugo(site: Path, public: Path, size: int) -> HugoRun:
    """Hugo + Pagefind: `hugo` into an empty `public`, then the Pagefind CLI on it; raise
    unless it wrote and indexed `size` article pages."""
    shutil.rmtree(public, ignore_errors=True)
    hugo = measure.run(hugosite.hugo_command(site, public), cwd=site)
    pagefind = measure.run(hugosite.pagefind_command(public), cwd=site)
    done = HugoRun(hugo, pagefind, public)
    if len(done.articles) != size or done.pages != size:
        raise RuntimeError(
            f"Hugo + Pagefind wrote {len(done.articles)} article pages and indexed "
            f"{done.pages}, not {size}: see {public}"
        )
    return done


def same_urls(hugo: HugoRun, output: Path) -> None:
    """Raise unless Hugo wrote its articles at the URLs our build gave them."""
    ours = article_pages(output)
    if ours != hugo.articles:
        only = sorted(ours ^ hugo.articles)[:3]
        raise RuntimeError(f"Hugo's article URLs differ from ours, e.g. {only}")


class BuildFigures:
    """Measured runs of one archive size."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.vanilla = measure.Series()
        self.hugo = measure.Series()
        self.hugo_runs: list[HugoRun] = []
        self.full = measure.Series()
        self.incremental = measure.Series()
        self.output: Path | None = None


def scenario_builds(
    size: int, runs: int, work: Path, incremental: bool, vanilla: bool, hugo: bool = False
) -> BuildFigures:
    """Vanilla, Hugo + Pagefind, full and (optionally) incremental builds of one archive size."""
    figures = BuildFigures(size)
    base = archive_for(size, work)
    hugo_site = hugo_site_for(size, base, work) if hugo else None
    for run in range(runs):
        # New folder names every run: some file systems here get slower at creating folders
        # where a big tree was just deleted, which would slow later runs for no reason of ours.
        site = work / f"site-{size}" / f"run-{run}"
        shutil.rmtree(work / f"site-{size}", ignore_errors=True)
        content, output, cache = site / "content", site / "output", site / "cache"
        _copy_tree(base, content)
        if vanilla:
            figures.vanilla.runs.append(build_vanilla(content, site / "vanilla"))
            shutil.rmtree(site / "vanilla", ignore_errors=True)
        if hugo_site is not None:
            done = build_hugo(hugo_site, site / "hugo", size)
            figures.hugo_runs.append(done)
            figures.hugo.runs.append(done.total)
            shutil.rmtree(site / "hugo", ignore_errors=True)
        figures.full.runs.append(build_ours(content, output, cache))
        if figures.hugo_runs and run == 0:
            same_urls(figures.hugo_runs[0], output)
        if incremental:
            synth.write_archive(content, NEW_ITEMS, start=size, total=size)
            figures.incremental.runs.append(build_ours(content, output, cache))
        figures.output = output
    return figures


def _against(
    series: measure.Series, vanilla: float, vanilla_cpu: float, target: float, digits: int
) -> str:
    """ " · 0.75× vanilla (CPU 1.19×; target ≤ 0.5×) MISSED" for a series of builds."""
    ratio = statistics.median(r.wall for r in series.runs) / vanilla
    cpu = series.median_cpu() / vanilla_cpu
    return (
        f" · {ratio:.{digits}f}× vanilla (CPU {cpu:.{digits}f}×; target ≤ {target}×)"
        f" {_verdict(ratio <= target)}"
    )


def _against_hugo(series: measure.Series, hugo: measure.Series, digits: int) -> str:
    """ " · 2.3× Hugo+Pagefind (CPU 1.5×)" for a series of builds; "" without Hugo runs."""
    if not hugo.runs:
        return ""
    ratio = statistics.median(r.wall for r in series.runs) / hugo.wall()[0]
    cpu = series.median_cpu() / hugo.median_cpu()
    return f" · {ratio:.{digits}f}× Hugo+Pagefind (CPU {cpu:.{digits}f}×)"


def _part(name: str, runs: list[measure.Run]) -> str:
    """ "hugo 2.1 s, CPU 3.0 s, 246 MiB": median wall and CPU, largest peak of one command."""
    series = measure.Series(runs)
    return (
        f"{name} {series.wall()[0]:.2f} s, CPU {series.median_cpu():.1f} s, "
        f"{series.peak() / MiB:.0f} MiB"
    )


def hugo_line(figures: BuildFigures, vanilla: float | None, vanilla_cpu: float | None) -> str:
    """The scenario 4 line of Hugo + Pagefind at one size."""
    runs = figures.hugo_runs
    sizes = runs[-1].sizes
    text = (
        f"[4] hugo+pagefind N={figures.size:,}: {_span([r.wall for r in figures.hugo.runs])} · "
        f"CPU {figures.hugo.median_cpu():.1f} s · peak {figures.hugo.peak() / MiB:.0f} MiB "
        f"({_part('hugo', [r.hugo for r in runs])}; "
        f"{_part('pagefind', [r.pagefind for r in runs])}; {runs[-1].pages:,} pages indexed; "
        f"{sizes['total'] / 1e6:.1f} MB in {sizes['files']:,} files, "
        f"search index {sizes['search'] / 1e6:.1f} MB; no --minify)"
    )
    if vanilla and vanilla_cpu:
        wall = figures.hugo.wall()[0] / vanilla
        text += f" · {wall:.2f}× vanilla (CPU {figures.hugo.median_cpu() / vanilla_cpu:.2f}×)"
    return text


def build_lines(figures: BuildFigures) -> list[str]:
    """Lines for scenarios 2, 3 and 4 of one size."""
    lines = []
    n = f"N={figures.size:,}"
    vanilla = (
        statistics.median(r.wall for r in figures.vanilla.runs) if figures.vanilla.runs else None
    )
    vanilla_cpu = figures.vanilla.median_cpu() if figures.vanilla.runs else None
    if vanilla:
        lines.append(
            f"[4] vanilla      {n}: {_span([r.wall for r in figures.vanilla.runs])} · "
            f"CPU {vanilla_cpu:.1f} s · peak {figures.vanilla.peak() / MiB:.0f} MiB "
            "(notmyidea, no plugins, typogrify on)"
        )
    if figures.hugo_runs:
        lines.append(hugo_line(figures, vanilla, vanilla_cpu))
    full = [r.wall for r in figures.full.runs]
    text = (
        f"[2] full build   {n}: {_span(full)} · CPU {figures.full.median_cpu():.1f} s · "
        f"peak {figures.full.peak() / MiB:.0f} MiB (theme + plugins + search index)"
    )
    if vanilla:
        text += _against(figures.full, vanilla, vanilla_cpu, 0.5, 2)
    lines.append(text + _against_hugo(figures.full, figures.hugo, 2))
    if figures.incremental.runs:
        inc = [r.wall for r in figures.incremental.runs]
        text = (
            f"[3] incremental  {n} + {NEW_ITEMS} items: {_span(inc)} · "
            f"CPU {figures.incremental.median_cpu():.1f} s"
        )
        if vanilla:
            text += _against(figures.incremental, vanilla, vanilla_cpu, 0.05, 3)
        text += _against_hugo(figures.incremental, figures.hugo, 3)
        if figures.hugo.runs:
            text += " (Hugo+Pagefind rebuilds everything)"
        lines.append(text)
    return lines


# --- scenario 5: output size --------------------------------------------------------------


def output_sizes(output: Path) -> dict[str, float]:
    """Bytes, files, HTML bytes per article page without its own text, search index bytes."""
    total = files = html_bytes = own_text = search = articles = feeds = feed_files = 0
    for path in output.rglob("*"):
        if not path.is_file():
            continue
        rel = path.relative_to(output).as_posix()
        size = path.stat().st_size
        total += size
        files += 1
        if rel.startswith("pagefind/"):
            search += size
        elif rel.startswith("feeds/"):
            feeds += size
            feed_files += 1
        elif rel.endswith(".html"):
            html_bytes += size
            if ARTICLE_PAGE.match(rel):
                articles += 1
                text = path.read_text(encoding="utf-8")
                start = text.find(TEXT_START)
                end = text.rfind(TEXT_END)
                if 0 <= start < end:
                    own_text += len(text[start + len(TEXT_START) : end].encode("utf-8"))
    return {
        "total": total,
        "files": files,
        "html": html_bytes,
        "own_text": own_text,
        "search": search,
        "articles": articles,
        "feeds": feeds,
        "feed_files": feed_files,
    }


def project(measured: list[tuple[int, dict[str, float]]], items: int) -> tuple[float, float, str]:
    """Projected bytes at `items`: (model, all bytes linear, how).

    Everything but the Atom feeds grows with the items: linear through the two largest
    archives measured. A feed holds at most FEED_MAX_ITEMS entries, so feeds are projected as
    their number (tags and sources, linear) times their average size at the largest archive.
    With one archive measured, everything is proportional to the items.
    """
    if len(measured) < 2:
        n2, s2 = measured[-1]
        scale = items / n2
        return s2["total"] * scale, s2["total"] * scale, f"proportional to N={n2:,}"
    (n1, s1), (n2, s2) = measured[-2], measured[-1]

    def linear(value: Any) -> float:
        return value(s2) + (value(s2) - value(s1)) / (n2 - n1) * (items - n2)

    per_feed = s2["feeds"] / s2["feed_files"] if s2["feed_files"] else 0
    feeds = linear(lambda s: s["feed_files"]) * per_feed
    rest = linear(lambda s: s["total"] - s["feeds"])
    how = f"linear from N={n1:,} and {n2:,}, Atom feeds capped at their entries"
    return rest + feeds, linear(lambda s: s["total"]), how


def size_lines(figures: list[BuildFigures]) -> list[str]:
    """Scenario 5 lines: sizes per built archive, projection to 100,000 items, peak memory."""
    lines = []
    measured = []
    for fig in figures:
        if fig.output is None or not fig.output.is_dir():
            continue
        sizes = output_sizes(fig.output)
        measured.append((fig.size, sizes))
        per_item = (sizes["html"] - sizes["own_text"]) / fig.size
        lines.append(
            f"[5] output       N={fig.size:,}: {sizes['total'] / 1e6:.1f} MB "
            f"in {sizes['files']:,} files · HTML {sizes['html'] / 1e6:.1f} MB · "
            f"{per_item / KB:.1f} KB HTML per item without its own text (target ≤ 10 KB) "
            f"{_verdict(per_item <= 10 * KB)} · search index {sizes['search'] / 1e6:.1f} MB"
        )
    if measured:
        projected, naive, basis = project(measured, 100_000)
        lines.append(
            f"[5] projection   100,000 items (site + search index; {basis}): "
            f"{projected / 1e9:.2f} GB (target ≤ 1 GB) {_verdict(projected <= 1e9)} · "
            f"every byte linear: {naive / 1e9:.2f} GB"
        )
    for fig in figures:
        if fig.full.runs and fig.size >= 10_000:
            peak = fig.full.peak()
            judged = (
                f"(target ≤ 1.5 GB) {_verdict(peak <= 1.5 * 1024**3)}"
                if fig.size == 10_000
                else "(the 1.5 GB target is for N=10,000)"
            )
            lines.append(
                f"[5] memory       N={fig.size:,}: peak {peak / MiB:.0f} MiB for the whole "
                f"build incl. search indexing {judged}"
            )
    if not any(fig.size >= 10_000 for fig in figures) and figures and figures[-1].full.runs:
        fig = figures[-1]
        lines.append(
            f"[5] memory       N={fig.size:,}: peak {fig.full.peak() / MiB:.0f} MiB for the "
            "whole build incl. search indexing (the 1.5 GB target is for N=10,000)"
        )
    return lines


# --- command line -------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The harness' options."""
    parser = argparse.ArgumentParser(prog="invoke bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small archive, one run (smoke test)")
    parser.add_argument(
        "--runs", type=int, default=3, help="runs per measurement (median, min–max)"
    )
    parser.add_argument(
        "--sizes", default="1000,10000", help="archive sizes to build, comma-separated"
    )
    parser.add_argument("--big", action="store_true", help="also build 50,000 items")
    parser.add_argument("--feed-items", type=int, default=1000, help="items of the ingest feed")
    parser.add_argument(
        "--only",
        default="",
        help="run only these scenarios, e.g. 1,2 (1 ingest; 2-5 builds; 4 vanilla and Hugo)",
    )
    parser.add_argument("--no-vanilla", action="store_true", help="skip vanilla Pelican builds")
    parser.add_argument("--no-hugo", action="store_true", help="skip Hugo + Pagefind builds")
    parser.add_argument(
        "--work", default="", help="folder for archives and builds (default: a temp folder)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    args = parser.parse_args(argv)
    if args.quick:
        args.runs, args.sizes, args.feed_items = 1, "150", 100
    return args


def comparisons(args: argparse.Namespace, only: set[str]) -> tuple[bool, bool, str]:
    """(run vanilla Pelican, run Hugo + Pagefind, a line saying why Hugo is skipped or "")."""
    wanted = not only or bool(only & {"2", "3", "4"})
    vanilla = wanted and not args.no_vanilla
    hugo = wanted and not args.no_hugo
    if hugo and hugosite.hugo_binary() is None:
        return vanilla, False, f"[4] hugo+pagefind skipped: {hugosite.MISSING}"
    return vanilla, hugo, ""


def main(argv: list[str] | None = None) -> int:
    """Run the chosen scenarios and print one line each."""
    args = parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    if args.big:
        sizes.append(50_000)
    only = {s.strip() for s in args.only.split(",") if s.strip()}
    work = Path(args.work) if args.work else Path(tempfile.mkdtemp(prefix="feed-archive-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"bench {datetime.now(UTC):%Y-%m-%d %H:%M} UTC · {machine()} · work {work}", flush=True)
    try:
        if not only or "1" in only:
            for line in scenario_ingest(args.feed_items, args.runs, work):
                print(line, flush=True)
        if not only or only & {"2", "3", "4", "5"}:
            vanilla, hugo, skipped = comparisons(args, only)
            if skipped:
                print(skipped, flush=True)
            figures = []
            incremental_size = max([s for s in sizes if s <= 10_000] or sizes)
            for size in sizes:
                fig = scenario_builds(
                    size,
                    args.runs,
                    work,
                    incremental=(size == incremental_size) and (not only or "3" in only),
                    vanilla=vanilla,
                    hugo=hugo,
                )
                figures.append(fig)
                for line in build_lines(fig):
                    print(line, flush=True)
            for line in size_lines(figures):
                print(line, flush=True)
    finally:
        if not args.keep and not args.work:
            shutil.rmtree(work, ignore_errors=True)
    print(f"done {datetime.now(UTC):%H:%M} UTC · load {os.getloadavg()[0]:.1f}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
