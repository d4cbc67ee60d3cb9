"""The committed @ethereumjs/client patches apply to a pristine copy, once, and only once."""

import shutil
import subprocess
from pathlib import Path

from offchain.kernel.fs import PROJECT_ROOT

PATCHES = sorted((PROJECT_ROOT / "patches").glob("*.patch"))


def _targets() -> list[str]:
    files = []
    for patch in PATCHES:
        for line in patch.read_text().splitlines():
            if line.startswith("+++ b/"):
                files.append(line[len("+++ b/") :].split("\t")[0])
    return files


def _pristine_tree(tmp_path: Path) -> Path:
    """A project-shaped copy: the patched files reverted to npm's originals, plus the script."""
    root = tmp_path / "clean"
    for rel in _targets():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(PROJECT_ROOT / rel, root / rel)
    for patch in reversed(PATCHES):
        subprocess.run(["patch", "-p1", "-R", "--silent", "-i", str(patch)], cwd=root, check=True)
    shutil.copytree(PROJECT_ROOT / "patches", root / "patches")
    (root / "tools").mkdir()
    shutil.copy(PROJECT_ROOT / "tools" / "apply-patches.sh", root / "tools" / "apply-patches.sh")
    return root


def test_the_patches_cover_the_known_client_defects():
    names = {p.name for p in PATCHES}
    assert any("receipt-status" in n for n in names) and any("unlock-readline" in n for n in names)
    assert all("node_modules/@ethereumjs/client/" in t for t in _targets())


def test_a_clean_node_modules_gets_every_patch_once_and_a_second_run_changes_nothing(tmp_path):
    root = _pristine_tree(tmp_path)
    pristine = {rel: (root / rel).read_bytes() for rel in _targets()}
    assert all(b"gridledger patch" not in body for body in pristine.values())

    first = subprocess.run(["bash", "tools/apply-patches.sh"], cwd=root, capture_output=True, text=True, check=True)
    assert first.stdout.count(": applied") == len(PATCHES)
    patched = {rel: (root / rel).read_bytes() for rel in _targets()}
    assert patched == {rel: (PROJECT_ROOT / rel).read_bytes() for rel in _targets()}

    second = subprocess.run(["bash", "tools/apply-patches.sh"], cwd=root, capture_output=True, text=True, check=True)
    assert second.stdout.count("already applied") == len(PATCHES)
    assert {rel: (root / rel).read_bytes() for rel in _targets()} == patched


def test_the_patched_client_still_parses():
    for rel in set(_targets()):
        subprocess.run(["node", "--check", str(PROJECT_ROOT / rel)], check=True)
