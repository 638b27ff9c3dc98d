"""The widget's npm package (widget/): widget/dist/ is exactly what the sources build to,
and `npm pack`'s tarball installs and type-checks in a strict TypeScript project.

Needs `make widget-tools codegen-tools` (esbuild, and the TypeScript of examples/codegen)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest

from graph.routes.widget import MANIFEST_FILE, SCRIPT_FILE
from graph.settings import REPO_ROOT

WIDGET = REPO_ROOT / "widget"
ESBUILD_MODULES = REPO_ROOT / ".cache" / "widget" / "node_modules"
TSC = REPO_ROOT / ".cache" / "codegen" / "node_modules" / ".bin" / "tsc"
BUILT = ("resale-offers.js", "resale-offers.mjs", "resale-offers.d.ts", "manifest.json")


def need(path: Path, target: str) -> None:
    if not path.exists():
        pytest.fail(f"{path} is missing: run `make {target}`")


def test_dist_is_what_the_sources_build_to(tmp_path: Path) -> None:
    need(ESBUILD_MODULES / "esbuild", "widget-tools")
    copy = tmp_path / "widget"
    shutil.copytree(WIDGET, copy, ignore=shutil.ignore_patterns("dist", "node_modules"))
    env = {**os.environ, "WIDGET_NODE_MODULES": str(ESBUILD_MODULES)}
    run = subprocess.run(
        ["node", str(copy / "build.mjs")], env=env, capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stderr
    manifest = json.loads((copy / "dist" / "manifest.json").read_text())
    # The build prints the immutable URL and the SRI hash a page pins.
    assert manifest["path"] in run.stdout
    assert f'integrity="{manifest["integrity"]}"' in run.stdout
    assert manifest["integrity"].startswith("sha384-")
    for name in BUILT:
        assert (copy / "dist" / name).read_bytes() == (WIDGET / "dist" / name).read_bytes(), (
            f"widget/dist/{name} is stale: run `make widget` and commit widget/dist/"
        )
    assert json.loads(MANIFEST_FILE.read_text())["bytes"] == SCRIPT_FILE.stat().st_size


TYPED_USE = """
import { MESSAGES, ResaleOffers, define } from "@resale-graph/widget";
import type { ResaleOffer, ResaleReadyDetail } from "@resale-graph/widget";

define();
const element: ResaleOffers = document.createElement("resale-offers");
element.setAttribute("product-id", "prd-001");
element.messages = { heading: "Second hand", SOLD: "Gone" };
element.addEventListener("resale:ready", (event) => {
  const detail: ResaleReadyDetail = event.detail;
  const count: number = detail.count;
  const first: string | undefined = detail.offers[0]?.listingId;
  console.log(count, first);
});
document.addEventListener("resale:click", (event) => {
  const offer: ResaleOffer = event.detail;
  const url: string = event.detail.url;
  console.log(offer.price, offer.currency, offer.position, url);
});
const german: string = MESSAGES.de.LIKE_NEW;
element.refresh();
// @ts-expect-error: not a message of the widget
element.messages = { hedaing: "typo" };
// @ts-expect-error: a price is a decimal string, not a number
const wrong: number = ({} as ResaleOffer).price;
console.log(german, wrong);
"""

TSCONFIG = {
    "compilerOptions": {
        "strict": True,
        "noEmit": True,
        "target": "ES2020",
        "module": "ESNext",
        "moduleResolution": "Bundler",
        "lib": ["ES2020", "DOM"],
        "skipLibCheck": False,
    },
    "files": ["use.ts"],
}


def test_packed_package_type_checks_with_tsc(tmp_path: Path) -> None:
    need(TSC, "codegen-tools")
    packed = subprocess.run(
        ["npm", "pack", "--json", "--pack-destination", str(tmp_path)],
        cwd=WIDGET,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert packed.returncode == 0, packed.stderr
    (info,) = json.loads(packed.stdout)
    assert sorted(f["path"] for f in info["files"]) == sorted(
        [
            "package.json",
            "dist/resale-offers.js",
            "dist/resale-offers.mjs",
            "dist/resale-offers.d.ts",
        ]
    )
    project = tmp_path / "app"
    installed = project / "node_modules" / "@resale-graph" / "widget"
    installed.mkdir(parents=True)
    with tarfile.open(tmp_path / info["filename"]) as tar:
        tar.extractall(tmp_path / "unpacked", filter="data")
    shutil.copytree(tmp_path / "unpacked" / "package", installed, dirs_exist_ok=True)
    (project / "use.ts").write_text(TYPED_USE)
    (project / "tsconfig.json").write_text(json.dumps(TSCONFIG))
    checked = subprocess.run(
        [str(TSC), "-p", str(project)], capture_output=True, text=True, timeout=180
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr

    # The control: the same file with a wrong type is refused, so the check can fail.
    (project / "use.ts").write_text(TYPED_USE + "\nconst n: number = MESSAGES.fr.SOLD;\n")
    refused = subprocess.run(
        [str(TSC), "-p", str(project)], capture_output=True, text=True, timeout=180
    )
    assert refused.returncode != 0
    assert "TS2322" in refused.stdout, refused.stdout


def test_docs_name_the_current_build() -> None:
    """docs/embedding.md shows the immutable URL and SRI hash of the build in widget/dist/."""
    manifest = json.loads(MANIFEST_FILE.read_text())
    docs = (REPO_ROOT / "docs" / "embedding.md").read_text()
    assert f'src="https://GATEWAY{manifest["path"]}"' in docs, "update docs/embedding.md"
    assert f'integrity="{manifest["integrity"]}"' in docs, "update docs/embedding.md"
    assert manifest["esmIntegrity"] in docs
