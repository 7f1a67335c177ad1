"""Offline front-end assets for Solara: fetch the npm packages its page loads into Solara's CDN cache.

Solara's page loads its JavaScript and CSS from a CDN; with no internet in a workshop room or in CI
the page stays blank. Solara's server looks in a local cache first, so we fill that cache from the
npm registry (with the ordinary `npm pack` client) once, and the dashboard then works offline.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

# npm package specs in Solara's sources: "name@x.y.z" followed by "/"
_SPEC = re.compile(r"((?:@[a-z0-9][\w.-]*/)?[a-z0-9][\w.-]*)@(\d+\.\d+\.\d+(?:-[\w.]+)?)/")
# Files whose assets the dashboard uses (page shell, grid layout, markdown); mermaid is left out
# because no dashboard text uses it.
_SOURCES = ("server/templates/solara.html.j2", "widgets/vue/gridlayout.vue", "components/markdown.py")


def cache_dir() -> Path:
    """The directory Solara's server reads cached CDN files from."""
    from solara.server import settings

    return Path(settings.assets.proxy_cache_dir)


def required_packages() -> list[str]:
    """The `name@version` npm packages Solara's page needs with ipywidgets 8 and Vuetify 2."""
    import solara
    from solara.server import settings

    root = Path(solara.__file__).parent
    text = "\n".join((root / s).read_text() for s in _SOURCES if (root / s).exists())
    text += "\n" + settings.assets.fontawesome_path + "/"
    specs = {f"{name}@{ver}" for name, ver in _SPEC.findall(text)}
    return sorted(s for s in specs if "vuetify3" not in s and not s.startswith("mermaid@"))


def missing_packages(target: Path | None = None) -> list[str]:
    """Packages not yet unpacked in the cache."""
    target = target or cache_dir()
    return [spec for spec in required_packages() if not (target / spec / "package.json").exists()]


def install(target: Path | None = None, quiet: bool = False) -> list[str]:
    """Unpack every missing package into the cache with `npm pack`; return the ones installed."""
    target = target or cache_dir()
    todo = missing_packages(target)
    if not todo:
        return []
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("npm is needed once to fetch the dashboard's front-end assets; "
                           "run scripts/install-system-deps.sh (it installs Debian's npm)")
    with tempfile.TemporaryDirectory() as tmp:
        for spec in todo:
            if not quiet:
                print(f"fetching {spec} from the npm registry", file=sys.stderr)
            out = subprocess.run([npm, "pack", spec, "--silent"], cwd=tmp, capture_output=True, text=True,
                                 check=False)
            if out.returncode != 0:
                raise RuntimeError(f"npm pack {spec} failed: {out.stderr.strip()[-500:]}")
            tgz = Path(tmp) / out.stdout.strip().splitlines()[-1]
            dest = target / spec
            staging = Path(tmp) / "unpacked"
            shutil.rmtree(staging, ignore_errors=True)
            with tarfile.open(tgz) as tar:
                tar.extractall(staging, filter="data")
            shutil.rmtree(dest, ignore_errors=True)
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(str(staging / "package"), str(dest))
    return todo


def main(argv: list[str] | None = None) -> int:
    """`python -m simulation.dashboard.assets [--check]`: install (or check) the offline assets."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="only report missing packages; exit 1 if any")
    args = ap.parse_args(argv)
    if args.check:
        todo = missing_packages()
        print("\n".join(todo) if todo else f"all dashboard assets present in {cache_dir()}")
        return 1 if todo else 0
    done = install()
    print(f"installed {len(done)} package(s) into {cache_dir()}" if done else
          f"all dashboard assets present in {cache_dir()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
