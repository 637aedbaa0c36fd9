"""The weight of each page of ours: the JavaScript and CSS it loads, gzip-compressed
(as whitenoise serves them), against the budget of 150 KB per page.

Follows each page's ES modules from its entry (static `import … from`, `export … from`
and dynamic `import(…)`), adds its stylesheets and what it loads on demand (Leaflet for
the maps), and prints one line per file and the totals. Exits 1 when a page is over.

    python bench/page_weight.py
"""

import gzip
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STATIC = ROOT / "backend" / "web" / "static"
BUDGET = 150 * 1024

# page -> (entry module, stylesheets, files loaded on demand), paths under static/.
PAGES = {
    "resident (/)": (
        "web/js/resident/main.js",
        ["web/css/voisins.css"],
        ["web/vendor/leaflet-1.9.4/leaflet.js", "web/vendor/leaflet-1.9.4/leaflet.css"],
    ),
    "console (/moderation/)": ("web/js/console/main.js", ["web/css/voisins.css", "web/css/console.css"], []),
    "organisations' console (/city/)": (
        "web/js/city/main.js",
        ["web/css/voisins.css", "web/css/console.css", "web/css/city.css"],
        ["web/vendor/leaflet-1.9.4/leaflet.js", "web/vendor/leaflet-1.9.4/leaflet.css"],
    ),
}

IMPORT = re.compile(r"""(?:\bimport\s*(?:[\w*{}\s,]+from\s*)?|\bexport\s*[\w*{}\s,]+from\s*|\bimport\s*\()\s*["']([^"']+)["']""")


def modules(entry: str) -> list[str]:
    """The entry and every module it imports, transitively, in the order first met."""
    seen: list[str] = []
    pending = [entry]
    while pending:
        path = pending.pop(0)
        if path in seen:
            continue
        seen.append(path)
        text = (STATIC / path).read_text()
        for target in IMPORT.findall(text):
            if target.startswith("."):
                pending.append(str((Path(path).parent / target).as_posix()).replace("/./", "/"))
    return [str(Path(p)) for p in _normalise(seen)]


def _normalise(paths: list[str]) -> list[str]:
    out = []
    for path in paths:
        parts: list[str] = []
        for part in path.split("/"):
            if part == "..":
                parts.pop()
            elif part not in ("", "."):
                parts.append(part)
        normal = "/".join(parts)
        if normal not in out:
            out.append(normal)
    return out


def gzipped(path: str) -> int:
    return len(gzip.compress((STATIC / path).read_bytes(), compresslevel=9, mtime=0))


def main() -> int:
    over = False
    for page, (entry, styles, on_demand) in PAGES.items():
        files = [*modules(entry), *styles]
        print(f"{page}")
        print(f"  {'file':<58} {'raw':>9} {'gzip':>9}")
        rows = [(path, (STATIC / path).stat().st_size, gzipped(path)) for path in files]
        lazy = [(path, (STATIC / path).stat().st_size, gzipped(path)) for path in on_demand]
        for path, raw, packed in rows:
            print(f"  {path:<58} {raw:>9,} {packed:>9,}")
        for path, raw, packed in lazy:
            print(f"  {path + ' (on demand)':<58} {raw:>9,} {packed:>9,}")
        first = sum(packed for _, _, packed in rows)
        total = first + sum(packed for _, _, packed in lazy)
        print(f"  at load: {first / 1024:.1f} KB gzip; with what loads on demand: {total / 1024:.1f} KB "
              f"of the {BUDGET // 1024} KB budget ({total / BUDGET:.0%})")
        over = over or total > BUDGET
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
