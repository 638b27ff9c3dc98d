# The Lambda deployment package: `make package` -> dist/lambda.zip (both functions run it).
# Included by the top-level Makefile; also works alone: `make -f mk/package.mk package`.
#
#   make package                      x86_64 (the Terraform module's default architecture)
#   make package PACKAGE_ARCH=arm64   Graviton; set lambda_architecture = "arm64" to match
#
# Only the runtime dependencies of pyproject.toml (no serve/test/lint extras), as
# manylinux wheels for CPython $(PACKAGE_PYTHON_VERSION) on the chosen architecture, pinned
# to the versions installed in .venv (what the tests ran), plus graph/ and tenants/.
# boto3/botocore go in too: aiobotocore pins the botocore it needs, so the runtime's own
# copy is not relied on. The zip is written reproducibly (sorted entries, fixed timestamps
# and modes): rebuilding the same tree gives the same bytes, so Terraform's
# source_code_hash changes only when the contents do.

PACKAGE_ARCH ?= x86_64
PACKAGE_PYTHON_VERSION ?= 3.12
PACKAGE_PY ?= .venv/bin/python
# A CPython $(PACKAGE_PYTHON_VERSION) interpreter to ship compiled bytecode with: /var/task is
# read-only, so without .pyc files every cold start compiles every module it imports again
# (and Lambda discards them). The first that runs and is $(PACKAGE_PYTHON_VERSION).x of:
# python$(PACKAGE_PYTHON_VERSION) on PATH (e.g. the public.ecr.aws/sam/build-python3.12
# image), .venv's own interpreter (when the venv is that version), the newest pyenv
# install of it (~/.pyenv/versions/$(PACKAGE_PYTHON_VERSION).*). Bytecode is specific to
# the minor version, never to the patch release. Empty: sources only, with a warning.
PACKAGE_PYENV_PY = $(lastword $(sort $(wildcard $(HOME)/.pyenv/versions/$(PACKAGE_PYTHON_VERSION).*/bin/python$(PACKAGE_PYTHON_VERSION))))
PACKAGE_COMPILE_PY ?= $(firstword $(foreach py,python$(PACKAGE_PYTHON_VERSION) $(PACKAGE_PY) $(PACKAGE_PYENV_PY),$(shell $(py) -c 'import sys; print(sys.executable) if sys.version_info[:2] == tuple(map(int, "$(PACKAGE_PYTHON_VERSION)".split("."))) else None' 2>/dev/null | grep -v None)))
PACKAGE_BUILD_DIR ?= build/lambda
PACKAGE_ZIP ?= dist/lambda.zip
PACKAGE_PLATFORMS_x86_64 := manylinux2014_x86_64 manylinux_2_28_x86_64
PACKAGE_PLATFORMS_arm64 := manylinux2014_aarch64 manylinux_2_28_aarch64
PACKAGE_PLATFORMS = $(PACKAGE_PLATFORMS_$(PACKAGE_ARCH))
PACKAGE_REQUIREMENTS = $(PACKAGE_BUILD_DIR).requirements.txt
PACKAGE_CONSTRAINTS = $(PACKAGE_BUILD_DIR).constraints.txt

# pyproject.toml's [project] dependencies, one per line.
define PACKAGE_REQUIREMENTS_PY
import tomllib
project = tomllib.load(open("pyproject.toml", "rb"))["project"]
print("\n".join(project["dependencies"]))
endef
export PACKAGE_REQUIREMENTS_PY

# Copy graph/ and tenants/ (sources and data, no caches, tests or npm modules), then write
# the zip, list its top-level packages, refuse dev packages and check Lambda's limits.
define PACKAGE_ZIP_PY
import os, re, shutil, sys, tomllib, zipfile
from pathlib import Path

build, out, version = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
compile_with = sys.argv[4] if len(sys.argv) > 4 else ""
skip = shutil.ignore_patterns(
    "__pycache__", "*.pyc", "*.pyo", ".cache", ".mypy_cache", ".pytest_cache",
    ".ruff_cache", "node_modules", "tests", "*.egg-info", ".DS_Store",
)
print("==> [3/4] adding graph/, tenants/ and widget/ (no tests, caches or npm modules)")
for source in ("graph", "tenants", "widget"):
    shutil.copytree(source, build / source, ignore=skip)
shutil.rmtree(build / "bin", ignore_errors=True)  # console scripts of the dependencies
for cache in sorted(build.rglob("__pycache__"), reverse=True):
    shutil.rmtree(cache)
if compile_with:
    # /var/task is read-only: without .pyc files every cold start compiles every module.
    # unchecked-hash: valid whatever the extracted files' mtimes are.
    import subprocess
    subprocess.run([compile_with, "-c", f"import sys; assert sys.version.startswith('{version}.'), sys.version"], check=True)
    subprocess.run([compile_with, "-m", "compileall", "-q", "-j", "0", "--invalidation-mode", "unchecked-hash", str(build)], check=True)
    print(f"    compiled to bytecode with {compile_with}")
else:
    print(f"    sources only: no python{version} here to compile bytecode with "
          "(set PACKAGE_COMPILE_PY=/path/to/python" + version + ")")

print(f"==> [4/4] writing {out}")

files = sorted(p for p in build.rglob("*") if p.is_file())
out.parent.mkdir(parents=True, exist_ok=True)
tmp = out.with_suffix(".zip.tmp")
unzipped = 0
with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
    for path in files:
        info = zipfile.ZipInfo(path.relative_to(build).as_posix(), (1980, 1, 1, 0, 0, 0))
        info.external_attr = 0o100644 << 16  # regular file, world-readable (Lambda needs it)
        info.compress_type = zipfile.ZIP_DEFLATED
        data = path.read_bytes()
        unzipped += len(data)
        zf.writestr(info, data, compresslevel=9)
os.replace(tmp, out)

def norm(name):
    return re.sub(r"[-_.]+", "-", name).lower()

tops = sorted({p.relative_to(build).parts[0] for p in files})
packages = [t for t in tops if not t.endswith(".dist-info")]
dists = sorted(norm(t[: -len(".dist-info")].rsplit("-", 1)[0]) for t in tops if t.endswith(".dist-info"))
print(f"    top-level packages ({len(packages)}): {' '.join(packages)}")
print(f"    distributions ({len(dists)}): {' '.join(dists)}")

project = tomllib.load(open("pyproject.toml", "rb"))["project"]
dev = {
    norm(re.split(r"[\s\[<>=!~;]", req, maxsplit=1)[0])
    for extra in project.get("optional-dependencies", {}).values()
    for req in extra
} - {norm(project["name"])}
dev |= {"pip", "setuptools", "wheel", "pytest", "ruff", "mypy"}
# An extra's package that a runtime dependency itself requires (aiohttp: aiobotocore's
# transport, and the bench's flood client in the test extra) belongs in the zip.
required = set()
for metadata in build.glob("*.dist-info/METADATA"):
    for line in metadata.read_text(errors="replace").splitlines():
        if line.startswith("Requires-Dist:") and "extra ==" not in line:
            required.add(norm(re.split(r"[\s\[<>=!~;(]", line.split(":", 1)[1].strip(), maxsplit=1)[0]))
found = sorted((dev & set(dists)) - required)
if found:
    sys.exit(f"!!  dev packages in the zip: {', '.join(found)}")
print(f"    no dev packages: none of {len(dev)} (serve/test/lint extras, pip, setuptools) inside")

mb = 1024 * 1024
zipped = out.stat().st_size
print(f"    {out}: {zipped / mb:.1f} MiB zipped ({zipped:,} bytes; direct upload limit 50 MiB)")
print(f"    unzipped: {unzipped / mb:.1f} MiB ({unzipped:,} bytes; Lambda limit 250 MiB, "
      f"{100 * unzipped / (250 * mb):.0f}% used) in {len(files):,} files")
if zipped > 50 * mb or unzipped > 250 * mb:
    sys.exit("!!  the package is over a Lambda size limit")
endef
export PACKAGE_ZIP_PY

.PHONY: package

## package: build dist/lambda.zip for Lambda (Python 3.12, PACKAGE_ARCH=x86_64|arm64)
package:
	@test -n "$(PACKAGE_PLATFORMS)" || { echo "PACKAGE_ARCH must be x86_64 or arm64, not '$(PACKAGE_ARCH)'" >&2; exit 1; }
	@test -x $(PACKAGE_PY) || $(MAKE) --no-print-directory -f Makefile install
	@echo "==> [1/4] runtime dependencies from pyproject.toml (no extras)"
	@rm -rf $(PACKAGE_BUILD_DIR) $(PACKAGE_ZIP)
	@mkdir -p $(PACKAGE_BUILD_DIR)
	@$(PACKAGE_PY) -c "$$PACKAGE_REQUIREMENTS_PY" > $(PACKAGE_REQUIREMENTS)
	@$(PACKAGE_PY) -m pip freeze --exclude-editable > $(PACKAGE_CONSTRAINTS)
	@sed 's/^/    /' $(PACKAGE_REQUIREMENTS)
	@echo "==> [2/4] installing manylinux wheels for CPython $(PACKAGE_PYTHON_VERSION) on $(PACKAGE_ARCH) ($(PACKAGE_PLATFORMS)), pinned to .venv's versions"
	@$(PACKAGE_PY) -m pip install --quiet --disable-pip-version-check --no-compile \
		--target $(PACKAGE_BUILD_DIR) --implementation cp --python-version $(PACKAGE_PYTHON_VERSION) \
		$(addprefix --platform ,$(PACKAGE_PLATFORMS)) --only-binary=:all: \
		--requirement $(PACKAGE_REQUIREMENTS) --constraint $(PACKAGE_CONSTRAINTS)
	@$(PACKAGE_PY) -c "$$PACKAGE_ZIP_PY" $(PACKAGE_BUILD_DIR) $(PACKAGE_ZIP) $(PACKAGE_PYTHON_VERSION) $(PACKAGE_COMPILE_PY)
	@echo "==> $(PACKAGE_ZIP) ready for $(PACKAGE_ARCH) (Terraform: lambda_architecture = \"$(PACKAGE_ARCH)\")"
